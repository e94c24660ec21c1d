// Package report holds the sales reports under /reports (DOMAIN.md module
// 7): read-only aggregates over the other modules' tables, always within
// the caller's data scope.
package report

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/settings"
	"github.com/opencrm/crm/internal/team"
	"github.com/shopspring/decimal"
)

func init() {
	authz.Grant("reports:read", authz.RoleAdmin, authz.RoleManager, authz.RoleRep)
	i18n.Register(map[string]map[i18n.Lang]string{
		"out_of_scope": {i18n.EN: "is outside your data scope", i18n.ZhCN: "超出您的数据范围"},
		"period_or_range": {i18n.EN: "give period, or from and to (dates), not both",
			i18n.ZhCN: "请提供 period，或 from 和 to（日期），不能同时提供"},
		"to_before_from": {i18n.EN: "must not be before from", i18n.ZhCN: "不能早于开始日期"},
	})
}

// Group-by values of the performance report.
const (
	GroupUser = "user"
	GroupTeam = "team"
)

// maxRangeDays bounds a from/to range: reports cover at most three years
// (one of them a leap year).
const maxRangeDays = 3*365 + 1

// Directory is what the reports read of the organisation.
type Directory interface {
	AllTeams(ctx context.Context) ([]org.Team, error)
}

// Settings gives the organisation's time zone, in which periods are cut.
type Settings interface {
	Current(ctx context.Context) (settings.Values, error)
}

// PerfService computes the performance, leaderboard and commission reports.
type PerfService struct {
	store    *perfStore
	dir      Directory
	settings Settings
}

// NewPerfService wires the performance reports.
func NewPerfService(d *db.DB, dir Directory, st Settings) *PerfService {
	return &PerfService{store: &perfStore{db: d}, dir: dir, settings: st}
}

// PerfQuery is the common parameters of the three reports, as given.
type PerfQuery struct {
	Period  string
	From    string
	To      string
	GroupBy string
	TeamID  string
	UserID  string
	Metric  string
}

// Range is the reported span: a named period (Key set) or a from/to range
// of local dates; Start inclusive, End exclusive, both UTC.
type Range struct {
	Key   string
	Start time.Time
	End   time.Time
}

// Figures is one user's or team's actuals: amounts in minor units, counts.
type Figures struct {
	WonAmount       int64
	ReceivedAmount  int64
	OrdersCount     int64
	NewCustomers    int64
	ActivitiesCount int64
}

// Get is the figure of a metric by name.
func (f Figures) Get(metric string) int64 {
	switch metric {
	case "won_amount":
		return f.WonAmount
	case "received_amount":
		return f.ReceivedAmount
	case "orders_count":
		return f.OrdersCount
	case "new_customers":
		return f.NewCustomers
	}
	return f.ActivitiesCount
}

func (f *Figures) add(o Figures) {
	f.WonAmount += o.WonAmount
	f.ReceivedAmount += o.ReceivedAmount
	f.OrdersCount += o.OrdersCount
	f.NewCustomers += o.NewCustomers
	f.ActivitiesCount += o.ActivitiesCount
}

// PerfRow is one line of the performance report: a user or a team.
type PerfRow struct {
	UserID string
	TeamID *string
	Name   string
	Figures
	// Targets by metric, for a named period only.
	Targets map[string]int64
	Rank    int
}

// Attainment is actual/target to four places, or nil without a positive
// target.
func (r PerfRow) Attainment(metric string) *string {
	t, ok := r.Targets[metric]
	if !ok || t <= 0 {
		return nil
	}
	s := decimal.NewFromInt(r.Get(metric)).DivRound(decimal.NewFromInt(t), 4).StringFixed(4)
	return &s
}

// Performance is the performance report.
type Performance struct {
	Range   Range
	GroupBy string
	Rows    []PerfRow
}

// subjects is the users a report covers, after scope and filters, the
// teams it may show, every team (to walk subtrees) and the organisation's
// time zone.
type subjects struct {
	users []reportUser
	teams []org.Team
	all   []org.Team
	loc   *time.Location
}

// resolve reads and checks the parameters shared by the reports: the span
// and the users in scope narrowed by team_id and user_id. A filter naming
// a team or user outside the caller's scope is 422 out_of_scope, so a
// report never hints at what lies outside it.
func (s *PerfService) resolve(ctx context.Context, q PerfQuery, needPeriod bool) (Range, subjects, error) {
	a := authz.ActorFrom(ctx)
	var sub subjects
	vals, err := s.settings.Current(ctx)
	if err != nil {
		return Range{}, sub, err
	}
	sub.loc = vals.Timezone.Location()
	var v validate.V
	rng := parseRange(&v, q, needPeriod, sub.loc)
	if err := v.Err(); err != nil {
		return rng, sub, err
	}
	users, err := s.store.users(ctx, a)
	if err != nil {
		return rng, sub, err
	}
	teams, err := s.dir.AllTeams(ctx)
	if err != nil {
		return rng, sub, err
	}
	sub.all = teams
	sub.teams = visibleTeams(a, teams)
	if q.TeamID != "" {
		if !slices.ContainsFunc(sub.teams, func(t org.Team) bool { return t.ID == q.TeamID }) {
			v.Add("team_id", "out_of_scope")
		} else {
			tree := org.Subtree(teams, q.TeamID)
			users = slices.DeleteFunc(users, func(u reportUser) bool {
				return u.TeamID == nil || !slices.Contains(tree, *u.TeamID)
			})
			sub.teams = slices.DeleteFunc(sub.teams, func(t org.Team) bool { return !slices.Contains(tree, t.ID) })
		}
	}
	if q.UserID != "" {
		i := slices.IndexFunc(users, func(u reportUser) bool { return u.ID == q.UserID })
		if i < 0 {
			v.Add("user_id", "out_of_scope")
		} else {
			users = users[i : i+1]
		}
	}
	sub.users = users
	return rng, sub, v.Err()
}

