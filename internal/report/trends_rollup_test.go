package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/payment"
	"github.com/opencrm/crm/internal/platform/money"
	"gorm.io/gorm"
)

// TestTrendsActivitiesFromRollupMatchPlainQuery drives a random sequence
// of activity writes (creates, completions, cancellations, owner changes,
// deletions through HTTP; done_at moves, some to a second either side of
// a local month boundary, and bulk owner transfers straight in SQL) and
// then checks activities_count in GET /reports/trends (rollup days plus
// the partial days at bucket edges) against a brute-force count of the
// stored activities, per month and per clipped quarter, with and without
// group_by=user, for an admin and a manager.
func TestTrendsActivitiesFromRollupMatchPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		mgr, reps := rollupTeams(env)
		var cust struct{ ID string }
		env.Admin.Post("/customers", map[string]any{"name": "恒达精密"}).Status(http.StatusCreated).Decode(&cust)
		g := env.App.DB.Conn(context.Background())
		now := time.Now().UTC()
		cur := localMonthStart(now)
		rnd := rand.New(rand.NewPCG(17, 6))
		// A moment of the last 13 months: often a second before or at a
		// local month start, else anywhere.
		moment := func() time.Time {
			if rnd.IntN(2) == 0 {
				edge := cur.AddDate(0, -rnd.IntN(12), 0)
				return edge.Add(-time.Second * time.Duration(rnd.IntN(2)))
			}
			return now.Add(-time.Duration(rnd.Int64N(int64(390 * 24 * time.Hour))))
		}

		var ids []string
		pick := func() string { return ids[rnd.IntN(len(ids))] }
		for i := range 220 {
			op := rnd.IntN(12)
			if len(ids) < 6 {
				op = 0
			}
			switch op {
			case 0, 1, 2:
				var a struct{ ID string }
				env.Admin.Post("/activities", map[string]any{"type": "call", "subject": fmt.Sprint("回访 ", i),
					"related_type": "customer", "related_id": cust.ID, "owner_id": reps[rnd.IntN(len(reps))].ID,
					"start_at": now.Add(-time.Hour).Format(time.RFC3339)}).Status(http.StatusCreated).Decode(&a)
				ids = append(ids, a.ID)
			case 3, 4, 10, 11:
				env.Admin.Post("/activities/"+pick()+"/complete", map[string]any{"outcome": "ok"}).
					Status(http.StatusOK, http.StatusConflict)
			case 5:
				env.Admin.Post("/activities/"+pick()+"/cancel", nil).Status(http.StatusOK, http.StatusConflict)
			case 6:
				id, owner := pick(), reps[rnd.IntN(len(reps))].ID
				env.Admin.Patch("/activities/"+id, map[string]any{"owner_id": owner}).
					Status(http.StatusOK, http.StatusConflict)
				if err := g.Exec("UPDATE activities SET owner_id = ? WHERE id = ? AND status = 'done'", owner, id).Error; err != nil {
					t.Fatal(err)
				}
			case 7:
				k := rnd.IntN(len(ids))
				env.Admin.Delete("/activities/" + ids[k]).Status(http.StatusNoContent)
				ids = append(ids[:k], ids[k+1:]...)
			case 8:
				var done []string
				if err := g.Table("activities").Where("status = ?", "done").Order("id").Pluck("id", &done).Error; err != nil {
					t.Fatal(err)
				}
				for _, id := range done {
					if rnd.IntN(3) == 0 {
						continue
					}
					if err := g.Exec("UPDATE activities SET done_at = ? WHERE id = ?", moment().UTC(), id).Error; err != nil {
						t.Fatal(err)
					}
				}
			case 9:
				from, to := reps[rnd.IntN(len(reps))], reps[rnd.IntN(len(reps))]
				if err := g.Exec("UPDATE activities SET owner_id = ? WHERE owner_id = ?", to.ID, from.ID).Error; err != nil {
					t.Fatal(err)
				}
			}
		}

		var acts []struct {
			OwnerID string
			Status  string
			DoneAt  *time.Time
		}
		if err := g.Table("activities").Select("owner_id, status, done_at").Scan(&acts).Error; err != nil {
			t.Fatal(err)
		}
		count := func(sees func(string) bool, owner string, start, end time.Time) int64 {
			var n int64
			for _, a := range acts {
				if sees(a.OwnerID) && (owner == "" || a.OwnerID == owner) && a.Status == "done" && a.DoneAt != nil &&
					!a.DoneAt.Before(start) && a.DoneAt.Before(end) {
					n++
				}
			}
			return n
		}
		if n := count(func(string) bool { return true }, "", cur.AddDate(0, -11, 0), cur.AddDate(0, 1, 0)); n < 20 {
			t.Fatalf("the sequence left %d done activities in the year; too few to test", n)
		}

		eastOnly := func(o string) bool { return o == mgr.ID || o == reps[0].ID || o == reps[1].ID }
		trRollupCheck(t, env, mgr, eastOnly, []string{mgr.ID, reps[0].ID, reps[1].ID, reps[2].ID}, "activities_count", count)
	})
}

