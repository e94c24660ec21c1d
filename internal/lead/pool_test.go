package lead_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/lead"
)

func pool(t *testing.T, c *apptest.Client, query string) []string {
	t.Helper()
	var out leadList
	c.Get("/leads/pool?limit=200&" + query).Status(http.StatusOK).Decode(&out)
	var ids []string
	for _, l := range out.Data {
		if l.OwnerID != nil {
			t.Fatalf("pool shows an owned lead: %+v", l)
		}
		ids = append(ids, l.ID)
	}
	return ids
}

func TestPoolVisibilityAndClaim(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("公海", "")
		a, bb := env.User("rep", team), env.User("rep", team)
		mgr := env.User("manager", env.Team("别队", ""))
		p1 := create(t, env.Admin, map[string]any{"name": "公海一", "region": "华北"})
		p2 := create(t, env.Admin, map[string]any{"name": "公海二", "region": "华南"})
		gone := create(t, env.Admin, map[string]any{"name": "已作废"})
		env.Admin.Post("/leads/"+gone.ID+"/disqualify", map[string]any{"reason": "空号"}).Status(http.StatusOK)
		deleted := create(t, env.Admin, map[string]any{"name": "已删除"})
		env.Admin.Delete("/leads/" + deleted.ID).Status(http.StatusNoContent)
		mine := create(t, a.Client, map[string]any{"name": "A 的线索"})

		// Every role sees the pool, and only the pool.
		for _, c := range []*apptest.Client{a.Client, bb.Client, mgr.Client, env.Admin} {
			if got := pool(t, c, ""); !sameSet(got, []string{p1.ID, p2.ID}) {
				t.Fatalf("pool %v, want %v", got, []string{p1.ID, p2.ID})
			}
		}
		if got := pool(t, bb.Client, "region=华南"); !sameSet(got, []string{p2.ID}) {
			t.Fatalf("filtered pool %v", got)
		}
		env.Admin.Get("/leads/pool?source=nope").Status(http.StatusUnprocessableEntity).Problem()
		// The pool is a list, not a key to everything: reps still cannot
		// read a pool lead's details or others' leads.
		bb.Get("/leads/" + p1.ID).Status(http.StatusNotFound)
		bb.Get("/leads/" + mine.ID).Status(http.StatusNotFound)
		bb.Get("/leads/" + p1.ID + "/assignments").Status(http.StatusNotFound)

		// Claim: the rep owns it, it leaves the pool.
		var got lead.LeadResponse
		bb.Post("/leads/"+p1.ID+"/claim", nil).Status(http.StatusOK).Decode(&got)
		if deref(got.OwnerID) != bb.ID || got.Status != "assigned" || got.AssignedAt == nil {
			t.Fatalf("claimed %+v", got)
		}
		get(t, bb.Client, p1.ID)
		if ids := pool(t, a.Client, ""); !sameSet(ids, []string{p2.ID}) {
			t.Fatalf("pool after claim %v", ids)
		}
		if p := a.Post("/leads/"+p1.ID+"/claim", nil).Status(http.StatusConflict).Problem(); p.Code != "already_owned" {
			t.Fatalf("second claim %+v", p)
		}
		if p := a.Post("/leads/"+mine.ID+"/claim", nil).Status(http.StatusConflict).Problem(); p.Code != "already_owned" {
			t.Fatalf("claim of an owned lead %+v", p)
		}
		if p := a.Post("/leads/"+gone.ID+"/claim", nil).Status(http.StatusConflict).Problem(); p.Code != "invalid_transition" {
			t.Fatalf("claim of a disqualified lead %+v", p)
		}
		a.Post("/leads/"+deleted.ID+"/claim", nil).Status(http.StatusNotFound).Problem()
		a.Post("/leads/not-a-uuid/claim", nil).Status(http.StatusNotFound).Problem()
		a.Post("/leads/0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b/claim", nil).Status(http.StatusNotFound).Problem()
		var key struct{ Key string }
		env.Admin.Post("/api-keys", map[string]any{"name": "k", "scopes": []string{"leads:write", "leads:read"}}).
			Status(http.StatusCreated).Decode(&key)
		env.WithAPIKey(key.Key).Post("/leads/"+p2.ID+"/claim", nil).Status(http.StatusForbidden).Problem()
		if rows := auditRows(t, env, "lead", p1.ID); rows[len(rows)-1]["action"] != "claim" {
			t.Fatalf("claim not audited: %v", rows)
		}

		// A manager may hand out a pool lead, though it is outside their
		// scope; the history and the new owner's inbox show it.
		mteam := env.User("rep", mgr.TeamID)
		mgr.Post("/leads/"+p2.ID+"/assign", map[string]any{"owner_id": mteam.ID}).Status(http.StatusOK)
		h := history(t, mgr.Client, p2.ID)
		if len(h) != 1 || h[0].Reason != "manual" || deref(h[0].ToUser) != mteam.ID || h[0].ActorID != mgr.ID {
			t.Fatalf("manual assign history %+v", h)
		}
		if notified(t, env, mteam.ID, "lead_assigned", p2.ID) != 1 {
			t.Fatal("assignee not notified")
		}
		// ...but not someone else's lead.
		mgr.Post("/leads/"+mine.ID+"/assign", map[string]any{"owner_id": mteam.ID}).Status(http.StatusNotFound)
	})
}

