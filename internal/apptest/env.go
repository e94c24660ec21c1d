package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencrm/crm/docs"
	"github.com/opencrm/crm/internal/app"
	"github.com/opencrm/crm/internal/migrations"
	"github.com/opencrm/crm/internal/platform/apidoc"
	"github.com/opencrm/crm/internal/platform/config"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/redisx"
	"github.com/opencrm/crm/internal/platform/secret"
)

// AdminEmail and AdminPassword are the first admin of every Env.
const (
	AdminEmail    = "admin@example.com"
	AdminPassword = "Admin-Passw0rd"
	// Password is what users made by Env.User log in with.
	Password = "Rep-Passw0rd-1"
)

// Env is one isolated server: its own database and Redis namespace.
type Env struct {
	T       testing.TB
	Backend Backend
	App     *app.App
	Admin   *Client
	// Logs holds everything the server logged, for tests that check what
	// is (not) written there.
	Logs *bytes.Buffer
}

// Option adjusts the configuration before the app is built.
type Option func(*config.Config)

// New builds an Env on backend with a logged-in admin.
func New(t testing.TB, b Backend, opts ...Option) *Env {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.JWTSecret = secret.Token(32)
	cfg.BcryptCost = 4 // the minimum: hashing speed is not under test
	// Workers pick up due tasks within 200 ms, so tests that wait for one
	// (imports, reminders) do not idle a second each time.
	cfg.QueuePollInterval = 200 * time.Millisecond
	cfg.AdminEmail, cfg.AdminPassword = AdminEmail, AdminPassword
	cfg.RedisPrefix = "crmtest:" + strings.ToLower(secret.Token(9)) + ":"
	for _, o := range opts {
		o(&cfg)
	}

	var (
		d   *db.DB
		err error
	)
	// An option may point the server at its own Redis (a private
	// redis-server a test restarts); otherwise the backend's.
	redisAddr := cfg.RedisURL
	switch b {
	case Embedded:
		d, err = db.Open(ctx, "", cfg.DataDir, db.Options{MaxOpenConns: 4})
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		if err := d.Migrate(ctx, migrations.All()); err != nil {
			t.Fatalf("migrate sqlite: %v", err)
		}
		t.Cleanup(func() { _ = d.Close() })
	case Services:
		d = newPostgres(t)
		if redisAddr == "" {
			redisAddr = redisURL()
		}
	}
	cfg.DatabaseURL, cfg.RedisURL = "", redisAddr // informational; the handles are built here
	r, err := redisx.Open(ctx, redisAddr, cfg.RedisPrefix)
	if err != nil {
		t.Fatalf("open redis: %v", err)
	}
	t.Cleanup(func() {
		_ = r.DeletePrefix(context.Background())
		_ = r.Close()
	})

	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.Build(cfg, log, d, r)
	if err != nil {
		t.Fatalf("build app: %v", err)
	}
	if err := a.Bootstrap(ctx, io.Discard); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	// asynq keys live outside the prefix ("asynq:{<queue>}:…"): drop them too.
	t.Cleanup(func() { _ = a.Queue.Purge(context.Background()) })
	e := &Env{T: t, Backend: b, App: a, Logs: logs}
	e.Admin = e.Login(AdminEmail, AdminPassword)
	return e
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Anonymous is a client without credentials.
func (e *Env) Anonymous() *Client { return &Client{env: e} }

// Login logs in and returns a client holding the tokens.
func (e *Env) Login(email, password string) *Client {
	e.T.Helper()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	e.Anonymous().Post("/auth/login", map[string]string{"email": email, "password": password}).
		Status(http.StatusOK).Decode(&tok)
	return &Client{env: e, Token: tok.AccessToken, Refresh: tok.RefreshToken}
}

// WithAPIKey is a client sending X-API-Key.
func (e *Env) WithAPIKey(key string) *Client { return &Client{env: e, APIKey: key} }

// Team creates a team under parent ("" for a root) and returns its id.
func (e *Env) Team(name, parent string) string {
	e.T.Helper()
	body := map[string]any{"name": name}
	if parent != "" {
		body["parent_id"] = parent
	}
	var out struct{ ID string }
	e.Admin.Post("/teams", body).Status(http.StatusCreated).Decode(&out)
	return out.ID
}

// User is a test user and a logged-in client for them.
type User struct {
	ID     string
	Email  string
	TeamID string
	*Client
}

var userSeq struct {
	sync.Mutex
	n int
}

// User creates a user with role in team ("" for none) and logs them in.
func (e *Env) User(role, team string) *User {
	e.T.Helper()
	userSeq.Lock()
	userSeq.n++
	n := userSeq.n
	userSeq.Unlock()
	email := role + strings.ToLower(secret.Token(4)) + "-" + itoa(n) + "@example.com"
	body := map[string]any{"email": email, "name": role + " " + itoa(n), "password": Password, "role": role}
	if team != "" {
		body["team_id"] = team
	}
	var out struct{ ID string }
	e.Admin.Post("/users", body).Status(http.StatusCreated).Decode(&out)
	return &User{ID: out.ID, Email: email, TeamID: team, Client: e.Login(email, Password)}
}

func itoa(n int) string { return strconv.Itoa(n) }

// ---- client ----

// Client sends requests through the real router, like an HTTP client.
type Client struct {
	env     *Env
	Token   string
	Refresh string
	APIKey  string
	Lang    string
}

// Request is a request being built.
type Request struct {
	c      *Client
	method string
	path   string
	body   io.Reader
	header http.Header
	// allow500 marks a test that provokes a 500 on purpose.
	allow500 bool
}

// Req starts a request to an /api/v1 path (or an absolute one starting
// with "//", e.g. "//healthz"). body may be nil, a string/[]byte sent raw,
// or any value sent as JSON.
func (c *Client) Req(method, path string, body any) *Request {
	r := &Request{c: c, method: method, path: path, header: http.Header{}}
	switch v := body.(type) {
	case nil:
	case string:
		r.body = strings.NewReader(v)
		r.header.Set("Content-Type", "application/json")
	case []byte:
		r.body = bytes.NewReader(v)
		r.header.Set("Content-Type", "application/json")
	default:
		b, err := json.Marshal(v)
		if err != nil {
			c.env.T.Fatalf("marshal body: %v", err)
		}
		r.body = bytes.NewReader(b)
		r.header.Set("Content-Type", "application/json")
	}
	return r
}

// Expect500 lets this request end in a 500 (tests of the panic handler);
// any other 500 fails the test, whatever status it asserts.
func (r *Request) Expect500() *Request { r.allow500 = true; return r }

// Header sets a request header.
func (r *Request) Header(k, v string) *Request { r.header.Set(k, v); return r }

// Get, Post, Patch, Delete are shorthands that send at once.
func (c *Client) Get(path string) *Response { return c.Req(http.MethodGet, path, nil).Send() }
func (c *Client) Post(path string, body any) *Response {
	return c.Req(http.MethodPost, path, body).Send()
}
func (c *Client) Patch(path string, body any) *Response {
	return c.Req(http.MethodPatch, path, body).Send()
}
func (c *Client) Delete(path string) *Response { return c.Req(http.MethodDelete, path, nil).Send() }

// Send runs the request and checks the response against the OpenAPI
// document: every status, content type and body the suite sees must be
// documented.
func (r *Request) Send() *Response {
	t := r.c.env.T
	t.Helper()
	target := "/api/v1" + r.path
	if strings.HasPrefix(r.path, "//") {
		target = r.path[1:]
	}
	req := httptest.NewRequest(r.method, target, r.body)
	for k, v := range r.header {
		req.Header[k] = v
	}
	if r.c.Token != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+r.c.Token)
	}
	if r.c.APIKey != "" {
		req.Header.Set("X-API-Key", r.c.APIKey)
	}
	if r.c.Lang != "" {
		req.Header.Set("Accept-Language", r.c.Lang)
	}
	rec := httptest.NewRecorder()
	r.c.env.App.Echo.ServeHTTP(rec, req)
	resp := &Response{t: t, Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes(), method: r.method, path: target}
	if rec.Code == http.StatusInternalServerError && !r.allow500 {
		t.Errorf("%s %s: 500 on client input is a bug\nbody: %s", r.method, target, truncate(resp.Body))
	}
	if err := validator().Check(req, rec.Code, rec.Header(), resp.Body); err != nil {
		t.Errorf("response breaks the OpenAPI document: %v\nbody: %s", err, truncate(resp.Body))
	}
	return resp
}