func trLater(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func trEarlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// trRollupCheck compares metric in GET /reports/trends with count (the
// brute force over the stored rows: the figure of owners sees lets
// through, of owner or all when owner is "", in [start, end)) for the
// last twelve local months, a quarter-cut span clipped mid-month at both
// ends and a single month, with and without group_by=user, as the admin
// and as mgr (who sees the owners east lets through).
func trRollupCheck(t *testing.T, env *apptest.Env, mgr *apptest.User, east func(string) bool, users []string, metric string,
	count func(sees func(string) bool, owner string, start, end time.Time) int64) {
	t.Helper()
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Now().In(sh)
	cur := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, sh)
	all := func(string) bool { return true }
	if n := count(all, "", cur.AddDate(0, -11, 0), cur.AddDate(0, 1, 0)); n == 0 {
		t.Fatalf("%s: nothing in the year; nothing to test", metric)
	}
	// Expected buckets: local months (or quarters) clipped to [from, to).
	cut := func(from, to time.Time, months int) [][2]time.Time {
		var out [][2]time.Time
		start := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, sh)
		if months == 3 {
			start = time.Date(from.Year(), (from.Month()-1)/3*3+1, 1, 0, 0, 0, 0, sh)
		}
		for s := start; s.Before(to); s = s.AddDate(0, months, 0) {
			out = append(out, [2]time.Time{trLater(s, from), trEarlier(s.AddDate(0, months, 0), to)})
		}
		return out
	}
	mid := cur.AddDate(0, -7, 12)
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
	for _, c := range []struct {
		name string
		cl   *apptest.Client
		sees func(string) bool
	}{{"admin", env.Admin, all}, {"manager", mgr.Client, east}} {
		for _, tc := range cases {
			for _, groupBy := range []string{"none", "user"} {
				q, _ := url.ParseQuery(tc.query)
				q.Set("metric", metric)
				q.Set("group_by", groupBy)
				var r trReport
				c.cl.Get("/reports/trends?" + q.Encode()).Status(http.StatusOK).Decode(&r)
				bks := cut(tc.from, tc.to, tc.months)
				if len(r.Buckets) != len(bks) {
					t.Fatalf("%s %s: %d buckets, want %d", c.name, q.Encode(), len(r.Buckets), len(bks))
				}
				for i, bk := range bks {
					if !r.Buckets[i].From.Equal(bk[0]) || !r.Buckets[i].To.Equal(bk[1]) {
						t.Fatalf("%s %s: bucket %d %v..%v, want %v", c.name, q.Encode(), i, r.Buckets[i].From, r.Buckets[i].To, bk)
					}
				}
				owners := []string{""}
				if groupBy == "user" {
					owners = users
				}
				series := map[string]trSeries{}
				for _, s := range r.Series {
					series[s.Key] = s
				}
				for _, o := range owners {
					key := o
					if o == "" {
						key = "total"
					}
					s, ok := series[key]
					var total int64
					for i, bk := range bks {
						want := count(c.sees, o, bk[0], bk[1])
						total += want
						got := format(metric, 0)
						if ok {
							got = s.Values[i]
						}
						if got != format(metric, want) {
							t.Errorf("%s %s %s %s: %s, want %s", c.name, q.Encode(), key, r.Buckets[i].Key, got, format(metric, want))
						}
					}
					if ok && s.Total != format(metric, total) {
						t.Errorf("%s %s %s: total %+v, want %s", c.name, q.Encode(), key, s, format(metric, total))
					}
					if !ok && o != "" && c.sees(o) && count(c.sees, o, tc.from, tc.to) != 0 {
						t.Errorf("%s %s: no series for %s", c.name, q.Encode(), o)
					}
				}
			}
		}
	}
}

