package report_test

import (
	"context"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/report"
	"github.com/shopspring/decimal"
)

// TestProductSalesRollupMatchesPlainQuery seeds the product report's
// orders, then changes them the ways writers can, in plain SQL and several
// rows per statement where it can: orders approved, cancelled, re-opened
// and re-dated onto the month edges of both zones or un-approved; lines
// re-priced, re-quantified, moved to another product or to free text,
// copied onto other orders and deleted; orders deleted before or after
// their lines. Then rollup_product_sales (v0025) must equal its sums
// recomputed line by line, and an admin's GET /reports/products (which
// reads it) the brute force over periods whose ends fall before, on and
// after UTC month starts, with and without a category.
func TestProductSalesRollupMatchesPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		o := prNewOrg(t, b)
		products, _ := prSeedSales(t, o)
		g := o.env.App.DB.Conn(context.Background())
		rnd := rand.New(rand.NewPCG(25, 11))
		exec := func(q string, args ...any) {
			t.Helper()
			if err := g.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		ids := func(table, where string) []string {
			var out []string
			if err := g.Table(table).Where(where).Order("id").Pluck("id", &out).Error; err != nil {
				t.Fatal(err)
			}
			return out
		}
		edges := []time.Time{novStart.Add(-time.Second), novStart, utcNov.Add(-time.Second), utcNov,
			novEnd.Add(-time.Second), novEnd, utcDec.Add(-time.Second), utcDec}
		when := func() time.Time {
			if rnd.IntN(2) == 0 {
				return edges[rnd.IntN(len(edges))]
			}
			return utcOct.Add(time.Duration(rnd.Int64N(int64(utcJan.Sub(utcOct)))))
		}
		for range 150 {
			orders := ids("orders", "1 = 1")
			lines := ids("document_items", "doc_type = 'order'")
			pickOrder := func() string { return orders[rnd.IntN(len(orders))] }
			pickLine := func() string { return lines[rnd.IntN(len(lines))] }
			op := rnd.IntN(11)
			if op >= 8 && op <= 9 && len(orders) < 15 { // keep orders to write to
				op = rnd.IntN(8)
			}
			switch op {
			case 10: // re-owned, two orders at once
				exec("UPDATE orders SET owner_id = ? WHERE id IN (?, ?)", o.users[rnd.IntN(len(o.users))].ID, pickOrder(),
					pickOrder())
			case 0: // approved (again) at a new time, two orders at once
				exec("UPDATE orders SET status = ?, approved_at = ? WHERE id IN (?, ?)", order.StatusApproved, when(),
					pickOrder(), pickOrder())
			case 1: // cancelled
				exec("UPDATE orders SET status = ? WHERE id = ?", order.StatusCancelled, pickOrder())
			case 2: // un-approved
				exec("UPDATE orders SET status = ?, approved_at = NULL WHERE id = ?", order.StatusSubmitted, pickOrder())
			case 3: // re-dated only
				exec("UPDATE orders SET approved_at = ? WHERE id = ? AND approved_at IS NOT NULL", when(), pickOrder())
			case 4: // lines re-priced and re-quantified, several at once
				exec("UPDATE document_items SET net = net + ?, quantity = ? WHERE id IN (?, ?, ?)", rnd.Int64N(5000),
					[]string{"1", "0.25", "3.3333", "12"}[rnd.IntN(4)], pickLine(), pickLine(), pickLine())
			case 5: // a line moved to another product or to free text
				var pid any
				if rnd.IntN(3) > 0 {
					pid = products[rnd.IntN(len(products))].id
				}
				exec("UPDATE document_items SET product_id = ? WHERE id = ?", pid, pickLine())
			case 6: // two lines copied onto another order in one statement
				exec(`INSERT INTO document_items (id, doc_type, doc_id, position, product_id, name, quantity, unit_price,
					discount_percent, tax_rate, gross, discount, net, tax, total)
					SELECT CASE WHEN id = ? THEN ? ELSE ? END, doc_type, ?, position + 100, product_id, name, quantity,
					unit_price, discount_percent, tax_rate, gross, discount, net, tax, total
					FROM document_items WHERE id IN (?, ?)`, lines[0], uuid.NewString(), uuid.NewString(), pickOrder(),
					lines[0], pickLine())
			case 7: // lines deleted
				exec("DELETE FROM document_items WHERE id IN (?, ?)", pickLine(), pickLine())
			case 8: // an order deleted, then its lines
				id := pickOrder()
				exec("DELETE FROM orders WHERE id = ?", id)
				exec("DELETE FROM document_items WHERE doc_type = 'order' AND doc_id = ?", id)
			case 9: // an order's lines deleted, then the order
				id := pickOrder()
				exec("DELETE FROM document_items WHERE doc_type = 'order' AND doc_id = ?", id)
				exec("DELETE FROM orders WHERE id = ?", id)
			}
		}

		// The lines as they are now, with their orders.
		var raw []struct {
			DocID      string
			ProductID  *string
			Quantity   string
			Net        int64
			OwnerID    string
			Status     string
			ApprovedAt *time.Time
		}
		if err := g.Table("document_items AS di").Joins("JOIN orders od ON od.id = di.doc_id").
			Select("di.doc_id, di.product_id, di.quantity, di.net, od.owner_id, od.status, od.approved_at").
			Where("di.doc_type = 'order'").Scan(&raw).Error; err != nil {
			t.Fatal(err)
		}
		var lines []prLine
		want := map[string][3]int64{}
		counted := 0
		for _, r := range raw {
			qty := decimal.RequireFromString(r.Quantity)
			lines = append(lines, prLine{owner: r.OwnerID, status: r.Status, approvedAt: r.ApprovedAt, productID: r.ProductID,
				qty: qty, net: money.Amount(r.Net)})
			if r.ApprovedAt == nil || r.Status == order.StatusCancelled {
				continue
			}
			counted++
			pid := ""
			if r.ProductID != nil {
				pid = *r.ProductID
			}
			k := r.ApprovedAt.UTC().Format("2006-01") + "|" + pid
			w := want[k]
			w[0]++
			w[1] += qty.Shift(4).Round(0).IntPart()
			w[2] += r.Net
			want[k] = w
		}
		if counted < 20 || len(want) < 8 {
			t.Fatalf("the sequence left %d counted lines in %d keys; too few to test", counted, len(want))
		}
		var rows []struct {
			K                          string
			Lines, QuantityE4, Revenue int64
		}
		if err := g.Raw("SELECT month || '|' || product_id AS k, lines, quantity_e4, revenue FROM rollup_product_sales").
			Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string][3]int64{}
		for _, r := range rows {
			if r.Lines == 0 {
				if r.QuantityE4 != 0 || r.Revenue != 0 {
					t.Errorf("rollup_product_sales %s: no lines but %d, %d", r.K, r.QuantityE4, r.Revenue)
				}
				continue
			}
			got[r.K] = [3]int64{r.Lines, r.QuantityE4, r.Revenue}
		}
		if !maps.Equal(got, want) {
			t.Errorf("rollup_product_sales:\n got %v\nwant %v", got, want)
		}

		var cat []orderLine
		for _, r := range raw {
			if r.ProductID != nil {
				cat = append(cat, orderLine{r.DocID, *r.ProductID, r.OwnerID, r.ApprovedAt})
			}
		}
		compareOrderProducts(t, o, cat)

		all := func(string) bool { return true }
		for _, q := range []string{"period=2026-11", "period=2026-Q4", "from=2026-10-10&to=2026-11-25",
			"from=2026-10-20&to=2026-11-10", "from=2026-09-01&to=2026-12-31"} {
			for _, cat := range [][]string{nil, {"配件"}} {
				query := q
				if cat != nil {
					query += "&category=" + cat[0]
				}
				var resp report.ProductsResponse
				o.env.Admin.Get("/reports/products?limit=10&" + query).Status(http.StatusOK).Decode(&resp)
				want := prBruteIn(products, lines, all, cat, 10, true, resp.Range.From, resp.Range.To)
				prSameRows(t, query+" best", resp.BestSellers, want.BestSellers)
				prSameRows(t, query+" worst", resp.WorstSellers, want.WorstSellers)
				if resp.Totals.Quantity != want.Totals.Quantity || resp.Totals.Revenue != want.Totals.Revenue {
					t.Errorf("%s totals %+v, want %+v", query, resp.Totals, want.Totals)
				}
				if (resp.Unlisted == nil) != (want.Unlisted == nil) || resp.Unlisted != nil && *resp.Unlisted != *want.Unlisted {
					t.Errorf("%s unlisted %+v, want %+v", query, resp.Unlisted, want.Unlisted)
				}
			}
		}
	})
}

