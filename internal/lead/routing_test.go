package lead_test

import (
	"net/http"
	"slices"
	"sort"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/lead"
)

// rule creates an assignment rule as admin and returns it.
func rule(t *testing.T, env *apptest.Env, body map[string]any) lead.RuleResponse {
	t.Helper()
	var out lead.RuleResponse
	env.Admin.Post("/lead-assignment-rules", body).Status(http.StatusCreated).Decode(&out)
	return out
}

type assignmentList struct {
	Data []lead.AssignmentResponse `json:"data"`
}

func history(t *testing.T, c *apptest.Client, id string) []lead.AssignmentResponse {
	t.Helper()
	var out assignmentList
	c.Get("/leads/" + id + "/assignments").Status(http.StatusOK).Decode(&out)
	return out.Data
}

// notified counts user's notifications of kind about lead id. It reads
// the table: GET /notifications belongs to another module (and its list
// schema is still being settled).
func notified(t *testing.T, env *apptest.Env, user, kind, id string) int {
	t.Helper()
	var n int64
	if err := env.App.DB.Gorm().Table("notifications").Where("user_id = ? AND kind = ? AND ref_id = ?", user, kind, id).
		Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func sortedIDs(ids ...string) []string {
	out := slices.Clone(ids)
	sort.Strings(out)
	return out
}

func TestRoutingStrategies(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("华东销售", "")
		sub := env.Team("苏州", team)
		r1, r2, r3 := env.User("rep", team), env.User("rep", team), env.User("rep", sub)
		mgr := env.User("manager", team)
		rr := rule(t, env, map[string]any{"name": "华东轮询", "priority": 10, "conditions": map[string]any{"region": "华东"},
			"strategy": "round_robin", "user_ids": []string{r1.ID, r2.ID, r3.ID}})
		// A lower-priority rule that also matches never wins, nor does an
		// inactive one with a better priority.
		rule(t, env, map[string]any{"name": "兜底", "priority": 50, "conditions": map[string]any{"region": "华东"},
			"strategy": "user", "user_ids": []string{mgr.ID}})
		rule(t, env, map[string]any{"name": "停用", "priority": 1, "strategy": "user", "user_ids": []string{mgr.ID},
			"active": false})

		// Round-robin in user_ids order; conditions compare trimmed and
		// case-insensitively.
		var owners []string
		for i, region := range []string{"华东", " 华东 ", "华东", "华东", "华东", "华东"} {
			l := create(t, env.Admin, map[string]any{"name": "轮询" + itoa(i), "region": region})
			if l.Status != "assigned" || l.AssignedAt == nil || deref(l.AssignmentRuleID) != rr.ID {
				t.Fatalf("routed lead: %+v", l)
			}
			owners = append(owners, deref(l.OwnerID))
		}
		if want := []string{r1.ID, r2.ID, r3.ID, r1.ID, r2.ID, r3.ID}; !slices.Equal(owners, want) {
			t.Fatalf("round-robin owners %v, want %v", owners, want)
		}

		// The new owner sees the lead, has a notification, and the history
		// says which rule.
		l := create(t, mgr.Client, map[string]any{"name": "经理录入", "region": "华东"})
		if deref(l.OwnerID) != r1.ID {
			t.Fatalf("manager's unowned lead went to %s, want r1", deref(l.OwnerID))
		}
		get(t, r1.Client, l.ID)
		if n := notified(t, env, r1.ID, "lead_assigned", l.ID); n != 1 {
			t.Fatalf("r1 notifications for the lead: %d", n)
		}
		h := history(t, env.Admin, l.ID)
		if len(h) != 1 || h[0].Reason != "rule" || deref(h[0].RuleID) != rr.ID || deref(h[0].ToUser) != r1.ID ||
			h[0].FromUser != nil || h[0].ActorID != mgr.ID {
			t.Fatalf("history %+v", h)
		}

		// A rep's own lead stays theirs, whatever the rules say.
		own := create(t, r2.Client, map[string]any{"name": "自己的", "region": "华东"})
		if deref(own.OwnerID) != r2.ID || own.Status != "new" || own.AssignedAt != nil {
			t.Fatalf("rep's own lead: %+v", own)
		}
		if h := history(t, r2.Client, own.ID); len(h) != 0 {
			t.Fatalf("rep's own lead has history %+v", h)
		}

		// No match: unowned, new, in the pool.
		none := create(t, env.Admin, map[string]any{"name": "无匹配", "region": "西北"})
		if none.OwnerID != nil || none.Status != "new" || none.AssignedAt != nil {
			t.Fatalf("unmatched lead: %+v", none)
		}

		// Fixed user; a disabled user in a rule is skipped.
		rule(t, env, map[string]any{"name": "机床专人", "priority": 5, "conditions": map[string]any{"product_interest": "机床", "source": "EXHIBITION"},
			"strategy": "user", "user_ids": []string{r3.ID}})
		l = create(t, env.Admin, map[string]any{"name": "机床", "product_interest": "机床", "source": "exhibition"})
		if deref(l.OwnerID) != r3.ID {
			t.Fatalf("user strategy gave %s", deref(l.OwnerID))
		}
		l = create(t, env.Admin, map[string]any{"name": "机床电话", "product_interest": "机床", "source": "phone"})
		if l.OwnerID != nil {
			t.Fatalf("source condition ignored: %+v", l)
		}

		// API keys' leads are routed too.
		var key struct{ Key string }
		env.Admin.Post("/api-keys", map[string]any{"name": "官网", "scopes": []string{"leads:write", "leads:read"}}).
			Status(http.StatusCreated).Decode(&key)
		l = create(t, env.WithAPIKey(key.Key), map[string]any{"name": "接口", "region": "华东"})
		if deref(l.OwnerID) != r2.ID {
			t.Fatalf("API key lead went to %s, want r2 (the next in turn)", deref(l.OwnerID))
		}
		if h := history(t, env.Admin, l.ID); len(h) != 1 || h[0].ActorType != "api_key" {
			t.Fatalf("API key history %+v", h)
		}
		// Status filter knows assigned.
		if page := list(t, r2.Client, "status=assigned&include_total=true"); *page.Total != 3 {
			t.Fatalf("r2 assigned leads %d, want 3", *page.Total)
		}
	})
}

