package pricing

import (
	"testing"

	"github.com/opencrm/crm/internal/platform/money"
	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func amt(s string) money.Amount {
	a, err := money.Parse(s)
	if err != nil {
		panic(err)
	}
	return a
}

func TestCompute(t *testing.T) {
	cases := []struct {
		name                     string
		qty, price, disc, tax    string
		gross, discount, net, tx string
	}{
		{"plain", "2", "100.00", "0", "0.13", "200.00", "0.00", "200.00", "26.00"},
		{"half cent up", "1", "0.01", "50", "0", "0.01", "0.00", "0.01", "0.00"},                    // 0.005 → 0.01
		{"just under half", "1", "0.01", "50.01", "0", "0.01", "0.01", "0.00", "0.00"},              // 0.004999 → 0.00
		{"discount from exact product", "3", "33.33", "10", "0", "99.99", "10.00", "89.99", "0.00"}, // 89.991
		{"tax half up", "1", "0.50", "0", "0.13", "0.50", "0.00", "0.50", "0.07"},                   // 0.065 → 0.07
		{"100% discount", "5", "999.99", "100", "0.13", "4999.95", "4999.95", "0.00", "0.00"},
		{"fractional quantity", "2.5", "19.99", "0", "0.06", "49.98", "0.00", "49.98", "3.00"}, // 49.975 → 49.98; 2.9988
		{"large quantity", "1000000", "12345.67", "12.5", "0.13", "12345670000.00", "1543208750.00", "10802461250.00", "1404319962.50"},
		{"negative half", "1", "-0.01", "50", "0", "-0.01", "0.00", "-0.01", "0.00"}, // −0.005 → −0.01 (away from zero)
	}
	for _, c := range cases {
		got := Compute(Line{Quantity: d(c.qty), UnitPrice: amt(c.price), DiscountPercent: d(c.disc), TaxRate: d(c.tax)})
		want := LineTotals{Gross: amt(c.gross), Discount: amt(c.discount), Net: amt(c.net), Tax: amt(c.tx)}
		want.Total = want.Net + want.Tax
		if got != want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, want)
		}
	}
}

// Totals are sums of rounded lines, not a rounding of the exact sum:
// three lines of 0.005 are 0.03, not 0.02.
func TestSumOfRoundedLines(t *testing.T) {
	var lines []LineTotals
	for i := 0; i < 3; i++ {
		lines = append(lines, Compute(Line{Quantity: d("1"), UnitPrice: amt("0.01"), DiscountPercent: d("50"), TaxRate: d("0")}))
	}
	tot := Sum(lines)
	if tot.Total != 3 || tot.Subtotal != 3 || tot.DiscountTotal != 0 {
		t.Fatalf("totals %+v", tot)
	}
	many := make([]LineTotals, 500)
	for i := range many {
		many[i] = Compute(Line{Quantity: d("3"), UnitPrice: amt("0.35"), DiscountPercent: d("33.33"), TaxRate: d("0.13")})
	}
	tot = Sum(many)
	one := many[0]
	if tot.Total != 500*one.Total || tot.TaxTotal != 500*one.Tax || tot.Subtotal-tot.DiscountTotal+tot.TaxTotal != tot.Total {
		t.Fatalf("500 lines: %+v (line %+v)", tot, one)
	}
}
