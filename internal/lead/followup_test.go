package lead_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/lead"
)

type followUpList struct {
	Data    []lead.FollowUpResponse `json:"data"`
	HasMore bool                    `json:"has_more"`
	Total   *int64                  `json:"total"`
}

func TestFollowUps(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		l := create(t, rep.Client, map[string]any{"name": "冯涛", "company": "宁波海联物流"})
		path := "/leads/" + l.ID + "/follow-ups"

		next := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Second)
		var f1 lead.FollowUpResponse
		before := time.Now().UTC().Add(-time.Second)
		rep.Post(path, map[string]any{"channel": "call", "content": " 电话沟通需求 ", "feedback": "有兴趣",
			"next_step": "发报价", "next_follow_up_at": next.Format(time.RFC3339)}).Status(http.StatusCreated).Decode(&f1)
		if f1.LeadID != l.ID || f1.UserID != rep.ID || f1.Channel != "call" || f1.Content != "电话沟通需求" ||
			f1.Feedback != "有兴趣" || f1.NextStep != "发报价" || f1.NextFollowUpAt == nil || !f1.NextFollowUpAt.Equal(next) ||
			f1.FollowedAt.Before(before) || f1.FollowedAt.After(time.Now().UTC()) {
			t.Fatalf("follow-up %+v", f1)
		}
		g := get(t, rep.Client, l.ID)
		if g.Status != "contacted" || g.Version != 2 || g.LastFollowedAt == nil || !g.LastFollowedAt.Equal(f1.FollowedAt) ||
			g.NextFollowUpAt == nil || !g.NextFollowUpAt.Equal(next) {
			t.Fatalf("lead after follow-up: %+v", g)
		}

		// A follow-up logged late keeps last_followed_at; without a next
		// date the future plan stays. A qualified lead stays qualified.
		rep.Patch("/leads/"+l.ID, map[string]any{"status": "qualified"}).Status(http.StatusOK)
		old := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Microsecond)
		var f2 lead.FollowUpResponse
		rep.Post(path, map[string]any{"channel": "wechat", "content": "补记：前天微信沟通",
			"followed_at": old.Format(time.RFC3339Nano)}).Status(http.StatusCreated).Decode(&f2)
		if !f2.FollowedAt.Equal(old) || f2.NextFollowUpAt != nil {
			t.Fatalf("backdated follow-up %+v", f2)
		}
		g = get(t, rep.Client, l.ID)
		if g.Status != "qualified" || g.Version != 4 || !g.LastFollowedAt.Equal(f1.FollowedAt) || !g.NextFollowUpAt.Equal(next) {
			t.Fatalf("lead after backdated follow-up: %+v", g)
		}

		// Newest contact first; paging works.
		var page followUpList
		rep.Get(path + "?include_total=true").Status(http.StatusOK).Decode(&page)
		if len(page.Data) != 2 || *page.Total != 2 || page.Data[0].ID != f1.ID || page.Data[1].ID != f2.ID {
			t.Fatalf("follow-up list %+v", page)
		}
		rep.Get(path + "?limit=1").Status(http.StatusOK).Decode(&page)
		if len(page.Data) != 1 || !page.HasMore || page.Data[0].ID != f1.ID {
			t.Fatalf("first page %+v", page)
		}

		// Bad follow-ups: 422 (or 400) and the lead is unchanged.
		future := time.Now().UTC().Add(time.Hour).Format(time.RFC3339)
		bad := []struct {
			body   any
			status int
			field  string
		}{
			{map[string]any{"channel": "call", "content": "x", "followed_at": future}, 422, "followed_at"},
			{map[string]any{"channel": "fax", "content": "x"}, 422, "channel"},
			{map[string]any{"content": "x"}, 422, "channel"},
			{map[string]any{"channel": "call", "content": "  "}, 422, "content"},
			{map[string]any{"channel": "call", "content": "x", "next_follow_up_at": "next week"}, 422, "next_follow_up_at"},
			{map[string]any{"channel": "call", "content": "x", "followed_at": "2026-02-30T00:00:00Z"}, 422, "followed_at"},
			{map[string]any{"channel": "call", "content": "x", "followed_at": old.Format(time.RFC3339Nano),
				"next_follow_up_at": old.Add(-time.Hour).Format(time.RFC3339)}, 422, "next_follow_up_at"},
			{`{"channel": "call", "content": 1}`, 400, "content"},
			{`{"channel": "call", "content": "x", "lead_id": "y"}`, 400, "lead_id"},
		}
		for _, c := range bad {
			p := rep.Post(path, c.body).Status(c.status).Problem()
			if !p.HasField(c.field) {
				t.Errorf("%v: fields %+v, want %s", c.body, p.Errors, c.field)
			}
		}
		if g2 := get(t, rep.Client, l.ID); g2.Version != g.Version {
			t.Fatalf("bad follow-ups changed the lead: %+v", g2)
		}
		rep.Get(path + "?include_total=true").Status(http.StatusOK).Decode(&page)
		if *page.Total != 2 {
			t.Fatalf("bad follow-ups were stored: %d", *page.Total)
		}
	})
}

func TestFollowUpClearsFulfilledPlan(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		l := create(t, env.Admin, map[string]any{"name": "陈峰"})
		path := "/leads/" + l.ID + "/follow-ups"
		now := time.Now().UTC()
		plan := now.Add(-2 * time.Hour)
		env.Admin.Post(path, map[string]any{"channel": "email", "content": "首次邮件",
			"followed_at": now.Add(-3 * time.Hour).Format(time.RFC3339), "next_follow_up_at": plan.Format(time.RFC3339)}).
			Status(http.StatusCreated)
		if g := get(t, env.Admin, l.ID); g.NextFollowUpAt == nil {
			t.Fatal("plan not set")
		}
		// This contact happened after the planned time: the plan is done.
		env.Admin.Post(path, map[string]any{"channel": "visit", "content": "上门拜访"}).Status(http.StatusCreated)
		if g := get(t, env.Admin, l.ID); g.NextFollowUpAt != nil || g.Status != "contacted" || g.Version != 3 {
			t.Fatalf("fulfilled plan kept: %+v", g)
		}
	})
}
