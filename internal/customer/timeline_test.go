package customer_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/customer"
)

func TestTimeline(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		rep, mgr := env.User("rep", team), env.User("manager", team)
		c := createCustomer(t, env.Admin, map[string]any{"name": "Story Co"})
		rep.Post("/customers/"+c.ID+"/claim", nil).Status(http.StatusOK)
		rep.Patch("/customers/"+c.ID, map[string]any{"industry": "机械", "tags": []string{"重点关注客户"}}).Status(http.StatusOK)
		ct := createContact(t, rep.Client, map[string]any{"customer_id": c.ID, "name": "王建国", "title": "采购经理"})
		var fu customer.FollowUpResponse
		rep.Post("/customers/"+c.ID+"/follow-ups", map[string]any{"channel": "visit", "content": "上门拜访",
			"next_follow_up_at": time.Now().UTC().Add(48 * time.Hour).Format(time.RFC3339)}).Status(http.StatusCreated).Decode(&fu)
		mgr.Post("/customers/"+c.ID+"/transfer", map[string]any{"owner_id": mgr.ID, "reason": "大客户"}).Status(http.StatusOK)
		mgr.Post("/customers/"+c.ID+"/release", map[string]any{"reason": "暂无需求"}).Status(http.StatusOK)

		var tl timeline
		env.Admin.Get("/customers/" + c.ID + "/timeline").Status(http.StatusOK).Decode(&tl)
		var types []string
		for _, it := range tl.Data {
			types = append(types, it.Type)
		}
		want := []string{"released", "transferred", "follow_up", "contact_added", "updated", "claimed", "created"}
		if !slices.Equal(types, want) {
			t.Fatalf("timeline types %v, want %v", types, want)
		}
		for i := 1; i < len(tl.Data); i++ {
			if tl.Data[i].At.After(tl.Data[i-1].At) {
				t.Errorf("not newest first at %d", i)
			}
		}
		byType := map[string]int{}
		for i, it := range tl.Data {
			byType[it.Type] = i
		}
		check := func(typ, actor, refType, refID, summary string) {
			t.Helper()
			it := tl.Data[byType[typ]]
			if it.ActorID != actor || it.RefType != refType || it.RefID != refID || !strings.Contains(it.Summary, summary) {
				t.Errorf("%s: %+v", typ, it)
			}
		}
		check("follow_up", rep.ID, "activity", fu.ID, "上门拜访")
		check("contact_added", rep.ID, "contact", ct.ID, "王建国 (采购经理)")
		check("updated", rep.ID, "customer", c.ID, "industry, tags")
		check("claimed", rep.ID, "user", rep.ID, "Claimed")
		check("transferred", mgr.ID, "user", mgr.ID, "大客户")
		check("released", mgr.ID, "user", mgr.ID, "暂无需求")
		var me struct{ ID string }
		env.Admin.Get("/me").Status(http.StatusOK).Decode(&me)
		check("created", me.ID, "customer", c.ID, "created")

		// paging walks the same list with no repeats
		var walked []string
		cursor := ""
		for i := 0; i < 10; i++ {
			var page timeline
			q := "/customers/" + c.ID + "/timeline?limit=3"
			if cursor != "" {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			env.Admin.Get(q).Status(http.StatusOK).Decode(&page)
			for _, it := range page.Data {
				walked = append(walked, it.Type)
			}
			if !page.HasMore {
				break
			}
			cursor = page.NextCursor
		}
		if !slices.Equal(walked, want) {
			t.Errorf("paged %v", walked)
		}
		env.Admin.Get("/customers/" + c.ID + "/timeline?cursor=garbage").Status(http.StatusBadRequest)
		env.Admin.Get("/customers/" + c.ID + "/timeline?limit=500").Status(http.StatusBadRequest)
		// out of scope: 404 (pool customer for a rep, too)
		rep.Get("/customers/" + c.ID + "/timeline").Status(http.StatusNotFound)
		env.Admin.Get("/customers/nope/timeline").Status(http.StatusNotFound)
	})
}
