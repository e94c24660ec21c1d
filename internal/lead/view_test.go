package lead_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
)

// TestGetShowsEveryField checks GET /leads/{id}, which reads only the
// shown columns and scans them by hand, against the same lead in the list,
// which goes through GORM's full-row scan: every field, nulls and set
// values alike (owner, assignment, follow-up dates, conversion, tags,
// disqualify reason), and the ETag against the version.
func TestGetShowsEveryField(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		mgr, rep := env.User("manager", team), env.User("rep", team)
		full := map[string]any{"name": "王建国", "company": "苏州恒达精密机械有限公司", "title": "采购经理",
			"phone": "+86 139 1234 5678", "email": "wang@hengda.cn", "region": "江苏", "source": "exhibition",
			"product_interest": "五轴加工中心", "description": "工博会现场咨询", "tags": []string{"华东", "重点"}}
		converted := create(t, rep.Client, full)
		next := time.Now().UTC().Add(48 * time.Hour).Truncate(time.Second).Format(time.RFC3339)
		rep.Post("/leads/"+converted.ID+"/follow-ups", map[string]any{"channel": "call", "content": "电话",
			"next_follow_up_at": next}).Status(http.StatusCreated)
		rep.Post("/leads/"+converted.ID+"/convert", map[string]any{}).Status(http.StatusOK)
		assigned := create(t, mgr.Client, map[string]any{"name": "李四", "owner_id": mgr.ID})
		mgr.Post("/leads/"+assigned.ID+"/assign", map[string]any{"owner_id": rep.ID}).Status(http.StatusOK)
		dq := create(t, rep.Client, map[string]any{"name": "赵六"})
		rep.Post("/leads/"+dq.ID+"/disqualify", map[string]any{"reason": "预算取消"}).Status(http.StatusOK)
		bare := create(t, rep.Client, map[string]any{"name": "张三"})

		var page struct{ Data []json.RawMessage }
		rep.Get("/leads?limit=200").Status(http.StatusOK).Decode(&page)
		if len(page.Data) != 4 {
			t.Fatalf("list has %d leads, want 4", len(page.Data))
		}
		seen := map[string]bool{}
		for _, raw := range page.Data {
			var want map[string]any
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			id := want["id"].(string)
			res := rep.Get("/leads/" + id).Status(http.StatusOK)
			var got map[string]any
			if err := json.Unmarshal(res.Body, &got); err != nil {
				t.Fatal(err)
			}
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			if !bytes.Equal(g, w) {
				t.Errorf("GET %s:\n got %s\nwant %s", id, g, w)
			}
			if etag := res.Header.Get("ETag"); etag != `"`+strconv.Itoa(int(want["version"].(float64)))+`"` {
				t.Errorf("GET %s: ETag %q, version %v", id, etag, want["version"])
			}
			seen[id] = true
		}
		for _, id := range []string{converted.ID, assigned.ID, dq.ID, bare.ID} {
			if !seen[id] {
				t.Errorf("lead %s missing from the list", id)
			}
		}
		// The interesting fields are really set, so the comparison covers them.
		c, a, d := get(t, rep.Client, converted.ID), get(t, rep.Client, assigned.ID), get(t, rep.Client, dq.ID)
		if c.CustomerID == nil || c.ContactID == nil || c.ConvertedAt == nil || c.LastFollowedAt == nil ||
			c.NextFollowUpAt == nil || len(c.Tags) != 2 || c.Description == "" || c.ProductInterest == "" {
			t.Errorf("converted lead lacks fields: %+v", c)
		}
		if a.AssignedAt == nil || deref(a.OwnerID) != rep.ID || d.DisqualifyReason != "预算取消" {
			t.Errorf("assigned %+v / disqualified %+v", a, d)
		}
		// A deleted lead and a malformed id are 404.
		rep.Delete("/leads/" + bare.ID).Status(http.StatusNoContent)
		rep.Get("/leads/" + bare.ID).Status(http.StatusNotFound)
		rep.Get("/leads/not-a-uuid").Status(http.StatusNotFound)
	})
}
