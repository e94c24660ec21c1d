package report

import "github.com/opencrm/crm/internal/platform/money"

// ProductSalesView is one product's sales in the span.
type ProductSalesView struct {
	Rank      int    `json:"rank" example:"1"`
	ProductID string `json:"product_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	SKU       string `json:"sku" example:"VMC-650"`
	Name      string `json:"name" example:"立式加工中心"`
	Category  string `json:"category" example:"机床"`
	// Active is whether the product is in the catalogue now.
	Active bool `json:"active" example:"true"`
	// Quantity is the sum of the lines' quantities, a decimal string.
	Quantity string `json:"quantity" example:"12.5"`
	// Revenue is the sum of the lines' net totals (after discount, before tax).
	Revenue string `json:"revenue" example:"15360000.00"`
	// Cost is the product's cost × quantity; null without products:cost or an unknown cost.
	Cost *string `json:"cost" extensions:"x-nullable" example:"11520000.00"`
	// Margin is revenue − cost; null like cost.
	Margin *string `json:"margin" extensions:"x-nullable" example:"3840000.00"`
	// MarginRate is margin / revenue to four places; null like cost or without revenue.
	MarginRate *string `json:"margin_rate" extensions:"x-nullable" example:"0.2500"`
} // @name ProductSalesRow

// ProductTotalsView sums the catalogue products sold in the span.
type ProductTotalsView struct {
	Quantity string `json:"quantity" example:"120"`
	Revenue  string `json:"revenue" example:"25360000.00"`
	// Cost is null without products:cost, or when a product sold has no known cost.
	Cost       *string `json:"cost" extensions:"x-nullable" example:"19020000.00"`
	Margin     *string `json:"margin" extensions:"x-nullable" example:"6340000.00"`
	MarginRate *string `json:"margin_rate" extensions:"x-nullable" example:"0.2500"`
} // @name ProductSalesTotals

// UnlistedSalesView is the free-text order lines (without a product).
type UnlistedSalesView struct {
	Lines    int64  `json:"lines" example:"3"`
	Quantity string `json:"quantity" example:"5"`
	Revenue  string `json:"revenue" example:"12000.00"`
} // @name ProductSalesUnlisted

// ProductsResponse is the product report.
type ProductsResponse struct {
	Range RangeView `json:"range"`
	Limit int       `json:"limit" example:"10"`
	// CostVisible says whether the caller may see cost and margin (products:cost).
	CostVisible bool `json:"cost_visible" example:"true"`
	// BestSellers are the products sold in the span, top limit by revenue.
	BestSellers []ProductSalesView `json:"best_sellers"`
	// WorstSellers are the active catalogue products, bottom limit by revenue, unsold ones included.
	WorstSellers []ProductSalesView `json:"worst_sellers"`
	Totals       ProductTotalsView  `json:"totals"`
	// Unlisted is the free-text lines; null when a category filter is given.
	Unlisted *UnlistedSalesView `json:"unlisted" extensions:"x-nullable"`
} // @name ProductsReport

// amountPtr is a money string, or nil.
func amountPtr(a *money.Amount) *string {
	if a == nil {
		return nil
	}
	s := a.String()
	return &s
}

func productSalesView(r ProductSales) ProductSalesView {
	return ProductSalesView{Rank: r.Rank, ProductID: r.ProductID, SKU: r.SKU, Name: r.Name, Category: r.Category,
		Active: r.Active, Quantity: quantityString(r.QuantityE4), Revenue: r.Revenue.String(),
		Cost: amountPtr(r.Cost), Margin: amountPtr(r.Margin), MarginRate: r.MarginRate}
}

func productsView(p *Products) ProductsResponse {
	out := ProductsResponse{Range: rangeView(p.Range), Limit: p.Limit, CostVisible: p.CostVisible,
		BestSellers: make([]ProductSalesView, len(p.BestSellers)), WorstSellers: make([]ProductSalesView, len(p.WorstSellers)),
		Totals: ProductTotalsView{Quantity: quantityString(p.Totals.QuantityE4), Revenue: p.Totals.Revenue.String(),
			Cost: amountPtr(p.Totals.Cost), Margin: amountPtr(p.Totals.Margin),
			MarginRate: p.Totals.MarginRate}}
	for i, r := range p.BestSellers {
		out.BestSellers[i] = productSalesView(r)
	}
	for i, r := range p.WorstSellers {
		out.WorstSellers[i] = productSalesView(r)
	}
	if u := p.Unlisted; u != nil {
		out.Unlisted = &UnlistedSalesView{Lines: u.Lines, Quantity: quantityString(u.QuantityE4), Revenue: u.Revenue.String()}
	}
	return out
}
