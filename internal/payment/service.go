package payment

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/contract"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
)

// Contracts is what payments and invoices need of contracts
// (contract.Service).
type Contracts interface {
	Lock(ctx context.Context, id string) (*contract.Contract, error)
	Receive(ctx context.Context, c *contract.Contract, planID string, amount money.Amount) ([]contract.Allocation, error)
	Release(ctx context.Context, c *contract.Contract, amount money.Amount, allocs []contract.Allocation) error
}

// Order is what an invoice needs to know of a sales order.
type Order struct {
	ID, CustomerID, OwnerID, Currency string
	// Total is the order's total including tax: the invoice ceiling.
	Total money.Amount
	// Invoiceable: approved and not cancelled.
	Invoiceable bool
}

// Orders gives invoices their orders; app wires an adapter over the order
// module. Lock loads an order in the caller's scope (apperr.ErrNotFound
// outside it) and locks it until the transaction ends.
type Orders interface {
	Lock(ctx context.Context, id string) (Order, error)
	// Received tells the order behind a contract how much the contract has
	// received, so its payment_status follows (in the caller's tx).
	Received(ctx context.Context, orderID string, received money.Amount) error
}

// Events records business events in the caller's transaction.
type Events interface {
	Record(ctx context.Context, typ, entityType, entityID string, payload any) error
}

// Service holds the payment and invoice use cases.
type Service struct {
	db        *db.DB
	store     *Store
	contracts Contracts
	orders    Orders
	audit     *audit.Writer
	events    Events
	payW      record.Mutation[*Payment]
	invW      record.Mutation[*Invoice]
}

// NewService wires the service.
func NewService(d *db.DB, st *Store, c Contracts, aw *audit.Writer, ev Events) *Service {
	return &Service{db: d, store: st, contracts: c, audit: aw, events: ev,
		payW: record.Mutation[*Payment]{DB: d, Audit: aw, Entity: "payment", Save: st.SavePayment,
			ID: func(p *Payment) string { return p.ID }, View: func(p *Payment) any { return View(p) }},
		invW: record.Mutation[*Invoice]{DB: d, Audit: aw, Entity: "invoice", Save: st.SaveInvoice,
			ID: func(i *Invoice) string { return i.ID }, View: func(i *Invoice) any { return InvoiceView(i) }}}
}

// UseOrders lets invoices be requested for sales orders.
func (s *Service) UseOrders(o Orders) { s.orders = o }

// Get loads a payment in the caller's scope.
func (s *Service) Get(ctx context.Context, id string) (*Payment, error) {
	if err := authz.Require(ctx, "payments:read"); err != nil {
		return nil, err
	}
	return s.store.Payment(ctx, authz.ActorFrom(ctx), id)
}

// List pages through the payments in the caller's scope, newest received
// first.
func (s *Service) List(ctx context.Context, f Filter, r paging.Request) (paging.Page[Payment], error) {
	if err := authz.Require(ctx, "payments:read"); err != nil {
		return paging.Page[Payment]{}, err
	}
	q, err := paymentSpec.Parse(r)
	if err != nil {
		return paging.Page[Payment]{}, err
	}
	var v validate.V
	for _, st := range f.Status {
		v.OneOf("status", st, Received, Voided)
	}
	for _, m := range f.Method {
		v.OneOf("method", m, Methods...)
	}
	if err := v.Err(); err != nil {
		return paging.Page[Payment]{}, err
	}
	page, err := q.Fetch(s.store.PaymentQuery(ctx, authz.ActorFrom(ctx), f))
	if err != nil {
		return page, fmt.Errorf("payment.list: %w", err)
	}
	ps := make([]*Payment, len(page.Data))
	for i := range page.Data {
		ps[i] = &page.Data[i]
	}
	return page, s.store.loadAllocations(ctx, ps)
}

