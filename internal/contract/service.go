package contract

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/approval"
	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/reminder"
	"github.com/opencrm/crm/internal/settings"
)

// Customers is what contracts need of customers (customer.Service).
type Customers interface {
	GetInScope(ctx context.Context, id string) (*customer.Customer, error)
	Activate(ctx context.Context, id string) error
}

// Directory checks who may own a contract (org.Store).
type Directory interface {
	AssignableOwner(ctx context.Context, a *authz.Actor, field, id string) (*org.User, error)
}

// Settings gives the time zone and reminder lead times (settings.Service).
type Settings interface {
	Current(ctx context.Context) (settings.Values, error)
}

// Reminders schedules and cancels due notifications in the caller's
// transaction (reminder.Service).
type Reminders interface {
	Schedule(ctx context.Context, r reminder.Reminder) error
	Cancel(ctx context.Context, keys ...string) error
}

// Events records business events in the caller's transaction (event.Writer).
type Events interface {
	Record(ctx context.Context, typ, entityType, entityID string, payload any) error
}

// Numbers issues business numbers in the caller's transaction
// (docnum.Generator).
type Numbers interface {
	Next(ctx context.Context, prefix string, now time.Time, loc *time.Location) (string, error)
}

// Opportunities is what contracts need of opportunities; app wires an
// adapter over opportunity.Service.
type Opportunities interface {
	// CustomerOf returns the customer of an opportunity in the caller's
	// data scope (apperr.ErrNotFound outside it).
	CustomerOf(ctx context.Context, id string) (string, error)
	// Win closes the opportunity as won at amount, in the caller's
	// transaction.
	Win(ctx context.Context, id string, amount money.Amount, note string) error
}

// Orders is what contracts need of sales orders; app wires an adapter over
// the order module.
type Orders interface {
	// CustomerOf returns the customer of an order in the caller's data
	// scope (apperr.ErrNotFound outside it).
	CustomerOf(ctx context.Context, id string) (string, error)
}

// Approvals is the approval engine (approval.Service): contracts register
// on it, and it calls back Approved and Rejected when a request finishes.
type Approvals interface {
	Register(entity string, d approval.Document)
	Submit(ctx context.Context, in approval.SubmitInput) (*approval.Request, error)
	Withdraw(ctx context.Context, entity, docID, reason string) error
	Trail(ctx context.Context, entity, docID string) ([]approval.RequestView, error)
}

// Service holds the contract use cases.
type Service struct {
	db        *db.DB
	store     *Store
	customers Customers
	users     Directory
	audit     *audit.Writer
	settings  Settings
	reminders Reminders
	events    Events
	numbers   Numbers
	files     Storage
	// opps and orders are set by UseOpportunities and UseOrders; without
	// them the references are refused. approvals is set by UseApprovals.
	opps      Opportunities
	orders    Orders
	approvals Approvals
	writes    record.Mutation[*Contract]
	planW     record.Mutation[*Plan]
}

// Deps are the services a contract service is built on.
type Deps struct {
	Customers Customers
	Users     Directory
	Audit     *audit.Writer
	Settings  Settings
	Reminders Reminders
	Events    Events
	Numbers   Numbers
	Files     Storage
}

// NewService wires the contract service.
func NewService(d *db.DB, st *Store, deps Deps) *Service {
	return &Service{db: d, store: st, customers: deps.Customers, users: deps.Users, audit: deps.Audit,
		settings: deps.Settings, reminders: deps.Reminders, events: deps.Events, numbers: deps.Numbers,
		files: deps.Files,
		writes: record.Mutation[*Contract]{DB: d, Audit: deps.Audit, Entity: "contract", Save: st.Save,
			ID: func(c *Contract) string { return c.ID }, View: func(c *Contract) any { return View(c) }},
		planW: record.Mutation[*Plan]{DB: d, Audit: deps.Audit, Entity: "payment_plan", Save: st.SavePlan,
			ID: func(p *Plan) string { return p.ID }, View: func(p *Plan) any { return PlanView(p, "") }},
	}
}

// UseOpportunities lets contracts link and win opportunities.
func (s *Service) UseOpportunities(o Opportunities) { s.opps = o }

// UseOrders lets contracts link sales orders.
func (s *Service) UseOrders(o Orders) { s.orders = o }

// UseApprovals sends submitted contracts through the approval engine and
// registers them on it.
func (s *Service) UseApprovals(a Approvals) {
	s.approvals = a
	a.Register(Entity, s)
}

// Get loads one contract in the caller's scope.
func (s *Service) Get(ctx context.Context, id string) (*Contract, error) {
	if err := authz.Require(ctx, "contracts:read"); err != nil {
		return nil, err
	}
	return s.store.Get(ctx, authz.ActorFrom(ctx), id)
}

