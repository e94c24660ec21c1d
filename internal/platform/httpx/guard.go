package httpx

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/apperr"
)

// BodyLimit refuses request bodies over n bytes with a 413 problem: at once
// when Content-Length says so, else (chunked or unknown length) as soon as
// a handler reads past the limit; Bind turns that read error into the 413.
// It replaces echo's BodyLimit, whose "1M" means 1,000,000 bytes, not MiB.
func BodyLimit(n int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if r.ContentLength > n {
				return apperr.TooLarge()
			}
			if r.Body != nil && r.Body != http.NoBody {
				r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, n)
			}
			return next(c)
		}
	}
}

// SafeInput refuses a path or query that decodes to a NUL character or to
// invalid UTF-8: PostgreSQL cannot compare such text and would fail the
// query with a 500. No record has such an id, so a path is a 404; a query
// parameter is a 400 naming it.
func SafeInput() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if !cleanText(c.Request().URL.Path) {
				return echo.ErrNotFound
			}
			if c.Request().URL.RawQuery == "" {
				return next(c)
			}
			for k, vs := range c.QueryParams() {
				bad := !cleanText(k)
				for _, v := range vs {
					bad = bad || !cleanText(v)
				}
				if bad {
					if !cleanText(k) {
						k = "query"
					}
					return apperr.BadRequest("bad_query", "nul_character",
						apperr.FieldError{Field: k, Message: "invalid_value"})
				}
			}
			return next(c)
		}
	}
}

func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// MatchedOnly runs a group middleware (authentication) only on the group's
// real routes. Echo registers a catch-all 404 route for every group with
// middleware, so without this an unknown path under the group answers 401
// instead of 404, and a known path with the wrong method 404 instead of
// 405. prefix is the group's full path ("/api/v1").
func MatchedOnly(e *echo.Echo, prefix string, mw echo.MiddlewareFunc) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		wrapped := mw(next)
		return func(c echo.Context) error {
			if p := c.Path(); p != prefix && p != prefix+"/*" {
				return wrapped(c)
			}
			return methodNotAllowedOrNotFound(e, c, prefix)
		}
	}
}

var routeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete}

// methodNotAllowedOrNotFound answers a request that reached a group's
// catch-all: 405 with Allow when the path exists for other methods (204
// with Allow for OPTIONS), else 404.
func methodNotAllowedOrNotFound(e *echo.Echo, c echo.Context, prefix string) error {
	r := c.Request()
	path := r.URL.RawPath
	if path == "" {
		path = r.URL.Path
	}
	var allowed []string
	for _, m := range routeMethods {
		probe := e.NewContext(r, nil)
		e.Router().Find(m, path, probe)
		if p := probe.Path(); p != "" && p != prefix && p != prefix+"/*" {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) == 0 {
		return echo.ErrNotFound
	}
	allow := strings.Join(append(allowed, http.MethodOptions), ", ")
	c.Response().Header().Set(echo.HeaderAllow, allow)
	if r.Method == http.MethodOptions {
		return c.NoContent(http.StatusNoContent)
	}
	return echo.ErrMethodNotAllowed
}