// visibleTeams is the teams a caller may report on: admins all, managers
// their subtree, anyone else their own team.
func visibleTeams(a *authz.Actor, all []org.Team) []org.Team {
	return slices.DeleteFunc(slices.Clone(all), func(t org.Team) bool {
		switch {
		case a.SeesAll():
			return false
		case a.Role == authz.RoleManager:
			return !slices.Contains(a.TeamSubtree, t.ID)
		}
		return t.ID != a.TeamID
	})
}

// parseRange reads period, or from and to, cut in loc.
func parseRange(v *validate.V, q PerfQuery, needPeriod bool, loc *time.Location) Range {
	switch {
	case q.Period != "" && (q.From != "" || q.To != ""):
		v.Add("period", "period_or_range")
	case q.Period != "":
		p, err := team.ParsePeriod(q.Period, loc)
		if err != nil {
			v.Add("period", "invalid_period")
		}
		return Range{Key: p.Key, Start: p.Start, End: p.End}
	case needPeriod:
		v.Add("period", "required")
	case q.From == "" && q.To == "":
		v.Add("period", "period_or_range")
	default:
		from, ok1 := parseDate(v, "from", q.From, loc)
		to, ok2 := parseDate(v, "to", q.To, loc)
		if !ok1 || !ok2 {
			return Range{}
		}
		end := to.AddDate(0, 0, 1)
		switch {
		case end.Before(from) || end.Equal(from):
			v.Add("to", "to_before_from")
		case end.After(from.AddDate(0, 0, maxRangeDays)):
			v.Add("to", "range_too_long", maxRangeDays)
		}
		return Range{Start: from.UTC(), End: end.UTC()}
	}
	return Range{}
}

