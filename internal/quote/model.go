// Package quote owns quotes (报价单): numbered QT-YYYYMMDD-NNNN, priced line
// by line (package pricing), and moved by one endpoint per action:
//
//	draft → submit → approved, or pending_approval when a line's discount
//	  is above the quote_discount_approval_threshold setting (the approval
//	  engine then approves, or rejects back to draft)
//	approved → send → sent → accept → accepted | reject → rejected
//	approved, sent → expired (sweep, the day after valid_until in the
//	  organisation's time zone)
//	accepted → convert → an order with the same lines (once)
//	approved, sent, rejected, expired → revise → a new draft revision
//
// Revisions share the number; each is a row of its own, and the one it
// replaces becomes superseded and stays readable. Only a draft can be
// edited; editing a quote pending approval withdraws the request and puts
// it back to draft. Every move writes an event in its transaction.
package quote

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
	authz.Grant("quotes:read", all...)
	authz.Grant("quotes:write", all...)
	i18n.RegisterWords(map[string]string{"quote": "报价单"})
}

// Statuses of a quote.
const (
	StatusDraft      = "draft"
	StatusPending    = "pending_approval"
	StatusApproved   = "approved"
	StatusSent       = "sent"
	StatusAccepted   = "accepted"
	StatusRejected   = "rejected"
	StatusExpired    = "expired"
	StatusSuperseded = "superseded"
)

// Statuses lists them in lifecycle order.
var Statuses = []string{StatusDraft, StatusPending, StatusApproved, StatusSent, StatusAccepted, StatusRejected,
	StatusExpired, StatusSuperseded}

// transitions lists, per action, the statuses it may start from and the
// one it leads to. submit leads to approved or pending_approval: the
// service decides.
var transitions = map[string]struct {
	from []string
	to   string
}{
	"submit":          {[]string{StatusDraft}, StatusApproved},
	"approve":         {[]string{StatusPending}, StatusApproved},
	"approval_reject": {[]string{StatusPending}, StatusDraft},
	"send":            {[]string{StatusApproved}, StatusSent},
	"accept":          {[]string{StatusSent}, StatusAccepted},
	"reject":          {[]string{StatusSent}, StatusRejected},
	"expire":          {[]string{StatusApproved, StatusSent}, StatusExpired},
	"convert":         {[]string{StatusAccepted}, StatusAccepted},
	"revise":          {[]string{StatusApproved, StatusSent, StatusRejected, StatusExpired}, StatusSuperseded},
}

// Quote is one revision of a quote.
type Quote struct {
	ID            string
	Number        string
	Revision      int
	CustomerID    string
	OpportunityID *string
	ContactID     *string
	Currency      string
	ValidUntil    *string
	Notes         string
	Status        string
	Subtotal      money.Amount
	DiscountTotal money.Amount
	TaxTotal      money.Amount
	Total         money.Amount
	OwnerID       string
	CreatedBy     string
	SubmittedAt   *time.Time
	ApprovedAt    *time.Time
	SentAt        *time.Time
	AcceptedAt    *time.Time
	RejectedAt    *time.Time
	RejectReason  string
	ExpiredAt     *time.Time
	// ConvertedOrderID is the order made from the quote, once.
	ConvertedOrderID *string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Version          int

	Items []salesdoc.Item `gorm:"-"`
}

// TableName pins the table.
func (Quote) TableName() string { return "quotes" }

// CurrentVersion is the version as read (record.Versioned).
func (q *Quote) CurrentVersion() int { return q.Version }

// Touch moves the quote to its next version, changed at now.
func (q *Quote) Touch(now time.Time) { q.Version++; q.UpdatedAt = now }

// setItems makes items the quote's lines and recomputes its totals.
func (q *Quote) setItems(items []salesdoc.Item) {
	q.Items = items
	t := salesdoc.Totals(items)
	q.Subtotal, q.DiscountTotal, q.TaxTotal, q.Total = t.Subtotal, t.DiscountTotal, t.TaxTotal, t.Total
}

// allowed refuses an action the quote's status does not allow (409).
func (q *Quote) allowed(action string) error {
	if !slices.Contains(transitions[action].from, q.Status) {
		return salesdoc.InvalidTransition()
	}
	return nil
}

// moveTo sets the status an action led to and stamps when it got there.
func (q *Quote) moveTo(action, to string, at time.Time) {
	q.Status = to
	if action == "submit" {
		q.SubmittedAt = &at
	}
	stamp := map[string]**time.Time{StatusApproved: &q.ApprovedAt, StatusSent: &q.SentAt,
		StatusAccepted: &q.AcceptedAt, StatusRejected: &q.RejectedAt, StatusExpired: &q.ExpiredAt}
	if p, ok := stamp[to]; ok && action != "convert" {
		*p = &at
	}
}

// LineOwnerID keys the quote's lines in document_items.
func (q *Quote) LineOwnerID() string { return q.ID }

// AttachLines sets the lines loaded for the quote (totals are stored).
func (q *Quote) AttachLines(items []salesdoc.Item) { q.Items = items }
