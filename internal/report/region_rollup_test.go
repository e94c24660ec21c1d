package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/activity"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/payment"
	"github.com/opencrm/crm/internal/platform/money"
)

// TestTrendsByRegionFromRollupsMatchPlainQuery drives a random sequence
// of writes to every table the trends report reads by region — customers
// (created, re-regioned one by one through HTTP and in bulk in SQL,
// re-dated, soft and hard deleted, re-inserted under an id records still
// point to), contacts and deals moved between customers in bulk, deals
// won, lost, reopened and re-dated, activities about customers, contacts,
// deals and leads completed and re-dated, orders, contracts and payments
// written, moved and voided in SQL, many of them multi-row statements —
// then checks every region rollup (v0023) against a fresh aggregate of
// the tables and every metric by region in GET /reports/trends against a
// brute force, for an admin and a manager, over local months and a
// quarter-cut span clipped mid-month at both ends.
func TestTrendsByRegionFromRollupsMatchPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		mgr, reps := rollupTeams(env)
		owners := []string{mgr.ID, reps[0].ID, reps[1].ID, reps[2].ID}
		eastOnly := func(o string) bool { return o == mgr.ID || o == reps[0].ID || o == reps[1].ID }
		g := env.App.DB.Conn(context.Background())
		now := time.Now().UTC()
		cur := localMonthStart(now)
		mid := cur.AddDate(0, -7, 12)
		rnd := rand.New(rand.NewPCG(23, 1))
		regions := []string{"华东", "华北", "华南", ""}
		region := func() string { return regions[rnd.IntN(len(regions))] }
		owner := func() string { return owners[rnd.IntN(len(owners))] }
		// A moment of the last 13 months: a second either side of a local
		// month start, of a UTC midnight near the ends of the clipped span
		// (its whole days come from the daily rollup), or anywhere.
		moment := func() time.Time {
			switch rnd.IntN(4) {
			case 0:
				return cur.AddDate(0, -rnd.IntN(12), 0).Add(-time.Second * time.Duration(rnd.IntN(2))).UTC()
			case 1:
				edge := []time.Time{mid, cur.AddDate(0, 0, 10)}[rnd.IntN(2)].UTC().Truncate(24 * time.Hour)
				return edge.AddDate(0, 0, rnd.IntN(9)-4).Add(-time.Second * time.Duration(rnd.IntN(2)))
			}
			return now.Add(-time.Duration(rnd.Int64N(int64(390 * 24 * time.Hour)))).UTC()
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if err := g.Exec(q, args...).Error; err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		create := func(v any) {
			t.Helper()
			if err := g.Create(v).Error; err != nil {
				t.Fatalf("create %T: %v", v, err)
			}
		}
		var custs, contacts, opps, acts, orders, contracts, pays, gone []string
		pick := func(ids []string) string { return ids[rnd.IntN(len(ids))] }
		newCustomer := func(i int) {
			var c struct{ ID string }
			env.Admin.Post("/customers", map[string]any{"name": fmt.Sprint("区域客户 ", i), "region": region(),
				"owner_id": owner()}).Status(http.StatusCreated).Decode(&c)
			custs = append(custs, c.ID)
		}
		newContact := func() {
			id := uuid.NewString()
			create(&customer.Contact{ID: id, CustomerID: pick(custs), Name: "联系人", CreatedBy: mgr.ID,
				CreatedAt: now, UpdatedAt: now, Version: 1})
			contacts = append(contacts, id)
		}
		newContract := func() {
			ct := &contract.Contract{ID: uuid.NewString(), Number: "HT-RG-" + uuid.NewString()[:8], CustomerID: pick(custs),
				OwnerID: owner(), Title: "合同", Amount: money.Amount(1_000_000_00), Currency: "CNY", StartDate: "2025-01-01",
				EndDate: "2027-12-31", Status: contract.Signed, CreatedBy: mgr.ID, CreatedAt: now, UpdatedAt: now, Version: 1}
			create(ct)
			contracts = append(contracts, ct.ID)
		}
		for i := range 5 {
			newCustomer(i)
		}
		newContact()
		newContract()

		for i := range 600 {
			switch op := rnd.IntN(33); op {
			case 0, 1:
				newCustomer(i)
			case 2: // one customer's region through HTTP
				env.Admin.Patch("/customers/"+pick(custs), map[string]any{"region": region()}).
					Status(http.StatusOK, http.StatusNotFound, http.StatusUnprocessableEntity) // deleted; re-inserted without a source
			case 3: // a region renamed in bulk
				exec("UPDATE customers SET region = ? WHERE region = ?", region(), region())
			case 4:
				exec("UPDATE customers SET created_at = ?, owner_id = ? WHERE id = ?", moment(), owner(), pick(custs))
			case 5:
				exec("UPDATE customers SET deleted_at = ? WHERE id = ?", now, pick(custs))
			case 6: // a customer without contacts deleted outright; its records keep pointing to it
				k := rnd.IntN(len(custs))
				var n int64
				if err := g.Table("contacts").Where("customer_id = ?", custs[k]).Count(&n).Error; err != nil {
					t.Fatal(err)
				}
				if n == 0 && len(custs) > 3 {
					exec("DELETE FROM customers WHERE id = ?", custs[k])
					gone = append(gone, custs[k])
					custs = append(custs[:k], custs[k+1:]...)
				}
			case 7: // and comes back under the same id
				if len(gone) > 0 {
					id, o := gone[0], owner()
					gone = gone[1:]
					create(&customer.Customer{ID: id, Name: "复活客户 " + id[:8], OwnerID: &o, Region: region(),
						LifecycleStage: "prospect", CreatedBy: o, CreatedAt: moment(), UpdatedAt: now, Version: 1})
					custs = append(custs, id)
				}
			case 8:
				newContact()
			case 9: // contacts move between customers in bulk
				exec("UPDATE contacts SET customer_id = ? WHERE customer_id = ?", pick(custs), pick(custs))
			case 10, 11:
				var o struct{ ID string }
				env.Admin.Post("/opportunities", map[string]any{"name": fmt.Sprint("区域商机 ", i), "customer_id": pick(custs),
					"amount": fmt.Sprintf("%d.%02d", rnd.IntN(100000), rnd.IntN(100)), "owner_id": owner()}).
					Status(http.StatusCreated, http.StatusUnprocessableEntity).Decode(&o)
				if o.ID != "" {
					opps = append(opps, o.ID)
				}
			case 12, 13, 30, 31, 32:
				if len(opps) > 0 {
					env.Admin.Post("/opportunities/"+pick(opps)+"/win", map[string]any{"note": "签约"}).
						Status(http.StatusOK, http.StatusConflict, http.StatusNotFound, http.StatusUnprocessableEntity)
				}
			case 14:
				if len(opps) > 0 {
					env.Admin.Post("/opportunities/"+pick(opps)+"/lose", map[string]any{"reason": "价格"}).
						Status(http.StatusOK, http.StatusConflict, http.StatusNotFound, http.StatusUnprocessableEntity)
				}
			case 15: // won deals re-dated and re-valued, one or several per statement
				if rnd.IntN(3) == 0 {
					exec("UPDATE opportunities SET closed_at = ?, amount = amount + 1 WHERE status = 'won' AND owner_id = ?",
						moment(), owner())
				} else if len(opps) > 0 {
					exec("UPDATE opportunities SET closed_at = ? WHERE id = ? AND status = 'won'", moment(), pick(opps))
				}
			case 16: // deals move between customers in bulk
				exec("UPDATE opportunities SET customer_id = ? WHERE customer_id = ?", pick(custs), pick(custs))
			case 17, 18:
				typ, rel := "customer", pick(custs)
				switch rnd.IntN(4) {
				case 1:
					typ, rel = "contact", pick(contacts)
				case 2:
					if len(opps) > 0 {
						typ, rel = "opportunity", pick(opps)
					}
				case 3: // about a lead (no region), written as an import would
					at := moment()
					a := &activity.Activity{ID: uuid.NewString(), Type: "call", Subject: "线索回访", OwnerID: owner(),
						Status: activity.StatusDone, RelatedType: "lead", RelatedID: uuid.NewString(), StartAt: at,
						DoneAt: &at, CreatedAt: now, UpdatedAt: now, Version: 1}
					create(a)
					acts = append(acts, a.ID)
					continue
				}
				// A soft-deleted customer's records cannot be written to.
				var a struct{ ID string }
				env.Admin.Post("/activities", map[string]any{"type": "call", "subject": fmt.Sprint("回访 ", i),
					"related_type": typ, "related_id": rel, "owner_id": owner(),
					"start_at": now.Add(-time.Hour).Format(time.RFC3339)}).
					Status(http.StatusCreated, http.StatusUnprocessableEntity).Decode(&a)
				if a.ID != "" {
					acts = append(acts, a.ID)
				}
			case 19, 20:
				if len(acts) > 0 {
					// 404 once its record's customer is deleted.
					env.Admin.Post("/activities/"+pick(acts)+"/complete", map[string]any{"outcome": "ok"}).
						Status(http.StatusOK, http.StatusConflict, http.StatusNotFound)
				}
			case 21: // done activities re-dated, several per statement
				exec("UPDATE activities SET done_at = ? WHERE status = 'done' AND owner_id = ?", moment(), owner())
			case 22:
				if len(acts) > 0 {
					exec("UPDATE activities SET done_at = ? WHERE id = ? AND status = 'done'", moment(), pick(acts))
				}
			case 23:
				at := moment()
				o := &order.Order{ID: uuid.NewString(), Number: fmt.Sprintf("SO-RG-%04d", i), CustomerID: pick(custs),
					Currency: "CNY", Status: order.StatusApproved, PaymentStatus: order.PaymentUnpaid, OwnerID: owner(),
					CreatedBy: mgr.ID, ApprovedAt: &at, CreatedAt: now, UpdatedAt: now, Version: 1}
				create(o)
				orders = append(orders, o.ID)
			case 24:
				if len(orders) > 0 {
					switch rnd.IntN(3) {
					case 0:
						exec("UPDATE orders SET approved_at = NULL, status = ? WHERE id = ?", order.StatusSubmitted, pick(orders))
					case 1:
						exec("UPDATE orders SET approved_at = ?, status = ? WHERE id = ?", moment(), order.StatusApproved, pick(orders))
					default:
						exec("UPDATE orders SET customer_id = ? WHERE customer_id = ?", pick(custs), pick(custs))
					}
				}
			case 25:
				newContract()
			case 26: // contracts move between customers in bulk
				exec("UPDATE contracts SET customer_id = ? WHERE customer_id = ?", pick(custs), pick(custs))
			case 27:
				p := &payment.Payment{ID: uuid.NewString(), ContractID: pick(contracts), CustomerID: pick(custs),
					OwnerID: owner(), Amount: money.Amount(rnd.Int64N(10_000_000)), Currency: "CNY", ReceivedAt: moment(),
					Method: "bank_transfer", Status: payment.Received, CreatedBy: mgr.ID, CreatedAt: now, UpdatedAt: now,
					Version: 1}
				create(p)
				pays = append(pays, p.ID)
			case 28:
				if len(pays) > 0 {
					switch rnd.IntN(3) {
					case 0:
						exec("UPDATE payments SET status = ?, voided_at = ?, void_reason = ? WHERE id = ?", payment.Voided, now,
							"退回", pick(pays))
					case 1:
						exec("UPDATE payments SET contract_id = ? WHERE id = ?", pick(contracts), pick(pays))
					default:
						exec("UPDATE payments SET received_at = ? WHERE owner_id = ?", moment(), owner())
					}
				}
			case 29:
				if len(opps) > 0 {
					env.Admin.Post("/opportunities/"+pick(opps)+"/reopen",
						map[string]any{"stage_id": "0193a2b4-0000-7000-8000-000000000101"}).Status(http.StatusOK, http.StatusConflict, http.StatusNotFound, http.StatusUnprocessableEntity)
				}
			}
		}

		// The brute force: each record's region is its customer's now, as
		// the plain query joins it ("" without one).
		var custRows []struct {
			ID, Region string
			OwnerID    *string
			CreatedAt  time.Time
			DeletedAt  *time.Time
		}
		var links []struct{ ID, CustomerID string }
		if err := g.Table("customers").Select("id, region, owner_id, created_at, deleted_at").Scan(&custRows).Error; err != nil {
			t.Fatal(err)
		}
		regionOf := map[string]string{}
		for _, c := range custRows {
			regionOf[c.ID] = c.Region
		}
		customerOf := map[string]map[string]string{}
		for _, table := range []string{"contacts", "opportunities", "contracts"} {
			links = nil
			if err := g.Table(table).Select("id, customer_id").Scan(&links).Error; err != nil {
				t.Fatal(err)
			}
			customerOf[table] = map[string]string{}
			for _, l := range links {
				customerOf[table][l.ID] = l.CustomerID
			}
		}
		type rec struct {
			owner, region string
			at            time.Time
			amount        int64
		}
		recs := map[string][]rec{}
		var won []struct {
			OwnerID, CustomerID string
			Amount              int64
			ClosedAt            time.Time
		}
		if err := g.Table("opportunities").Select("owner_id, customer_id, amount, closed_at").
			Where("status = 'won' AND deleted_at IS NULL AND closed_at IS NOT NULL").Scan(&won).Error; err != nil {
			t.Fatal(err)
		}
		for _, o := range won {
			recs["won_amount"] = append(recs["won_amount"], rec{o.OwnerID, regionOf[o.CustomerID], o.ClosedAt, o.Amount})
		}
		var received []struct {
			OwnerID, ContractID string
			Amount              int64
			ReceivedAt          time.Time
		}
		if err := g.Table("payments").Select("owner_id, contract_id, amount, received_at").
			Where("status = 'received' AND voided_at IS NULL").Scan(&received).Error; err != nil {
			t.Fatal(err)
		}
		for _, p := range received {
			recs["received_amount"] = append(recs["received_amount"],
				rec{p.OwnerID, regionOf[customerOf["contracts"][p.ContractID]], p.ReceivedAt, p.Amount})
		}
		var approved []struct {
			OwnerID, CustomerID string
			ApprovedAt          time.Time
		}
		if err := g.Table("orders").Select("owner_id, customer_id, approved_at").Where("approved_at IS NOT NULL").
			Scan(&approved).Error; err != nil {
			t.Fatal(err)
		}
		for _, o := range approved {
			recs["orders_count"] = append(recs["orders_count"], rec{o.OwnerID, regionOf[o.CustomerID], o.ApprovedAt, 1})
		}
		var done []struct {
			OwnerID, RelatedType, RelatedID string
			DoneAt                          time.Time
		}
		if err := g.Table("activities").Select("owner_id, related_type, related_id, done_at").
			Where("status = 'done' AND done_at IS NOT NULL").Scan(&done).Error; err != nil {
			t.Fatal(err)
		}
		for _, a := range done {
			cust := ""
			switch a.RelatedType {
			case "customer":
				cust = a.RelatedID
			case "contact":
				cust = customerOf["contacts"][a.RelatedID]
			case "opportunity":
				cust = customerOf["opportunities"][a.RelatedID]
			}
			recs["activities_count"] = append(recs["activities_count"], rec{a.OwnerID, regionOf[cust], a.DoneAt, 1})
		}
		for _, c := range custRows {
			if c.DeletedAt == nil {
				o := ""
				if c.OwnerID != nil {
					o = *c.OwnerID
				}
				recs["new_customers"] = append(recs["new_customers"], rec{o, c.Region, c.CreatedAt, 1})
			}
		}

		// Every rollup equals a fresh aggregate (zero rows left out).
		for _, r := range []struct {
			table, metric, unit string
			amounts             bool
		}{
			{"rollup_region_won", "won_amount", "2006-01", true},
			{"rollup_region_won_daily", "won_amount", time.DateOnly, true},
			{"rollup_region_received", "received_amount", "2006-01", true},
			{"rollup_region_received_daily", "received_amount", time.DateOnly, true},
			{"rollup_region_orders", "orders_count", "2006-01", false},
			{"rollup_region_orders_daily", "orders_count", time.DateOnly, false},
			{"rollup_region_activities", "activities_count", "2006-01", false},
			{"rollup_region_activities_daily", "activities_count", time.DateOnly, false},
			{"rollup_region_customers", "new_customers", "2006-01", false},
		} {
			want := map[string][2]int64{}
			for _, e := range recs[r.metric] {
				k := e.at.UTC().Format(r.unit) + " " + e.region + " " + e.owner
				amount := e.amount
				if !r.amounts {
					amount = 0
				}
				want[k] = [2]int64{want[k][0] + amount, want[k][1] + 1}
			}
			if len(want) < 6 {
				t.Fatalf("%s: the sequence left %d keys; too few to test", r.table, len(want))
			}
			col, amount := "month", "0"
			if r.unit == time.DateOnly {
				col = "day"
			}
			if r.amounts {
				amount = "amount"
			}
			var rows []struct {
				At, Region, OwnerID string
				Amount, N           int64
			}
			if err := g.Table(r.table).Select(col + " AS at, region, owner_id, " + amount + " AS amount, n").
				Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			got := map[string][2]int64{}
			for _, row := range rows {
				if row.N != 0 || row.Amount != 0 {
					got[row.At+" "+row.Region+" "+row.OwnerID] = [2]int64{row.Amount, row.N}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s\n got %v\nwant %v", r.table, got, want)
			}
		}

		// Every metric by region in the report equals the brute force.
		cut := func(from, to time.Time, months int) [][2]time.Time {
			var out [][2]time.Time
			start := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, cur.Location())
			if months == 3 {
				start = time.Date(from.Year(), (from.Month()-1)/3*3+1, 1, 0, 0, 0, 0, cur.Location())
			}
			for s := start; s.Before(to); s = s.AddDate(0, months, 0) {
				out = append(out, [2]time.Time{trLater(s, from), trEarlier(s.AddDate(0, months, 0), to)})
			}
			return out
		}
		cases := []struct {
			query    string
			from, to time.Time
			months   int
		}{
			{"", cur.AddDate(0, -11, 0), cur.AddDate(0, 1, 0), 1},
			{"interval=quarter&from=" + mid.Format(time.DateOnly) + "&to=" + cur.AddDate(0, 0, 9).Format(time.DateOnly),
				mid, cur.AddDate(0, 0, 10), 3},
			{"period=" + cur.AddDate(0, -1, 0).Format("2006-01"), cur.AddDate(0, -1, 0), cur, 1},
		}
		all := func(string) bool { return true }
		for _, metric := range []string{"won_amount", "received_amount", "orders_count", "activities_count", "new_customers"} {
			for _, c := range []struct {
				name string
				cl   *apptest.Client
				sees func(string) bool
			}{{"admin", env.Admin, all}, {"manager", mgr.Client, eastOnly}} {
				for _, tc := range cases {
					q, _ := url.ParseQuery(tc.query)
					q.Set("metric", metric)
					q.Set("group_by", "region")
					var r trReport
					c.cl.Get("/reports/trends?" + q.Encode()).Status(http.StatusOK).Decode(&r)
					bks := cut(tc.from, tc.to, tc.months)
					if len(r.Buckets) != len(bks) {
						t.Fatalf("%s %s: %d buckets, want %d", c.name, q.Encode(), len(r.Buckets), len(bks))
					}
					want := map[string][]int64{}
					for _, e := range recs[metric] {
						// The admin sees the pool's customers too.
						if !c.sees(e.owner) || e.owner == "" && c.name != "admin" {
							continue
						}
						for i, bk := range bks {
							if !e.at.Before(bk[0]) && e.at.Before(bk[1]) {
								if want[e.region] == nil {
									want[e.region] = make([]int64, len(bks))
								}
								want[e.region][i] += e.amount
							}
						}
					}
					got := map[string][]string{}
					for _, s := range r.Series {
						got[s.Key] = s.Values
						var total int64
						for _, n := range want[s.Key] {
							total += n
						}
						if s.Total != format(metric, total) {
							t.Errorf("%s %s %q: total %s, want %s", c.name, q.Encode(), s.Key, s.Total, format(metric, total))
						}
					}
					keys := make([]string, 0, len(want))
					for k := range want {
						keys = append(keys, k)
					}
					sort.Strings(keys)
					for _, k := range keys {
						var wantVals []string
						for _, n := range want[k] {
							wantVals = append(wantVals, format(metric, n))
						}
						if strings.Join(got[k], ",") != strings.Join(wantVals, ",") {
							t.Errorf("%s %s %q: %v, want %v", c.name, q.Encode(), k, got[k], wantVals)
						}
					}
					if len(got) != len(want) {
						t.Errorf("%s %s: series %v, want keys %v", c.name, q.Encode(), r.Series, keys)
					}
				}
			}
		}
	})
}