// TestTrendsWonFromRollupMatchPlainQuery drives a random sequence of
// opportunity writes (creates, wins, losses, reopens, owner changes and
// deletions through HTTP; closed_at moves, some to a second either side
// of a local month boundary, amount changes, soft deletions and bulk
// owner transfers straight in SQL) and then checks rollup_won_monthly
// against a fresh aggregate of opportunities, and won_amount in GET
// /reports/trends (rollup months corrected at the local month edges)
// against a brute-force sum of the stored deals.
func TestTrendsWonFromRollupMatchPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		mgr, reps := rollupTeams(env)
		var cust struct{ ID string }
		env.Admin.Post("/customers", map[string]any{"name": "恒达精密"}).Status(http.StatusCreated).Decode(&cust)
		g := env.App.DB.Conn(context.Background())
		now := time.Now().UTC()
		cur := localMonthStart(now)
		rnd := rand.New(rand.NewPCG(17, 7))
		moment := func() time.Time { return recentMoment(rnd, cur, now) }
		const research = "0193a2b4-0000-7000-8000-000000000101"
		var ids []string
		pick := func() string { return ids[rnd.IntN(len(ids))] }
		for i := range 260 {
			op := rnd.IntN(16)
			if len(ids) < 6 {
				op = 0
			}
			switch op {
			case 0, 1, 2:
				var o struct{ ID string }
				env.Admin.Post("/opportunities", map[string]any{"name": fmt.Sprint("商机 ", i), "customer_id": cust.ID,
					"amount": fmt.Sprintf("%d.%02d", rnd.IntN(100000), rnd.IntN(100)), "owner_id": reps[rnd.IntN(len(reps))].ID}).
					Status(http.StatusCreated).Decode(&o)
				ids = append(ids, o.ID)
			case 3, 4, 5, 13, 14, 15:
				env.Admin.Post("/opportunities/"+pick()+"/win", map[string]any{"note": "签约"}).Status(http.StatusOK, http.StatusConflict)
			case 6:
				env.Admin.Post("/opportunities/"+pick()+"/lose", map[string]any{"reason": "价格"}).Status(http.StatusOK, http.StatusConflict)
			case 7:
				env.Admin.Post("/opportunities/"+pick()+"/reopen", map[string]any{"stage_id": research}).
					Status(http.StatusOK, http.StatusConflict)
			case 8:
				env.Admin.Patch("/opportunities/"+pick(), map[string]any{"owner_id": reps[rnd.IntN(len(reps))].ID}).
					Status(http.StatusOK)
			case 9:
				k := rnd.IntN(len(ids))
				env.Admin.Delete("/opportunities/" + ids[k]).Status(http.StatusNoContent)
				ids = append(ids[:k], ids[k+1:]...)
			case 10:
				var won []string
				if err := g.Table("opportunities").Where("status = ?", "won").Order("id").Pluck("id", &won).Error; err != nil {
					t.Fatal(err)
				}
				for _, id := range won {
					if rnd.IntN(4) == 0 {
						continue
					}
					if err := g.Exec("UPDATE opportunities SET closed_at = ?, amount = ? WHERE id = ?", moment(),
						rnd.Int64N(10_000_000), id).Error; err != nil {
						t.Fatal(err)
					}
				}
			case 11:
				from, to := reps[rnd.IntN(len(reps))], reps[rnd.IntN(len(reps))]
				if err := g.Exec("UPDATE opportunities SET owner_id = ? WHERE owner_id = ?", to.ID, from.ID).Error; err != nil {
					t.Fatal(err)
				}
			case 12:
				k := rnd.IntN(len(ids))
				if err := g.Exec("UPDATE opportunities SET deleted_at = ? WHERE id = ?", now, ids[k]).Error; err != nil {
					t.Fatal(err)
				}
				ids = append(ids[:k], ids[k+1:]...)
			}
		}

		var opps []struct {
			OwnerID   string
			Status    string
			Amount    int64
			ClosedAt  *time.Time
			DeletedAt *time.Time
		}
		if err := g.Table("opportunities").Select("owner_id, status, amount, closed_at, deleted_at").Scan(&opps).Error; err != nil {
			t.Fatal(err)
		}
		want := map[string][2]int64{}
		for _, o := range opps {
			if o.Status == "won" && o.DeletedAt == nil && o.ClosedAt != nil {
				k := o.ClosedAt.UTC().Format("2006-01") + " " + o.OwnerID
				want[k] = [2]int64{want[k][0] + o.Amount, want[k][1] + 1}
			}
		}
		if len(want) < 6 {
			t.Fatalf("the sequence left %d month-owner keys of won deals; too few to test", len(want))
		}
		got := trRollupRows(t, g, "rollup_won_monthly")
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("rollup_won_monthly\n got %v\nwant %v", got, want)
		}
		sum := func(sees func(string) bool, owner string, start, end time.Time) int64 {
			var n int64
			for _, o := range opps {
				if sees(o.OwnerID) && (owner == "" || o.OwnerID == owner) && o.Status == "won" && o.DeletedAt == nil &&
					o.ClosedAt != nil && !o.ClosedAt.Before(start) && o.ClosedAt.Before(end) {
					n += o.Amount
				}
			}
			return n
		}
		eastOnly := func(o string) bool { return o == mgr.ID || o == reps[0].ID || o == reps[1].ID }
		trRollupCheck(t, env, mgr, eastOnly, []string{mgr.ID, reps[0].ID, reps[1].ID, reps[2].ID}, "won_amount", sum)
	})
}

