package report_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/activity"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/payment"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/shopspring/decimal"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// fact is one seeded record as the brute force sees it: which metric it
// may feed, whose it is, when, how much, and whether its state counts
// (won, received and not voided, done, not deleted).
type fact struct {
	metric string
	owner  string
	at     time.Time
	amount int64
	counts bool
}

// seeder writes records straight into the tables: the reports read them
// as stored, and the timestamps they are cut by (closed_at, approved_at,
// done_at) are set by the server in the write paths, so HTTP could not
// place them on the period edges these tests need.
type seeder struct {
	t     *testing.T
	env   *apptest.Env
	facts []fact
}

func (s *seeder) add(f fact) {
	s.t.Helper()
	g := s.env.App.DB.Conn(context.Background())
	id, now := uuid.NewString(), time.Now().UTC()
	var err error
	switch f.metric {
	case "won_amount":
		status := opportunity.KindWon
		if !f.counts {
			status = opportunity.KindLost
		}
		err = g.Create(&opportunity.Opportunity{ID: id, Name: "商机 " + id[:8], CustomerID: uuid.NewString(),
			PipelineID: uuid.NewString(), StageID: uuid.NewString(), Amount: money.Amount(f.amount), Currency: "CNY",
			OwnerID: f.owner, Status: status, StageEnteredAt: f.at, ClosedAt: &f.at, CreatedBy: f.owner,
			CreatedAt: now, UpdatedAt: now, Version: 1}).Error
	case "received_amount":
		p := &payment.Payment{ID: id, ContractID: uuid.NewString(), CustomerID: uuid.NewString(), OwnerID: f.owner,
			Amount: money.Amount(f.amount), Currency: "CNY", ReceivedAt: f.at, Method: "cash", Status: payment.Received,
			CreatedBy: f.owner, CreatedAt: now, UpdatedAt: now, Version: 1}
		if !f.counts {
			p.Status, p.VoidedAt, p.VoidReason = payment.Voided, &now, "退回"
		}
		err = g.Create(p).Error
	case "orders_count":
		o := &order.Order{ID: id, Number: "SO-" + strings.ReplaceAll(id, "-", "")[:26], CustomerID: uuid.NewString(), Currency: "CNY",
			Status: order.StatusApproved, PaymentStatus: order.PaymentUnpaid, OwnerID: f.owner, CreatedBy: f.owner,
			ApprovedAt: &f.at, CreatedAt: now, UpdatedAt: now, Version: 1}
		if !f.counts {
			o.Status, o.ApprovedAt = order.StatusSubmitted, nil
		}
		err = g.Create(o).Error
	case "activities_count":
		a := &activity.Activity{ID: id, Type: "call", Subject: "回访", OwnerID: f.owner, Status: activity.StatusDone,
			StartAt: f.at, DoneAt: &f.at, CreatedAt: now, UpdatedAt: now, Version: 1}
		if !f.counts {
			a.Status, a.DoneAt = activity.StatusPlanned, nil
		}
		err = g.Create(a).Error
	case "new_customers":
		c := &customer.Customer{ID: id, Name: "客户 " + id, OwnerID: &f.owner, LifecycleStage: "prospect",
			CreatedBy: f.owner, CreatedAt: f.at, UpdatedAt: now, Version: 1}
		err = g.Create(c).Error
		if err == nil && !f.counts {
			err = g.Delete(c).Error
		}
	case "converted":
		// An older customer a lead was converted into at f.at: new in
		// the period of the conversion.
		old := f.at.AddDate(-1, 0, 0)
		c := &customer.Customer{ID: id, Name: "客户 " + id, OwnerID: &f.owner, LifecycleStage: "prospect",
			CreatedBy: f.owner, CreatedAt: old, UpdatedAt: now, Version: 1}
		if err = g.Create(c).Error; err == nil {
			err = g.Create(&lead.Lead{ID: uuid.NewString(), Name: "线索", Company: "公司", Status: lead.StatusConverted,
				OwnerID: &f.owner, CustomerID: &id, ConvertedAt: &f.at, CreatedBy: f.owner, CreatedAt: old,
				UpdatedAt: now, Version: 1}).Error
		}
		// It also counts in the year it was created.
		s.facts = append(s.facts, fact{metric: "new_customers", owner: f.owner, at: old, counts: true})
		f.metric = "new_customers"
	}
	if err != nil {
		s.t.Fatalf("seed %s: %v", f.metric, err)
	}
	s.facts = append(s.facts, f)
}

