package team_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/team"
)

func tiers3() []map[string]any {
	return []map[string]any{
		{"from": "0.00", "to": "100000", "rate": "0.03"},
		{"from": "100000", "to": "500000.00", "rate": "0.05"},
		{"from": "500000", "to": nil, "rate": "0.0825"},
	}
}

func createPlan(t *testing.T, c *apptest.Client, body map[string]any) team.CommissionPlanResponse {
	t.Helper()
	base := map[string]any{"name": "提成", "basis": "received_amount", "tiers": tiers3(),
		"effective_from": "2026-01-01"}
	for k, v := range body {
		base[k] = v
	}
	var out team.CommissionPlanResponse
	c.Post("/commission-plans", base).Status(http.StatusCreated).Decode(&out)
	return out
}

func TestCommissionPlanCRUDAndReach(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east := env.Team("华东", "")
		shanghai := env.Team("上海", east)
		north := env.Team("华北", "")
		mgr := env.User("manager", north)
		rep, loner, other := env.User("rep", shanghai), env.User("rep", ""), env.User("rep", north)

		eastPlan := createPlan(t, env.Admin, map[string]any{"name": " 华东提成 ", "team_ids": []string{east}})
		if eastPlan.Name != "华东提成" || len(eastPlan.Tiers) != 3 || eastPlan.Tiers[2].To != nil ||
			eastPlan.Tiers[1].From != "100000.00" || eastPlan.Tiers[2].Rate != "0.0825" || !eastPlan.Active ||
			eastPlan.EffectiveTo != nil || !slices.Equal(eastPlan.TeamIDs, []string{east}) || len(eastPlan.UserIDs) != 0 {
			t.Fatalf("created %+v", eastPlan)
		}
		lonerPlan := createPlan(t, env.Admin, map[string]any{"user_ids": []string{loner.ID, loner.ID},
			"basis": "won_amount", "effective_to": "2026-12-31"})
		if !slices.Equal(lonerPlan.UserIDs, []string{loner.ID}) || *lonerPlan.EffectiveTo != "2026-12-31" {
			t.Errorf("created %+v", lonerPlan)
		}
		northPlan := createPlan(t, env.Admin, map[string]any{"team_ids": []string{north}, "active": false})

		planIDs := func(p page[team.CommissionPlanResponse]) []string {
			return idsOf(p, func(x team.CommissionPlanResponse) string { return x.ID })
		}
		all := sorted(eastPlan.ID, lonerPlan.ID, northPlan.ID)
		for _, tt := range []struct {
			name string
			c    *apptest.Client
			want []string
		}{
			{"admin", env.Admin, all},
			{"manager reads all", mgr.Client, all},
			{"rep in a sub-team gets the parent team's plan", rep.Client, []string{eastPlan.ID}},
			{"rep named by id", loner.Client, []string{lonerPlan.ID}},
			{"other rep", other.Client, []string{northPlan.ID}},
		} {
			if got := planIDs(list[team.CommissionPlanResponse](t, tt.c, "/commission-plans?limit=200")); !slices.Equal(got, tt.want) {
				t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			}
		}
		rep.Get("/commission-plans/" + lonerPlan.ID).Status(http.StatusNotFound).Problem()
		rep.Get("/commission-plans/" + eastPlan.ID).Status(http.StatusOK)
		if got := planIDs(list[team.CommissionPlanResponse](t, env.Admin, "/commission-plans?active=false")); !slices.Equal(got, []string{northPlan.ID}) {
			t.Errorf("active=false: %v", got)
		}

		// Only admins write.
		mgr.Post("/commission-plans", map[string]any{"name": "x"}).Status(http.StatusForbidden).Problem()
		mgr.Patch("/commission-plans/"+eastPlan.ID, map[string]any{"name": "x"}).Status(http.StatusForbidden)
		rep.Delete("/commission-plans/" + eastPlan.ID).Status(http.StatusForbidden)

		// PATCH replaces tiers and subjects; If-Match guards it.
		up := env.Admin.Req("PATCH", "/commission-plans/"+eastPlan.ID, map[string]any{
			"tiers":    []map[string]any{{"from": "0", "rate": "0.1"}},
			"user_ids": []string{other.ID}, "team_ids": []string{}, "effective_to": "2026-06-30"}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK)
		var got team.CommissionPlanResponse
		up.Decode(&got)
		if len(got.Tiers) != 1 || got.Tiers[0].Rate != "0.1" || !slices.Equal(got.UserIDs, []string{other.ID}) ||
			len(got.TeamIDs) != 0 || got.Version != 2 || *got.EffectiveTo != "2026-06-30" || got.Name != "华东提成" {
			t.Errorf("updated %+v", got)
		}
		rep.Get("/commission-plans/" + eastPlan.ID).Status(http.StatusNotFound)
		other.Get("/commission-plans/" + eastPlan.ID).Status(http.StatusOK)
		env.Admin.Req("PATCH", "/commission-plans/"+eastPlan.ID, map[string]any{"name": "y"}).
			Header("If-Match", `"1"`).Send().Status(http.StatusPreconditionFailed).Problem()
		if m := env.Admin.Patch("/commission-plans/"+eastPlan.ID, map[string]any{"effective_to": ""}).
			Status(http.StatusOK).Map(); m["effective_to"] != nil {
			t.Errorf("effective_to not cleared: %v", m)
		}
		env.Admin.Req("DELETE", "/commission-plans/"+eastPlan.ID, nil).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		env.Admin.Delete("/commission-plans/" + eastPlan.ID).Status(http.StatusNoContent)
		env.Admin.Get("/commission-plans/" + eastPlan.ID).Status(http.StatusNotFound)
		if acts := auditActions(t, env, "commission_plan", eastPlan.ID); !slices.Equal(acts,
			[]string{"create", "update", "update", "delete"}) {
			t.Errorf("audit %v", acts)
		}
	})
}

func TestCommissionPlanValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east := env.Team("华东", "")
		rep := env.User("rep", east)
		ok := func(over map[string]any) map[string]any {
			body := map[string]any{"name": "提成", "basis": "won_amount", "tiers": tiers3(),
				"effective_from": "2026-01-01", "team_ids": []string{east}}
			for k, v := range over {
				if v == nil {
					delete(body, k)
				} else {
					body[k] = v
				}
			}
			return body
		}
		withTier := func(i int, k string, v any) map[string]any {
			ts := tiers3()
			ts[i][k] = v
			return ok(map[string]any{"tiers": ts})
		}
		for field, bodies := range map[string][]map[string]any{
			"name":           {ok(map[string]any{"name": " "})},
			"basis":          {ok(map[string]any{"basis": nil}), ok(map[string]any{"basis": "profit"})},
			"tiers":          {ok(map[string]any{"tiers": nil}), ok(map[string]any{"tiers": []map[string]any{}})},
			"tiers[0].from":  {withTier(0, "from", "1.00"), withTier(0, "from", nil)},
			"tiers[1].from":  {withTier(1, "from", "100000.01"), withTier(1, "from", "-1")},
			"tiers[1].to":    {withTier(1, "to", nil), withTier(1, "to", "1.001")},
			"tiers[2].to":    {withTier(2, "to", "900000")},
			"tiers[0].rate":  {withTier(0, "rate", "1.01"), withTier(0, "rate", "-0.01"), withTier(0, "rate", nil)},
			"tiers[2].rate":  {withTier(2, "rate", "0.00001"), withTier(2, "rate", "5%")},
			"effective_from": {ok(map[string]any{"effective_from": nil}), ok(map[string]any{"effective_from": "2026-02-30"})},
			"effective_to":   {ok(map[string]any{"effective_to": "2025-12-31"}), ok(map[string]any{"effective_to": "soon"})},
			"user_ids":       {ok(map[string]any{"team_ids": nil})},
			"user_ids[1]":    {ok(map[string]any{"user_ids": []string{rep.ID, "00000000-0000-0000-0000-000000000000"}}), ok(map[string]any{"user_ids": []string{rep.ID, "x"}})},
			"team_ids[0]":    {ok(map[string]any{"team_ids": []string{rep.ID}})},
		} {
			for _, body := range bodies {
				p := env.Admin.Post("/commission-plans", body).Status(http.StatusUnprocessableEntity).Problem()
				if p.Code != "validation_failed" || !p.HasField(field) || len(p.Errors) != 1 {
					t.Errorf("%v: %+v, want only %s", body, p, field)
				}
			}
		}
		// A tier ending where it starts breaks the next one's start too.
		flat := withTier(1, "to", "100000")
		if p := env.Admin.Post("/commission-plans", flat).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("tiers[1].to") ||
			!p.HasField("tiers[2].from") {
			t.Errorf("flat tier: %+v", p)
		}
		env.Admin.Post("/commission-plans", withTier(0, "rate", 0.05)).Status(http.StatusBadRequest).Problem()
		if l := list[team.CommissionPlanResponse](t, env.Admin, "/commission-plans?include_total=true"); *l.Total != 0 {
			t.Fatalf("invalid input created plans: %d", *l.Total)
		}

		p := createPlan(t, env.Admin, map[string]any{"team_ids": []string{east}})
		for body, field := range map[string]string{
			`{"tiers":[{"from":"0","to":"10","rate":"0.1"}]}`: "tiers[0].to",
			`{"team_ids":[]}`:               "user_ids",
			`{"effective_to":"2025-01-01"}`: "effective_to",
			`{"tiers":[{"from":"0","to":"10","rate":"0.1"},{"from":"11","rate":"0.2"}]}`: "tiers[1].from",
		} {
			if pr := env.Admin.Patch("/commission-plans/"+p.ID, body).Status(http.StatusUnprocessableEntity).Problem(); !pr.HasField(field) {
				t.Errorf("PATCH %s: %+v", body, pr)
			}
		}
		var g team.CommissionPlanResponse
		env.Admin.Get("/commission-plans/" + p.ID).Status(http.StatusOK).Decode(&g)
		if g.Version != 1 || len(g.Tiers) != 3 || !slices.Equal(g.TeamIDs, []string{east}) {
			t.Errorf("bad input changed the plan: %+v", g)
		}
	})
}
