package report_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/shopspring/decimal"
)

type commissionReport struct {
	Data []struct {
		UserID      string `json:"user_id"`
		PlanID      string `json:"plan_id"`
		Basis       string `json:"basis"`
		BasisAmount string `json:"basis_amount"`
		Commission  string `json:"commission"`
		Tiers       []struct {
			From       string  `json:"from"`
			To         *string `json:"to"`
			Rate       string  `json:"rate"`
			Base       string  `json:"base"`
			Commission string  `json:"commission"`
		} `json:"tiers"`
	} `json:"data"`
}

// bruteTier is a tier in minor units for the independent computation.
type bruteTier struct {
	from, to int64 // to < 0: open
	rate     string
}

var planTiers = []bruteTier{{0, 100_000_00, "0.03"}, {100_000_00, 500_000_00, "0.05"}, {500_000_00, -1, "0.0825"}}

// bruteCommission applies the tiers to basis the slow way: the part of
// the basis inside each tier times its rate, rounded half-up to the cent.
func bruteCommission(basis int64) (total int64, bases, amounts []int64) {
	for _, t := range planTiers {
		top := basis
		if t.to >= 0 && t.to < top {
			top = t.to
		}
		base := max(top-t.from, 0)
		c := decimal.NewFromInt(base).Mul(decimal.RequireFromString(t.rate)).Round(0).IntPart()
		bases, amounts = append(bases, base), append(amounts, c)
		total += c
	}
	return total, bases, amounts
}

