package org_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestMain(m *testing.M) { apptest.Main(m) }

type user struct {
	ID     string  `json:"id"`
	Email  string  `json:"email"`
	Name   string  `json:"name"`
	Phone  string  `json:"phone"`
	Role   string  `json:"role"`
	TeamID *string `json:"team_id"`
	Active bool    `json:"active"`
}

type userList struct {
	Data       []user `json:"data"`
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"`
	Total      *int64 `json:"total"`
}

func wantProblem(t *testing.T, r *apptest.Response, status int, code string) apptest.Problem {
	t.Helper()
	p := r.Status(status).Problem()
	if p.Code != code {
		t.Fatalf("%d problem code = %q, want %q (detail %q)", status, p.Code, code, p.Detail)
	}
	return p
}

func wantField(t *testing.T, r *apptest.Response, field string) {
	t.Helper()
	p := wantProblem(t, r, http.StatusUnprocessableEntity, "validation_failed")
	if !p.HasField(field) {
		t.Fatalf("errors %+v, want field %s", p.Errors, field)
	}
}

func login(env *apptest.Env, email, password string) *apptest.Response {
	return env.Anonymous().Post("/auth/login", map[string]string{"email": email, "password": password})
}

func refresh(env *apptest.Env, token string) *apptest.Response {
	return env.Anonymous().Post("/auth/refresh", map[string]string{"refresh_token": token})
}

func TestCreateUser(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		const pw = "Sekrit-Passw0rd-77"
		var u user
		r := env.Admin.Post("/users", map[string]any{"email": "  Li.Lei@Example.COM ", "name": " 李雷 ", "phone": "+86 138 0000 0000",
			"password": pw, "role": "manager", "team_id": team}).Status(http.StatusCreated).Decode(&u)
		if u.Email != "li.lei@example.com" || u.Name != "李雷" || u.Role != "manager" || u.TeamID == nil || *u.TeamID != team || !u.Active {
			t.Fatalf("created = %+v", u)
		}
		if r.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag = %q", r.Header.Get("ETag"))
		}
		got := env.Admin.Get("/users/" + u.ID).Status(http.StatusOK)
		list := env.Admin.Get("/users?include_total=true").Status(http.StatusOK)
		for _, body := range [][]byte{r.Body, got.Body, list.Body} {
			if s := string(body); strings.Contains(s, pw) || strings.Contains(s, "password") || strings.Contains(s, "$2") {
				t.Fatalf("a response shows the password or its hash: %s", s)
			}
		}
		var hash string
		if err := env.App.DB.Gorm().Table("users").Where("id = ?", u.ID).Pluck("password_hash", &hash).Error; err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$2") || strings.Contains(hash, pw) {
			t.Fatalf("stored password %q is not a bcrypt hash", hash)
		}
		login(env, "LI.LEI@example.com", pw).Status(http.StatusOK)

		// Emails are unique whatever their case.
		wantField(t, env.Admin.Post("/users", map[string]any{"email": "LI.LEI@EXAMPLE.COM", "name": "Dup", "password": pw, "role": "rep"}), "email")

		base := func(edit func(map[string]any)) map[string]any {
			m := map[string]any{"email": "new@example.com", "name": "New", "password": pw, "role": "rep"}
			edit(m)
			return m
		}
		for field, body := range map[string]map[string]any{
			"email":    base(func(m map[string]any) { m["email"] = "not-an-email" }),
			"name":     base(func(m map[string]any) { delete(m, "name") }),
			"password": base(func(m map[string]any) { m["password"] = "short1" }),
			"role":     base(func(m map[string]any) { m["role"] = "boss" }),
			"team_id":  base(func(m map[string]any) { m["team_id"] = "00000000-0000-0000-0000-000000000000" }),
			"phone":    base(func(m map[string]any) { m["phone"] = "call me maybe" }),
		} {
			wantField(t, env.Admin.Post("/users", body), field)
		}
		for _, weak := range []string{"abcdefghij", "1234567890", strings.Repeat("Ab1", 25)} {
			wantField(t, env.Admin.Post("/users", base(func(m map[string]any) { m["password"] = weak })), "password")
		}
		env.Admin.Post("/users", `{"email":"x@example.com","role":1}`).Status(http.StatusBadRequest).Problem()

		// Only admins create users.
		for _, c := range []*apptest.User{env.User("manager", team), env.User("rep", team)} {
			wantProblem(t, c.Post("/users", base(func(map[string]any) {})), http.StatusForbidden, "forbidden")
		}
		env.Admin.Get("/users/00000000-0000-0000-0000-000000000000").Status(http.StatusNotFound).Problem()
	})
}