var (
	validatorOnce sync.Once
	theValidator  *apidoc.Validator
)

func validator() *apidoc.Validator {
	validatorOnce.Do(func() {
		v, err := apidoc.NewValidator(docs.OpenAPI)
		if err != nil {
			panic("apptest: load docs/openapi.json: " + err.Error())
		}
		theValidator = v
	})
	return theValidator
}

// Response is what came back.
type Response struct {
	t      testing.TB
	Code   int
	Header http.Header
	Body   []byte
	method string
	path   string
}

// Status fails the test unless the status is one of want.
func (r *Response) Status(want ...int) *Response {
	r.t.Helper()
	for _, w := range want {
		if r.Code == w {
			return r
		}
	}
	r.t.Fatalf("%s %s: status %d, want %v\nbody: %s", r.method, r.path, r.Code, want, truncate(r.Body))
	return r
}

// Decode unmarshals the JSON body into v.
func (r *Response) Decode(v any) *Response {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("%s %s: decode %T: %v\nbody: %s", r.method, r.path, v, err, truncate(r.Body))
	}
	return r
}

// Map decodes the body as a JSON object.
func (r *Response) Map() map[string]any {
	r.t.Helper()
	var m map[string]any
	r.Decode(&m)
	return m
}

// Problem decodes a problem+json body and checks its content type.
func (r *Response) Problem() Problem {
	r.t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		r.t.Fatalf("%s %s: content type %q, want application/problem+json", r.method, r.path, ct)
	}
	var p Problem
	r.Decode(&p)
	return p
}

// Problem is the error body.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Detail    string `json:"detail"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
	Matches []map[string]any `json:"matches"`
}

// HasField reports whether the problem names field.
func (p Problem) HasField(field string) bool {
	for _, e := range p.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// Eventually polls cond until it holds or the timeout passes.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool) bool {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return cond()
}
