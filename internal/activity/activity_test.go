package activity_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/opencrm/crm/internal/activity"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/reminder"
)

func TestMain(m *testing.M) { apptest.Main(m) }

type act = activity.ActivityResponse

func ts(d time.Duration) string {
	return time.Now().UTC().Add(d).Truncate(time.Second).Format(time.RFC3339)
}

func newCustomer(t *testing.T, c *apptest.Client, body map[string]any) string {
	t.Helper()
	var out struct{ ID string }
	c.Post("/customers", body).Status(http.StatusCreated).Decode(&out)
	return out.ID
}

func newActivity(t *testing.T, c *apptest.Client, body map[string]any) act {
	t.Helper()
	var a act
	c.Post("/activities", body).Status(http.StatusCreated).Decode(&a)
	return a
}

func reminderOf(t *testing.T, env *apptest.Env, key string) *reminder.Reminder {
	t.Helper()
	r, err := env.App.Reminders.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("reminder %s: %v", key, err)
	}
	return r
}

func TestActivityCRUDRemindersAndComplete(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		rep, peer := env.User("rep", team), env.User("rep", team)
		cust := newCustomer(t, rep.Client, map[string]any{"name": "恒达精密"})

		// 422s change nothing.
		for field, body := range map[string]map[string]any{
			"subject":       {"type": "call", "related_type": "customer", "related_id": cust, "start_at": ts(time.Hour)},
			"type":          {"type": "fax", "subject": "x", "related_type": "customer", "related_id": cust, "start_at": ts(time.Hour)},
			"related_type":  {"type": "call", "subject": "x", "related_type": "invoice", "related_id": cust, "start_at": ts(time.Hour)},
			"related_id":    {"type": "call", "subject": "x", "related_type": "customer", "start_at": ts(time.Hour)},
			"end_at":        {"type": "call", "subject": "x", "related_type": "customer", "related_id": cust, "start_at": ts(2 * time.Hour), "end_at": ts(time.Hour)},
			"remind_at":     {"type": "call", "subject": "x", "related_type": "customer", "related_id": cust, "start_at": ts(time.Hour), "remind_before": "30m", "remind_at": ts(time.Minute)},
			"remind_before": {"type": "call", "subject": "x", "related_type": "customer", "related_id": cust, "start_at": ts(time.Hour), "remind_before": "soon"},
		} {
			if p := rep.Post("/activities", body).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField(field) {
				t.Errorf("%s: %+v", field, p)
			}
		}
		// A customer out of scope is an unknown reference.
		other := newCustomer(t, env.Admin, map[string]any{"name": "Other Co"})
		rep.Post("/activities", map[string]any{"type": "call", "subject": "x", "related_type": "customer",
			"related_id": other, "start_at": ts(time.Hour)}).Status(http.StatusUnprocessableEntity)
		var l activity.ActivityList
		rep.Get("/activities?include_total=true").Status(http.StatusOK).Decode(&l)
		if *l.Total != 0 {
			t.Fatalf("invalid creates stored: %d", *l.Total)
		}

		start := time.Now().UTC().Add(3 * time.Hour).Truncate(time.Second)
		a := newActivity(t, rep.Client, map[string]any{"type": "visit", "subject": "上门拜访", "related_type": "customer",
			"related_id": cust, "participant_ids": []string{peer.ID}, "start_at": start.Format(time.RFC3339),
			"remind_before": "30m", "location": "苏州"})
		if a.Status != "planned" || a.OwnerID != rep.ID || len(a.ParticipantIDs) != 1 || *a.RemindBefore != "30m" {
			t.Fatalf("created %+v", a)
		}
		owner := reminderOf(t, env, "activity:"+a.ID+":remind")
		part := reminderOf(t, env, "activity:"+a.ID+":remind:"+peer.ID)
		if owner.Status != reminder.Pending || !owner.DueAt.Equal(start.Add(-30*time.Minute)) || owner.UserID != rep.ID ||
			owner.Kind != "activity_reminder" || part.UserID != peer.ID || part.Status != reminder.Pending {
			t.Fatalf("reminders %+v %+v", owner, part)
		}

		// Moving the start moves the reminders; a stale If-Match is 412.
		rep.Req("PATCH", "/activities/"+a.ID, map[string]any{"start_at": start.Add(time.Hour).Format(time.RFC3339)}).
			Header("If-Match", `"9"`).Send().Status(http.StatusPreconditionFailed)
		var moved act
		rep.Req("PATCH", "/activities/"+a.ID, map[string]any{"start_at": start.Add(time.Hour).Format(time.RFC3339)}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK).Decode(&moved)
		if moved.Version != 2 || !reminderOf(t, env, "activity:"+a.ID+":remind").DueAt.Equal(start.Add(30*time.Minute)) {
			t.Errorf("not moved: %+v", moved)
		}
		// A participant sees it but may not edit it.
		peer.Get("/activities/" + a.ID).Status(http.StatusOK)
		peer.Patch("/activities/"+a.ID, map[string]any{"subject": "x"}).Status(http.StatusForbidden)

		// Complete: same path as a follow-up.
		next := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Second)
		var done act
		rep.Post("/activities/"+a.ID+"/complete", map[string]any{"outcome": "认可方案",
			"next_follow_up_at": next.Format(time.RFC3339)}).Status(http.StatusOK).Decode(&done)
		if done.Status != "done" || done.DoneAt == nil || done.Outcome != "认可方案" {
			t.Fatalf("completed %+v", done)
		}
		if r := reminderOf(t, env, "activity:"+a.ID+":remind"); r.Status != reminder.Cancelled {
			t.Errorf("reminder after complete: %s", r.Status)
		}
		var c struct {
			LastFollowedAt *time.Time `json:"last_followed_at"`
			NextFollowUpAt *time.Time `json:"next_follow_up_at"`
		}
		rep.Get("/customers/" + cust).Status(http.StatusOK).Decode(&c)
		if c.LastFollowedAt == nil || c.NextFollowUpAt == nil || !c.NextFollowUpAt.Equal(next) {
			t.Errorf("customer not followed up: %+v", c)
		}
		due := reminderOf(t, env, "follow-up:customer:"+cust)
		if due.Status != reminder.Pending || !due.DueAt.Equal(next) || due.UserID != rep.ID || due.Kind != "follow_up_due" {
			t.Errorf("follow-up due %+v", due)
		}
		// Done activities are the customer's follow-ups.
		var fus struct {
			Data []struct{ ID, Content, Feedback string }
		}
		rep.Get("/customers/" + cust + "/follow-ups").Status(http.StatusOK).Decode(&fus)
		if len(fus.Data) != 1 || fus.Data[0].ID != a.ID || fus.Data[0].Feedback != "认可方案" {
			t.Errorf("follow-ups %+v", fus.Data)
		}
		p := rep.Post("/activities/"+a.ID+"/complete", map[string]any{}).Status(http.StatusConflict).Problem()
		if p.Code != "invalid_transition" {
			t.Errorf("twice: %+v", p)
		}

		// Cancelled can't be completed; cancel cancels the reminders.
		b2 := newActivity(t, rep.Client, map[string]any{"type": "call", "subject": "回访", "related_type": "customer",
			"related_id": cust, "start_at": ts(5 * time.Hour), "remind_at": ts(4 * time.Hour)})
		rep.Post("/activities/"+b2.ID+"/cancel", nil).Status(http.StatusOK)
		if r := reminderOf(t, env, "activity:"+b2.ID+":remind"); r.Status != reminder.Cancelled {
			t.Errorf("cancelled reminder %s", r.Status)
		}
		rep.Post("/activities/"+b2.ID+"/complete", map[string]any{}).Status(http.StatusConflict)

		// Delete: owner or admin only.
		peer.Delete("/activities/" + a.ID).Status(http.StatusForbidden)
		rep.Delete("/activities/" + a.ID).Status(http.StatusNoContent)
		rep.Get("/activities/" + a.ID).Status(http.StatusNotFound)
	})
}