func TestDisqualify(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("作废", "")
		a, bb := env.User("rep", team), env.User("rep", team)
		l := create(t, a.Client, map[string]any{"name": "待作废"})
		path := "/leads/" + l.ID + "/disqualify"

		p := a.Post(path, map[string]any{"reason": "  "}).Status(http.StatusUnprocessableEntity).Problem()
		problemField(t, p, "validation_failed", "reason")
		p = a.Post(path, map[string]any{"reason": strings.Repeat("长", 501)}).Status(http.StatusUnprocessableEntity).Problem()
		problemField(t, p, "validation_failed", "reason")
		a.Post(path, map[string]any{}).Status(http.StatusUnprocessableEntity)
		a.Post(path, map[string]any{"reason": 5}).Status(http.StatusBadRequest)
		bb.Post(path, map[string]any{"reason": "不是我的"}).Status(http.StatusNotFound)
		a.Req(http.MethodPost, path, map[string]any{"reason": "x"}).Header("If-Match", `"9"`).Send().
			Status(http.StatusPreconditionFailed)

		var out lead.LeadResponse
		a.Post(path, map[string]any{"reason": " 预算取消 "}).Status(http.StatusOK).Decode(&out)
		if out.Status != "disqualified" || out.DisqualifyReason != "预算取消" || out.Version != 2 {
			t.Fatalf("disqualified %+v", out)
		}
		p = a.Post(path, map[string]any{"reason": "再来一次"}).Status(http.StatusConflict).Problem()
		if p.Code != "invalid_transition" {
			t.Fatalf("twice: %+v", p)
		}
		// PATCH cannot bring it back to a disqualified status either way.
		a.Patch("/leads/"+l.ID, map[string]any{"status": "disqualified"}).Status(http.StatusUnprocessableEntity)
		if ids := listAll(t, a.Client, "status=disqualified"); !sameSet(ids, []string{l.ID}) {
			t.Fatalf("status filter %v", ids)
		}
		rows := auditRows(t, env, "lead", l.ID)
		last := rows[len(rows)-1]
		if last["action"] != "disqualify" || last["after"].(map[string]any)["disqualify_reason"] != "预算取消" {
			t.Fatalf("audit %v", last)
		}
	})
}

func TestRuleCRUDAndValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("规则", "")
		r1, r2 := env.User("rep", team), env.User("rep", team)
		mgr := env.User("manager", team)
		off := env.User("rep", team)
		env.Admin.Post("/users/"+off.ID+"/disable", nil).Status(http.StatusOK)
		unknown := "0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"

		base := func(extra map[string]any) map[string]any {
			m := map[string]any{"name": "r", "strategy": "round_robin", "user_ids": []string{r1.ID}}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{base(map[string]any{"name": " "}), "name"},
			{base(map[string]any{"name": strings.Repeat("n", 101)}), "name"},
			{base(map[string]any{"strategy": "random"}), "strategy"},
			{base(map[string]any{"strategy": ""}), "strategy"},
			{base(map[string]any{"priority": -1}), "priority"},
			{base(map[string]any{"conditions": map[string]any{"source": "fax"}}), "conditions.source"},
			{base(map[string]any{"conditions": map[string]any{"region": strings.Repeat("区", 101)}}), "conditions.region"},
			{base(map[string]any{"team_id": team}), "team_id"},
			{base(map[string]any{"user_ids": []string{}}), "user_ids"},
			{base(map[string]any{"strategy": "user", "user_ids": []string{r1.ID, r2.ID}}), "user_ids"},
			{base(map[string]any{"user_ids": []string{unknown}}), "user_ids"},
			{base(map[string]any{"user_ids": []string{"nope"}}), "user_ids"},
			{base(map[string]any{"user_ids": []string{off.ID}}), "user_ids"},
			{map[string]any{"name": "t", "strategy": "least_loaded", "team_id": unknown}, "team_id"},
			{map[string]any{"name": "t", "strategy": "least_loaded", "team_id": "x"}, "team_id"},
		} {
			p := env.Admin.Post("/lead-assignment-rules", c.body).Status(http.StatusUnprocessableEntity).Problem()
			problemField(t, p, "validation_failed", c.field)
		}
		env.Admin.Post("/lead-assignment-rules", map[string]any{"name": "x", "strategy": "user", "bogus": 1}).
			Status(http.StatusBadRequest)

		r := rule(t, env, base(map[string]any{"conditions": map[string]any{"source": " Web_Form "}}))
		if r.Priority != 100 || !r.Active || r.Conditions.Source != "web_form" || r.Version != 1 {
			t.Fatalf("created %+v", r)
		}
		path := "/lead-assignment-rules/" + r.ID
		// Managers read; reps and managers cannot write; reps cannot read.
		mgr.Get(path).Status(http.StatusOK)
		mgr.Get("/lead-assignment-rules").Status(http.StatusOK)
		mgr.Post("/lead-assignment-rules", base(nil)).Status(http.StatusForbidden).Problem()
		mgr.Patch(path, map[string]any{"active": false}).Status(http.StatusForbidden)
		r1.Get("/lead-assignment-rules").Status(http.StatusForbidden).Problem()
		r1.Get(path).Status(http.StatusForbidden)
		r1.Delete(path).Status(http.StatusForbidden)

		// PATCH switches to a team; If-Match guards it.
		env.Admin.Req(http.MethodPatch, path, map[string]any{"priority": 1}).Header("If-Match", `"7"`).Send().
			Status(http.StatusPreconditionFailed)
		var up lead.RuleResponse
		env.Admin.Patch(path, map[string]any{"team_id": team, "strategy": "least_loaded"}).Status(http.StatusOK).Decode(&up)
		if deref(up.TeamID) != team || len(up.UserIDs) != 0 || up.Strategy != "least_loaded" || up.Version != 2 {
			t.Fatalf("patched %+v", up)
		}
		env.Admin.Patch(path, map[string]any{"strategy": "user"}).Status(http.StatusUnprocessableEntity)
		var list struct{ Data []lead.RuleResponse }
		env.Admin.Get("/lead-assignment-rules").Status(http.StatusOK).Decode(&list)
		if len(list.Data) != 1 || list.Data[0].ID != r.ID {
			t.Fatalf("list %+v", list)
		}
		env.Admin.Get("/lead-assignment-rules/nope").Status(http.StatusNotFound).Problem()
		env.Admin.Delete(path).Status(http.StatusNoContent)
		env.Admin.Get(path).Status(http.StatusNotFound)
		if rows := auditRows(t, env, "lead_assignment_rule", r.ID); len(rows) != 3 {
			t.Fatalf("rule audit rows %d", len(rows))
		}
	})
}

