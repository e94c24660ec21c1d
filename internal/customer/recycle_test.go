package customer_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
)

func TestRecycleNoFollowup(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		rep, mgr := env.User("rep", team), env.User("manager", team)
		setSettings(t, env, map[string]any{"pool_recycle_no_followup": "1h", "pool_recycle_no_deal": "0",
			"pool_recycle_warning": "0", "pool_reclaim_cooldown": "1h"})
		idle := createCustomer(t, rep.Client, map[string]any{"name": "Idle"})
		locked := createCustomer(t, rep.Client, map[string]any{"name": "Locked"})
		followed := createCustomer(t, rep.Client, map[string]any{"name": "Followed"})
		fresh := createCustomer(t, rep.Client, map[string]any{"name": "Fresh"})
		mgr.Patch("/customers/"+locked.ID, map[string]any{"locked": true}).Status(http.StatusOK)
		for _, id := range []string{idle.ID, locked.ID, followed.ID} {
			backdate(t, env, id, map[string]time.Duration{"owned_since": 2 * time.Hour})
		}
		rep.Post("/customers/"+followed.ID+"/follow-ups", map[string]any{"channel": "call", "content": "still talking",
			"followed_at": time.Now().UTC().Add(-10 * time.Minute).Format(time.RFC3339)}).Status(http.StatusCreated)

		if d := runRecycle(t, env); d["recycled"] != 1 || d["warned"] != 0 {
			t.Fatalf("first run %v", d)
		}
		if g := getCustomer(t, env.Admin, idle.ID); g.OwnerID != nil {
			t.Errorf("idle customer kept its owner")
		}
		for _, id := range []string{locked.ID, followed.ID, fresh.ID} {
			if g := getCustomer(t, env.Admin, id); deref(g.OwnerID) != rep.ID {
				t.Errorf("%s recycled", g.Name)
			}
		}
		// the owner is told why; the history keeps the reason
		found := false
		for _, n := range inbox(t, rep.Client) {
			if n.Kind == "customer_recycled" && n.RefID == idle.ID && strings.Contains(n.Body, "no follow-up") {
				found = true
			}
		}
		if !found {
			t.Error("owner not notified of the recycling")
		}
		var tl timeline
		env.Admin.Get("/customers/" + idle.ID + "/timeline").Status(http.StatusOK).Decode(&tl)
		if len(tl.Data) == 0 || tl.Data[0].Type != "recycled" || !strings.Contains(tl.Data[0].Summary, "no follow-up for 1h") ||
			tl.Data[0].RefID != rep.ID || tl.Data[0].ActorID != "system" {
			t.Errorf("timeline %+v", tl.Data)
		}
		if got := auditActions(t, env, "customer", idle.ID); got[len(got)-1] != "recycle" {
			t.Errorf("audit %v", got)
		}
		// idempotent; and the rep may not re-claim within the cooldown
		if d := runRecycle(t, env); d["recycled"] != 0 {
			t.Errorf("second run %v", d)
		}
		p := rep.Post("/customers/"+idle.ID+"/claim", nil).Status(http.StatusConflict).Problem()
		problemCode(t, p, "cooldown", "")

		// with both rules off nothing moves, however idle
		setSettings(t, env, map[string]any{"pool_recycle_no_followup": "0"})
		backdate(t, env, fresh.ID, map[string]time.Duration{"owned_since": 1000 * time.Hour})
		if d := runRecycle(t, env); d["recycled"] != 0 {
			t.Errorf("rules off: %v", d)
		}
	})
}

func TestRecycleNoDeal(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		setSettings(t, env, map[string]any{"pool_recycle_no_followup": "0", "pool_recycle_no_deal": "1h",
			"pool_recycle_warning": "0"})
		c := createCustomer(t, rep.Client, map[string]any{"name": "Busy but no deal"})
		backdate(t, env, c.ID, map[string]time.Duration{"owned_since": 2 * time.Hour})
		// follow-ups do not help against the no-deal rule
		rep.Post("/customers/"+c.ID+"/follow-ups", map[string]any{"channel": "visit", "content": "chat"}).Status(http.StatusCreated)
		if d := runRecycle(t, env); d["recycled"] != 1 {
			t.Fatalf("run %v", d)
		}
		found := false
		for _, n := range inbox(t, rep.Client) {
			found = found || (n.Kind == "customer_recycled" && strings.Contains(n.Body, "no deal for 1h"))
		}
		if !found {
			t.Error("no-deal reason missing")
		}
	})
}

func TestRecycleWarning(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		setSettings(t, env, map[string]any{"pool_recycle_no_followup": "1h", "pool_recycle_no_deal": "0",
			"pool_recycle_warning": "30m"})
		c := createCustomer(t, rep.Client, map[string]any{"name": "Drifting"})
		far := createCustomer(t, rep.Client, map[string]any{"name": "Fine"})
		backdate(t, env, c.ID, map[string]time.Duration{"owned_since": 40 * time.Minute})
		backdate(t, env, far.ID, map[string]time.Duration{"owned_since": 20 * time.Minute})

		if d := runRecycle(t, env); d["warned"] != 1 || d["recycled"] != 0 {
			t.Fatalf("first run %v", d)
		}
		if d := runRecycle(t, env); d["warned"] != 0 {
			t.Errorf("warned twice for one idle period: %v", d)
		}
		if n := countKind(inbox(t, rep.Client), "customer_recycle_warning", c.ID); n != 1 {
			t.Errorf("%d warnings", n)
		}
		if g := getCustomer(t, rep.Client, c.ID); g.Version != 1 {
			t.Errorf("a warning changed the version: %d", g.Version)
		}
		// A follow-up starts a new idle period, which may be warned again.
		backdate(t, env, c.ID, map[string]time.Duration{"owned_since": 100 * time.Minute, "recycle_warned_at": 45 * time.Minute})
		rep.Post("/customers/"+c.ID+"/follow-ups", map[string]any{"channel": "call", "content": "checking in",
			"followed_at": time.Now().UTC().Add(-40 * time.Minute).Format(time.RFC3339)}).Status(http.StatusCreated)
		if d := runRecycle(t, env); d["warned"] != 1 {
			t.Errorf("new idle period not warned: %v", d)
		}
		if n := countKind(inbox(t, rep.Client), "customer_recycle_warning", c.ID); n != 2 {
			t.Errorf("%d warnings", n)
		}
		// Past the limit it goes.
		backdate(t, env, c.ID, map[string]time.Duration{"last_followed_at": 2 * time.Hour})
		if d := runRecycle(t, env); d["recycled"] != 1 {
			t.Errorf("not recycled: %v", d)
		}
		if n := countKind(inbox(t, rep.Client), "customer_recycle_warning", far.ID); n != 0 {
			t.Errorf("customer outside the window warned")
		}
		// Only admins run jobs.
		rep.Post("/admin/jobs/pool-recycle/run", nil).Status(http.StatusForbidden)
	})
}