// expect is the brute-force figure of metric for owner over [start, end).
func (s *seeder) expect(owner, metric string, start, end time.Time) int64 {
	var n int64
	for _, f := range s.facts {
		if f.owner != owner || f.metric != metric || !f.counts || f.at.Before(start) || !f.at.Before(end) {
			continue
		}
		if strings.HasSuffix(metric, "_amount") {
			n += f.amount
		} else {
			n++
		}
	}
	return n
}

var metrics = []string{"won_amount", "received_amount", "orders_count", "new_customers", "activities_count"}

type perfRow struct {
	UserID          *string            `json:"user_id"`
	TeamID          *string            `json:"team_id"`
	Name            string             `json:"name"`
	WonAmount       string             `json:"won_amount"`
	ReceivedAmount  string             `json:"received_amount"`
	OrdersCount     int64              `json:"orders_count"`
	NewCustomers    int64              `json:"new_customers"`
	ActivitiesCount int64              `json:"activities_count"`
	Targets         map[string]*string `json:"targets"`
	Attainment      map[string]*string `json:"attainment"`
	Rank            int                `json:"rank"`
}

func (r perfRow) value(metric string) string {
	switch metric {
	case "won_amount":
		return r.WonAmount
	case "received_amount":
		return r.ReceivedAmount
	case "orders_count":
		return fmt.Sprint(r.OrdersCount)
	case "new_customers":
		return fmt.Sprint(r.NewCustomers)
	}
	return fmt.Sprint(r.ActivitiesCount)
}

func format(metric string, n int64) string {
	if strings.HasSuffix(metric, "_amount") {
		return money.Amount(n).String()
	}
	return fmt.Sprint(n)
}

type perfReport struct {
	Range struct {
		Period *string   `json:"period"`
		From   time.Time `json:"from"`
		To     time.Time `json:"to"`
	} `json:"range"`
	GroupBy string    `json:"group_by"`
	Data    []perfRow `json:"data"`
}

// world is three teams (华东 with 上海 below it, and 华北), a manager of
// 华东, a rep in each team and seeded records around November 2026 in
// Asia/Shanghai.
type world struct {
	env                    *apptest.Env
	seed                   *seeder
	east, shanghai, north  string
	mgr, repSH, repE, repN *apptest.User
	start, end             time.Time
}

func newWorld(t *testing.T, b apptest.Backend) *world {
	env := apptest.New(t, b)
	w := &world{env: env, seed: &seeder{t: t, env: env}}
	w.east = env.Team("华东", "")
	w.shanghai = env.Team("上海", w.east)
	w.north = env.Team("华北", "")
	w.mgr = env.User("manager", w.east)
	w.repSH, w.repE, w.repN = env.User("rep", w.shanghai), env.User("rep", w.east), env.User("rep", w.north)
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	w.start = time.Date(2026, 11, 1, 0, 0, 0, 0, sh).UTC()
	w.end = time.Date(2026, 12, 1, 0, 0, 0, 0, sh).UTC()
	// The last second of November in Shanghai is 2026-11-30 15:59:59 UTC.
	edges := []time.Time{
		time.Date(2026, 10, 31, 15, 59, 59, 0, time.UTC), // 31 Oct local: out
		time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC),   // 1 Nov 00:00 local: in
		time.Date(2026, 11, 15, 4, 0, 0, 0, time.UTC),
		time.Date(2026, 11, 30, 15, 59, 59, 0, time.UTC), // in
		time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC),   // 1 Dec local: out
	}
	users := []*apptest.User{w.mgr, w.repSH, w.repE, w.repN}
	for ui, u := range users {
		for ei, at := range edges {
			for mi, m := range append(slices.Clone(metrics), "converted") {
				// Skew: user ui gets ui+1 records at some edges.
				if (ui+ei+mi)%3 == 0 {
					continue
				}
				amount := int64((ui+1)*100_000_00 + ei*12_345 + mi)
				w.seed.add(fact{metric: m, owner: u.ID, at: at, amount: amount, counts: true})
				if ei == 2 && m != "converted" {
					// A record in the period whose state does not count.
					w.seed.add(fact{metric: m, owner: u.ID, at: at, amount: 999_00, counts: false})
				}
			}
		}
	}
	return w
}

