package org_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

type team struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	ParentID *string `json:"parent_id"`
	Version  int     `json:"version"`
}

func TestTeamTree(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		root := env.Team("China", "")
		east := env.Team("East", root)
		shanghai := env.Team("Shanghai", east)
		west := env.Team("West", root)

		var got team
		env.Admin.Get("/teams/" + shanghai).Status(http.StatusOK).Decode(&got)
		if got.Name != "Shanghai" || got.ParentID == nil || *got.ParentID != east {
			t.Fatalf("team = %+v", got)
		}
		var children struct{ Data []team }
		env.Admin.Get("/teams?parent_id=" + root).Status(http.StatusOK).Decode(&children)
		var names []string
		for _, c := range children.Data {
			names = append(names, c.Name)
		}
		if !slices.Equal(names, []string{"East", "West"}) {
			t.Fatalf("children of root = %v", names)
		}

		// A team cannot move under itself or a descendant.
		for _, parent := range []string{root, east, shanghai} {
			wantField(t, env.Admin.Patch("/teams/"+root, map[string]any{"parent_id": parent}), "parent_id")
		}
		wantField(t, env.Admin.Patch("/teams/"+east, map[string]any{"parent_id": shanghai}), "parent_id")
		wantField(t, env.Admin.Patch("/teams/"+east, map[string]any{"parent_id": "00000000-0000-0000-0000-000000000000"}), "parent_id")
		wantField(t, env.Admin.Patch("/teams/"+east, map[string]any{"name": ""}), "name")
		wantField(t, env.Admin.Post("/teams", map[string]any{"name": "Orphan", "parent_id": "00000000-0000-0000-0000-000000000000"}), "parent_id")
		wantField(t, env.Admin.Post("/teams", map[string]any{"name": " "}), "name")

		// Moves elsewhere are fine, with If-Match guarding them.
		etag := env.Admin.Get("/teams/" + shanghai).Status(http.StatusOK).Header.Get("ETag")
		env.Admin.Req("PATCH", "/teams/"+shanghai, map[string]any{"parent_id": west, "name": "Shanghai Hub"}).
			Header("If-Match", etag).Send().Status(http.StatusOK).Decode(&got)
		if got.ParentID == nil || *got.ParentID != west || got.Name != "Shanghai Hub" {
			t.Fatalf("moved = %+v", got)
		}
		wantProblem(t, env.Admin.Req("PATCH", "/teams/"+shanghai, map[string]any{"name": "Lost"}).Header("If-Match", etag).Send(),
			http.StatusPreconditionFailed, "version_mismatch")
		env.Admin.Patch("/teams/"+shanghai, map[string]any{"parent_id": ""}).Status(http.StatusOK).Decode(&got)
		if got.ParentID != nil {
			t.Fatal("parent_id \"\" did not make a root")
		}
		env.Admin.Patch("/teams/"+shanghai, map[string]any{"parent_id": east}).Status(http.StatusOK)

		// Only empty teams go: no members, no sub-teams.
		wantProblem(t, env.Admin.Delete("/teams/"+east), http.StatusConflict, "in_use")
		member := env.User("rep", west)
		wantProblem(t, env.Admin.Delete("/teams/"+west), http.StatusConflict, "in_use")
		env.Admin.Patch("/users/"+member.ID, map[string]any{"team_id": ""}).Status(http.StatusOK)
		env.Admin.Delete("/teams/" + west).Status(http.StatusNoContent)
		env.Admin.Get("/teams/" + west).Status(http.StatusNotFound).Problem()
		env.Admin.Delete("/teams/" + west).Status(http.StatusNotFound).Problem()
		env.Admin.Delete("/teams/" + shanghai).Status(http.StatusNoContent)
		env.Admin.Delete("/teams/" + east).Status(http.StatusNoContent)

		// Everyone reads the tree; only admins change it.
		member.Get("/teams").Status(http.StatusOK)
		member.Get("/teams/" + root).Status(http.StatusOK)
		wantProblem(t, member.Post("/teams", map[string]any{"name": "X"}), http.StatusForbidden, "forbidden")
		wantProblem(t, member.Patch("/teams/"+root, map[string]any{"name": "X"}), http.StatusForbidden, "forbidden")
		wantProblem(t, member.Delete("/teams/"+root), http.StatusForbidden, "forbidden")
	})
}

func TestManagerOfParentTeam(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		root := env.Team("China", "")
		sub := env.Team("East", root)
		mgr := env.User("manager", root)
		env.User("rep", sub)
		var m me
		mgr.Get("/me").Status(http.StatusOK).Decode(&m)
		if m.Role != "manager" || m.Team == nil || m.Team.ID != root || m.Team.Name != "China" {
			t.Fatalf("manager /me = %+v", m)
		}
		// A team moved under the manager's joins their scope; the next
		// request still authenticates with the deeper tree.
		other := env.Team("West", "")
		env.Admin.Patch("/teams/"+other, map[string]any{"parent_id": sub}).Status(http.StatusOK)
		mgr.Get("/me").Status(http.StatusOK)
	})
}

func TestRoles(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", "")
		var roles struct {
			Data []struct {
				Name        string   `json:"name"`
				DataScope   string   `json:"data_scope"`
				Permissions []string `json:"permissions"`
			} `json:"data"`
		}
		rep.Get("/roles").Status(http.StatusOK).Decode(&roles)
		scopes := map[string]string{}
		perms := map[string][]string{}
		for _, r := range roles.Data {
			scopes[r.Name], perms[r.Name] = r.DataScope, r.Permissions
			if !slices.IsSorted(r.Permissions) {
				t.Errorf("%s permissions not sorted: %v", r.Name, r.Permissions)
			}
		}
		if len(roles.Data) != 3 || scopes["admin"] != "all" || scopes["manager"] != "team" || scopes["rep"] != "own" {
			t.Fatalf("roles = %+v", roles.Data)
		}
		for _, p := range []string{"users:write", "teams:write", "api_keys:write", "audit_logs:read", "users:read"} {
			if !slices.Contains(perms["admin"], p) {
				t.Errorf("admin lacks %s", p)
			}
		}
		for _, role := range []string{"manager", "rep"} {
			if !slices.Contains(perms[role], "users:read") || slices.Contains(perms[role], "users:write") ||
				slices.Contains(perms[role], "api_keys:write") || slices.Contains(perms[role], "audit_logs:read") {
				t.Errorf("%s permissions = %v", role, perms[role])
			}
		}
		// /me lists the same permissions as the role.
		var m me
		rep.Get("/me").Status(http.StatusOK).Decode(&m)
		if !slices.Equal(m.Permissions, perms["rep"]) {
			t.Errorf("/me permissions %v, role %v", m.Permissions, perms["rep"])
		}
	})
}
