package team

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/shopspring/decimal"
)

// GetPlan loads a commission plan the caller may read.
func (s *Service) GetPlan(ctx context.Context, id string) (*Plan, error) {
	if err := authz.Require(ctx, "commission_plans:read"); err != nil {
		return nil, err
	}
	reach, err := s.planReach(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.GetPlan(ctx, reach, id)
}

// ListPlans pages through the commission plans the caller may read.
func (s *Service) ListPlans(ctx context.Context, active *bool, r paging.Request) (paging.Page[Plan], error) {
	if err := authz.Require(ctx, "commission_plans:read"); err != nil {
		return paging.Page[Plan]{}, err
	}
	q, err := planSpec.Parse(r)
	if err != nil {
		return paging.Page[Plan]{}, err
	}
	reach, err := s.planReach(ctx)
	if err != nil {
		return paging.Page[Plan]{}, err
	}
	page, err := q.Fetch(s.store.Plans(ctx, reach, active))
	if err != nil {
		return page, fmt.Errorf("team.list_plans: %w", err)
	}
	return page, s.store.LoadSubjects(ctx, page.Data)
}

// planReach is who the caller reads plans for: nil for everyone (admins
// and managers), else the rep and the teams from theirs up to the root —
// a plan for a team applies to its sub-teams too.
func (s *Service) planReach(ctx context.Context) (*reach, error) {
	a := authz.ActorFrom(ctx)
	if a.SeesAll() || a.Role == authz.RoleManager {
		return nil, nil
	}
	r := &reach{userID: a.UserID}
	if a.TeamID == "" {
		return r, nil
	}
	teams, err := s.dir.AllTeams(ctx)
	if err != nil {
		return nil, err
	}
	parent := map[string]*string{}
	for _, t := range teams {
		parent[t.ID] = t.ParentID
	}
	for id := &a.TeamID; id != nil && !slices.Contains(r.teamIDs, *id); id = parent[*id] {
		r.teamIDs = append(r.teamIDs, *id)
	}
	return r, nil
}

// CreatePlan adds a commission plan (admins).
func (s *Service) CreatePlan(ctx context.Context, req CommissionPlanCreateRequest) (*Plan, error) {
	if err := authz.Require(ctx, "commission_plans:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	p := &Plan{ID: uuid.Must(uuid.NewV7()).String(), Name: req.Name, Basis: req.Basis, Active: true,
		EffectiveFrom: req.EffectiveFrom, EffectiveTo: req.EffectiveTo, UserIDs: req.UserIDs, TeamIDs: req.TeamIDs,
		CreatedBy: authz.ActorFrom(ctx).ID(), CreatedAt: now, UpdatedAt: now, Version: 1}
	if req.Active != nil {
		p.Active = *req.Active
	}
	var v validate.V
	if req.Tiers == nil {
		v.Add("tiers", "required")
	} else {
		p.Tiers = parseTiers(&v, req.Tiers)
	}
	if err := s.checkPlan(ctx, &v, p); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreatePlan(ctx, p); err != nil {
			return err
		}
		return s.audit.Record(ctx, "create", "commission_plan", p.ID, nil, PlanView(p))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// UpdatePlan changes the given fields of a plan (admins).
func (s *Service) UpdatePlan(ctx context.Context, id string, ifMatch *int, req CommissionPlanUpdateRequest) (*Plan, error) {
	if err := authz.Require(ctx, "commission_plans:write"); err != nil {
		return nil, err
	}
	load := func(ctx context.Context) (*Plan, error) { return s.store.GetPlan(ctx, nil, id) }
	w := record.Mutation[*Plan]{DB: s.db, Audit: s.audit, Entity: "commission_plan", Save: s.store.SavePlan,
		ID: func(p *Plan) string { return p.ID }, View: func(p *Plan) any { return PlanView(p) }}
	return w.Apply(ctx, load, ifMatch, "update", func(ctx context.Context, p *Plan) error {
		for _, f := range []struct{ dst, src *string }{{&p.Name, req.Name}, {&p.Basis, req.Basis},
			{&p.EffectiveFrom, req.EffectiveFrom}} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		if req.EffectiveTo != nil {
			p.EffectiveTo = req.EffectiveTo
			if strings.TrimSpace(*req.EffectiveTo) == "" {
				p.EffectiveTo = nil
			}
		}
		if req.Active != nil {
			p.Active = *req.Active
		}
		if req.UserIDs != nil {
			p.UserIDs = *req.UserIDs
		}
		if req.TeamIDs != nil {
			p.TeamIDs = *req.TeamIDs
		}
		var v validate.V
		if req.Tiers != nil {
			p.Tiers = parseTiers(&v, req.Tiers)
		}
		return s.checkPlan(ctx, &v, p)
	})
}

// DeletePlan removes a plan (admins); its subject rows go with it.
func (s *Service) DeletePlan(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "commission_plans:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.store.GetPlan(ctx, nil, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != p.Version {
			return apperr.VersionMismatch()
		}
		if err := s.store.DeletePlan(ctx, p); err != nil {
			return err
		}
		return s.audit.Record(ctx, "delete", "commission_plan", p.ID, PlanView(p), nil)
	})
}

