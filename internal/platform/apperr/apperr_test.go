package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindsSurviveWrapping(t *testing.T) {
	cases := map[error]error{
		Invalid():                    ErrInvalid,
		BadRequest("x", "x"):         ErrBadRequest,
		Unauthenticated("x"):         ErrUnauthenticated,
		Forbidden("leads:write"):     ErrForbidden,
		NotFound("lead"):             ErrNotFound,
		Conflict("duplicate", "x"):   ErrConflict,
		VersionMismatch():            ErrPrecondition,
		TooLarge():                   ErrTooLarge,
		Unsupported():                ErrUnsupported,
		New(ErrRateLimited, "r", ""): ErrRateLimited,
	}
	for err, kind := range cases {
		wrapped := fmt.Errorf("service: %w", err)
		if !errors.Is(wrapped, kind) {
			t.Errorf("%v is not %v after wrapping", err, kind)
		}
		var ae *Error
		if !errors.As(wrapped, &ae) || ae.Code == "" {
			t.Errorf("%v: As failed or no code", err)
		}
		for other := range map[error]bool{ErrNotFound: true, ErrForbidden: true} {
			if other != kind && errors.Is(err, other) {
				t.Errorf("%v is also %v", err, other)
			}
		}
	}
}

func TestErrorText(t *testing.T) {
	if got := NotFound("lead").Error(); got != "not_found: not_found" {
		t.Fatalf("%q", got)
	}
	if got := (&Error{Kind: ErrConflict, Code: "in_use"}).Error(); got != "in_use" {
		t.Fatalf("%q", got)
	}
	if f := Forbidden("leads:write"); f.Params[0] != "leads:write" {
		t.Fatalf("%+v", f)
	}
}
