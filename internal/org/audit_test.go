package org_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

type auditRow struct {
	ActorType string         `json:"actor_type"`
	ActorID   string         `json:"actor_id"`
	Action    string         `json:"action"`
	Before    map[string]any `json:"before"`
	After     map[string]any `json:"after"`
	RequestID string         `json:"request_id"`
}

func auditOf(t *testing.T, env *apptest.Env, entityType, id string) (rows []auditRow, raw string) {
	t.Helper()
	var l struct{ Data []auditRow }
	r := env.Admin.Get("/audit-logs?limit=200&entity_type=" + entityType + "&entity_id=" + id).Status(http.StatusOK).Decode(&l)
	return l.Data, string(r.Body)
}

func actions(rows []auditRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Action)
	}
	slices.Sort(out)
	return out
}

// Every write to users and teams leaves an audit row, and neither the audit
// log nor the server log ever holds a password, a token or a hash.
func TestAuditTrail(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		admin := env.Admin.Get("/me").Status(http.StatusOK).Map()["id"].(string)
		team := env.Team("East", "")
		rep := env.User("rep", team) // create + login
		const reset, changed = "Reset-Passw0rd-31", "Changed-Passw0rd-47"

		env.Admin.Patch("/users/"+rep.ID, map[string]any{"name": "Renamed"}).Status(http.StatusOK)
		env.Admin.Post("/users/"+rep.ID+"/disable", nil).Status(http.StatusOK)
		env.Admin.Post("/users/"+rep.ID+"/enable", nil).Status(http.StatusOK)
		env.Admin.Post("/users/"+rep.ID+"/reset-password", map[string]any{"password": reset}).Status(http.StatusNoContent)
		c := env.Login(rep.Email, reset)
		c.Post("/me/password", map[string]any{"current_password": reset, "new_password": changed}).Status(http.StatusNoContent)
		c = env.Login(rep.Email, changed)
		c.Post("/auth/logout", nil).Status(http.StatusNoContent)

		rows, raw := auditOf(t, env, "user", rep.ID)
		want := []string{"change_password", "create", "disable", "enable", "login", "login", "login", "logout", "reset_password", "update"}
		if got := actions(rows); !slices.Equal(got, want) {
			t.Fatalf("user audit actions = %v, want %v", got, want)
		}
		for _, r := range rows {
			switch r.Action {
			case "create", "update", "disable", "enable", "reset_password":
				if r.ActorType != "user" || r.ActorID != admin || r.RequestID == "" {
					t.Errorf("%s row: actor %s/%s request %q", r.Action, r.ActorType, r.ActorID, r.RequestID)
				}
			case "login", "logout", "change_password":
				if r.ActorID != rep.ID {
					t.Errorf("%s row actor %s, want the user", r.Action, r.ActorID)
				}
			}
			if r.Action == "update" && (r.Before["name"] == "Renamed" || r.After["name"] != "Renamed") {
				t.Errorf("update before/after = %v / %v", r.Before, r.After)
			}
			if r.Action == "disable" && (r.Before["active"] != true || r.After["active"] != false) {
				t.Errorf("disable before/after = %v / %v", r.Before, r.After)
			}
		}

		env.Admin.Patch("/teams/"+team, map[string]any{"name": "East 2"}).Status(http.StatusOK)
		env.Admin.Patch("/users/"+rep.ID, map[string]any{"team_id": ""}).Status(http.StatusOK)
		env.Admin.Delete("/teams/" + team).Status(http.StatusNoContent)
		teamRows, teamRaw := auditOf(t, env, "team", team)
		if got := actions(teamRows); !slices.Equal(got, []string{"create", "delete", "update"}) {
			t.Fatalf("team audit actions = %v", got)
		}

		all := raw + teamRaw + string(env.Admin.Get("/audit-logs?limit=200").Status(http.StatusOK).Body)
		logs := env.Logs.String()
		secrets := []string{apptest.Password, apptest.AdminPassword, reset, changed, rep.Token, rep.Refresh, c.Token, c.Refresh,
			env.Admin.Token, env.Admin.Refresh, "$2a$", "password_hash"}
		for _, s := range secrets {
			if strings.Contains(all, s) {
				t.Errorf("the audit log holds %q", s)
			}
			if strings.Contains(logs, s) {
				t.Errorf("the server log holds %q", s)
			}
		}
		if !strings.Contains(logs, `"route":"/api/v1/auth/login"`) {
			t.Error("the log buffer missed requests; the check above proves nothing")
		}
	})
}
