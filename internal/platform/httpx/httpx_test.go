package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/i18n"
)

func render(t *testing.T, err error, lang string, method string) (*httptest.ResponseRecorder, Problem, string) {
	t.Helper()
	e := echo.New()
	logs := &bytes.Buffer{}
	req := httptest.NewRequest(method, "/x", nil)
	req.Header.Set("Accept-Language", lang)
	rec := httptest.NewRecorder()
	c := e.NewContext(req, rec)
	c.Set(requestIDKey, "rid-12345678")
	ErrorHandler(slog.New(slog.NewJSONHandler(logs, nil)))(err, c)
	var p Problem
	if method != http.MethodHead {
		if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
			t.Fatalf("body %q: %v", rec.Body, err)
		}
	}
	return rec, p, logs.String()
}

func TestErrorHandlerStatuses(t *testing.T) {
	rl := apperr.New(apperr.ErrRateLimited, "rate_limited", "rate_limited")
	rl.RetryAfter = 30
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{apperr.Invalid(apperr.FieldError{Field: "email", Message: "invalid_email"}), 422, "validation_failed"},
		{apperr.BadRequest("malformed_json", "malformed_json"), 400, "malformed_json"},
		{apperr.Unauthenticated("token_expired"), 401, "token_expired"},
		{apperr.Forbidden("leads:write"), 403, "forbidden"},
		{apperr.NotFound("lead"), 404, "not_found"},
		{apperr.Conflict("invalid_transition", "invalid_transition"), 409, "invalid_transition"},
		{apperr.VersionMismatch(), 412, "version_mismatch"},
		{apperr.TooLarge(), 413, "body_too_large"},
		{apperr.Unsupported(), 415, "unsupported_media"},
		{rl, 429, "rate_limited"},
		{fmt.Errorf("wrapped: %w", apperr.NotFound("user")), 404, "not_found"},
		{echo.ErrNotFound, 404, "route_not_found"},
		{echo.ErrMethodNotAllowed, 405, "method_not_allowed"},
		{echo.ErrStatusRequestEntityTooLarge, 413, "body_too_large"},
		{echo.ErrUnsupportedMediaType, 415, "unsupported_media"},
		{echo.ErrBadRequest, 400, "bad_request"},
		{echo.ErrTooManyRequests, 429, "too_many_requests"},
		{echo.ErrForbidden, 403, "forbidden"},
		{echo.NewHTTPError(http.StatusTeapot), 418, "i'm_a_teapot"},
		{errors.New("pq: relation \"leads\" does not exist"), 500, "internal_error"},
		{echo.ErrInternalServerError, 500, "internal_error"},
		{&apperr.Error{Kind: errors.New("odd"), Code: "odd"}, 500, "odd"},
	}
	for _, c := range cases {
		rec, p, _ := render(t, c.err, "en", http.MethodGet)
		if rec.Code != c.status || p.Status != c.status || p.Code != c.code {
			t.Errorf("%v: %d %+v, want %d %s", c.err, rec.Code, p, c.status, c.code)
		}
		if ct := rec.Header().Get("Content-Type"); ct != ProblemContentType {
			t.Errorf("%v: content type %q", c.err, ct)
		}
		if p.RequestID != "rid-12345678" || p.Type != "urn:crm:problem:"+p.Code || p.Title != http.StatusText(c.status) {
			t.Errorf("%v: %+v", c.err, p)
		}
	}
	rec, _, _ := render(t, rl, "en", http.MethodGet)
	if rec.Header().Get("Retry-After") != "30" {
		t.Fatalf("Retry-After = %q", rec.Header().Get("Retry-After"))
	}
	rec, _, _ = render(t, apperr.Unauthenticated("missing_credentials"), "en", http.MethodGet)
	if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
		t.Fatal("401 without WWW-Authenticate")
	}
}

func TestErrorHandlerHidesInternals(t *testing.T) {
	secret := errors.New(`pq: duplicate key value violates "users_pkey" at /src/secret.go:42`)
	rec, p, logs := render(t, secret, "en", http.MethodGet)
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "users_pkey") || strings.Contains(rec.Body.String(), ".go") {
		t.Fatalf("500 body leaks: %s", rec.Body)
	}
	if p.Detail != i18n.T(i18n.EN, "internal_error") {
		t.Fatalf("detail %q", p.Detail)
	}
	if !strings.Contains(logs, "users_pkey") || !strings.Contains(logs, "rid-12345678") {
		t.Fatalf("the log lacks the cause: %s", logs)
	}
}