func (w *world) performance(c *apptest.Client, query string) perfReport {
	w.env.T.Helper()
	var out perfReport
	c.Get("/reports/performance?" + query).Status(http.StatusOK).Decode(&out)
	return out
}

// checkRows compares each row with the brute force for its users and
// checks the ranks by won_amount.
func (w *world) checkRows(t *testing.T, rows []perfRow, members func(r perfRow) []string) {
	t.Helper()
	for _, r := range rows {
		for _, m := range metrics {
			var n int64
			for _, u := range members(r) {
				n += w.seed.expect(u, m, w.start, w.end)
			}
			if got, want := r.value(m), format(m, n); got != want {
				t.Errorf("%s %s = %s, want %s", r.Name, m, got, want)
			}
		}
		var above int
		for _, o := range rows {
			if mustAmount(t, o.WonAmount) > mustAmount(t, r.WonAmount) {
				above++
			}
		}
		if r.Rank != above+1 {
			t.Errorf("%s rank %d, want %d", r.Name, r.Rank, above+1)
		}
	}
}

func mustAmount(t *testing.T, s string) int64 {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return d.Shift(2).IntPart()
}

func userIDs(rows []perfRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, *r.UserID)
	}
	slices.Sort(out)
	return out
}

func sorted(xs ...string) []string {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs
}

func TestPerformanceByUserMatchesBruteForce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		self := func(r perfRow) []string { return []string{*r.UserID} }

		all := w.performance(w.env.Admin, "period=2026-11")
		if all.GroupBy != "user" || *all.Range.Period != "2026-11" || !all.Range.From.Equal(w.start) ||
			!all.Range.To.Equal(w.end) {
			t.Errorf("range %+v group %s", all.Range, all.GroupBy)
		}
		if ids := userIDs(all.Data); !slices.Contains(ids, w.repN.ID) || !slices.Contains(ids, w.repSH.ID) {
			t.Errorf("admin sees %v", ids)
		}
		w.checkRows(t, all.Data, self)

		// The same month as local dates gives the same figures.
		byDates := w.performance(w.env.Admin, "from=2026-11-01&to=2026-11-30")
		if byDates.Range.Period != nil || !byDates.Range.From.Equal(w.start) || !byDates.Range.To.Equal(w.end) {
			t.Errorf("date range %+v", byDates.Range)
		}
		w.checkRows(t, byDates.Data, self)

		// Scope: a rep sees only their own row; a manager their subtree
		// and themselves, never 华北.
		rep := w.performance(w.repSH.Client, "period=2026-11")
		if got := userIDs(rep.Data); !slices.Equal(got, []string{w.repSH.ID}) {
			t.Errorf("rep sees %v", got)
		}
		w.checkRows(t, rep.Data, self)
		mgr := w.performance(w.mgr.Client, "period=2026-11")
		if got, want := userIDs(mgr.Data), sorted(w.mgr.ID, w.repSH.ID, w.repE.ID); !slices.Equal(got, want) {
			t.Errorf("manager sees %v, want %v", got, want)
		}
		w.checkRows(t, mgr.Data, self)
		sub := w.performance(w.mgr.Client, "period=2026-11&team_id="+w.shanghai)
		if got := userIDs(sub.Data); !slices.Equal(got, []string{w.repSH.ID}) {
			t.Errorf("manager's 上海 %v", got)
		}
		one := w.performance(w.mgr.Client, "period=2026-11&user_id="+w.repE.ID)
		if got := userIDs(one.Data); !slices.Equal(got, []string{w.repE.ID}) || one.Data[0].Rank != 1 {
			t.Errorf("manager's one user %v", got)
		}

		// Filters outside scope are refused, not silently emptied.
		for _, tt := range []struct {
			c     *apptest.Client
			query string
			field string
		}{
			{w.mgr.Client, "period=2026-11&team_id=" + w.north, "team_id"},
			{w.mgr.Client, "period=2026-11&user_id=" + w.repN.ID, "user_id"},
			{w.repSH.Client, "period=2026-11&user_id=" + w.repE.ID, "user_id"},
			{w.repSH.Client, "period=2026-11&team_id=" + w.east, "team_id"},
			{w.env.Admin, "period=2026-13", "period"},
			{w.env.Admin, "period=2026-11&from=2026-11-01&to=2026-11-30", "period"},
			{w.env.Admin, "", "period"},
			{w.env.Admin, "from=2026-11-30&to=2026-11-01", "to"},
			{w.env.Admin, "from=2020-01-01&to=2026-11-01", "to"},
			{w.env.Admin, "from=2026-11-01", "to"},
			{w.env.Admin, "from=2026-11-01&to=30.11.2026", "to"},
			{w.env.Admin, "period=2026-11&group_by=region", "group_by"},
			{w.env.Admin, "period=2026-11&format=pdf", "format"},
		} {
			p := tt.c.Get("/reports/performance?" + tt.query).Status(http.StatusUnprocessableEntity).Problem()
			if !p.HasField(tt.field) {
				t.Errorf("%s: %+v", tt.query, p)
			}
		}
	})
}

