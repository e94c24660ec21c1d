package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
)

// TestActivitiesRollupMatchesPlainQuery drives a random sequence of
// activity writes (creates, completions, cancellations, owner changes,
// deletions through HTTP; done_at moves and bulk owner transfers straight
// in SQL, as other modules' writers would) and then checks that
// rollup_activities_done equals a fresh count of activities, and that
// activities_count in GET /reports/performance (rollup days plus edge
// hours) equals the brute-force count for ranges of whole months, of odd
// days, and of a single day.
func TestActivitiesRollupMatchesPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		mgr, reps := rollupTeams(env)
		var cust struct{ ID string }
		env.Admin.Post("/customers", map[string]any{"name": "恒达精密"}).Status(http.StatusCreated).Decode(&cust)
		g := env.App.DB.Conn(context.Background())
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Now().UTC()
		rnd := rand.New(rand.NewPCG(6, 16))

		var ids []string
		pick := func() string { return ids[rnd.IntN(len(ids))] }
		for i := range 160 {
			op := rnd.IntN(12)
			if len(ids) < 6 {
				op = 0
			}
			switch op {
			case 0, 1, 2: // create, for a random rep
				var a struct{ ID string }
				env.Admin.Post("/activities", map[string]any{"type": "call", "subject": fmt.Sprint("回访 ", i),
					"related_type": "customer", "related_id": cust.ID, "owner_id": reps[rnd.IntN(len(reps))].ID,
					"start_at": now.Add(-time.Hour).Format(time.RFC3339)}).Status(http.StatusCreated).Decode(&a)
				ids = append(ids, a.ID)
			case 3, 4, 10, 11: // complete (409 unless planned)
				env.Admin.Post("/activities/"+pick()+"/complete", map[string]any{"outcome": "ok"}).
					Status(http.StatusOK, http.StatusConflict)
			case 5: // cancel (409 unless planned)
				env.Admin.Post("/activities/"+pick()+"/cancel", nil).Status(http.StatusOK, http.StatusConflict)
			case 6: // another owner: through HTTP while planned (409 after), in SQL when done
				id, owner := pick(), reps[rnd.IntN(len(reps))].ID
				env.Admin.Patch("/activities/"+id, map[string]any{"owner_id": owner}).
					Status(http.StatusOK, http.StatusConflict)
				if err := g.Exec("UPDATE activities SET owner_id = ? WHERE id = ? AND status = 'done'", owner, id).Error; err != nil {
					t.Fatal(err)
				}
			case 7: // delete
				k := rnd.IntN(len(ids))
				env.Admin.Delete("/activities/" + ids[k]).Status(http.StatusNoContent)
				ids = append(ids[:k], ids[k+1:]...)
			case 8: // done at another moment of the last 70 days, in SQL
				var done []string
				if err := g.Table("activities").Where("status = ?", "done").Order("id").Pluck("id", &done).Error; err != nil {
					t.Fatal(err)
				}
				for _, id := range done {
					if rnd.IntN(2) == 0 {
						continue
					}
					at := now.Add(-time.Duration(rnd.Int64N(int64(70 * 24 * time.Hour))))
					if err := g.Exec("UPDATE activities SET done_at = ? WHERE id = ?", at, id).Error; err != nil {
						t.Fatal(err)
					}
				}
			case 9: // bulk transfer of one rep's activities to another
				from, to := reps[rnd.IntN(len(reps))], reps[rnd.IntN(len(reps))]
				if err := g.Exec("UPDATE activities SET owner_id = ? WHERE owner_id = ?", to.ID, from.ID).Error; err != nil {
					t.Fatal(err)
				}
			}
		}

		// The brute force: every activity as stored.
		var acts []struct {
			OwnerID string
			Status  string
			DoneAt  *time.Time
		}
		if err := g.Table("activities").Select("owner_id, status, done_at").Scan(&acts).Error; err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{}
		done := 0
		for _, a := range acts {
			if a.Status == "done" && a.DoneAt != nil {
				want[a.DoneAt.UTC().Format(time.DateOnly)+" "+a.OwnerID]++
				done++
			}
		}
		if done < 10 || len(want) < 8 {
			t.Fatalf("the sequence left %d done activities over %d day-owner keys; too few to test", done, len(want))
		}
		var rolled []struct {
			Day, OwnerID string
			N            int64
		}
		if err := g.Table("rollup_activities_done").Select("day, owner_id, n").Scan(&rolled).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, r := range rolled {
			if r.N != 0 {
				got[r.Day+" "+r.OwnerID] = r.N
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("rollup_activities_done\n got %v\nwant %v", got, want)
		}

		count := func(owner string, start, end time.Time) int64 {
			var n int64
			for _, a := range acts {
				if a.OwnerID == owner && a.Status == "done" && a.DoneAt != nil && !a.DoneAt.Before(start) && a.DoneAt.Before(end) {
					n++
				}
			}
			return n
		}
		today := now.In(sh)
		day := func(d int) time.Time { return time.Date(today.Year(), today.Month(), today.Day()+d, 0, 0, 0, 0, sh) }
		ranges := [][2]time.Time{{day(-75), day(1)}, {day(-40), day(-3)}, {day(-1), day(1)}, {day(0), day(1)}}
		for _, c := range []*apptest.Client{env.Admin, mgr.Client} {
			for _, r := range ranges {
				q := url.Values{"from": {r[0].Format(time.DateOnly)}, "to": {r[1].AddDate(0, 0, -1).Format(time.DateOnly)}}
				var rep perfReport
				c.Get("/reports/performance?" + q.Encode()).Status(http.StatusOK).Decode(&rep)
				seen := 0
				for _, row := range rep.Data {
					if row.UserID == nil {
						continue
					}
					seen++
					if w := count(*row.UserID, r[0], r[1]); row.ActivitiesCount != w {
						t.Errorf("%s..%s user %s: activities_count %d, want %d", q.Get("from"), q.Get("to"), row.Name,
							row.ActivitiesCount, w)
					}
				}
				if seen == 0 {
					t.Fatalf("no rows for %v", q)
				}
			}
		}
	})
}

// rollupTeams is the organisation the rollup tests write for: East with a
// manager and two reps, West with one rep.
func rollupTeams(env *apptest.Env) (mgr *apptest.User, reps []*apptest.User) {
	east, west := env.Team("East", ""), env.Team("West", "")
	mgr = env.User("manager", east)
	return mgr, []*apptest.User{env.User("rep", east), env.User("rep", east), env.User("rep", west)}
}

// localMonthStart is the start of now's month in Asia/Shanghai.
func localMonthStart(now time.Time) time.Time {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	return time.Date(now.In(sh).Year(), now.In(sh).Month(), 1, 0, 0, 0, 0, sh)
}

// recentMoment is a moment of the last 13 months, in UTC: half the time a
// second before or at one of the last twelve local month starts (cur the
// current one), else anywhere.
func recentMoment(rnd *rand.Rand, cur, now time.Time) time.Time {
	if rnd.IntN(2) == 0 {
		return cur.AddDate(0, -rnd.IntN(12), 0).Add(-time.Second * time.Duration(rnd.IntN(2))).UTC()
	}
	return now.Add(-time.Duration(rnd.Int64N(int64(390 * 24 * time.Hour)))).UTC()
}
