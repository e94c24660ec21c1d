package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
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
		east, west := env.Team("East", ""), env.Team("West", "")
		mgr := env.User("manager", east)
		reps := []*apptest.User{env.User("rep", east), env.User("rep", east), env.User("rep", west)}
		var cust struct{ ID string }
		env.Admin.Post("/customers", map[string]any{"name": "恒达精密"}).Status(http.StatusCreated).Decode(&cust)
		g := env.App.DB.Conn(context.Background())
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Now().UTC()
		cur := time.Date(now.In(sh).Year(), now.In(sh).Month(), 1, 0, 0, 0, 0, sh)
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

		all := func(string) bool { return true }
		eastOnly := func(o string) bool { return o == mgr.ID || o == reps[0].ID || o == reps[1].ID }
		// Expected buckets: local months (or quarters) clipped to [from, to].
		cut := func(from, to time.Time, months int) [][2]time.Time {
			var out [][2]time.Time
			start := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, sh)
			if months == 3 {
				start = time.Date(from.Year(), (from.Month()-1)/3*3+1, 1, 0, 0, 0, 0, sh)
			}
			for s := start; s.Before(to); s = s.AddDate(0, months, 0) {
				e := s.AddDate(0, months, 0)
				out = append(out, [2]time.Time{trLater(s, from), trEarlier(e, to)})
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
		}{{"admin", env.Admin, all}, {"manager", mgr.Client, eastOnly}} {
			for _, tc := range cases {
				for _, groupBy := range []string{"none", "user"} {
					q, _ := url.ParseQuery(tc.query)
					q.Set("metric", "activities_count")
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
						owners = []string{mgr.ID, reps[0].ID, reps[1].ID, reps[2].ID}
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
							got := int64(0)
							if ok {
								got, _ = strconv.ParseInt(s.Values[i], 10, 64)
							}
							if got != want {
								t.Errorf("%s %s %s %s: %d, want %d", c.name, q.Encode(), key, r.Buckets[i].Key, got, want)
							}
						}
						if ok != (total > 0) || ok && s.Total != strconv.FormatInt(total, 10) {
							t.Errorf("%s %s %s: total %+v, want %d", c.name, q.Encode(), key, s, total)
						}
					}
				}
			}
		}
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
