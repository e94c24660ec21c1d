package order

import (
	"time"

	"github.com/opencrm/crm/internal/salesdoc"
)

// OrderResponse is an order as clients see it. Money fields are decimal
// strings in currency.
type OrderResponse struct {
	ID              string  `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b10"`
	Number          string  `json:"number" example:"SO-20261122-0001"`
	CustomerID      string  `json:"customer_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	QuoteID         *string `json:"quote_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b00"`
	OpportunityID   *string `json:"opportunity_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a80"`
	ContractID      *string `json:"contract_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b20"`
	Currency        string  `json:"currency" example:"CNY"`
	DeliveryDate    *string `json:"delivery_date" extensions:"x-nullable" example:"2026-12-20"`
	ShippingAddress string  `json:"shipping_address" example:"江苏省苏州市工业园区星湖街 328 号"`
	Notes           string  `json:"notes" example:"分两批发货"`
	Status          string  `json:"status" enums:"draft,submitted,approved,shipped,delivered,completed,cancelled" example:"draft"`
	PaymentStatus   string  `json:"payment_status" enums:"unpaid,partially_paid,paid" example:"unpaid"`
	// Σ line gross.
	Subtotal string `json:"subtotal" example:"2560000.00"`
	// Σ line discount.
	DiscountTotal string `json:"discount_total" example:"128000.00"`
	// Σ line tax.
	TaxTotal string `json:"tax_total" example:"316160.00"`
	// Σ line total (net + tax).
	Total          string                  `json:"total" example:"2748160.00"`
	Items          []salesdoc.ItemResponse `json:"items"`
	Carrier        string                  `json:"carrier" example:"顺丰速运"`
	TrackingNumber string                  `json:"tracking_number" example:"SF1234567890"`
	CancelReason   string                  `json:"cancel_reason" example:""`
	OwnerID        string                  `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedBy      string                  `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	SubmittedAt    *time.Time              `json:"submitted_at" extensions:"x-nullable"`
	ApprovedAt     *time.Time              `json:"approved_at" extensions:"x-nullable"`
	ShippedAt      *time.Time              `json:"shipped_at" extensions:"x-nullable"`
	DeliveredAt    *time.Time              `json:"delivered_at" extensions:"x-nullable"`
	CompletedAt    *time.Time              `json:"completed_at" extensions:"x-nullable"`
	CancelledAt    *time.Time              `json:"cancelled_at" extensions:"x-nullable"`
	CreatedAt      time.Time               `json:"created_at"`
	UpdatedAt      time.Time               `json:"updated_at"`
	Version        int                     `json:"version" example:"1"`
} // @name Order

// View maps an order to its response: the API's, the audit log's and the
// events' payload.
func View(o *Order) OrderResponse {
	return OrderResponse{ID: o.ID, Number: o.Number, CustomerID: o.CustomerID, QuoteID: o.QuoteID,
		OpportunityID: o.OpportunityID, ContractID: o.ContractID, Currency: o.Currency, DeliveryDate: o.DeliveryDate,
		ShippingAddress: o.ShippingAddress, Notes: o.Notes, Status: o.Status, PaymentStatus: o.PaymentStatus,
		Subtotal: o.Subtotal.String(), DiscountTotal: o.DiscountTotal.String(), TaxTotal: o.TaxTotal.String(),
		Total: o.Total.String(), Items: salesdoc.ItemViews(o.Items), Carrier: o.Carrier,
		TrackingNumber: o.TrackingNumber, CancelReason: o.CancelReason, OwnerID: o.OwnerID, CreatedBy: o.CreatedBy,
		SubmittedAt: o.SubmittedAt, ApprovedAt: o.ApprovedAt, ShippedAt: o.ShippedAt, DeliveredAt: o.DeliveredAt,
		CompletedAt: o.CompletedAt, CancelledAt: o.CancelledAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		Version: o.Version}
}

// OrderList is a page of orders.
type OrderList struct {
	Data       []OrderResponse `json:"data"`
	NextCursor string          `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool            `json:"has_more"`
	Total      *int64          `json:"total,omitempty" extensions:"x-optional"`
} // @name OrderList

// OrderCreateRequest is the body of POST /orders.
type OrderCreateRequest struct {
	// A customer in your data scope.
	CustomerID string `json:"customer_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	// A quote of the same customer in your scope; a quote has at most one order.
	QuoteID *string `json:"quote_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b00"`
	// An opportunity of the same customer in your scope.
	OpportunityID *string `json:"opportunity_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a80"`
	// The contract this order falls under (a plain reference).
	ContractID *string `json:"contract_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b20"`
	// ISO 4217; default CNY.
	Currency string `json:"currency" example:"CNY"`
	// 1 to 200 lines.
	Items []salesdoc.ItemRequest `json:"items" validate:"required"`
	// A date, 2026-12-20.
	DeliveryDate    *string `json:"delivery_date" example:"2026-12-20"`
	ShippingAddress string  `json:"shipping_address" example:"江苏省苏州市工业园区星湖街 328 号"`
	Notes           string  `json:"notes" example:"分两批发货"`
} // @name OrderCreateRequest

// OrderUpdateRequest is the body of PATCH /orders/{id}; absent fields stay,
// items (when given) replace every line.
type OrderUpdateRequest struct {
	OpportunityID   *string                `json:"opportunity_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a80"`
	ContractID      *string                `json:"contract_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b20"`
	Currency        *string                `json:"currency" example:"CNY"`
	Items           []salesdoc.ItemRequest `json:"items"`
	DeliveryDate    *string                `json:"delivery_date" example:"2026-12-22"`
	ShippingAddress *string                `json:"shipping_address" example:"江苏省苏州市工业园区星湖街 328 号"`
	Notes           *string                `json:"notes" example:"一次发货"`
} // @name OrderUpdateRequest

// ShipRequest is the body of POST /orders/{id}/ship.
type ShipRequest struct {
	Carrier        string `json:"carrier" validate:"required" example:"顺丰速运"`
	TrackingNumber string `json:"tracking_number" validate:"required" example:"SF1234567890"`
} // @name OrderShipRequest

// CancelRequest is the body of POST /orders/{id}/cancel.
type CancelRequest struct {
	Reason string `json:"reason" validate:"required" example:"客户取消采购计划"`
} // @name OrderCancelRequest
