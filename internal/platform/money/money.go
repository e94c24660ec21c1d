// Package money holds amounts exactly. An Amount is a count of minor units
// (fen, cents) in an int64, stored as BIGINT on both databases, so sums in
// SQL are exact everywhere; it travels in JSON as a decimal string with two
// places ("1234.50"). Rates and quantities use shopspring/decimal.
package money

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Amount is money in minor units (1/100 of the currency unit).
type Amount int64

// Max is the largest amount accepted from clients: 999,999,999,999.99.
// It keeps every value and any realistic sum of them far inside int64 and
// exact when a report sums in float on SQLite.
const Max Amount = 99_999_999_999_999

var (
	// ErrSyntax means the text is not a plain decimal number.
	ErrSyntax = errors.New("not a decimal number")
	// ErrScale means more than two decimal places.
	ErrScale = errors.New("more than 2 decimal places")
	// ErrRange means beyond ±Max.
	ErrRange = errors.New("out of range")
)

var hundred = decimal.NewFromInt(100)

// Parse reads "1234", "1234.5" or "1234.50" (an optional leading minus;
// no exponent, no separators). More than two places is refused rather than
// rounded: a client must not lose a fraction silently.
func Parse(s string) (Amount, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "eE_, ") {
		return 0, ErrSyntax
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return 0, ErrSyntax
	}
	if d.Exponent() < -2 && !d.Equal(d.Round(2)) {
		return 0, ErrScale
	}
	return FromDecimalChecked(d)
}

// FromDecimalChecked converts d, rounded half-up to 2 places, refusing
// values beyond ±Max.
func FromDecimalChecked(d decimal.Decimal) (Amount, error) {
	c := d.Mul(hundred).Round(0)
	if c.Abs().GreaterThan(decimal.NewFromInt(int64(Max))) {
		return 0, ErrRange
	}
	return Amount(c.IntPart()), nil
}

// FromDecimal converts d rounded half away from zero to 2 places (the
// commercial rounding 四舍五入). Callers keep results inside ±Max.
func FromDecimal(d decimal.Decimal) Amount {
	return Amount(d.Mul(hundred).Round(0).IntPart())
}

// Decimal is the amount as a decimal in currency units.
func (a Amount) Decimal() decimal.Decimal { return decimal.New(int64(a), -2) }

// String formats with exactly two places: "1234.50", "-0.05".
func (a Amount) String() string { return a.Decimal().StringFixed(2) }

// MarshalJSON writes a decimal string.
func (a Amount) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON accepts a decimal string or a JSON number, under Parse's rules.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := Parse(s)
	if err != nil {
		return fmt.Errorf("amount %q: %w", s, err)
	}
	*a = v
	return nil
}

// MulRate multiplies by a decimal rate and rounds half-up to the cent.
func (a Amount) MulRate(r decimal.Decimal) Amount { return FromDecimal(a.Decimal().Mul(r)) }

// Sum adds amounts.
func Sum(xs ...Amount) Amount {
	var t Amount
	for _, x := range xs {
		t += x
	}
	return t
}