func TestLeastLoadedAndTeamRule(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("华南", "")
		sub := env.Team("深圳", team)
		other := env.Team("其他", "")
		a, bb, c := env.User("rep", team), env.User("rep", sub), env.User("manager", sub)
		env.User("rep", other) // outside the team: never picked
		off := env.User("rep", team)
		env.Admin.Post("/users/"+off.ID+"/disable", nil).Status(http.StatusOK)
		members := sortedIDs(a.ID, bb.ID, c.ID)

		// Existing open load: a 2, b 1 (one more closed: not counted), c 0.
		create(t, a.Client, map[string]any{"name": "a1"})
		create(t, a.Client, map[string]any{"name": "a2"})
		create(t, bb.Client, map[string]any{"name": "b1"})
		closed := create(t, bb.Client, map[string]any{"name": "b2"})
		bb.Post("/leads/"+closed.ID+"/disqualify", map[string]any{"reason": "无效"}).Status(http.StatusOK)

		rule(t, env, map[string]any{"name": "华南最少", "strategy": "least_loaded", "team_id": team})
		load := map[string]int{a.ID: 2, bb.ID: 1, c.ID: 0}
		for i := 0; i < 6; i++ {
			l := create(t, env.Admin, map[string]any{"name": "ll" + itoa(i)})
			got := deref(l.OwnerID)
			// Expected: the fewest open leads, ties by user id.
			want := ""
			for _, id := range members {
				if want == "" || load[id] < load[want] {
					want = id
				}
			}
			if got != want {
				t.Fatalf("lead %d went to %s, want %s (load %v)", i, got, want, load)
			}
			load[got]++
		}
		if load[a.ID] != 3 || load[bb.ID] != 3 || load[c.ID] != 3 {
			t.Fatalf("final load %v", load)
		}
	})
}

func itoa(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }
