// Package salesdoc holds what quotes and orders share: line items priced by
// package pricing, the references a sales document makes (customer,
// contact, opportunity), and the refusal of an illegal state move. One
// line model means a quote converts into an order item for item, cent for
// cent.
package salesdoc

import (
	"context"
	"fmt"
	"strings"

	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/pricing"
	"github.com/opencrm/crm/internal/product"
	"github.com/shopspring/decimal"
)

func init() {
	i18n.Register(map[string]map[i18n.Lang]string{
		"product_inactive":        {i18n.EN: "refers to a retired product", i18n.ZhCN: "引用的产品已停用"},
		"contact_not_of_customer": {i18n.EN: "is not a contact of the customer", i18n.ZhCN: "不是该客户的联系人"},
		"opportunity_not_of_customer": {i18n.EN: "is not an opportunity of the customer",
			i18n.ZhCN: "不是该客户的商机"},
		"currency_mismatch": {i18n.EN: "the product is priced in %s; give unit_price in the document's currency",
			i18n.ZhCN: "该产品以 %s 定价，请按单据币种填写单价"},
		"quote_not_of_customer": {i18n.EN: "is not a quote of the customer", i18n.ZhCN: "不是该客户的报价单"},
		"already_converted":     {i18n.EN: "This quote already has an order.", i18n.ZhCN: "该报价单已生成订单。"},
		"invalid_date":          {i18n.EN: "must be a date (2026-11-22)", i18n.ZhCN: "必须是日期（2026-11-22）"},
		"not_editable": {i18n.EN: "Only a draft can be edited; revise or resubmit it instead.",
			i18n.ZhCN: "只有草稿可以修改。"},
	})
}

// Item limits.
const (
	MaxItems       = 200
	maxName        = 200
	maxDescription = 2000
	maxUnit        = 20
)

var (
	hundred = decimal.NewFromInt(100)
	one     = decimal.NewFromInt(1)
)

// Item is one priced line of a quote or an order. Quantity, discount and
// tax rate are decimal strings, as entered; the money figures are computed
// by pricing.Compute when the line is built and stored, so a document
// reads back exactly what it showed when it was priced.
type Item struct {
	ID string
	// DocType is "quote" or "order"; DocID the document's id.
	DocType         string
	DocID           string
	Position        int
	ProductID       *string
	Name            string
	Description     string
	Unit            string
	Quantity        string
	UnitPrice       money.Amount
	DiscountPercent string
	TaxRate         string
	Gross           money.Amount
	Discount        money.Amount
	Net             money.Amount
	Tax             money.Amount
	Total           money.Amount
}

// TableName pins the table.
func (Item) TableName() string { return "document_items" }

