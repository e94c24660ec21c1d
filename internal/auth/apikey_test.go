package auth_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

type createdKey struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Prefix    string   `json:"prefix"`
	Scopes    []string `json:"scopes"`
	CreatedBy string   `json:"created_by"`
	RevokedAt *string  `json:"revoked_at"`
	Key       string   `json:"key"`
}

func newKey(t *testing.T, env *apptest.Env, scopes ...string) createdKey {
	t.Helper()
	var k createdKey
	env.Admin.Post("/api-keys", map[string]any{"name": "bridge", "scopes": scopes}).
		Status(http.StatusCreated).Decode(&k)
	return k
}

var keyFormat = regexp.MustCompile(`^crm_([0-9a-f]{8})_[A-Za-z0-9_-]{43}$`)

func TestAPIKeyCreate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		me := env.Admin.Get("/me").Status(http.StatusOK).Map()

		var k createdKey
		r := env.Admin.Post("/api-keys", map[string]any{"name": " Form bridge ", "scopes": []string{"users:read", "teams:read", "users:read"}}).
			Status(http.StatusCreated).Decode(&k)
		m := keyFormat.FindStringSubmatch(k.Key)
		if m == nil || m[1] != k.Prefix {
			t.Fatalf("key %q (prefix %q) has the wrong format", k.Key, k.Prefix)
		}
		if k.Name != "Form bridge" || !slices.Equal(k.Scopes, []string{"teams:read", "users:read"}) || k.CreatedBy != me["id"] {
			t.Fatalf("created key = %+v", k)
		}
		if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("ETag") == "" {
			t.Errorf("headers = %v", r.Header)
		}

		// The key is shown once: never in a read or a list.
		secretPart := k.Key[len("crm_")+9:]
		for _, body := range [][]byte{
			env.Admin.Get("/api-keys/" + k.ID).Status(http.StatusOK).Body,
			env.Admin.Get("/api-keys").Status(http.StatusOK).Body,
		} {
			if strings.Contains(string(body), secretPart) || strings.Contains(string(body), `"key"`) {
				t.Fatalf("key shown again: %s", body)
			}
		}
		// Only its SHA-256 is stored.
		row := map[string]any{}
		if err := env.App.DB.Gorm().Table("api_keys").Where("id = ?", k.ID).Take(&row).Error; err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(k.Key))
		if row["key_hash"] != hex.EncodeToString(sum[:]) {
			t.Errorf("key_hash = %v, want the SHA-256 of the key", row["key_hash"])
		}
		for col, v := range row {
			if s := fmt.Sprint(v); strings.Contains(s, secretPart) {
				t.Errorf("column %s holds the plain key", col)
			}
		}
		env.Admin.Get("/api-keys/00000000-0000-0000-0000-000000000000").Status(http.StatusNotFound).Problem()

		// Admins only.
		team := env.Team("East", "")
		for _, u := range []*apptest.User{env.User("manager", team), env.User("rep", team)} {
			wantProblem(t, u.Post("/api-keys", map[string]any{"name": "x", "scopes": []string{"teams:read"}}), http.StatusForbidden, "forbidden")
			wantProblem(t, u.Get("/api-keys"), http.StatusForbidden, "forbidden")
			wantProblem(t, u.Get("/api-keys/"+k.ID), http.StatusForbidden, "forbidden")
			wantProblem(t, u.Delete("/api-keys/"+k.ID), http.StatusForbidden, "forbidden")
		}
	})
}

func TestAPIKeyValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		cases := map[string]struct {
			body  any
			field string
		}{
			"unknown scope":     {map[string]any{"name": "k", "scopes": []string{"teams:read", "nope:read"}}, "scopes"},
			"empty scopes":      {map[string]any{"name": "k", "scopes": []string{}}, "scopes"},
			"absent scopes":     {map[string]any{"name": "k"}, "scopes"},
			"mints keys":        {map[string]any{"name": "k", "scopes": []string{"api_keys:write"}}, "scopes"},
			"reads keys":        {map[string]any{"name": "k", "scopes": []string{"api_keys:read"}}, "scopes"},
			"makes users":       {map[string]any{"name": "k", "scopes": []string{"users:write"}}, "scopes"},
			"permission, scope": {map[string]any{"name": "k", "scopes": []string{"leads:assign"}}, "scopes"},
			"no name":           {map[string]any{"name": "  ", "scopes": []string{"teams:read"}}, "name"},
			"long name":         {map[string]any{"name": strings.Repeat("n", 101), "scopes": []string{"teams:read"}}, "name"},
		}
		for name, c := range cases {
			p := wantProblem(t, env.Admin.Post("/api-keys", c.body), http.StatusUnprocessableEntity, "validation_failed")
			if !p.HasField(c.field) {
				t.Errorf("%s: errors %+v, want field %s", name, p.Errors, c.field)
			}
		}
		env.Admin.Post("/api-keys", `{"name":"k","scopes":"teams:read"}`).Status(http.StatusBadRequest).Problem()
		env.Admin.Get("/api-keys").Status(http.StatusOK)
	})
}

// A key holds only its scopes' permissions: <resource>:read for reads and
// <resource>:write for every other action on the resource.
func TestAPIKeyScopes(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", "")
		userBody := map[string]any{"email": "k@example.com", "name": "K", "password": apptest.Password, "role": "rep"}

		users := env.WithAPIKey(newKey(t, env, "users:read").Key)
		users.Get("/users").Status(http.StatusOK)
		users.Get("/users/" + rep.ID).Status(http.StatusOK)
		wantProblem(t, users.Post("/users", userBody), http.StatusForbidden, "forbidden")
		wantProblem(t, users.Post("/users/"+rep.ID+"/reset-password", map[string]any{"password": "Other-Passw0rd"}), http.StatusForbidden, "forbidden")
		wantProblem(t, users.Get("/teams"), http.StatusForbidden, "forbidden")
		wantProblem(t, users.Get("/audit-logs"), http.StatusForbidden, "forbidden")
		// Keys never manage keys or their own password.
		wantProblem(t, users.Get("/api-keys"), http.StatusForbidden, "forbidden")
		wantProblem(t, users.Post("/api-keys", map[string]any{"name": "x", "scopes": []string{"users:read"}}), http.StatusForbidden, "forbidden")
		wantProblem(t, users.Post("/me/password", map[string]any{"current_password": "x", "new_password": "Other-Passw0rd"}), http.StatusForbidden, "forbidden")

		teamsKey := newKey(t, env, "teams:read", "teams:write")
		teams := env.WithAPIKey(teamsKey.Key)
		var team struct{ ID string }
		teams.Post("/teams", map[string]any{"name": "From key"}).Status(http.StatusCreated).Decode(&team)
		teams.Get("/teams/" + team.ID).Status(http.StatusOK)
		wantProblem(t, teams.Get("/users"), http.StatusForbidden, "forbidden")

		var me struct {
			Kind        string   `json:"kind"`
			ID          string   `json:"id"`
			Name        string   `json:"name"`
			Scopes      []string `json:"scopes"`
			Permissions []string `json:"permissions"`
			Role        string   `json:"role"`
		}
		teams.Get("/me").Status(http.StatusOK).Decode(&me)
		if me.Kind != "api_key" || me.ID != teamsKey.ID || me.Name != "bridge" || me.Role != "" ||
			!slices.Equal(me.Scopes, []string{"teams:read", "teams:write"}) ||
			!slices.Equal(me.Permissions, []string{"teams:read", "teams:write"}) {
			t.Fatalf("key /me = %+v", me)
		}
		// The audit log names the key as the actor.
		var logs struct {
			Data []struct {
				ActorType string `json:"actor_type"`
				ActorID   string `json:"actor_id"`
				Action    string `json:"action"`
			} `json:"data"`
		}
		env.Admin.Get("/audit-logs?entity_type=team&entity_id=" + team.ID).Status(http.StatusOK).Decode(&logs)
		if len(logs.Data) != 1 || logs.Data[0].ActorType != "api_key" || logs.Data[0].ActorID != teamsKey.ID {
			t.Fatalf("audit = %+v", logs.Data)
		}
		// Use is recorded.
		var got struct {
			LastUsedAt *string `json:"last_used_at"`
		}
		env.Admin.Get("/api-keys/" + teamsKey.ID).Status(http.StatusOK).Decode(&got)
		if got.LastUsedAt == nil {
			t.Error("last_used_at not set after use")
		}
	})
}

