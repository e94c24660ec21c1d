package validate

import "testing"

func TestCurrency(t *testing.T) {
	for s, ok := range map[string]bool{"": true, "CNY": true, "USD": true, "EUR": true, "JPY": true,
		"cny": false, "RMB": false, "ABC": false, "XXX": false, "US": false, "USDT": false, "C1Y": false} {
		if got := fields(func(v *V) { v.Currency("currency", s) }); (got == nil) != ok {
			t.Errorf("%q: %v", s, got)
		}
	}
}
