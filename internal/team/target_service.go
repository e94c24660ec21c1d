package team

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
)

// TargetFilter narrows a target list; TeamID is resolved to its subtree.
type TargetFilter struct {
	SubjectType, SubjectID, Period, Metric, TeamID string
	teamSubtree                                    []string
}

// Location is the organisation's time zone, in which periods are cut.
func (s *Service) Location(ctx context.Context) (*time.Location, error) {
	v, err := s.settings.Current(ctx)
	if err != nil {
		return nil, err
	}
	return v.Timezone.Location(), nil
}

// GetTarget loads a target in the caller's scope.
func (s *Service) GetTarget(ctx context.Context, id string) (*Target, error) {
	if err := authz.Require(ctx, "targets:read"); err != nil {
		return nil, err
	}
	return s.store.GetTarget(ctx, authz.ActorFrom(ctx), id)
}

// ListTargets pages through the targets in the caller's scope.
func (s *Service) ListTargets(ctx context.Context, f TargetFilter, r paging.Request) (paging.Page[Target], error) {
	if err := authz.Require(ctx, "targets:read"); err != nil {
		return paging.Page[Target]{}, err
	}
	q, err := targetSpec.Parse(r)
	if err != nil {
		return paging.Page[Target]{}, err
	}
	if err := s.checkTargetFilter(ctx, &f); err != nil {
		return paging.Page[Target]{}, err
	}
	return q.Fetch(s.store.Targets(ctx, authz.ActorFrom(ctx), f))
}

// checkTargetFilter refuses malformed filters (400) and resolves team_id.
func (s *Service) checkTargetFilter(ctx context.Context, f *TargetFilter) error {
	bad := func(field, msg string) error {
		return apperr.BadRequest("bad_query", "bad_query", apperr.FieldError{Field: field, Message: msg})
	}
	if f.SubjectType != "" && f.SubjectType != SubjectUser && f.SubjectType != SubjectTeam {
		return bad("subject_type", "invalid_enum")
	}
	if f.Metric != "" && !slices.Contains(Metrics, f.Metric) {
		return bad("metric", "invalid_enum")
	}
	if f.Period != "" {
		if _, err := ParsePeriod(f.Period, time.UTC); err != nil {
			return bad("period", "invalid_period")
		}
	}
	for field, id := range map[string]string{"subject_id": f.SubjectID, "team_id": f.TeamID} {
		if _, err := uuid.Parse(id); id != "" && err != nil {
			return bad(field, "invalid_value")
		}
	}
	if f.TeamID != "" {
		sub, err := s.dir.TeamSubtree(ctx, f.TeamID)
		if err != nil {
			return err
		}
		f.teamSubtree = sub
	}
	return nil
}

// CreateTarget sets a quota. The subject must exist (422) and, for a
// manager, lie in their team subtree (403); one target per subject, period
// and metric (409 duplicate).
func (s *Service) CreateTarget(ctx context.Context, req TargetCreateRequest) (*Target, error) {
	if err := authz.Require(ctx, "targets:write"); err != nil {
		return nil, err
	}
	loc, err := s.Location(ctx)
	if err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	now := db.Now()
	t := &Target{ID: uuid.Must(uuid.NewV7()).String(), SubjectType: req.SubjectType,
		SubjectID: strings.TrimSpace(req.SubjectID), Metric: req.Metric, CreatedBy: a.ID(),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	var v validate.V
	if v.Required("subject_type", t.SubjectType) {
		v.OneOf("subject_type", t.SubjectType, SubjectUser, SubjectTeam)
	}
	v.Required("subject_id", t.SubjectID)
	if v.Required("period", req.Period) {
		if p, err := ParsePeriod(req.Period, loc); err != nil {
			v.Add("period", "invalid_period")
		} else {
			t.Period, t.PeriodKind, t.StartsAt, t.EndsAt = p.Key, p.Kind, p.Start, p.End
		}
	}
	if v.Required("metric", t.Metric) {
		v.OneOf("metric", t.Metric, Metrics...)
		if slices.Contains(Metrics, t.Metric) {
			t.Value, _ = parseValue(&v, t.Metric, req.Value)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.checkSubject(ctx, a, t.SubjectType, t.SubjectID); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if dup, err := s.store.SameTarget(ctx, t); err != nil {
			return err
		} else if dup != nil {
			return targetTaken(dup.ID)
		}
		if err := s.store.CreateTarget(ctx, t); err != nil {
			return err
		}
		return s.audit.Record(ctx, "create", "target", t.ID, nil, TargetView(t))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// checkSubject loads the target's subject: unknown is 422 on subject_id;
// one outside a manager's team subtree is 403.
func (s *Service) checkSubject(ctx context.Context, a *authz.Actor, typ, id string) error {
	unknown := apperr.Invalid(apperr.FieldError{Field: "subject_id", Message: "unknown_ref", Params: []any{typ}})
	if _, err := uuid.Parse(id); err != nil {
		return unknown
	}
	var allowed bool
	if typ == SubjectUser {
		u, err := s.dir.UserByID(ctx, id)
		if errors.Is(err, apperr.ErrNotFound) {
			return unknown
		}
		if err != nil {
			return err
		}
		allowed = a.CanOwn(u.ID, u.TeamIDValue())
	} else {
		teams, err := s.dir.AllTeams(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(teams, func(t org.Team) bool { return t.ID == id }) {
			return unknown
		}
		allowed = a.SeesAll() || (a.Role == authz.RoleManager && slices.Contains(a.TeamSubtree, id))
	}
	if !allowed {
		return apperr.New(apperr.ErrForbidden, "forbidden", "subject_out_of_scope")
	}
	return nil
}

// UpdateTarget changes a target's value. A manager's scope (their team
// subtree) is also what they may write, so loading in scope is the check.
func (s *Service) UpdateTarget(ctx context.Context, id string, ifMatch *int, req TargetUpdateRequest) (*Target, error) {
	if err := authz.Require(ctx, "targets:write"); err != nil {
		return nil, err
	}
	load := func(ctx context.Context) (*Target, error) { return s.store.GetTarget(ctx, authz.ActorFrom(ctx), id) }
	return s.targetWrites().Apply(ctx, load, ifMatch, "update", func(ctx context.Context, t *Target) error {
		var v validate.V
		if n, ok := parseValue(&v, t.Metric, req.Value); ok {
			t.Value = n
		}
		return v.Err()
	})
}

// DeleteTarget removes a target in the caller's scope.
func (s *Service) DeleteTarget(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "targets:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		t, err := s.store.GetTarget(ctx, authz.ActorFrom(ctx), id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != t.Version {
			return apperr.VersionMismatch()
		}
		if err := s.store.DeleteTarget(ctx, t); err != nil {
			return err
		}
		return s.audit.Record(ctx, "delete", "target", t.ID, TargetView(t), nil)
	})
}

func (s *Service) targetWrites() record.Mutation[*Target] {
	return record.Mutation[*Target]{DB: s.db, Audit: s.audit, Entity: "target", Save: s.store.SaveTarget,
		ID: func(t *Target) string { return t.ID }, View: func(t *Target) any { return TargetView(t) }}
}

// targetTaken is the 409 duplicate naming the existing target (id empty
// when a concurrent insert won the race and the unique index caught it).
func targetTaken(id string) error {
	return dedupe.Conflict([]dedupe.Match{{Type: "target", ID: id, InScope: true,
		On: []string{"subject_id", "period", "metric"}}})
}
