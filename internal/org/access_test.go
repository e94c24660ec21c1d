package org_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

type me struct {
	Kind   string  `json:"kind"`
	ID     string  `json:"id"`
	Email  string  `json:"email"`
	Role   string  `json:"role"`
	TeamID *string `json:"team_id"`
	Team   *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"team"`
	Permissions []string `json:"permissions"`
}

func TestChangeOwnPassword(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", "")
		other := env.Login(rep.Email, apptest.Password)
		bystander := env.User("rep", "")
		const next = "Brand-New-Passw0rd"

		wantField(t, rep.Post("/me/password", map[string]any{"current_password": "Wrong-Passw0rd", "new_password": next}), "current_password")
		wantField(t, rep.Post("/me/password", map[string]any{"current_password": "", "new_password": next}), "current_password")
		wantField(t, rep.Post("/me/password", map[string]any{"current_password": apptest.Password, "new_password": "weak"}), "new_password")
		wantField(t, rep.Post("/me/password", map[string]any{"current_password": apptest.Password, "new_password": "onlyletters"}), "new_password")
		rep.Post("/me/password", `{"current_password":1}`).Status(http.StatusBadRequest).Problem()
		// Nothing changed so far.
		rep.Get("/me").Status(http.StatusOK)
		other.Get("/me").Status(http.StatusOK)

		rep.Post("/me/password", map[string]any{"current_password": apptest.Password, "new_password": next}).Status(http.StatusNoContent)
		// Every session ended, this one included.
		for _, c := range []*apptest.Client{rep.Client, other} {
			wantProblem(t, c.Get("/me"), http.StatusUnauthorized, "token_revoked")
			wantProblem(t, refresh(env, c.Refresh), http.StatusUnauthorized, "token_revoked")
		}
		bystander.Get("/me").Status(http.StatusOK)
		wantProblem(t, login(env, rep.Email, apptest.Password), http.StatusUnauthorized, "invalid_credentials")
		env.Login(rep.Email, next).Get("/me").Status(http.StatusOK)
	})
}

func TestDisableEnableUser(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", "")
		bystander := env.User("rep", "")

		var u user
		env.Admin.Post("/users/"+rep.ID+"/disable", nil).Status(http.StatusOK).Decode(&u)
		if u.Active {
			t.Fatal("disabled user still active")
		}
		// Locked out on the very next request.
		if r := rep.Get("/me"); r.Code != http.StatusUnauthorized {
			t.Fatalf("disabled user's token: %d", r.Code)
		}
		if r := refresh(env, rep.Refresh); r.Code != http.StatusUnauthorized {
			t.Fatalf("disabled user's refresh: %d", r.Code)
		}
		wantProblem(t, login(env, rep.Email, apptest.Password), http.StatusUnauthorized, "user_disabled")
		bystander.Get("/me").Status(http.StatusOK)
		env.Admin.Post("/users/"+rep.ID+"/disable", nil).Status(http.StatusOK) // again: still disabled

		env.Admin.Post("/users/"+rep.ID+"/enable", nil).Status(http.StatusOK).Decode(&u)
		if !u.Active {
			t.Fatal("enabled user inactive")
		}
		// Old sessions stay ended; a new login works.
		wantProblem(t, rep.Get("/me"), http.StatusUnauthorized, "token_revoked")
		env.Login(rep.Email, apptest.Password).Get("/me").Status(http.StatusOK)

		// Admins only, never themselves.
		admin := env.Admin.Get("/me").Status(http.StatusOK).Map()["id"].(string)
		wantProblem(t, env.Admin.Post("/users/"+admin+"/disable", nil), http.StatusConflict, "invalid_transition")
		env.Admin.Get("/me").Status(http.StatusOK)
		wantProblem(t, bystander.Post("/users/"+rep.ID+"/disable", nil), http.StatusForbidden, "forbidden")
		wantProblem(t, bystander.Post("/users/"+rep.ID+"/enable", nil), http.StatusForbidden, "forbidden")
		env.Admin.Post("/users/00000000-0000-0000-0000-000000000000/disable", nil).Status(http.StatusNotFound).Problem()

		// A second admin may be disabled, and is locked out at once.
		other := env.User("admin", "")
		env.Admin.Post("/users/"+other.ID+"/disable", nil).Status(http.StatusOK)
		if r := other.Get("/users"); r.Code != http.StatusUnauthorized {
			t.Fatalf("disabled admin: %d", r.Code)
		}
	})
}

func TestResetPassword(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", "")
		other := env.Login(rep.Email, apptest.Password)
		const next = "Reset-Passw0rd-2"

		wantField(t, env.Admin.Post("/users/"+rep.ID+"/reset-password", map[string]any{"password": "12345678"}), "password")
		rep.Get("/me").Status(http.StatusOK)
		wantProblem(t, rep.Post("/users/"+rep.ID+"/reset-password", map[string]any{"password": next}), http.StatusForbidden, "forbidden")
		env.Admin.Post("/users/00000000-0000-0000-0000-000000000000/reset-password", map[string]any{"password": next}).
			Status(http.StatusNotFound).Problem()

		env.Admin.Post("/users/"+rep.ID+"/reset-password", map[string]any{"password": next}).Status(http.StatusNoContent)
		for _, c := range []*apptest.Client{rep.Client, other} {
			wantProblem(t, c.Get("/me"), http.StatusUnauthorized, "token_revoked")
			wantProblem(t, refresh(env, c.Refresh), http.StatusUnauthorized, "token_revoked")
		}
		wantProblem(t, login(env, rep.Email, apptest.Password), http.StatusUnauthorized, "invalid_credentials")
		env.Login(rep.Email, next).Get("/me").Status(http.StatusOK)
	})
}

// Role and team are read fresh on every request: a change applies to the
// user's next request with the token they already hold.
func TestRoleAndTeamChangesApplyAtOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("East", ""), env.Team("West", "")
		rep := env.User("rep", east)

		var m me
		rep.Get("/me").Status(http.StatusOK).Decode(&m)
		if m.Kind != "user" || m.Role != "rep" || m.Team == nil || m.Team.Name != "East" || slices.Contains(m.Permissions, "users:write") {
			t.Fatalf("before: %+v", m)
		}
		wantProblem(t, rep.Post("/teams", map[string]any{"name": "Mine"}), http.StatusForbidden, "forbidden")

		env.Admin.Patch("/users/"+rep.ID, map[string]any{"role": "manager", "team_id": west}).Status(http.StatusOK)
		m = me{}
		rep.Get("/me").Status(http.StatusOK).Decode(&m)
		if m.Role != "manager" || m.TeamID == nil || *m.TeamID != west || m.Team.Name != "West" {
			t.Fatalf("after: %+v", m)
		}

		env.Admin.Patch("/users/"+rep.ID, map[string]any{"role": "admin", "team_id": ""}).Status(http.StatusOK)
		m = me{} // team_id and team are left out when empty
		rep.Get("/me").Status(http.StatusOK).Decode(&m)
		if m.Role != "admin" || m.TeamID != nil || m.Team != nil || !slices.Contains(m.Permissions, "users:write") {
			t.Fatalf("promoted: %+v", m)
		}
		rep.Post("/teams", map[string]any{"name": "Mine"}).Status(http.StatusCreated)

		env.Admin.Patch("/users/"+rep.ID, map[string]any{"role": "rep"}).Status(http.StatusOK)
		wantProblem(t, rep.Post("/teams", map[string]any{"name": "Again"}), http.StatusForbidden, "forbidden")
	})
}
