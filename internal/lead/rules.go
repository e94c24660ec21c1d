package lead

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/validate"
)

func init() {
	// Rules are organisation-wide configuration: admins write them,
	// managers may read them to understand where leads go.
	authz.Grant("lead_rules:read", authz.RoleAdmin, authz.RoleManager)
	authz.Grant("lead_rules:write", authz.RoleAdmin)
}

// Rule limits.
const (
	maxRuleName  = 100
	maxRuleUsers = 100
	maxPriority  = 1000000
	// DefaultPriority is the priority of a rule created without one.
	DefaultPriority = 100
)

// ListRules lists every rule in the order routing tries them.
func (s *Service) ListRules(ctx context.Context) ([]Rule, error) {
	if err := authz.Require(ctx, "lead_rules:read"); err != nil {
		return nil, err
	}
	var rules []Rule
	if err := s.db.Conn(ctx).Order("priority, created_at, id").Find(&rules).Error; err != nil {
		return nil, fmt.Errorf("lead.list_rules: %w", err)
	}
	return rules, nil
}

// GetRule loads one rule.
func (s *Service) GetRule(ctx context.Context, id string) (*Rule, error) {
	if err := authz.Require(ctx, "lead_rules:read"); err != nil {
		return nil, err
	}
	return s.loadRule(ctx, id)
}

func (s *Service) loadRule(ctx context.Context, id string) (*Rule, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("lead_assignment_rule")
	}
	var r Rule
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&r).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("lead_assignment_rule")
	}
	if err != nil {
		return nil, fmt.Errorf("lead.rule: %w", err)
	}
	return &r, nil
}

// CreateRule adds a rule.
func (s *Service) CreateRule(ctx context.Context, req RuleCreateRequest) (*Rule, error) {
	if err := authz.Require(ctx, "lead_rules:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	r := &Rule{ID: uuid.Must(uuid.NewV7()).String(), Name: req.Name, Priority: DefaultPriority,
		Region: req.Conditions.Region, Source: req.Conditions.Source, ProductInterest: req.Conditions.ProductInterest,
		Strategy: req.Strategy, UserIDs: req.UserIDs, TeamID: req.TeamID, Active: true,
		CreatedBy: authz.ActorFrom(ctx).ID(), CreatedAt: now, UpdatedAt: now, Version: 1}
	if req.Priority != nil {
		r.Priority = *req.Priority
	}
	if req.Active != nil {
		r.Active = *req.Active
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.checkRule(ctx, r); err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Create(r).Error; err != nil {
			return fmt.Errorf("lead.create_rule: %w", err)
		}
		return s.audit.Record(ctx, "create", "lead_assignment_rule", r.ID, nil, RuleView(r))
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateRule changes the given fields of a rule. Giving user_ids without
// team_id switches the rule to those users, and the other way round.
func (s *Service) UpdateRule(ctx context.Context, id string, ifMatch *int, req RuleUpdateRequest) (*Rule, error) {
	if err := authz.Require(ctx, "lead_rules:write"); err != nil {
		return nil, err
	}
	var out *Rule
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.loadRule(ctx, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != r.Version {
			return apperr.VersionMismatch()
		}
		before := RuleView(r)
		if req.Name != nil {
			r.Name = *req.Name
		}
		if req.Priority != nil {
			r.Priority = *req.Priority
		}
		if c := req.Conditions; c != nil {
			r.Region, r.Source, r.ProductInterest = c.Region, c.Source, c.ProductInterest
		}
		if req.Strategy != nil {
			r.Strategy = *req.Strategy
		}
		if req.UserIDs != nil {
			r.UserIDs = *req.UserIDs
			if req.TeamID == nil {
				r.TeamID = nil
			}
		}
		if req.TeamID != nil {
			r.TeamID = req.TeamID
			if req.UserIDs == nil {
				r.UserIDs = nil
			}
		}
		if req.Active != nil {
			r.Active = *req.Active
		}
		if err := s.checkRule(ctx, r); err != nil {
			return err
		}
		read := r.Version
		r.Version++
		r.UpdatedAt = db.Now()
		res := s.db.Conn(ctx).Model(&Rule{}).Where("id = ? AND version = ?", r.ID, read).
			Select("name", "priority", "region", "source", "product_interest", "strategy", "user_ids", "team_id",
				"active", "updated_at", "version").UpdateColumns(r)
		if res.Error != nil {
			return fmt.Errorf("lead.update_rule: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return apperr.VersionMismatch()
		}
		out = r
		return s.audit.Record(ctx, "update", "lead_assignment_rule", r.ID, before, RuleView(r))
	})
	return out, err
}

// DeleteRule removes a rule. Leads it routed keep their owner; their
// history keeps the rule's id.
func (s *Service) DeleteRule(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "lead_rules:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.loadRule(ctx, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != r.Version {
			return apperr.VersionMismatch()
		}
		res := s.db.Conn(ctx).Where("id = ? AND version = ?", r.ID, r.Version).Delete(&Rule{})
		if res.Error != nil {
			return fmt.Errorf("lead.delete_rule: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return apperr.VersionMismatch()
		}
		return s.audit.Record(ctx, "delete", "lead_assignment_rule", r.ID, RuleView(r), nil)
	})
}

