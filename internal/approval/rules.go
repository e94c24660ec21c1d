package approval

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/validate"
)

// Rule limits.
const (
	maxRuleName  = 100
	maxSteps     = 10
	maxStepUsers = 50
)

// ListRules lists the rules, of one entity when given, in the order they
// are tried.
func (s *Service) ListRules(ctx context.Context, entity string) ([]Rule, error) {
	if err := authz.Require(ctx, "approval_rules:read"); err != nil {
		return nil, err
	}
	var v validate.V
	v.OneOf("entity", entity, Entities...)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.store.Rules(ctx, entity)
}

// GetRule loads one rule.
func (s *Service) GetRule(ctx context.Context, id string) (*Rule, error) {
	if err := authz.Require(ctx, "approval_rules:read"); err != nil {
		return nil, err
	}
	return s.store.Rule(ctx, id)
}

// CreateRule adds a rule. It applies to documents submitted from now on;
// open requests keep the chain they started with.
func (s *Service) CreateRule(ctx context.Context, req RuleCreateRequest) (*Rule, error) {
	if err := authz.Require(ctx, "approval_rules:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	r := &Rule{ID: newID(), Name: req.Name, Entity: req.Entity, Active: true,
		CreatedBy: authz.ActorFrom(ctx).ID(), CreatedAt: now, UpdatedAt: now, Version: 1}
	if req.Active != nil {
		r.Active = *req.Active
	}
	var v validate.V
	if a, ok := v.Money("min_amount", req.MinAmount, false); ok {
		r.MinAmount = a
	}
	r.Steps = stepsOf(req.Steps)
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.checkRule(ctx, &v, r); err != nil {
			return err
		}
		if err := s.store.CreateRule(ctx, r); err != nil {
			return err
		}
		return s.audit.Record(ctx, "create", "approval_rule", r.ID, nil, RuleView(r))
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateRule changes the given fields of a rule; steps, when given,
// replace the chain. Open requests keep the chain they started with.
func (s *Service) UpdateRule(ctx context.Context, id string, ifMatch *int, req RuleUpdateRequest) (*Rule, error) {
	if err := authz.Require(ctx, "approval_rules:write"); err != nil {
		return nil, err
	}
	load := func(ctx context.Context) (*Rule, error) { return s.store.Rule(ctx, id) }
	return s.ruleWrites.Apply(ctx, load, ifMatch, "update", func(ctx context.Context, r *Rule) error {
		var v validate.V
		if req.Name != nil {
			r.Name = *req.Name
		}
		if req.Entity != nil {
			r.Entity = *req.Entity
		}
		if req.MinAmount != nil {
			if a, ok := v.Money("min_amount", req.MinAmount, false); ok {
				r.MinAmount = a
			}
		}
		if req.Steps != nil {
			r.Steps = stepsOf(*req.Steps)
		}
		if req.Active != nil {
			r.Active = *req.Active
		}
		return s.checkRule(ctx, &v, r)
	})
}

// DeleteRule removes a rule. Requests it chose keep its name and chain.
func (s *Service) DeleteRule(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "approval_rules:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.store.Rule(ctx, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != r.Version {
			return apperr.VersionMismatch()
		}
		if err := s.store.DeleteRule(ctx, r, r.Version); err != nil {
			return err
		}
		return s.audit.Record(ctx, "delete", "approval_rule", r.ID, RuleView(r), nil)
	})
}

// stepsOf turns request steps into stored ones.
func stepsOf(in []RuleStep) []Step {
	out := make([]Step, len(in))
	for i, st := range in {
		out[i] = Step{ApproverType: st.ApproverType, Role: st.Role, UserIDs: st.UserIDs, Mode: st.Mode}
	}
	return out
}

// checkRule normalises a rule in place and validates it, adding to the
// errors v holds already: the users a step names must exist and be active
// when the rule is saved (at submission, inactive ones are left out).
func (s *Service) checkRule(ctx context.Context, v *validate.V, r *Rule) error {
	r.Name = strings.TrimSpace(r.Name)
	r.Entity = strings.TrimSpace(r.Entity)
	if v.Required("name", r.Name) {
		v.MaxLen("name", r.Name, maxRuleName)
	}
	if v.Required("entity", r.Entity) {
		v.OneOf("entity", r.Entity, Entities...)
	}
	switch {
	case len(r.Steps) == 0:
		v.Add("steps", "required")
	case len(r.Steps) > maxSteps:
		v.Add("steps", "too_many", maxSteps)
	}
	for i := range r.Steps {
		checkStep(v, fmt.Sprintf("steps[%d].", i), &r.Steps[i])
	}
	if err := v.Err(); err != nil {
		return err
	}
	for i, st := range r.Steps {
		for _, id := range st.UserIDs {
			exists, active, err := s.store.UserStatus(ctx, id)
			if err != nil {
				return err
			}
			field := fmt.Sprintf("steps[%d].user_ids", i)
			switch {
			case !exists:
				v.Add(field, "unknown_ref", "user")
			case !active:
				v.Add(field, "inactive_user")
			}
		}
	}
	return v.Err()
}

// checkStep normalises one step and validates its shape (the users named
// are checked against the directory afterwards).
func checkStep(v *validate.V, prefix string, st *Step) {
	st.ApproverType, st.Role, st.Mode = strings.TrimSpace(st.ApproverType), strings.TrimSpace(st.Role),
		strings.TrimSpace(st.Mode)
	if st.Mode == "" {
		st.Mode = ModeAny
	}
	v.OneOf(prefix+"mode", st.Mode, Modes...)
	if v.Required(prefix+"approver_type", st.ApproverType) {
		v.OneOf(prefix+"approver_type", st.ApproverType, ApproverTypes...)
	}
	switch {
	case st.ApproverType == ApproverRole:
		if v.Required(prefix+"role", st.Role) {
			v.OneOf(prefix+"role", st.Role, authz.Roles...)
		}
	case st.Role != "":
		v.Add(prefix+"role", "not_allowed")
	}
	ids := make([]string, 0, len(st.UserIDs))
	for _, id := range st.UserIDs {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	st.UserIDs = ids
	switch {
	case st.ApproverType != ApproverUser:
		if len(ids) > 0 {
			v.Add(prefix+"user_ids", "not_allowed")
		}
	case len(ids) == 0:
		v.Add(prefix+"user_ids", "required")
	case len(ids) > maxStepUsers:
		v.Add(prefix+"user_ids", "too_many", maxStepUsers)
	default:
		for _, id := range ids {
			if _, err := uuid.Parse(id); err != nil {
				v.Add(prefix+"user_ids", "unknown_ref", "user")
				return
			}
		}
	}
}
