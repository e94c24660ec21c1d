// Package order owns sales orders (订单): numbered SO-YYYYMMDD-NNNN, priced
// line by line like quotes, and moved through their life by one endpoint
// per action:
//
//	draft → submit → submitted → (approval engine approves) → approved
//	  → ship → shipped → deliver → delivered → complete → completed
//	cancel (with a reason) from draft, submitted or approved
//
// Any other move is 409 invalid_transition. A rejected approval puts the
// order back to draft; editing a submitted order withdraws its approval
// and puts it back to draft, to be submitted again. Every move writes an
// event (order.submitted…) in its transaction. Orders are owned like
// customers (owner = creator, or the quote's owner for a converted quote)
// and seen under the same data scope.
package order

import (
	"slices"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/salesdoc"
)

func init() {
	all := []string{authz.RoleAdmin, authz.RoleManager, authz.RoleRep}
	authz.Grant("orders:read", all...)
	authz.Grant("orders:write", all...)
	i18n.RegisterWords(map[string]string{"order": "订单", "quote": "报价单"})
}

// Statuses of an order.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
	StatusApproved  = "approved"
	StatusShipped   = "shipped"
	StatusDelivered = "delivered"
	StatusCompleted = "completed"
	StatusCancelled = "cancelled"
)

// Statuses lists them in lifecycle order.
var Statuses = []string{StatusDraft, StatusSubmitted, StatusApproved, StatusShipped, StatusDelivered,
	StatusCompleted, StatusCancelled}

// Payment statuses, kept by the payments module.
var PaymentStatuses = []string{PaymentUnpaid, PaymentPartiallyPaid, PaymentPaid}

// Payment statuses, set from the payments on the order's contract.
const (
	PaymentUnpaid        = "unpaid"
	PaymentPartiallyPaid = "partially_paid"
	PaymentPaid          = "paid"
)

// transitions lists, per action, the statuses it may start from and the
// one it leads to. Approval decisions come from the engine, not a client.
var transitions = map[string]struct {
	from []string
	to   string
}{
	"submit":   {[]string{StatusDraft}, StatusSubmitted},
	"approve":  {[]string{StatusSubmitted}, StatusApproved},
	"reject":   {[]string{StatusSubmitted}, StatusDraft},
	"ship":     {[]string{StatusApproved}, StatusShipped},
	"deliver":  {[]string{StatusShipped}, StatusDelivered},
	"complete": {[]string{StatusDelivered}, StatusCompleted},
	"cancel":   {[]string{StatusDraft, StatusSubmitted, StatusApproved}, StatusCancelled},
}

// Order is a customer's order.
type Order struct {
	ID              string
	Number          string
	CustomerID      string
	QuoteID         *string
	OpportunityID   *string
	ContractID      *string
	Currency        string
	DeliveryDate    *string
	ShippingAddress string
	Notes           string
	Status          string
	PaymentStatus   string
	Subtotal        money.Amount
	DiscountTotal   money.Amount
	TaxTotal        money.Amount
	Total           money.Amount
	Carrier         string
	TrackingNumber  string
	OwnerID         string
	CreatedBy       string
	SubmittedAt     *time.Time
	ApprovedAt      *time.Time
	ShippedAt       *time.Time
	DeliveredAt     *time.Time
	CompletedAt     *time.Time
	CancelledAt     *time.Time
	CancelReason    string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Version         int

	Items []salesdoc.Item `gorm:"-"`
}

// TableName pins the table.
func (Order) TableName() string { return "orders" }

// CurrentVersion is the version as read (record.Versioned).
func (o *Order) CurrentVersion() int { return o.Version }

// Touch moves the order to its next version, changed at now.
func (o *Order) Touch(now time.Time) { o.Version++; o.UpdatedAt = now }

// setItems makes items the order's lines and recomputes its totals.
func (o *Order) setItems(items []salesdoc.Item) {
	o.Items = items
	t := salesdoc.Totals(items)
	o.Subtotal, o.DiscountTotal, o.TaxTotal, o.Total = t.Subtotal, t.DiscountTotal, t.TaxTotal, t.Total
}

// move checks that action may start from the order's status and moves it,
// stamping at with the time of the move; anything else is 409.
func (o *Order) move(action string, at time.Time) error {
	t := transitions[action]
	if !slices.Contains(t.from, o.Status) {
		return salesdoc.InvalidTransition()
	}
	o.Status = t.to
	stamp := map[string]**time.Time{StatusSubmitted: &o.SubmittedAt, StatusApproved: &o.ApprovedAt,
		StatusShipped: &o.ShippedAt, StatusDelivered: &o.DeliveredAt, StatusCompleted: &o.CompletedAt,
		StatusCancelled: &o.CancelledAt}
	if p, ok := stamp[t.to]; ok {
		*p = &at
	}
	return nil
}

// LineOwnerID keys the order's lines in document_items.
func (o *Order) LineOwnerID() string { return o.ID }

// AttachLines sets the lines loaded for the order (totals are stored).
func (o *Order) AttachLines(items []salesdoc.Item) { o.Items = items }
