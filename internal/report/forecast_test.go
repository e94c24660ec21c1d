package report_test

import (
	"context"
	"fmt"
	"math/big"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/platform/money"
	"gorm.io/gorm"
)

// fcOpp is one seeded opportunity as the brute force sees it.
type fcOpp struct {
	owner    string
	status   string // open, won, lost
	deleted  bool
	amount   int64
	prob     int
	expected *string    // open: the local expected close date
	closed   *time.Time // won and lost
}

// fcWorld is the trends people (华东 with 上海 below it, 华北; a manager of
// 华东 and a rep in each team), a pipeline with stages on either side of
// the 50% and 80% lines, won deals over the last 30 months with a
// seasonal shape, and open deals expected around the current month and
// the horizon.
type fcWorld struct {
	env                    *apptest.Env
	g                      *gorm.DB
	east, shanghai, north  string
	mgr, repSH, repE, repN *apptest.User
	stages                 map[int]string // probability → stage
	pipeline               string
	cur                    time.Time // first instant of the current month, local
	opps                   []fcOpp
	n                      int
}

func newFcWorld(t *testing.T, b apptest.Backend) *fcWorld {
	env := apptest.New(t, b)
	w := &fcWorld{env: env, g: env.App.DB.Conn(context.Background()), stages: map[int]string{},
		pipeline: uuid.NewString()}
	w.east = env.Team("华东", "")
	w.shanghai = env.Team("上海", w.east)
	w.north = env.Team("华北", "")
	w.mgr = env.User("manager", w.east)
	w.repSH, w.repE, w.repN = env.User("rep", w.shanghai), env.User("rep", w.east), env.User("rep", w.north)
	now := time.Now().In(trShanghai)
	w.cur = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, trShanghai)
	if err := w.g.Table("pipelines").Create(map[string]any{"id": w.pipeline, "name": "预测流程 " + w.pipeline[:8],
		"is_default": false, "created_at": now, "updated_at": now, "version": 1}).Error; err != nil {
		t.Fatal(err)
	}
	for i, p := range []int{10, 49, 50, 79, 80, 95} {
		id := uuid.NewString()
		w.stages[p] = id
		if err := w.g.Table("pipeline_stages").Create(map[string]any{"id": id, "pipeline_id": w.pipeline,
			"name": fmt.Sprintf("阶段 %d", p), "position": i + 1, "probability": p, "time_limit_seconds": 0,
			"kind": "open", "exit_criteria": ""}).Error; err != nil {
			t.Fatal(err)
		}
	}
	users := []*apptest.User{w.mgr, w.repSH, w.repE, w.repN}
	// Won deals: from 30 months back through the current month, more in
	// the fourth quarter; at local month edges (the last and the first
	// second of a month) and mid-month, with lost and deleted ones beside.
	for k := -30; k <= 0; k++ {
		m := w.cur.AddDate(0, k, 0)
		season := int64(1)
		if m.Month() >= 10 {
			season = 3
		}
		for ui, u := range users {
			if (k+ui)%4 == 0 {
				continue
			}
			amt := season*int64(10_000_00*(ui+1)) + int64(k*k*7+ui)
			at := m.Add(time.Duration(10+ui) * 24 * time.Hour)
			switch (k + ui) % 3 {
			case 1:
				at = m // the first second of the month
			case 2:
				at = m.AddDate(0, 1, 0).Add(-time.Second) // the last one
			}
			if k == 0 && at.After(time.Now()) {
				at = m
			}
			at = at.UTC() // stored as the server stores it
			w.opp(fcOpp{owner: u.ID, status: "won", amount: amt, prob: 95, closed: &at})
			if ui == 1 {
				w.opp(fcOpp{owner: u.ID, status: "lost", amount: 77_00, prob: 10, closed: &at})
				w.opp(fcOpp{owner: u.ID, status: "won", deleted: true, amount: 88_00, prob: 95, closed: &at})
			}
		}
	}
	// Open deals by expected close date: overdue from earlier months,
	// earlier this month, the month's last day, the next month's first,
	// the horizon's last day (months=6) and the day after, none.
	date := func(t time.Time) *string { s := t.Format(time.DateOnly); return &s }
	expected := []*string{
		date(w.cur.AddDate(0, -2, 14)), date(w.cur), date(w.cur.AddDate(0, 1, -1)), date(w.cur.AddDate(0, 1, 0)),
		date(w.cur.AddDate(0, 3, 9)), date(w.cur.AddDate(0, 6, -1)), date(w.cur.AddDate(0, 6, 0)),
		date(w.cur.AddDate(0, 23, 27)), nil,
	}
	probs := []int{10, 49, 50, 79, 80, 95}
	for ui, u := range users {
		for ei, e := range expected {
			for pi, p := range probs {
				if (ui+ei+pi)%2 == 0 {
					continue
				}
				// Amounts whose weighting lands on a half cent.
				amt := int64(1_000_00*(ui+1)+10_00*ei) + int64(1+2*pi)
				w.opp(fcOpp{owner: u.ID, status: "open", amount: amt, prob: p, expected: e})
				if ei == 2 && pi == 4 {
					w.opp(fcOpp{owner: u.ID, status: "open", deleted: true, amount: 66_00, prob: p, expected: e})
				}
			}
		}
	}
	return w
}

