package product

import (
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
)

// ProductResponse is a catalogue entry as clients see it. cost and
// margin_percent are present only for callers allowed to see costs
// (admins and managers; API keys with products:write) and only when the
// cost is known.
type ProductResponse struct {
	ID       string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	SKU      string `json:"sku" example:"VMC-650"`
	Name     string `json:"name" example:"立式加工中心 VMC-650"`
	Category string `json:"category" example:"数控机床"`
	Unit     string `json:"unit" example:"台"`
	// List price, a decimal string with two places.
	Price string `json:"price" example:"1280000.00"`
	// Cost price; only for callers allowed to see costs, and only when known.
	Cost string `json:"cost,omitempty" extensions:"x-optional" example:"960000.00"`
	// (price − cost) / price in percent, two places (negative when sold at
	// a loss); present with cost, except when the price is zero.
	MarginPercent string    `json:"margin_percent,omitempty" extensions:"x-optional" example:"25.00"`
	Currency      string    `json:"currency" example:"CNY"`
	Active        bool      `json:"active" example:"true"`
	Description   string    `json:"description" example:"三轴立式加工中心，工作台 650×400 mm"`
	CreatedBy     string    `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int       `json:"version" example:"1"`
} // @name Product

// View maps a product to its full response, cost included: the audit
// log's view.
func View(p *Product) ProductResponse {
	r := ProductResponse{ID: p.ID, SKU: p.SKU, Name: p.Name, Category: p.Category, Unit: p.Unit,
		Price: p.Price.String(), Currency: p.Currency, Active: p.Active, Description: p.Description,
		CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
	if p.Cost != nil {
		r.Cost = p.Cost.String()
	}
	if m, ok := p.MarginPercent(); ok {
		r.MarginPercent = m.StringFixed(2)
	}
	return r
}

// Present is the product as actor may see it: without cost and margin
// unless they hold products:cost.
func Present(a *authz.Actor, p *Product) ProductResponse {
	r := View(p)
	if !a.Can("products:cost") {
		r.Cost, r.MarginPercent = "", ""
	}
	return r
}

// ProductList is a page of products.
type ProductList struct {
	Data       []ProductResponse `json:"data"`
	NextCursor string            `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool              `json:"has_more"`
	Total      *int64            `json:"total,omitempty" extensions:"x-optional"`
} // @name ProductList

// ProductCreateRequest is the body of POST /products.
type ProductCreateRequest struct {
	// Letters, digits, ".", "_" and "-"; unique ignoring case.
	SKU      string `json:"sku" validate:"required" example:"VMC-650"`
	Name     string `json:"name" validate:"required" example:"立式加工中心 VMC-650"`
	Category string `json:"category" example:"数控机床"`
	Unit     string `json:"unit" example:"台"`
	// Decimal string, at most two places, not negative.
	Price *string `json:"price" validate:"required" example:"1280000.00"`
	// Decimal string, at most two places, not negative; absent or "" when unknown.
	Cost *string `json:"cost" example:"960000.00"`
	// ISO 4217; default CNY.
	Currency string `json:"currency" example:"CNY"`
	// Default true.
	Active      *bool  `json:"active" example:"true"`
	Description string `json:"description" example:"三轴立式加工中心，工作台 650×400 mm"`
} // @name ProductCreateRequest

// ProductUpdateRequest is the body of PATCH /products/{id}; absent fields
// stay. cost "" clears the cost (unknown).
type ProductUpdateRequest struct {
	SKU         *string `json:"sku" example:"VMC-650"`
	Name        *string `json:"name" example:"立式加工中心 VMC-650"`
	Category    *string `json:"category" example:"数控机床"`
	Unit        *string `json:"unit" example:"台"`
	Price       *string `json:"price" example:"1250000.00"`
	Cost        *string `json:"cost" example:"955000.00"`
	Currency    *string `json:"currency" example:"CNY"`
	Active      *bool   `json:"active" example:"false"`
	Description *string `json:"description" example:"三轴立式加工中心，工作台 650×400 mm"`
} // @name ProductUpdateRequest

// CategoryResponse is one product category and how many products it holds.
type CategoryResponse struct {
	Name string `json:"name" example:"数控机床"`
	// Count counts every product in the category, ActiveCount the active ones.
	Count       int64 `json:"count" example:"12"`
	ActiveCount int64 `json:"active_count" example:"10"`
} // @name ProductCategory

// CategoryList is every non-empty category, by name.
type CategoryList struct {
	Data []CategoryResponse `json:"data"`
} // @name ProductCategoryList
