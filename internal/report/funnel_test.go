package report_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/report"
	"github.com/shopspring/decimal"
)

// The default pipeline's fixed stage ids (migration 0009).
const (
	defaultPipeline = "0193a2b4-0000-7000-8000-000000000001"
	stageResearch   = "0193a2b4-0000-7000-8000-000000000101"
	stageProposal   = "0193a2b4-0000-7000-8000-000000000102"
	stageNegotiate  = "0193a2b4-0000-7000-8000-000000000103"
)

// November 2026 in Asia/Shanghai, the default organisation zone.
var (
	novStart = time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC)
	novEnd   = time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)
)

// people is two teams: A (manager, two reps) and B (one rep).
type people struct {
	teamA, teamB    string
	mgr, r1, r2, r3 *apptest.User
}

func newPeople(env *apptest.Env) people {
	var p people
	p.teamA, p.teamB = env.Team("华东", ""), env.Team("华南", "")
	p.mgr, p.r1, p.r2 = env.User("manager", p.teamA), env.User("rep", p.teamA), env.User("rep", p.teamA)
	p.r3 = env.User("rep", p.teamB)
	return p
}

var seq int

// setTimes rewrites an opportunity's timestamps, for period edges.
func setTimes(t *testing.T, env *apptest.Env, table, id string, cols map[string]any) {
	t.Helper()
	if err := env.App.DB.Conn(context.Background()).Table(table).Where("id = ?", id).Updates(cols).Error; err != nil {
		t.Fatal(err)
	}
}

// seedFunnel gives every user four opportunities: one left in the first
// stage, one moved on twice, one won and one lost; one is created before
// the period, one won at the last second of November in Shanghai and one
// at the first second of December.
func seedFunnel(t *testing.T, env *apptest.Env, p people) []string {
	var ids []string
	for ui, u := range []*apptest.User{p.mgr, p.r1, p.r2, p.r3} {
		seq++
		var cust struct{ ID string }
		u.Client.Post("/customers?allow_duplicate=true", map[string]any{"name": fmt.Sprintf("漏斗客户 %d", seq), "owner_id": u.ID}).
			Status(http.StatusCreated).Decode(&cust)
		var mine []string
		for k := 0; k < 4; k++ {
			var o opportunity.OpportunityResponse
			u.Client.Post("/opportunities", map[string]any{"name": fmt.Sprintf("商机 %d-%d", seq, k),
				"customer_id": cust.ID, "amount": fmt.Sprintf("%d.%02d", 1000*(ui+1)+137*k, 5+10*k+ui)}).
				Status(http.StatusCreated).Decode(&o)
			mine = append(mine, o.ID)
			setTimes(t, env, "opportunities", o.ID, map[string]any{
				"created_at": time.Date(2026, 11, 2+ui, 3*k, 7, 0, 0, time.UTC)})
		}
		move := func(id, stage string) {
			u.Client.Post("/opportunities/"+id+"/stage", map[string]any{"stage_id": stage}).Status(http.StatusOK)
		}
		move(mine[1], stageProposal)
		move(mine[1], stageNegotiate)
		move(mine[2], stageProposal)
		u.Client.Post("/opportunities/"+mine[2]+"/win", map[string]any{}).Status(http.StatusOK)
		u.Client.Post("/opportunities/"+mine[3]+"/lose", map[string]any{"reason": "价格"}).Status(http.StatusOK)
		closed := time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)
		switch u {
		case p.r1:
			closed = novEnd.Add(-time.Second)
		case p.r2:
			closed = novEnd
		case p.r3:
			setTimes(t, env, "opportunities", mine[0], map[string]any{"created_at": novStart.Add(-time.Second)})
		}
		setTimes(t, env, "opportunities", mine[2], map[string]any{"closed_at": closed})
		setTimes(t, env, "opportunities", mine[3], map[string]any{"closed_at": closed.Add(-time.Hour)})
		ids = append(ids, mine...)
	}
	return ids
}

type oppFacts struct {
	opp     opportunity.OpportunityResponse
	entered map[string]bool
}

// loadFacts reads the opportunities and their stage history back as the admin.
func loadFacts(env *apptest.Env, ids []string) []oppFacts {
	var out []oppFacts
	for _, id := range ids {
		var f oppFacts
		env.Admin.Get("/opportunities/" + id).Status(http.StatusOK).Decode(&f.opp)
		var hist struct {
			Data []struct {
				StageID string `json:"stage_id"`
			} `json:"data"`
		}
		env.Admin.Get("/opportunities/" + id + "/stage-history").Status(http.StatusOK).Decode(&hist)
		f.entered = map[string]bool{}
		for _, e := range hist.Data {
			f.entered[e.StageID] = true
		}
		out = append(out, f)
	}
	return out
}

