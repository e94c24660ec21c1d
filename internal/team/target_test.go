package team_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/team"
)

func targetIDs(p page[team.TargetResponse]) []string {
	return idsOf(p, func(t team.TargetResponse) string { return t.ID })
}

func createTarget(t *testing.T, c *apptest.Client, typ, subject, period, metric, value string) team.TargetResponse {
	t.Helper()
	var out team.TargetResponse
	c.Post("/targets", map[string]any{"subject_type": typ, "subject_id": subject, "period": period,
		"metric": metric, "value": value}).Status(http.StatusCreated).Decode(&out)
	return out
}

func TestTargetCRUD(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east := env.Team("华东", "")
		rep := env.User("rep", east)

		resp := env.Admin.Post("/targets", map[string]any{"subject_type": "user", "subject_id": rep.ID,
			"period": "2026-Q4", "metric": "won_amount", "value": "1200000"}).Status(http.StatusCreated)
		if resp.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag %q", resp.Header.Get("ETag"))
		}
		var got team.TargetResponse
		resp.Decode(&got)
		// The default zone is Asia/Shanghai: Q4 runs from 1 Oct 00:00 +08:00.
		if got.Value != "1200000.00" || got.Period != "2026-Q4" || got.PeriodKind != "quarter" ||
			got.PeriodStart.Format("2006-01-02T15:04:05Z07:00") != "2026-09-30T16:00:00Z" ||
			got.PeriodEnd.Format("2006-01-02T15:04:05Z07:00") != "2026-12-31T16:00:00Z" || got.Version != 1 {
			t.Fatalf("created %+v", got)
		}
		count := createTarget(t, env.Admin, "team", east, "2026", "orders_count", "120")
		if count.Value != "120" || count.PeriodKind != "year" {
			t.Errorf("count target %+v", count)
		}

		up := env.Admin.Req("PATCH", "/targets/"+got.ID, map[string]any{"value": "1500000.50"}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK)
		if m := up.Map(); m["value"] != "1500000.50" || m["version"] != float64(2) || up.Header.Get("ETag") != `"2"` {
			t.Errorf("updated %v", m)
		}
		env.Admin.Req("PATCH", "/targets/"+got.ID, map[string]any{"value": "1"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed).Problem()
		env.Admin.Req("DELETE", "/targets/"+got.ID, nil).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed).Problem()
		var g team.TargetResponse
		rep.Get("/targets/" + got.ID).Status(http.StatusOK).Decode(&g)
		if g.Value != "1500000.50" || g.Version != 2 {
			t.Errorf("412 changed the target: %+v", g)
		}
		// A count target's value must stay an integer.
		if p := env.Admin.Patch("/targets/"+count.ID, map[string]any{"value": "1.5"}).
			Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("value") {
			t.Errorf("problem %+v", p)
		}

		env.Admin.Delete("/targets/" + got.ID).Status(http.StatusNoContent)
		env.Admin.Get("/targets/" + got.ID).Status(http.StatusNotFound).Problem()
		if acts := auditActions(t, env, "target", got.ID); !slices.Equal(acts, []string{"create", "update", "delete"}) {
			t.Errorf("audit %v", acts)
		}
	})
}

func TestTargetScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east := env.Team("华东", "")
		shanghai := env.Team("上海", east)
		north := env.Team("华北", "")
		mgr := env.User("manager", east)
		subMgr := env.User("manager", shanghai)
		rep, peer := env.User("rep", shanghai), env.User("rep", shanghai)
		other := env.User("rep", north)

		tEast := createTarget(t, env.Admin, "team", east, "2026-11", "won_amount", "100")
		tSH := createTarget(t, mgr.Client, "team", shanghai, "2026-11", "won_amount", "50")
		tRep := createTarget(t, mgr.Client, "user", rep.ID, "2026-11", "won_amount", "10")
		tPeer := createTarget(t, subMgr.Client, "user", peer.ID, "2026-11", "new_customers", "3")
		tNorth := createTarget(t, env.Admin, "team", north, "2026-11", "won_amount", "70")
		tOther := createTarget(t, env.Admin, "user", other.ID, "2026-11", "won_amount", "7")

		all := sorted(tEast.ID, tSH.ID, tRep.ID, tPeer.ID, tNorth.ID, tOther.ID)
		for _, tt := range []struct {
			name string
			c    *apptest.Client
			want []string
		}{
			{"admin", env.Admin, all},
			{"manager: team subtree and members", mgr.Client, sorted(tEast.ID, tSH.ID, tRep.ID, tPeer.ID)},
			{"sub-team manager", subMgr.Client, sorted(tSH.ID, tRep.ID, tPeer.ID)},
			{"rep: own and own team's", rep.Client, sorted(tSH.ID, tRep.ID)},
			{"other rep", other.Client, sorted(tNorth.ID, tOther.ID)},
		} {
			l := list[team.TargetResponse](t, tt.c, "/targets?include_total=true&limit=200")
			if got := targetIDs(l); !slices.Equal(got, tt.want) || *l.Total != int64(len(tt.want)) {
				t.Errorf("%s sees %v (total %d), want %v", tt.name, got, *l.Total, tt.want)
			}
		}
		// Out of scope is 404, never 403, on every verb.
		rep.Get("/targets/" + tPeer.ID).Status(http.StatusNotFound)
		subMgr.Get("/targets/" + tEast.ID).Status(http.StatusNotFound)
		mgr.Patch("/targets/"+tNorth.ID, map[string]any{"value": "1"}).Status(http.StatusNotFound)
		mgr.Delete("/targets/" + tOther.ID).Status(http.StatusNotFound)

		// Managers write inside their subtree only; reps not at all.
		for _, body := range []map[string]any{
			{"subject_type": "team", "subject_id": north},
			{"subject_type": "user", "subject_id": other.ID},
			{"subject_type": "team", "subject_id": east}, // above the sub-team manager
		} {
			body["period"], body["metric"], body["value"] = "2026-12", "won_amount", "1"
			c := mgr.Client
			if body["subject_id"] == east {
				c = subMgr.Client
			}
			c.Post("/targets", body).Status(http.StatusForbidden).Problem()
		}
		rep.Post("/targets", map[string]any{"subject_type": "user", "subject_id": rep.ID, "period": "2026-12",
			"metric": "won_amount", "value": "1"}).Status(http.StatusForbidden).Problem()
		rep.Patch("/targets/"+tRep.ID, map[string]any{"value": "1"}).Status(http.StatusForbidden)
		rep.Delete("/targets/" + tRep.ID).Status(http.StatusForbidden)
		if l := list[team.TargetResponse](t, env.Admin, "/targets?include_total=true"); *l.Total != 6 {
			t.Errorf("refused writes created targets: %d", *l.Total)
		}
		mgr.Patch("/targets/"+tPeer.ID, map[string]any{"value": "4"}).Status(http.StatusOK)

		// Filters: team_id takes the subtree and its members.
		for path, want := range map[string][]string{
			"/targets?team_id=" + east:                   sorted(tEast.ID, tSH.ID, tRep.ID, tPeer.ID),
			"/targets?team_id=" + shanghai:               sorted(tSH.ID, tRep.ID, tPeer.ID),
			"/targets?subject_type=user&team_id=" + east: sorted(tRep.ID, tPeer.ID),
			"/targets?subject_id=" + rep.ID:              {tRep.ID},
			"/targets?metric=new_customers":              {tPeer.ID},
			"/targets?period=2026-11&subject_type=team":  sorted(tEast.ID, tSH.ID, tNorth.ID),
			"/targets?period=2026-12":                    {},
			"/targets?team_id=" + north:                  sorted(tNorth.ID, tOther.ID),
		} {
			if got := targetIDs(list[team.TargetResponse](t, env.Admin, path)); !slices.Equal(got, want) {
				t.Errorf("%s: %v, want %v", path, got, want)
			}
		}
		// A manager filtering on a team outside their subtree sees nothing.
		if got := targetIDs(list[team.TargetResponse](t, mgr.Client, "/targets?team_id="+north)); len(got) != 0 {
			t.Errorf("manager sees other team's targets: %v", got)
		}
		for _, q := range []string{"period=2026-13", "metric=revenue", "subject_type=org", "team_id=x", "sort=value"} {
			env.Admin.Get("/targets?" + q).Status(http.StatusBadRequest).Problem()
		}

		// Keyset paging walks every row once.
		var seen []string
		path := "/targets?limit=2&sort=period_start"
		for path != "" {
			l := list[team.TargetResponse](t, env.Admin, path)
			for _, x := range l.Data {
				seen = append(seen, x.ID)
			}
			path = ""
			if l.HasMore {
				path = "/targets?limit=2&sort=period_start&cursor=" + l.NextCursor
			}
		}
		if slices.Sort(seen); !slices.Equal(seen, all) {
			t.Errorf("paged %v, want %v", seen, all)
		}
	})
}

func TestTargetValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east := env.Team("华东", "")
		rep := env.User("rep", east)
		ok := func(over map[string]any) map[string]any {
			body := map[string]any{"subject_type": "user", "subject_id": rep.ID, "period": "2026-11",
				"metric": "won_amount", "value": "1000.00"}
			for k, v := range over {
				if v == nil {
					delete(body, k)
				} else {
					body[k] = v
				}
			}
			return body
		}
		for field, bodies := range map[string][]map[string]any{
			"subject_type": {ok(map[string]any{"subject_type": nil}), ok(map[string]any{"subject_type": "org"})},
			"subject_id": {ok(map[string]any{"subject_id": nil}), ok(map[string]any{"subject_id": "x"}),
				ok(map[string]any{"subject_id": "00000000-0000-0000-0000-000000000000"}),
				ok(map[string]any{"subject_type": "team", "subject_id": rep.ID}),
				ok(map[string]any{"subject_id": east})},
			"period": {ok(map[string]any{"period": nil}), ok(map[string]any{"period": "2026-13"}),
				ok(map[string]any{"period": "2026-q4"}), ok(map[string]any{"period": "2026-11-01"}),
				ok(map[string]any{"period": "26"})},
			"metric": {ok(map[string]any{"metric": nil}), ok(map[string]any{"metric": "revenue"})},
			"value": {ok(map[string]any{"value": nil}), ok(map[string]any{"value": "-1"}),
				ok(map[string]any{"value": "1.005"}), ok(map[string]any{"value": "abc"}),
				ok(map[string]any{"metric": "orders_count", "value": "1.5"}),
				ok(map[string]any{"metric": "new_customers", "value": "-3"}),
				ok(map[string]any{"metric": "activities_count", "value": "1e3"}),
				ok(map[string]any{"metric": "activities_count", "value": "99999999999"})},
		} {
			for _, body := range bodies {
				p := env.Admin.Post("/targets", body).Status(http.StatusUnprocessableEntity).Problem()
				if p.Code != "validation_failed" || !p.HasField(field) || len(p.Errors) != 1 {
					t.Errorf("%v: %+v, want only %s", body, p, field)
				}
			}
		}
		env.Admin.Post("/targets", ok(map[string]any{"value": 1000})).Status(http.StatusBadRequest).Problem()
		env.Admin.Post("/targets", `{"subject_type":"user","extra":1}`).Status(http.StatusBadRequest).Problem()
		if l := list[team.TargetResponse](t, env.Admin, "/targets?include_total=true"); *l.Total != 0 {
			t.Fatalf("invalid input created targets: %d", *l.Total)
		}

		// One per subject, period and metric.
		first := createTarget(t, env.Admin, "user", rep.ID, "2026-11", "won_amount", "1")
		p := env.Admin.Post("/targets", ok(nil)).Status(http.StatusConflict).Problem()
		if p.Code != "duplicate" || len(p.Matches) != 1 || p.Matches[0]["id"] != first.ID {
			t.Errorf("duplicate %+v", p)
		}
		createTarget(t, env.Admin, "user", rep.ID, "2026-Q4", "won_amount", "1")
		createTarget(t, env.Admin, "user", rep.ID, "2026-11", "orders_count", "1")
		env.Admin.Patch("/targets/"+first.ID, `{"period":"2026-12"}`).Status(http.StatusBadRequest)
		env.Admin.Req("PATCH", "/targets/"+first.ID, map[string]any{"value": "2"}).Header("If-Match", "x").Send().
			Status(http.StatusBadRequest)
		var g team.TargetResponse
		env.Admin.Get("/targets/" + first.ID).Status(http.StatusOK).Decode(&g)
		if g.Version != 1 || g.Value != "1.00" {
			t.Errorf("bad input changed the target: %+v", g)
		}
	})
}