// TestTrendsReceivedFromRollupMatchPlainQuery drives a random sequence of
// payment writes in SQL, as the payment, contract and transfer modules
// write them (records received, voided, re-dated across local month
// boundaries, re-valued, re-owned one by one and in bulk, deleted), then
// checks rollup_received_monthly against a fresh aggregate of payments
// and received_amount in GET /reports/trends against a brute-force sum.
func TestTrendsReceivedFromRollupMatchPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		mgr, reps := rollupTeams(env)
		var cust struct{ ID string }
		env.Admin.Post("/customers", map[string]any{"name": "恒达精密"}).Status(http.StatusCreated).Decode(&cust)
		g := env.App.DB.Conn(context.Background())
		now := time.Now().UTC()
		cur := localMonthStart(now)
		rnd := rand.New(rand.NewPCG(17, 8))
		moment := func() time.Time { return recentMoment(rnd, cur, now) }
		ct := &contract.Contract{ID: uuid.NewString(), Number: "HT-RB-1", CustomerID: cust.ID, OwnerID: reps[0].ID,
			Title: "合同", Amount: money.Amount(1_000_000_00), Currency: "CNY", StartDate: "2025-01-01",
			EndDate: "2027-12-31", Status: contract.Signed, CreatedBy: reps[0].ID, CreatedAt: now, UpdatedAt: now, Version: 1}
		if err := g.Create(ct).Error; err != nil {
			t.Fatal(err)
		}
		var ids []string
		pick := func() string { return ids[rnd.IntN(len(ids))] }
		exec := func(q string, args ...any) {
			if err := g.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		for range 240 {
			op := rnd.IntN(10)
			if len(ids) < 6 {
				op = 0
			}
			switch op {
			case 0, 1, 2, 3:
				p := &payment.Payment{ID: uuid.NewString(), ContractID: ct.ID, CustomerID: cust.ID,
					OwnerID: reps[rnd.IntN(len(reps))].ID, Amount: money.Amount(rnd.Int64N(10_000_000)), Currency: "CNY",
					ReceivedAt: moment(), Method: "bank_transfer", Status: payment.Received, CreatedBy: reps[0].ID,
					CreatedAt: now, UpdatedAt: now, Version: 1}
				if err := g.Create(p).Error; err != nil {
					t.Fatal(err)
				}
				ids = append(ids, p.ID)
			case 4:
				exec("UPDATE payments SET status = ?, voided_at = ?, void_reason = ? WHERE id = ?", payment.Voided, now, "退回", pick())
			case 5:
				exec("UPDATE payments SET received_at = ?, amount = ? WHERE id = ?", moment(), rnd.Int64N(10_000_000), pick())
			case 6:
				exec("UPDATE payments SET owner_id = ? WHERE id = ?", reps[rnd.IntN(len(reps))].ID, pick())
			case 7:
				exec("UPDATE payments SET owner_id = ? WHERE owner_id = ?", reps[rnd.IntN(len(reps))].ID, reps[rnd.IntN(len(reps))].ID)
			case 8:
				k := rnd.IntN(len(ids))
				exec("DELETE FROM payments WHERE id = ?", ids[k])
				ids = append(ids[:k], ids[k+1:]...)
			case 9: // every payment since last month moves to a second before this one
				exec("UPDATE payments SET received_at = ? WHERE received_at >= ?", cur.Add(-time.Second).UTC(), cur.AddDate(0, -1, 0).UTC())
			}
		}

		var pays []struct {
			OwnerID    string
			Status     string
			Amount     int64
			ReceivedAt time.Time
			VoidedAt   *time.Time
		}
		if err := g.Table("payments").Select("owner_id, status, amount, received_at, voided_at").Scan(&pays).Error; err != nil {
			t.Fatal(err)
		}
		want := map[string][2]int64{}
		for _, p := range pays {
			if p.Status == "received" && p.VoidedAt == nil {
				k := p.ReceivedAt.UTC().Format("2006-01") + " " + p.OwnerID
				want[k] = [2]int64{want[k][0] + p.Amount, want[k][1] + 1}
			}
		}
		if len(want) < 6 {
			t.Fatalf("the sequence left %d month-owner keys of payments; too few to test", len(want))
		}
		got := trRollupRows(t, g, "rollup_received_monthly")
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("rollup_received_monthly\n got %v\nwant %v", got, want)
		}
		sum := func(sees func(string) bool, owner string, start, end time.Time) int64 {
			var n int64
			for _, p := range pays {
				if sees(p.OwnerID) && (owner == "" || p.OwnerID == owner) && p.Status == "received" && p.VoidedAt == nil &&
					!p.ReceivedAt.Before(start) && p.ReceivedAt.Before(end) {
					n += p.Amount
				}
			}
			return n
		}
		eastOnly := func(o string) bool { return o == mgr.ID || o == reps[0].ID || o == reps[1].ID }
		trRollupCheck(t, env, mgr, eastOnly, []string{mgr.ID, reps[0].ID, reps[1].ID, reps[2].ID}, "received_amount", sum)
	})
}

