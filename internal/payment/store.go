package payment

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/paging"
	"gorm.io/gorm"
)

// Store reads and writes payments, allocations and invoices; every read
// of a payment or invoice starts from the actor's data scope on its
// (copied) owner.
type Store struct{ db *db.DB }

// NewStore builds a Store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Filter narrows payment and invoice lists.
type Filter struct {
	ContractID, OrderID, CustomerID, OwnerID string
	Status, Method                           []string
	From, To                                 *time.Time // received_at (payments) or created_at (invoices)
}

func (f Filter) apply(q *gorm.DB, table, timeCol string) *gorm.DB {
	for col, v := range map[string]string{"contract_id": f.ContractID, "order_id": f.OrderID,
		"customer_id": f.CustomerID, "owner_id": f.OwnerID} {
		if v != "" {
			q = q.Where(table+"."+col+" = ?", v)
		}
	}
	if len(f.Status) > 0 {
		q = q.Where(table+".status IN ?", f.Status)
	}
	if len(f.Method) > 0 {
		q = q.Where(table+".method IN ?", f.Method)
	}
	if f.From != nil {
		q = q.Where(table+"."+timeCol+" >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where(table+"."+timeCol+" < ?", *f.To)
	}
	return q
}

func take[T any](q *gorm.DB, table, id, word string) (*T, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound(word)
	}
	var out T
	err := q.Where(table+".id = ?", id).Take(&out).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound(word)
	}
	if err != nil {
		return nil, fmt.Errorf("%s.get: %w", word, err)
	}
	return &out, nil
}

// ---- payments ----

func (s *Store) payments(ctx context.Context, a *authz.Actor) *gorm.DB {
	return authz.Scope(a, "payments.owner_id")(s.db.Conn(ctx).Model(&Payment{}))
}

// Payment loads a payment in the actor's scope with its allocations.
func (s *Store) Payment(ctx context.Context, a *authz.Actor, id string) (*Payment, error) {
	p, err := take[Payment](s.payments(ctx, a), "payments", id, "payment")
	if err != nil {
		return nil, err
	}
	return p, s.loadAllocations(ctx, []*Payment{p})
}

// PaymentQuery is the scoped, filtered base of GET /payments.
func (s *Store) PaymentQuery(ctx context.Context, a *authz.Actor, f Filter) *gorm.DB {
	return f.apply(s.payments(ctx, a), "payments", "received_at")
}

// loadAllocations fills the payments' allocations.
func (s *Store) loadAllocations(ctx context.Context, ps []*Payment) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]string, len(ps))
	byID := make(map[string]*Payment, len(ps))
	for i, p := range ps {
		ids[i], byID[p.ID] = p.ID, p
		p.Allocations = []Allocation{}
	}
	var rows []Allocation
	if err := s.db.Conn(ctx).Where("payment_id IN ?", ids).Order("created_at, id").Find(&rows).Error; err != nil {
		return fmt.Errorf("payment.allocations: %w", err)
	}
	for _, r := range rows {
		byID[r.PaymentID].Allocations = append(byID[r.PaymentID].Allocations, r)
	}
	return nil
}

// CreatePayment inserts a payment and its allocations.
func (s *Store) CreatePayment(ctx context.Context, p *Payment) error {
	conn := s.db.Conn(ctx)
	if err := conn.Create(p).Error; err != nil {
		return fmt.Errorf("payment.create: %w", err)
	}
	if len(p.Allocations) > 0 {
		if err := conn.Create(&p.Allocations).Error; err != nil {
			return fmt.Errorf("payment.create_allocations: %w", err)
		}
	}
	return nil
}

// SavePayment writes a payment's status back if still at version read.
func (s *Store) SavePayment(ctx context.Context, p *Payment, read int) error {
	res := s.db.Conn(ctx).Model(&Payment{}).Where("id = ? AND version = ?", p.ID, read).
		Select("status", "void_reason", "voided_at", "updated_at", "version").UpdateColumns(p)
	if res.Error != nil {
		return fmt.Errorf("payment.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// ---- invoices ----

func (s *Store) invoices(ctx context.Context, a *authz.Actor) *gorm.DB {
	return authz.Scope(a, "invoices.owner_id")(s.db.Conn(ctx).Model(&Invoice{}))
}

// Invoice loads an invoice in the actor's scope.
func (s *Store) Invoice(ctx context.Context, a *authz.Actor, id string) (*Invoice, error) {
	return take[Invoice](s.invoices(ctx, a), "invoices", id, "invoice")
}

// LockInvoice loads an invoice in the actor's scope, locked.
func (s *Store) LockInvoice(ctx context.Context, a *authz.Actor, id string) (*Invoice, error) {
	return take[Invoice](s.db.ForUpdate(s.invoices(ctx, a)), "invoices", id, "invoice")
}

// InvoiceQuery is the scoped, filtered base of GET /invoices.
func (s *Store) InvoiceQuery(ctx context.Context, a *authz.Actor, f Filter) *gorm.DB {
	return f.apply(s.invoices(ctx, a), "invoices", "created_at")
}

// Invoiced sums the live (not voided) invoices of a contract or an order.
func (s *Store) Invoiced(ctx context.Context, col, id string) (money.Amount, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&Invoice{}).Where(col+" = ? AND status <> ?", id, Voided).
		Select("COALESCE(SUM(amount), 0)").Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("invoice.invoiced: %w", err)
	}
	return money.Amount(n), nil
}

// CreateInvoice inserts an invoice.
func (s *Store) CreateInvoice(ctx context.Context, i *Invoice) error {
	if err := s.db.Conn(ctx).Create(i).Error; err != nil {
		return fmt.Errorf("invoice.create: %w", err)
	}
	return nil
}

// SaveInvoice writes an invoice's state back if still at version read; a
// number another invoice has is a 409 duplicate.
func (s *Store) SaveInvoice(ctx context.Context, i *Invoice, read int) error {
	res := s.db.Conn(ctx).Model(&Invoice{}).Where("id = ? AND version = ?", i.ID, read).
		Select("status", "invoice_number", "issued_at", "void_reason", "voided_at", "updated_at", "version").
		UpdateColumns(i)
	if db.IsDuplicate(res.Error) {
		return &apperr.Error{Kind: apperr.ErrConflict, Code: "duplicate", Msg: "duplicate",
			Fields: []apperr.FieldError{{Field: "invoice_number", Message: "taken"}}}
	}
	if res.Error != nil {
		return fmt.Errorf("invoice.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

var paymentSpec = paging.Spec[Payment]{
	Columns: map[string]paging.Column[Payment]{
		"received_at": {Expr: "payments.received_at", Time: true, Get: func(p *Payment) any { return p.ReceivedAt }},
		"created_at":  {Expr: "payments.created_at", Time: true, Get: func(p *Payment) any { return p.CreatedAt }},
		"amount":      {Expr: "payments.amount", Number: true, Get: func(p *Payment) any { return int64(p.Amount) }},
	},
	Default: "-received_at",
	IDExpr:  "payments.id",
	ID:      func(p *Payment) string { return p.ID },
}

var invoiceSpec = paging.Spec[Invoice]{
	Columns: map[string]paging.Column[Invoice]{
		"created_at": {Expr: "invoices.created_at", Time: true, Get: func(i *Invoice) any { return i.CreatedAt }},
		"amount":     {Expr: "invoices.amount", Number: true, Get: func(i *Invoice) any { return int64(i.Amount) }},
	},
	Default: "-created_at",
	IDExpr:  "invoices.id",
	ID:      func(i *Invoice) string { return i.ID },
}