func TestAPIKeyRevoke(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		k := newKey(t, env, "teams:read")
		keep := newKey(t, env, "teams:read")
		c := env.WithAPIKey(k.Key)
		c.Get("/teams").Status(http.StatusOK)

		env.Admin.Delete("/api-keys/" + k.ID).Status(http.StatusNoContent)
		wantProblem(t, c.Get("/teams"), http.StatusUnauthorized, "invalid_api_key")
		wantProblem(t, c.Get("/me"), http.StatusUnauthorized, "invalid_api_key")
		env.WithAPIKey(keep.Key).Get("/teams").Status(http.StatusOK)

		var got createdKey
		env.Admin.Get("/api-keys/" + k.ID).Status(http.StatusOK).Decode(&got)
		if got.RevokedAt == nil {
			t.Error("revoked_at not set")
		}
		env.Admin.Delete("/api-keys/" + k.ID).Status(http.StatusNoContent) // already revoked: no-op
		env.Admin.Delete("/api-keys/00000000-0000-0000-0000-000000000000").Status(http.StatusNotFound).Problem()

		var logs struct {
			Data []struct {
				Action string         `json:"action"`
				After  map[string]any `json:"after"`
			} `json:"data"`
		}
		env.Admin.Get("/audit-logs?entity_type=api_key&entity_id=" + k.ID).Status(http.StatusOK).Decode(&logs)
		var actions []string
		for _, l := range logs.Data {
			actions = append(actions, l.Action)
		}
		slices.Sort(actions)
		if !slices.Equal(actions, []string{"create", "revoke"}) {
			t.Fatalf("audit actions = %v, want create and revoke once each", actions)
		}
		body := env.Admin.Get("/audit-logs?entity_type=api_key").Status(http.StatusOK).Body
		for _, key := range []string{k.Key, keep.Key} {
			if strings.Contains(string(body), key[len("crm_")+9:]) {
				t.Fatal("an audit row holds an API key")
			}
			if strings.Contains(env.Logs.String(), key[len("crm_")+9:]) {
				t.Fatal("the log holds an API key")
			}
		}
	})
}

func TestAPIKeyBadFormats(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		k := newKey(t, env, "teams:read")
		tampered := []byte(k.Key)
		tampered[len(tampered)-1] ^= 1
		for _, bad := range []string{
			"x", "crm_", "crm__", "crm_12345678", "crm_1234567_abc", "crm_123456789_abc",
			"crm_" + k.Prefix + "_", "crm_" + k.Prefix + "_wrong", string(tampered), k.Key + "x",
			"CRM_" + k.Key[4:], " " + k.Key,
		} {
			r := env.WithAPIKey(bad).Get("/teams")
			if r.Code != http.StatusUnauthorized || r.Problem().Code != "invalid_api_key" {
				t.Errorf("key %q: status %d, want 401 invalid_api_key", bad, r.Code)
			}
		}
		// A key wins over a bearer token sent beside it: a bad key is not
		// rescued by a good token.
		c := env.WithAPIKey("crm_00000000_nope")
		c.Token = env.Admin.Token
		wantProblem(t, c.Get("/teams"), http.StatusUnauthorized, "invalid_api_key")
	})
}
