package report

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/settings"
	"github.com/opencrm/crm/internal/team"
	"gorm.io/gorm"
)

func init() {
	// reports:read is granted in perf.go.
	i18n.Register(map[string]map[i18n.Lang]string{
		"from_and_to": {i18n.EN: "from and to go together", i18n.ZhCN: "from 与 to 必须同时提供"},
		"before_from": {i18n.EN: "must not be before from", i18n.ZhCN: "不能早于 from"},
	})
}

// FunnelService computes the pipeline funnel and the lead conversion
// reports, always inside the caller's data scope.
type FunnelService struct {
	db       *db.DB
	settings *settings.Service
	dir      *org.Store
}

// NewFunnelService builds the service.
func NewFunnelService(d *db.DB, st *settings.Service, dir *org.Store) *FunnelService {
	return &FunnelService{db: d, settings: st, dir: dir}
}

// FunnelQuery is what both reports are cut by. Period ("2026-11",
// "2026-Q4", "2026") or From/To (dates, To inclusive) in the organisation's
// time zone; with neither, the current month there.
type FunnelQuery struct {
	Period, From, To string
	TeamID, UserID   string
}

// window is a resolved query: the half-open UTC interval and the owner
// filters, already checked against the caller's reach.
type window struct {
	Start, End  time.Time
	teamSubtree []string
	userID      string
}

func badQuery(field, msg string) error {
	return apperr.BadRequest("bad_query", "bad_query", apperr.FieldError{Field: field, Message: msg})
}

// resolve checks a query (400 for malformed values, 422 for unknown ids,
// 422 for a team or user outside the caller's reach) and cuts its period.
func (s *FunnelService) resolve(ctx context.Context, q FunnelQuery) (window, error) {
	var w window
	v, err := s.settings.Current(ctx)
	if err != nil {
		return w, err
	}
	loc := v.Timezone.Location()
	switch {
	case q.Period != "" && (q.From != "" || q.To != ""):
		return w, badQuery("period", "period_or_range")
	case q.Period != "":
		p, err := team.ParsePeriod(q.Period, loc)
		if err != nil {
			return w, badQuery("period", "invalid_period")
		}
		w.Start, w.End = p.Start, p.End
	case q.From != "" || q.To != "":
		if q.From == "" || q.To == "" {
			return w, badQuery("from", "from_and_to")
		}
		from, err1 := time.ParseInLocation(time.DateOnly, q.From, loc)
		to, err2 := time.ParseInLocation(time.DateOnly, q.To, loc)
		if err1 != nil {
			return w, badQuery("from", "invalid_date")
		}
		if err2 != nil {
			return w, badQuery("to", "invalid_date")
		}
		if to.Before(from) {
			return w, badQuery("to", "before_from")
		}
		w.Start, w.End = from.UTC(), to.AddDate(0, 0, 1).UTC()
	default:
		now := db.Now().In(loc)
		start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, loc)
		w.Start, w.End = start.UTC(), start.AddDate(0, 1, 0).UTC()
	}
	a := authz.ActorFrom(ctx)
	if q.TeamID != "" {
		if err := s.checkTeam(ctx, a, q.TeamID); err != nil {
			return w, err
		}
		if w.teamSubtree, err = s.dir.TeamSubtree(ctx, q.TeamID); err != nil {
			return w, err
		}
	}
	if q.UserID != "" {
		if err := s.checkUser(ctx, a, q.UserID); err != nil {
			return w, err
		}
		w.userID = q.UserID
	}
	return w, nil
}

// checkTeam: an unknown team is 422; one the caller may not report on (a
// manager outside their subtree, a rep outside their own team) is 422.
func (s *FunnelService) checkTeam(ctx context.Context, a *authz.Actor, id string) error {
	unknown := apperr.Invalid(apperr.FieldError{Field: "team_id", Message: "unknown_ref", Params: []any{"team"}})
	if _, err := uuid.Parse(id); err != nil {
		return unknown
	}
	teams, err := s.dir.AllTeams(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(teams, func(t org.Team) bool { return t.ID == id }) {
		return unknown
	}
	if a.SeesAll() || slices.Contains(a.TeamSubtree, id) || a.TeamID == id {
		return nil
	}
	return apperr.Invalid(apperr.FieldError{Field: "team_id", Message: "out_of_scope"})
}

// checkUser: an unknown user is 422 unknown_ref; one outside the caller's
// scope 422 out_of_scope (as in the performance reports).
func (s *FunnelService) checkUser(ctx context.Context, a *authz.Actor, id string) error {
	unknown := apperr.Invalid(apperr.FieldError{Field: "user_id", Message: "unknown_ref", Params: []any{"user"}})
	if _, err := uuid.Parse(id); err != nil {
		return unknown
	}
	u, err := s.dir.UserByID(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return unknown
	}
	if err != nil {
		return err
	}
	if !a.CanOwn(u.ID, u.TeamIDValue()) {
		return apperr.Invalid(apperr.FieldError{Field: "user_id", Message: "out_of_scope"})
	}
	return nil
}

// owners limits a query to the caller's scope and the query's filters,
// judged by ownerCol.
func (w window) owners(a *authz.Actor, ownerCol string) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		q = q.Scopes(authz.Scope(a, ownerCol))
		if w.teamSubtree != nil {
			q = q.Where(ownerCol+" IN (SELECT id FROM users WHERE team_id IN ?)", w.teamSubtree)
		}
		if w.userID != "" {
			q = q.Where(ownerCol+" = ?", w.userID)
		}
		return q
	}
}