func TestErrorHandlerLanguages(t *testing.T) {
	err := apperr.Invalid(apperr.FieldError{Field: "name", Message: "too_long", Params: []any{100}})
	_, en, _ := render(t, err, "en-US", http.MethodGet)
	_, zh, _ := render(t, err, "zh-CN,zh;q=0.9", http.MethodGet)
	if en.Detail != "Some fields are invalid." || en.Errors[0].Message != "must be at most 100 characters" {
		t.Fatalf("en %+v", en)
	}
	if zh.Detail != "部分字段无效。" || zh.Errors[0].Message != "不能超过 100 个字符" || zh.Errors[0].Field != "name" {
		t.Fatalf("zh %+v", zh)
	}
	// The same error value rendered again in English is still English.
	nf := apperr.NotFound("lead")
	_, _, _ = render(t, nf, "zh-CN", http.MethodGet)
	if _, p, _ := render(t, nf, "en", http.MethodGet); p.Detail != "The lead does not exist or is not visible to you." {
		t.Fatalf("re-rendered detail %q", p.Detail)
	}
}

func TestErrorHandlerHeadAndCommitted(t *testing.T) {
	rec, _, _ := render(t, apperr.NotFound("lead"), "en", http.MethodHead)
	if rec.Code != 404 || rec.Body.Len() != 0 {
		t.Fatalf("HEAD: %d %q", rec.Code, rec.Body)
	}
	e := echo.New()
	rec = httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
	_ = c.String(http.StatusOK, "partial")
	ErrorHandler(slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)))(errors.New("late"), c)
	if rec.Code != 200 || rec.Body.String() != "partial" {
		t.Fatalf("a committed response was rewritten: %d %q", rec.Code, rec.Body)
	}
}

func TestErrorHandlerMatches(t *testing.T) {
	err := apperr.Conflict("duplicate", "duplicate")
	err.Extra = map[string]any{"matches": []map[string]any{{"id": "l1", "name": "Acme"}}}
	_, p, _ := render(t, err, "en", http.MethodGet)
	if len(p.Matches) != 1 || p.Matches[0]["id"] != "l1" {
		t.Fatalf("matches %+v", p.Matches)
	}
}

func serve(e *echo.Echo, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestRequestIDMiddleware(t *testing.T) {
	e := echo.New()
	e.Use(RequestIDMiddleware())
	e.GET("/", func(c echo.Context) error { return c.String(200, RequestID(c)) })
	for in, keep := range map[string]bool{
		"": false, "abc": false, "has space in it": false, strings.Repeat("a", 65): false, "semi;colon-1234": false,
		"abcdefgh": true, strings.Repeat("a", 64): true, "01JD2Q8Z6S9V7W3X4Y5Z6A7B8C": true, "a.b_c-d.e_f": true,
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if in != "" {
			req.Header.Set("X-Request-Id", in)
		}
		rec := serve(e, req)
		got := rec.Header().Get("X-Request-Id")
		if got != rec.Body.String() || got == "" {
			t.Fatalf("%q: header %q, context %q", in, got, rec.Body)
		}
		if keep != (got == in) {
			t.Fatalf("%q -> %q (keep=%v)", in, got, keep)
		}
	}
}

func TestRecoverAndAccessLog(t *testing.T) {
	e := echo.New()
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	e.HTTPErrorHandler = ErrorHandler(log)
	e.Use(RequestIDMiddleware(), AccessLog(log), Recover(log))
	e.GET("/boom/:id", func(c echo.Context) error { panic("kaboom-secret") })
	req := httptest.NewRequest(http.MethodGet, "/boom/42?token=hush", nil)
	req.Header.Set("Authorization", "Bearer very-secret-token")
	rec := serve(e, req)
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "kaboom") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	l := logs.String()
	if !strings.Contains(l, "kaboom-secret") || !strings.Contains(l, `"route":"/boom/:id"`) || !strings.Contains(l, `"status":500`) {
		t.Fatalf("log: %s", l)
	}
	for _, leak := range []string{"very-secret-token", "hush"} {
		if strings.Contains(l, leak) {
			t.Fatalf("the access log contains %q: %s", leak, l)
		}
	}
}

func TestSafeInput(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)))
	e.Use(SafeInput())
	e.GET("/items/:id", func(c echo.Context) error { return c.String(200, c.Param("id")+c.QueryParam("q")) })
	for target, want := range map[string]int{
		"/items/abc":             200,
		"/items/%E7%BA%BF":       200,
		"/items/abc?q=%E7%BA%BF": 200,
		"/items/%00":             404,
		"/items/a%ffb":           404,
		"/items/abc?q=%00":       400,
		"/items/abc?q=%C3%28":    400,
		"/items/abc?%00=1":       400,
	} {
		if rec := serve(e, httptest.NewRequest(http.MethodGet, target, nil)); rec.Code != want {
			t.Errorf("%s: %d, want %d (%s)", target, rec.Code, want, rec.Body)
		}
	}
}

