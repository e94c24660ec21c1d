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
	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/pricing"
	"github.com/opencrm/crm/internal/product"
	"github.com/opencrm/crm/internal/report"
	"github.com/opencrm/crm/internal/salesdoc"
	"github.com/shopspring/decimal"
)

// prProduct is a seeded catalogue product.
type prProduct struct {
	id, name, category string
	price              money.Amount
	active             bool
	cost               *money.Amount
}

// prLine is a seeded order line with its order's facts.
type prLine struct {
	owner      string
	status     string
	approvedAt *time.Time
	productID  *string
	qty        decimal.Decimal
	net        money.Amount
}

func prAmount(s string) *money.Amount {
	a, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return &a
}

// prSeedSales writes a small catalogue and orders straight into the
// tables: approved_at is set by the approval engine, so HTTP could not put
// it on the period edges. Orders cycle through approved, shipped,
// completed, cancelled (after approval) and submitted (never approved).
func prSeedSales(t *testing.T, o *prOrg) ([]prProduct, []prLine) {
	g := o.env.App.DB.Conn(context.Background())
	now := time.Now().UTC()
	products := []prProduct{
		{name: "立式加工中心", category: "机床", price: *prAmount("1280.00"), active: true, cost: prAmount("960.37")},
		{name: "数控车床", category: "机床", price: *prAmount("880.50"), active: true}, // cost unknown
		{name: "旧型号铣床", category: "机床", price: *prAmount("300.00"), cost: prAmount("100.00")},
		{name: "刀具套装", category: "配件", price: *prAmount("45.99"), active: true, cost: prAmount("12.34")},
		{name: "润滑油", category: "配件", price: *prAmount("9.90"), active: true, cost: prAmount("3.10")},
		{name: "售后服务包", category: "服务", price: *prAmount("500.00"), active: true, cost: prAmount("0.00")},
	}
	for i := range products {
		p := &products[i]
		p.id = uuid.NewString()
		sku := fmt.Sprintf("PR-%d-%s", i, p.id[:4])
		if err := g.Create(&product.Product{ID: p.id, SKU: sku, SKUKey: product.SKUKey(sku), Name: p.name,
			Category: p.category, Unit: "台", Price: p.price, Cost: p.cost, Currency: "CNY", Active: true,
			CreatedAt: now, UpdatedAt: now, Version: 1}).Error; err != nil {
			t.Fatal(err)
		}
		if !p.active { // retired after it sold
			if err := g.Model(&product.Product{}).Where("id = ?", p.id).Update("active", false).Error; err != nil {
				t.Fatal(err)
			}
		}
	}
	statuses := []string{order.StatusApproved, order.StatusShipped, order.StatusCompleted, order.StatusCancelled,
		order.StatusSubmitted}
	qtys := []string{"1", "2.5", "0.3333", "3", "7", "1.0001"}
	var lines []prLine
	n := 0
	for ui, u := range o.users {
		for ei, at := range prEdges {
			n++
			id := uuid.NewString()
			status := statuses[(ui+ei)%len(statuses)]
			ord := &order.Order{ID: id, Number: "SO-PR-" + strings.ReplaceAll(id, "-", "")[:20], CustomerID: uuid.NewString(),
				Currency: "CNY", Status: status, PaymentStatus: order.PaymentUnpaid, OwnerID: u.ID, CreatedBy: u.ID,
				CreatedAt: now, UpdatedAt: now, Version: 1}
			if status != order.StatusSubmitted {
				a := at
				ord.ApprovedAt = &a
			}
			if err := g.Create(ord).Error; err != nil {
				t.Fatal(err)
			}
			// Products 0–3 on every order (the retired one on even edges),
			// the service pack only outside November, and a free-text line.
			var items []*prProduct
			for pi := range products {
				switch {
				case pi == 2 && ei%2 == 1, pi == 4, pi == 5 && prInNov(at):
					continue
				}
				items = append(items, &products[pi])
			}
			items = append(items, nil)
			for k, p := range items {
				qty := decimal.RequireFromString(qtys[(n+k)%len(qtys)])
				price := *prAmount("123.45")
				name := "定制服务"
				var pid *string
				if p != nil {
					price, name, pid = p.price, p.name, &p.id
				}
				disc := decimal.NewFromInt(int64((ui*3 + ei + k) % 4 * 5))
				tax := decimal.RequireFromString("0.13")
				lt := pricing.Compute(pricing.Line{Quantity: qty, UnitPrice: price, DiscountPercent: disc, TaxRate: tax})
				if err := g.Create(&salesdoc.Item{ID: uuid.NewString(), DocType: "order", DocID: id, Position: k + 1,
					ProductID: pid, Name: name, Quantity: qty.String(), UnitPrice: price, DiscountPercent: disc.String(),
					TaxRate: tax.String(), Gross: lt.Gross, Discount: lt.Discount, Net: lt.Net, Tax: lt.Tax,
					Total: lt.Total}).Error; err != nil {
					t.Fatal(err)
				}
				lines = append(lines, prLine{owner: u.ID, status: status, approvedAt: ord.ApprovedAt, productID: pid,
					qty: qty, net: lt.Net})
			}
		}
	}
	return products, lines
}

