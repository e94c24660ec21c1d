// Package httpx is the HTTP machinery every handler shares: problem+json
// errors, strict JSON binding, request ids, ETags and query parsing.
package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/i18n"
)

// ProblemContentType is RFC 9457's media type.
const ProblemContentType = "application/problem+json"

// Problem is the body of every error response.
type Problem struct {
	Type      string         `json:"type" example:"urn:crm:problem:validation_failed"`
	Title     string         `json:"title" example:"Unprocessable Entity"`
	Status    int            `json:"status" example:"422"`
	Code      string         `json:"code" example:"validation_failed"`
	Detail    string         `json:"detail" example:"Some fields are invalid."`
	RequestID string         `json:"request_id" example:"01JD2Q8Z6S9V7W3X4Y5Z6A7B8C"`
	Errors    []FieldProblem `json:"errors,omitempty" extensions:"x-optional"`
	// Matches lists the existing records a duplicate (code duplicate)
	// collides with, each {"type": "lead"|"customer"|"product", "in_scope": bool,
	// "matched_on": ["phone","email","company"] (products: ["sku"]), "id", "name", "owner_id"};
	// id, name and owner_id are left out for records outside the caller's
	// data scope (and owner_id for unowned ones), e.g.
	// [{"type":"customer","in_scope":true,"matched_on":["phone"],"id":"0193…","name":"恒达"},
	// {"type":"lead","in_scope":false,"matched_on":["email"]}].
	Matches []map[string]any `json:"matches,omitempty" extensions:"x-optional"`
} // @name Problem

// FieldProblem is one invalid field.
type FieldProblem struct {
	Field   string `json:"field" example:"email"`
	Message string `json:"message" example:"is not a valid email address"`
} // @name FieldProblem

var kindStatus = []struct {
	kind   error
	status int
}{
	{apperr.ErrInvalid, http.StatusUnprocessableEntity},
	{apperr.ErrBadRequest, http.StatusBadRequest},
	{apperr.ErrUnauthenticated, http.StatusUnauthorized},
	{apperr.ErrForbidden, http.StatusForbidden},
	{apperr.ErrNotFound, http.StatusNotFound},
	{apperr.ErrConflict, http.StatusConflict},
	{apperr.ErrPrecondition, http.StatusPreconditionFailed},
	{apperr.ErrTooLarge, http.StatusRequestEntityTooLarge},
	{apperr.ErrUnsupported, http.StatusUnsupportedMediaType},
	{apperr.ErrRateLimited, http.StatusTooManyRequests},
}

// ErrorHandler renders any error as problem+json. Errors of known kinds
// keep their status and message; everything else is a 500 whose body says
// only "internal error" while the log gets the cause.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		lang := i18n.FromAcceptLanguage(c.Request().Header.Get("Accept-Language"))
		p, retryAfter := toProblem(err, lang)
		p.RequestID = RequestID(c)
		if p.Status >= 500 {
			log.ErrorContext(c.Request().Context(), "request failed",
				"request_id", p.RequestID, "route", c.Path(), "error", err.Error())
		}
		if retryAfter > 0 {
			c.Response().Header().Set("Retry-After", itoa(retryAfter))
		}
		if p.Status == http.StatusUnauthorized {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="crm"`)
		}
		// echo keeps a Content-Type already set, so JSON writes problem+json.
		c.Response().Header().Set(echo.HeaderContentType, ProblemContentType)
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(p.Status)
			return
		}
		_ = c.JSON(p.Status, p)
	}
}

func toProblem(err error, lang i18n.Lang) (Problem, int) {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		status := http.StatusInternalServerError
		for _, ks := range kindStatus {
			if errors.Is(ae.Kind, ks.kind) {
				status = ks.status
				break
			}
		}
		msg := ae.Msg
		if msg == "" {
			msg = ae.Code
		}
		p := newProblem(status, ae.Code, i18n.T(lang, msg, ae.Params...))
		for _, f := range ae.Fields {
			p.Errors = append(p.Errors, FieldProblem{Field: f.Field, Message: i18n.T(lang, f.Message, f.Params...)})
		}
		if m, ok := ae.Extra["matches"].([]map[string]any); ok {
			p.Matches = m
		}
		return p, ae.RetryAfter
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		switch he.Code {
		case http.StatusNotFound:
			return newProblem(he.Code, "route_not_found", i18n.T(lang, "route_not_found")), 0
		case http.StatusMethodNotAllowed:
			return newProblem(he.Code, "method_not_allowed", i18n.T(lang, "method_not_allowed")), 0
		case http.StatusRequestEntityTooLarge:
			return newProblem(he.Code, "body_too_large", i18n.T(lang, "body_too_large")), 0
		case http.StatusUnsupportedMediaType:
			return newProblem(he.Code, "unsupported_media", i18n.T(lang, "unsupported_media")), 0
		case http.StatusBadRequest:
			return newProblem(he.Code, "bad_request", i18n.T(lang, "bad_query")), 0
		case http.StatusServiceUnavailable:
			return newProblem(he.Code, "unavailable", http.StatusText(he.Code)), 0
		}
		// Any other client error from echo or a middleware keeps its status.
		if he.Code >= 400 && he.Code < 500 {
			code := strings.ReplaceAll(strings.ToLower(http.StatusText(he.Code)), " ", "_")
			return newProblem(he.Code, code, http.StatusText(he.Code)), 0
		}
	}
	if errors.Is(err, context.Canceled) {
		// The client went away; 499 is nginx's convention, logged not sent.
		return newProblem(http.StatusServiceUnavailable, "unavailable", "request cancelled"), 0
	}
	return newProblem(http.StatusInternalServerError, "internal_error", i18n.T(lang, "internal_error")), 0
}

func newProblem(status int, code, detail string) Problem {
	return Problem{
		Type:   "urn:crm:problem:" + code,
		Title:  http.StatusText(status),
		Status: status,
		Code:   code,
		Detail: detail,
	}
}

func itoa(n int) string {
	if n <= 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
