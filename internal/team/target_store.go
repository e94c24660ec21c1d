package team

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"gorm.io/gorm"
)

// targetScope limits targets to those the actor may see: admins all;
// managers their team subtree's teams and those teams' members (and
// themselves); anyone else their own targets and their team's.
func targetScope(a *authz.Actor) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		switch {
		case a == nil:
			return q.Where("1 = 0")
		case a.SeesAll():
			return q
		case a.Role == authz.RoleManager && len(a.TeamSubtree) > 0:
			return q.Where("(targets.subject_type = 'team' AND targets.subject_id IN ?) OR "+
				"(targets.subject_type = 'user' AND (targets.subject_id = ? OR "+
				"targets.subject_id IN (SELECT id FROM users WHERE team_id IN ?)))",
				a.TeamSubtree, a.UserID, a.TeamSubtree)
		default:
			return q.Where("(targets.subject_type = 'user' AND targets.subject_id = ?) OR "+
				"(targets.subject_type = 'team' AND targets.subject_id = ?)", a.UserID, a.TeamID)
		}
	}
}

// GetTarget loads a target in a's scope (404 outside it).
func (s *Store) GetTarget(ctx context.Context, a *authz.Actor, id string) (*Target, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("target")
	}
	var t Target
	err := s.db.Conn(ctx).Model(&Target{}).Scopes(targetScope(a)).Where("targets.id = ?", id).Take(&t).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("target")
	}
	if err != nil {
		return nil, fmt.Errorf("team.get_target: %w", err)
	}
	return &t, nil
}

// Targets is the filtered, scoped base of a target list.
func (s *Store) Targets(ctx context.Context, a *authz.Actor, f TargetFilter) *gorm.DB {
	q := s.db.Conn(ctx).Model(&Target{}).Scopes(targetScope(a))
	for col, v := range map[string]string{"targets.subject_type": f.SubjectType, "targets.subject_id": f.SubjectID,
		"targets.period": f.Period, "targets.metric": f.Metric} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.TeamID != "" {
		q = q.Where("(targets.subject_type = 'team' AND targets.subject_id IN ?) OR "+
			"(targets.subject_type = 'user' AND targets.subject_id IN (SELECT id FROM users WHERE team_id IN ?))",
			f.teamSubtree, f.teamSubtree)
	}
	return q
}

// SameTarget finds the target with t's subject, period and metric, or nil.
func (s *Store) SameTarget(ctx context.Context, t *Target) (*Target, error) {
	var out Target
	err := s.db.Conn(ctx).Where("subject_type = ? AND subject_id = ? AND period = ? AND metric = ?",
		t.SubjectType, t.SubjectID, t.Period, t.Metric).Take(&out).Error
	if db.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("team.same_target: %w", err)
	}
	return &out, nil
}

// CreateTarget inserts a target; the unique index turns a concurrent twin
// into a 409.
func (s *Store) CreateTarget(ctx context.Context, t *Target) error {
	if err := s.db.Conn(ctx).Create(t).Error; err != nil {
		if db.IsDuplicate(err) {
			return targetTaken("")
		}
		return fmt.Errorf("team.create_target: %w", err)
	}
	return nil
}

// SaveTarget writes the value if the target is still at version read.
func (s *Store) SaveTarget(ctx context.Context, t *Target, read int) error {
	res := s.db.Conn(ctx).Model(&Target{}).Where("id = ? AND version = ?", t.ID, read).
		Select("value", "updated_at", "version").UpdateColumns(t)
	return versioned(res, "team.save_target")
}

// DeleteTarget removes t if it is still at the version read.
func (s *Store) DeleteTarget(ctx context.Context, t *Target) error {
	res := s.db.Conn(ctx).Where("id = ? AND version = ?", t.ID, t.Version).Delete(&Target{})
	return versioned(res, "team.delete_target")
}

// versioned turns a guarded write's result into an error: none matched
// means another writer moved the version on (412).
func versioned(res *gorm.DB, op string) error {
	if res.Error != nil {
		return fmt.Errorf("%s: %w", op, res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// targetSpec is what target lists sort by.
var targetSpec = paging.Spec[Target]{
	Columns: map[string]paging.Column[Target]{
		"created_at":   {Expr: "targets.created_at", Time: true, Get: func(t *Target) any { return t.CreatedAt }},
		"period_start": {Expr: "targets.starts_at", Time: true, Get: func(t *Target) any { return t.StartsAt }},
	},
	Default: "-created_at",
	IDExpr:  "targets.id",
	ID:      func(t *Target) string { return t.ID },
}
