package report_test

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/payment"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/report"
	"github.com/shopspring/decimal"
)

// cuCustomer is a seeded customer; owner "" is the public pool.
type cuCustomer struct {
	id, name, owner string
	deleted         bool
	createdAt       time.Time
	lastFollowed    *time.Time
}

// cuPayment is a seeded payment.
type cuPayment struct {
	customer string
	amount   money.Amount
	at       time.Time
	counts   bool // received, not voided
}

const cuDay = 24 * time.Hour

// cuSeed writes customers and payments straight into the tables (their
// timestamps are the server's otherwise). Each user owns four customers:
// A paid on the November edges and idle 40 days; B, followed up two days
// ago, received 70.00 in the last 90 days against 100.00 before (exactly
// −30 %); C new and falling only 29 %; D idle since created 100 days ago
// and paid only before. Plus a pool customer and a deleted one with
// payments that never count, and payments on the contracts of another
// owner (credited to the customer's owner all the same).
func cuSeed(t *testing.T, o *prOrg) ([]cuCustomer, []cuPayment) {
	g := o.env.App.DB.Conn(context.Background())
	now := time.Now().UTC().Truncate(time.Second)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	var cs []cuCustomer
	var ps []cuPayment
	pay := func(c string, amount string, at time.Time, counts bool) {
		ps = append(ps, cuPayment{customer: c, amount: mustMoney(amount), at: at, counts: counts})
	}
	for ui, u := range o.users {
		for k, kind := range []string{"A", "B", "C", "D"} {
			c := cuCustomer{id: uuid.NewString(), name: fmt.Sprintf("客户 %s%d", kind, ui), owner: u.ID,
				createdAt: ago(400 * cuDay)}
			switch kind {
			case "A":
				lf := ago(40*cuDay + time.Hour)
				c.lastFollowed = &lf
				for ei, at := range prEdges {
					pay(c.id, fmt.Sprintf("%d.%02d", (ui+1)*1000*(ei+1)+k, ei*7), at, true)
				}
				pay(c.id, "999.00", prEdges[2], false)
			case "B":
				lf := ago(2 * cuDay)
				c.lastFollowed = &lf
				pay(c.id, "70.00", ago(30*cuDay), true)
				pay(c.id, "100.00", ago(120*cuDay), true)
				pay(c.id, fmt.Sprintf("%d.00", 500*(4-ui)), prEdges[3], true)
			case "C":
				c.createdAt = ago(cuDay)
				pay(c.id, "71.00", ago(10*cuDay), true)
				pay(c.id, "100.00", ago(100*cuDay), true)
				pay(c.id, "5000.00", ago(200*cuDay), true) // before both windows
			case "D":
				c.createdAt = ago(100*cuDay + time.Minute)
				pay(c.id, fmt.Sprintf("%d.00", 50+ui), ago(150*cuDay), true)
				pay(c.id, "80.00", ago(20*cuDay), false)
			}
			cs = append(cs, c)
		}
	}
	// The same amount twice: ties go by customer id.
	for i, owner := range []string{o.repE.ID, o.mgr.ID} {
		tie := cuCustomer{id: uuid.NewString(), name: fmt.Sprintf("并列客户 %d", i), owner: owner, createdAt: ago(cuDay)}
		cs = append(cs, tie)
		pay(tie.id, "5000.00", prEdges[2].Add(time.Duration(i)*time.Hour), true)
	}
	pool := cuCustomer{id: uuid.NewString(), name: "公海客户", createdAt: ago(300 * cuDay)}
	gone := cuCustomer{id: uuid.NewString(), name: "已合并客户", owner: o.mgr.ID, deleted: true, createdAt: ago(300 * cuDay)}
	cs = append(cs, pool, gone)
	for _, c := range []cuCustomer{pool, gone} {
		pay(c.id, "88888.00", prEdges[2], true)
		pay(c.id, "100.00", ago(120*cuDay), true)
	}
	for _, c := range cs {
		row := &customer.Customer{ID: c.id, Name: c.name, LifecycleStage: "active", LastFollowedAt: c.lastFollowed,
			CreatedBy: o.mgr.ID, CreatedAt: c.createdAt, UpdatedAt: now, Version: 1}
		if c.owner != "" {
			row.OwnerID = &c.owner
		}
		if err := g.Create(row).Error; err != nil {
			t.Fatal(err)
		}
		if c.deleted {
			if err := g.Delete(row).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, p := range ps {
		// Every third payment is on a contract someone else owns.
		owner := o.repN.ID
		if i%3 != 0 {
			owner = cuOwner(cs, p.customer)
		}
		row := &payment.Payment{ID: uuid.NewString(), ContractID: uuid.NewString(), CustomerID: p.customer,
			OwnerID: owner, Amount: p.amount, Currency: "CNY", ReceivedAt: p.at, Method: "transfer",
			Status: payment.Received, CreatedBy: owner, CreatedAt: now, UpdatedAt: now, Version: 1}
		if !p.counts {
			row.Status, row.VoidedAt, row.VoidReason = payment.Voided, &now, "退回"
		}
		if err := g.Create(row).Error; err != nil {
			t.Fatal(err)
		}
	}
	return cs, ps
}

func cuOwner(cs []cuCustomer, id string) string {
	for _, c := range cs {
		if c.id == id && c.owner != "" {
			return c.owner
		}
	}
	return uuid.NewString()
}

// cuBrute recomputes the customer report for November, one payment at a
// time.
func cuBrute(cs []cuCustomer, ps []cuPayment, sees func(string) bool, asOf time.Time, days, limit int) report.CustomersResponse {
	return cuBruteIn(cs, ps, sees, novStart, novEnd, asOf, days, limit)
}

// cuBruteIn recomputes the customer report for the span [from, to).
func cuBruteIn(cs []cuCustomer, ps []cuPayment, sees func(string) bool, from, to, asOf time.Time, days, limit int) report.CustomersResponse {
	live := map[string]cuCustomer{}
	for _, c := range cs {
		if c.owner != "" && !c.deleted && sees(c.owner) {
			live[c.id] = c
		}
	}
	sum := func(id string, from, to time.Time) int64 {
		var n int64
		for _, p := range ps {
			if p.customer == id && p.counts && !p.at.Before(from) && p.at.Before(to) {
				n += int64(p.amount)
			}
		}
		return n
	}
	type top struct {
		id     string
		amount int64
	}
	var tops []top
	var total int64
	for id := range live {
		if n := sum(id, from, to); n > 0 || slices.ContainsFunc(ps, func(p cuPayment) bool {
			return p.customer == id && p.counts && !p.at.Before(from) && p.at.Before(to)
		}) {
			tops = append(tops, top{id, n})
			total += n
		}
	}
	slices.SortFunc(tops, func(a, b top) int { return cmp.Or(cmp.Compare(b.amount, a.amount), strings.Compare(a.id, b.id)) })
	share := func(n int64) string {
		return decimal.NewFromInt(n).DivRound(decimal.NewFromInt(total), 4).StringFixed(4)
	}
	out := report.CustomersResponse{Limit: limit, InactiveDays: days, Top: []report.TopCustomerView{}}
	var cum int64
	for i, tp := range tops {
		pareto := 5*cum < 4*total
		cum += tp.amount
		if pareto {
			out.Summary.ParetoCustomers++
		}
		if i < limit {
			out.Top = append(out.Top, report.TopCustomerView{Rank: i + 1, CustomerID: tp.id, Name: live[tp.id].name,
				OwnerID: live[tp.id].owner, Amount: money.Amount(tp.amount).String(), Share: share(tp.amount),
				CumulativeShare: share(cum), Pareto: pareto})
		}
	}
	out.Summary.CustomersWithRevenue, out.Summary.TotalAmount = int64(len(tops)), money.Amount(total).String()
	out.Summary.ParetoCustomerShare = rate(int(out.Summary.ParetoCustomers), len(tops))

	mid, start, cutoff := asOf.Add(-90*cuDay), asOf.Add(-180*cuDay), asOf.Add(-time.Duration(days)*cuDay)
	type risk struct {
		v     report.RiskCustomerView
		value int64
		since time.Time
	}
	var risks []risk
	for id, c := range live {
		since := c.createdAt
		if c.lastFollowed != nil {
			since = *c.lastFollowed
		}
		recent, prev := sum(id, mid, asOf), sum(id, start, mid)
		r := risk{v: report.RiskCustomerView{CustomerID: id, Name: c.name, OwnerID: c.owner, Reasons: []string{},
			LastActivityAt: c.lastFollowed, DaysInactive: int64(asOf.Sub(since) / cuDay),
			RevenueLast90d: money.Amount(recent).String(), RevenuePrevious90d: money.Amount(prev).String()},
			value: recent + prev, since: since}
		if since.Before(cutoff) {
			r.v.Reasons = append(r.v.Reasons, "inactive")
		}
		if prev > 0 && decimal.NewFromInt(recent).LessThanOrEqual(decimal.NewFromInt(prev).Mul(decimal.RequireFromString("0.7"))) {
			r.v.Reasons = append(r.v.Reasons, "revenue_falling")
		}
		if prev > 0 {
			ch := decimal.NewFromInt(recent-prev).DivRound(decimal.NewFromInt(prev), 4).StringFixed(4)
			r.v.RevenueChange = &ch
		}
		if len(r.v.Reasons) > 0 {
			risks = append(risks, r)
		}
	}
	slices.SortFunc(risks, func(a, b risk) int {
		return cmp.Or(cmp.Compare(b.value, a.value), a.since.Compare(b.since), strings.Compare(a.v.CustomerID, b.v.CustomerID))
	})
	out.AtRisk.Total, out.AtRisk.Data = int64(len(risks)), []report.RiskCustomerView{}
	for _, r := range risks[:min(limit, len(risks))] {
		out.AtRisk.Data = append(out.AtRisk.Data, r.v)
	}
	return out
}

func cuTime(t *time.Time) string {
	if t == nil {
		return "<nil>"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func cuCompare(t *testing.T, label string, got, want report.CustomersResponse) {
	t.Helper()
	if got.Limit != want.Limit || got.InactiveDays != want.InactiveDays || got.Summary.CustomersWithRevenue != want.Summary.CustomersWithRevenue ||
		got.Summary.TotalAmount != want.Summary.TotalAmount || got.Summary.ParetoCustomers != want.Summary.ParetoCustomers ||
		str(got.Summary.ParetoCustomerShare) != str(want.Summary.ParetoCustomerShare) {
		t.Errorf("%s: summary %+v (%s) limit %d days %d, want %+v (%s) %d %d", label, got.Summary,
			str(got.Summary.ParetoCustomerShare), got.Limit, got.InactiveDays, want.Summary,
			str(want.Summary.ParetoCustomerShare), want.Limit, want.InactiveDays)
	}
	if !slices.Equal(got.Top, want.Top) {
		t.Errorf("%s: top\n%+v\nwant\n%+v", label, got.Top, want.Top)
	}
	if got.AtRisk.Total != want.AtRisk.Total || len(got.AtRisk.Data) != len(want.AtRisk.Data) {
		t.Errorf("%s: at risk %d %+v, want %d %+v", label, got.AtRisk.Total, got.AtRisk.Data, want.AtRisk.Total, want.AtRisk.Data)
		return
	}
	for i, g := range got.AtRisk.Data {
		w := want.AtRisk.Data[i]
		if g.CustomerID != w.CustomerID || g.Name != w.Name || g.OwnerID != w.OwnerID || !slices.Equal(g.Reasons, w.Reasons) ||
			cuTime(g.LastActivityAt) != cuTime(w.LastActivityAt) || g.DaysInactive != w.DaysInactive ||
			g.RevenueLast90d != w.RevenueLast90d || g.RevenuePrevious90d != w.RevenuePrevious90d ||
			str(g.RevenueChange) != str(w.RevenueChange) {
			t.Errorf("%s: at risk #%d %+v (%s, %s), want %+v (%s, %s)", label, i, g, cuTime(g.LastActivityAt),
				str(g.RevenueChange), w, cuTime(w.LastActivityAt), str(w.RevenueChange))
		}
	}
}

func TestCustomersReportMatchesBruteForce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		o := prNewOrg(t, b)
		cs, ps := cuSeed(t, o)
		for _, tc := range []struct {
			label       string
			viewer      *apptest.User
			query       string
			sees        func(string) bool
			days, limit int
		}{
			{"admin", nil, "period=2026-11", nil, 30, 50},
			{"admin dates", nil, "from=2026-11-01&to=2026-11-30", nil, 30, 50},
			{"admin limit", nil, "period=2026-11&limit=3&inactive_days=45", nil, 45, 3},
			{"admin idle 5 days", nil, "period=2026-11&inactive_days=5", nil, 5, 50},
			{"admin 华北", nil, "period=2026-11&team_id=" + o.north, func(s string) bool { return s == o.repN.ID }, 30, 50},
			{"manager", o.mgr, "period=2026-11", nil, 30, 50},
			{"manager 上海", o.mgr, "period=2026-11&team_id=" + o.shanghai, func(s string) bool { return s == o.repSH.ID }, 30, 50},
			{"manager one rep", o.mgr, "period=2026-11&user_id=" + o.repE.ID + "&inactive_days=365", func(s string) bool { return s == o.repE.ID }, 365, 50},
			{"rep", o.repSH, "period=2026-11", nil, 30, 50},
			{"rep limit", o.repE, "period=2026-11&limit=1", nil, 30, 1},
		} {
			sees := tc.sees
			if sees == nil {
				sees = o.prSees(tc.viewer)
			}
			var got report.CustomersResponse
			o.prClient(tc.viewer).Get("/reports/customers?" + tc.query).Status(http.StatusOK).Decode(&got)
			if !got.Range.From.Equal(novStart) || !got.Range.To.Equal(novEnd) {
				t.Errorf("%s: range %+v", tc.label, got.Range)
			}
			if d := time.Since(got.AtRisk.AsOf); d < 0 || d > time.Minute {
				t.Errorf("%s: as_of %s", tc.label, got.AtRisk.AsOf)
			}
			cuCompare(t, tc.label, got, cuBrute(cs, ps, sees, got.AtRisk.AsOf, tc.days, tc.limit))
		}
		// The seed covers each reason alone and both together, and a
		// customer past the 80 %.
		var all report.CustomersResponse
		o.env.Admin.Get("/reports/customers?period=2026-11").Status(http.StatusOK).Decode(&all)
		reasons := map[string]bool{}
		for _, r := range all.AtRisk.Data {
			reasons[strings.Join(r.Reasons, "+")] = true
		}
		if !reasons["inactive"] || !reasons["revenue_falling"] || !reasons["inactive+revenue_falling"] ||
			all.Summary.ParetoCustomers == 0 || all.Summary.ParetoCustomers == all.Summary.CustomersWithRevenue ||
			!slices.ContainsFunc(all.Top, func(r report.TopCustomerView) bool { return r.Amount == "5000.00" && r.Name == "并列客户 1" }) {
			t.Errorf("seed: reasons %v summary %+v", reasons, all.Summary)
		}

		o.prScopeErrors(t, "/reports/customers", "period=2026-11&limit=0", "limit", "period=2026-11&limit=501", "limit",
			"period=2026-11&inactive_days=0", "inactive_days", "period=2026-11&inactive_days=366", "inactive_days",
			"period=2026-11&inactive_days=x", "inactive_days")
		recs := csvRows(t, o.mgr.Client.Get("/reports/customers?period=2026-11&limit=4&format=csv").Status(http.StatusOK))
		if len(recs) != 5 || recs[0][4] != "amount" || recs[1][0] != "1" {
			t.Errorf("csv %v", recs)
		}
		matchWorkbook(t, o.mgr.Client, "/reports/customers?period=2026-11", true)
		// amount as columns, cumulative_share as a line on a second axis.
		if wb := readWorkbook(t, o.mgr.Client.Get("/reports/customers?period=2026-11&format=xlsx").Status(http.StatusOK)); len(wb.charts) != 1 ||
			!strings.Contains(wb.charts[0], "<barChart>") || !strings.Contains(wb.charts[0], "<lineChart>") ||
			strings.Count(wb.charts[0], "<valAx>") != 2 {
			t.Errorf("combo chart: %v", wb.charts)
		}
		matchWorkbook(t, o.repN.Client, "/reports/customers?period=2026-11", true)
	})
}
