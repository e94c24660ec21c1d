package validate

import (
	"errors"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/shopspring/decimal"
)

// fields runs fn on a fresh V and returns "field:message" of each error.
func fields(fn func(v *V)) []string {
	var v V
	fn(&v)
	err := v.Err()
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if !errors.As(err, &ae) || !errors.Is(err, apperr.ErrInvalid) || ae.Code != "validation_failed" {
		panic("not a 422")
	}
	var out []string
	for _, f := range ae.Fields {
		out = append(out, f.Field+":"+f.Message)
	}
	return out
}

func TestEmpty(t *testing.T) {
	if (&V{}).Err() != nil {
		t.Fatal("no errors must be nil")
	}
}

func TestRules(t *testing.T) {
	cases := []struct {
		name string
		fn   func(v *V)
		want string
	}{
		{"required blank", func(v *V) { v.Required("name", "  ") }, "name:required"},
		{"required ok", func(v *V) { v.Required("name", "x") }, ""},
		{"maxlen counts runes", func(v *V) { v.MaxLen("name", strings.Repeat("线", 100), 100) }, ""},
		{"maxlen over", func(v *V) { v.MaxLen("name", strings.Repeat("线", 101), 100) }, "name:too_long"},
		{"email ok", func(v *V) { v.Email("email", "ada@example.com") }, ""},
		{"email empty passes", func(v *V) { v.Email("email", "") }, ""},
		{"email display name", func(v *V) { v.Email("email", "Ada <ada@example.com>") }, "email:invalid_email"},
		{"email no dot", func(v *V) { v.Email("email", "ada@localhost") }, "email:invalid_email"},
		{"email no at", func(v *V) { v.Email("email", "ada.example.com") }, "email:invalid_email"},
		{"email spaces", func(v *V) { v.Email("email", " ada@example.com") }, "email:invalid_email"},
		{"phone ok", func(v *V) { v.Phone("phone", "+86 138-0013-8000") }, ""},
		{"phone letters", func(v *V) { v.Phone("phone", "call me") }, "phone:invalid_phone"},
		{"phone short", func(v *V) { v.Phone("phone", "123") }, "phone:invalid_phone"},
		{"oneof ok", func(v *V) { v.OneOf("status", "new", "new", "won") }, ""},
		{"oneof empty passes", func(v *V) { v.OneOf("status", "", "new") }, ""},
		{"oneof bad", func(v *V) { v.OneOf("status", "NEW", "new", "won") }, "status:invalid_enum"},
		{"tags ok", func(v *V) { v.Tags("tags", []string{"a", "b"}, 2) }, ""},
		{"tags too many", func(v *V) { v.Tags("tags", []string{"a", "b", "c"}, 2) }, "tags:too_many"},
		{"tags blank", func(v *V) { v.Tags("tags", []string{" "}, 5) }, "tags:invalid_value"},
		{"tags long", func(v *V) { v.Tags("tags", []string{strings.Repeat("x", 51)}, 5) }, "tags:invalid_value"},
		{"password ok", func(v *V) { v.Password("password", "Passw0rd-x") }, ""},
		{"password short", func(v *V) { v.Password("password", "a1b2c3") }, "password:password_weak"},
		{"password letters only", func(v *V) { v.Password("password", "abcdefghij") }, "password:password_weak"},
		{"password digits only", func(v *V) { v.Password("password", "1234567890") }, "password:password_weak"},
		{"password over bcrypt limit", func(v *V) { v.Password("password", strings.Repeat("a1", 37)) }, "password:password_weak"},
	}
	for _, c := range cases {
		got := strings.Join(fields(c.fn), ",")
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCollectsEveryField(t *testing.T) {
	got := fields(func(v *V) {
		v.Required("name", "")
		v.Email("email", "bad")
		v.MaxLen("title", "abc", 2)
	})
	if strings.Join(got, ",") != "name:required,email:invalid_email,title:too_long" {
		t.Fatalf("%v", got)
	}
}

func TestMoneyAndDecimal(t *testing.T) {
	s := func(v string) *string { return &v }
	var v V
	if a, ok := v.Money("price", s("12.5"), false); !ok || a != 1250 {
		t.Fatalf("price %d %v", a, ok)
	}
	if _, ok := v.Money("absent", nil, false); ok {
		t.Fatal("nil parsed")
	}
	v.Money("neg", s("-1"), false)
	v.Money("scale", s("1.001"), false)
	v.Money("range", s("1000000000000"), false)
	v.Money("junk", s("12元"), false)
	if d, ok := v.Decimal("qty", s("2.5"), 4, decimal.Zero, decimal.NewFromInt(1000)); !ok || !d.Equal(decimal.RequireFromString("2.5")) {
		t.Fatalf("qty %s %v", d, ok)
	}
	v.Decimal("pct", s("100.5"), 2, decimal.Zero, decimal.NewFromInt(100))
	v.Decimal("places", s("0.12345"), 4, decimal.Zero, decimal.NewFromInt(1))
	v.Decimal("exp", s("1e2"), 4, decimal.Zero, decimal.NewFromInt(1000))
	var ae *apperr.Error
	if !errors.As(v.Err(), &ae) {
		t.Fatalf("err %v", v.Err())
	}
	got := map[string]string{}
	for _, f := range ae.Fields {
		got[f.Field] = f.Message
	}
	want := map[string]string{"neg": "negative", "scale": "money_scale", "range": "money_range", "junk": "invalid_money",
		"pct": "between", "places": "decimal_scale", "exp": "invalid_decimal"}
	if len(got) != len(want) {
		t.Fatalf("fields %v", got)
	}
	for k, m := range want {
		if got[k] != m {
			t.Errorf("%s: %q, want %q", k, got[k], m)
		}
	}
}
