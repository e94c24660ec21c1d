package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/config"
)

// TestRevocationReachesOtherServers: a second server that has just served
// a token from its session cache stops accepting it when the first server
// logs the session out or disables the user, through the auth events in
// Redis, long before the cache's TTL (10 s here, the largest allowed, so
// only the events can explain the refusal).
func TestRevocationReachesOtherServers(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, func(c *config.Config) { c.SessionCacheTTL = 10 * time.Second })
		team := env.Team("华东", "")
		rep, other := env.User("rep", team), env.User("rep", team)
		second := env.SecondServer()
		get := func(token string) int {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			rec := httptest.NewRecorder()
			second.Echo.ServeHTTP(rec, req)
			return rec.Code
		}
		// refused waits for the second server to refuse token, well inside
		// the TTL, after at least one request that it served.
		refused := func(label, token string) {
			t.Helper()
			start := time.Now()
			for get(token) != http.StatusUnauthorized {
				if time.Since(start) > 5*time.Second {
					t.Fatalf("%s: the second server still accepts the token after %s", label, time.Since(start))
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		for range 3 { // cached on the second server now
			if code := get(rep.Token); code != http.StatusOK {
				t.Fatalf("second server: %d", code)
			}
			if code := get(other.Token); code != http.StatusOK {
				t.Fatalf("second server: %d", code)
			}
		}
		rep.Client.Post("/auth/logout", nil).Status(http.StatusNoContent, http.StatusOK)
		refused("logout", rep.Token)
		env.Admin.Post("/users/"+other.ID+"/disable", nil).Status(http.StatusOK, http.StatusNoContent)
		refused("disable", other.Token)
	})
}