func TestLeadFollowUpIsActivity(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		var l struct{ ID, Status string }
		rep.Post("/leads", map[string]any{"name": "王建国"}).Status(http.StatusCreated).Decode(&l)
		next := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second)
		var f struct{ ID string }
		rep.Post("/leads/"+l.ID+"/follow-ups", map[string]any{"channel": "wechat", "content": "微信沟通",
			"next_follow_up_at": next.Format(time.RFC3339)}).Status(http.StatusCreated).Decode(&f)
		var a act
		rep.Get("/activities/" + f.ID).Status(http.StatusOK).Decode(&a)
		if a.Status != "done" || a.Type != "call" || a.Channel != "wechat" || a.RelatedType != "lead" || a.Notes != "微信沟通" {
			t.Errorf("follow-up as activity %+v", a)
		}
		if r := reminderOf(t, env, "follow-up:lead:"+l.ID); !r.DueAt.Equal(next) || r.Status != reminder.Pending {
			t.Errorf("due %+v", r)
		}
		// A planned call completed moves a new lead to contacted too.
		var l2 struct{ ID, Status string }
		rep.Post("/leads", map[string]any{"name": "李四"}).Status(http.StatusCreated).Decode(&l2)
		p := newActivity(t, rep.Client, map[string]any{"type": "call", "subject": "首次电话", "related_type": "lead",
			"related_id": l2.ID, "start_at": ts(time.Hour)})
		rep.Post("/activities/"+p.ID+"/complete", map[string]any{"outcome": "有兴趣"}).Status(http.StatusOK)
		rep.Get("/leads/" + l2.ID).Status(http.StatusOK).Decode(&l2)
		if l2.Status != "contacted" {
			t.Errorf("lead status %s", l2.Status)
		}
	})
}

func TestActivityScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("East", ""), env.Team("West", "")
		rep, peer, outsider := env.User("rep", east), env.User("rep", east), env.User("rep", west)
		mgr, westMgr := env.User("manager", east), env.User("manager", west)
		cust := newCustomer(t, rep.Client, map[string]any{"name": "Scope Co"})
		mine := newActivity(t, rep.Client, map[string]any{"type": "call", "subject": "mine", "related_type": "customer",
			"related_id": cust, "start_at": ts(time.Hour)})
		invited := newActivity(t, rep.Client, map[string]any{"type": "meeting", "subject": "invited",
			"related_type": "customer", "related_id": cust, "start_at": ts(2 * time.Hour),
			"participant_ids": []string{outsider.ID}})
		count := func(c *apptest.Client, q string) int64 {
			var l activity.ActivityList
			c.Get("/activities?include_total=true" + q).Status(http.StatusOK).Decode(&l)
			return *l.Total
		}
		for name, tc := range map[string]struct {
			c    *apptest.Client
			want int64
		}{"rep": {rep.Client, 2}, "peer": {peer.Client, 0}, "outsider": {outsider.Client, 1},
			"manager": {mgr.Client, 2}, "west manager": {westMgr.Client, 0}, "admin": {env.Admin, 2}} {
			if got := count(tc.c, ""); got != tc.want {
				t.Errorf("%s sees %d, want %d", name, got, tc.want)
			}
		}
		peer.Get("/activities/" + mine.ID).Status(http.StatusNotFound)
		outsider.Get("/activities/" + mine.ID).Status(http.StatusNotFound)
		outsider.Get("/activities/" + invited.ID).Status(http.StatusOK)
		if got := count(outsider.Client, "&participant_id=me"); got != 1 {
			t.Errorf("participant_id=me: %d", got)
		}
		if got := count(mgr.Client, "&team_id="+east); got != 2 {
			t.Errorf("team filter: %d", got)
		}
		mgr.Get("/activities?team_id=" + west).Status(http.StatusUnprocessableEntity)
		// Moving the customer to a peer shows them its activities.
		mgr.Post("/customers/"+cust+"/transfer", map[string]any{"owner_id": peer.ID}).Status(http.StatusOK)
		if got := count(peer.Client, "&related_type=customer&related_id="+cust); got != 2 {
			t.Errorf("peer after transfer: %d", got)
		}
	})
}