// prBrute recomputes the product report from the seeded lines, one at a
// time: the lines of orders approved in November and not cancelled, of
// owners the viewer sees, in categories (all when empty).
func prBrute(products []prProduct, lines []prLine, sees func(string) bool, categories []string, limit int,
	costs bool) report.ProductsResponse {
	return prBruteIn(products, lines, sees, categories, limit, costs, novStart, novEnd)
}

// prBruteIn is prBrute over the orders approved in [from, to).
func prBruteIn(products []prProduct, lines []prLine, sees func(string) bool, categories []string, limit int,
	costs bool, from, to time.Time) report.ProductsResponse {
	type agg struct {
		qty     decimal.Decimal
		revenue money.Amount
		sold    bool
	}
	by := map[string]*agg{}
	for _, p := range products {
		by[p.id] = &agg{qty: decimal.Zero}
	}
	unlisted := report.UnlistedSalesView{}
	unQty, unRev := decimal.Zero, money.Amount(0)
	for _, l := range lines {
		if l.approvedAt == nil || l.approvedAt.Before(from) || !l.approvedAt.Before(to) || l.status == order.StatusCancelled ||
			!sees(l.owner) {
			continue
		}
		if l.productID == nil {
			unlisted.Lines++
			unQty = unQty.Add(l.qty)
			unRev += l.net
			continue
		}
		a := by[*l.productID]
		a.qty, a.revenue, a.sold = a.qty.Add(l.qty), a.revenue+l.net, true
	}
	unlisted.Quantity, unlisted.Revenue = unQty.String(), unRev.String()
	out := report.ProductsResponse{Limit: limit, CostVisible: costs}
	type row struct {
		v       report.ProductSalesView
		revenue money.Amount
		qty     decimal.Decimal
	}
	var sold, active []row
	totQty, totRev, totCost, costKnown := decimal.Zero, money.Amount(0), money.Amount(0), true
	for _, p := range products {
		if len(categories) > 0 && !slices.Contains(categories, p.category) {
			continue
		}
		a := by[p.id]
		r := row{v: report.ProductSalesView{ProductID: p.id, Name: p.name, Category: p.category, Active: p.active,
			Quantity: a.qty.String(), Revenue: a.revenue.String()}, revenue: a.revenue, qty: a.qty}
		if p.cost != nil {
			c := money.FromDecimal(p.cost.Decimal().Mul(a.qty))
			m := a.revenue - c
			cs, ms := c.String(), m.String()
			r.v.Cost, r.v.Margin = &cs, &ms
			if a.revenue != 0 {
				rt := decimal.NewFromInt(int64(m)).DivRound(decimal.NewFromInt(int64(a.revenue)), 4).StringFixed(4)
				r.v.MarginRate = &rt
			}
		}
		if a.sold {
			sold = append(sold, r)
			totQty, totRev = totQty.Add(a.qty), totRev+a.revenue
			if p.cost == nil {
				costKnown = false
			} else {
				totCost += mustMoney(*r.v.Cost)
			}
		}
		if p.active {
			active = append(active, r)
		}
	}
	byName := func(a, b row) int {
		return cmp.Or(strings.Compare(a.v.Name, b.v.Name), strings.Compare(a.v.ProductID, b.v.ProductID))
	}
	slices.SortFunc(sold, func(a, b row) int {
		return cmp.Or(cmp.Compare(b.revenue, a.revenue), b.qty.Cmp(a.qty), byName(a, b))
	})
	slices.SortFunc(active, func(a, b row) int {
		return cmp.Or(cmp.Compare(a.revenue, b.revenue), a.qty.Cmp(b.qty), byName(a, b))
	})
	take := func(rows []row) []report.ProductSalesView {
		out := []report.ProductSalesView{}
		for i, r := range rows[:min(limit, len(rows))] {
			r.v.Rank = i + 1
			if !costs {
				r.v.Cost, r.v.Margin, r.v.MarginRate = nil, nil, nil
			}
			out = append(out, r.v)
		}
		return out
	}
	out.BestSellers, out.WorstSellers = take(sold), take(active)
	out.Totals = report.ProductTotalsView{Quantity: totQty.String(), Revenue: totRev.String()}
	if costs && costKnown {
		c, m := totCost.String(), (totRev - totCost).String()
		out.Totals.Cost, out.Totals.Margin = &c, &m
		if totRev != 0 {
			rt := decimal.NewFromInt(int64(totRev-totCost)).DivRound(decimal.NewFromInt(int64(totRev)), 4).StringFixed(4)
			out.Totals.MarginRate = &rt
		}
	}
	if len(categories) == 0 {
		out.Unlisted = &unlisted
	}
	return out
}