func TestPerformanceByTeamWithTargets(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		won := func(ids ...string) int64 {
			var n int64
			for _, id := range ids {
				n += w.seed.expect(id, "won_amount", w.start, w.end)
			}
			return n
		}
		eastWon := won(w.mgr.ID, w.repSH.ID, w.repE.ID)
		// Targets: the 华东 team's won_amount at 4/3 of its actual, 上海's
		// orders_count, and a rep's quarter target that a month ignores.
		target := money.Amount(eastWon * 4 / 3)
		for _, body := range []map[string]any{
			{"subject_type": "team", "subject_id": w.east, "period": "2026-11", "metric": "won_amount", "value": target.String()},
			{"subject_type": "team", "subject_id": w.shanghai, "period": "2026-11", "metric": "orders_count", "value": "0"},
			{"subject_type": "user", "subject_id": w.repSH.ID, "period": "2026-Q4", "metric": "won_amount", "value": "100.00"},
			{"subject_type": "user", "subject_id": w.repSH.ID, "period": "2026-11", "metric": "activities_count", "value": "7"},
		} {
			w.env.Admin.Post("/targets", body).Status(http.StatusCreated)
		}

		rep := w.performance(w.mgr.Client, "period=2026-11&group_by=team")
		members := map[string][]string{w.east: {w.mgr.ID, w.repSH.ID, w.repE.ID}, w.shanghai: {w.repSH.ID}}
		if len(rep.Data) != 2 {
			t.Fatalf("manager's teams %+v", rep.Data)
		}
		w.checkRows(t, rep.Data, func(r perfRow) []string {
			if r.UserID != nil {
				t.Errorf("team row with user %v", *r.UserID)
			}
			return members[*r.TeamID]
		})
		for _, r := range rep.Data {
			switch *r.TeamID {
			case w.east:
				want := decimal.NewFromInt(eastWon).DivRound(decimal.NewFromInt(int64(target)), 4).StringFixed(4)
				if r.Targets["won_amount"] == nil || *r.Targets["won_amount"] != target.String() ||
					r.Attainment["won_amount"] == nil || *r.Attainment["won_amount"] != want ||
					r.Targets["orders_count"] != nil || r.Attainment["orders_count"] != nil {
					t.Errorf("华东 targets %v attainment %v, want %s", r.Targets, r.Attainment, want)
				}
			case w.shanghai:
				// A zero target has no attainment.
				if r.Targets["orders_count"] == nil || *r.Targets["orders_count"] != "0" || r.Attainment["orders_count"] != nil {
					t.Errorf("上海 targets %v attainment %v", r.Targets, r.Attainment)
				}
			}
		}

		users := w.performance(w.env.Admin, "period=2026-11&user_id="+w.repSH.ID)
		r := users.Data[0]
		acts := w.seed.expect(w.repSH.ID, "activities_count", w.start, w.end)
		want := decimal.NewFromInt(acts).DivRound(decimal.NewFromInt(7), 4).StringFixed(4)
		if r.Targets["won_amount"] != nil || *r.Targets["activities_count"] != "7" || *r.Attainment["activities_count"] != want {
			t.Errorf("rep targets %v attainment %v, want %s", r.Targets, r.Attainment, want)
		}
		// Without a named period there are no targets.
		ranged := w.performance(w.env.Admin, "from=2026-11-01&to=2026-11-30&user_id="+w.repSH.ID)
		if ranged.Data[0].Targets["activities_count"] != nil {
			t.Errorf("range targets %v", ranged.Data[0].Targets)
		}

		// CSV: a header and the same rows.
		recs := csvRows(t, w.env.Admin.Get("/reports/performance?period=2026-11&group_by=team&format=csv").Status(http.StatusOK))
		if len(recs) != 4 || recs[0][0] != "user_id" || recs[0][len(recs[0])-1] != "rank" {
			t.Errorf("csv %v", recs)
		}
		matchWorkbook(t, w.env.Admin, "/reports/performance?period=2026-11&group_by=team", true)
	})
}

