package lead_test

import (
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/app"
	"github.com/opencrm/crm/internal/apptest"
)

func TestAuditTrail(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		mgr := env.User("manager", team)
		rep, rep2 := env.User("rep", team), env.User("rep", team)

		l := create(t, rep.Client, map[string]any{"name": "林海", "company": "厦门远航"})
		rep.Patch("/leads/"+l.ID, map[string]any{"company": "厦门远航贸易"}).Status(http.StatusOK)
		mgr.Post("/leads/"+l.ID+"/assign", map[string]any{"owner_id": rep2.ID}).Status(http.StatusOK)
		var f struct{ ID string }
		rep2.Post("/leads/"+l.ID+"/follow-ups", map[string]any{"channel": "call", "content": "电话"}).
			Status(http.StatusCreated).Decode(&f)
		// A failed write leaves no row.
		rep2.Req(http.MethodPatch, "/leads/"+l.ID, map[string]any{"name": "stale"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		rep2.Patch("/leads/"+l.ID, map[string]any{"email": "bad"}).Status(http.StatusUnprocessableEntity)
		rep.Patch("/leads/"+l.ID, map[string]any{"name": "not mine any more"}).Status(http.StatusNotFound)
		rep2.Delete("/leads/" + l.ID).Status(http.StatusNoContent)

		rows := auditRows(t, env, "lead", l.ID)
		type want struct {
			action, actor, beforeField, beforeVal, afterField, afterVal string
		}
		wants := []want{
			{"create", rep.ID, "", "", "company", "厦门远航"},
			{"update", rep.ID, "company", "厦门远航", "company", "厦门远航贸易"},
			{"assign", mgr.ID, "owner_id", rep.ID, "owner_id", rep2.ID},
			// The assignment made the new lead assigned; the follow-up moves it on.
			{"follow_up", rep2.ID, "status", "assigned", "status", "contacted"},
			{"delete", rep2.ID, "name", "林海", "", ""},
		}
		if len(rows) != len(wants) {
			t.Fatalf("audit rows %d, want %d: %v", len(rows), len(wants), rows)
		}
		for i, w := range wants {
			r := rows[i]
			if r["action"] != w.action || r["actor_id"] != w.actor || r["actor_type"] != "user" || r["entity_type"] != "lead" {
				t.Errorf("row %d: %v, want %+v", i, r, w)
			}
			before, _ := r["before"].(map[string]any)
			after, _ := r["after"].(map[string]any)
			if w.beforeField == "" && r["before"] != nil || w.afterField == "" && r["after"] != nil {
				t.Errorf("row %d (%s): before %v after %v", i, w.action, r["before"], r["after"])
			}
			if w.beforeField != "" && (before == nil || before[w.beforeField] != w.beforeVal) {
				t.Errorf("row %d (%s): before.%s = %v, want %s", i, w.action, w.beforeField, before[w.beforeField], w.beforeVal)
			}
			if w.afterField != "" && (after == nil || after[w.afterField] != w.afterVal) {
				t.Errorf("row %d (%s): after.%s = %v, want %s", i, w.action, w.afterField, after[w.afterField], w.afterVal)
			}
			if after != nil && after["id"] != l.ID {
				t.Errorf("row %d: after is not the lead: %v", i, after)
			}
		}
		// A follow-up is a done activity, audited as one.
		if fu := auditRows(t, env, "activity", f.ID); len(fu) != 1 || fu[0]["action"] != "create" ||
			fu[0]["after"].(map[string]any)["related_id"] != l.ID {
			t.Errorf("follow-up audit %v", fu)
		}
		// Only admins read the log.
		rep.Get("/audit-logs?entity_type=lead&entity_id=" + l.ID).Status(http.StatusForbidden).Problem()
		mgr.Get("/audit-logs").Status(http.StatusForbidden)
	})
}

