package team

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
	"gorm.io/gorm"
)

const (
	maxPlaybookTitle   = 200
	maxPlaybookContent = 20000
	maxPosition        = 10000
)

// Playbook is winning practice for one pipeline stage (销售手册), shown
// with every opportunity in that stage. Company knowledge: everyone reads
// every playbook.
type Playbook struct {
	ID         string
	PipelineID string
	StageID    string
	Title      string
	Content    string
	Position   int
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// TableName pins the table.
func (Playbook) TableName() string { return "playbooks" }

// CurrentVersion is the version as read (record.Versioned).
func (p *Playbook) CurrentVersion() int { return p.Version }

// Touch moves the playbook to its next version, changed at now.
func (p *Playbook) Touch(now time.Time) { p.Version++; p.UpdatedAt = now }

// GetPlaybook loads one playbook.
func (s *Service) GetPlaybook(ctx context.Context, id string) (*Playbook, error) {
	if err := authz.Require(ctx, "playbooks:read"); err != nil {
		return nil, err
	}
	return s.store.GetPlaybook(ctx, id)
}

// ListPlaybooks pages through playbooks, optionally of a pipeline or stage.
func (s *Service) ListPlaybooks(ctx context.Context, pipelineID, stageID string, r paging.Request) (paging.Page[Playbook], error) {
	if err := authz.Require(ctx, "playbooks:read"); err != nil {
		return paging.Page[Playbook]{}, err
	}
	q, err := playbookSpec.Parse(r)
	if err != nil {
		return paging.Page[Playbook]{}, err
	}
	return q.Fetch(s.store.Playbooks(ctx, pipelineID, stageID))
}

// OpportunityPlaybooks lists the playbooks of an opportunity's current
// stage, in position order; the opportunity must be in the caller's scope.
func (s *Service) OpportunityPlaybooks(ctx context.Context, opportunityID string) (string, []Playbook, error) {
	if err := authz.Require(ctx, "playbooks:read"); err != nil {
		return "", nil, err
	}
	o, err := s.opps.GetVisible(ctx, opportunityID)
	if err != nil {
		return "", nil, err
	}
	var out []Playbook
	err = s.store.Playbooks(ctx, "", o.StageID).Order("position, id").Limit(paging.MaxLimit).Find(&out).Error
	if err != nil {
		return "", nil, fmt.Errorf("team.opportunity_playbooks: %w", err)
	}
	return o.StageID, out, nil
}

// CreatePlaybook adds a playbook to a stage (admins and managers).
func (s *Service) CreatePlaybook(ctx context.Context, req PlaybookRequest) (*Playbook, error) {
	if err := authz.Require(ctx, "playbooks:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	p := &Playbook{ID: uuid.Must(uuid.NewV7()).String(), CreatedBy: authz.ActorFrom(ctx).ID(),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.applyPlaybook(ctx, p, req, true); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Create(p).Error; err != nil {
			return fmt.Errorf("team.create_playbook: %w", err)
		}
		return s.audit.Record(ctx, "create", "playbook", p.ID, nil, PlaybookView(p))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// UpdatePlaybook changes the given fields of a playbook.
func (s *Service) UpdatePlaybook(ctx context.Context, id string, ifMatch *int, req PlaybookRequest) (*Playbook, error) {
	if err := authz.Require(ctx, "playbooks:write"); err != nil {
		return nil, err
	}
	w := record.Mutation[*Playbook]{DB: s.db, Audit: s.audit, Entity: "playbook", Save: s.store.SavePlaybook,
		ID: func(p *Playbook) string { return p.ID }, View: func(p *Playbook) any { return PlaybookView(p) }}
	return w.Apply(ctx, func(ctx context.Context) (*Playbook, error) { return s.store.GetPlaybook(ctx, id) },
		ifMatch, "update", func(ctx context.Context, p *Playbook) error { return s.applyPlaybook(ctx, p, req, false) })
}

// DeletePlaybook removes a playbook.
func (s *Service) DeletePlaybook(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "playbooks:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.store.GetPlaybook(ctx, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != p.Version {
			return apperr.VersionMismatch()
		}
		res := s.db.Conn(ctx).Where("id = ? AND version = ?", p.ID, p.Version).Delete(&Playbook{})
		if err := versioned(res, "team.delete_playbook"); err != nil {
			return err
		}
		return s.audit.Record(ctx, "delete", "playbook", p.ID, PlaybookView(p), nil)
	})
}

