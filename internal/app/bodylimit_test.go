package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/httpx"
)

// jsonOfSize is a JSON object of exactly n bytes.
func jsonOfSize(n int) string {
	const head, tail = `{"pad":"`, `"}`
	return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
}

// onlyReader hides the length of a body, so the client sends it chunked.
type onlyReader struct{ io.Reader }

// bindRoute is a test-only endpoint that binds its body like every handler.
func bindRoute(env *apptest.Env) {
	env.App.Echo.POST("/_test/bind", func(c echo.Context) error {
		var v map[string]any
		if err := httpx.Bind(c, &v); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]int{"fields": len(v)})
	})
}

func TestBodyLimit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		bindRoute(env)
		anon := env.Anonymous()

		// At the limit, and between 1 MB and 1 MiB, a body is accepted:
		// the limit is 1 MiB (API.md), not 1,000,000 bytes.
		for _, n := range []int{1_000_001, httpx.MaxJSONBody} {
			anon.Post("//_test/bind", jsonOfSize(n)).Status(http.StatusOK)
		}
		// One byte over, with Content-Length: 413 before the handler runs.
		r := anon.Req(http.MethodPost, "//_test/bind", jsonOfSize(httpx.MaxJSONBody+1)).
			Header("Accept-Language", "zh-CN").Send().Status(http.StatusRequestEntityTooLarge)
		p := r.Problem()
		if p.Code != "body_too_large" || p.RequestID == "" || p.RequestID != r.Header.Get("X-Request-Id") || !strings.Contains(p.Detail, "请求体") {
			t.Fatalf("413 problem %+v", p)
		}

		// A real, documented endpoint: 413 and 415 are problems too.
		if p := env.Admin.Post("/leads", jsonOfSize(httpx.MaxJSONBody+1)).Status(http.StatusRequestEntityTooLarge).Problem(); p.Code != "body_too_large" {
			t.Fatalf("POST /leads over the limit: %+v", p)
		}
		if p := env.Admin.Req(http.MethodPost, "/leads", `{"name":"x"}`).Header("Content-Type", "text/plain").Send().
			Status(http.StatusUnsupportedMediaType).Problem(); p.Code != "unsupported_media" {
			t.Fatalf("POST /leads as text/plain: %+v", p)
		}

		// Chunked bodies of unknown length, over a real connection.
		srv := httptest.NewServer(env.App.Echo)
		t.Cleanup(srv.Close)
		send := func(path, body string) (int, httpx.Problem) {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+path, onlyReader{strings.NewReader(body)})
			req.Header.Set("Content-Type", "application/json")
			if req.ContentLength != 0 {
				t.Fatal("the client knows the length; it would not send chunked")
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var p httpx.Problem
			if resp.StatusCode >= 400 {
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, httpx.ProblemContentType) {
					t.Fatalf("content type %q", ct)
				}
				_ = json.NewDecoder(resp.Body).Decode(&p)
			}
			return resp.StatusCode, p
		}
		if code, _ := send("/_test/bind", jsonOfSize(httpx.MaxJSONBody)); code != http.StatusOK {
			t.Fatalf("chunked body at the limit: %d", code)
		}
		if code, p := send("/_test/bind", jsonOfSize(2*httpx.MaxJSONBody)); code != http.StatusRequestEntityTooLarge || p.Code != "body_too_large" {
			t.Fatalf("chunked body over the limit: %d %+v", code, p)
		}
		// A real endpoint behaves the same (not validated against the
		// document here: it does not list 413 yet).
		if code, p := send("/api/v1/auth/login", jsonOfSize(2*httpx.MaxJSONBody)); code != http.StatusRequestEntityTooLarge || p.Code != "body_too_large" {
			t.Fatalf("chunked login body over the limit: %d %+v", code, p)
		}
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/teams", strings.NewReader(jsonOfSize(2*httpx.MaxJSONBody)))
		req.Header.Set("Authorization", "Bearer "+env.Admin.Token)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Fatalf("POST /teams with 2 MiB: %d", resp.StatusCode)
		}
	})
}

// The error paths of Bind, through the full middleware stack.
func TestBindOverHTTP(t *testing.T) {
	env := apptest.New(t, apptest.Embedded)
	bindRoute(env)
	anon := env.Anonymous()
	cases := []struct {
		body, ctype string
		status      int
		code        string
	}{
		{`{"a":1}`, "application/json; charset=utf-8", 200, ""},
		{`{"a":1}`, "application/merge-patch+json", 200, ""},
		{`{"a":1}`, "text/plain", 415, "unsupported_media"},
		{`{"a":`, "", 400, "malformed_json"},
		{`{"a":1} {"b":2}`, "", 400, "malformed_json"},
		{``, "", 400, "body_required"},
		{`null`, "", 400, "body_required"},
		{`[1]`, "", 400, "wrong_type"},
	}
	for _, c := range cases {
		req := anon.Req(http.MethodPost, "//_test/bind", c.body)
		if c.ctype != "" {
			req.Header("Content-Type", c.ctype)
		}
		r := req.Send().Status(c.status)
		if c.code != "" {
			if p := r.Problem(); p.Code != c.code {
				t.Fatalf("body %q: code %q, want %q", c.body, p.Code, c.code)
			}
		}
	}
}
