package team

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"gorm.io/gorm"
)

// reach is whom a rep reads plans for: themselves and their team's chain
// up to the root. nil reaches every plan.
type reach struct {
	userID  string
	teamIDs []string
}

// scope limits plans to those applying to the reach.
func (r *reach) scope(q *gorm.DB) *gorm.DB {
	if r == nil {
		return q
	}
	sub := "SELECT plan_id FROM commission_plan_subjects WHERE (subject_type = 'user' AND subject_id = ?)"
	args := []any{r.userID}
	if len(r.teamIDs) > 0 {
		sub += " OR (subject_type = 'team' AND subject_id IN ?)"
		args = append(args, r.teamIDs)
	}
	return q.Where("commission_plans.id IN ("+sub+")", args...)
}

// GetPlan loads a plan within reach, with its subjects.
func (s *Store) GetPlan(ctx context.Context, r *reach, id string) (*Plan, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("commission_plan")
	}
	var p Plan
	err := r.scope(s.db.Conn(ctx).Model(&Plan{})).Where("commission_plans.id = ?", id).Take(&p).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("commission_plan")
	}
	if err != nil {
		return nil, fmt.Errorf("team.get_plan: %w", err)
	}
	ps := []Plan{p}
	if err := s.LoadSubjects(ctx, ps); err != nil {
		return nil, err
	}
	return &ps[0], nil
}

// Plans is the filtered base of a plan list.
func (s *Store) Plans(ctx context.Context, r *reach, active *bool) *gorm.DB {
	q := r.scope(s.db.Conn(ctx).Model(&Plan{}))
	if active != nil {
		q = q.Where("commission_plans.active = ?", *active)
	}
	return q
}

// LoadSubjects fills the user and team ids of plans, each sorted.
func (s *Store) LoadSubjects(ctx context.Context, plans []Plan) error {
	if len(plans) == 0 {
		return nil
	}
	at := map[string]int{}
	ids := make([]string, len(plans))
	for i := range plans {
		ids[i], at[plans[i].ID] = plans[i].ID, i
		plans[i].UserIDs, plans[i].TeamIDs = []string{}, []string{}
	}
	var rows []planSubject
	if err := s.db.Conn(ctx).Where("plan_id IN ?", ids).Order("subject_id").Find(&rows).Error; err != nil {
		return fmt.Errorf("team.plan_subjects: %w", err)
	}
	for _, r := range rows {
		p := &plans[at[r.PlanID]]
		if r.SubjectType == SubjectUser {
			p.UserIDs = append(p.UserIDs, r.SubjectID)
		} else {
			p.TeamIDs = append(p.TeamIDs, r.SubjectID)
		}
	}
	return nil
}

// CreatePlan inserts a plan and its subjects.
func (s *Store) CreatePlan(ctx context.Context, p *Plan) error {
	if err := s.db.Conn(ctx).Create(p).Error; err != nil {
		return fmt.Errorf("team.create_plan: %w", err)
	}
	return s.writeSubjects(ctx, p)
}

// SavePlan writes a plan if it is still at version read, and replaces its
// subjects.
func (s *Store) SavePlan(ctx context.Context, p *Plan, read int) error {
	res := s.db.Conn(ctx).Model(&Plan{}).Where("id = ? AND version = ?", p.ID, read).
		Select("name", "basis", "tiers", "active", "effective_from", "effective_to", "updated_at", "version").
		UpdateColumns(p)
	if err := versioned(res, "team.save_plan"); err != nil {
		return err
	}
	if err := s.db.Conn(ctx).Where("plan_id = ?", p.ID).Delete(&planSubject{}).Error; err != nil {
		return fmt.Errorf("team.save_plan_subjects: %w", err)
	}
	return s.writeSubjects(ctx, p)
}

func (s *Store) writeSubjects(ctx context.Context, p *Plan) error {
	var rows []planSubject
	for _, id := range p.UserIDs {
		rows = append(rows, planSubject{PlanID: p.ID, SubjectType: SubjectUser, SubjectID: id})
	}
	for _, id := range p.TeamIDs {
		rows = append(rows, planSubject{PlanID: p.ID, SubjectType: SubjectTeam, SubjectID: id})
	}
	if len(rows) == 0 {
		return nil
	}
	if err := s.db.Conn(ctx).Create(&rows).Error; err != nil {
		return fmt.Errorf("team.plan_subjects: %w", err)
	}
	return nil
}

// DeletePlan removes p if still at the version read; the foreign key
// cascades to its subjects.
func (s *Store) DeletePlan(ctx context.Context, p *Plan) error {
	res := s.db.Conn(ctx).Where("id = ? AND version = ?", p.ID, p.Version).Delete(&Plan{})
	return versioned(res, "team.delete_plan")
}

var planSpec = paging.Spec[Plan]{
	Columns: map[string]paging.Column[Plan]{
		"created_at":     {Expr: "commission_plans.created_at", Time: true, Get: func(p *Plan) any { return p.CreatedAt }},
		"name":           {Expr: "commission_plans.name", Get: func(p *Plan) any { return p.Name }},
		"effective_from": {Expr: "commission_plans.effective_from", Get: func(p *Plan) any { return p.EffectiveFrom }},
	},
	Default: "-created_at",
	IDExpr:  "commission_plans.id",
	ID:      func(p *Plan) string { return p.ID }}
