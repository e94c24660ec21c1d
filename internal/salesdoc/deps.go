package salesdoc

import (
	"context"
	"time"

	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/settings"
)

// Events is the business-event outbox (event.Writer).
type Events interface {
	Record(ctx context.Context, typ, entityType, entityID string, payload any) error
}

// Numbers issues business numbers (docnum.Generator).
type Numbers interface {
	Next(ctx context.Context, prefix string, now time.Time, loc *time.Location) (string, error)
}

// Settings reads the organisation settings (settings.Service).
type Settings interface {
	Current(ctx context.Context) (settings.Values, error)
}

// Submission is a document sent for approval.
type Submission struct {
	// Entity is "quote" or "order".
	Entity, DocID, Title, CustomerID string
	Amount                           money.Amount
}

// Approvals is the approval engine as documents use it: Submit opens a
// request in the caller's transaction; Withdraw closes the pending one of
// a document that was edited or cancelled. The engine calls the document
// back when the request is decided.
type Approvals interface {
	Submit(ctx context.Context, s Submission) error
	Withdraw(ctx context.Context, entity, docID, reason string) error
}

// Deps is what the quote and order services share.
type Deps struct {
	DB       *db.DB
	Audit    *audit.Writer
	Events   Events
	Numbers  Numbers
	Settings Settings
	Products Products
	Items    *Store
	Refs     *Refs
}

// NextNumber issues the next PREFIX-YYYYMMDD-NNNN on the organisation's
// business day; call it inside the creating transaction.
func (d *Deps) NextNumber(ctx context.Context, prefix string, now time.Time) (string, error) {
	vals, err := d.Settings.Current(ctx)
	if err != nil {
		return "", err
	}
	return d.Numbers.Next(ctx, prefix, now, vals.Timezone.Location())
}

// Today is the current date (2026-11-22) in the organisation's time zone.
func (d *Deps) Today(ctx context.Context) (string, error) {
	vals, err := d.Settings.Current(ctx)
	if err != nil {
		return "", err
	}
	return db.Now().In(vals.Timezone.Location()).Format(time.DateOnly), nil
}
