// Package pricing computes line items and document totals exactly, the one
// way every document (opportunity, quote, order) does it:
//
//	gross    = round(quantity × unit_price)
//	net      = round(quantity × unit_price × (1 − discount_percent / 100))   the line total
//	discount = gross − net
//	tax      = round(net × tax_rate)                                           tax on the discounted line
//	total    = net + tax
//
// round is half away from zero (四舍五入) to the cent, applied once per
// figure from the exact product, never to a rounded intermediate. Document
// totals are sums of the rounded line figures: subtotal = Σ gross,
// discount_total = Σ discount, tax_total = Σ tax, total = Σ total.
package pricing

import (
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/shopspring/decimal"
)

var hundred = decimal.NewFromInt(100)

// Line is one item's inputs. DiscountPercent is 0–100; TaxRate a fraction
// (0.13 for 13 % VAT).
type Line struct {
	Quantity        decimal.Decimal
	UnitPrice       money.Amount
	DiscountPercent decimal.Decimal
	TaxRate         decimal.Decimal
}

// LineTotals are a line's rounded figures.
type LineTotals struct {
	Gross, Discount, Net, Tax, Total money.Amount
}

// Compute prices one line.
func Compute(l Line) LineTotals {
	exact := l.Quantity.Mul(l.UnitPrice.Decimal())
	gross := money.FromDecimal(exact)
	net := money.FromDecimal(exact.Mul(hundred.Sub(l.DiscountPercent)).Div(hundred))
	tax := money.FromDecimal(net.Decimal().Mul(l.TaxRate))
	return LineTotals{Gross: gross, Discount: gross - net, Net: net, Tax: tax, Total: net + tax}
}

// Totals are a document's sums.
type Totals struct {
	Subtotal, DiscountTotal, TaxTotal, Total money.Amount
}

// Sum adds rounded lines.
func Sum(lines []LineTotals) Totals {
	var t Totals
	for _, l := range lines {
		t.Subtotal += l.Gross
		t.DiscountTotal += l.Discount
		t.TaxTotal += l.Tax
		t.Total += l.Total
	}
	return t
}

// Limits on inputs, shared by every document's validation.
var (
	// MaxQuantity keeps quantity × price inside money.Max for sane prices.
	MaxQuantity = decimal.NewFromInt(1_000_000_000)
	// QuantityScale is the most decimal places a quantity may have.
	QuantityScale int32 = 4
	// PercentScale is the most decimal places a discount may have.
	PercentScale int32 = 2
	// RateScale is the most decimal places a tax rate may have.
	RateScale int32 = 4
)