// Record books a payment against a signed contract in the caller's scope
// and applies it to the instalments (contract.Service.Receive): more than
// the contract's outstanding amount is a 422 overpayment. The contract row
// is locked first, so concurrent payments queue and each sees the others'
// amounts. Event payment.received.
func (s *Service) Record(ctx context.Context, req PaymentRequest) (*Payment, error) {
	if err := authz.Require(ctx, "payments:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	p := &Payment{ID: uuid.Must(uuid.NewV7()).String(), ContractID: strings.TrimSpace(req.ContractID),
		Method: strings.TrimSpace(req.Method), Reference: strings.TrimSpace(req.Reference), Status: Received,
		ReceivedAt: now, CreatedBy: authz.ActorFrom(ctx).ID(), CreatedAt: now, UpdatedAt: now, Version: 1}
	var v validate.V
	v.Required("contract_id", p.ContractID)
	if req.Amount == nil {
		v.Add("amount", "required")
	} else if amt, ok := v.Money("amount", req.Amount, false); ok {
		if amt == 0 {
			v.Add("amount", "must_be_positive")
		}
		p.Amount = amt
	}
	if at, ok := v.Time("received_at", req.ReceivedAt); ok && at != nil {
		if at.After(now) {
			v.Add("received_at", "in_future")
		}
		p.ReceivedAt = *at
	}
	if v.Required("method", p.Method) {
		v.OneOf("method", p.Method, Methods...)
	}
	v.MaxLen("reference", p.Reference, maxReference)
	planID := strings.TrimSpace(deref(req.PaymentPlanID))
	if planID != "" {
		p.PaymentPlanID = &planID
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.contracts.Lock(ctx, p.ContractID)
		if err != nil {
			return refError(err, "contract_id", "contract")
		}
		if !c.Live() {
			return apperr.Conflict("contract_not_signed", "contract_not_signed")
		}
		p.CustomerID, p.OwnerID, p.Currency = c.CustomerID, c.OwnerID, c.Currency
		allocs, err := s.contracts.Receive(ctx, c, planID, p.Amount)
		if err != nil {
			return err
		}
		for _, a := range allocs {
			p.Allocations = append(p.Allocations, Allocation{ID: uuid.Must(uuid.NewV7()).String(), PaymentID: p.ID,
				PaymentPlanID: a.PlanID, Amount: a.Amount, CreatedAt: now})
		}
		if err := s.store.CreatePayment(ctx, p); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, "create", "payment", p.ID, nil, View(p)); err != nil {
			return err
		}
		if err := s.orderReceived(ctx, c, c.ReceivedAmount+p.Amount); err != nil {
			return err
		}
		return s.events.Record(ctx, "payment.received", "payment", p.ID, View(p))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Void cancels a payment booked by mistake, with a reason: its amount
// leaves the contract's received amount and the instalments it was
// applied to re-open (their reminders come back). The allocation rows
// stay as history. Event payment.voided.
func (s *Service) Void(ctx context.Context, id string, ifMatch *int, req VoidRequest) (*Payment, error) {
	if err := authz.Require(ctx, "payments:void"); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(req.Reason)
	var v validate.V
	if v.Required("reason", reason) {
		v.MaxLen("reason", reason, maxReason)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out *Payment
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		// The contract is locked before the payment is read for the change,
		// as Record locks it: two voids of one payment queue there and the
		// second finds it voided.
		cur, err := s.store.Payment(ctx, authz.ActorFrom(ctx), id)
		if err != nil {
			return err
		}
		c, err := s.contracts.Lock(ctx, cur.ContractID)
		if err != nil {
			return err
		}
		load := func(ctx context.Context) (*Payment, error) { return s.store.Payment(ctx, authz.ActorFrom(ctx), id) }
		p, err := s.payW.Apply(ctx, load, ifMatch, "void", func(ctx context.Context, p *Payment) error {
			if p.Status != Received {
				return apperr.Conflict("invalid_transition", "invalid_transition")
			}
			now := db.Now()
			p.Status, p.VoidReason, p.VoidedAt = Voided, reason, &now
			allocs := make([]contract.Allocation, len(p.Allocations))
			for i, a := range p.Allocations {
				allocs[i] = contract.Allocation{PlanID: a.PaymentPlanID, Amount: a.Amount}
			}
			return s.contracts.Release(ctx, c, p.Amount, allocs)
		})
		if err != nil {
			return err
		}
		out = p
		if err := s.orderReceived(ctx, c, c.ReceivedAmount-p.Amount); err != nil {
			return err
		}
		return s.events.Record(ctx, "payment.voided", "payment", p.ID, View(p))
	})
	return out, err
}

// orderReceived passes a contract's new received amount to its order.
func (s *Service) orderReceived(ctx context.Context, c *contract.Contract, received money.Amount) error {
	if c.OrderID == nil || s.orders == nil {
		return nil
	}
	return s.orders.Received(ctx, *c.OrderID, received)
}

// refError turns a reference absent or out of scope into a 422 on its
// field; other errors pass.
func refError(err error, field, word string) error {
	if errors.Is(err, apperr.ErrNotFound) {
		return apperr.Invalid(apperr.FieldError{Field: field, Message: "unknown_ref", Params: []any{word}})
	}
	return err
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
