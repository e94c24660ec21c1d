package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

// auditIP is the IP recorded for the team's creation.
func auditIP(t *testing.T, env *apptest.Env, teamID string) string {
	t.Helper()
	var out struct {
		Data []struct {
			IP string `json:"ip"`
		} `json:"data"`
	}
	env.Admin.Get("/audit-logs?entity_type=team&entity_id=" + teamID).Status(http.StatusOK).Decode(&out)
	if len(out.Data) != 1 {
		t.Fatalf("%d audit rows for team %s", len(out.Data), teamID)
	}
	return out.Data[0].IP
}

// X-Forwarded-For is believed only from a proxy on a loopback or private
// address, and only when it holds IPs: a client cannot forge the IP in the
// audit log or its session, nor break writes with an over-long header.
func TestClientIP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		long := strings.Repeat("b", 300)

		// httptest requests come from 192.0.2.1, a public address: XFF ignored.
		env.Anonymous().Req(http.MethodPost, "/auth/login", map[string]string{"email": apptest.AdminEmail, "password": apptest.AdminPassword}).
			Header("X-Forwarded-For", long).Send().Status(http.StatusOK)
		for _, xff := range []string{long, "203.0.113.9", "203.0.113.9, 10.0.0.1"} {
			var team struct{ ID string }
			env.Admin.Req(http.MethodPost, "/teams", map[string]string{"name": "T"}).
				Header("X-Forwarded-For", xff).Header("X-Real-Ip", "198.51.100.1").Send().
				Status(http.StatusCreated).Decode(&team)
			if ip := auditIP(t, env, team.ID); ip != "192.0.2.1" {
				t.Fatalf("XFF %q from an untrusted peer recorded as %q", xff, ip)
			}
		}

		// Through a real listener the peer is 127.0.0.1, a local proxy:
		// its XFF names the client.
		srv := httptest.NewServer(env.App.Echo)
		t.Cleanup(srv.Close)
		for xff, want := range map[string]string{"203.0.113.9": "203.0.113.9", "198.51.100.7, 10.1.2.3": "198.51.100.7", long: "127.0.0.1"} {
			body, _ := json.Marshal(map[string]string{"name": "P"})
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/teams", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+env.Admin.Token)
			req.Header.Set("X-Forwarded-For", xff)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var team struct{ ID string }
			_ = json.NewDecoder(resp.Body).Decode(&team)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("XFF %q: status %d", xff, resp.StatusCode)
			}
			if ip := auditIP(t, env, team.ID); ip != want {
				t.Fatalf("XFF %q via a local proxy recorded as %q, want %q", xff, ip, want)
			}
		}
	})
}