// ItemRequest is one line as a client sends it.
type ItemRequest struct {
	// A catalogue product: name, unit and unit_price default from it; a
	// retired or unknown product is 422. Without it, name is required.
	ProductID   *string `json:"product_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	Name        string  `json:"name" example:"立式加工中心 VMC-650"`
	Description string  `json:"description" example:"含安装调试"`
	Unit        string  `json:"unit" example:"台"`
	// Decimal string, more than 0, at most 4 places.
	Quantity *string `json:"quantity" validate:"required" example:"2"`
	// Decimal string, at most 2 places, not negative; default the product's price.
	UnitPrice *string `json:"unit_price" example:"1280000.00"`
	// 0–100, at most 2 places; default 0.
	DiscountPercent *string `json:"discount_percent" example:"5"`
	// A fraction 0–1 (0.13 for 13 % VAT), at most 4 places; default 0.
	TaxRate *string `json:"tax_rate" example:"0.13"`
} // @name DocumentItemRequest

// ItemResponse is one priced line.
type ItemResponse struct {
	ID              string  `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a91"`
	ProductID       *string `json:"product_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	Name            string  `json:"name" example:"立式加工中心 VMC-650"`
	Description     string  `json:"description" example:"含安装调试"`
	Unit            string  `json:"unit" example:"台"`
	Quantity        string  `json:"quantity" example:"2"`
	UnitPrice       string  `json:"unit_price" example:"1280000.00"`
	DiscountPercent string  `json:"discount_percent" example:"5"`
	TaxRate         string  `json:"tax_rate" example:"0.13"`
	// round(quantity × unit_price).
	Gross string `json:"gross" example:"2560000.00"`
	// gross − net.
	Discount string `json:"discount" example:"128000.00"`
	// round(quantity × unit_price × (1 − discount_percent/100)): the line total before tax.
	Net string `json:"net" example:"2432000.00"`
	// round(net × tax_rate).
	Tax string `json:"tax" example:"316160.00"`
	// net + tax.
	Total string `json:"total" example:"2748160.00"`
} // @name DocumentItem

// ItemView is a line as clients see it.
func ItemView(it *Item) ItemResponse {
	return ItemResponse{ID: it.ID, ProductID: it.ProductID, Name: it.Name, Description: it.Description,
		Unit: it.Unit, Quantity: it.Quantity, UnitPrice: it.UnitPrice.String(), DiscountPercent: it.DiscountPercent,
		TaxRate: it.TaxRate, Gross: it.Gross.String(), Discount: it.Discount.String(), Net: it.Net.String(),
		Tax: it.Tax.String(), Total: it.Total.String()}
}

// ItemViews maps lines to their views (never nil).
func ItemViews(items []Item) []ItemResponse {
	out := make([]ItemResponse, len(items))
	for i := range items {
		out[i] = ItemView(&items[i])
	}
	return out
}

// Products is the catalogue as documents use it (product.Service).
type Products interface {
	Lookup(ctx context.Context, ids []string) (map[string]product.Product, error)
}

// BuildItems validates the requested lines of a document in currency and
// prices them; every problem is one 422 with fields items[i].x. The items
// come back without ids or document; Store.Replace gives them both.
func BuildItems(ctx context.Context, products Products, currency string, reqs []ItemRequest) ([]Item, error) {
	var v validate.V
	switch {
	case len(reqs) == 0:
		v.Add("items", "required")
	case len(reqs) > MaxItems:
		v.Add("items", "too_many", MaxItems)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	catalogue, err := lookup(ctx, products, reqs)
	if err != nil {
		return nil, err
	}
	items := make([]Item, len(reqs))
	for i, r := range reqs {
		items[i] = buildItem(&v, fmt.Sprintf("items[%d].", i), r, catalogue, currency)
		items[i].Position = i + 1
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return items, nil
}

func lookup(ctx context.Context, products Products, reqs []ItemRequest) (map[string]product.Product, error) {
	var ids []string
	for _, r := range reqs {
		if r.ProductID != nil && strings.TrimSpace(*r.ProductID) != "" {
			ids = append(ids, strings.TrimSpace(*r.ProductID))
		}
	}
	return products.Lookup(ctx, ids)
}

func buildItem(v *validate.V, f string, r ItemRequest, catalogue map[string]product.Product, currency string) Item {
	it := Item{Name: strings.TrimSpace(r.Name), Description: strings.TrimSpace(r.Description),
		Unit: strings.TrimSpace(r.Unit)}
	var p *product.Product
	if r.ProductID != nil && strings.TrimSpace(*r.ProductID) != "" {
		id := strings.TrimSpace(*r.ProductID)
		found, ok := catalogue[id]
		switch {
		case !ok:
			v.Add(f+"product_id", "unknown_ref", "product")
		case !found.Active:
			v.Add(f+"product_id", "product_inactive")
		default:
			p = &found
			it.ProductID = &found.ID
			if it.Name == "" {
				it.Name = found.Name
			}
			if it.Unit == "" {
				it.Unit = found.Unit
			}
		}
	}
	if v.Required(f+"name", it.Name) {
		v.MaxLen(f+"name", it.Name, maxName)
	}
	v.MaxLen(f+"description", it.Description, maxDescription)
	v.MaxLen(f+"unit", it.Unit, maxUnit)

	line := pricing.Line{}
	var ok bool
	if r.Quantity == nil {
		v.Add(f+"quantity", "required")
	} else if line.Quantity, ok = v.Decimal(f+"quantity", r.Quantity, pricing.QuantityScale, decimal.Zero,
		pricing.MaxQuantity); ok && line.Quantity.IsZero() {
		v.Add(f+"quantity", "between", "0.0001", pricing.MaxQuantity.String())
	}
	switch {
	case r.UnitPrice != nil:
		line.UnitPrice, _ = v.Money(f+"unit_price", r.UnitPrice, false)
	case p != nil && p.Currency != currency:
		v.Add(f+"unit_price", "currency_mismatch", p.Currency)
	case p != nil:
		line.UnitPrice = p.Price
	default:
		v.Add(f+"unit_price", "required")
	}
	line.DiscountPercent = optDecimal(v, f+"discount_percent", r.DiscountPercent, pricing.PercentScale, hundred)
	line.TaxRate = optDecimal(v, f+"tax_rate", r.TaxRate, pricing.RateScale, one)

	t := pricing.Compute(line)
	if t.Gross > money.Max || t.Total > money.Max {
		v.Add(f+"quantity", "money_range")
	}
	it.Quantity, it.UnitPrice = line.Quantity.String(), line.UnitPrice
	it.DiscountPercent, it.TaxRate = line.DiscountPercent.String(), line.TaxRate.String()
	it.Gross, it.Discount, it.Net, it.Tax, it.Total = t.Gross, t.Discount, t.Net, t.Tax, t.Total
	return it
}

// optDecimal reads an optional decimal in [0, hi]; absent is 0.
func optDecimal(v *validate.V, field string, s *string, scale int32, hi decimal.Decimal) decimal.Decimal {
	d, _ := v.Decimal(field, s, scale, decimal.Zero, hi)
	return d
}

// Totals sums a document's rounded lines (pricing.Sum).
func Totals(items []Item) pricing.Totals {
	lines := make([]pricing.LineTotals, len(items))
	for i, it := range items {
		lines[i] = pricing.LineTotals{Gross: it.Gross, Discount: it.Discount, Net: it.Net, Tax: it.Tax,
			Total: it.Total}
	}
	return pricing.Sum(lines)
}

// MaxDiscount is the largest discount_percent among the lines.
func MaxDiscount(items []Item) decimal.Decimal {
	top := decimal.Zero
	for _, it := range items {
		if d, err := decimal.NewFromString(it.DiscountPercent); err == nil && d.GreaterThan(top) {
			top = d
		}
	}
	return top
}
