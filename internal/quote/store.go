package quote

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/salesdoc"
	"gorm.io/gorm"
)

// docType keys quote lines in document_items.
const docType = "quote"

// Store reads and writes quotes. Reads start from scoped, so the data
// scope cannot be forgotten; the unscoped reads serve the approval engine
// and the expiry sweep, which authorise themselves.
type Store struct {
	db    *db.DB
	items *salesdoc.Store
}

// NewStore builds a Store.
func NewStore(d *db.DB, items *salesdoc.Store) *Store { return &Store{db: d, items: items} }

func (s *Store) scoped(ctx context.Context, a *authz.Actor) *gorm.DB {
	return authz.Scope(a, "quotes.owner_id")(s.db.Conn(ctx).Model(&Quote{}))
}

func (s *Store) take(ctx context.Context, q *gorm.DB, id string) (*Quote, error) {
	return salesdoc.TakeDoc[Quote](ctx, s.items, q, docType, "quote", "quotes", id)
}

// Get loads a quote revision in the actor's scope, with its lines.
func (s *Store) Get(ctx context.Context, a *authz.Actor, id string) (*Quote, error) {
	return s.take(ctx, s.scoped(ctx, a), id)
}

// GetAny loads any quote revision, with its lines.
func (s *Store) GetAny(ctx context.Context, id string) (*Quote, error) {
	return s.take(ctx, s.db.Conn(ctx).Model(&Quote{}), id)
}

func (s *Store) withItems(ctx context.Context, docs []*Quote) error {
	return salesdoc.AttachLines(ctx, s.items, docType, docs)
}

// Revisions loads every revision of a number in the actor's scope, oldest
// first.
func (s *Store) Revisions(ctx context.Context, a *authz.Actor, number string) ([]Quote, error) {
	var out []Quote
	if err := s.scoped(ctx, a).Where("quotes.number = ?", number).Order("quotes.revision").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("quote.revisions: %w", err)
	}
	ptrs := make([]*Quote, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, s.withItems(ctx, ptrs)
}

// Filter narrows a quote list.
type Filter struct {
	Status                               []string
	CustomerID, OpportunityID, Number, Q string
	// AllRevisions lists superseded revisions too.
	AllRevisions           bool
	CreatedFrom, CreatedTo *time.Time // To exclusive
}

// Query is the scoped, filtered base of GET /quotes.
func (s *Store) Query(ctx context.Context, a *authz.Actor, f Filter) *gorm.DB {
	q := s.scoped(ctx, a)
	for col, v := range map[string]string{"quotes.customer_id": f.CustomerID,
		"quotes.opportunity_id": f.OpportunityID, "quotes.number": f.Number} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if len(f.Status) > 0 {
		q = q.Where("quotes.status IN ?", f.Status)
	}
	// Asking for superseded revisions by status shows them.
	if !f.AllRevisions && !slices.Contains(f.Status, StatusSuperseded) {
		q = q.Where("quotes.status <> ?", StatusSuperseded)
	}
	if f.Q != "" {
		q = db.Contains(q, f.Q, "quotes.number")
	}
	if f.CreatedFrom != nil {
		q = q.Where("quotes.created_at >= ?", *f.CreatedFrom)
	}
	if f.CreatedTo != nil {
		q = q.Where("quotes.created_at < ?", *f.CreatedTo)
	}
	return q
}

// Fetch pages a query and loads the lines of the page.
func (s *Store) Fetch(ctx context.Context, q *paging.Query[Quote], base *gorm.DB) (paging.Page[Quote], error) {
	page, err := q.Fetch(base)
	if err != nil {
		return page, fmt.Errorf("quote.list: %w", err)
	}
	ptrs := make([]*Quote, len(page.Data))
	for i := range page.Data {
		ptrs[i] = &page.Data[i]
	}
	return page, s.withItems(ctx, ptrs)
}

// Expiring lists up to limit approved or sent quotes valid until before
// day (YYYY-MM-DD), after the id after, by id.
func (s *Store) Expiring(ctx context.Context, day, after string, limit int) ([]Quote, error) {
	var out []Quote
	err := s.db.Conn(ctx).Where("status IN ? AND valid_until < ? AND id > ?",
		[]string{StatusApproved, StatusSent}, day, after).Order("id").Limit(limit).Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("quote.expiring: %w", err)
	}
	return out, nil
}

// Create inserts a quote revision with its lines. A revision number taken
// meanwhile (two concurrent revises) is a 409.
func (s *Store) Create(ctx context.Context, q *Quote) error {
	if err := s.db.Conn(ctx).Omit("Items").Create(q).Error; err != nil {
		if db.IsDuplicate(err) {
			return salesdoc.InvalidTransition()
		}
		return fmt.Errorf("quote.create: %w", err)
	}
	return s.items.Replace(ctx, docType, q.ID, q.Items)
}

// mutable lists the columns a write may change.
var mutable = []string{"opportunity_id", "contact_id", "currency", "valid_until", "notes", "status", "subtotal",
	"discount_total", "tax_total", "total", "submitted_at", "approved_at", "sent_at", "accepted_at", "rejected_at",
	"reject_reason", "expired_at", "converted_order_id", "updated_at", "version"}

// save writes q back if it is still at version read (else 412); lines
// are rewritten when itemsChanged.
func (s *Store) save(ctx context.Context, q *Quote, read int, itemsChanged bool) error {
	res := s.db.Conn(ctx).Model(&Quote{}).Where("id = ? AND version = ?", q.ID, read).Select(mutable).
		UpdateColumns(q)
	if res.Error != nil {
		return fmt.Errorf("quote.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	if itemsChanged {
		return s.items.Replace(ctx, docType, q.ID, q.Items)
	}
	return nil
}

// spec is what quote lists sort by.
var spec = paging.Spec[Quote]{
	Columns: map[string]paging.Column[Quote]{
		"created_at": {Expr: "quotes.created_at", Time: true, Get: func(q *Quote) any { return q.CreatedAt }},
		"number":     {Expr: "quotes.number", Get: func(q *Quote) any { return q.Number }},
		"total":      {Expr: "quotes.total", Number: true, Get: func(q *Quote) any { return q.Total }},
	},
	Default: "-created_at",
	IDExpr:  "quotes.id",
	ID:      func(q *Quote) string { return q.ID },
}
