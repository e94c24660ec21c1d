package quote

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/approval"
	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/salesdoc"
)

// DefaultCurrency is the currency of a quote created without one.
const DefaultCurrency = "CNY"

// Field limits, in characters.
const (
	maxNotes  = 5000
	maxReason = 1000
)

// Service holds the quote use cases.
type Service struct {
	deps      salesdoc.Deps
	store     *Store
	orders    *order.Service
	approvals salesdoc.Approvals
	writes    record.Mutation[*Quote]
}

// NewService wires the quote service; converted quotes become orders.
func NewService(deps salesdoc.Deps, st *Store, orders *order.Service) *Service {
	s := &Service{deps: deps, store: st, orders: orders}
	s.writes = record.Mutation[*Quote]{DB: deps.DB, Audit: deps.Audit, Entity: "quote",
		ID: func(q *Quote) string { return q.ID }, View: func(q *Quote) any { return View(q) },
		Save: func(ctx context.Context, q *Quote, read int) error { return st.save(ctx, q, read, false) }}
	return s
}

// UseApprovals connects the approval engine; call while wiring.
func (s *Service) UseApprovals(a salesdoc.Approvals) { s.approvals = a }

// Get loads a quote revision in the caller's scope.
func (s *Service) Get(ctx context.Context, id string) (*Quote, error) {
	if err := authz.Require(ctx, "quotes:read"); err != nil {
		return nil, err
	}
	return s.store.Get(ctx, authz.ActorFrom(ctx), id)
}

// CustomerOf is the customer of a quote in the caller's scope (for orders
// that name their quote).
func (s *Service) CustomerOf(ctx context.Context, id string) (string, error) {
	q, err := s.store.Get(ctx, authz.ActorFrom(ctx), id)
	if err != nil {
		return "", err
	}
	return q.CustomerID, nil
}

// Revisions lists every revision of the quote's number, oldest first.
func (s *Service) Revisions(ctx context.Context, id string) ([]Quote, error) {
	q, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.store.Revisions(ctx, authz.ActorFrom(ctx), q.Number)
}

// List pages through the quotes in the caller's scope.
func (s *Service) List(ctx context.Context, f Filter, r paging.Request) (paging.Page[Quote], error) {
	if err := authz.Require(ctx, "quotes:read"); err != nil {
		return paging.Page[Quote]{}, err
	}
	var v validate.V
	for _, st := range f.Status {
		v.OneOf("status", st, Statuses...)
	}
	if err := v.Err(); err != nil {
		return paging.Page[Quote]{}, err
	}
	pq, err := spec.Parse(r)
	if err != nil {
		return paging.Page[Quote]{}, err
	}
	return s.store.Fetch(ctx, pq, s.store.Query(ctx, authz.ActorFrom(ctx), f))
}

// Create adds a draft quote, revision 1, owned by the caller.
func (s *Service) Create(ctx context.Context, req QuoteCreateRequest) (*Quote, error) {
	if err := authz.Require(ctx, "quotes:write"); err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	q := &Quote{CustomerID: strings.TrimSpace(req.CustomerID), OpportunityID: req.OpportunityID,
		ContactID: req.ContactID, Currency: req.Currency, Notes: req.Notes, Status: StatusDraft, Revision: 1,
		OwnerID: a.ID(), CreatedBy: a.ID(), Version: 1}
	var v validate.V
	q.ValidUntil = salesdoc.Date(&v, "valid_until", req.ValidUntil)
	if err := check(&v, q); err != nil {
		return nil, err
	}
	err := s.deps.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := s.deps.Refs.Check(ctx, q.CustomerID, &q.ContactID, &q.OpportunityID); err != nil {
			return err
		}
		items, err := salesdoc.BuildItems(ctx, s.deps.Products, q.Currency, req.Items)
		if err != nil {
			return err
		}
		q.setItems(items)
		now := db.Now()
		if q.Number, err = s.deps.NextNumber(ctx, "QT", now); err != nil {
			return err
		}
		q.ID, q.CreatedAt, q.UpdatedAt = uuid.Must(uuid.NewV7()).String(), now, now
		if err := s.store.Create(ctx, q); err != nil {
			return err
		}
		return s.deps.Audit.Record(ctx, "create", "quote", q.ID, nil, View(q))
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// Update changes a draft quote. Editing one pending approval withdraws
// the request and puts it back to draft (it must be submitted again);
// any other status is 409 not_editable: revise it instead.
func (s *Service) Update(ctx context.Context, id string, ifMatch *int, req QuoteUpdateRequest) (*Quote, error) {
	if err := authz.Require(ctx, "quotes:write"); err != nil {
		return nil, err
	}
	w := s.writes
	w.Save = func(ctx context.Context, q *Quote, read int) error {
		return s.store.save(ctx, q, read, req.Items != nil)
	}
	load := func(ctx context.Context) (*Quote, error) { return s.store.Get(ctx, authz.ActorFrom(ctx), id) }
	return w.Apply(ctx, load, ifMatch, "update", func(ctx context.Context, q *Quote) error {
		switch q.Status {
		case StatusDraft:
		case StatusPending:
			if err := s.approvals.Withdraw(ctx, Entity, q.ID, "edited"); err != nil {
				return err
			}
			q.Status = StatusDraft
		default:
			return salesdoc.NotEditable()
		}
		return s.applyUpdate(ctx, q, req)
	})
}

func (s *Service) applyUpdate(ctx context.Context, q *Quote, req QuoteUpdateRequest) error {
	var v validate.V
	if req.Currency != nil {
		q.Currency = *req.Currency
	}
	if req.Notes != nil {
		q.Notes = *req.Notes
	}
	if req.ValidUntil != nil {
		q.ValidUntil = salesdoc.Date(&v, "valid_until", req.ValidUntil)
	}
	if req.OpportunityID != nil {
		q.OpportunityID = req.OpportunityID
	}
	if req.ContactID != nil {
		q.ContactID = req.ContactID
	}
	if err := check(&v, q); err != nil {
		return err
	}
	if req.OpportunityID != nil || req.ContactID != nil {
		if err := s.deps.Refs.Check(ctx, q.CustomerID, &q.ContactID, &q.OpportunityID); err != nil {
			return err
		}
	}
	if req.Currency != nil && req.Items == nil {
		// The lines are priced in the old currency: they must come along.
		return apperr.Invalid(apperr.FieldError{Field: "items", Message: "required"})
	}
	if req.Items != nil {
		items, err := salesdoc.BuildItems(ctx, s.deps.Products, q.Currency, req.Items)
		if err != nil {
			return err
		}
		q.setItems(items)
	}
	return nil
}

// check normalises a quote's own fields and validates them.
func check(v *validate.V, q *Quote) error {
	q.Currency = strings.ToUpper(strings.TrimSpace(q.Currency))
	if q.Currency == "" {
		q.Currency = DefaultCurrency
	}
	q.Notes = strings.TrimSpace(q.Notes)
	v.Currency("currency", q.Currency)
	v.MaxLen("notes", q.Notes, maxNotes)
	return v.Err()
}

// Trail is the approval trail of a quote in the caller's scope.
func (s *Service) Trail(ctx context.Context, id string) ([]approval.RequestView, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	if s.approvals == nil {
		return nil, nil
	}
	return s.approvals.Trail(ctx, Entity, id)
}
