package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/opencrm/crm/internal/app"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/migrations"
	"github.com/opencrm/crm/internal/platform/config"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/redisx"
)

type readiness struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func TestHealthAndReady(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		anon := env.Anonymous()
		if m := anon.Get("//healthz").Status(http.StatusOK).Map(); m["status"] != "ok" {
			t.Fatalf("healthz %v", m)
		}
		var r readiness
		anon.Get("//readyz").Status(http.StatusOK).Decode(&r)
		if r.Status != "ok" || r.Checks["database"] != "ok" || r.Checks["redis"] != "ok" {
			t.Fatalf("readyz %+v", r)
		}
	})
}

// buildApp wires a server on its own SQLite file and the given Redis.
func buildApp(t *testing.T, redisURL string) *app.App {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.RedisURL = redisURL
	d, err := db.Open(ctx, "", cfg.DataDir, db.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(ctx, migrations.All()); err != nil {
		t.Fatal(err)
	}
	r, err := redisx.Open(ctx, redisURL, "crmtest:ready:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	a, err := app.Build(cfg, slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)), d, r)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func getReady(t *testing.T, a *app.App) (int, readiness) {
	t.Helper()
	rec := httptest.NewRecorder()
	a.Echo.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	var r readiness
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("readyz body %q: %v", rec.Body, err)
	}
	return rec.Code, r
}

func TestReadyzWhenRedisIsDown(t *testing.T) {
	rs := apptest.StartPrivateRedis(t)
	a := buildApp(t, rs.URL)
	if code, r := getReady(t, a); code != http.StatusOK || r.Checks["redis"] != "ok" {
		t.Fatalf("before: %d %+v", code, r)
	}
	rs.Stop()
	code, r := getReady(t, a)
	if code != http.StatusServiceUnavailable || r.Status != "unavailable" ||
		r.Checks["redis"] != "unavailable" || r.Checks["database"] != "ok" {
		t.Fatalf("redis down: %d %+v", code, r)
	}
	// Liveness does not depend on Redis.
	rec := httptest.NewRecorder()
	a.Echo.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("healthz with redis down: %d", rec.Code)
	}
}

func TestReadyzWhenDatabaseIsDown(t *testing.T) {
	m := miniredis.RunT(t)
	a := buildApp(t, "redis://"+m.Addr())
	_ = a.DB.Close()
	code, r := getReady(t, a)
	if code != http.StatusServiceUnavailable || r.Checks["database"] != "unavailable" || r.Checks["redis"] != "ok" {
		t.Fatalf("database down: %d %+v", code, r)
	}
}

func TestMetrics(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("Metrics", "")
		rep := env.User("rep", team)
		env.Admin.Get("/me").Status(http.StatusOK)
		env.Admin.Get("/users/" + rep.ID).Status(http.StatusOK)
		env.Admin.Get("/users/01900000-0000-7000-8000-00000000beef").Status(http.StatusNotFound)
		env.Anonymous().Get("/no-such-route-4711").Status(http.StatusNotFound)
		env.Anonymous().Get("//no-such-root-4712").Status(http.StatusNotFound)

		body := string(env.Anonymous().Get("//metrics").Status(http.StatusOK).Body)
		want := []string{
			`crm_http_requests_total{method="GET",route="/api/v1/me",status="200"} 1`,
			`crm_http_requests_total{method="GET",route="/api/v1/users/:id",status="200"} 1`,
			`crm_http_requests_total{method="GET",route="/api/v1/users/:id",status="404"} 1`,
			`crm_http_requests_total{method="POST",route="/api/v1/teams",status="201"} 1`,
			`crm_http_request_duration_seconds_bucket{method="GET",route="/api/v1/me",status="200",le="+Inf"} 1`,
			`crm_http_request_duration_seconds_count{method="GET",route="/api/v1/users/:id",status="200"} 1`,
			`go_sql_max_open_connections{db_name=`,
			`go_sql_open_connections{db_name=`,
			`go_sql_wait_count_total{db_name=`,
			`go_goroutines `,
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("metrics lack %s", w)
			}
		}
		// Concrete ids and unknown paths never become label values: the
		// series count must not grow with traffic.
		for _, leak := range []string{rep.ID, "00000000beef", "no-such-route-4711", "no-such-root-4712"} {
			if strings.Contains(body, leak) {
				t.Errorf("metrics contain %q", leak)
			}
		}
		if t.Failed() {
			t.Logf("metrics:\n%s", grepLines(body, "crm_http_requests_total", "go_sql_"))
		}
	})
}

func grepLines(s string, subs ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, sub := range subs {
			if strings.Contains(l, sub) && !strings.HasPrefix(l, "#") {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
