package order

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/approval"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/salesdoc"
)

// DefaultCurrency is the currency of an order created without one.
const DefaultCurrency = "CNY"

// Field limits, in characters.
const (
	maxAddress = 1000
	maxNotes   = 5000
	maxReason  = 1000
	maxShipRef = 100
)

// Quotes finds the customer of a quote in the caller's scope (apperr
// NotFound outside it), for orders that name their quote.
type Quotes interface {
	CustomerOf(ctx context.Context, id string) (string, error)
}

// Service holds the order use cases.
type Service struct {
	deps      salesdoc.Deps
	store     *Store
	approvals salesdoc.Approvals
	quotes    Quotes
	writes    record.Mutation[*Order]
}

// NewService wires the order service.
func NewService(deps salesdoc.Deps, st *Store) *Service {
	s := &Service{deps: deps, store: st}
	s.writes = record.Mutation[*Order]{DB: deps.DB, Audit: deps.Audit, Entity: "order",
		ID: func(o *Order) string { return o.ID }, View: func(o *Order) any { return View(o) },
		Save: func(ctx context.Context, o *Order, read int) error { return st.save(ctx, o, read, false) }}
	return s
}

// UseApprovals connects the approval engine; call while wiring.
func (s *Service) UseApprovals(a salesdoc.Approvals) { s.approvals = a }

// UseQuotes lets orders name the quote they come from; call while wiring.
func (s *Service) UseQuotes(q Quotes) { s.quotes = q }

// Get loads an order in the caller's scope.
func (s *Service) Get(ctx context.Context, id string) (*Order, error) {
	if err := authz.Require(ctx, "orders:read"); err != nil {
		return nil, err
	}
	return s.store.Get(ctx, authz.ActorFrom(ctx), id)
}

// List pages through the orders in the caller's scope.
func (s *Service) List(ctx context.Context, f Filter, r paging.Request) (paging.Page[Order], error) {
	if err := authz.Require(ctx, "orders:read"); err != nil {
		return paging.Page[Order]{}, err
	}
	var v validate.V
	for _, st := range f.Status {
		v.OneOf("status", st, Statuses...)
	}
	for _, st := range f.PaymentStatus {
		v.OneOf("payment_status", st, PaymentStatuses...)
	}
	if err := v.Err(); err != nil {
		return paging.Page[Order]{}, err
	}
	q, err := spec.Parse(r)
	if err != nil {
		return paging.Page[Order]{}, err
	}
	return s.store.Fetch(ctx, q, s.store.Query(ctx, authz.ActorFrom(ctx), f))
}

// Create adds a draft order owned by the caller.
func (s *Service) Create(ctx context.Context, req OrderCreateRequest) (*Order, error) {
	if err := authz.Require(ctx, "orders:write"); err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	o := &Order{CustomerID: strings.TrimSpace(req.CustomerID), QuoteID: req.QuoteID, OpportunityID: req.OpportunityID,
		ContractID: req.ContractID, Currency: req.Currency, ShippingAddress: req.ShippingAddress, Notes: req.Notes,
		OwnerID: a.ID(), CreatedBy: a.ID()}
	var v validate.V
	o.DeliveryDate = salesdoc.Date(&v, "delivery_date", req.DeliveryDate)
	if err := check(&v, o); err != nil {
		return nil, err
	}
	var out *Order
	err := s.deps.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.checkRefs(ctx, o); err != nil {
			return err
		}
		items, err := salesdoc.BuildItems(ctx, s.deps.Products, o.Currency, req.Items)
		if err != nil {
			return err
		}
		o.setItems(items)
		out, err = s.insert(ctx, o)
		return err
	})
	return out, err
}

// FromQuote is what an order converted from a quote takes over.
type FromQuote struct {
	QuoteID, CustomerID, OwnerID, Currency string
	OpportunityID                          *string
	Notes                                  string
	Items                                  []salesdoc.Item
}

// CreateFromQuote makes the draft order of an accepted quote, line for
// line, inside the caller's transaction; the quote's owner owns it. The
// caller has loaded the quote in scope. A quote that already has an
// order is 409 already_converted.
func (s *Service) CreateFromQuote(ctx context.Context, src FromQuote) (*Order, error) {
	if err := authz.Require(ctx, "orders:write"); err != nil {
		return nil, err
	}
	o := &Order{CustomerID: src.CustomerID, QuoteID: &src.QuoteID, OpportunityID: src.OpportunityID,
		Currency: src.Currency, Notes: src.Notes, OwnerID: src.OwnerID, CreatedBy: authz.ActorFrom(ctx).ID()}
	o.setItems(salesdoc.Copy(src.Items))
	return s.insert(ctx, o)
}

