package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/i18n"
)

func TestUnknownRouteAndMethod(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		anon := env.Anonymous()
		// Unknown paths are 404 with or without credentials: the auth
		// middleware must not turn them into 401.
		for _, c := range []*apptest.Client{anon, env.Admin} {
			for _, path := range []string{"/nope", "/users/x/y/z", "", "/"} {
				p := c.Get(path).Status(http.StatusNotFound).Problem()
				if p.Code != "route_not_found" || p.Status != 404 || p.RequestID == "" {
					t.Fatalf("GET %q: %+v", path, p)
				}
			}
		}
		if p := anon.Get("//nope").Status(http.StatusNotFound).Problem(); p.Code != "route_not_found" {
			t.Fatalf("outside /api/v1: %+v", p)
		}
		// A known path with the wrong method is 405 with Allow.
		for _, c := range []*apptest.Client{anon, env.Admin} {
			r := c.Req(http.MethodDelete, "/me", nil).Send().Status(http.StatusMethodNotAllowed)
			if p := r.Problem(); p.Code != "method_not_allowed" {
				t.Fatalf("DELETE /me: %+v", p)
			}
			if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") || strings.Contains(allow, "DELETE") {
				t.Fatalf("Allow = %q", allow)
			}
		}
		r := env.Admin.Req(http.MethodPut, "/users/some-id", map[string]any{}).Send().Status(http.StatusMethodNotAllowed)
		if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") {
			t.Fatalf("Allow = %q", allow)
		}
		if p := anon.Req(http.MethodPut, "//healthz", nil).Send().Status(http.StatusMethodNotAllowed).Problem(); p.Code != "method_not_allowed" {
			t.Fatalf("PUT /healthz: %+v", p)
		}
		// Without CORS, OPTIONS answers with the allowed methods, not 401.
		r = anon.Req(http.MethodOptions, "/me", nil).Send().Status(http.StatusNoContent)
		if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") {
			t.Fatalf("OPTIONS Allow = %q", allow)
		}
		// Real routes still require credentials.
		if p := anon.Get("/me").Status(http.StatusUnauthorized).Problem(); p.Code != "missing_credentials" {
			t.Fatalf("GET /me anonymous: %+v", p)
		}
	})
}

func TestPanicBecomesOpaque500(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		env.App.Echo.GET("/_test/panic", func(c echo.Context) error {
			panic("secret-panic-text: password=hunter2")
		})
		r := env.Anonymous().Req(http.MethodGet, "//_test/panic", nil).Header("X-Request-Id", "boom-trace-0001").Expect500().Send().
			Status(http.StatusInternalServerError)
		p := r.Problem()
		if p.Code != "internal_error" || p.Status != 500 || p.RequestID != "boom-trace-0001" {
			t.Fatalf("problem %+v", p)
		}
		body := string(r.Body)
		for _, leak := range []string{"secret-panic-text", "hunter2", "goroutine", ".go:", "panic"} {
			if strings.Contains(body, leak) {
				t.Fatalf("500 body leaks %q: %s", leak, body)
			}
		}
		logs := env.Logs.String()
		if !strings.Contains(logs, "secret-panic-text") || !strings.Contains(logs, "goroutine") ||
			!strings.Contains(logs, "boom-trace-0001") {
			t.Fatalf("the log lacks the panic, its stack or the request id:\n%s", logs)
		}
		// The server keeps serving.
		env.Admin.Get("/me").Status(http.StatusOK)
	})
}

