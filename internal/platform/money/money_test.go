package money

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParse(t *testing.T) {
	ok := map[string]Amount{"0": 0, "1234": 123400, "1234.5": 123450, "1234.50": 123450, "-0.05": -5,
		"0.10": 10, "999999999999.99": Max, " 7.00 ": 700, "1.500": 150}
	for in, want := range ok {
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	bad := map[string]error{"": ErrSyntax, "abc": ErrSyntax, "1e3": ErrSyntax, "1,000": ErrSyntax, "1 000": ErrSyntax,
		"1.005": ErrScale, "0.001": ErrScale, "1000000000000": ErrRange, "-1000000000000.00": ErrRange}
	for in, want := range bad {
		if _, err := Parse(in); !errors.Is(err, want) {
			t.Errorf("Parse(%q) error = %v; want %v", in, err, want)
		}
	}
}

func TestFormatAndJSON(t *testing.T) {
	for a, want := range map[Amount]string{0: "0.00", 5: "0.05", -5: "-0.05", 123450: "1234.50", Max: "999999999999.99"} {
		if a.String() != want {
			t.Errorf("%d.String() = %s; want %s", int64(a), a.String(), want)
		}
	}
	b, _ := json.Marshal(struct{ A Amount }{123450})
	if string(b) != `{"A":"1234.50"}` {
		t.Fatalf("json %s", b)
	}
	var v struct{ A, B Amount }
	if err := json.Unmarshal([]byte(`{"A":"19.90","B":19.9}`), &v); err != nil || v.A != 1990 || v.B != 1990 {
		t.Fatalf("unmarshal %+v %v", v, err)
	}
	if err := json.Unmarshal([]byte(`{"A":"19.999"}`), &v); err == nil {
		t.Fatal("three places accepted")
	}
}

// Rounding is half away from zero (四舍五入), never banker's rounding.
func TestRoundingHalfUp(t *testing.T) {
	cases := map[string]Amount{"0.005": 1, "0.015": 2, "0.025": 3, "-0.005": -1, "2.675": 268, "0.0049": 0}
	for in, want := range cases {
		if got := FromDecimal(decimal.RequireFromString(in)); got != want {
			t.Errorf("FromDecimal(%s) = %d; want %d", in, got, want)
		}
	}
	if got := Amount(1999).MulRate(decimal.RequireFromString("0.13")); got != 260 { // 19.99 × 13 % = 2.5987
		t.Fatalf("MulRate = %d", got)
	}
}