// trRollupRows reads a monthly rollup as "month owner" → {amount, n},
// leaving out the keys that came back to zero.
func trRollupRows(t *testing.T, g *gorm.DB, table string) map[string][2]int64 {
	t.Helper()
	var rolled []struct {
		Month, OwnerID string
		Amount, N      int64
	}
	if err := g.Table(table).Select("month, owner_id, amount, n").Scan(&rolled).Error; err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, r := range rolled {
		if r.N != 0 || r.Amount != 0 {
			got[r.Month+" "+r.OwnerID] = [2]int64{r.Amount, r.N}
		}
	}
	return got
}

// TestTrendsCountsFromRollupMatchPlainQuery does for customers (the
// created part of new_customers; created and deleted through HTTP,
// re-dated, re-owned, released to the pool and transferred in bulk in
// SQL) and orders (orders_count; approved, un-approved, re-dated,
// re-owned, deleted in SQL) what the won test does: rollup == fresh
// aggregate, and the report == brute force.
func TestTrendsCountsFromRollupMatchPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		mgr, reps := rollupTeams(env)
		users := []string{mgr.ID, reps[0].ID, reps[1].ID, reps[2].ID}
		eastOnly := func(o string) bool { return o == mgr.ID || o == reps[0].ID || o == reps[1].ID }
		g := env.App.DB.Conn(context.Background())
		now := time.Now().UTC()
		cur := localMonthStart(now)
		rnd := rand.New(rand.NewPCG(17, 9))
		moment := func() time.Time { return recentMoment(rnd, cur, now) }
		exec := func(q string, args ...any) {
			if err := g.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		owner := func() string { return reps[rnd.IntN(len(reps))].ID }

		t.Run("customers", func(t *testing.T) {
			var ids []string
			pick := func() string { return ids[rnd.IntN(len(ids))] }
			for i := range 220 {
				op := rnd.IntN(9)
				if len(ids) < 6 {
					op = 0
				}
				switch op {
				case 0, 1, 2:
					var c struct{ ID string }
					env.Admin.Post("/customers", map[string]any{"name": fmt.Sprint("客户 ", i), "owner_id": owner()}).
						Status(http.StatusCreated).Decode(&c)
					ids = append(ids, c.ID)
				case 3, 4:
					exec("UPDATE customers SET created_at = ? WHERE id = ?", moment(), pick())
				case 5:
					exec("UPDATE customers SET owner_id = ? WHERE id = ?", owner(), pick())
				case 6:
					exec("UPDATE customers SET owner_id = NULL WHERE id = ?", pick())
				case 7:
					exec("UPDATE customers SET owner_id = ? WHERE owner_id = ?", owner(), owner())
				case 8:
					k := rnd.IntN(len(ids))
					env.Admin.Delete("/customers/" + ids[k]).Status(http.StatusNoContent)
					ids = append(ids[:k], ids[k+1:]...)
				}
			}
			var rows []struct {
				OwnerID   *string
				CreatedAt time.Time
				DeletedAt *time.Time
			}
			if err := g.Table("customers").Select("owner_id, created_at, deleted_at").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			want := map[string][2]int64{}
			for _, r := range rows {
				if r.DeletedAt == nil {
					o := ""
					if r.OwnerID != nil {
						o = *r.OwnerID
					}
					k := r.CreatedAt.UTC().Format("2006-01") + " " + o
					want[k] = [2]int64{0, want[k][1] + 1}
				}
			}
			if len(want) < 6 {
				t.Fatalf("%d month-owner keys of customers; too few to test", len(want))
			}
			if got := trRollupRows(t, g, "rollup_customers_monthly"); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("rollup_customers_monthly\n got %v\nwant %v", got, want)
			}
			count := func(sees func(string) bool, o string, start, end time.Time) int64 {
				var n int64
				for _, r := range rows {
					ro := ""
					if r.OwnerID != nil {
						ro = *r.OwnerID
					}
					// The admin (sees all) counts the pool too.
					if (r.OwnerID != nil && sees(ro) || r.OwnerID == nil && sees("")) && (o == "" || ro == o) &&
						r.DeletedAt == nil && !r.CreatedAt.Before(start) && r.CreatedAt.Before(end) {
						n++
					}
				}
				return n
			}
			trRollupCheck(t, env, mgr, eastOnly, users, "new_customers", count)
		})

		t.Run("orders", func(t *testing.T) {
			var ids []string
			pick := func() string { return ids[rnd.IntN(len(ids))] }
			var cust struct{ ID string }
			env.Admin.Post("/customers", map[string]any{"name": "订单客户"}).Status(http.StatusCreated).Decode(&cust)
			for i := range 220 {
				op := rnd.IntN(9)
				if len(ids) < 6 {
					op = 0
				}
				switch op {
				case 0, 1, 2:
					at := moment()
					o := &order.Order{ID: uuid.NewString(), Number: fmt.Sprintf("SO-RB-%04d", i), CustomerID: cust.ID,
						Currency: "CNY", Status: order.StatusApproved, PaymentStatus: order.PaymentUnpaid, OwnerID: owner(),
						CreatedBy: reps[0].ID, ApprovedAt: &at, CreatedAt: now, UpdatedAt: now, Version: 1}
					if err := g.Create(o).Error; err != nil {
						t.Fatal(err)
					}
					ids = append(ids, o.ID)
				case 3:
					exec("UPDATE orders SET approved_at = NULL, status = ? WHERE id = ?", order.StatusSubmitted, pick())
				case 4, 5:
					exec("UPDATE orders SET approved_at = ?, status = ? WHERE id = ?", moment(), order.StatusApproved, pick())
				case 6:
					exec("UPDATE orders SET owner_id = ? WHERE id = ?", owner(), pick())
				case 7:
					exec("UPDATE orders SET owner_id = ? WHERE owner_id = ?", owner(), owner())
				case 8:
					k := rnd.IntN(len(ids))
					exec("DELETE FROM orders WHERE id = ?", ids[k])
					ids = append(ids[:k], ids[k+1:]...)
				}
			}
			var rows []struct {
				OwnerID    string
				ApprovedAt *time.Time
			}
			if err := g.Table("orders").Select("owner_id, approved_at").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			want := map[string][2]int64{}
			for _, r := range rows {
				if r.ApprovedAt != nil {
					k := r.ApprovedAt.UTC().Format("2006-01") + " " + r.OwnerID
					want[k] = [2]int64{0, want[k][1] + 1}
				}
			}
			if len(want) < 6 {
				t.Fatalf("%d month-owner keys of orders; too few to test", len(want))
			}
			if got := trRollupRows(t, g, "rollup_orders_monthly"); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("rollup_orders_monthly\n got %v\nwant %v", got, want)
			}
			count := func(sees func(string) bool, o string, start, end time.Time) int64 {
				var n int64
				for _, r := range rows {
					if sees(r.OwnerID) && (o == "" || r.OwnerID == o) && r.ApprovedAt != nil &&
						!r.ApprovedAt.Before(start) && r.ApprovedAt.Before(end) {
						n++
					}
				}
				return n
			}
			trRollupCheck(t, env, mgr, eastOnly, users, "orders_count", count)
		})
	})
}
