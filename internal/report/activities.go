package report

import (
	"context"
	"slices"

	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/shopspring/decimal"
)

// ActivityCounts is the activities done by one owner (or summed over
// several) in a span.
type ActivityCounts struct {
	// ByType counts per activity type (activity.Types).
	ByType map[string]int64
	Total  int64
	// VisitsCheckedIn counts the visits with a check-in; VisitsTimed those
	// with a check-in and a check-out, VisitSeconds their summed length in
	// whole seconds.
	VisitsCheckedIn int64
	VisitsTimed     int64
	VisitSeconds    int64
}

func (c *ActivityCounts) add(o ActivityCounts) {
	if c.ByType == nil {
		c.ByType = map[string]int64{}
	}
	for t, n := range o.ByType {
		c.ByType[t] += n
	}
	c.Total += o.Total
	c.VisitsCheckedIn += o.VisitsCheckedIn
	c.VisitsTimed += o.VisitsTimed
	c.VisitSeconds += o.VisitSeconds
}

// AvgVisitMinutes is the mean length of the timed visits in minutes, to
// two places; nil without any.
func (c ActivityCounts) AvgVisitMinutes() *string {
	if c.VisitsTimed == 0 {
		return nil
	}
	s := decimal.NewFromInt(c.VisitSeconds).DivRound(decimal.NewFromInt(c.VisitsTimed*60), 2).StringFixed(2)
	return &s
}

// ActivityRow is one user or team of the activity report.
type ActivityRow struct {
	UserID string
	TeamID *string
	Name   string
	ActivityCounts
}

// Activities is the activity report.
type Activities struct {
	Range   Range
	GroupBy string
	Rows    []ActivityRow
	// Totals sums every user in scope once (team rows overlap along the
	// team tree, so they are not added up).
	Totals ActivityCounts
}

// Activities counts the activities done in the span per owner (or team)
// in scope, by type, with the visits' check-ins and lengths.
func (s *MixService) Activities(ctx context.Context, q PerfQuery) (*Activities, error) {
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
	rng, sub, err := s.perf.resolve(ctx, q, false)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.activityCounts(ctx, authz.ActorFrom(ctx), userIDs(sub.users), rng)
	if err != nil {
		return nil, err
	}
	rep := &Activities{Range: rng, GroupBy: q.GroupBy, Totals: ActivityCounts{ByType: map[string]int64{}}}
	for _, u := range sub.users {
		rep.Totals.add(counts[u.ID])
	}
	if q.GroupBy == GroupUser {
		for _, u := range sub.users {
			row := ActivityRow{UserID: u.ID, TeamID: u.TeamID, Name: u.Name}
			row.add(counts[u.ID])
			rep.Rows = append(rep.Rows, row)
		}
		return rep, nil
	}
	for _, t := range sub.teams {
		row := ActivityRow{TeamID: &t.ID, Name: t.Name, ActivityCounts: ActivityCounts{ByType: map[string]int64{}}}
		tree := org.Subtree(sub.all, t.ID)
		for _, u := range sub.users {
			if u.TeamID != nil && slices.Contains(tree, *u.TeamID) {
				row.add(counts[u.ID])
			}
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}
