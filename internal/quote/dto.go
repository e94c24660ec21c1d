package quote

import (
	"time"

	"github.com/opencrm/crm/internal/salesdoc"
)

// QuoteResponse is one revision of a quote as clients see it. Money fields
// are decimal strings in currency.
type QuoteResponse struct {
	ID     string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b00"`
	Number string `json:"number" example:"QT-20261122-0001"`
	// 1 for the first version; each revise adds one, sharing the number.
	Revision      int     `json:"revision" example:"1"`
	CustomerID    string  `json:"customer_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	OpportunityID *string `json:"opportunity_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a80"`
	ContactID     *string `json:"contact_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a75"`
	Currency      string  `json:"currency" example:"CNY"`
	// Last day the quote is valid, in the organisation's time zone.
	ValidUntil *string `json:"valid_until" extensions:"x-nullable" example:"2026-12-31"`
	Notes      string  `json:"notes" example:"含运费，安装调试另计"`
	Status     string  `json:"status" enums:"draft,pending_approval,approved,sent,accepted,rejected,expired,superseded" example:"draft"`
	// Σ line gross.
	Subtotal string `json:"subtotal" example:"2560000.00"`
	// Σ line discount.
	DiscountTotal string `json:"discount_total" example:"128000.00"`
	// Σ line tax.
	TaxTotal string `json:"tax_total" example:"316160.00"`
	// Σ line total (net + tax).
	Total       string                  `json:"total" example:"2748160.00"`
	Items       []salesdoc.ItemResponse `json:"items"`
	OwnerID     string                  `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedBy   string                  `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	SubmittedAt *time.Time              `json:"submitted_at" extensions:"x-nullable"`
	ApprovedAt  *time.Time              `json:"approved_at" extensions:"x-nullable"`
	SentAt      *time.Time              `json:"sent_at" extensions:"x-nullable"`
	AcceptedAt  *time.Time              `json:"accepted_at" extensions:"x-nullable"`
	RejectedAt  *time.Time              `json:"rejected_at" extensions:"x-nullable"`
	// Why the customer declined.
	RejectReason string     `json:"reject_reason" example:""`
	ExpiredAt    *time.Time `json:"expired_at" extensions:"x-nullable"`
	// The order made from this quote, once converted.
	ConvertedOrderID *string   `json:"converted_order_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b10"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
	Version          int       `json:"version" example:"1"`
} // @name Quote

// View maps a quote to its response: the API's, the audit log's and the
// events' payload.
func View(q *Quote) QuoteResponse {
	return QuoteResponse{ID: q.ID, Number: q.Number, Revision: q.Revision, CustomerID: q.CustomerID,
		OpportunityID: q.OpportunityID, ContactID: q.ContactID, Currency: q.Currency, ValidUntil: q.ValidUntil,
		Notes: q.Notes, Status: q.Status, Subtotal: q.Subtotal.String(), DiscountTotal: q.DiscountTotal.String(),
		TaxTotal: q.TaxTotal.String(), Total: q.Total.String(), Items: salesdoc.ItemViews(q.Items),
		OwnerID: q.OwnerID, CreatedBy: q.CreatedBy, SubmittedAt: q.SubmittedAt, ApprovedAt: q.ApprovedAt,
		SentAt: q.SentAt, AcceptedAt: q.AcceptedAt, RejectedAt: q.RejectedAt, RejectReason: q.RejectReason,
		ExpiredAt: q.ExpiredAt, ConvertedOrderID: q.ConvertedOrderID, CreatedAt: q.CreatedAt,
		UpdatedAt: q.UpdatedAt, Version: q.Version}
}

// QuoteList is a page of quotes.
type QuoteList struct {
	Data       []QuoteResponse `json:"data"`
	NextCursor string          `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool            `json:"has_more"`
	Total      *int64          `json:"total,omitempty" extensions:"x-optional"`
} // @name QuoteList

// RevisionList is every revision of a quote, oldest first.
type RevisionList struct {
	Data []QuoteResponse `json:"data"`
} // @name QuoteRevisionList

// QuoteCreateRequest is the body of POST /quotes.
type QuoteCreateRequest struct {
	// A customer in your data scope.
	CustomerID string `json:"customer_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	// An opportunity of the same customer in your scope.
	OpportunityID *string `json:"opportunity_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a80"`
	// A contact of the same customer.
	ContactID *string `json:"contact_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a75"`
	// ISO 4217; default CNY.
	Currency string `json:"currency" example:"CNY"`
	// A date, 2026-12-31: the last day the quote is valid.
	ValidUntil *string `json:"valid_until" example:"2026-12-31"`
	// 1 to 200 lines.
	Items []salesdoc.ItemRequest `json:"items" validate:"required"`
	Notes string                 `json:"notes" example:"含运费，安装调试另计"`
} // @name QuoteCreateRequest

// QuoteUpdateRequest is the body of PATCH /quotes/{id}; absent fields stay,
// items (when given) replace every line.
type QuoteUpdateRequest struct {
	OpportunityID *string                `json:"opportunity_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a80"`
	ContactID     *string                `json:"contact_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a75"`
	Currency      *string                `json:"currency" example:"CNY"`
	ValidUntil    *string                `json:"valid_until" example:"2027-01-15"`
	Items         []salesdoc.ItemRequest `json:"items"`
	Notes         *string                `json:"notes" example:"含运费"`
} // @name QuoteUpdateRequest

// RejectRequest is the body of POST /quotes/{id}/reject: why the customer
// declined.
type RejectRequest struct {
	Reason string `json:"reason" validate:"required" example:"价格高于竞品"`
} // @name QuoteRejectRequest
