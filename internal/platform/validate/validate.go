// Package validate collects field errors for a request and returns them as
// one 422. Rules are plain method calls so each DTO reads like its contract.
package validate

import (
	"errors"

	"github.com/opencrm/crm/internal/platform/money"
	"github.com/shopspring/decimal"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/opencrm/crm/internal/platform/apperr"
)

// V accumulates field errors. The zero value is ready to use.
type V struct{ fields []apperr.FieldError }

// Add records an error for field with an i18n key.
func (v *V) Add(field, msg string, params ...any) {
	v.fields = append(v.fields, apperr.FieldError{Field: field, Message: msg, Params: params})
}

// Err returns a 422 with every collected field, or nil.
func (v *V) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return apperr.Invalid(v.fields...)
}

// Required fails on an empty or blank string.
func (v *V) Required(field, s string) bool {
	if strings.TrimSpace(s) == "" {
		v.Add(field, "required")
		return false
	}
	return true
}

// MaxLen counts characters, not bytes, so Chinese names get the same room.
func (v *V) MaxLen(field, s string, n int) {
	if utf8.RuneCountInString(s) > n {
		v.Add(field, "too_long", n)
	}
}

// Email checks a plain address (no display name). Empty passes.
func (v *V) Email(field, s string) {
	if s == "" {
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndex(s, "@"):], ".") {
		v.Add(field, "invalid_email")
	}
}

var phoneRe = regexp.MustCompile(`^\+?[0-9][0-9 ()\-]{4,24}$`)

// Phone accepts digits with common separators and an optional leading +.
// Empty passes.
func (v *V) Phone(field, s string) {
	if s != "" && !phoneRe.MatchString(s) {
		v.Add(field, "invalid_phone")
	}
}

// OneOf checks s against allowed values. Empty passes; pair with Required.
func (v *V) OneOf(field, s string, allowed ...string) {
	if s == "" {
		return
	}
	for _, a := range allowed {
		if s == a {
			return
		}
	}
	v.Add(field, "invalid_enum", strings.Join(allowed, ", "))
}

// Tags checks a tag list: at most max entries, each non-blank and short.
func (v *V) Tags(field string, tags []string, max int) {
	if len(tags) > max {
		v.Add(field, "too_many", max)
		return
	}
	for _, t := range tags {
		if strings.TrimSpace(t) == "" || utf8.RuneCountInString(t) > 50 {
			v.Add(field, "invalid_value")
			return
		}
	}
}

// Password enforces the password policy: 8–72 bytes (bcrypt's limit) and
// not only letters or only digits.
func (v *V) Password(field, s string) {
	if len(s) < 8 || len(s) > 72 {
		v.Add(field, "password_weak")
		return
	}
	var letters, digits int
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			letters++
		}
	}
	n := utf8.RuneCountInString(s)
	if letters == n || digits == n {
		v.Add(field, "password_weak")
	}
}

// Time reads an optional RFC 3339 time (or a date, as 00:00 UTC) from a
// request field, as UTC at the databases' precision (microseconds). ok is
// false, with a field error added, when it is malformed.
func (v *V) Time(field string, s *string) (t *time.Time, ok bool) {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil, true
	}
	in := strings.TrimSpace(*s)
	p, err := time.Parse(time.RFC3339Nano, in)
	if err != nil {
		if p, err = time.Parse(time.DateOnly, in); err != nil {
			v.Add(field, "invalid_time")
			return nil, false
		}
	}
	p = p.UTC().Truncate(time.Microsecond)
	return &p, true
}

// Money parses an optional decimal-string amount ("1234.50"): at most two
// places, within ±money.Max, and not negative unless allowNegative. A nil
// pointer passes with ok=false.
func (v *V) Money(field string, s *string, allowNegative bool) (money.Amount, bool) {
	if s == nil {
		return 0, false
	}
	a, err := money.Parse(*s)
	switch {
	case errors.Is(err, money.ErrScale):
		v.Add(field, "money_scale")
		return 0, false
	case errors.Is(err, money.ErrRange):
		v.Add(field, "money_range")
		return 0, false
	case err != nil:
		v.Add(field, "invalid_money")
		return 0, false
	case a < 0 && !allowNegative:
		v.Add(field, "negative")
		return 0, false
	}
	return a, true
}

// Decimal parses an optional decimal string with at most scale places
// within [lo, hi]; a nil pointer passes with ok=false.
func (v *V) Decimal(field string, s *string, scale int32, lo, hi decimal.Decimal) (decimal.Decimal, bool) {
	if s == nil {
		return decimal.Zero, false
	}
	t := strings.TrimSpace(*s)
	d, err := decimal.NewFromString(t)
	if err != nil || t == "" || strings.ContainsAny(t, "eE") {
		v.Add(field, "invalid_decimal")
		return decimal.Zero, false
	}
	if !d.Equal(d.Round(scale)) {
		v.Add(field, "decimal_scale", scale)
		return decimal.Zero, false
	}
	if d.LessThan(lo) || d.GreaterThan(hi) {
		v.Add(field, "between", lo.String(), hi.String())
		return decimal.Zero, false
	}
	return d, true
}