func rate(n, d int) *string {
	if d == 0 {
		return nil
	}
	s := decimal.NewFromInt(int64(n)).DivRound(decimal.NewFromInt(int64(d)), 4).StringFixed(4)
	return &s
}

// bruteFunnel recomputes November's funnel of the facts the viewer sees,
// one opportunity at a time.
func bruteFunnel(t *testing.T, env *apptest.Env, facts []oppFacts, sees func(owner string) bool) report.FunnelReport {
	return bruteFunnelIn(t, env, facts, sees, novStart, novEnd)
}

// bruteFunnelIn is bruteFunnel over the period [from, to).
func bruteFunnelIn(t *testing.T, env *apptest.Env, facts []oppFacts, sees func(owner string) bool, from, to time.Time) report.FunnelReport {
	var pl struct {
		Stages []struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			Kind        string `json:"kind"`
			Probability int    `json:"probability"`
		} `json:"stages"`
	}
	env.Admin.Get("/pipelines/" + defaultPipeline).Status(http.StatusOK).Decode(&pl)
	in := func(ts *time.Time) bool { return ts != nil && !ts.Before(from) && ts.Before(to) }
	var path []string
	won := ""
	for _, s := range pl.Stages {
		if s.Kind == "open" {
			path = append(path, s.ID)
		} else if s.Kind == "won" && won == "" {
			won = s.ID
		}
	}
	path = append(path, won)
	var out report.FunnelReport
	var wonSecs int64
	for _, s := range pl.Stages {
		fs := report.FunnelStage{StageID: s.ID, Name: s.Name, Kind: s.Kind, Probability: s.Probability}
		amount, weighted := decimal.Zero, decimal.Zero
		next := ""
		if i := slices.Index(path, s.ID); i >= 0 && i+1 < len(path) {
			next = path[i+1]
		}
		both := 0
		for _, f := range facts {
			o := f.opp
			if !sees(o.OwnerID) {
				continue
			}
			if o.StageID == s.ID && (o.Status == "open" || in(o.ClosedAt)) {
				fs.Count++
				a := o.Amount.Decimal()
				amount = amount.Add(a)
				weighted = weighted.Add(a.Mul(decimal.NewFromInt(int64(s.Probability))).Div(decimal.NewFromInt(100)).Round(2))
			}
			created := o.CreatedAt
			if in(&created) && f.entered[s.ID] {
				fs.Reached++
				if next != "" && f.entered[next] {
					both++
				}
			}
		}
		if next != "" {
			fs.ConversionRate = rate(both, int(fs.Reached))
		}
		fs.Amount, _ = money.Parse(amount.StringFixed(2))
		fs.WeightedAmount, _ = money.Parse(weighted.StringFixed(2))
		out.Stages = append(out.Stages, fs)
	}
	for _, f := range facts {
		o := f.opp
		if !sees(o.OwnerID) || !in(o.ClosedAt) {
			continue
		}
		switch o.Status {
		case "won":
			out.Won++
			wonSecs += o.ClosedAt.Unix() - o.CreatedAt.Unix()
		case "lost":
			out.Lost++
		}
	}
	out.WinRate = rate(int(out.Won), int(out.Won+out.Lost))
	if out.Won > 0 {
		d := decimal.NewFromInt(wonSecs).DivRound(decimal.NewFromInt(out.Won*86400), 4).StringFixed(4)
		out.AvgCycleDays = &d
	}
	return out
}

