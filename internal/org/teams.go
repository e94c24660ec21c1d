package org

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/validate"
)

var teamSpec = paging.Spec[Team]{
	Columns: map[string]paging.Column[Team]{
		"created_at": {Expr: "created_at", Time: true, Get: func(t *Team) any { return t.CreatedAt }},
		"name":       {Expr: "name", Get: func(t *Team) any { return t.Name }},
	},
	Default: "name",
	IDExpr:  "id",
	ID:      func(t *Team) string { return t.ID },
}

// ListTeams lists teams, optionally the children of one parent
// (parent_id="" lists roots when root=true).
func (s *Service) ListTeams(ctx context.Context, parentID string, r paging.Request) (paging.Page[Team], error) {
	if err := authz.Require(ctx, "teams:read"); err != nil {
		return paging.Page[Team]{}, err
	}
	q, err := teamSpec.Parse(r)
	if err != nil {
		return paging.Page[Team]{}, err
	}
	base := s.db.Conn(ctx).Model(&Team{})
	if parentID != "" {
		base = base.Where("parent_id = ?", parentID)
	}
	page, err := q.Fetch(base)
	if err != nil {
		return page, fmt.Errorf("org.list_teams: %w", err)
	}
	return page, nil
}

// GetTeam loads one team.
func (s *Service) GetTeam(ctx context.Context, id string) (*Team, error) {
	if err := authz.Require(ctx, "teams:read"); err != nil {
		return nil, err
	}
	return s.teamByID(ctx, id)
}

func (s *Service) teamByID(ctx context.Context, id string) (*Team, error) {
	var t Team
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&t).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("team")
	}
	if err != nil {
		return nil, fmt.Errorf("org.team: %w", err)
	}
	return &t, nil
}

// CreateTeam adds a team under an optional parent (admin).
func (s *Service) CreateTeam(ctx context.Context, req TeamCreateRequest) (*Team, error) {
	if err := authz.Require(ctx, "teams:write"); err != nil {
		return nil, err
	}
	req.Name = strings.TrimSpace(req.Name)
	var v validate.V
	if v.Required("name", req.Name) {
		v.MaxLen("name", req.Name, 100)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := db.Now()
	t := &Team{ID: uuid.Must(uuid.NewV7()).String(), Name: req.Name, CreatedAt: now, UpdatedAt: now, Version: 1}
	if req.ParentID != nil && *req.ParentID != "" {
		t.ParentID = req.ParentID
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.checkTeam(ctx, "parent_id", t.ParentID); err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Create(t).Error; err != nil {
			return fmt.Errorf("org.create_team: %w", err)
		}
		s.store.notify(ctx)
		return s.audit.Record(ctx, "create", "team", t.ID, nil, TeamView(t))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// UpdateTeam renames or moves a team (admin). A move that would put a team
// under itself or its own descendant is refused.
func (s *Service) UpdateTeam(ctx context.Context, id string, ifMatch *int, req TeamUpdateRequest) (*Team, error) {
	if err := authz.Require(ctx, "teams:write"); err != nil {
		return nil, err
	}
	var v validate.V
	if req.Name != nil {
		*req.Name = strings.TrimSpace(*req.Name)
		if v.Required("name", *req.Name) {
			v.MaxLen("name", *req.Name, 100)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.teamWrites.Apply(ctx, func(ctx context.Context) (*Team, error) { return s.teamByID(ctx, id) },
		ifMatch, "update", func(ctx context.Context, t *Team) error {
			if req.Name != nil {
				t.Name = *req.Name
			}
			if req.ParentID == nil {
				return nil
			}
			if *req.ParentID == "" {
				t.ParentID = nil
				return nil
			}
			if err := s.checkTeam(ctx, "parent_id", req.ParentID); err != nil {
				return err
			}
			sub, err := s.store.TeamSubtree(ctx, t.ID)
			if err != nil {
				return err
			}
			if slices.Contains(sub, *req.ParentID) {
				return apperr.Invalid(apperr.FieldError{Field: "parent_id", Message: "cycle"})
			}
			t.ParentID = req.ParentID
			return nil
		})
}

// DeleteTeam removes an empty team (admin): one with members or sub-teams
// is refused with 409 so nobody silently loses their scope.
func (s *Service) DeleteTeam(ctx context.Context, id string) error {
	if err := authz.Require(ctx, "teams:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.teamByID(ctx, id)
		if err != nil {
			return err
		}
		var members, children int64
		if err := s.db.Conn(ctx).Model(&User{}).Where("team_id = ?", id).Count(&members).Error; err != nil {
			return fmt.Errorf("org.delete_team: %w", err)
		}
		if err := s.db.Conn(ctx).Model(&Team{}).Where("parent_id = ?", id).Count(&children).Error; err != nil {
			return fmt.Errorf("org.delete_team: %w", err)
		}
		if members > 0 || children > 0 {
			return apperr.Conflict("in_use", "in_use", "team")
		}
		if err := s.db.Conn(ctx).Delete(&Team{}, "id = ?", id).Error; err != nil {
			return fmt.Errorf("org.delete_team: %w", err)
		}
		s.store.notify(ctx)
		return s.audit.Record(ctx, "delete", "team", t.ID, TeamView(t), nil)
	})
}