func TestAPIKeyScopes(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		rep, other := env.User("rep", team), env.User("rep", env.Team("West", ""))
		mine := create(t, rep.Client, map[string]any{"name": "甲"})
		theirs := create(t, other.Client, map[string]any{"name": "乙"})

		var readKey, writeKey struct{ ID, Key string }
		env.Admin.Post("/api-keys", map[string]any{"name": "BI export", "scopes": []string{"leads:read"}}).
			Status(http.StatusCreated).Decode(&readKey)
		env.Admin.Post("/api-keys", map[string]any{"name": "Web form", "scopes": []string{"leads:read", "leads:write"}}).
			Status(http.StatusCreated).Decode(&writeKey)
		reader, writer := env.WithAPIKey(readKey.Key), env.WithAPIKey(writeKey.Key)

		// Admin data scope: every lead.
		if ids := listAll(t, reader, "include_total=true"); !sameSet(ids, []string{mine.ID, theirs.ID}) {
			t.Fatalf("read key sees %v", ids)
		}
		get(t, reader, theirs.ID)
		// Only its scopes' permissions.
		p := reader.Post("/leads", map[string]any{"name": "x"}).Status(http.StatusForbidden).Problem()
		problemField(t, p, "forbidden", "")
		reader.Patch("/leads/"+mine.ID, map[string]any{"name": "x"}).Status(http.StatusForbidden)
		reader.Delete("/leads/" + mine.ID).Status(http.StatusForbidden)
		reader.Post("/leads/"+mine.ID+"/assign", map[string]any{"owner_id": other.ID}).Status(http.StatusForbidden)
		reader.Post("/leads/"+mine.ID+"/follow-ups", map[string]any{"channel": "call", "content": "x"}).
			Status(http.StatusForbidden)
		reader.Get("/audit-logs").Status(http.StatusForbidden)

		// A write key creates unowned leads, or owned ones on request.
		free := create(t, writer, map[string]any{"name": "官网表单线索", "source": "web_form"})
		if free.OwnerID != nil || free.CreatedBy != writeKey.ID {
			t.Fatalf("key lead owner %v created_by %s", deref(free.OwnerID), free.CreatedBy)
		}
		rep.Get("/leads/" + free.ID).Status(http.StatusNotFound)
		get(t, env.Admin, free.ID)
		owned := create(t, writer, map[string]any{"name": "指定负责人", "owner_id": rep.ID})
		if deref(owned.OwnerID) != rep.ID {
			t.Fatalf("owned key lead: %+v", owned)
		}
		get(t, rep.Client, owned.ID)
		rows := auditRows(t, env, "lead", free.ID)
		if len(rows) != 1 || rows[0]["actor_type"] != "api_key" || rows[0]["actor_id"] != writeKey.ID {
			t.Fatalf("key audit %v", rows)
		}
		// Reps cannot see the unowned lead in lists either.
		if ids := listAll(t, rep.Client, ""); !sameSet(ids, []string{mine.ID, owned.ID}) {
			t.Fatalf("rep sees %v", ids)
		}
	})
}

func TestSeedDemoLeads(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		if err := env.App.SeedDemo(context.Background(), io.Discard); err != nil {
			t.Fatalf("seed: %v", err)
		}
		all := list(t, env.Admin, "include_total=true&limit=200")
		if *all.Total < 30 {
			t.Fatalf("seed made %d leads", *all.Total)
		}
		statuses, sources := map[string]int{}, map[string]int{}
		followed := 0
		for _, l := range all.Data {
			statuses[l.Status]++
			sources[l.Source]++
			if l.LastFollowedAt != nil {
				followed++
			}
		}
		if len(statuses) < 3 || len(sources) < 5 || followed < 3 {
			t.Fatalf("seed lacks variety: statuses %v sources %v followed %d", statuses, sources, followed)
		}
		// Each demo rep sees only their own; the east manager sees the east team's.
		lina := env.Login("li.na@demo.example.com", app.DemoPassword)
		me := lina.Get("/me").Map()["id"].(string)
		mine := list(t, lina, "include_total=true&limit=200")
		if *mine.Total == 0 || *mine.Total >= *all.Total {
			t.Fatalf("li.na sees %d of %d", *mine.Total, *all.Total)
		}
		for _, l := range mine.Data {
			if deref(l.OwnerID) != me {
				t.Fatalf("li.na sees a lead of %s", deref(l.OwnerID))
			}
		}
		east := env.Login("wang.fang@demo.example.com", app.DemoPassword)
		if n := *list(t, east, "include_total=true").Total; n <= *mine.Total || n >= *all.Total {
			t.Fatalf("east manager sees %d (li.na %d, all %d)", n, *mine.Total, *all.Total)
		}
	})
}
