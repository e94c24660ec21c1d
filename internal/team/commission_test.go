package team_test

import (
	"testing"

	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/team"
	"github.com/shopspring/decimal"
)

func amt(s string) money.Amount {
	a, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

func TestCommission(t *testing.T) {
	to := func(s string) *money.Amount { a := amt(s); return &a }
	rate := decimal.RequireFromString
	// 3% to 100k, 5% to 500k, 8.25% above.
	tiers := []team.Tier{
		{From: 0, To: to("100000"), Rate: rate("0.03")},
		{From: amt("100000"), To: to("500000"), Rate: rate("0.05")},
		{From: amt("500000"), Rate: rate("0.0825")},
	}
	for _, tt := range []struct {
		name, basis, total string
		parts              []string // commission per tier
	}{
		{"zero", "0", "0.00", []string{"0.00", "0.00", "0.00"}},
		{"negative earns nothing", "-500", "0.00", []string{"0.00", "0.00", "0.00"}},
		{"inside the first", "50000", "1500.00", []string{"1500.00", "0.00", "0.00"}},
		{"exactly at the first edge", "100000", "3000.00", []string{"3000.00", "0.00", "0.00"}},
		{"a cent over the edge", "100000.01", "3000.00", []string{"3000.00", "0.00", "0.00"}},
		{"two cents over the edge", "100000.10", "3000.01", []string{"3000.00", "0.01", "0.00"}},
		{"exactly at the second edge", "500000", "23000.00", []string{"3000.00", "20000.00", "0.00"}},
		{"into the open tier", "600000", "31250.00", []string{"3000.00", "20000.00", "8250.00"}},
		// 0.0825 × 0.06 = 0.00495 → 0.00; half-up per tier: 0.03 × 0.50 = 0.015 → 0.02.
		{"rounded per tier", "500000.06", "23000.00", []string{"3000.00", "20000.00", "0.00"}},
		{"half-up", "0.50", "0.02", []string{"0.02", "0.00", "0.00"}},
		{"huge", "999999999999.99", "82499981750.00", []string{"3000.00", "20000.00", "82499958750.00"}},
	} {
		total, parts := team.Commission(tiers, amt(tt.basis))
		if total.String() != tt.total || len(parts) != len(tiers) {
			t.Errorf("%s: total %s (%d tiers), want %s", tt.name, total, len(parts), tt.total)
			continue
		}
		var sum money.Amount
		for i, p := range parts {
			sum += p.Commission
			if p.Commission.String() != tt.parts[i] {
				t.Errorf("%s: tier %d commission %s, want %s", tt.name, i, p.Commission, tt.parts[i])
			}
		}
		if sum != total {
			t.Errorf("%s: breakdown sums to %s, total %s", tt.name, sum, total)
		}
	}
	_, parts := team.Commission(tiers, amt("600000"))
	for i, want := range []string{"100000.00", "400000.00", "100000.00"} {
		if parts[i].Base.String() != want {
			t.Errorf("tier %d base %s, want %s", i, parts[i].Base, want)
		}
	}
	if total, parts := team.Commission([]team.Tier{{Rate: rate("1")}}, amt("12.34")); total != amt("12.34") || len(parts) != 1 {
		t.Errorf("single open tier at 100%%: %s", total)
	}
}