// Trail lists the approval requests of a contract in the caller's scope,
// oldest first, each with its steps and decisions (who, when, comment).
func (s *Service) Trail(ctx context.Context, id string) ([]approval.RequestView, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.approvals.Trail(ctx, Entity, c.ID)
}

// List pages through the contracts in the caller's scope.
func (s *Service) List(ctx context.Context, f Filter, r paging.Request) (paging.Page[Contract], error) {
	if err := authz.Require(ctx, "contracts:read"); err != nil {
		return paging.Page[Contract]{}, err
	}
	q, err := spec.Parse(r)
	if err != nil {
		return paging.Page[Contract]{}, err
	}
	var v validate.V
	for _, st := range f.Status {
		v.OneOf("status", st, Statuses...)
	}
	checkDate(&v, "end_date_from", f.EndDateFrom)
	checkDate(&v, "end_date_to", f.EndDateTo)
	if err := v.Err(); err != nil {
		return paging.Page[Contract]{}, err
	}
	page, err := q.Fetch(s.store.Query(ctx, authz.ActorFrom(ctx), f))
	if err != nil {
		return page, fmt.Errorf("contract.list: %w", err)
	}
	return page, nil
}

// Create adds a draft contract for a customer in the caller's scope,
// numbered HT-YYYYMMDD-NNNN on the organisation's business day. Owner:
// owner_id when given (someone the caller may give records to), else the
// customer's owner, else the caller.
func (s *Service) Create(ctx context.Context, req CreateRequest) (*Contract, error) {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	now := db.Now()
	c := &Contract{ID: uuid.Must(uuid.NewV7()).String(), CustomerID: strings.TrimSpace(req.CustomerID),
		OpportunityID: trimmed(req.OpportunityID), OrderID: trimmed(req.OrderID), Title: req.Title,
		Currency: strings.ToUpper(strings.TrimSpace(req.Currency)), StartDate: strings.TrimSpace(req.StartDate),
		EndDate: strings.TrimSpace(req.EndDate), Terms: req.Terms, Status: Draft, CreatedBy: a.ID(),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if c.Currency == "" {
		c.Currency = DefaultCurrency
	}
	var v validate.V
	v.Required("customer_id", c.CustomerID)
	if req.Amount == nil {
		v.Add("amount", "required")
	} else if amt, ok := v.Money("amount", req.Amount, false); ok {
		c.Amount = amt
	}
	if err := check(&v, c); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		cust, err := s.customers.GetInScope(ctx, c.CustomerID)
		if err != nil {
			return refError(err, "customer_id", "customer")
		}
		if err := s.checkRefs(ctx, c); err != nil {
			return err
		}
		switch owner := strings.TrimSpace(deref(req.OwnerID)); {
		case owner != "":
			if owner != a.UserID {
				if _, err := s.users.AssignableOwner(ctx, a, "owner_id", owner); err != nil {
					return err
				}
			}
			c.OwnerID = owner
		case cust.OwnerID != nil:
			c.OwnerID = *cust.OwnerID
		case a.Kind() == "user":
			c.OwnerID = a.UserID
		default:
			return apperr.Invalid(apperr.FieldError{Field: "owner_id", Message: "required"})
		}
		set, err := s.settings.Current(ctx)
		if err != nil {
			return err
		}
		if c.Number, err = s.numbers.Next(ctx, "HT", now, set.Timezone.Location()); err != nil {
			return err
		}
		if err := s.store.Create(ctx, c); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, "create", "contract", c.ID, nil, View(c)); err != nil {
			return err
		}
		return s.events.Record(ctx, "contract.created", "contract", c.ID, View(c))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Update changes the given fields of a contract that is not signed yet.
// Editing a contract pending approval withdraws it from the engine, and
// editing an approved one drops the approval: either way it is a draft
// again and must be resubmitted. The amount may not fall below the
// payment plans' total.
func (s *Service) Update(ctx context.Context, id string, ifMatch *int, req UpdateRequest) (*Contract, error) {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
		return nil, err
	}
	var back string // the status the edit sent the contract back from
	var out *Contract
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.writes.Apply(ctx, s.loader(id), ifMatch, "update", func(ctx context.Context, c *Contract) error {
			if !c.Editable() {
				return apperr.Conflict("contract_not_editable", "contract_not_editable")
			}
			var v validate.V
			for _, f := range []struct{ dst, src *string }{{&c.Title, req.Title}, {&c.Terms, req.Terms},
				{&c.StartDate, req.StartDate}, {&c.EndDate, req.EndDate}, {&c.Currency, req.Currency}} {
				if f.src != nil {
					*f.dst = strings.TrimSpace(*f.src)
				}
			}
			c.Currency = strings.ToUpper(c.Currency)
			if req.Amount != nil {
				if amt, ok := v.Money("amount", req.Amount, false); ok {
					c.Amount = amt
				}
			}
			if req.OpportunityID != nil {
				c.OpportunityID = trimmed(req.OpportunityID)
			}
			if req.OrderID != nil {
				c.OrderID = trimmed(req.OrderID)
			}
			if err := check(&v, c); err != nil {
				return err
			}
			if err := s.checkRefs(ctx, c); err != nil {
				return err
			}
			if err := s.checkAmount(ctx, c); err != nil {
				return err
			}
			if c.Status != Draft {
				back, c.Status, c.SubmittedAt, c.ApprovedAt = c.Status, Draft, nil, nil
			}
			return nil
		})
		if err != nil {
			return err
		}
		out = c
		switch back {
		case PendingApproval:
			if err := s.approvals.Withdraw(ctx, Entity, c.ID, "edited while pending approval"); err != nil {
				return err
			}
			return s.events.Record(ctx, "contract.withdrawn", "contract", c.ID, View(c))
		case Approved:
			return s.events.Record(ctx, "contract.reopened", "contract", c.ID, View(c))
		}
		return nil
	})
	return out, err
}