// insert numbers and stores a new draft order, audited.
func (s *Service) insert(ctx context.Context, o *Order) (*Order, error) {
	err := s.deps.DB.WithTx(ctx, func(ctx context.Context) error {
		now := db.Now()
		num, err := s.deps.NextNumber(ctx, "SO", now)
		if err != nil {
			return err
		}
		o.ID, o.Number, o.Status, o.PaymentStatus = uuid.Must(uuid.NewV7()).String(), num, StatusDraft, "unpaid"
		o.CreatedAt, o.UpdatedAt, o.Version = now, now, 1
		if err := s.store.Create(ctx, o); err != nil {
			return err
		}
		return s.deps.Audit.Record(ctx, "create", "order", o.ID, nil, View(o))
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// Update changes a draft order. Editing a submitted order withdraws its
// approval request and puts it back to draft (it must be submitted again);
// past that, edits are 409 not_editable.
func (s *Service) Update(ctx context.Context, id string, ifMatch *int, req OrderUpdateRequest) (*Order, error) {
	if err := authz.Require(ctx, "orders:write"); err != nil {
		return nil, err
	}
	var out *Order
	err := s.deps.DB.WithTx(ctx, func(ctx context.Context) error {
		load := func(ctx context.Context) (*Order, error) { return s.store.Get(ctx, authz.ActorFrom(ctx), id) }
		itemsChanged := req.Items != nil
		w := s.writes
		w.Save = func(ctx context.Context, o *Order, read int) error { return s.store.save(ctx, o, read, itemsChanged) }
		var err error
		out, err = w.Apply(ctx, load, ifMatch, "update", func(ctx context.Context, o *Order) error {
			switch o.Status {
			case StatusDraft:
			case StatusSubmitted:
				if err := s.withdraw(ctx, o.ID, "edited"); err != nil {
					return err
				}
				o.Status = StatusDraft
			default:
				return salesdoc.NotEditable()
			}
			return s.applyUpdate(ctx, o, req)
		})
		return err
	})
	return out, err
}

func (s *Service) applyUpdate(ctx context.Context, o *Order, req OrderUpdateRequest) error {
	var v validate.V
	for _, f := range []struct{ dst, src *string }{{&o.Currency, req.Currency},
		{&o.ShippingAddress, req.ShippingAddress}, {&o.Notes, req.Notes}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if req.OpportunityID != nil {
		o.OpportunityID = req.OpportunityID
	}
	if req.ContractID != nil {
		o.ContractID = req.ContractID
	}
	if req.DeliveryDate != nil {
		o.DeliveryDate = salesdoc.Date(&v, "delivery_date", req.DeliveryDate)
	}
	if err := check(&v, o); err != nil {
		return err
	}
	if req.OpportunityID != nil {
		if err := s.deps.Refs.Check(ctx, o.CustomerID, new(*string), &o.OpportunityID); err != nil {
			return err
		}
	}
	if req.Items != nil || req.Currency != nil {
		reqs := req.Items
		if reqs == nil {
			// A new currency reprices nothing by itself: the lines must
			// come with it, in that currency.
			return apperr.Invalid(apperr.FieldError{Field: "items", Message: "required"})
		}
		items, err := salesdoc.BuildItems(ctx, s.deps.Products, o.Currency, reqs)
		if err != nil {
			return err
		}
		o.setItems(items)
	}
	return nil
}

// checkRefs checks the customer, opportunity and quote of a new order.
func (s *Service) checkRefs(ctx context.Context, o *Order) error {
	if err := s.deps.Refs.Check(ctx, o.CustomerID, new(*string), &o.OpportunityID); err != nil {
		return err
	}
	if o.ContractID != nil && strings.TrimSpace(*o.ContractID) == "" {
		o.ContractID = nil
	}
	if o.QuoteID == nil || strings.TrimSpace(*o.QuoteID) == "" {
		o.QuoteID = nil
		return nil
	}
	unknown := apperr.Invalid(apperr.FieldError{Field: "quote_id", Message: "unknown_ref", Params: []any{"quote"}})
	if s.quotes == nil {
		return unknown
	}
	cust, err := s.quotes.CustomerOf(ctx, strings.TrimSpace(*o.QuoteID))
	if errors.Is(err, apperr.ErrNotFound) {
		return unknown
	} else if err != nil {
		return err
	}
	if cust != o.CustomerID {
		return apperr.Invalid(apperr.FieldError{Field: "quote_id", Message: "quote_not_of_customer"})
	}
	return nil
}

// check normalises an order's own fields and validates them.
func check(v *validate.V, o *Order) error {
	for _, f := range []*string{&o.Currency, &o.ShippingAddress, &o.Notes} {
		*f = strings.TrimSpace(*f)
	}
	o.Currency = strings.ToUpper(o.Currency)
	if o.Currency == "" {
		o.Currency = DefaultCurrency
	}
	v.Currency("currency", o.Currency)
	v.MaxLen("shipping_address", o.ShippingAddress, maxAddress)
	v.MaxLen("notes", o.Notes, maxNotes)
	if o.ContractID != nil && strings.TrimSpace(*o.ContractID) != "" {
		if _, err := uuid.Parse(strings.TrimSpace(*o.ContractID)); err != nil {
			v.Add("contract_id", "unknown_ref", "contract")
		}
	}
	return v.Err()
}

// SetPaymentStatus records what the payments module computed for an
// order (unpaid, partially_paid or paid), inside the caller's transaction,
// versioned and audited. It checks no scope: payments authorise their own
// callers.
func (s *Service) SetPaymentStatus(ctx context.Context, orderID, status string) error {
	var v validate.V
	v.OneOf("payment_status", status, PaymentStatuses...)
	if status == "" {
		v.Add("payment_status", "required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	load := func(ctx context.Context) (*Order, error) { return s.store.GetAny(ctx, orderID) }
	_, err := s.writes.Apply(ctx, load, nil, "payment_status", func(_ context.Context, o *Order) error {
		o.PaymentStatus = status
		return nil
	})
	return err
}

// Trail is the approval trail of a order in the caller's scope.
func (s *Service) Trail(ctx context.Context, id string) ([]approval.RequestView, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	if s.approvals == nil {
		return nil, nil
	}
	return s.approvals.Trail(ctx, Entity, id)
}