func str(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func compareFunnel(t *testing.T, label string, got, want report.FunnelReport) {
	t.Helper()
	if len(got.Stages) != len(want.Stages) {
		t.Fatalf("%s: %d stages, want %d", label, len(got.Stages), len(want.Stages))
	}
	for i, g := range got.Stages {
		w := want.Stages[i]
		if g.StageID != w.StageID || g.Count != w.Count || g.Amount != w.Amount || g.WeightedAmount != w.WeightedAmount ||
			g.Reached != w.Reached || str(g.ConversionRate) != str(w.ConversionRate) {
			t.Errorf("%s: stage %d = %+v (conv %s), want %+v (conv %s)", label, i, g, str(g.ConversionRate), w,
				str(w.ConversionRate))
		}
	}
	if got.Won != want.Won || got.Lost != want.Lost || str(got.WinRate) != str(want.WinRate) ||
		str(got.AvgCycleDays) != str(want.AvgCycleDays) {
		t.Errorf("%s: won %d lost %d win %s cycle %s, want %d %d %s %s", label, got.Won, got.Lost, str(got.WinRate),
			str(got.AvgCycleDays), want.Won, want.Lost, str(want.WinRate), str(want.AvgCycleDays))
	}
}

func TestFunnelMatchesBruteForce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		p := newPeople(env)
		facts := loadFacts(env, seedFunnel(t, env, p))
		teamA := []string{p.mgr.ID, p.r1.ID, p.r2.ID}
		cases := []struct {
			label string
			c     *apptest.Client
			query string
			sees  func(string) bool
		}{
			{"admin", env.Admin, "", func(string) bool { return true }},
			{"manager", p.mgr.Client, "", func(o string) bool { return slices.Contains(teamA, o) }},
			{"rep", p.r1.Client, "", func(o string) bool { return o == p.r1.ID }},
			{"rep r2", p.r2.Client, "", func(o string) bool { return o == p.r2.ID }},
			{"admin team B", env.Admin, "&team_id=" + p.teamB, func(o string) bool { return o == p.r3.ID }},
			{"manager user r2", p.mgr.Client, "&user_id=" + p.r2.ID, func(o string) bool { return o == p.r2.ID }},
		}
		for _, tc := range cases {
			for _, q := range []string{"period=2026-11", "from=2026-11-01&to=2026-11-30", "pipeline_id=" + defaultPipeline + "&period=2026-11"} {
				var got report.FunnelReport
				tc.c.Get("/reports/funnel?" + q + tc.query).Status(http.StatusOK).Decode(&got)
				compareFunnel(t, tc.label+" "+q, got, bruteFunnel(t, env, facts, tc.sees))
				if !got.From.Equal(novStart) || !got.To.Equal(novEnd) {
					t.Errorf("%s: period %s–%s", tc.label, got.From, got.To)
				}
			}
		}
		// The edges themselves: r1's deal won at 15:59:59 UTC on 30 November
		// counts in November, r2's at 16:00:00 (1 December in Shanghai) not.
		var r1, r2, dec report.FunnelReport
		p.r1.Client.Get("/reports/funnel?period=2026-11").Status(http.StatusOK).Decode(&r1)
		p.r2.Client.Get("/reports/funnel?period=2026-11").Status(http.StatusOK).Decode(&r2)
		p.r2.Client.Get("/reports/funnel?period=2026-12").Status(http.StatusOK).Decode(&dec)
		if r1.Won != 1 || r2.Won != 0 || dec.Won != 1 || dec.Lost != 0 {
			t.Errorf("edges: r1 won %d, r2 won %d in Nov, %d won %d lost in Dec", r1.Won, r2.Won, dec.Won, dec.Lost)
		}
	})
}

func TestFunnelFiltersAndErrors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		p := newPeople(env)
		for _, tc := range []struct {
			c      *apptest.Client
			query  string
			status int
			field  string
		}{
			{p.r1.Client, "user_id=" + p.r3.ID, http.StatusUnprocessableEntity, "user_id"},
			{p.r1.Client, "user_id=" + p.r2.ID, http.StatusUnprocessableEntity, "user_id"},
			{p.mgr.Client, "team_id=" + p.teamB, http.StatusUnprocessableEntity, "team_id"},
			{p.mgr.Client, "user_id=" + p.r3.ID, http.StatusUnprocessableEntity, "user_id"},
			{env.Admin, "team_id=0193a2b4-0000-7000-8000-00000000dead", http.StatusUnprocessableEntity, "team_id"},
			{env.Admin, "user_id=nope", http.StatusUnprocessableEntity, "user_id"},
			{env.Admin, "pipeline_id=0193a2b4-0000-7000-8000-00000000dead", http.StatusUnprocessableEntity, "pipeline_id"},
			{env.Admin, "pipeline_id=x", http.StatusBadRequest, "pipeline_id"},
			{env.Admin, "period=2026-13", http.StatusBadRequest, "period"},
			{env.Admin, "period=2026-11&from=2026-11-01&to=2026-11-02", http.StatusBadRequest, "period"},
			{env.Admin, "from=2026-11-01", http.StatusBadRequest, "from"},
			{env.Admin, "from=2026-11-05&to=2026-11-01", http.StatusBadRequest, "to"},
			{env.Admin, "from=2026/11/01&to=2026-11-02", http.StatusBadRequest, "from"},
			{env.Admin, "format=pdf", http.StatusUnprocessableEntity, "format"},
		} {
			for _, path := range []string{"/reports/funnel?", "/reports/lead-conversion?"} {
				if tc.field == "pipeline_id" && path != "/reports/funnel?" {
					continue
				}
				pr := tc.c.Get(path + tc.query).Status(tc.status).Problem()
				if tc.field != "" && !pr.HasField(tc.field) {
					t.Errorf("%s%s: no error on %s: %+v", path, tc.query, tc.field, pr)
				}
			}
		}
		env.Admin.Get("/reports/lead-conversion?group_by=product").Status(http.StatusBadRequest)
		// In reach: a rep on their own team and themselves, a manager on a member.
		p.r1.Client.Get("/reports/funnel?team_id=" + p.teamA + "&user_id=" + p.r1.ID).Status(http.StatusOK)
		p.mgr.Client.Get("/reports/funnel?user_id=" + p.r2.ID).Status(http.StatusOK)
	})
}
