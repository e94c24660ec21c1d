package validate

import (
	"regexp"

	"github.com/opencrm/crm/internal/platform/i18n"
	"golang.org/x/text/currency"
)

func init() {
	i18n.Register(map[string]map[i18n.Lang]string{
		"invalid_currency": {i18n.EN: "must be an ISO 4217 currency code such as CNY",
			i18n.ZhCN: "必须是 ISO 4217 货币代码，例如 CNY"},
	})
}

var currencyRe = regexp.MustCompile(`^[A-Z]{3}$`)

// Currency checks an ISO 4217 code: three upper-case letters naming a
// currency the CLDR tables know (XXX, "no currency", is refused). Empty
// passes; pair with Required.
func (v *V) Currency(field, s string) {
	if s == "" {
		return
	}
	if u, err := currency.ParseISO(s); err != nil || u == (currency.Unit{}) || !currencyRe.MatchString(s) {
		v.Add(field, "invalid_currency")
	}
}