func (w *fcWorld) opp(o fcOpp) {
	w.env.T.Helper()
	w.n++
	id, now := uuid.NewString(), time.Now().UTC()
	status := map[string]string{"open": opportunity.KindOpen, "won": opportunity.KindWon, "lost": opportunity.KindLost}[o.status]
	rec := &opportunity.Opportunity{ID: id, Name: fmt.Sprintf("预测商机 %d", w.n), CustomerID: uuid.NewString(),
		PipelineID: w.pipeline, StageID: w.stages[o.prob], Amount: money.Amount(o.amount), Currency: "CNY",
		ExpectedCloseDate: o.expected, OwnerID: o.owner, Status: status, StageEnteredAt: now, ClosedAt: o.closed,
		CreatedBy: o.owner, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := w.g.Create(rec).Error; err != nil {
		w.env.T.Fatal(err)
	}
	if o.deleted {
		if err := w.g.Delete(rec).Error; err != nil {
			w.env.T.Fatal(err)
		}
	}
	w.opps = append(w.opps, o)
}

type fcMonth struct {
	Month         string    `json:"month"`
	Kind          string    `json:"kind"`
	From          time.Time `json:"from"`
	To            time.Time `json:"to"`
	ActualWon     *string   `json:"actual_won"`
	Pipeline      *string   `json:"pipeline"`
	Weighted      *string   `json:"weighted"`
	Commit        *string   `json:"commit"`
	BestCase      *string   `json:"best_case"`
	Level         string    `json:"level"`
	SeasonalIndex string    `json:"seasonal_index"`
	Projection    string    `json:"projection"`
}

type fcReport struct {
	AsOf    string    `json:"as_of"`
	Months  int       `json:"months"`
	History int       `json:"history"`
	Method  string    `json:"method"`
	Data    []fcMonth `json:"data"`
	Totals  struct {
		Pipeline string `json:"pipeline"`
		Weighted string `json:"weighted"`
		Commit   string `json:"commit"`
		BestCase string `json:"best_case"`
	} `json:"totals"`
}

// fcWon is the brute-force won amount of [start, end) the viewer sees.
func (w *fcWorld) fcWon(sees func(string) bool, start, end time.Time) int64 {
	var n int64
	for _, o := range w.opps {
		if o.status == "won" && !o.deleted && sees(o.owner) && !o.closed.Before(start) && o.closed.Before(end) {
			n += o.amount
		}
	}
	return n
}

// fcRound is x rounded half-up to an integer (x >= 0).
func fcRound(x *big.Rat) int64 {
	y := new(big.Rat).Add(x, big.NewRat(1, 2))
	return new(big.Int).Quo(y.Num(), y.Denom()).Int64()
}

// fcProjection recomputes the documented method for month m from the
// complete months before base, one month at a time: level = mean of the
// 12 months before base; the years are the three 12-month blocks before
// base with any won amount; index = mean of the blocks' months of m's
// calendar month / mean month of the blocks (1 with fewer than two).
func (w *fcWorld) fcProjection(sees func(string) bool, m, base time.Time) (level int64, index string, proj int64) {
	won := func(t time.Time) int64 { return w.fcWon(sees, t.UTC(), t.AddDate(0, 1, 0).UTC()) }
	var last int64
	for i := 1; i <= 12; i++ {
		last += won(base.AddDate(0, -i, 0))
	}
	levelRat := big.NewRat(last, 12)
	level = fcRound(levelRat)
	var years, all, same int64
	for y := 1; y <= 3; y++ {
		var total, cal int64
		for i := 0; i < 12; i++ {
			mm := base.AddDate(0, -12*y+i, 0)
			v := won(mm)
			total += v
			if mm.Month() == m.Month() {
				cal += v
			}
		}
		if total > 0 {
			years++
			all += total
			same += cal
		}
	}
	if years < 2 {
		return level, "1.0000", level
	}
	idx := new(big.Rat).Quo(big.NewRat(same, years), big.NewRat(all, 12*years))
	return level, idx.FloatString(4), fcRound(new(big.Rat).Mul(levelRat, idx))
}

// fcCheck compares a forecast with the brute force.
func (w *fcWorld) fcCheck(t *testing.T, r fcReport, sees func(string) bool, months, history int) {
	t.Helper()
	if r.Months != months || r.History != history || r.Method != "seasonal_index_x_level" ||
		r.AsOf != time.Now().In(trShanghai).Format(time.DateOnly) || len(r.Data) != months+history {
		t.Fatalf("forecast %+v", r)
	}
	am := func(n int64) string { return money.Amount(n).String() }
	var tp, tw, tc, tb int64
	for i, row := range r.Data {
		m := w.cur.AddDate(0, i-history, 0)
		kind, base := "future", w.cur
		switch {
		case i < history:
			kind, base = "past", m
		case i == history:
			kind = "current"
		}
		if row.Month != m.Format("2006-01") || row.Kind != kind || !row.From.Equal(m) || !row.To.Equal(m.AddDate(0, 1, 0)) {
			t.Errorf("row %d = %s %s %v %v, want %s %s", i, row.Month, row.Kind, row.From, row.To, m.Format("2006-01"), kind)
		}
		won := w.fcWon(sees, m.UTC(), m.AddDate(0, 1, 0).UTC())
		if kind == "future" {
			if row.ActualWon != nil {
				t.Errorf("%s actual_won %v", row.Month, *row.ActualWon)
			}
		} else if row.ActualWon == nil || *row.ActualWon != am(won) {
			t.Errorf("%s actual_won %v, want %s", row.Month, fcDeref(row.ActualWon), am(won))
		}
		if kind == "past" {
			if row.Pipeline != nil || row.Weighted != nil || row.Commit != nil || row.BestCase != nil {
				t.Errorf("%s has pipeline figures: %+v", row.Month, row)
			}
		} else {
			// The month's open deals; the current month also the overdue.
			var pipe, weighted, commit, best int64
			first, next := m.Format(time.DateOnly), m.AddDate(0, 1, 0).Format(time.DateOnly)
			for _, o := range w.opps {
				if o.status != "open" || o.deleted || !sees(o.owner) || o.expected == nil {
					continue
				}
				if *o.expected >= next || (*o.expected < first && kind != "current") {
					continue
				}
				pipe += o.amount
				weighted += fcRound(big.NewRat(o.amount*int64(o.prob), 100))
				if o.prob >= 80 {
					commit += o.amount
				} else if o.prob >= 50 {
					best += o.amount
				}
			}
			commit += won
			best += commit
			for name, pair := range map[string][2]*string{"pipeline": {row.Pipeline, fcPtr(am(pipe))},
				"weighted": {row.Weighted, fcPtr(am(weighted))}, "commit": {row.Commit, fcPtr(am(commit))},
				"best_case": {row.BestCase, fcPtr(am(best))}} {
				if pair[0] == nil || *pair[0] != *pair[1] {
					t.Errorf("%s %s = %v, want %s", row.Month, name, fcDeref(pair[0]), *pair[1])
				}
			}
			tp, tw, tc, tb = tp+pipe, tw+weighted, tc+commit, tb+best
		}
		level, index, proj := w.fcProjection(sees, m, base)
		if row.Level != am(level) || row.SeasonalIndex != index || row.Projection != am(proj) {
			t.Errorf("%s projection %s × %s = %s, want %s × %s = %s", row.Month, row.Level, row.SeasonalIndex,
				row.Projection, am(level), index, am(proj))
		}
	}
	if r.Totals.Pipeline != am(tp) || r.Totals.Weighted != am(tw) || r.Totals.Commit != am(tc) ||
		r.Totals.BestCase != am(tb) {
		t.Errorf("totals %+v, want %s %s %s %s", r.Totals, am(tp), am(tw), am(tc), am(tb))
	}
}

func fcPtr(s string) *string { return &s }

func fcDeref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func (w *fcWorld) forecast(c *apptest.Client, query string) fcReport {
	w.env.T.Helper()
	var out fcReport
	c.Get("/reports/forecast?" + query).Status(http.StatusOK).Decode(&out)
	return out
}

func TestForecastMatchesBruteForce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newFcWorld(t, b)
		all := func(string) bool { return true }
		east := func(o string) bool { return o == w.mgr.ID || o == w.repSH.ID || o == w.repE.ID }

		t.Run("admin", func(t *testing.T) {
			r := w.forecast(w.env.Admin, "")
			w.fcCheck(t, r, all, 6, 12)
			// The seed is seasonal, so some projections are not flat.
			flat := true
			for _, row := range r.Data {
				if row.SeasonalIndex != "1.0000" {
					flat = false
				}
			}
			if flat {
				t.Errorf("no seasonal index in %+v", r.Data)
			}
			w.fcCheck(t, w.forecast(w.env.Admin, "months=1&history=0"), all, 1, 0)
			// Far back, fewer than two years of history: the index is 1.
			w.fcCheck(t, w.forecast(w.env.Admin, "months=24&history=36"), all, 24, 36)
		})
		t.Run("scope", func(t *testing.T) {
			w.fcCheck(t, w.forecast(w.mgr.Client, "months=7&history=3"), east, 7, 3)
			w.fcCheck(t, w.forecast(w.repSH.Client, "months=7&history=3"), func(o string) bool { return o == w.repSH.ID }, 7, 3)
			w.fcCheck(t, w.forecast(w.mgr.Client, "months=7&history=3&team_id="+w.shanghai),
				func(o string) bool { return o == w.repSH.ID }, 7, 3)
			w.fcCheck(t, w.forecast(w.env.Admin, "months=7&history=3&user_id="+w.repN.ID),
				func(o string) bool { return o == w.repN.ID }, 7, 3)
			for _, tt := range []struct {
				c            *apptest.Client
				query, field string
			}{
				{w.mgr.Client, "team_id=" + w.north, "team_id"},
				{w.mgr.Client, "user_id=" + w.repN.ID, "user_id"},
				{w.repSH.Client, "user_id=" + w.repE.ID, "user_id"},
				{w.repSH.Client, "team_id=" + w.east, "team_id"},
				{w.env.Admin, "months=0", "months"},
				{w.env.Admin, "months=25", "months"},
				{w.env.Admin, "months=six", "months"},
				{w.env.Admin, "history=-1", "history"},
				{w.env.Admin, "history=37", "history"},
				{w.env.Admin, "format=pdf", "format"},
			} {
				p := tt.c.Get("/reports/forecast?" + tt.query).Status(http.StatusUnprocessableEntity).Problem()
				if !p.HasField(tt.field) {
					t.Errorf("%s: %+v", tt.query, p)
				}
			}
		})
		t.Run("csv and xlsx", func(t *testing.T) {
			recs := csvRows(t, w.env.Admin.Get("/reports/forecast?format=csv").Status(http.StatusOK))
			if len(recs) != 19 || recs[0][0] != "month" || recs[1][1] != "past" || recs[13][1] != "current" ||
				recs[1][3] != "" || recs[18][2] != "" {
				t.Errorf("csv %v", recs)
			}
			matchWorkbook(t, w.env.Admin, "/reports/forecast?months=6", true)
		})
	})
}
