package report_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/activity"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/report"
	"github.com/shopspring/decimal"
)

// prOrg is the organisation the product, customer and activity report
// tests share: 华东 with 上海 below it and 华北; a manager of 华东 and a rep
// in each team.
type prOrg struct {
	env                    *apptest.Env
	east, shanghai, north  string
	mgr, repSH, repE, repN *apptest.User
	users                  []*apptest.User
}

func prNewOrg(t *testing.T, b apptest.Backend) *prOrg {
	env := apptest.New(t, b)
	o := &prOrg{env: env}
	o.east = env.Team("华东", "")
	o.shanghai = env.Team("上海", o.east)
	o.north = env.Team("华北", "")
	o.mgr = env.User("manager", o.east)
	o.repSH, o.repE, o.repN = env.User("rep", o.shanghai), env.User("rep", o.east), env.User("rep", o.north)
	o.users = []*apptest.User{o.mgr, o.repSH, o.repE, o.repN}
	return o
}

// prEdges are instants around November 2026 in Asia/Shanghai (16:00 UTC is
// local midnight): out, in, in, in, out.
var prEdges = []time.Time{
	time.Date(2026, 10, 31, 15, 59, 59, 0, time.UTC),
	time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC),
	time.Date(2026, 11, 15, 4, 0, 0, 0, time.UTC),
	time.Date(2026, 11, 30, 15, 59, 59, 0, time.UTC),
	time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC),
}

func prInNov(at time.Time) bool { return !at.Before(novStart) && at.Before(novEnd) }

// prSees is who a viewer's report covers, by owner id.
func (o *prOrg) prSees(viewer *apptest.User) func(owner string) bool {
	return func(owner string) bool {
		switch viewer {
		case nil:
			return true
		case o.mgr:
			return owner == o.mgr.ID || owner == o.repSH.ID || owner == o.repE.ID
		}
		return owner == viewer.ID
	}
}

func (o *prOrg) prClient(viewer *apptest.User) *apptest.Client {
	if viewer == nil {
		return o.env.Admin
	}
	return viewer.Client
}