func TestMatchedOnly(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = ErrorHandler(slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil)))
	deny := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return apperr.Unauthenticated("missing_credentials") }
	}
	api := e.Group("/api/v1")
	api.POST("/login", func(c echo.Context) error { return c.NoContent(204) })
	g := api.Group("", MatchedOnly(e, "/api/v1", deny))
	g.GET("/things/:id", func(c echo.Context) error { return c.NoContent(200) })
	g.PATCH("/things/:id", func(c echo.Context) error { return c.NoContent(200) })
	cases := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/api/v1/things/1", 401, ""},
		{"GET", "/api/v1/nothing", 404, ""},
		{"GET", "/api/v1", 404, ""},
		{"GET", "/api/v1/other/things/1", 404, ""},
		{"DELETE", "/api/v1/things/1", 405, "GET, PATCH, OPTIONS"},
		{"OPTIONS", "/api/v1/things/1", 204, "GET, PATCH, OPTIONS"},
		{"POST", "/api/v1/login", 204, ""},
		{"GET", "/api/v1/login", 405, "POST, OPTIONS"},
	}
	for _, c := range cases {
		rec := serve(e, httptest.NewRequest(c.method, c.path, nil))
		if rec.Code != c.status || rec.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow=%q, want %d %q", c.method, c.path, rec.Code, rec.Header().Get("Allow"), c.status, c.allow)
		}
	}
}

func TestIfMatch(t *testing.T) {
	for h, want := range map[string]string{"": "nil", "*": "nil", `"3"`: "3", `W/"3"`: "3", "3": "3", ` "12" `: "12"} {
		c := echo.New().NewContext(httptest.NewRequest(http.MethodPatch, "/", nil), httptest.NewRecorder())
		c.Request().Header.Set("If-Match", h)
		v, err := IfMatch(c)
		got := "nil"
		if v != nil {
			got = fmt.Sprint(*v)
		}
		if err != nil || got != want {
			t.Errorf("If-Match %q: %s %v", h, got, err)
		}
	}
	for _, h := range []string{`"abc"`, `"0"`, `"-1"`, `"1.5"`, `"99999999999999999999999"`} {
		c := echo.New().NewContext(httptest.NewRequest(http.MethodPatch, "/", nil), httptest.NewRecorder())
		c.Request().Header.Set("If-Match", h)
		if _, err := IfMatch(c); !errors.Is(err, apperr.ErrBadRequest) {
			t.Errorf("If-Match %q: %v", h, err)
		}
	}
	c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
	SetETag(c, 7)
	if c.Response().Header().Get("ETag") != `"7"` {
		t.Fatal("ETag")
	}
}

func queryCtx(q string) echo.Context {
	return echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/?"+q, nil), httptest.NewRecorder())
}

func TestQueryHelpers(t *testing.T) {
	at, err := QueryTime(queryCtx("t=2026-11-22T08:00:00%2B08:00"), "t", false)
	if err != nil || !at.Equal(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)) || at.Location() != time.UTC {
		t.Fatalf("QueryTime RFC 3339: %v %v", at, err)
	}
	d, _ := QueryTime(queryCtx("t=2026-11-22"), "t", false)
	e, _ := QueryTime(queryCtx("t=2026-11-22"), "t", true)
	if !d.Equal(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)) || !e.Equal(time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("dates %v %v", d, e)
	}
	if v, err := QueryTime(queryCtx(""), "t", false); v != nil || err != nil {
		t.Fatal("absent time")
	}
	if _, err := QueryTime(queryCtx("t=yesterday"), "t", false); !errors.Is(err, apperr.ErrBadRequest) {
		t.Fatalf("bad time: %v", err)
	}
	if b, err := QueryBool(queryCtx("x=true"), "x", false); !b || err != nil {
		t.Fatal("true")
	}
	if b, _ := QueryBool(queryCtx(""), "x", true); !b {
		t.Fatal("default")
	}
	if _, err := QueryBool(queryCtx("x=yes"), "x", false); !errors.Is(err, apperr.ErrBadRequest) {
		t.Fatal("yes accepted")
	}
	if l := QueryList(queryCtx("s=a,%20b,,c&s=d"), "s"); strings.Join(l, "|") != "a|b|c|d" {
		t.Fatalf("QueryList %q", l)
	}
	r, err := PageRequest(queryCtx("limit=5&cursor=abc&sort=-name&include_total=1"))
	if err != nil || r.Limit != 5 || r.Cursor != "abc" || r.Sort != "-name" || !r.IncludeTotal {
		t.Fatalf("PageRequest %+v %v", r, err)
	}
	for _, q := range []string{"limit=ten", "limit=1.5", "include_total=maybe"} {
		if _, err := PageRequest(queryCtx(q)); !errors.Is(err, apperr.ErrBadRequest) {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func TestCanceledRequestIsNot500(t *testing.T) {
	rec, p, _ := render(t, fmt.Errorf("query: %w", context.Canceled), "en", http.MethodGet)
	if rec.Code == 500 || p.Code == "internal_error" {
		t.Fatalf("cancelled request rendered as %d %s", rec.Code, p.Code)
	}
}