// applyPlaybook writes the given fields of req into p and validates the
// result; the stage must belong to the pipeline (both may change).
func (s *Service) applyPlaybook(ctx context.Context, p *Playbook, req PlaybookRequest, create bool) error {
	for _, f := range []struct{ dst, src *string }{{&p.PipelineID, req.PipelineID}, {&p.StageID, req.StageID},
		{&p.Title, req.Title}, {&p.Content, req.Content}} {
		if f.src != nil {
			*f.dst = strings.TrimSpace(*f.src)
		}
	}
	if req.Position != nil {
		p.Position = *req.Position
	}
	var v validate.V
	if v.Required("title", p.Title) {
		v.MaxLen("title", p.Title, maxPlaybookTitle)
	}
	v.MaxLen("content", p.Content, maxPlaybookContent)
	if p.Position < 0 || p.Position > maxPosition {
		v.Add("position", "out_of_range", 0, maxPosition)
	}
	pipeOK := v.Required("pipeline_id", p.PipelineID)
	stageOK := v.Required("stage_id", p.StageID)
	if err := v.Err(); err != nil || !pipeOK || !stageOK || (!create && req.PipelineID == nil && req.StageID == nil) {
		return err
	}
	pipe, err := s.opps.Pipeline(ctx, p.PipelineID)
	if errors.Is(err, apperr.ErrNotFound) {
		return apperr.Invalid(apperr.FieldError{Field: "pipeline_id", Message: "unknown_ref", Params: []any{"pipeline"}})
	}
	if err != nil {
		return err
	}
	for _, st := range pipe.Stages {
		if st.ID == p.StageID {
			return nil
		}
	}
	return apperr.Invalid(apperr.FieldError{Field: "stage_id", Message: "stage_not_in_pipeline"})
}

// GetPlaybook loads one playbook.
func (s *Store) GetPlaybook(ctx context.Context, id string) (*Playbook, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("playbook")
	}
	var p Playbook
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&p).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("playbook")
	}
	if err != nil {
		return nil, fmt.Errorf("team.get_playbook: %w", err)
	}
	return &p, nil
}

// Playbooks is the filtered base of a playbook list.
func (s *Store) Playbooks(ctx context.Context, pipelineID, stageID string) *gorm.DB {
	q := s.db.Conn(ctx).Model(&Playbook{})
	if pipelineID != "" {
		q = q.Where("playbooks.pipeline_id = ?", pipelineID)
	}
	if stageID != "" {
		q = q.Where("playbooks.stage_id = ?", stageID)
	}
	return q
}

// SavePlaybook writes a playbook if it is still at version read.
func (s *Store) SavePlaybook(ctx context.Context, p *Playbook, read int) error {
	res := s.db.Conn(ctx).Model(&Playbook{}).Where("id = ? AND version = ?", p.ID, read).
		Select("pipeline_id", "stage_id", "title", "content", "position", "updated_at", "version").UpdateColumns(p)
	return versioned(res, "team.save_playbook")
}

var playbookSpec = paging.Spec[Playbook]{
	Columns: map[string]paging.Column[Playbook]{
		"position":   {Expr: "playbooks.position", Number: true, Get: func(p *Playbook) any { return p.Position }},
		"created_at": {Expr: "playbooks.created_at", Time: true, Get: func(p *Playbook) any { return p.CreatedAt }},
		"title":      {Expr: "playbooks.title", Get: func(p *Playbook) any { return p.Title }},
	},
	Default: "position",
	IDExpr:  "playbooks.id",
	ID:      func(p *Playbook) string { return p.ID },
}
