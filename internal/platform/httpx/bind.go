package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/apperr"
)

// MaxJSONBody is the largest JSON body accepted (API.md: 1 MiB).
const MaxJSONBody = 1 << 20

// Bind decodes the JSON body into dst strictly: malformed JSON, wrong types
// and unknown fields are 400 with the field named, a body over 1 MiB is 413,
// a non-JSON content type is 415. Unknown fields are refused so a typo such
// as "onwer_id" fails loudly instead of being silently ignored.
func Bind(c echo.Context, dst any) error {
	r := c.Request()
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return apperr.Unsupported()
		}
	}
	if r.ContentLength > MaxJSONBody {
		return apperr.TooLarge()
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxJSONBody+1))
	if err != nil {
		var mbe *http.MaxBytesError
		var he *echo.HTTPError
		if errors.As(err, &mbe) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge) {
			return apperr.TooLarge()
		}
		return apperr.BadRequest("malformed_json", "malformed_json")
	}
	if len(body) > MaxJSONBody {
		return apperr.TooLarge()
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return apperr.BadRequest("body_required", "body_required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	// Exactly one value: `{"a":1} x` and `{"a":1}}` are malformed too.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return apperr.BadRequest("malformed_json", "malformed_json")
	}
	// PostgreSQL text cannot hold NUL; refuse it here rather than fail
	// with a 500 at the database.
	if hasEscapedNUL(body) {
		return apperr.BadRequest("nul_character", "nul_character")
	}
	return nil
}

// hasEscapedNUL finds \u0000 in a JSON text. Raw control characters are
// already invalid JSON, so the escape is the only way a NUL gets in.
func hasEscapedNUL(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		if i+5 < len(b) && b[i+1] == 'u' && string(b[i+2:i+6]) == "0000" {
			return true
		}
		i++ // skip the escaped character, so \\u0000 is text, not NUL
	}
	return false
}

func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "body"
		}
		return apperr.BadRequest("wrong_type", "wrong_type",
			apperr.FieldError{Field: field, Message: "invalid_value"})
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		field := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`)
		return apperr.BadRequest("unknown_field", "unknown_field",
			apperr.FieldError{Field: field, Message: "not_allowed"})
	}
	var fe *FieldDecodeError
	if errors.As(err, &fe) {
		return apperr.BadRequest("wrong_type", "wrong_type",
			apperr.FieldError{Field: fe.Field, Message: fe.Message})
	}
	return apperr.BadRequest("malformed_json", "malformed_json")
}

// FieldDecodeError lets custom UnmarshalJSON methods name the bad field.
type FieldDecodeError struct{ Field, Message string }

func (e *FieldDecodeError) Error() string { return e.Field + ": " + e.Message }
