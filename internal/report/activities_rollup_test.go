package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/activity"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/report"
	"github.com/shopspring/decimal"
)

// acrActivity is an activity as stored, for the brute force.
type acrActivity struct {
	OwnerID    string
	Type       string
	Status     string
	DoneAt     *time.Time
	CheckInAt  *time.Time
	CheckOutAt *time.Time
}

// TestActivitiesTypedRollupMatchesPlainQuery drives a random sequence of
// activity writes — creates, completions, cancellations, owner changes
// and deletions through HTTP; done_at moves, type changes, check-ins and
// check-outs, bulk inserts and bulk owner transfers straight in SQL, as
// other modules' writers would — and then checks that
// rollup_activities_typed equals a fresh grouping of activities, and that
// GET /reports/activities (rollup days plus edge hours) equals the brute
// force for ranges of whole months, of odd days and of a single day.
func TestActivitiesTypedRollupMatchesPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		o := prNewOrg(t, b)
		env := o.env
		var cust struct{ ID string }
		env.Admin.Post("/customers", map[string]any{"name": "恒达精密"}).Status(http.StatusCreated).Decode(&cust)
		g := env.App.DB.Conn(context.Background())
		sh, _ := time.LoadLocation("Asia/Shanghai")
		now := time.Now().UTC()
		rnd := rand.New(rand.NewPCG(18, 6))
		owners := []string{o.mgr.ID, o.repSH.ID, o.repE.ID, o.repN.ID}
		ago := func() time.Time { return now.Add(-time.Duration(rnd.Int64N(int64(70 * 24 * time.Hour)))) }
		randomDone := func(status string) []string {
			var ids []string
			if err := g.Table("activities").Where("status = ?", status).Order("id").Pluck("id", &ids).Error; err != nil {
				t.Fatal(err)
			}
			return ids
		}
		exec := func(sql string, args ...any) {
			t.Helper()
			if err := g.Exec(sql, args...).Error; err != nil {
				t.Fatal(err)
			}
		}

		var ids []string
		pick := func() string { return ids[rnd.IntN(len(ids))] }
		for i := range 170 {
			op := rnd.IntN(14)
			if len(ids) < 6 {
				op = 0
			}
			switch op {
			case 0, 1, 2: // create, of a random type for a random owner
				var a struct{ ID string }
				env.Admin.Post("/activities", map[string]any{"type": activity.Types[rnd.IntN(len(activity.Types))],
					"subject": fmt.Sprint("回访 ", i), "related_type": "customer", "related_id": cust.ID,
					"owner_id": owners[rnd.IntN(len(owners))], "start_at": now.Add(-time.Hour).Format(time.RFC3339)}).
					Status(http.StatusCreated).Decode(&a)
				ids = append(ids, a.ID)
			case 3, 4: // complete (409 unless planned)
				env.Admin.Post("/activities/"+pick()+"/complete", map[string]any{"outcome": "ok"}).
					Status(http.StatusOK, http.StatusConflict)
			case 5: // cancel (409 unless planned)
				env.Admin.Post("/activities/"+pick()+"/cancel", nil).Status(http.StatusOK, http.StatusConflict)
			case 6: // another owner: through HTTP while planned, in SQL when done
				id, owner := pick(), owners[rnd.IntN(len(owners))]
				env.Admin.Patch("/activities/"+id, map[string]any{"owner_id": owner}).
					Status(http.StatusOK, http.StatusConflict)
				exec("UPDATE activities SET owner_id = ? WHERE id = ? AND status = 'done'", owner, id)
			case 7: // delete
				k := rnd.IntN(len(ids))
				if r := env.Admin.Delete("/activities/" + ids[k]); r.Code != http.StatusNoContent {
					t.Fatalf("delete: %d %s", r.Code, acrErrors(env))
				}
				ids = append(ids[:k], ids[k+1:]...)
			case 8: // done at other moments of the last 70 days
				for _, id := range randomDone("done") {
					if rnd.IntN(2) == 0 {
						exec("UPDATE activities SET done_at = ? WHERE id = ?", ago(), id)
					}
				}
			case 9: // check-ins and check-outs (fractions of a second), or none
				for _, id := range randomDone("done") {
					switch rnd.IntN(4) {
					case 0:
						in := ago().Add(time.Duration(rnd.IntN(1000)) * time.Millisecond)
						exec("UPDATE activities SET check_in_at = ?, "+acrAt+", check_out_at = NULL WHERE id = ?", in, id)
					case 1:
						in := ago().Add(time.Duration(rnd.IntN(1000)) * time.Millisecond)
						out := in.Add(time.Duration(rnd.Int64N(int64(3 * time.Hour))))
						exec("UPDATE activities SET check_in_at = ?, check_out_at = ?, "+acrAt+", "+
							"check_out_lat = 31.23, check_out_lng = 121.47 WHERE id = ?", in, out, id)
					case 2:
						exec("UPDATE activities SET check_in_at = NULL, check_out_at = NULL WHERE id = ?", id)
					}
				}
			case 10: // another type
				exec("UPDATE activities SET type = ? WHERE id = ?", activity.Types[rnd.IntN(len(activity.Types))], pick())
			case 11: // bulk transfer of one owner's activities to another
				exec("UPDATE activities SET owner_id = ? WHERE owner_id = ?", owners[rnd.IntN(len(owners))],
					owners[rnd.IntN(len(owners))])
			case 12: // a bulk insert of done visits in one statement
				var batch []*activity.Activity
				lat, lng := 31.23, 121.47
				for range 3 {
					done, in := ago(), ago()
					out := in.Add(40*time.Minute + 300*time.Millisecond)
					batch = append(batch, &activity.Activity{ID: uuid.NewString(), Type: "visit", Subject: "拜访",
						OwnerID: owners[rnd.IntN(len(owners))], Status: activity.StatusDone, StartAt: done.Add(-time.Hour),
						RelatedType: "customer", RelatedID: cust.ID,
						DoneAt: &done, CheckInAt: &in, CheckOutAt: &out, CheckInLat: &lat, CheckInLng: &lng,
						CheckOutLat: &lat, CheckOutLng: &lng, CreatedBy: o.mgr.ID, CreatedAt: now, UpdatedAt: now,
						Version: 1})
				}
				if err := g.Create(batch).Error; err != nil {
					t.Fatal(err)
				}
				for _, a := range batch {
					ids = append(ids, a.ID)
				}
			case 13: // a bulk delete of one owner's cancelled activities
				exec("DELETE FROM activities WHERE owner_id = ? AND status = 'cancelled'", owners[rnd.IntN(len(owners))])
				var left []string
				if err := g.Table("activities").Order("id").Pluck("id", &left).Error; err != nil {
					t.Fatal(err)
				}
				ids = left
			}
		}

		// The brute force: every activity as stored.
		var acts []acrActivity
		if err := g.Table("activities").Select("owner_id, type, status, done_at, check_in_at, check_out_at").
			Scan(&acts).Error; err != nil {
			t.Fatal(err)
		}
		want := map[string][9]int64{}
		done := 0
		for _, a := range acts {
			if a.Status != "done" || a.DoneAt == nil {
				continue
			}
			done++
			k := a.DoneAt.UTC().Format(time.DateOnly) + " " + a.OwnerID
			v := want[k]
			for i, typ := range activity.Types {
				if a.Type == typ {
					v[i]++
				}
			}
			if a.Type == "visit" && a.CheckInAt != nil {
				v[6]++
				if a.CheckOutAt != nil {
					v[7]++
					v[8] += a.CheckOutAt.Unix() - a.CheckInAt.Unix()
				}
			}
			want[k] = v
		}
		var rolled []struct {
			Day, OwnerID                                  string
			Calls, Visits, Meetings, Demos, Emails, Tasks int64
			VisitsCheckedIn, VisitsTimed, VisitSeconds    int64
		}
		if err := g.Table("rollup_activities_typed").Scan(&rolled).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string][9]int64{}
		for _, r := range rolled {
			v := [9]int64{r.Calls, r.Visits, r.Meetings, r.Demos, r.Emails, r.Tasks, r.VisitsCheckedIn, r.VisitsTimed, r.VisitSeconds}
			if v != ([9]int64{}) {
				got[r.Day+" "+r.OwnerID] = v
			}
		}
		timed := 0
		for _, v := range want {
			timed += int(v[7])
		}
		if done < 15 || len(want) < 10 || timed < 3 {
			t.Fatalf("the sequence left %d done activities over %d day-owner keys, %d timed visits; too few to test",
				done, len(want), timed)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("rollup_activities_typed\n got %v\nwant %v", got, want)
		}

		brute := func(owner string, start, end time.Time) report.ActivityCountsView {
			var c report.ActivityCountsView
			var secs int64
			for _, a := range acts {
				if a.OwnerID != owner || a.Status != "done" || a.DoneAt == nil || a.DoneAt.Before(start) || !a.DoneAt.Before(end) {
					continue
				}
				c.Total++
				switch a.Type {
				case "call":
					c.Calls++
				case "visit":
					c.Visits++
					if a.CheckInAt != nil {
						c.VisitsCheckedIn++
						if a.CheckOutAt != nil {
							c.VisitsTimed++
							secs += a.CheckOutAt.Unix() - a.CheckInAt.Unix()
						}
					}
				case "meeting":
					c.Meetings++
				case "demo":
					c.Demos++
				case "email":
					c.Emails++
				case "task":
					c.Tasks++
				}
			}
			if c.VisitsTimed > 0 {
				s := decimal.NewFromInt(secs).DivRound(decimal.NewFromInt(c.VisitsTimed*60), 2).StringFixed(2)
				c.AvgVisitMinutes = &s
			}
			return c
		}
		today := now.In(sh)
		day := func(d int) time.Time { return time.Date(today.Year(), today.Month(), today.Day()+d, 0, 0, 0, 0, sh) }
		ranges := [][2]time.Time{{day(-75), day(1)}, {day(-40), day(-3)}, {day(-1), day(1)}, {day(0), day(1)}}
		for _, c := range []*apptest.Client{env.Admin, o.mgr.Client} {
			for _, r := range ranges {
				q := url.Values{"from": {r[0].Format(time.DateOnly)}, "to": {r[1].AddDate(0, 0, -1).Format(time.DateOnly)}}
				var rep report.ActivitiesResponse
				c.Get("/reports/activities?" + q.Encode()).Status(http.StatusOK).Decode(&rep)
				if len(rep.Data) == 0 {
					t.Fatalf("no rows for %v", q)
				}
				for _, row := range rep.Data {
					acSame(t, fmt.Sprint(q.Get("from"), "..", q.Get("to"), " ", row.Name), row.ActivityCountsView,
						brute(*row.UserID, r[0], r[1]))
				}
			}
		}
	})
}

// acrAt is a check-in's place, which a check-in time comes with.
const acrAt = "check_in_lat = 31.23, check_in_lng = 121.47"

// acrErrors is what the server logged at error level.
func acrErrors(env *apptest.Env) string {
	var out []string
	for _, l := range strings.Split(env.Logs.String(), "\n") {
		if strings.Contains(l, `"level":"ERROR"`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