func TestListUsers(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("East", ""), env.Team("West", "")
		m := env.User("manager", east)
		r1, r2, r3 := env.User("rep", east), env.User("rep", east), env.User("rep", west)
		env.Admin.Post("/users/"+r2.ID+"/disable", nil).Status(http.StatusOK)

		ids := func(q string) []string {
			t.Helper()
			var l userList
			r3.Get("/users?" + q).Status(http.StatusOK).Decode(&l) // every role reads the directory
			var out []string
			for _, u := range l.Data {
				out = append(out, u.ID)
			}
			slices.Sort(out)
			return out
		}
		sorted := func(s ...string) []string { slices.Sort(s); return s }
		if got, want := ids("team_id="+east), sorted(m.ID, r1.ID, r2.ID); !slices.Equal(got, want) {
			t.Errorf("team_id: %v, want %v", got, want)
		}
		if got, want := ids("role=rep&team_id="+east+"&active=true"), sorted(r1.ID); !slices.Equal(got, want) {
			t.Errorf("role+team+active: %v, want %v", got, want)
		}
		if got, want := ids("active=false"), sorted(r2.ID); !slices.Equal(got, want) {
			t.Errorf("active=false: %v, want %v", got, want)
		}
		if got, want := ids("role=manager"), sorted(m.ID); !slices.Equal(got, want) {
			t.Errorf("role=manager: %v, want %v", got, want)
		}
		if got, want := ids("q="+url.QueryEscape(strings.ToUpper(r3.Email[:10]))), sorted(r3.ID); !slices.Equal(got, want) {
			t.Errorf("q: %v, want %v", got, want)
		}
		if got := ids("q=nobody-matches-this"); len(got) != 0 {
			t.Errorf("q without match: %v", got)
		}
		wantField(t, r3.Get("/users?role=boss"), "role")
		r3.Get("/users?active=maybe").Status(http.StatusBadRequest).Problem()
		r3.Get("/users?limit=x").Status(http.StatusBadRequest).Problem()

		// Pages cover everyone exactly once.
		var seen []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 10 {
				t.Fatal("pagination does not end")
			}
			var l userList
			env.Admin.Get("/users?limit=2&include_total=true&sort=-email&cursor=" + url.QueryEscape(cursor)).Status(http.StatusOK).Decode(&l)
			if len(l.Data) > 2 || l.Total == nil || *l.Total != 5 {
				t.Fatalf("page = %+v", l)
			}
			for _, u := range l.Data {
				seen = append(seen, u.Email)
			}
			if !l.HasMore {
				break
			}
			cursor = l.NextCursor
		}
		if len(seen) != 5 || !slices.IsSortedFunc(seen, func(a, b string) int { return strings.Compare(b, a) }) {
			t.Fatalf("paged emails = %v", seen)
		}
	})
}

func TestUpdateUser(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east := env.Team("East", "")
		rep := env.User("rep", east)
		path := "/users/" + rep.ID
		etag := env.Admin.Get(path).Status(http.StatusOK).Header.Get("ETag")

		var u user
		r := env.Admin.Req("PATCH", path, map[string]any{"name": " Renamed ", "phone": "+86 139 0000 0000"}).
			Header("If-Match", etag).Send().Status(http.StatusOK).Decode(&u)
		if u.Name != "Renamed" || u.Phone != "+86 139 0000 0000" || u.Role != "rep" || u.TeamID == nil || *u.TeamID != east {
			t.Fatalf("updated = %+v", u)
		}
		if r.Header.Get("ETag") == etag {
			t.Error("ETag unchanged by an update")
		}
		wantProblem(t, env.Admin.Req("PATCH", path, map[string]any{"name": "Lost"}).Header("If-Match", etag).Send(),
			http.StatusPreconditionFailed, "version_mismatch")
		env.Admin.Req("PATCH", path, map[string]any{"name": "X"}).Header("If-Match", "abc").Send().Status(http.StatusBadRequest).Problem()
		wantField(t, env.Admin.Patch(path, map[string]any{"role": "boss"}), "role")
		wantField(t, env.Admin.Patch(path, map[string]any{"name": " "}), "name")
		wantField(t, env.Admin.Patch(path, map[string]any{"team_id": "00000000-0000-0000-0000-000000000000"}), "team_id")
		env.Admin.Patch(path, map[string]any{"email": "new@example.com"}).Status(http.StatusBadRequest).Problem()
		env.Admin.Patch("/users/00000000-0000-0000-0000-000000000000", map[string]any{"name": "X"}).Status(http.StatusNotFound).Problem()
		wantProblem(t, rep.Patch(path, map[string]any{"name": "Me"}), http.StatusForbidden, "forbidden")

		// team_id "" takes the user out of the team.
		env.Admin.Patch(path, map[string]any{"team_id": ""}).Status(http.StatusOK).Decode(&u)
		if u.TeamID != nil {
			t.Fatalf("team_id = %v, want null", *u.TeamID)
		}
		// An admin cannot demote themselves (there must stay an admin).
		me := env.Admin.Get("/me").Status(http.StatusOK).Map()
		wantProblem(t, env.Admin.Patch("/users/"+me["id"].(string), map[string]any{"role": "rep"}), http.StatusConflict, "invalid_transition")
	})
}