// checkRule normalises a rule in place and validates it, users and team
// included: they must exist and be active when the rule is saved.
func (s *Service) checkRule(ctx context.Context, r *Rule) error {
	for _, p := range []*string{&r.Name, &r.Region, &r.Source, &r.ProductInterest, &r.Strategy} {
		*p = strings.TrimSpace(*p)
	}
	r.Source = strings.ToLower(r.Source)
	var v validate.V
	if v.Required("name", r.Name) {
		v.MaxLen("name", r.Name, maxRuleName)
	}
	if r.Priority < 0 || r.Priority > maxPriority {
		v.Add("priority", "out_of_range", 0, maxPriority)
	}
	v.MaxLen("conditions.region", r.Region, maxRegion)
	v.OneOf("conditions.source", r.Source, Sources...)
	v.MaxLen("conditions.product_interest", r.ProductInterest, maxProduct)
	if v.Required("strategy", r.Strategy) {
		v.OneOf("strategy", r.Strategy, Strategies...)
	}
	if r.TeamID != nil && strings.TrimSpace(*r.TeamID) == "" {
		r.TeamID = nil
	}
	ids := make(db.StringList, 0, len(r.UserIDs))
	for _, id := range r.UserIDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	r.UserIDs = ids
	switch {
	case len(ids) > 0 && r.TeamID != nil:
		v.Add("team_id", "not_allowed")
	case len(ids) == 0 && r.TeamID == nil:
		v.Add("user_ids", "required")
	case r.Strategy == StrategyUser && len(ids) != 1:
		// A fixed-user rule names exactly one user.
		v.Add("user_ids", "out_of_range", 1, 1)
	case len(ids) > maxRuleUsers:
		v.Add("user_ids", "too_many", maxRuleUsers)
	}
	if err := v.Err(); err != nil {
		return err
	}
	if r.TeamID != nil {
		return s.checkTeam(ctx, *r.TeamID)
	}
	for _, id := range ids {
		if err := s.checkRuleUser(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) checkTeam(ctx context.Context, id string) error {
	unknown := apperr.Invalid(apperr.FieldError{Field: "team_id", Message: "unknown_ref", Params: []any{"team"}})
	if _, err := uuid.Parse(id); err != nil {
		return unknown
	}
	var n int64
	if err := s.db.Conn(ctx).Model(&org.Team{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return fmt.Errorf("lead.rule_team: %w", err)
	}
	if n == 0 {
		return unknown
	}
	return nil
}

func (s *Service) checkRuleUser(ctx context.Context, id string) error {
	unknown := apperr.Invalid(apperr.FieldError{Field: "user_ids", Message: "unknown_ref", Params: []any{"user"}})
	if _, err := uuid.Parse(id); err != nil {
		return unknown
	}
	u, err := s.users.UserByID(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return unknown
	}
	if err != nil {
		return err
	}
	if !u.Active {
		return apperr.Invalid(apperr.FieldError{Field: "user_ids", Message: "inactive_user"})
	}
	return nil
}