type leaderboard struct {
	Metric string `json:"metric"`
	Data   []struct {
		Rank   int    `json:"rank"`
		UserID string `json:"user_id"`
		Value  string `json:"value"`
	} `json:"data"`
}

func TestLeaderboard(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		for _, m := range metrics {
			for _, c := range []*apptest.User{w.mgr, w.repN} {
				var lb leaderboard
				c.Get("/reports/leaderboard?period=2026-11&metric=" + m).Status(http.StatusOK).Decode(&lb)
				want := map[string]int64{}
				for _, u := range []*apptest.User{w.mgr, w.repSH, w.repE, w.repN} {
					if c == w.repN && u != w.repN || c == w.mgr && u == w.repN {
						continue
					}
					want[u.ID] = w.seed.expect(u.ID, m, w.start, w.end)
				}
				if len(lb.Data) != len(want) || lb.Metric != m {
					t.Fatalf("%s leaderboard %+v, want %v", m, lb, want)
				}
				for i, r := range lb.Data {
					above := 0
					for _, v := range want {
						if v > want[r.UserID] {
							above++
						}
					}
					if r.Value != format(m, want[r.UserID]) || r.Rank != above+1 ||
						(i > 0 && lb.Data[i-1].Rank > r.Rank) {
						t.Errorf("%s #%d %+v, want value %d rank %d", m, i, r, want[r.UserID], above+1)
					}
				}
			}
		}
		// Ties share a rank: two users without any record.
		idle1, idle2 := w.env.User("rep", w.north), w.env.User("rep", w.north)
		var lb leaderboard
		w.env.Admin.Get("/reports/leaderboard?period=2026-11&metric=won_amount&team_id=" + w.north).
			Status(http.StatusOK).Decode(&lb)
		if len(lb.Data) != 3 || lb.Data[0].UserID != w.repN.ID || lb.Data[1].Rank != 2 || lb.Data[2].Rank != 2 ||
			!slices.Contains([]string{idle1.ID, idle2.ID}, lb.Data[2].UserID) || lb.Data[2].Value != "0.00" {
			t.Errorf("ties %+v", lb)
		}
		recs := csvRows(t, w.env.Admin.Get("/reports/leaderboard?period=2026-11&metric=won_amount&team_id="+w.north+"&format=csv").
			Status(http.StatusOK))
		if len(recs) != 4 || !slices.Equal(recs[0], []string{"rank", "user_id", "team_id", "name", "value"}) {
			t.Errorf("csv %v", recs)
		}
		matchWorkbook(t, w.env.Admin, "/reports/leaderboard?period=2026-11&metric=won_amount&team_id="+w.north, true)
		for _, q := range []string{"period=2026-11", "period=2026-11&metric=revenue"} {
			if p := w.env.Admin.Get("/reports/leaderboard?" + q).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("metric") {
				t.Errorf("%s: %+v", q, p)
			}
		}
	})
}
