package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/config"
)

const spaOrigin = "https://app.example.com"

func withCORS(c *config.Config) { c.CORSOrigins = []string{spaOrigin} }

func preflight(c *apptest.Client, origin string) *apptest.Response {
	return c.Req(http.MethodOptions, "/users/some-id", nil).
		Header("Origin", origin).
		Header("Access-Control-Request-Method", http.MethodPatch).
		Header("Access-Control-Request-Headers", "authorization, content-type, if-match").
		Send()
}

func hasToken(list, want string) bool {
	for _, p := range strings.Split(list, ",") {
		if strings.EqualFold(strings.TrimSpace(p), want) {
			return true
		}
	}
	return false
}

func TestCORSAllowList(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, withCORS)
		anon := env.Anonymous()

		r := preflight(anon, spaOrigin).Status(http.StatusNoContent)
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != spaOrigin {
			t.Fatalf("Allow-Origin = %q", got)
		}
		for _, h := range []string{"Authorization", "If-Match", "Content-Type", "X-API-Key", "Accept-Language"} {
			if !hasToken(r.Header.Get("Access-Control-Allow-Headers"), h) {
				t.Fatalf("Allow-Headers %q lacks %s", r.Header.Get("Access-Control-Allow-Headers"), h)
			}
		}
		if !hasToken(r.Header.Get("Access-Control-Allow-Methods"), "PATCH") {
			t.Fatalf("Allow-Methods = %q", r.Header.Get("Access-Control-Allow-Methods"))
		}
		if !hasToken(strings.Join(r.Header.Values("Vary"), ","), "Origin") {
			t.Fatalf("Vary = %q", r.Header.Values("Vary"))
		}

		// The actual request: the SPA can read the ETag and request id.
		c := *env.Admin
		resp := c.Req(http.MethodGet, "/me", nil).Header("Origin", spaOrigin).Send().Status(http.StatusOK)
		if resp.Header.Get("Access-Control-Allow-Origin") != spaOrigin {
			t.Fatal("GET from the allowed origin lacks Allow-Origin")
		}
		for _, h := range []string{"ETag", "X-Request-Id"} {
			if !hasToken(resp.Header.Get("Access-Control-Expose-Headers"), h) {
				t.Fatalf("Expose-Headers %q lacks %s", resp.Header.Get("Access-Control-Expose-Headers"), h)
			}
		}
		// Errors too, or the SPA could not read the problem.
		er := anon.Req(http.MethodGet, "/me", nil).Header("Origin", spaOrigin).Send().Status(http.StatusUnauthorized)
		if er.Header.Get("Access-Control-Allow-Origin") != spaOrigin {
			t.Fatal("401 from the allowed origin lacks Allow-Origin")
		}

		// Another origin gets nothing it could use.
		for _, other := range []string{"https://evil.example.com", "https://app.example.com.evil.com", "http://app.example.com", "null"} {
			r := preflight(anon, other)
			if got := r.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Fatalf("preflight from %s: Allow-Origin %q", other, got)
			}
			g := anon.Req(http.MethodGet, "/me", nil).Header("Origin", other).Send()
			if got := g.Header.Get("Access-Control-Allow-Origin"); got != "" {
				t.Fatalf("GET from %s: Allow-Origin %q", other, got)
			}
		}
	})
}

func TestNoCORSWithoutConfig(t *testing.T) {
	env := apptest.New(t, apptest.Embedded)
	r := preflight(env.Anonymous(), spaOrigin)
	g := env.Admin.Req(http.MethodGet, "/me", nil).Header("Origin", spaOrigin).Send().Status(http.StatusOK)
	for _, resp := range []*apptest.Response{r, g} {
		for k := range resp.Header {
			if strings.HasPrefix(strings.ToLower(k), "access-control-") {
				t.Fatalf("CORS header %s without configured origins", k)
			}
		}
	}
}