func TestCheckInOut(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		rep, other := env.User("rep", team), env.User("rep", team)
		rep.Post("/customers", map[string]any{"name": "Geo", "latitude": 31.3236}).Status(http.StatusUnprocessableEntity)
		cust := newCustomer(t, rep.Client, map[string]any{"name": "Geo Co", "latitude": 31.3236, "longitude": 120.7226})
		a := newActivity(t, rep.Client, map[string]any{"type": "visit", "subject": "拜访", "related_type": "customer",
			"related_id": cust, "start_at": ts(time.Hour)})
		path := "/activities/" + a.ID
		rep.Post(path+"/check-out", map[string]any{"latitude": 31.3, "longitude": 120.7}).Status(http.StatusConflict)
		for field, body := range map[string]map[string]any{
			"latitude":  {"latitude": 91, "longitude": 120.7},
			"longitude": {"latitude": 31.3, "longitude": -181},
			"accuracy":  {"latitude": 31.3, "longitude": 120.7, "accuracy": -1},
			"at":        {"latitude": 31.3, "longitude": 120.7, "at": ts(time.Hour)},
		} {
			if p := rep.Post(path+"/check-in", body).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField(field) {
				t.Errorf("%s: %+v", field, p)
			}
		}
		other.Post(path+"/check-in", map[string]any{"latitude": 31.3, "longitude": 120.7}).Status(http.StatusNotFound)
		var in act
		rep.Post(path+"/check-in", map[string]any{"latitude": 31.3245, "longitude": 120.7226, "accuracy": 10}).
			Status(http.StatusOK).Decode(&in)
		if in.CheckIn == nil || in.CheckIn.DistanceMeters == nil || *in.CheckIn.DistanceMeters < 95 || *in.CheckIn.DistanceMeters > 105 {
			t.Fatalf("check-in %+v", in.CheckIn)
		}
		rep.Post(path+"/check-in", map[string]any{"latitude": 31.3, "longitude": 120.7}).Status(http.StatusConflict)
		var out act
		rep.Post(path+"/check-out", map[string]any{"latitude": 31.3236, "longitude": 120.7226}).Status(http.StatusOK).Decode(&out)
		if out.CheckOut == nil || *out.CheckOut.DistanceMeters != 0 {
			t.Errorf("check-out %+v", out.CheckOut)
		}
	})
}

func TestCalendarAndFeed(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("East", ""), env.Team("West", "")
		rep, mgr, outsider := env.User("rep", east), env.User("manager", east), env.User("rep", west)
		cust := newCustomer(t, rep.Client, map[string]any{"name": "Cal Co"})
		a := newActivity(t, rep.Client, map[string]any{"type": "meeting", "subject": "方案评审", "related_type": "customer",
			"related_id": cust, "start_at": ts(24 * time.Hour), "end_at": ts(25 * time.Hour), "location": "会议室 A",
			"remind_before": "1h"})
		gone := newActivity(t, rep.Client, map[string]any{"type": "call", "subject": "取消的电话",
			"related_type": "customer", "related_id": cust, "start_at": ts(48 * time.Hour)})
		rep.Post("/activities/"+gone.ID+"/cancel", nil).Status(http.StatusOK)

		from, to := time.Now().UTC().Format("2006-01-02"), time.Now().UTC().AddDate(0, 0, 7).Format("2006-01-02")
		var cal activity.CalendarResponse
		rep.Get("/calendar?from=" + from + "&to=" + to).Status(http.StatusOK).Decode(&cal)
		if len(cal.Data) != 1 || cal.Data[0].ID != a.ID {
			t.Errorf("calendar %+v", cal.Data)
		}
		mgr.Get("/calendar?from=" + from + "&to=" + to + "&team_id=" + east).Status(http.StatusOK).Decode(&cal)
		if len(cal.Data) != 1 {
			t.Errorf("team calendar %+v", cal.Data)
		}
		mgr.Get("/calendar?from=" + from + "&to=" + to + "&user_id=" + rep.ID).Status(http.StatusOK)
		outsider.Get("/calendar?from=" + from + "&to=" + to + "&user_id=" + rep.ID).Status(http.StatusUnprocessableEntity)
		rep.Get("/calendar?from=" + from).Status(http.StatusUnprocessableEntity)
		rep.Get("/calendar?from=2026-01-01&to=2026-06-01").Status(http.StatusUnprocessableEntity)

		var tok activity.FeedTokenResponse
		rep.Post("/calendar/feed-token", nil).Status(http.StatusCreated).Decode(&tok)
		if !strings.HasSuffix(tok.URL, "/api/v1/calendar/feed/"+tok.Token+".ics") {
			t.Fatalf("url %s", tok.URL)
		}
		res := env.Anonymous().Get("/calendar/feed/" + tok.Token + ".ics").Status(http.StatusOK)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
			t.Errorf("content type %s", ct)
		}
		parsed, err := ics.ParseCalendar(strings.NewReader(string(res.Body)))
		if err != nil {
			t.Fatalf("parse: %v\n%s", err, res.Body)
		}
		events := map[string]*ics.VEvent{}
		for _, ev := range parsed.Events() {
			events[ev.Id()] = ev
		}
		ev := events[a.ID+"@opencrm"]
		if len(events) != 2 || ev == nil {
			t.Fatalf("events %v", events)
		}
		prop := func(e *ics.VEvent, p ics.ComponentProperty) string {
			if v := e.GetProperty(p); v != nil {
				return v.Value
			}
			return ""
		}
		if prop(ev, ics.ComponentPropertySummary) != "方案评审" || prop(ev, ics.ComponentPropertyLocation) != "会议室 A" ||
			prop(ev, ics.ComponentPropertyStatus) != "CONFIRMED" || !strings.HasSuffix(prop(ev, ics.ComponentPropertyDtStart), "Z") ||
			len(ev.Alarms()) != 1 {
			t.Errorf("event %s", ev.Serialize(nil))
		}
		if prop(events[gone.ID+"@opencrm"], ics.ComponentPropertyStatus) != "CANCELLED" {
			t.Errorf("cancelled event")
		}
		// A new token replaces the old; revoking stops the feed.
		var tok2 activity.FeedTokenResponse
		rep.Post("/calendar/feed-token", nil).Status(http.StatusCreated).Decode(&tok2)
		env.Anonymous().Get("/calendar/feed/" + tok.Token + ".ics").Status(http.StatusNotFound)
		env.Anonymous().Get("/calendar/feed/" + tok2.Token + ".ics").Status(http.StatusOK)
		rep.Delete("/calendar/feed-token").Status(http.StatusNoContent)
		env.Anonymous().Get("/calendar/feed/" + tok2.Token + ".ics").Status(http.StatusNotFound)
		rep.Delete("/calendar/feed-token").Status(http.StatusNotFound)
	})
}