// Malformed input on the new endpoints is a 4xx, never a 500, and the
// history of a lead outside scope is as absent as the lead.
func TestRoutingEndpointsBadInput(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("坏输入", "")
		a, bb := env.User("rep", team), env.User("rep", team)
		l := create(t, a.Client, map[string]any{"name": "a"})
		bb.Get("/leads/" + l.ID + "/assignments").Status(http.StatusNotFound).Problem()
		a.Get("/leads/" + l.ID + "/assignments").Status(http.StatusOK)
		for _, path := range []string{"/leads/pool?cursor=garbage", "/leads/pool?sort=owner_id", "/leads/pool?limit=0",
			"/leads/pool?created_from=yesterday", "/leads/" + l.ID + "/assignments?cursor=x",
			"/leads/" + l.ID + "/assignments?sort=nope"} {
			a.Get(path).Status(http.StatusBadRequest, http.StatusUnprocessableEntity).Problem()
		}
		for _, body := range []string{`{`, `[]`, `{"reason":null}`, `{"reason":["x"]}`, `"x"`} {
			a.Post("/leads/"+l.ID+"/disqualify", body).Status(http.StatusBadRequest, http.StatusUnprocessableEntity).Problem()
		}
		for _, body := range []string{`{`, `{"name":1}`, `{"name":"x","strategy":"user","user_ids":"x"}`,
			`{"name":"x","strategy":"user","user_ids":[1]}`, `{"name":"x","strategy":"user","priority":"1"}`,
			`{"name":"x","strategy":"user","priority":1e12}`, `{"name":"x","strategy":"least_loaded","team_id":""}`} {
			env.Admin.Post("/lead-assignment-rules", body).Status(http.StatusBadRequest, http.StatusUnprocessableEntity).Problem()
		}
		env.Admin.Patch("/lead-assignment-rules/nope", map[string]any{"name": "x"}).Status(http.StatusNotFound)
		env.Admin.Delete("/lead-assignment-rules/0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b").Status(http.StatusNotFound)
		a.Post("/leads/"+l.ID+"/claim", `{"x":1}`).Status(http.StatusConflict)
	})
}

// Like pool customers, pool leads show reps and managers masked phone and
// email until claimed, and their search cannot probe the hidden digits.
func TestPoolMasksContactDetails(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		p := create(t, env.Admin, map[string]any{"name": "公海线索", "company": "宏达机械",
			"phone": "+86 138 0013 8000", "email": "wang@hongda.example.cn"})

		var out struct{ Data []lead.LeadResponse }
		rep.Get("/leads/pool").Status(http.StatusOK).Decode(&out)
		if len(out.Data) != 1 || out.Data[0].Phone != "138****8000" || out.Data[0].Email != "w***@hongda.example.cn" ||
			!out.Data[0].Masked {
			t.Fatalf("rep sees %+v", out.Data)
		}
		env.Admin.Get("/leads/pool").Status(http.StatusOK).Decode(&out)
		if out.Data[0].Phone != "+86 138 0013 8000" || out.Data[0].Masked {
			t.Fatalf("admin sees %+v", out.Data)
		}
		// Searching by the hidden digits finds nothing for the rep; by name it does.
		if got := pool(t, rep.Client, "q=0013"); len(got) != 0 {
			t.Fatalf("q over masked phone found %v", got)
		}
		if got := pool(t, rep.Client, "q=hongda"); len(got) != 0 {
			t.Fatalf("q over masked email found %v", got)
		}
		if got := pool(t, rep.Client, "q=宏达"); !sameSet(got, []string{p.ID}) {
			t.Fatalf("q over company found %v", got)
		}
		if got := pool(t, env.Admin, "q=0013"); !sameSet(got, []string{p.ID}) {
			t.Fatalf("admin q over phone found %v", got)
		}
		// Claimed, the rep sees it whole.
		var got lead.LeadResponse
		rep.Post("/leads/"+p.ID+"/claim", nil).Status(http.StatusOK).Decode(&got)
		if got.Phone != "+86 138 0013 8000" || got.Masked {
			t.Fatalf("claimed %+v", got)
		}
	})
}