// orderLine is a catalogue line of an order with the order's owner and
// approval.
type orderLine struct {
	doc, product, owner string
	approved            *time.Time
}

// compareOrderProducts checks v0027's rollups against the order lines as
// they are: the lines per order and product, the approved orders per UTC
// month and product and per month, owner and product, and orders_count by
// product in GET /reports/trends for the admin and for a manager, each
// order counted once per product.
func compareOrderProducts(t *testing.T, o *prOrg, lines []orderLine) {
	t.Helper()
	g := o.env.App.DB.Conn(context.Background())
	wantLines, wantOrders, wantOwned := map[string]int64{}, map[string]int64{}, map[string]int64{}
	type pair struct{ doc, product string }
	seen := map[pair]bool{}
	var sales []orderLine // one per approved order and product
	for _, l := range lines {
		wantLines[l.doc+"|"+l.product]++
		if l.approved == nil || seen[pair{l.doc, l.product}] {
			continue
		}
		seen[pair{l.doc, l.product}] = true
		wantOrders[l.approved.UTC().Format("2006-01")+"|"+l.product]++
		wantOwned[l.approved.UTC().Format("2006-01")+"|"+l.owner+"|"+l.product]++
		sales = append(sales, l)
	}
	for table, q := range map[string]string{
		"order_product_lines":   "SELECT doc_id || '|' || product_id AS k, lines AS n FROM order_product_lines",
		"rollup_order_products": "SELECT month || '|' || product_id AS k, n FROM rollup_order_products",
		"rollup_order_products_owner": "SELECT month || '|' || owner_id || '|' || product_id AS k, n " +
			"FROM rollup_order_products_owner",
	} {
		want := map[string]map[string]int64{"order_product_lines": wantLines, "rollup_order_products": wantOrders,
			"rollup_order_products_owner": wantOwned}[table]
		var rows []struct {
			K string
			N int64
		}
		if err := g.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, r := range rows {
			if r.N != 0 {
				got[r.K] = r.N
			}
		}
		if !maps.Equal(got, want) || len(want) < 5 {
			t.Errorf("%s:\n got %v\nwant %v", table, got, want)
		}
	}
	for _, viewer := range []*apptest.User{nil, o.mgr} {
		sees := o.prSees(viewer)
		for _, q := range []string{"period=2026-Q4&interval=month", "from=2026-10-10&to=2026-11-25&interval=month",
			"from=2026-09-01&to=2026-12-31&interval=quarter"} {
			var r trReport
			o.prClient(viewer).Get("/reports/trends?metric=orders_count&group_by=product&limit=50&" + q).
				Status(http.StatusOK).Decode(&r)
			got := map[string][]string{}
			for _, s := range r.Series {
				got[s.Key] = append(slices.Clone(s.Values), s.Total)
			}
			want := map[string][]int64{}
			for _, s := range sales {
				for bi, bk := range r.Buckets {
					if !sees(s.owner) || s.approved.Before(bk.From) || !s.approved.Before(bk.To) {
						continue
					}
					if want[s.product] == nil {
						want[s.product] = make([]int64, len(r.Buckets)+1)
					}
					want[s.product][bi]++
					want[s.product][len(r.Buckets)]++
				}
			}
			wantS := map[string][]string{}
			for k, v := range want {
				for _, n := range v {
					wantS[k] = append(wantS[k], strconv.FormatInt(n, 10))
				}
			}
			if !maps.EqualFunc(got, wantS, slices.Equal) {
				t.Errorf("orders_count by product %s (manager %v):\n got %v\nwant %v", q, viewer != nil, got, wantS)
			}
		}
	}
}
