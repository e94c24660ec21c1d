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
			return &apperr.Error{Kind: apperr.ErrUnsupported, Code: "unsupported_media", Msg: "unsupported_media"}
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxJSONBody+1))
	if err != nil {
		var mbe *http.MaxBytesError
		var he *echo.HTTPError
		if errors.As(err, &mbe) || (errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge) {
			return &apperr.Error{Kind: apperr.ErrTooLarge, Code: "body_too_large", Msg: "body_too_large"}
		}
		return apperr.BadRequest("malformed_json", "malformed_json")
	}
	if len(body) > MaxJSONBody {
		return &apperr.Error{Kind: apperr.ErrTooLarge, Code: "body_too_large", Msg: "body_too_large"}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.BadRequest("body_required", "body_required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return apperr.BadRequest("malformed_json", "malformed_json")
	}
	return nil
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