func TestCommissionsAndPeriodEdges(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		edgeRep := w.env.User("rep", w.shanghai)
		// On the last day of November in Shanghai: 15:59:59 UTC is still
		// November, 16:00:00 UTC is already December. The first is exactly
		// the first tier's upper bound.
		nov := time.Date(2026, 11, 30, 15, 59, 59, 0, time.UTC)
		dec := time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)
		q4 := time.Date(2026, 12, 31, 15, 59, 59, 0, time.UTC)
		q1 := time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)
		for _, p := range []struct {
			at     time.Time
			amount int64
		}{{nov, 100_000_00}, {dec, 1_00}, {q4, 2_00}, {q1, 4_00}} {
			w.seed.add(fact{metric: "received_amount", owner: edgeRep.ID, at: p.at, amount: p.amount, counts: true})
		}
		received := func(query string) string {
			var r perfReport
			w.env.Admin.Get("/reports/performance?user_id=" + edgeRep.ID + "&" + query).Status(http.StatusOK).Decode(&r)
			return r.Data[0].ReceivedAmount
		}
		for q, want := range map[string]string{"period=2026-11": "100000.00", "period=2026-12": "3.00",
			"period=2026-Q4": "100003.00", "period=2027-Q1": "4.00", "period=2027": "4.00",
			"from=2026-11-30&to=2026-11-30": "100000.00", "from=2026-12-01&to=2026-12-31": "3.00"} {
			if got := received(q); got != want {
				t.Errorf("%s: received %s, want %s", q, got, want)
			}
		}

		tiers := []map[string]any{}
		for _, tr := range planTiers {
			m := map[string]any{"from": money.Amount(tr.from).String(), "to": nil, "rate": tr.rate}
			if tr.to >= 0 {
				m["to"] = money.Amount(tr.to).String()
			}
			tiers = append(tiers, m)
		}
		var east, lapsed, inactive struct{ ID string }
		w.env.Admin.Post("/commission-plans", map[string]any{"name": "华东回款提成", "basis": "received_amount",
			"tiers": tiers, "effective_from": "2026-01-01", "team_ids": []string{w.east}}).
			Status(http.StatusCreated).Decode(&east)
		w.env.Admin.Post("/commission-plans", map[string]any{"name": "华北旧方案", "basis": "won_amount",
			"tiers": tiers, "effective_from": "2026-01-01", "effective_to": "2026-10-31",
			"user_ids": []string{w.repN.ID}}).Status(http.StatusCreated).Decode(&lapsed)
		w.env.Admin.Post("/commission-plans", map[string]any{"name": "停用", "basis": "won_amount",
			"tiers": tiers, "effective_from": "2026-01-01", "active": false, "user_ids": []string{w.repE.ID}}).
			Status(http.StatusCreated).Decode(&inactive)

		check := func(c *apptest.Client, query string, wantUsers ...string) {
			t.Helper()
			var r commissionReport
			c.Get("/reports/commissions?" + query).Status(http.StatusOK).Decode(&r)
			var got []string
			for _, row := range r.Data {
				got = append(got, row.UserID)
				if row.PlanID != east.ID || row.Basis != "received_amount" {
					t.Errorf("%s: plan %s basis %s", query, row.PlanID, row.Basis)
				}
				basis := w.seed.expect(row.UserID, "received_amount", w.start, w.end)
				total, bases, amounts := bruteCommission(basis)
				if row.BasisAmount != money.Amount(basis).String() || row.Commission != money.Amount(total).String() ||
					len(row.Tiers) != len(planTiers) {
					t.Errorf("%s: %+v, want basis %d commission %d", query, row, basis, total)
					continue
				}
				for i, tr := range row.Tiers {
					if tr.Base != money.Amount(bases[i]).String() || tr.Commission != money.Amount(amounts[i]).String() ||
						tr.Rate != planTiers[i].rate || (tr.To == nil) != (planTiers[i].to < 0) {
						t.Errorf("%s: tier %d %+v, want base %d commission %d", query, i, tr, bases[i], amounts[i])
					}
				}
			}
			slices.Sort(got)
			if want := sorted(wantUsers...); !slices.Equal(got, want) {
				t.Errorf("%s: users %v, want %v", query, got, want)
			}
		}
		check(w.env.Admin, "period=2026-11", w.mgr.ID, w.repSH.ID, w.repE.ID, edgeRep.ID)
		check(w.mgr.Client, "period=2026-11", w.mgr.ID, w.repSH.ID, w.repE.ID, edgeRep.ID)
		check(w.mgr.Client, "period=2026-11&team_id="+w.shanghai, w.repSH.ID, edgeRep.ID)
		check(w.repSH.Client, "period=2026-11", w.repSH.ID)
		check(w.repN.Client, "period=2026-11")
		// The lapsed plan still applies to a period it overlaps.
		var oct commissionReport
		w.env.Admin.Get("/reports/commissions?period=2026-10&user_id=" + w.repN.ID).Status(http.StatusOK).Decode(&oct)
		if len(oct.Data) != 1 || oct.Data[0].PlanID != lapsed.ID {
			t.Errorf("October %+v", oct)
		}

		// Exactly at the first tier's bound: all of it at 3%, nothing above.
		var edge commissionReport
		w.env.Admin.Get("/reports/commissions?period=2026-11&user_id=" + edgeRep.ID).Status(http.StatusOK).Decode(&edge)
		if r := edge.Data[0]; r.Commission != "3000.00" || r.Tiers[0].Base != "100000.00" || r.Tiers[1].Base != "0.00" {
			t.Errorf("edge %+v", r)
		}

		recs := csvRows(t, w.mgr.Get("/reports/commissions?period=2026-11&format=csv").Status(http.StatusOK))
		if len(recs) != 5 || recs[0][0] != "user_id" || recs[0][len(recs[0])-1] != "commission" {
			t.Errorf("csv %v", recs)
		}
		matchWorkbook(t, w.mgr.Client, "/reports/commissions?period=2026-11", true)
		for q, field := range map[string]string{"": "period", "period=2026-Q5": "period",
			"period=2026-11&team_id=" + w.north: "team_id"} {
			if p := w.mgr.Get("/reports/commissions?" + q).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField(field) {
				t.Errorf("%q: %+v", q, p)
			}
		}
	})
}
