package order

import (
	"context"
	"fmt"
	"time"

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/salesdoc"
	"gorm.io/gorm"
)

// docType keys order lines in document_items.
const docType = "order"

// Store reads and writes orders. Reads start from scoped, so the data
// scope cannot be forgotten; the one unscoped read (GetAny) serves the
// approval engine, which authorises its own callers.
type Store struct {
	db    *db.DB
	items *salesdoc.Store
}

// NewStore builds a Store.
func NewStore(d *db.DB, items *salesdoc.Store) *Store { return &Store{db: d, items: items} }

func (s *Store) scoped(ctx context.Context, a *authz.Actor) *gorm.DB {
	return authz.Scope(a, "orders.owner_id")(s.db.Conn(ctx).Model(&Order{}))
}

func (s *Store) take(ctx context.Context, q *gorm.DB, id string) (*Order, error) {
	return salesdoc.TakeDoc[Order](ctx, s.items, q, docType, "order", "orders", id)
}

// Get loads an order in the actor's scope, with its lines.
func (s *Store) Get(ctx context.Context, a *authz.Actor, id string) (*Order, error) {
	return s.take(ctx, s.scoped(ctx, a), id)
}

// GetAny loads any order, with its lines.
func (s *Store) GetAny(ctx context.Context, id string) (*Order, error) {
	return s.take(ctx, s.db.Conn(ctx).Model(&Order{}), id)
}

func (s *Store) withItems(ctx context.Context, docs []*Order) error {
	return salesdoc.AttachLines(ctx, s.items, docType, docs)
}

// Filter narrows an order list.
type Filter struct {
	Status, PaymentStatus                 []string
	CustomerID, QuoteID, OpportunityID, Q string
	ContractID                            string
	CreatedFrom, CreatedTo                *time.Time // To exclusive
}

// Query is the scoped, filtered base of GET /orders.
func (s *Store) Query(ctx context.Context, a *authz.Actor, f Filter) *gorm.DB {
	q := s.scoped(ctx, a)
	for col, v := range map[string]string{"orders.customer_id": f.CustomerID, "orders.quote_id": f.QuoteID,
		"orders.opportunity_id": f.OpportunityID, "orders.contract_id": f.ContractID} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if len(f.Status) > 0 {
		q = q.Where("orders.status IN ?", f.Status)
	}
	if len(f.PaymentStatus) > 0 {
		q = q.Where("orders.payment_status IN ?", f.PaymentStatus)
	}
	if f.Q != "" {
		q = db.Contains(q, f.Q, "orders.number")
	}
	if f.CreatedFrom != nil {
		q = q.Where("orders.created_at >= ?", *f.CreatedFrom)
	}
	if f.CreatedTo != nil {
		q = q.Where("orders.created_at < ?", *f.CreatedTo)
	}
	return q
}

// Fetch pages a query and loads the lines of the page.
func (s *Store) Fetch(ctx context.Context, q *paging.Query[Order], base *gorm.DB) (paging.Page[Order], error) {
	page, err := q.Fetch(base)
	if err != nil {
		return page, fmt.Errorf("order.list: %w", err)
	}
	ptrs := make([]*Order, len(page.Data))
	for i := range page.Data {
		ptrs[i] = &page.Data[i]
	}
	return page, s.withItems(ctx, ptrs)
}

// Create inserts an order with its lines.
func (s *Store) Create(ctx context.Context, o *Order) error {
	if err := s.db.Conn(ctx).Omit("Items").Create(o).Error; err != nil {
		if db.IsDuplicate(err) {
			return apperr.Conflict("already_converted", "already_converted")
		}
		return fmt.Errorf("order.create: %w", err)
	}
	return s.items.Replace(ctx, docType, o.ID, o.Items)
}

// mutable lists the columns a write may change.
var mutable = []string{"opportunity_id", "contract_id", "currency", "delivery_date", "shipping_address", "notes",
	"status", "payment_status", "subtotal", "discount_total", "tax_total", "total", "carrier", "tracking_number",
	"submitted_at", "approved_at", "shipped_at", "delivered_at", "completed_at", "cancelled_at", "cancel_reason",
	"updated_at", "version"}

// Save writes o back if it is still at version read (else 412); lines
// are rewritten when itemsChanged.
func (s *Store) save(ctx context.Context, o *Order, read int, itemsChanged bool) error {
	res := s.db.Conn(ctx).Model(&Order{}).Where("id = ? AND version = ?", o.ID, read).Select(mutable).
		UpdateColumns(o)
	if res.Error != nil {
		return fmt.Errorf("order.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	if itemsChanged {
		return s.items.Replace(ctx, docType, o.ID, o.Items)
	}
	return nil
}

// spec is what order lists sort by.
var spec = paging.Spec[Order]{
	Columns: map[string]paging.Column[Order]{
		"created_at": {Expr: "orders.created_at", Time: true, Get: func(o *Order) any { return o.CreatedAt }},
		"number":     {Expr: "orders.number", Get: func(o *Order) any { return o.Number }},
		"total":      {Expr: "orders.total", Number: true, Get: func(o *Order) any { return o.Total }},
	},
	Default: "-created_at",
	IDExpr:  "orders.id",
	ID:      func(o *Order) string { return o.ID },
}
