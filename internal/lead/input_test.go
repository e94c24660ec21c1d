package lead_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestBadInputCreate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		rep := env.User("rep", team)
		off := env.User("rep", team)
		env.Admin.Post("/users/"+off.ID+"/disable", nil).Status(http.StatusOK)

		huge := `{"name":"x","description":"` + strings.Repeat("长", 400_000) + `"}` // > 1 MiB
		cases := []struct {
			name   string
			body   any
			ctype  string
			status int
			code   string
			field  string
		}{
			{"malformed", `{"name": "x"`, "", 400, "malformed_json", ""},
			{"not an object", `["x"]`, "", 400, "wrong_type", ""},
			{"trailing data", `{"name":"x"} {"name":"y"}`, "", 400, "malformed_json", ""},
			{"wrong type", `{"name": 5}`, "", 400, "wrong_type", "name"},
			{"wrong type tags", `{"name": "x", "tags": "vip"}`, "", 400, "wrong_type", "tags"},
			{"wrong type owner", `{"name": "x", "owner_id": 7}`, "", 400, "wrong_type", "owner_id"},
			{"NUL", `{"name": "a\u0000b"}`, "", 400, "nul_character", ""},
			{"null body", `null`, "", 400, "body_required", ""},
			{"unknown field", `{"name": "x", "onwer_id": "y"}`, "", 400, "unknown_field", "onwer_id"},
			{"empty body", "", "", 400, "body_required", ""},
			{"blank body", "  \n", "", 400, "body_required", ""},
			{"text/plain", `{"name":"x"}`, "text/plain", 415, "unsupported_media", ""},
			{"form", `name=x`, "application/x-www-form-urlencoded", 415, "unsupported_media", ""},
			{"huge", huge, "", 413, "body_too_large", ""},
			{"missing name", map[string]any{"company": "x"}, "", 422, "validation_failed", "name"},
			{"blank name", map[string]any{"name": "   "}, "", 422, "validation_failed", "name"},
			{"long name", map[string]any{"name": strings.Repeat("名", 201)}, "", 422, "validation_failed", "name"},
			{"long company", map[string]any{"name": "x", "company": strings.Repeat("c", 201)}, "", 422, "validation_failed", "company"},
			{"bad email", map[string]any{"name": "x", "email": "not-an-email"}, "", 422, "validation_failed", "email"},
			{"display-name email", map[string]any{"name": "x", "email": "Li <li@x.example.com>"}, "", 422, "validation_failed", "email"},
			{"bad phone", map[string]any{"name": "x", "phone": "call me"}, "", 422, "validation_failed", "phone"},
			{"bad source", map[string]any{"name": "x", "source": "fax"}, "", 422, "validation_failed", "source"},
			{"bad status", map[string]any{"name": "x", "status": "hot"}, "", 422, "validation_failed", "status"},
			{"too many tags", map[string]any{"name": "x", "tags": manyTags(21)}, "", 422, "validation_failed", "tags"},
			{"blank tag", map[string]any{"name": "x", "tags": []string{"ok", " "}}, "", 422, "validation_failed", "tags"},
			{"disabled owner", map[string]any{"name": "x", "owner_id": off.ID}, "", 422, "validation_failed", "owner_id"},
		}
		for _, c := range cases {
			req := rep.Req(http.MethodPost, "/leads", c.body)
			if c.ctype != "" {
				req.Header("Content-Type", c.ctype)
			}
			res := req.Send()
			if res.Code != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, res.Code, c.status, res.Body)
				continue
			}
			problemField(t, res.Problem(), c.code, c.field)
		}
		// Several invalid fields are all reported at once.
		p := rep.Post("/leads", map[string]any{"email": "x", "phone": "y", "source": "z"}).
			Status(http.StatusUnprocessableEntity).Problem()
		for _, f := range []string{"name", "email", "phone", "source"} {
			if !p.HasField(f) {
				t.Errorf("multi-error misses %s: %+v", f, p.Errors)
			}
		}
		if total := *list(t, env.Admin, "include_total=true").Total; total != 0 {
			t.Fatalf("bad input created %d leads", total)
		}
	})
}

func TestBadInputUpdateAndIDs(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		l := create(t, rep.Client, map[string]any{"name": "钱进", "email": "qian@x.example.com"})
		path := "/leads/" + l.ID
		cases := []struct {
			body   any
			ctype  string
			status int
			field  string
		}{
			{`{"name": `, "", 400, ""},
			{`{"name": ["a"]}`, "", 400, "name"},
			{`{"owner_id": "x"}`, "", 400, "owner_id"}, // the owner changes through assign
			{`{"version": 3}`, "", 400, "version"},
			{"", "", 400, ""},
			{`{"name":"x"}`, "text/plain", 415, ""},
			{`{"description":"` + strings.Repeat("x", 1<<20) + `"}`, "", 413, ""},
			{map[string]any{"name": ""}, "", 422, "name"},
			{map[string]any{"name": nil, "email": "bad"}, "", 422, "email"},
			{map[string]any{"phone": "+"}, "", 422, "phone"},
			{map[string]any{"source": ""}, "", 422, "source"},
			{map[string]any{"status": ""}, "", 422, "status"},
			{map[string]any{"description": strings.Repeat("d", 10001)}, "", 422, "description"},
		}
		for _, c := range cases {
			req := rep.Req(http.MethodPatch, path, c.body)
			if c.ctype != "" {
				req.Header("Content-Type", c.ctype)
			}
			res := req.Send()
			if res.Code != c.status {
				t.Errorf("PATCH %v: status %d, want %d: %s", c.body, res.Code, c.status, res.Body)
				continue
			}
			if p := res.Problem(); c.field != "" && !p.HasField(c.field) {
				t.Errorf("PATCH %v: fields %+v, want %s", c.body, p.Errors, c.field)
			}
		}
		if g := get(t, rep.Client, l.ID); g.Version != 1 || g.Name != "钱进" || g.Email != "qian@x.example.com" {
			t.Fatalf("failed PATCHes changed the lead: %+v", g)
		}
		// Unknown and malformed ids are 404 on every route.
		for _, id := range []string{"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b", "not-a-uuid", "1", strings.Repeat("a", 300),
			"'%20OR%201=1--"} {
			p := "/leads/" + id
			rep.Get(p).Status(http.StatusNotFound).Problem()
			rep.Patch(p, map[string]any{"name": "x"}).Status(http.StatusNotFound).Problem()
			rep.Delete(p).Status(http.StatusNotFound).Problem()
			rep.Get(p + "/follow-ups").Status(http.StatusNotFound).Problem()
			rep.Post(p+"/follow-ups", map[string]any{"channel": "call", "content": "x"}).Status(http.StatusNotFound).Problem()
			env.Admin.Post(p+"/assign", map[string]any{"owner_id": rep.ID}).Status(http.StatusNotFound).Problem()
		}
		// Assign body errors.
		env.Admin.Post(path+"/assign", `{"owner_id": 1}`).Status(http.StatusBadRequest)
		env.Admin.Post(path+"/assign", `{}`).Status(http.StatusUnprocessableEntity)
		env.Admin.Post(path+"/assign", "").Status(http.StatusBadRequest)
		// No credentials at all.
		env.Anonymous().Get("/leads").Status(http.StatusUnauthorized).Problem()
		env.Anonymous().Post("/leads", map[string]any{"name": "x"}).Status(http.StatusUnauthorized)
	})
}

func manyTags(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "tag" + strings.Repeat("x", i)
	}
	return out
}
