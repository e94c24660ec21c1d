package report_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/platform/money"
)

// TestWonProductsRollupMatchesPlainQuery drives random writes of deals
// with product lines (created with lines, won, lost, reopened and deleted
// through HTTP; closing times moved onto the month edges of both zones,
// owners changed, lines re-valued, moved to another product, copied and
// deleted in plain SQL, several rows per statement) and then checks that
// rollup_won_products (v0026) equals its sums recomputed line by line, and
// that GET /reports/trends?metric=won_amount&group_by=product equals the
// brute force for an admin, a manager and a rep, by month and by quarter,
// over periods whose ends fall before, on and after UTC month starts.
func TestWonProductsRollupMatchesPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		p := newPeople(env)
		users := []*apptest.User{p.mgr, p.r1, p.r2, p.r3}
		g := env.App.DB.Conn(context.Background())
		rnd := rand.New(rand.NewPCG(26, 3))
		var products []string
		for i := range 3 {
			var pr struct{ ID string }
			env.Admin.Post("/products", map[string]any{"sku": fmt.Sprint("WP-", i), "name": fmt.Sprint("赢单产品 ", i),
				"category": "机床", "price": "1000"}).Status(http.StatusCreated).Decode(&pr)
			products = append(products, pr.ID)
		}
		var cust struct{ ID string }
		env.Admin.Post("/customers", map[string]any{"name": "产品赢单客户"}).Status(http.StatusCreated).Decode(&cust)
		exec := func(q string, args ...any) {
			t.Helper()
			if err := g.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		edges := []time.Time{novStart.Add(-time.Second), novStart, utcNov.Add(-time.Second), utcNov,
			novEnd.Add(-time.Second), novEnd, utcDec.Add(-time.Second), utcDec}
		var ids []string
		pick := func() string { return ids[rnd.IntN(len(ids))] }
		lines := func() []string {
			var out []string
			if err := g.Table("opportunity_products").Order("id").Pluck("id", &out).Error; err != nil {
				t.Fatal(err)
			}
			return out
		}
		for i := range 200 {
			op := []int{0, 0, 0, 1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9}[rnd.IntN(15)] // creates and wins more often
			if len(ids) < 6 {
				op = 0
			}
			switch op {
			case 0: // a deal with one or two lines, for a random user
				var lr []map[string]any
				for k := range 1 + rnd.IntN(2) {
					lr = append(lr, map[string]any{"product_id": products[(i+k)%len(products)],
						"quantity": fmt.Sprint(1 + rnd.IntN(3)), "unit_price": fmt.Sprintf("%d.50", 100+rnd.IntN(900))})
				}
				var o opportunity.OpportunityResponse
				env.Admin.Post("/opportunities", map[string]any{"name": fmt.Sprint("产品商机 ", i), "customer_id": cust.ID,
					"owner_id": users[rnd.IntN(len(users))].ID, "products": lr}).Status(http.StatusCreated).Decode(&o)
				ids = append(ids, o.ID)
			case 1: // won, at a random or edge time
				id := pick()
				env.Admin.Post("/opportunities/"+id+"/win", map[string]any{}).Status(http.StatusOK, http.StatusConflict)
				at := edges[rnd.IntN(len(edges))]
				if rnd.IntN(2) == 0 {
					at = utcOct.Add(time.Duration(rnd.Int64N(int64(utcJan.Sub(utcOct)))))
				}
				exec("UPDATE opportunities SET closed_at = ? WHERE id = ? AND status = 'won'", at, id)
			case 2:
				env.Admin.Post("/opportunities/"+pick()+"/lose", map[string]any{"reason": "价格"}).
					Status(http.StatusOK, http.StatusConflict)
			case 3:
				env.Admin.Post("/opportunities/"+pick()+"/reopen", map[string]any{}).Status(http.StatusOK, http.StatusConflict)
			case 4:
				k := rnd.IntN(len(ids))
				env.Admin.Delete("/opportunities/" + ids[k]).Status(http.StatusNoContent)
				ids = append(ids[:k], ids[k+1:]...)
			case 5: // owners changed, two deals per statement
				exec("UPDATE opportunities SET owner_id = ? WHERE id IN (?, ?)", users[rnd.IntN(len(users))].ID, pick(), pick())
			case 6: // lines re-valued, several per statement
				if ls := lines(); len(ls) > 0 {
					exec("UPDATE opportunity_products SET line_total = line_total + ? WHERE id IN (?, ?, ?)", rnd.Int64N(10000),
						ls[rnd.IntN(len(ls))], ls[rnd.IntN(len(ls))], ls[rnd.IntN(len(ls))])
				}
			case 7: // a line moved to another product or another deal
				if ls := lines(); len(ls) > 0 {
					exec("UPDATE opportunity_products SET product_id = ?, opportunity_id = ? WHERE id = ?",
						products[rnd.IntN(len(products))], pick(), ls[rnd.IntN(len(ls))])
				}
			case 8: // two lines copied onto a deal in one statement
				if ls := lines(); len(ls) > 1 {
					exec(`INSERT INTO opportunity_products (id, opportunity_id, product_id, position, quantity, unit_price,
						discount_percent, line_total) SELECT CASE WHEN id = ? THEN ? ELSE ? END, ?, product_id, position + 10,
						quantity, unit_price, discount_percent, line_total FROM opportunity_products WHERE id IN (?, ?)`,
						ls[0], uuid.NewString(), uuid.NewString(), pick(), ls[0], ls[1+rnd.IntN(len(ls)-1)])
				}
			case 9: // lines deleted
				if ls := lines(); len(ls) > 0 {
					exec("DELETE FROM opportunity_products WHERE id IN (?, ?)", ls[rnd.IntN(len(ls))], ls[rnd.IntN(len(ls))])
				}
			}
		}

		// The won lines as they are now, with their deals.
		type wonLine struct {
			ProductID, OwnerID string
			LineTotal          int64
			ClosedAt           time.Time
		}
		var won []wonLine
		if err := g.Table("opportunity_products AS l").Joins("JOIN opportunities o ON o.id = l.opportunity_id").
			Select("l.product_id, o.owner_id, l.line_total, o.closed_at").
			Where("o.status = 'won' AND o.deleted_at IS NULL").Scan(&won).Error; err != nil {
			t.Fatal(err)
		}
		want := map[string][2]int64{}
		for _, l := range won {
			k := l.ClosedAt.UTC().Format("2006-01") + "|" + l.OwnerID + "|" + l.ProductID
			w := want[k]
			w[0] += l.LineTotal
			w[1]++
			want[k] = w
		}
		if len(won) < 15 || len(want) < 6 {
			t.Fatalf("the sequence left %d won lines in %d keys; too few to test", len(won), len(want))
		}
		var rows []struct {
			K         string
			Amount, N int64
		}
		if err := g.Raw("SELECT month || '|' || owner_id || '|' || product_id AS k, amount, n FROM rollup_won_products").
			Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string][2]int64{}
		for _, r := range rows {
			if r.N == 0 {
				if r.Amount != 0 {
					t.Errorf("rollup_won_products %s: no lines but %d", r.K, r.Amount)
				}
				continue
			}
			got[r.K] = [2]int64{r.Amount, r.N}
		}
		if !maps.Equal(got, want) {
			t.Errorf("rollup_won_products:\n got %v\nwant %v", got, want)
		}

		teamA := []string{p.mgr.ID, p.r1.ID, p.r2.ID}
		for _, tc := range []struct {
			label string
			c     *apptest.Client
			sees  func(string) bool
		}{
			{"admin", env.Admin, func(string) bool { return true }},
			{"manager", p.mgr.Client, func(o string) bool { return slices.Contains(teamA, o) }},
			{"rep", p.r3.Client, func(o string) bool { return o == p.r3.ID }},
		} {
			for _, q := range []string{"period=2026-Q4&interval=month", "period=2026-Q4&interval=quarter",
				"from=2026-10-10&to=2026-11-25&interval=month", "from=2026-09-01&to=2026-12-31&interval=quarter"} {
				var r trReport
				tc.c.Get("/reports/trends?metric=won_amount&group_by=product&limit=50&" + q).Status(http.StatusOK).Decode(&r)
				gotSeries := map[string][]string{}
				for _, s := range r.Series {
					gotSeries[s.Key] = append(slices.Clone(s.Values), s.Total)
				}
				wantSeries := map[string][]string{}
				for _, l := range won {
					if !tc.sees(l.OwnerID) {
						continue
					}
					for bi, bk := range r.Buckets {
						if l.ClosedAt.Before(bk.From) || !l.ClosedAt.Before(bk.To) {
							continue
						}
						s := wantSeries[l.ProductID]
						if s == nil {
							s = make([]string, len(r.Buckets)+1)
							for i := range s {
								s[i] = "0.00"
							}
						}
						s[bi] = (mustMoney(s[bi]) + money.Amount(l.LineTotal)).String()
						s[len(r.Buckets)] = (mustMoney(s[len(r.Buckets)]) + money.Amount(l.LineTotal)).String()
						wantSeries[l.ProductID] = s
					}
				}
				if !maps.EqualFunc(gotSeries, wantSeries, slices.Equal) {
					t.Errorf("%s %s:\n got %v\nwant %v", tc.label, q, gotSeries, wantSeries)
				}
			}
		}
	})
}
