package app_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/opencrm/crm/internal/app"
	"github.com/opencrm/crm/internal/migrations"
	"github.com/opencrm/crm/internal/platform/config"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/db/dbtest"
)

func quietLog() *slog.Logger { return slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)) }

func openApp(t *testing.T, cfg config.Config) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), cfg, quietLog())
	if err != nil {
		t.Fatalf("app.Open: %v", err)
	}
	return a
}

func call(a *app.App, method, path, token string, body any) (int, map[string]any) {
	var r *http.Request
	if body != nil {
		b, _ := json.Marshal(body)
		r = httptest.NewRequest(method, path, bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	a.Echo.ServeHTTP(rec, r)
	var m map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &m)
	return rec.Code, m
}

func migrated(t *testing.T, d *db.DB) {
	t.Helper()
	var n int64
	if err := d.Gorm().Table("schema_migrations").Count(&n).Error; err != nil || n != int64(len(migrations.All())) {
		t.Fatalf("schema_migrations: %d rows, %v", n, err)
	}
}

// The embedded default: nothing configured but a data dir. Open migrates,
// starts the in-process Redis, the first start prints the generated admin
// password once, and a restart on the same data dir keeps the users and
// the signing key (tokens stay valid).
func TestOpenEmbeddedDefaults(t *testing.T) {
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.BcryptCost = 4

	a := openApp(t, cfg)
	if a.DB.Dialect() != db.SQLite || !a.Redis.Embedded() {
		t.Fatalf("dialect %s, embedded redis %v", a.DB.Dialect(), a.Redis.Embedded())
	}
	migrated(t, a.DB)
	var out bytes.Buffer
	if err := a.Bootstrap(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	i := strings.Index(text, "password: ")
	if i < 0 || !strings.Contains(text, "admin@example.com") {
		t.Fatalf("first start did not print how to log in:\n%s", text)
	}
	password := strings.Fields(text[i+len("password: "):])[0]
	code, tok := call(a, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": "admin@example.com", "password": password})
	if code != http.StatusOK {
		t.Fatalf("login with the printed password: %d %v", code, tok)
	}
	access, _ := tok["access_token"].(string)
	a.Close()

	b := openApp(t, cfg)
	defer b.Close()
	migrated(t, b.DB)
	out.Reset()
	if err := b.Bootstrap(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Fatalf("second start printed again:\n%s", out.String())
	}
	// Users and the signing key persist; sessions lived in the in-process
	// Redis (config.yaml says so), so the admin logs in again.
	code, tok = call(b, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": "admin@example.com", "password": password})
	if code != http.StatusOK {
		t.Fatalf("login after restart: %d %v", code, tok)
	}
	fresh, _ := tok["access_token"].(string)
	if code, me := call(b, http.MethodGet, "/api/v1/me", fresh, nil); code != http.StatusOK || me["email"] != "admin@example.com" {
		t.Fatalf("me after restart: %d %v", code, me)
	}
	if code, p := call(b, http.MethodGet, "/api/v1/me", access, nil); code != http.StatusUnauthorized || p["code"] == "invalid_token" {
		t.Fatalf("pre-restart token: %d %v (a changed signing key would say invalid_token)", code, p)
	}
}

func randomPrefix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "crmtest:open" + hex.EncodeToString(b[:]) + ":"
}

// Production mode: PostgreSQL and Redis from URLs, two servers starting at
// once on a fresh database.
func TestOpenServicesTwoAtOnce(t *testing.T) {
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.BcryptCost = 4
	cfg.DatabaseURL = dbtest.PostgresURL(t)
	cfg.RedisURL = dbtest.RedisURL(t)
	cfg.RedisPrefix = randomPrefix()
	cfg.JWTSecret = strings.Repeat("k", 32)
	cfg.AdminEmail, cfg.AdminPassword = "boss@example.com", "Boss-Passw0rd"

	apps := make([]*app.App, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range apps {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			apps[i], errs[i] = app.Open(context.Background(), cfg, quietLog())
		}(i)
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
	}
	t.Cleanup(func() {
		_ = apps[0].Redis.DeletePrefix(context.Background())
		for _, a := range apps {
			a.Close()
		}
	})
	a := apps[0]
	if a.DB.Dialect() != db.Postgres || a.Redis.Embedded() {
		t.Fatalf("dialect %s, embedded redis %v", a.DB.Dialect(), a.Redis.Embedded())
	}
	migrated(t, a.DB)
	// Both bootstrap at once too; exactly one admin results.
	var bw sync.WaitGroup
	for _, x := range apps {
		bw.Add(1)
		go func(x *app.App) { defer bw.Done(); _ = x.Bootstrap(context.Background(), &bytes.Buffer{}) }(x)
	}
	bw.Wait()
	var users int64
	a.DB.Gorm().Table("users").Count(&users)
	if users != 1 {
		t.Fatalf("%d users after two bootstraps, want 1", users)
	}
	// A session made on one server is honoured by the other: same DB,
	// same Redis, same key.
	code, tok := call(apps[0], http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": cfg.AdminEmail, "password": cfg.AdminPassword})
	if code != http.StatusOK {
		t.Fatalf("login: %d %v", code, tok)
	}
	access, _ := tok["access_token"].(string)
	if code, _ := call(apps[1], http.MethodGet, "/api/v1/me", access, nil); code != http.StatusOK {
		t.Fatalf("token on the other server: %d", code)
	}
	if code, _ := call(apps[1], http.MethodPost, "/api/v1/auth/logout", access, nil); code != http.StatusNoContent {
		t.Fatalf("logout on the other server: %d", code)
	}
	if code, _ := call(apps[0], http.MethodGet, "/api/v1/me", access, nil); code != http.StatusUnauthorized {
		t.Fatalf("revoked token still accepted by the first server: %d", code)
	}
}
