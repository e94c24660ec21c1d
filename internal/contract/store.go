package contract

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

// Store reads and writes contracts, their attachments and payment plans.
// Every contract read starts from scoped, so the data scope cannot be
// forgotten; attachments and plans are reached through their contract.
type Store struct{ db *db.DB }

// NewStore builds a Store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// ownerCol is the column the data scope judges contracts by.
const ownerCol = "contracts.owner_id"

func (s *Store) scoped(ctx context.Context, a *authz.Actor) *gorm.DB {
	return authz.Scope(a, ownerCol)(s.db.Conn(ctx).Model(&Contract{}))
}

func (s *Store) take(q *gorm.DB, id string) (*Contract, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("contract")
	}
	var c Contract
	err := q.Where("contracts.id = ?", id).Take(&c).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("contract")
	}
	if err != nil {
		return nil, fmt.Errorf("contract.get: %w", err)
	}
	return &c, nil
}

// Get loads a contract in the actor's scope.
func (s *Store) Get(ctx context.Context, a *authz.Actor, id string) (*Contract, error) {
	return s.take(s.scoped(ctx, a), id)
}

// Lock loads a contract in the actor's scope and locks its row until the
// transaction ends: payments and invoices against one contract queue here,
// so two of them cannot both pass a ceiling check.
func (s *Store) Lock(ctx context.Context, a *authz.Actor, id string) (*Contract, error) {
	return s.take(s.db.ForUpdate(s.scoped(ctx, a)), id)
}

// GetAny loads a contract whatever the scope: for the approval engine's
// callbacks, which act for an approver who need not own it.
func (s *Store) GetAny(ctx context.Context, id string) (*Contract, error) {
	return s.take(s.db.Conn(ctx).Model(&Contract{}), id)
}

// Filter narrows a contract list.
type Filter struct {
	Status                 []string
	CustomerID, OwnerID, Q string
	OpportunityID, OrderID string
	CreatedFrom, CreatedTo *time.Time
	EndDateFrom, EndDateTo string
}

func (f Filter) apply(q *gorm.DB) *gorm.DB {
	for col, v := range map[string]string{"contracts.customer_id": f.CustomerID, "contracts.owner_id": f.OwnerID,
		"contracts.opportunity_id": f.OpportunityID, "contracts.order_id": f.OrderID} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if len(f.Status) > 0 {
		q = q.Where("contracts.status IN ?", f.Status)
	}
	if f.Q != "" {
		q = db.Contains(q, f.Q, "contracts.title", "contracts.number")
	}
	if f.CreatedFrom != nil {
		q = q.Where("contracts.created_at >= ?", *f.CreatedFrom)
	}
	if f.CreatedTo != nil {
		q = q.Where("contracts.created_at < ?", *f.CreatedTo)
	}
	if f.EndDateFrom != "" {
		q = q.Where("contracts.end_date >= ?", f.EndDateFrom)
	}
	if f.EndDateTo != "" {
		q = q.Where("contracts.end_date <= ?", f.EndDateTo)
	}
	return q
}

// Query is the scoped, filtered base of GET /contracts.
func (s *Store) Query(ctx context.Context, a *authz.Actor, f Filter) *gorm.DB {
	return f.apply(s.scoped(ctx, a))
}

// Create inserts a contract.
func (s *Store) Create(ctx context.Context, c *Contract) error {
	if err := s.db.Conn(ctx).Create(c).Error; err != nil {
		return fmt.Errorf("contract.create: %w", err)
	}
	return nil
}

var mutable = []string{"opportunity_id", "order_id", "title", "amount", "received_amount", "currency",
	"start_date", "end_date", "terms", "status", "submitted_at", "approved_at", "rejected_at", "rejection_comment",
	"signed_at", "started_at", "completed_at", "terminated_at", "terminated_reason", "updated_at", "version"}

// Save writes c back if it is still at version read (else 412).
func (s *Store) Save(ctx context.Context, c *Contract, read int) error {
	res := s.db.Conn(ctx).Model(&Contract{}).Where("id = ? AND version = ?", c.ID, read).Select(mutable).
		UpdateColumns(c)
	if res.Error != nil {
		return fmt.Errorf("contract.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// AddReceived moves a contract's received amount by delta (negative on a
// void) and bumps its version: the caller holds the row lock.
func (s *Store) AddReceived(ctx context.Context, id string, delta money.Amount, now time.Time) error {
	err := s.db.Conn(ctx).Model(&Contract{}).Where("id = ?", id).UpdateColumns(map[string]any{
		"received_amount": gorm.Expr("received_amount + ?", int64(delta)), "updated_at": now,
		"version": gorm.Expr("version + 1")}).Error
	if err != nil {
		return fmt.Errorf("contract.add_received: %w", err)
	}
	return nil
}

// CountSigned counts the customer's contracts signed before, other than
// except.
func (s *Store) CountSigned(ctx context.Context, customerID, except string) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&Contract{}).
		Where("customer_id = ? AND id <> ? AND signed_at IS NOT NULL", customerID, except).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("contract.count_signed: %w", err)
	}
	return n, nil
}

