package approval_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/approval"
	"github.com/opencrm/crm/internal/apptest"
)

func TestApprovalRuleCRUD(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		team := w.env.Team("华东", "")
		mgr, rep := w.user("manager", team), w.user("rep", team)

		resp := w.env.Admin.Post("/approval-rules", map[string]any{"name": " 百万以上合同 ", "entity": "contract",
			"min_amount": "1000000", "steps": []map[string]any{
				{"approver_type": "manager"},
				{"approver_type": "user", "user_ids": []string{mgr.ID, " " + mgr.ID, rep.ID}, "mode": "all"},
				{"approver_type": "role", "role": "admin"},
			}}).Status(http.StatusCreated)
		if resp.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag %q", resp.Header.Get("ETag"))
		}
		var r approval.RuleResponse
		resp.Decode(&r)
		if r.Name != "百万以上合同" || r.MinAmount != "1000000.00" || !r.Active || r.Version != 1 || len(r.Steps) != 3 ||
			r.Steps[0].Mode != "any" || r.Steps[0].Role != "" || len(r.Steps[0].UserIDs) != 0 ||
			!slices.Equal(r.Steps[1].UserIDs, []string{mgr.ID, rep.ID}) || r.Steps[1].Mode != "all" ||
			r.Steps[2].Role != "admin" {
			t.Fatalf("created %+v", r)
		}

		// Managers read, only admins write; reps neither.
		var l approval.RuleList
		mgr.Get("/approval-rules").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 1 || l.Data[0].ID != r.ID {
			t.Errorf("manager's list %+v", l)
		}
		mgr.Get("/approval-rules/" + r.ID).Status(http.StatusOK)
		mgr.Post("/approval-rules", map[string]any{"name": "x", "entity": "order", "steps": []map[string]any{
			{"approver_type": "manager"}}}).Status(http.StatusForbidden)
		mgr.Patch("/approval-rules/"+r.ID, map[string]any{"name": "y"}).Status(http.StatusForbidden)
		mgr.Delete("/approval-rules/" + r.ID).Status(http.StatusForbidden)
		rep.Get("/approval-rules").Status(http.StatusForbidden)
		rep.Get("/approval-rules/" + r.ID).Status(http.StatusForbidden)

		order := w.rule(map[string]any{"name": "订单", "entity": "order", "steps": []map[string]any{{"approver_type": "manager"}}})
		w.env.Admin.Get("/approval-rules?entity=order").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 1 || l.Data[0].ID != order.ID || l.Data[0].MinAmount != "0.00" {
			t.Errorf("order rules %+v", l)
		}
		w.env.Admin.Get("/approval-rules?entity=invoice").Status(http.StatusUnprocessableEntity)

		// PATCH: absent fields stay, steps replace the chain, If-Match guards.
		up := w.env.Admin.Req(http.MethodPatch, "/approval-rules/"+r.ID, map[string]any{"min_amount": "2000000.5",
			"steps": []map[string]any{{"approver_type": "role", "role": "manager", "mode": "all"}}, "active": false}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK)
		var got approval.RuleResponse
		up.Decode(&got)
		if got.MinAmount != "2000000.50" || got.Name != "百万以上合同" || got.Active || len(got.Steps) != 1 ||
			got.Steps[0].Role != "manager" || got.Version != 2 || up.Header.Get("ETag") != `"2"` {
			t.Fatalf("updated %+v", got)
		}
		w.env.Admin.Req(http.MethodPatch, "/approval-rules/"+r.ID, map[string]any{"name": "z"}).Header("If-Match", `"1"`).
			Send().Status(http.StatusPreconditionFailed)
		w.env.Admin.Patch("/approval-rules/"+r.ID, map[string]any{"steps": []map[string]any{}}).
			Status(http.StatusUnprocessableEntity)
		w.env.Admin.Get("/approval-rules/" + r.ID).Status(http.StatusOK).Decode(&got)
		if got.Version != 2 || got.Name != "百万以上合同" || len(got.Steps) != 1 {
			t.Errorf("refused updates changed the rule: %+v", got)
		}

		w.env.Admin.Req(http.MethodDelete, "/approval-rules/"+r.ID, nil).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		w.env.Admin.Delete("/approval-rules/" + r.ID).Status(http.StatusNoContent)
		w.env.Admin.Get("/approval-rules/" + r.ID).Status(http.StatusNotFound)
		w.env.Admin.Delete("/approval-rules/" + r.ID).Status(http.StatusNotFound)
		w.env.Admin.Get("/approval-rules/nope").Status(http.StatusNotFound)

		var audit struct{ Data []struct{ Action string } }
		w.env.Admin.Get("/audit-logs?entity_type=approval_rule&entity_id=" + r.ID + "&sort=created_at").
			Status(http.StatusOK).Decode(&audit)
		var acts []string
		for _, a := range audit.Data {
			acts = append(acts, a.Action)
		}
		if !slices.Equal(acts, []string{"create", "update", "delete"}) {
			t.Errorf("audit %v", acts)
		}
	})
}

func TestApprovalRuleValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		user := w.user("rep", "")
		gone := w.user("rep", "")
		w.env.Admin.Post("/users/"+gone.ID+"/disable", nil).Status(http.StatusOK)
		step := func(s map[string]any) map[string]any {
			body := map[string]any{"name": "规则", "entity": "contract", "steps": []map[string]any{s}}
			return body
		}
		with := func(k string, v any) map[string]any {
			body := step(map[string]any{"approver_type": "manager"})
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
			return body
		}
		many := make([]map[string]any, 11)
		for i := range many {
			many[i] = map[string]any{"approver_type": "manager"}
		}
		tooManyUsers := make([]string, 51)
		for i := range tooManyUsers {
			tooManyUsers[i] = "0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		}
		for field, bodies := range map[string][]map[string]any{
			"name":                   {with("name", nil), with("name", " "), with("name", strings.Repeat("名", 101))},
			"entity":                 {with("entity", nil), with("entity", "invoice")},
			"min_amount":             {with("min_amount", "-1"), with("min_amount", "1.001"), with("min_amount", "abc")},
			"steps":                  {with("steps", nil), with("steps", []map[string]any{}), with("steps", many)},
			"steps[0].approver_type": {step(map[string]any{}), step(map[string]any{"approver_type": "boss"})},
			"steps[0].mode":          {step(map[string]any{"approver_type": "manager", "mode": "some"})},
			"steps[0].role": {step(map[string]any{"approver_type": "role"}),
				step(map[string]any{"approver_type": "role", "role": "ceo"}),
				step(map[string]any{"approver_type": "manager", "role": "admin"})},
			"steps[0].user_ids": {step(map[string]any{"approver_type": "user"}),
				step(map[string]any{"approver_type": "user", "user_ids": []string{" "}}),
				step(map[string]any{"approver_type": "user", "user_ids": []string{"nope"}}),
				step(map[string]any{"approver_type": "user", "user_ids": []string{"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"}}),
				step(map[string]any{"approver_type": "user", "user_ids": []string{user.ID, gone.ID}}),
				step(map[string]any{"approver_type": "user", "user_ids": tooManyUsers}),
				step(map[string]any{"approver_type": "role", "role": "rep", "user_ids": []string{user.ID}})},
		} {
			for _, body := range bodies {
				p := w.env.Admin.Post("/approval-rules", body).Status(http.StatusUnprocessableEntity).Problem()
				if p.Code != "validation_failed" || !p.HasField(field) || len(p.Errors) != 1 {
					t.Errorf("%v: %+v, want only %s", body, p, field)
				}
			}
		}
		// Every bad field at once, the second step named by its index.
		p := w.env.Admin.Post("/approval-rules", map[string]any{"name": "", "entity": "x", "steps": []map[string]any{
			{"approver_type": "manager"}, {"approver_type": "role", "mode": "x"}}}).
			Status(http.StatusUnprocessableEntity).Problem()
		if !p.HasField("name") || !p.HasField("entity") || !p.HasField("steps[1].role") || !p.HasField("steps[1].mode") ||
			len(p.Errors) != 4 {
			t.Errorf("problem %+v", p)
		}
		w.env.Admin.Post("/approval-rules", `{"name":"x","entity":"order","steps":[{"approver_type":"manager","who":1}]}`).
			Status(http.StatusBadRequest)
		w.env.Admin.Post("/approval-rules", `{"name":"x","entity":"order","min_amount":5,"steps":[]}`).
			Status(http.StatusBadRequest)
		var l approval.RuleList
		w.env.Admin.Get("/approval-rules").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 0 {
			t.Errorf("invalid rules were created: %+v", l.Data)
		}
	})
}
