package lead_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
)

type jobRun struct {
	Processed int            `json:"processed"`
	Details   map[string]int `json:"details"`
}

func runSLA(t *testing.T, env *apptest.Env) jobRun {
	t.Helper()
	var out jobRun
	env.Admin.Post("/admin/jobs/lead-sla-sweep/run", nil).Status(http.StatusOK).Decode(&out)
	return out
}

// backdate moves a lead's assignment an hour into the past, as if the SLA
// had run out.
func backdate(t *testing.T, env *apptest.Env, ids ...string) {
	t.Helper()
	err := env.App.DB.Gorm().Table("leads").Where("id IN ?", ids).
		Update("assigned_at", time.Now().UTC().Add(-time.Hour)).Error
	if err != nil {
		t.Fatal(err)
	}
}

func TestSLASweep(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("SLA", "")
		r1, r2, r3 := env.User("rep", team), env.User("rep", team), env.User("rep", team)
		env.Admin.Patch("/settings", map[string]any{"lead_followup_sla": "1s"}).Status(http.StatusOK)
		rule(t, env, map[string]any{"name": "双人轮询", "strategy": "round_robin", "conditions": map[string]any{"region": "华东"},
			"user_ids": []string{r1.ID, r2.ID}})
		rule(t, env, map[string]any{"name": "专人", "strategy": "user", "conditions": map[string]any{"region": "西部"},
			"user_ids": []string{r3.ID}})
		l1 := create(t, env.Admin, map[string]any{"name": "超时一", "region": "华东"})    // r1
		l2 := create(t, env.Admin, map[string]any{"name": "已跟进", "region": "华东"})    // r2
		l3 := create(t, env.Admin, map[string]any{"name": "超时三", "region": "华东"})    // r1
		l4 := create(t, env.Admin, map[string]any{"name": "唯一人选", "region": "西部"})   // r3
		fresh := create(t, env.Admin, map[string]any{"name": "刚分配", "region": "华东"}) // r2, not overdue
		own := create(t, r1.Client, map[string]any{"name": "自己的"})
		if deref(l1.OwnerID) != r1.ID || deref(l2.OwnerID) != r2.ID || deref(l3.OwnerID) != r1.ID || deref(l4.OwnerID) != r3.ID {
			t.Fatalf("setup owners %s %s %s %s", deref(l1.OwnerID), deref(l2.OwnerID), deref(l3.OwnerID), deref(l4.OwnerID))
		}
		r2.Post("/leads/"+l2.ID+"/follow-ups", map[string]any{"channel": "call", "content": "已联系"}).Status(http.StatusCreated)
		backdate(t, env, l1.ID, l2.ID, l3.ID, l4.ID) // own has no assigned_at: never overdue
		env.App.DB.Gorm().Table("leads").Where("id = ?", fresh.ID).Update("assigned_at", time.Now().UTC().Add(time.Hour))

		res := runSLA(t, env)
		if res.Processed != 3 || res.Details["reassigned"] != 2 || res.Details["to_pool"] != 1 {
			t.Fatalf("sweep %+v", res)
		}
		// The overdue leads of r1 go to the other user of their rule.
		for _, id := range []string{l1.ID, l3.ID} {
			g := get(t, env.Admin, id)
			if deref(g.OwnerID) != r2.ID || g.Status != "assigned" || g.AssignedAt == nil ||
				time.Since(*g.AssignedAt) > time.Minute {
				t.Fatalf("reassigned lead %+v", g)
			}
			h := history(t, env.Admin, id)
			last := h[len(h)-1]
			if len(h) != 2 || last.Reason != "sla" || deref(last.FromUser) != r1.ID || deref(last.ToUser) != r2.ID ||
				last.ActorType != "system" {
				t.Fatalf("history %+v", h)
			}
			if notified(t, env, r1.ID, "lead_reassigned", id) != 1 || notified(t, env, r2.ID, "lead_assigned", id) != 1 {
				t.Fatalf("notifications for %s", id)
			}
			r1.Get("/leads/" + id).Status(http.StatusNotFound)
		}
		// The only user of its rule: back to the pool.
		g := get(t, env.Admin, l4.ID)
		if g.OwnerID != nil || g.Status != "new" || g.AssignedAt != nil {
			t.Fatalf("to pool %+v", g)
		}
		if h := history(t, env.Admin, l4.ID); len(h) != 2 || h[1].ToUser != nil || h[1].Reason != "sla" {
			t.Fatalf("pool history %+v", h)
		}
		if notified(t, env, r3.ID, "lead_reassigned", l4.ID) != 1 {
			t.Fatal("r3 not told")
		}
		if ids := pool(t, r1.Client, ""); !sameSet(ids, []string{l4.ID}) {
			t.Fatalf("pool %v", ids)
		}
		// Followed up, fresh and self-created leads stay.
		if g := get(t, env.Admin, l2.ID); deref(g.OwnerID) != r2.ID || g.Status != "contacted" {
			t.Fatalf("followed-up lead moved: %+v", g)
		}
		if g := get(t, env.Admin, fresh.ID); deref(g.OwnerID) != r2.ID {
			t.Fatalf("fresh lead moved: %+v", g)
		}
		if g := get(t, env.Admin, own.ID); deref(g.OwnerID) != r1.ID {
			t.Fatalf("own lead moved: %+v", g)
		}
		// Idempotent: nothing is overdue any more.
		if res := runSLA(t, env); res.Processed != 0 {
			t.Fatalf("second sweep %+v", res)
		}

		// "0" switches the rule off.
		backdate(t, env, l1.ID)
		env.Admin.Patch("/settings", map[string]any{"lead_followup_sla": "0"}).Status(http.StatusOK)
		if res := runSLA(t, env); res.Processed != 0 {
			t.Fatalf("sweep with SLA off %+v", res)
		}
		// Back on: l1 now belongs to r2 and goes back to r1.
		env.Admin.Patch("/settings", map[string]any{"lead_followup_sla": "1s"}).Status(http.StatusOK)
		if res := runSLA(t, env); res.Processed != 1 {
			t.Fatalf("sweep %+v", res)
		}
		if g := get(t, env.Admin, l1.ID); deref(g.OwnerID) != r1.ID {
			t.Fatalf("l1 back to %s", deref(g.OwnerID))
		}
		r1.Post("/admin/jobs/lead-sla-sweep/run", nil).Status(http.StatusForbidden)
	})
}
