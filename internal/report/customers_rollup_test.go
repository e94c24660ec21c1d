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
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/report"
)

// TestCustomersRollupMatchesPlainQuery drives a random sequence of writes
// that move customer receipts (payments recorded and voided through HTTP;
// payments inserted several per statement, re-dated onto local and UTC
// month edges, re-valued, re-pointed to other customers and deleted in
// SQL; customers created, transferred, released to the pool, claimed,
// deleted and merged through HTTP, re-owned in bulk and restored in SQL;
// follow-ups recorded through HTTP and last_followed_at moved in SQL) and
// then checks rollup_customer_received (v0024) against the payments
// grouped afresh, and GET /reports/customers against the brute force for
// an admin, a manager and a rep over spans whose ends fall before, on and
// after UTC month starts.
func TestCustomersRollupMatchesPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		mgr, reps := rollupTeams(env)
		owners := []*apptest.User{mgr, reps[0], reps[1], reps[2]}
		g := env.App.DB.Conn(context.Background())
		exec := func(q string, args ...any) {
			t.Helper()
			if err := g.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now().UTC()
		cur := localMonthStart(now)
		rnd := rand.New(rand.NewPCG(24, 11))
		// A moment of the last 13 months: often a second either side of a
		// local or a UTC month start, else anywhere.
		moment := func() time.Time {
			edge := cur.AddDate(0, -rnd.IntN(12), 0)
			switch rnd.IntN(4) {
			case 0:
				return edge.Add(-time.Second * time.Duration(rnd.IntN(2))).UTC()
			case 1:
				u := time.Date(edge.Year(), edge.Month(), 1, 0, 0, 0, 0, time.UTC)
				return u.Add(-time.Second * time.Duration(rnd.IntN(2)))
			}
			return now.Add(-time.Duration(rnd.Int64N(int64(390 * 24 * time.Hour)))).UTC()
		}

		var custs []string
		contractOf := map[string]string{}
		pickC := func() string { return custs[rnd.IntN(len(custs))] }
		newCustomer := func(i int) {
			var c struct{ ID string }
			env.Admin.Post("/customers", map[string]any{"name": fmt.Sprint("回款客户 ", i),
				"owner_id": owners[rnd.IntN(len(owners))].ID}).Status(http.StatusCreated).Decode(&c)
			ct := &contract.Contract{ID: uuid.NewString(), Number: fmt.Sprint("HT-CU-", i), CustomerID: c.ID,
				OwnerID: reps[rnd.IntN(len(reps))].ID, Title: "合同", Amount: money.Amount(1_000_000_000_00),
				Currency: "CNY", StartDate: "2025-01-01", EndDate: "2027-12-31", Status: contract.Signed,
				CreatedBy: reps[0].ID, CreatedAt: now, UpdatedAt: now, Version: 1}
			if err := g.Create(ct).Error; err != nil {
				t.Fatal(err)
			}
			custs = append(custs, c.ID)
			contractOf[c.ID] = ct.ID
		}
		var pays []string
		pickP := func() string { return pays[rnd.IntN(len(pays))] }
		viaHTTP := 0
		for i := range 300 {
			op := rnd.IntN(16)
			switch {
			case len(custs) < 6:
				op = 0
			case len(pays) < 6:
				op = 1
			}
			switch op {
			case 0:
				newCustomer(i)
			case 1, 2, 3: // recorded through the API
				var p struct{ ID string }
				c := pickC()
				r := env.Admin.Post("/payments", map[string]any{"contract_id": contractOf[c],
					"amount":      fmt.Sprintf("%d.%02d", 1+rnd.IntN(90000), rnd.IntN(100)),
					"received_at": moment().Format(time.RFC3339), "method": "bank_transfer"}).
					Status(http.StatusCreated, http.StatusConflict, http.StatusUnprocessableEntity)
				if r.Code == http.StatusCreated {
					r.Decode(&p)
					pays = append(pays, p.ID)
					viaHTTP++
				}
			case 4: // two customers' payments in one statement
				a, c := pickC(), pickC()
				ida, idc := uuid.NewString(), uuid.NewString()
				exec(`INSERT INTO payments (id, contract_id, customer_id, owner_id, amount, currency, received_at, method,
					status, created_by, created_at, updated_at, version)
					VALUES (?, ?, ?, ?, ?, 'CNY', ?, 'cash', 'received', '', ?, ?, 1),
					(?, ?, ?, ?, ?, 'CNY', ?, 'cash', 'received', '', ?, ?, 1)`,
					ida, contractOf[a], a, reps[0].ID, rnd.Int64N(5_000_000), moment(), now, now,
					idc, contractOf[c], c, reps[1].ID, rnd.Int64N(5_000_000), moment(), now, now)
				pays = append(pays, ida, idc)
			case 5: // voided through the API (409 once voided, 404 for a payment without a contract)
				env.Admin.Post("/payments/"+pickP()+"/void", map[string]any{"reason": "退回"}).
					Status(http.StatusOK, http.StatusConflict, http.StatusNotFound)
			case 6:
				exec("UPDATE payments SET received_at = ?, amount = ? WHERE id = ?", moment(), rnd.Int64N(10_000_000), pickP())
			case 7: // re-pointed to another customer, two in one statement
				exec("UPDATE payments SET customer_id = ? WHERE id IN (?, ?)", pickC(), pickP(), pickP())
			case 8:
				k := rnd.IntN(len(pays))
				exec("DELETE FROM payments WHERE id = ?", pays[k])
				pays = append(pays[:k], pays[k+1:]...)
			case 9: // transferred, or released to the pool and claimed
				c := pickC()
				switch rnd.IntN(3) {
				case 0:
					env.Admin.Post("/customers/"+c+"/transfer", map[string]any{"owner_id": owners[rnd.IntN(len(owners))].ID}).
						Status(http.StatusOK, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
				case 1:
					env.Admin.Post("/customers/"+c+"/release", map[string]any{"reason": "暂无需求"}).
						Status(http.StatusOK, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
				default:
					reps[rnd.IntN(len(reps))].Post("/customers/"+c+"/claim", nil).
						Status(http.StatusOK, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
				}
			case 10: // every customer of one owner to another, in SQL
				exec("UPDATE customers SET owner_id = ? WHERE owner_id = ?", owners[rnd.IntN(len(owners))].ID,
					owners[rnd.IntN(len(owners))].ID)
			case 11: // deleted through the API, or restored in SQL
				if rnd.IntN(2) == 0 {
					env.Admin.Delete("/customers/"+pickC()).Status(http.StatusNoContent, http.StatusNotFound, http.StatusConflict)
				} else {
					exec("UPDATE customers SET deleted_at = NULL, merged_into_id = NULL WHERE id = ?", pickC())
				}
			case 12: // merged through the API
				a, c := pickC(), pickC()
				if a != c {
					env.Admin.Post("/customers/"+a+"/merge", map[string]any{"source_ids": []string{c}}).
						Status(http.StatusOK, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
				}
			case 13: // a follow-up recorded, or the last one moved
				if rnd.IntN(2) == 0 {
					at := now.Add(-time.Duration(rnd.Int64N(int64(60 * 24 * time.Hour))))
					env.Admin.Post("/customers/"+pickC()+"/follow-ups", map[string]any{"channel": "call", "content": "回访",
						"followed_at": at.Format(time.RFC3339)}).
						Status(http.StatusCreated, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
				} else {
					exec("UPDATE customers SET last_followed_at = ? WHERE id = ?",
						now.Add(-time.Duration(rnd.Int64N(int64(90*24*time.Hour)))), pickC())
				}
			case 14: // a plain SQL customer with an owner, paid before it existed
				id := uuid.NewString()
				exec(`INSERT INTO payments (id, contract_id, customer_id, owner_id, amount, currency, received_at, method,
					status, created_by, created_at, updated_at, version)
					VALUES (?, ?, ?, ?, ?, 'CNY', ?, 'cash', 'received', '', ?, ?, 1)`,
					uuid.NewString(), uuid.NewString(), id, reps[2].ID, rnd.Int64N(5_000_000), moment(), now, now)
				exec(`INSERT INTO customers (id, name, owner_id, source, lifecycle_stage, created_by, created_at, updated_at, version)
					VALUES (?, ?, ?, 'manual', 'active', '', ?, ?, 1)`, id, fmt.Sprint("直写客户 ", i), owners[rnd.IntN(len(owners))].ID,
					now.Add(-time.Duration(rnd.Int64N(int64(200*24*time.Hour)))), now)
				custs = append(custs, id)
				contractOf[id] = uuid.NewString()
			case 15: // voided in SQL, several at once
				exec("UPDATE payments SET status = 'voided', voided_at = ?, void_reason = '退回' WHERE id IN (?, ?)", now, pickP(), pickP())
			}
		}
		if viaHTTP < 10 {
			t.Fatalf("only %d payments recorded through the API", viaHTTP)
		}

		cs, ps := cuLoad(t, env)
		// The rollup against the payments grouped afresh.
		ownerOf := map[string]string{}
		for _, c := range cs {
			if !c.deleted {
				ownerOf[c.id] = c.owner
			}
		}
		want := map[string][2]int64{}
		for _, p := range ps {
			if p.counts {
				k := p.at.UTC().Format("2006-01") + " " + ownerOf[p.customer] + " " + p.customer
				want[k] = [2]int64{want[k][0] + int64(p.amount), want[k][1] + 1}
			}
		}
		var rolled []struct {
			Month, OwnerID, CustomerID string
			Amount, N                  int64
		}
		if err := g.Table("rollup_customer_received").Scan(&rolled).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string][2]int64{}
		for _, r := range rolled {
			if r.Amount != 0 || r.N != 0 {
				got[r.Month+" "+r.OwnerID+" "+r.CustomerID] = [2]int64{r.Amount, r.N}
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("rollup_customer_received\n got %v\nwant %v", got, want)
		}
		owned, pooled := 0, 0
		for k := range want {
			if strings.Contains(k, "  ") {
				pooled++
			} else {
				owned++
			}
		}
		if owned < 20 || pooled < 2 {
			t.Fatalf("the sequence left %d owned and %d unowned keys; too few to test", owned, pooled)
		}

		east3 := func(o string) bool { return o == mgr.ID || o == reps[0].ID || o == reps[1].ID }
		day := func(t time.Time) string { return t.Format(time.DateOnly) }
		spans := []struct{ query string }{
			{"period=" + cur.AddDate(0, -1, 0).Format("2006-01")},
			{"from=" + day(now.In(cur.Location()).AddDate(-1, 0, 1)) + "&to=" + day(now.In(cur.Location()))},
			{"from=" + day(cur.AddDate(0, -7, 12)) + "&to=" + day(cur.AddDate(0, -1, 26))},
			{"from=" + day(cur.AddDate(0, -3, 3)) + "&to=" + day(cur.AddDate(0, -3, 20))},
		}
		for _, tc := range []struct {
			label string
			c     *apptest.Client
			sees  func(string) bool
		}{
			{"admin", env.Admin, func(string) bool { return true }},
			{"manager", mgr.Client, east3},
			{"rep", reps[1].Client, func(o string) bool { return o == reps[1].ID }},
		} {
			for _, sp := range spans {
				for _, extra := range []string{"", "&limit=3&inactive_days=20"} {
					q := sp.query + extra
					var r report.CustomersResponse
					tc.c.Get("/reports/customers?" + q).Status(http.StatusOK).Decode(&r)
					vals, _ := url.ParseQuery(q)
					days, limit := 30, 50
					if vals.Get("limit") != "" {
						days, limit = 20, 3
					}
					cuCompare(t, "rollup "+tc.label+" "+q, r,
						cuBruteIn(cs, ps, tc.sees, r.Range.From, r.Range.To, r.AtRisk.AsOf, days, limit))
				}
			}
		}
	})
}

// cuLoad reads every customer and payment back for the brute force.
func cuLoad(t *testing.T, env *apptest.Env) ([]cuCustomer, []cuPayment) {
	t.Helper()
	g := env.App.DB.Conn(context.Background())
	var crows []struct {
		ID, Name       string
		OwnerID        *string
		DeletedAt      *time.Time
		CreatedAt      time.Time
		LastFollowedAt *time.Time
	}
	if err := g.Table("customers").Select("id, name, owner_id, deleted_at, created_at, last_followed_at").
		Scan(&crows).Error; err != nil {
		t.Fatal(err)
	}
	var cs []cuCustomer
	for _, c := range crows {
		x := cuCustomer{id: c.ID, name: c.Name, deleted: c.DeletedAt != nil, createdAt: c.CreatedAt, lastFollowed: c.LastFollowedAt}
		if c.OwnerID != nil {
			x.owner = *c.OwnerID
		}
		cs = append(cs, x)
	}
	var prows []struct {
		CustomerID, Status string
		Amount             int64
		ReceivedAt         time.Time
		VoidedAt           *time.Time
	}
	if err := g.Table("payments").Select("customer_id, status, amount, received_at, voided_at").Scan(&prows).Error; err != nil {
		t.Fatal(err)
	}
	var ps []cuPayment
	for _, p := range prows {
		ps = append(ps, cuPayment{customer: p.CustomerID, amount: money.Amount(p.Amount), at: p.ReceivedAt,
			counts: p.Status == "received" && p.VoidedAt == nil})
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].at.Before(ps[j].at) })
	return cs, ps
}