func mustMoney(s string) money.Amount {
	a, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

func prSameRows(t *testing.T, label string, got, want []report.ProductSalesView) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d rows, want %d:\n%+v\n%+v", label, len(got), len(want), got, want)
		return
	}
	for i, g := range got {
		w := want[i]
		if g.Rank != w.Rank || g.ProductID != w.ProductID || g.Name != w.Name || g.Category != w.Category ||
			g.Active != w.Active || g.Quantity != w.Quantity || g.Revenue != w.Revenue || str(g.Cost) != str(w.Cost) ||
			str(g.Margin) != str(w.Margin) || str(g.MarginRate) != str(w.MarginRate) {
			t.Errorf("%s #%d: %+v (cost %s margin %s rate %s), want %+v (cost %s margin %s rate %s)", label, i, g,
				str(g.Cost), str(g.Margin), str(g.MarginRate), w, str(w.Cost), str(w.Margin), str(w.MarginRate))
		}
	}
}

func TestProductsReportMatchesBruteForce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		o := prNewOrg(t, b)
		products, lines := prSeedSales(t, o)
		for _, tc := range []struct {
			label      string
			viewer     *apptest.User
			query      string
			sees       func(string) bool
			categories []string
			limit      int
		}{
			{"admin", nil, "period=2026-11", nil, nil, 10},
			{"admin dates", nil, "from=2026-11-01&to=2026-11-30", nil, nil, 10},
			{"admin limit", nil, "period=2026-11&limit=2", nil, nil, 2},
			{"admin 配件", nil, "period=2026-11&category=配件", nil, []string{"配件"}, 10},
			{"admin 华北", nil, "period=2026-11&team_id=" + o.north, func(s string) bool { return s == o.repN.ID }, nil, 10},
			{"manager", o.mgr, "period=2026-11", nil, nil, 10},
			{"manager two categories", o.mgr, "period=2026-11&category=配件,服务", nil, []string{"配件", "服务"}, 10},
			{"manager 上海", o.mgr, "period=2026-11&team_id=" + o.shanghai, func(s string) bool { return s == o.repSH.ID }, nil, 10},
			{"manager one rep", o.mgr, "period=2026-11&user_id=" + o.repE.ID, func(s string) bool { return s == o.repE.ID }, nil, 10},
			{"rep", o.repSH, "period=2026-11", nil, nil, 10},
			{"rep 配件", o.repN, "period=2026-11&category=配件&limit=1", nil, []string{"配件"}, 1},
		} {
			sees := tc.sees
			if sees == nil {
				sees = o.prSees(tc.viewer)
			}
			costs := tc.viewer == nil || tc.viewer == o.mgr
			var got report.ProductsResponse
			o.prClient(tc.viewer).Get("/reports/products?" + tc.query).Status(http.StatusOK).Decode(&got)
			want := prBrute(products, lines, sees, tc.categories, tc.limit, costs)
			if !got.Range.From.Equal(novStart) || !got.Range.To.Equal(novEnd) || got.Limit != tc.limit ||
				got.CostVisible != costs {
				t.Errorf("%s: range %+v limit %d cost_visible %v", tc.label, got.Range, got.Limit, got.CostVisible)
			}
			prSameRows(t, tc.label+" best", got.BestSellers, want.BestSellers)
			prSameRows(t, tc.label+" worst", got.WorstSellers, want.WorstSellers)
			gt, wt := got.Totals, want.Totals
			if gt.Quantity != wt.Quantity || gt.Revenue != wt.Revenue || str(gt.Cost) != str(wt.Cost) ||
				str(gt.Margin) != str(wt.Margin) || str(gt.MarginRate) != str(wt.MarginRate) {
				t.Errorf("%s totals %+v (cost %s margin %s rate %s), want %+v (cost %s margin %s rate %s)", tc.label, gt,
					str(gt.Cost), str(gt.Margin), str(gt.MarginRate), wt, str(wt.Cost), str(wt.Margin), str(wt.MarginRate))
			}
			if (got.Unlisted == nil) != (want.Unlisted == nil) || got.Unlisted != nil && *got.Unlisted != *want.Unlisted {
				t.Errorf("%s unlisted %+v, want %+v", tc.label, got.Unlisted, want.Unlisted)
			}
			// Reps never see a cost, anywhere in the answer.
			if !costs {
				if raw := string(o.prClient(tc.viewer).Get("/reports/products?" + tc.query).Status(http.StatusOK).Body); strings.Contains(raw, `"cost":"`) ||
					strings.Contains(raw, `"margin":"`) {
					t.Errorf("%s: rep sees costs: %s", tc.label, raw)
				}
			}
		}
		// The seed covers what the report must tell apart.
		var all report.ProductsResponse
		o.env.Admin.Get("/reports/products?period=2026-11").Status(http.StatusOK).Decode(&all)
		if all.Totals.Cost != nil || len(all.BestSellers) != 4 || all.Unlisted == nil || all.Unlisted.Lines == 0 ||
			!slices.ContainsFunc(all.BestSellers, func(r report.ProductSalesView) bool { return !r.Active }) {
			t.Errorf("seed: %+v", all)
		}

		o.prScopeErrors(t, "/reports/products", "period=2026-11&limit=0", "limit", "period=2026-11&limit=101", "limit",
			"period=2026-11&limit=ten", "limit")
		recs := csvRows(t, o.mgr.Client.Get("/reports/products?period=2026-11&limit=3&format=csv").Status(http.StatusOK))
		if len(recs) != 7 || recs[1][0] != "best" || recs[6][0] != "worst" || recs[0][8] != "revenue" {
			t.Errorf("csv %v", recs)
		}
		matchWorkbook(t, o.mgr.Client, "/reports/products?period=2026-11", true)
		matchWorkbook(t, o.repSH.Client, "/reports/products?period=2026-11", true)
	})
}