var rateMax = decimal.NewFromInt(1)

// parseTiers reads and checks the tiers: the first from 0.00, each next
// from the previous to, each to above its from, only the last open-ended.
// Field names carry the index (tiers[1].from) so a client can point at it.
func parseTiers(v *validate.V, reqs []TierRequest) TierList {
	if len(reqs) == 0 || len(reqs) > maxTiers {
		v.Add("tiers", "out_of_range", 1, maxTiers)
		return nil
	}
	out := make(TierList, len(reqs))
	var prevTo *money.Amount
	for i, r := range reqs {
		f := fmt.Sprintf("tiers[%d].", i)
		last := i == len(reqs)-1
		if r.From == nil {
			v.Add(f+"from", "required")
		} else if a, ok := v.Money(f+"from", r.From, false); ok {
			out[i].From = a
			switch {
			case i == 0 && a != 0:
				v.Add(f+"from", "tiers_first_from")
			case i > 0 && prevTo != nil && a != *prevTo:
				v.Add(f+"from", "tiers_contiguous")
			}
		}
		prevTo = nil
		switch {
		case r.To == nil && !last:
			v.Add(f+"to", "tiers_open_last")
		case r.To != nil && last:
			v.Add(f+"to", "tiers_last_closed")
		case r.To != nil:
			if a, ok := v.Money(f+"to", r.To, false); ok {
				out[i].To, prevTo = &a, &a
				if r.From != nil && a <= out[i].From {
					v.Add(f+"to", "tiers_ascending")
				}
			}
		}
		if r.Rate == nil {
			v.Add(f+"rate", "required")
		} else if d, ok := v.Decimal(f+"rate", r.Rate, 4, decimal.Zero, rateMax); ok {
			out[i].Rate = d
		}
	}
	return out
}

// checkPlan normalises and validates a plan's own fields, then checks the
// users and teams it names exist.
func (s *Service) checkPlan(ctx context.Context, v *validate.V, p *Plan) error {
	p.Name = strings.TrimSpace(p.Name)
	if v.Required("name", p.Name) {
		v.MaxLen("name", p.Name, maxPlanName)
	}
	if v.Required("basis", p.Basis) {
		v.OneOf("basis", p.Basis, BasisReceived, BasisWon)
	}
	from := checkDate(v, "effective_from", &p.EffectiveFrom, true)
	if p.EffectiveTo != nil && strings.TrimSpace(*p.EffectiveTo) == "" {
		p.EffectiveTo = nil
	}
	if p.EffectiveTo != nil {
		if to := checkDate(v, "effective_to", p.EffectiveTo, false); to != "" && from != "" && to < from {
			v.Add("effective_to", "before_from")
		}
	}
	p.UserIDs, p.TeamIDs = dedupIDs(p.UserIDs), dedupIDs(p.TeamIDs)
	if len(p.UserIDs) == 0 && len(p.TeamIDs) == 0 {
		v.Add("user_ids", "no_subjects")
	}
	for field, ids := range map[string][]string{"user_ids": p.UserIDs, "team_ids": p.TeamIDs} {
		if len(ids) > maxPlanSubjects {
			v.Add(field, "too_many", maxPlanSubjects)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.checkRefs(ctx, v, p); err != nil {
		return err
	}
	return v.Err()
}

// checkRefs adds a field error for each user or team id that does not exist.
func (s *Service) checkRefs(ctx context.Context, v *validate.V, p *Plan) error {
	for i, id := range p.UserIDs {
		known, err := s.userExists(ctx, id)
		if err != nil {
			return err
		}
		if !known {
			v.Add(fmt.Sprintf("user_ids[%d]", i), "unknown_ref", "user")
		}
	}
	teams, err := s.dir.AllTeams(ctx)
	if err != nil {
		return err
	}
	for i, id := range p.TeamIDs {
		if !slices.ContainsFunc(teams, func(t org.Team) bool { return t.ID == id }) {
			v.Add(fmt.Sprintf("team_ids[%d]", i), "unknown_ref", "team")
		}
	}
	return nil
}

// userExists reports whether id names a user; a malformed id names none.
func (s *Service) userExists(ctx context.Context, id string) (bool, error) {
	if _, err := uuid.Parse(id); err != nil {
		return false, nil
	}
	_, err := s.dir.UserByID(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// checkDate normalises a calendar date field in place and returns it, ""
// when missing or malformed.
func checkDate(v *validate.V, field string, s *string, required bool) string {
	*s = strings.TrimSpace(*s)
	if *s == "" {
		if required {
			v.Add(field, "required")
		}
		return ""
	}
	t, err := time.Parse(time.DateOnly, *s)
	if err != nil {
		v.Add(field, "invalid_date")
		return ""
	}
	*s = t.Format(time.DateOnly)
	return *s
}

// dedupIDs trims ids and drops blanks and repeats, keeping the order.
func dedupIDs(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