// prScopeErrors are the filters each report must refuse with 422 on the
// field, never 5xx.
func (o *prOrg) prScopeErrors(t *testing.T, path string, extra ...string) {
	t.Helper()
	cases := []struct {
		c     *apptest.Client
		query string
		field string
	}{
		{o.mgr.Client, "period=2026-11&team_id=" + o.north, "team_id"},
		{o.mgr.Client, "period=2026-11&user_id=" + o.repN.ID, "user_id"},
		{o.repSH.Client, "period=2026-11&user_id=" + o.repE.ID, "user_id"},
		{o.repSH.Client, "period=2026-11&team_id=" + o.east, "team_id"},
		{o.env.Admin, "period=2026-11&team_id=nope", "team_id"},
		{o.env.Admin, "period=2026-13", "period"},
		{o.env.Admin, "period=2026-11&from=2026-11-01&to=2026-11-30", "period"},
		{o.env.Admin, "", "period"},
		{o.env.Admin, "from=2026-11-30&to=2026-11-01", "to"},
		{o.env.Admin, "from=2020-01-01&to=2026-11-01", "to"},
		{o.env.Admin, "from=2026-11-01&to=30.11.2026", "to"},
		{o.env.Admin, "period=2026-11&format=pdf", "format"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		cases = append(cases, struct {
			c     *apptest.Client
			query string
			field string
		}{o.env.Admin, extra[i], extra[i+1]})
	}
	for _, tc := range cases {
		if p := tc.c.Get(path + "?" + tc.query).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField(tc.field) {
			t.Errorf("%s?%s: %+v", path, tc.query, p)
		}
	}
}

// acFact is one seeded activity.
type acFact struct {
	owner, typ, status string
	doneAt             time.Time
	checkIn, checkOut  *time.Time
}

// acSeed writes activities straight into the table: done_at and the
// check-in times are set by the server, so HTTP could not put them on the
// period edges.
func acSeed(t *testing.T, o *prOrg) []acFact {
	g := o.env.App.DB.Conn(context.Background())
	var facts []acFact
	now := time.Now().UTC()
	nv := 0
	for ui, u := range o.users {
		for ei, at := range prEdges {
			for ti, typ := range activity.Types {
				if (ui+ei+ti)%4 == 0 {
					continue
				}
				f := acFact{owner: u.ID, typ: typ, status: activity.StatusDone, doneAt: at}
				switch (ui + ei + ti) % 5 {
				case 1:
					f.status = activity.StatusPlanned
				case 2:
					f.status = activity.StatusCancelled
				}
				if typ == "visit" {
					// Check-ins with fractions of a second: lengths count
					// whole seconds of each instant.
					in := at.Add(-time.Duration(30+ui*7+ei) * time.Minute).Add(700 * time.Millisecond)
					f.checkIn = &in
					nv++
					if nv%2 == 0 {
						out := in.Add(time.Duration(20+ui*11+ei*3)*time.Minute + time.Duration(ei*17)*time.Second +
							400*time.Millisecond)
						f.checkOut = &out
					}
				}
				facts = append(facts, f)
				// A second visit without any check-in.
				if typ == "visit" && ei == 2 {
					facts = append(facts, acFact{owner: u.ID, typ: typ, status: activity.StatusDone, doneAt: at})
				}
			}
		}
	}
	for _, f := range facts {
		a := &activity.Activity{ID: uuid.NewString(), Type: f.typ, Subject: "拜访", OwnerID: f.owner, Status: f.status,
			StartAt: f.doneAt.Add(-time.Hour), CheckInAt: f.checkIn, CheckOutAt: f.checkOut, CreatedBy: f.owner,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		if f.status == activity.StatusDone {
			d := f.doneAt
			a.DoneAt = &d
		}
		if err := g.Create(a).Error; err != nil {
			t.Fatal(err)
		}
	}
	return facts
}

// acBrute counts the facts of owners in November 2026, one at a time.
func acBrute(facts []acFact, owners func(string) bool) report.ActivityCountsView {
	var c report.ActivityCountsView
	var secs int64
	for _, f := range facts {
		if f.status != activity.StatusDone || !prInNov(f.doneAt) || !owners(f.owner) {
			continue
		}
		c.Total++
		switch f.typ {
		case "call":
			c.Calls++
		case "visit":
			c.Visits++
			if f.checkIn != nil {
				c.VisitsCheckedIn++
				if f.checkOut != nil {
					c.VisitsTimed++
					secs += f.checkOut.Unix() - f.checkIn.Unix()
				}
			}
		case "meeting":
			c.Meetings++
		case "demo":
			c.Demos++
		case "email":
			c.Emails++
		case "task":
			c.Tasks++
		}
	}
	if c.VisitsTimed > 0 {
		s := decimal.NewFromInt(secs).DivRound(decimal.NewFromInt(c.VisitsTimed*60), 2).StringFixed(2)
		c.AvgVisitMinutes = &s
	}
	return c
}

func acSame(t *testing.T, label string, got, want report.ActivityCountsView) {
	t.Helper()
	g, w := got, want
	g.AvgVisitMinutes, w.AvgVisitMinutes = nil, nil
	if g != w || str(got.AvgVisitMinutes) != str(want.AvgVisitMinutes) {
		t.Errorf("%s: %+v (avg %s), want %+v (avg %s)", label, g, str(got.AvgVisitMinutes), w, str(want.AvgVisitMinutes))
	}
}

func TestActivitiesReportMatchesBruteForce(t *testing.T) {
	// The report has a column per activity type: a new type must get one.
	if !slices.Equal(activity.Types, []string{"call", "visit", "meeting", "demo", "email", "task"}) {
		t.Fatalf("activity types changed: %v; add them to ActivityCountsView", activity.Types)
	}
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		o := prNewOrg(t, b)
		facts := acSeed(t, o)
		one := func(id string) func(string) bool { return func(s string) bool { return s == id } }
		members := map[string][]string{o.east: {o.mgr.ID, o.repSH.ID, o.repE.ID}, o.shanghai: {o.repSH.ID},
			o.north: {o.repN.ID}}
		for _, tc := range []struct {
			label  string
			viewer *apptest.User
			query  string
			users  []string // rows expected among the seeded users
			teams  []string
		}{
			{"admin", nil, "period=2026-11", []string{o.mgr.ID, o.repSH.ID, o.repE.ID, o.repN.ID}, nil},
			{"admin dates", nil, "from=2026-11-01&to=2026-11-30", []string{o.mgr.ID, o.repSH.ID, o.repE.ID, o.repN.ID}, nil},
			{"admin teams", nil, "period=2026-11&group_by=team", nil, []string{o.east, o.shanghai, o.north}},
			{"admin team 华东", nil, "period=2026-11&team_id=" + o.east, []string{o.mgr.ID, o.repSH.ID, o.repE.ID}, nil},
			{"manager", o.mgr, "period=2026-11", []string{o.mgr.ID, o.repSH.ID, o.repE.ID}, nil},
			{"manager teams", o.mgr, "period=2026-11&group_by=team", nil, []string{o.east, o.shanghai}},
			{"manager one rep", o.mgr, "period=2026-11&user_id=" + o.repE.ID, []string{o.repE.ID}, nil},
			{"rep", o.repSH, "period=2026-11", []string{o.repSH.ID}, nil},
			{"rep own team", o.repN, "period=2026-11&group_by=team&team_id=" + o.north, nil, []string{o.north}},
		} {
			var got report.ActivitiesResponse
			o.prClient(tc.viewer).Get("/reports/activities?" + tc.query).Status(http.StatusOK).Decode(&got)
			if !got.Range.From.Equal(novStart) || !got.Range.To.Equal(novEnd) {
				t.Errorf("%s: range %+v", tc.label, got.Range)
			}
			sees := o.prSees(tc.viewer)
			var seen []string
			inRows := map[string]bool{}
			for _, r := range got.Data {
				switch {
				case tc.teams != nil:
					if r.UserID != nil || r.TeamID == nil {
						t.Fatalf("%s: team row %+v", tc.label, r)
					}
					seen = append(seen, *r.TeamID)
					acSame(t, tc.label+" "+r.Name, r.ActivityCountsView, acBrute(facts, func(s string) bool {
						return sees(s) && slices.Contains(members[*r.TeamID], s)
					}))
				default:
					seen = append(seen, *r.UserID)
					inRows[*r.UserID] = true
					acSame(t, tc.label+" "+r.Name, r.ActivityCountsView, acBrute(facts, one(*r.UserID)))
				}
			}
			if tc.label == "manager" && (got.Totals.VisitsCheckedIn == got.Totals.VisitsTimed || got.Totals.VisitsTimed == 0 ||
				got.Totals.Visits == got.Totals.VisitsCheckedIn) {
				t.Errorf("seed has no visit of each kind: %+v", got.Totals)
			}
			want := tc.users
			if tc.teams != nil {
				want = tc.teams
			}
			for _, id := range want {
				if !slices.Contains(seen, id) {
					t.Errorf("%s: no row for %s in %v", tc.label, id, seen)
				}
			}
			if tc.viewer != nil && len(seen) != len(want) {
				t.Errorf("%s: rows %v, want %v", tc.label, seen, want)
			}
			// Totals: every user in the report once.
			acSame(t, tc.label+" totals", got.Totals, acBrute(facts, func(s string) bool {
				if tc.teams == nil {
					return inRows[s]
				}
				return sees(s) && slices.ContainsFunc(tc.teams, func(tm string) bool {
					return slices.Contains(members[tm], s)
				})
			}))
		}
		// The edges: the rep's activity at 15:59:59 UTC on 30 November is
		// November's, the one a second later December's.
		var dec report.ActivitiesResponse
		o.repSH.Client.Get("/reports/activities?period=2026-12").Status(http.StatusOK).Decode(&dec)
		var decWant report.ActivityCountsView
		for _, f := range facts {
			if f.owner == o.repSH.ID && f.status == activity.StatusDone && f.doneAt.Equal(prEdges[4]) {
				decWant.Total++
			}
		}
		if decWant.Total == 0 || dec.Totals.Total != decWant.Total {
			t.Errorf("December %d, want %d", dec.Totals.Total, decWant.Total)
		}

		o.prScopeErrors(t, "/reports/activities", "period=2026-11&group_by=region", "group_by")
		recs := csvRows(t, o.mgr.Client.Get("/reports/activities?period=2026-11&format=csv").Status(http.StatusOK))
		if len(recs) != 4 || recs[0][3] != "calls" {
			t.Errorf("csv %v", recs)
		}
		matchWorkbook(t, o.mgr.Client, "/reports/activities?period=2026-11", true)
		matchWorkbook(t, o.env.Admin, "/reports/activities?period=2026-11&group_by=team", true)
		// One column per rep, the types stacked in it.
		if wb := readWorkbook(t, o.mgr.Client.Get("/reports/activities?period=2026-11&format=xlsx").Status(http.StatusOK)); len(wb.charts) != 1 ||
			!strings.Contains(wb.charts[0], `<grouping val="stacked">`) || strings.Count(wb.charts[0], "<ser>") != 6 {
			t.Errorf("stacked chart: %v", wb.charts)
		}
	})
}
