// Package bench_test measures the request paths every later module leans
// on: login, the token check on each call, and the lead writes and scoped
// lists. Requests go through the real router and middleware in process
// (no TCP), on each backend the test harness offers: the embedded default
// (SQLite + in-process Redis) and, when reachable, PostgreSQL + Redis.
//
//	make bench    # go test -run '^$' -bench . -benchmem ./internal/bench/...
//
// Unlike the apptest client, the timed loops skip the OpenAPI response
// check, which would otherwise dominate the figures.
package bench_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// each runs fn as one sub-benchmark per backend, on a fresh Env. With
// b.Loop the function runs once, so the setup in fn is not repeated.
func each(b *testing.B, fn func(b *testing.B, env *apptest.Env)) {
	for _, be := range apptest.Backends(b) {
		b.Run(string(be), func(b *testing.B) {
			b.ReportAllocs()
			fn(b, apptest.New(b, be))
		})
	}
}

// caller sends raw requests to the app's router with a bearer token.
type caller struct {
	h     http.Handler
	token string
}

func as(env *apptest.Env, token string) caller { return caller{h: env.App.Echo, token: token} }

// do sends one request to /api/v1+path and fails unless the status is want.
func (c caller) do(b *testing.B, method, path string, body []byte, want int) []byte {
	req := httptest.NewRequest(method, "/api/v1"+path, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: status %d, want %d: %s", method, path, rec.Code, want, rec.Body.String())
	}
	return rec.Body.Bytes()
}

// BenchmarkLogin is slow by design: it verifies a bcrypt hash. The harness
// hashes at cost 4 (the minimum), so a production cost of 12 adds roughly
// 2^8 times the hashing work on top of these figures. Each op also writes
// a session (database row + Redis key), last_login_at and an audit row.
func BenchmarkLogin(b *testing.B) {
	each(b, func(b *testing.B, env *apptest.Env) {
		team := env.Team("Bench", "")
		rep := env.User("rep", team)
		body, _ := json.Marshal(map[string]string{"email": rep.Email, "password": apptest.Password})
		anon := as(env, "")
		for b.Loop() {
			anon.do(b, http.MethodPost, "/auth/login", body, http.StatusOK)
		}
	})
}

// BenchmarkAuthenticatedGetMe is the price every authenticated call pays:
// JWT signature and expiry, the session key in Redis, the user loaded
// fresh from the database, then GET /me renders the caller.
func BenchmarkAuthenticatedGetMe(b *testing.B) {
	each(b, func(b *testing.B, env *apptest.Env) {
		team := env.Team("Bench", "")
		rep := as(env, env.User("rep", team).Token)
		for b.Loop() {
			rep.do(b, http.MethodGet, "/me", nil, http.StatusOK)
		}
	})
}

// leadBody is a create request with unique contact details, so that no
// duplicate check ever refuses it.
func leadBody(n int) []byte {
	b, _ := json.Marshal(map[string]any{
		"name":    fmt.Sprintf("Bench Lead %d", n),
		"company": fmt.Sprintf("Bench Company %d Ltd", n),
		"title":   "Purchasing manager",
		"phone":   fmt.Sprintf("+86 139 %04d %04d", n/10000%10000, n%10000),
		"email":   fmt.Sprintf("lead%d@bench.example.com", n),
		"source":  "exhibition",
		"region":  "江苏",
	})
	return b
}

// BenchmarkLeadCreate is POST /leads as a rep (owner defaults to the
// caller): validation, insert and audit row in one transaction.
func BenchmarkLeadCreate(b *testing.B) {
	each(b, func(b *testing.B, env *apptest.Env) {
		team := env.Team("Bench", "")
		rep := as(env, env.User("rep", team).Token)
		n := 0
		for b.Loop() {
			n++
			rep.do(b, http.MethodPost, "/leads", leadBody(n), http.StatusCreated)
		}
	})
}

// BenchmarkLeadList is GET /leads?limit=20&include_total=true as a manager
// whose team scope covers 800 of 1,000 seeded leads: the data-scope
// filter, the first page in default order and the count.
func BenchmarkLeadList(b *testing.B) {
	each(b, func(b *testing.B, env *apptest.Env) {
		east := env.Team("East", "")
		west := env.Team("West", "")
		manager := as(env, env.User("manager", east).Token)
		owners := []struct {
			c     caller
			count int
		}{
			{as(env, env.User("rep", east).Token), 400},
			{as(env, env.User("rep", east).Token), 400},
			{as(env, env.User("rep", west).Token), 200}, // outside the manager's scope
		}
		n := 0
		for _, o := range owners {
			for range o.count {
				n++
				o.c.do(b, http.MethodPost, "/leads", leadBody(n), http.StatusCreated)
			}
		}
		const path = "/leads?limit=20&include_total=true"
		var page struct {
			Data  []json.RawMessage `json:"data"`
			Total int               `json:"total"`
		}
		if err := json.Unmarshal(manager.do(b, http.MethodGet, path, nil, http.StatusOK), &page); err != nil {
			b.Fatal(err)
		}
		if len(page.Data) != 20 || page.Total != 800 {
			b.Fatalf("manager sees %d rows, total %d; want 20 of 800", len(page.Data), page.Total)
		}
		for b.Loop() {
			manager.do(b, http.MethodGet, path, nil, http.StatusOK)
		}
	})
}
