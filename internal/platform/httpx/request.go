package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/paging"
)

const requestIDKey = "request_id"

var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._\-]{8,64}$`)

// RequestIDMiddleware takes a well-formed X-Request-Id from the client (so
// traces join up across services) or makes one, and echoes it back.
func RequestIDMiddleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id := c.Request().Header.Get(echo.HeaderXRequestID)
			if !safeRequestID.MatchString(id) {
				var b [12]byte
				_, _ = rand.Read(b[:])
				id = hex.EncodeToString(b[:])
			}
			c.Set(requestIDKey, id)
			c.Response().Header().Set(echo.HeaderXRequestID, id)
			return next(c)
		}
	}
}

// RequestID returns the request's id.
func RequestID(c echo.Context) string {
	s, _ := c.Get(requestIDKey).(string)
	return s
}

// SetETag writes the version as a strong ETag: "3".
func SetETag(c echo.Context, version int) {
	c.Response().Header().Set("ETag", `"`+strconv.Itoa(version)+`"`)
}

// IfMatch parses If-Match. It returns nil when the header is absent or "*",
// the version otherwise; a header that names no version is a 400.
func IfMatch(c echo.Context) (*int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" || h == "*" {
		return nil, nil
	}
	h = strings.TrimPrefix(h, "W/")
	h = strings.Trim(h, `"`)
	v, err := strconv.Atoi(h)
	if err != nil || v < 1 {
		return nil, apperr.BadRequest("invalid_if_match", "invalid_if_match")
	}
	return &v, nil
}

// QueryTime parses an RFC 3339 time or a date (taken as 00:00 UTC) from the
// query. endOfDay moves a bare date to the start of the next day so that
// created_to=2026-11-22 includes the whole day.
func QueryTime(c echo.Context, name string, endOfDay bool) (*time.Time, error) {
	s := c.QueryParam(name)
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		t = t.UTC()
		return &t, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if endOfDay {
			d = d.AddDate(0, 0, 1)
		}
		return &d, nil
	}
	return nil, apperr.BadRequest("bad_query", "bad_query", apperr.FieldError{Field: name, Message: "invalid_time"})
}

// QueryBool parses true/false/1/0; absent is def.
func QueryBool(c echo.Context, name string, def bool) (bool, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, apperr.BadRequest("bad_query", "bad_query", apperr.FieldError{Field: name, Message: "must_be_boolean"})
	}
	return b, nil
}

// QueryList splits a comma-separated parameter, dropping blanks.
func QueryList(c echo.Context, name string) []string {
	var out []string
	for _, v := range c.QueryParams()[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// PageRequest reads limit, cursor, sort and include_total.
func PageRequest(c echo.Context) (paging.Request, error) {
	r := paging.Request{Cursor: c.QueryParam("cursor"), Sort: c.QueryParam("sort")}
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return r, apperr.BadRequest("bad_query", "bad_query",
				apperr.FieldError{Field: "limit", Message: "must_be_integer"})
		}
		// An explicit limit outside 1..max is a client bug, not a request
		// for the default page size.
		if n < 1 || n > paging.MaxLimit {
			return r, apperr.BadRequest("bad_query", "bad_query",
				apperr.FieldError{Field: "limit", Message: "out_of_range", Params: []any{1, paging.MaxLimit}})
		}
		r.Limit = n
	}
	var err error
	r.IncludeTotal, err = QueryBool(c, "include_total", false)
	return r, err
}

// NoContent is 204.
func NoContent(c echo.Context) error { return c.NoContent(http.StatusNoContent) }

// QueryInt parses an integer within [lo, hi]; absent is def. Anything else
// is a 400 naming the parameter.
func QueryInt(c echo.Context, name string, def, lo, hi int64) (int64, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, apperr.BadRequest("bad_query", "bad_query", apperr.FieldError{Field: name, Message: "must_be_integer"})
	}
	if n < lo || n > hi {
		return 0, apperr.BadRequest("bad_query", "bad_query", apperr.FieldError{Field: name, Message: "out_of_range", Params: []any{lo, hi}})
	}
	return n, nil
}