func TestRequestID(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		anon := env.Anonymous()

		r1 := anon.Get("/me").Status(http.StatusUnauthorized)
		r2 := anon.Get("/me").Status(http.StatusUnauthorized)
		id1, id2 := r1.Header.Get("X-Request-Id"), r2.Header.Get("X-Request-Id")
		if len(id1) < 16 || id1 == id2 {
			t.Fatalf("generated ids %q, %q: want distinct, unguessable ids", id1, id2)
		}
		if p := r1.Problem(); p.RequestID != id1 {
			t.Fatalf("problem request_id %q, header %q", p.RequestID, id1)
		}

		const mine = "client-Trace_01.abc-XYZ"
		r := anon.Req(http.MethodGet, "/me", nil).Header("X-Request-Id", mine).Send().Status(http.StatusUnauthorized)
		if got := r.Header.Get("X-Request-Id"); got != mine {
			t.Fatalf("valid id not echoed: %q", got)
		}
		if p := r.Problem(); p.RequestID != mine {
			t.Fatalf("problem request_id %q, want %q", p.RequestID, mine)
		}
		if !strings.Contains(env.Logs.String(), `"request_id":"`+mine+`"`) {
			t.Fatal("the access log lacks the client's request id")
		}

		for _, bad := range []string{"has spaces in it", strings.Repeat("a", 500), "short", "quote\"inject", "new\nline-0000", "ünïcödé-000"} {
			r := anon.Req(http.MethodGet, "/me", nil).Header("X-Request-Id", bad).Send().Status(http.StatusUnauthorized)
			got := r.Header.Get("X-Request-Id")
			if got == bad || got == "" || len(got) > 64 || strings.ContainsAny(got, " \"\n") {
				t.Fatalf("invalid id %q came back as %q", bad, got)
			}
			if p := r.Problem(); p.RequestID != got {
				t.Fatalf("problem request_id %q, header %q", p.RequestID, got)
			}
		}
		// Successful responses carry it too.
		if env.Admin.Get("/me").Status(http.StatusOK).Header.Get("X-Request-Id") == "" {
			t.Fatal("200 without X-Request-Id")
		}
	})
}

func TestAcceptLanguage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		const missing = "/users/01900000-0000-7000-8000-000000000000"
		want := map[string]i18n.Lang{"zh-CN,zh;q=0.9": i18n.ZhCN, "en-US": i18n.EN, "fr": i18n.EN, "": i18n.EN}
		for header, lang := range want {
			c := *env.Admin
			c.Lang = header
			p := c.Get(missing).Status(http.StatusNotFound).Problem()
			if p.Code != "not_found" || p.Detail != i18n.T(lang, "not_found", "user") {
				t.Fatalf("Accept-Language %q: detail %q", header, p.Detail)
			}
			// Field messages follow it too.
			v := c.Post("/teams", map[string]any{"name": ""}).Status(http.StatusUnprocessableEntity).Problem()
			if !v.HasField("name") || v.Errors[0].Message != i18n.T(lang, "required") || v.Detail != i18n.T(lang, "validation_failed") {
				t.Fatalf("Accept-Language %q: %+v", header, v)
			}
		}
		zh := *env.Admin
		zh.Lang = "zh-CN"
		if d := zh.Get(missing).Status(http.StatusNotFound).Problem().Detail; !strings.Contains(d, "用户") {
			t.Fatalf("zh detail %q", d)
		}
	})
}

// NUL and invalid UTF-8 cannot be stored or compared by PostgreSQL; they
// must be a 4xx on both backends, never a 500.
func TestNULAndInvalidUTF8(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		for _, path := range []string{"/users/%00", "/users/a%00b", "/users/%ff", "/teams/%c3%28"} {
			env.Admin.Get(path).Status(http.StatusNotFound).Problem()
		}
		for _, path := range []string{"/users?q=%00", "/users?q=a%ffb", "/teams?%00=1", "/audit-logs?entity_type=%00"} {
			p := env.Admin.Get(path).Status(http.StatusBadRequest).Problem()
			if p.Code != "bad_query" || len(p.Errors) != 1 {
				t.Fatalf("%s: %+v", path, p)
			}
		}
		p := env.Admin.Post("/teams", `{"name":"a\u0000b"}`).Status(http.StatusBadRequest).Problem()
		if p.Code != "nul_character" {
			t.Fatalf("NUL in body: %+v", p)
		}
		// An escaped backslash followed by u0000 is ordinary text.
		var team struct{ Name string }
		env.Admin.Post("/teams", `{"name":"a\\u0000b"}`).Status(http.StatusCreated).Decode(&team)
		if team.Name != `a\u0000b` {
			t.Fatalf("name %q", team.Name)
		}
	})
}
