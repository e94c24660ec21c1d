// Package product owns the product catalogue (产品目录): what the company
// sells, at what list price and cost. The catalogue is global: everyone who
// may read products sees all of them, and only admins and managers see what
// a product costs.
package product

import (
	"regexp"
	"strings"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/shopspring/decimal"
)

func init() {
	authz.Grant("products:read", authz.RoleAdmin, authz.RoleManager, authz.RoleRep)
	authz.Grant("products:write", authz.RoleAdmin, authz.RoleManager)
	// Cost and margin are commercial secrets a rep negotiating a discount
	// must not see.
	authz.Grant("products:cost", authz.RoleAdmin, authz.RoleManager)

	i18n.Register(map[string]map[i18n.Lang]string{
		"sku_format": {i18n.EN: "may contain only letters, digits, dots, underscores and hyphens",
			i18n.ZhCN: "只能包含字母、数字、点、下划线和连字符"},
	})
	i18n.RegisterWords(map[string]string{"product": "产品"})
}

// DefaultCurrency is the currency of a product created without one.
const DefaultCurrency = "CNY"

// Field limits, in characters.
const (
	maxSKU         = 64
	maxName        = 200
	maxCategory    = 100
	maxUnit        = 20
	maxDescription = 5000
)

var skuRe = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// Product is one catalogue entry.
type Product struct {
	ID string
	// SKU is kept as given; SKUKey is its lower-case form, unique, so
	// "ABC-1" and "abc-1" cannot both exist.
	SKU      string `gorm:"column:sku"`
	SKUKey   string `gorm:"column:sku_key"`
	Name     string
	Category string
	Unit     string
	Price    money.Amount
	// Cost is nil when unknown.
	Cost        *money.Amount
	Currency    string
	Active      bool
	Description string
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// TableName pins the table.
func (Product) TableName() string { return "products" }

// SKUKey is the uniqueness key of a SKU: SKUs are ASCII, so lower case is
// enough to make the comparison case-insensitive.
func SKUKey(sku string) string { return strings.ToLower(strings.TrimSpace(sku)) }

// MarginPercent is (price − cost) / price × 100 rounded to two places; ok
// is false when the cost is unknown or the price is zero.
func (p *Product) MarginPercent() (decimal.Decimal, bool) {
	if p.Cost == nil || p.Price == 0 {
		return decimal.Zero, false
	}
	price := p.Price.Decimal()
	return price.Sub(p.Cost.Decimal()).Div(price).Mul(decimal.NewFromInt(100)).Round(2), true
}

// CurrentVersion is the version as read (record.Versioned).
func (p *Product) CurrentVersion() int { return p.Version }

// Touch moves the product to its next version, changed at now.
func (p *Product) Touch(now time.Time) { p.Version++; p.UpdatedAt = now }