// ---- payment plans ----

// Plans lists a contract's instalments by due date.
func (s *Store) Plans(ctx context.Context, contractID string) ([]Plan, error) {
	var out []Plan
	if err := s.db.Conn(ctx).Where("contract_id = ?", contractID).Order("due_date, created_at, id").
		Find(&out).Error; err != nil {
		return nil, fmt.Errorf("contract.plans: %w", err)
	}
	return out, nil
}

// Plan loads one instalment of a contract.
func (s *Store) Plan(ctx context.Context, contractID, id string) (*Plan, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("payment plan")
	}
	var p Plan
	err := s.db.Conn(ctx).Where("contract_id = ? AND id = ?", contractID, id).Take(&p).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("payment plan")
	}
	if err != nil {
		return nil, fmt.Errorf("contract.plan: %w", err)
	}
	return &p, nil
}

// PlanTotal sums a contract's instalments, except one (being changed).
func (s *Store) PlanTotal(ctx context.Context, contractID, except string) (money.Amount, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&Plan{}).Where("contract_id = ? AND id <> ?", contractID, except).
		Select("COALESCE(SUM(amount), 0)").Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("contract.plan_total: %w", err)
	}
	return money.Amount(n), nil
}

// CreatePlan inserts an instalment.
func (s *Store) CreatePlan(ctx context.Context, p *Plan) error {
	if err := s.db.Conn(ctx).Create(p).Error; err != nil {
		return fmt.Errorf("contract.create_plan: %w", err)
	}
	return nil
}

// SavePlan writes an instalment back if it is still at version read.
func (s *Store) SavePlan(ctx context.Context, p *Plan, read int) error {
	res := s.db.Conn(ctx).Model(&Plan{}).Where("id = ? AND version = ?", p.ID, read).
		Select("due_date", "amount", "received", "note", "updated_at", "version").UpdateColumns(p)
	if res.Error != nil {
		return fmt.Errorf("contract.save_plan: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// DeletePlan removes an instalment if it is still at version read.
func (s *Store) DeletePlan(ctx context.Context, p *Plan, read int) error {
	res := s.db.Conn(ctx).Where("id = ? AND version = ?", p.ID, read).Delete(&Plan{})
	if res.Error != nil {
		return fmt.Errorf("contract.delete_plan: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// ---- attachments ----

// Attachments lists a contract's files, oldest first.
func (s *Store) Attachments(ctx context.Context, contractID string) ([]Attachment, error) {
	var out []Attachment
	if err := s.db.Conn(ctx).Where("contract_id = ?", contractID).Order("created_at, id").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("contract.attachments: %w", err)
	}
	return out, nil
}

// Attachment loads one file of a contract.
func (s *Store) Attachment(ctx context.Context, contractID, id string) (*Attachment, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("attachment")
	}
	var a Attachment
	err := s.db.Conn(ctx).Where("contract_id = ? AND id = ?", contractID, id).Take(&a).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("attachment")
	}
	if err != nil {
		return nil, fmt.Errorf("contract.attachment: %w", err)
	}
	return &a, nil
}

// CreateAttachment inserts an attachment row.
func (s *Store) CreateAttachment(ctx context.Context, a *Attachment) error {
	if err := s.db.Conn(ctx).Create(a).Error; err != nil {
		return fmt.Errorf("contract.create_attachment: %w", err)
	}
	return nil
}

// DeleteAttachment removes an attachment row.
func (s *Store) DeleteAttachment(ctx context.Context, id string) error {
	if err := s.db.Conn(ctx).Where("id = ?", id).Delete(&Attachment{}).Error; err != nil {
		return fmt.Errorf("contract.delete_attachment: %w", err)
	}
	return nil
}

// spec is what contract lists sort by.
var spec = paging.Spec[Contract]{
	Columns: map[string]paging.Column[Contract]{
		"created_at": {Expr: "contracts.created_at", Time: true, Get: func(c *Contract) any { return c.CreatedAt }},
		"updated_at": {Expr: "contracts.updated_at", Time: true, Get: func(c *Contract) any { return c.UpdatedAt }},
		"end_date":   {Expr: "contracts.end_date", Get: func(c *Contract) any { return c.EndDate }},
		"number":     {Expr: "contracts.number", Get: func(c *Contract) any { return c.Number }},
		"amount":     {Expr: "contracts.amount", Number: true, Get: func(c *Contract) any { return int64(c.Amount) }},
	},
	Default: "-created_at",
	IDExpr:  "contracts.id",
	ID:      func(c *Contract) string { return c.ID },
}