// Activities about an opportunity follow the opportunity's scope: its
// owner's manager sees them, another team's rep neither sees them nor may
// log one against it, and handing the deal over shows its history to the
// new owner.
func TestActivityOnOpportunityScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("East", ""), env.Team("West", "")
		rep, peer, outsider := env.User("rep", east), env.User("rep", east), env.User("rep", west)
		mgr := env.User("manager", east)
		cust := newCustomer(t, rep.Client, map[string]any{"name": "机会客户", "latitude": 31.2304, "longitude": 121.4737})
		var opp struct{ ID string }
		rep.Post("/opportunities", map[string]any{"name": "年度采购", "customer_id": cust, "amount": "500000"}).
			Status(http.StatusCreated).Decode(&opp)
		a := newActivity(t, rep.Client, map[string]any{"type": "visit", "subject": "拜访采购部", "related_type": "opportunity",
			"related_id": opp.ID, "start_at": ts(-time.Hour)})
		if p := outsider.Post("/activities", map[string]any{"type": "call", "subject": "x", "related_type": "opportunity",
			"related_id": opp.ID, "start_at": ts(time.Hour)}).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("related_id") {
			t.Fatalf("outsider logged against a hidden opportunity: %+v", p)
		}
		list := func(c *apptest.Client) int {
			var l activity.ActivityList
			c.Get("/activities?related_type=opportunity&related_id=" + opp.ID).Status(http.StatusOK).Decode(&l)
			return len(l.Data)
		}
		if list(rep.Client) != 1 || list(mgr.Client) != 1 || list(peer.Client) != 0 || list(outsider.Client) != 0 {
			t.Fatal("opportunity activity visibility wrong")
		}
		outsider.Get("/activities/" + a.ID).Status(http.StatusNotFound)
		// Check-in measures against the opportunity's customer.
		var in act
		rep.Post("/activities/"+a.ID+"/check-in", map[string]any{"latitude": 31.2404, "longitude": 121.4737, "accuracy": 10}).
			Status(http.StatusOK).Decode(&in)
		if in.CheckIn == nil || in.CheckIn.DistanceMeters == nil || *in.CheckIn.DistanceMeters < 1000 || *in.CheckIn.DistanceMeters > 1200 {
			t.Fatalf("check-in distance %+v", in.CheckIn)
		}
		rep.Post("/activities/"+a.ID+"/complete", map[string]any{"outcome": "确认预算"}).Status(http.StatusOK)
		var o struct {
			LastActivityAt *time.Time `json:"last_activity_at"`
		}
		rep.Get("/opportunities/" + opp.ID).Status(http.StatusOK).Decode(&o)
		if o.LastActivityAt == nil {
			t.Fatal("completing the activity did not touch the opportunity")
		}
		mgr.Patch("/opportunities/"+opp.ID, map[string]any{"owner_id": peer.ID}).Status(http.StatusOK)
		if list(peer.Client) != 1 {
			t.Fatal("new owner does not see the deal's activities")
		}
	})
}