// parseDate reads a local date (2026-11-30) as its midnight in loc.
func parseDate(v *validate.V, field, s string, loc *time.Location) (time.Time, bool) {
	if s == "" {
		v.Add(field, "required")
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil || t.Year() < 1970 {
		v.Add(field, "invalid_date")
		return time.Time{}, false
	}
	return t, true
}

// Performance reports each user (or team) in scope: actuals, targets,
// attainment and rank by won_amount.
func (s *PerfService) Performance(ctx context.Context, q PerfQuery) (*Performance, error) {
	if err := authz.Require(ctx, "reports:read"); err != nil {
		return nil, err
	}
	var v validate.V
	if q.GroupBy == "" {
		q.GroupBy = GroupUser
	}
	v.OneOf("group_by", q.GroupBy, GroupUser, GroupTeam)
	if err := v.Err(); err != nil {
		return nil, err
	}
	rng, sub, err := s.resolve(ctx, q, false)
	if err != nil {
		return nil, err
	}
	figs, err := s.store.figures(ctx, authz.ActorFrom(ctx), userIDs(sub.users), rng)
	if err != nil {
		return nil, err
	}
	rep := &Performance{Range: rng, GroupBy: q.GroupBy}
	subjectType := team.SubjectUser
	if q.GroupBy == GroupUser {
		for _, u := range sub.users {
			rep.Rows = append(rep.Rows, PerfRow{UserID: u.ID, TeamID: u.TeamID, Name: u.Name, Figures: figs[u.ID]})
		}
	} else {
		subjectType = team.SubjectTeam
		for _, t := range sub.teams {
			row := PerfRow{TeamID: &t.ID, Name: t.Name}
			tree := org.Subtree(sub.all, t.ID)
			for _, u := range sub.users {
				if u.TeamID != nil && slices.Contains(tree, *u.TeamID) {
					row.add(figs[u.ID])
				}
			}
			rep.Rows = append(rep.Rows, row)
		}
	}
	if rng.Key != "" {
		ids := make([]string, len(rep.Rows))
		for i, r := range rep.Rows {
			ids[i] = r.subjectID()
		}
		targets, err := s.store.targets(ctx, subjectType, ids, rng.Key)
		if err != nil {
			return nil, err
		}
		for i := range rep.Rows {
			rep.Rows[i].Targets = targets[rep.Rows[i].subjectID()]
		}
	}
	rankRows(rep.Rows, func(r PerfRow) int64 { return r.WonAmount }, func(r *PerfRow, n int) { r.Rank = n },
		func(r PerfRow) string { return r.Name + "\x00" + r.subjectID() })
	return rep, nil
}

func (r PerfRow) subjectID() string {
	if r.UserID != "" {
		return r.UserID
	}
	return *r.TeamID
}

// rankRows sorts rows by value, highest first (then by key), and gives
// competition ranks: equal values share a rank and the next rank skips
// (1, 1, 3).
func rankRows[T any](rows []T, value func(T) int64, set func(*T, int), key func(T) string) {
	slices.SortStableFunc(rows, func(a, b T) int {
		if va, vb := value(a), value(b); va != vb {
			if va > vb {
				return -1
			}
			return 1
		}
		return strings.Compare(key(a), key(b))
	})
	rank := 0
	for i := range rows {
		if i == 0 || value(rows[i]) != value(rows[i-1]) {
			rank = i + 1
		}
		set(&rows[i], rank)
	}
}

// LeaderRow is one user on the leaderboard.
type LeaderRow struct {
	UserID string
	TeamID *string
	Name   string
	Value  int64
	Rank   int
}

// Leaderboard is the leaderboard report.
type Leaderboard struct {
	Range  Range
	Metric string
	Rows   []LeaderRow
}

// Leaderboard ranks the users in scope by one metric.
func (s *PerfService) Leaderboard(ctx context.Context, q PerfQuery) (*Leaderboard, error) {
	if err := authz.Require(ctx, "reports:read"); err != nil {
		return nil, err
	}
	var v validate.V
	if v.Required("metric", q.Metric) {
		v.OneOf("metric", q.Metric, team.Metrics...)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	rng, sub, err := s.resolve(ctx, q, false)
	if err != nil {
		return nil, err
	}
	figs, err := s.store.figures(ctx, authz.ActorFrom(ctx), userIDs(sub.users), rng)
	if err != nil {
		return nil, err
	}
	lb := &Leaderboard{Range: rng, Metric: q.Metric, Rows: make([]LeaderRow, len(sub.users))}
	for i, u := range sub.users {
		lb.Rows[i] = LeaderRow{UserID: u.ID, TeamID: u.TeamID, Name: u.Name, Value: figs[u.ID].Get(q.Metric)}
	}
	rankRows(lb.Rows, func(r LeaderRow) int64 { return r.Value }, func(r *LeaderRow, n int) { r.Rank = n },
		func(r LeaderRow) string { return r.Name + "\x00" + r.UserID })
	return lb, nil
}

// CommissionRow is one rep under one plan.
type CommissionRow struct {
	UserID     string
	TeamID     *string
	Name       string
	Plan       team.Plan
	Basis      money.Amount
	Commission money.Amount
	Tiers      []team.TierAmount
}

// Commissions is the commission report.
type Commissions struct {
	Range Range
	Rows  []CommissionRow
}

// Commissions computes, for each user in scope covered by an active plan
// in effect during the period, the plan's basis metric in the period and
// the progressive commission on it. A user under several plans gets one
// row per plan.
func (s *PerfService) Commissions(ctx context.Context, q PerfQuery) (*Commissions, error) {
	if err := authz.Require(ctx, "reports:read"); err != nil {
		return nil, err
	}
	rng, sub, err := s.resolve(ctx, q, true)
	if err != nil {
		return nil, err
	}
	// Plans run between local dates; the period's last day is End-1 day.
	first := rng.Start.In(sub.loc).Format(time.DateOnly)
	last := rng.End.In(sub.loc).AddDate(0, 0, -1).Format(time.DateOnly)
	plans, subj, err := s.store.plans(ctx, first, last)
	if err != nil {
		return nil, err
	}
	figs, err := s.store.figures(ctx, authz.ActorFrom(ctx), userIDs(sub.users), rng)
	if err != nil {
		return nil, err
	}
	rep := &Commissions{Range: rng}
	for _, p := range plans {
		covered := map[string]bool{}
		for _, ps := range subj[p.ID] {
			if ps.SubjectType == team.SubjectUser {
				covered[ps.SubjectID] = true
				continue
			}
			for _, id := range org.Subtree(sub.all, ps.SubjectID) {
				covered["team:"+id] = true
			}
		}
		for _, u := range sub.users {
			if !covered[u.ID] && (u.TeamID == nil || !covered["team:"+*u.TeamID]) {
				continue
			}
			basis := money.Amount(figs[u.ID].Get(p.Basis))
			total, tiers := team.Commission(p.Tiers, basis)
			rep.Rows = append(rep.Rows, CommissionRow{UserID: u.ID, TeamID: u.TeamID, Name: u.Name, Plan: p,
				Basis: basis, Commission: total, Tiers: tiers})
		}
	}
	slices.SortStableFunc(rep.Rows, func(a, b CommissionRow) int {
		if c := strings.Compare(a.Name+"\x00"+a.UserID, b.Name+"\x00"+b.UserID); c != 0 {
			return c
		}
		return strings.Compare(a.Plan.Name+"\x00"+a.Plan.ID, b.Plan.Name+"\x00"+b.Plan.ID)
	})
	return rep, nil
}

func userIDs(us []reportUser) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}