// loader loads a contract in the caller's scope, locked: every write to a
// contract serialises with payments on it.
func (s *Service) loader(id string) func(context.Context) (*Contract, error) {
	return func(ctx context.Context) (*Contract, error) { return s.store.Lock(ctx, authz.ActorFrom(ctx), id) }
}

// checkAmount keeps the amount at or above the plans' total and what has
// been received.
func (s *Service) checkAmount(ctx context.Context, c *Contract) error {
	total, err := s.store.PlanTotal(ctx, c.ID, "")
	if err != nil {
		return err
	}
	if c.Amount < total {
		return apperr.Invalid(apperr.FieldError{Field: "amount", Message: "below_plans", Params: []any{total.String()}})
	}
	if c.Amount < c.ReceivedAmount {
		return apperr.Invalid(apperr.FieldError{Field: "amount", Message: "below_received",
			Params: []any{c.ReceivedAmount.String()}})
	}
	return nil
}

// checkRefs checks the linked opportunity and order: in the caller's
// scope and of the contract's customer.
func (s *Service) checkRefs(ctx context.Context, c *Contract) error {
	var oppOf, orderOf func(context.Context, string) (string, error)
	if s.opps != nil {
		oppOf = s.opps.CustomerOf
	}
	if s.orders != nil {
		orderOf = s.orders.CustomerOf
	}
	if err := checkRef(ctx, c.OpportunityID, "opportunity_id", "opportunity", oppOf, c.CustomerID); err != nil {
		return err
	}
	return checkRef(ctx, c.OrderID, "order_id", "order", orderOf, c.CustomerID)
}

// checkRef checks one optional reference; customerOf is nil while the
// module it points into is not wired, and then nothing matches.
func checkRef(ctx context.Context, id *string, field, word string,
	customerOf func(context.Context, string) (string, error), customerID string) error {
	if id == nil {
		return nil
	}
	if _, err := uuid.Parse(*id); err != nil || customerOf == nil {
		return apperr.Invalid(apperr.FieldError{Field: field, Message: "unknown_ref", Params: []any{word}})
	}
	cust, err := customerOf(ctx, *id)
	if err != nil {
		return refError(err, field, word)
	}
	if cust != customerID {
		return apperr.Invalid(apperr.FieldError{Field: field, Message: "other_customer"})
	}
	return nil
}

// check normalises a contract's fields in place and validates them.
func check(v *validate.V, c *Contract) error {
	c.Title, c.Terms = strings.TrimSpace(c.Title), strings.TrimSpace(c.Terms)
	if v.Required("title", c.Title) {
		v.MaxLen("title", c.Title, maxTitle)
	}
	v.MaxLen("terms", c.Terms, maxTerms)
	if v.Required("currency", c.Currency) {
		v.Currency("currency", c.Currency)
	}
	okStart := v.Required("start_date", c.StartDate) && checkDate(v, "start_date", c.StartDate)
	okEnd := v.Required("end_date", c.EndDate) && checkDate(v, "end_date", c.EndDate)
	if okStart && okEnd && c.EndDate < c.StartDate {
		v.Add("end_date", "before_start_date")
	}
	return v.Err()
}

// checkDate accepts an empty string or a date (2026-11-22).
func checkDate(v *validate.V, field, s string) bool {
	if s == "" {
		return true
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		v.Add(field, "invalid_date")
		return false
	}
	return true
}

// refError turns a reference that is absent or out of scope into a 422 on
// its field; other errors pass.
func refError(err error, field, word string) error {
	if errors.Is(err, apperr.ErrNotFound) {
		return apperr.Invalid(apperr.FieldError{Field: field, Message: "unknown_ref", Params: []any{word}})
	}
	return err
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil
	}
	return &t
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
