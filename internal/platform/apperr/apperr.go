// Package apperr defines the error kinds every layer speaks. One HTTP error
// handler (package httpx) turns them into RFC 9457 problem documents.
package apperr

import (
	"errors"
	"fmt"
)

// Kinds. Compare with errors.Is, never ==, so wrapping keeps working.
var (
	ErrInvalid         = errors.New("invalid")          // 422
	ErrBadRequest      = errors.New("bad request")      // 400
	ErrUnauthenticated = errors.New("unauthenticated")  // 401
	ErrForbidden       = errors.New("forbidden")        // 403
	ErrNotFound        = errors.New("not found")        // 404, also outside data scope
	ErrConflict        = errors.New("conflict")         // 409
	ErrPrecondition    = errors.New("precondition")     // 412
	ErrTooLarge        = errors.New("too large")        // 413
	ErrUnsupported     = errors.New("unsupported type") // 415
	ErrRateLimited     = errors.New("rate limited")     // 429
)

// FieldError names one invalid input field. Message is an i18n key resolved
// at render time; Params fill its placeholders.
type FieldError struct {
	Field   string
	Message string
	Params  []any
}

// Error carries a kind plus what the client needs to act on it.
type Error struct {
	Kind   error
	Code   string // machine-readable, e.g. "validation_failed", "duplicate"
	Msg    string // i18n key for detail; empty uses the code's default
	Params []any
	Fields []FieldError
	// Extra is merged into the problem document (e.g. duplicate matches).
	Extra map[string]any
	// RetryAfter in seconds, for rate limits.
	RetryAfter int
}

func (e *Error) Error() string {
	if e.Msg != "" {
		return fmt.Sprintf("%s: %s", e.Code, e.Msg)
	}
	return e.Code
}

func (e *Error) Unwrap() error { return e.Kind }

// New builds an error of a kind with a code and an i18n message key.
func New(kind error, code, msg string, params ...any) *Error {
	return &Error{Kind: kind, Code: code, Msg: msg, Params: params}
}

// NotFound is the 404 for an entity name ("lead", "user").
func NotFound(entity string) *Error {
	return &Error{Kind: ErrNotFound, Code: "not_found", Msg: "not_found", Params: []any{entity}}
}

// Forbidden is the 403 for a missing permission.
func Forbidden(permission string) *Error {
	return &Error{Kind: ErrForbidden, Code: "forbidden", Msg: "forbidden", Params: []any{permission}}
}

// Invalid is the 422 with field errors.
func Invalid(fields ...FieldError) *Error {
	return &Error{Kind: ErrInvalid, Code: "validation_failed", Msg: "validation_failed", Fields: fields}
}

// Conflict is a 409 with a code such as "invalid_transition".
func Conflict(code, msg string, params ...any) *Error {
	return &Error{Kind: ErrConflict, Code: code, Msg: msg, Params: params}
}

// VersionMismatch is the 412 for a stale If-Match.
func VersionMismatch() *Error {
	return &Error{Kind: ErrPrecondition, Code: "version_mismatch", Msg: "version_mismatch"}
}

// Unauthenticated is a 401 with a reason code.
func Unauthenticated(code string) *Error {
	return &Error{Kind: ErrUnauthenticated, Code: code, Msg: code}
}

// BadRequest is a 400 with a reason code and optional field.
func BadRequest(code, msg string, fields ...FieldError) *Error {
	return &Error{Kind: ErrBadRequest, Code: code, Msg: msg, Fields: fields}
}

// TooLarge is the 413 for a request body over the limit.
func TooLarge() *Error {
	return &Error{Kind: ErrTooLarge, Code: "body_too_large", Msg: "body_too_large"}
}

// Unsupported is the 415 for a body that is not JSON.
func Unsupported() *Error {
	return &Error{Kind: ErrUnsupported, Code: "unsupported_media", Msg: "unsupported_media"}
}
