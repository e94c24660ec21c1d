package opportunity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

// Get loads an opportunity in the caller's data scope.
func (s *Service) Get(ctx context.Context, id string) (*Opportunity, error) {
	if err := authz.Require(ctx, "opportunities:read"); err != nil {
		return nil, err
	}
	return s.store.Get(ctx, authz.ActorFrom(ctx), id)
}

// GetVisible loads an opportunity in the caller's data scope (404
// outside it), for modules that hang records off opportunities.
func (s *Service) GetVisible(ctx context.Context, id string) (*Opportunity, error) {
	return s.store.Get(ctx, authz.ActorFrom(ctx), id)
}

// VisibleIDs is a subquery of the ids of the opportunities in the caller's
// data scope.
func (s *Service) VisibleIDs(ctx context.Context) *gorm.DB {
	return s.store.VisibleIDs(ctx, authz.ActorFrom(ctx))
}

// List pages through the opportunities in the caller's scope.
func (s *Service) List(ctx context.Context, f Filter, teamID string, r paging.Request) (paging.Page[Opportunity], error) {
	if err := authz.Require(ctx, "opportunities:read"); err != nil {
		return paging.Page[Opportunity]{}, err
	}
	q, err := oppSpec.Parse(r)
	if err != nil {
		return paging.Page[Opportunity]{}, err
	}
	if f, err = s.resolveFilter(ctx, f, teamID); err != nil {
		return paging.Page[Opportunity]{}, err
	}
	page, err := q.Fetch(s.store.Query(ctx, authz.ActorFrom(ctx), f))
	if err != nil {
		return page, fmt.Errorf("opportunity.list: %w", err)
	}
	if err := s.store.withDetails(ctx, page.Data); err != nil {
		return page, err
	}
	return page, nil
}

// resolveFilter checks enum filters and turns team_id into its subtree.
func (s *Service) resolveFilter(ctx context.Context, f Filter, teamID string) (Filter, error) {
	var v validate.V
	for _, st := range f.Status {
		v.OneOf("status", st, Kinds...)
	}
	if err := v.Err(); err != nil {
		return f, err
	}
	if teamID != "" {
		if _, err := uuid.Parse(teamID); err != nil {
			f.TeamIDs = []string{}
			return f, nil
		}
		sub, err := s.users.TeamSubtree(ctx, teamID)
		if err != nil {
			return f, err
		}
		f.TeamIDs = append([]string{}, sub...)
	}
	return f, nil
}

// Create adds an opportunity: in the default pipeline and its first open
// stage unless told otherwise, owned by the caller unless owner_id names
// someone they may give records to (an API key must name one).
func (s *Service) Create(ctx context.Context, req OpportunityCreateRequest) (*Opportunity, error) {
	if err := authz.Require(ctx, "opportunities:write"); err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	now := db.Now()
	o := &Opportunity{ID: uuid.Must(uuid.NewV7()).String(), Name: strings.TrimSpace(req.Name),
		CustomerID: strings.TrimSpace(req.CustomerID), Currency: strings.ToUpper(strings.TrimSpace(req.Currency)),
		Source: strings.TrimSpace(req.Source), Strategy: strings.TrimSpace(req.Strategy), Status: KindOpen,
		StageEnteredAt: now, CreatedBy: a.ID(), CreatedAt: now, UpdatedAt: now, Version: 1,
		CompetitorIDs: []string{}, Lines: []Line{}}
	if o.Currency == "" {
		o.Currency = DefaultCurrency
	}
	var v validate.V
	v.Required("customer_id", o.CustomerID)
	amount, hasAmount := v.Money("amount", req.Amount, false)
	o.Amount = amount
	o.ExpectedCloseDate = checkDate(&v, "expected_close_date", req.ExpectedCloseDate)
	lines := checkLines(&v, req.Products)
	o.CompetitorIDs = checkIDs(&v, "competitor_ids", req.CompetitorIDs)
	owner := strings.TrimSpace(deref(req.OwnerID))
	if owner == "" && a.IsAPIKey() {
		v.Add("owner_id", "api_key_owner")
	}
	checkFields(&v, o)
	if err := v.Err(); err != nil {
		return nil, err
	}
	o.Lines = lines
	if !hasAmount && lines != nil {
		o.Amount = linesTotal(&v, lines)
		if err := v.Err(); err != nil {
			return nil, err
		}
	}
	if owner == "" {
		owner = a.UserID
	}
	o.OwnerID = owner
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.customers.GetInScope(ctx, o.CustomerID); errors.Is(err, apperr.ErrNotFound) {
			return unknownRef("customer_id", "customer")
		} else if err != nil {
			return err
		}
		if err := s.checkRefs(ctx, o, req.ContactID, true); err != nil {
			return err
		}
		if owner != a.UserID {
			if _, err := s.users.AssignableOwner(ctx, a, "owner_id", owner); err != nil {
				return err
			}
		}
		p, err := s.pipelineFor(ctx, deref(req.PipelineID))
		if err != nil {
			return err
		}
		st, err := startStage(p, req.StageID)
		if err != nil {
			return err
		}
		o.PipelineID, o.StageID = p.ID, st.ID
		if err := s.enterStage(ctx, o, st, now, ""); err != nil {
			return err
		}
		if o.Score, err = s.scoreOf(ctx, o, st.Probability, now); err != nil {
			return err
		}
		if err := s.store.Create(ctx, o); err != nil {
			return err
		}
		if o.Strategy != "" {
			if err := s.recordStrategy(ctx, o, now); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, "create", "opportunity", o.ID, nil, View(o))
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// Update changes the given fields of an opportunity in the caller's scope.
// A closed one refuses changes to its sales fields (amount, currency,
// expected close date, contact, competitors, products): 409
// invalid_transition until reopened.
func (s *Service) Update(ctx context.Context, id string, ifMatch *int, req OpportunityUpdateRequest) (*Opportunity, error) {
	if err := authz.Require(ctx, "opportunities:write"); err != nil {
		return nil, err
	}
	return s.mutate(ctx, id, ifMatch, "update", func(ctx context.Context, o *Opportunity) error {
		sales := req.Amount != nil || req.Currency != nil || req.ExpectedCloseDate != nil || req.ContactID != nil ||
			req.CompetitorIDs != nil || req.Products != nil
		if o.Closed() && sales {
			return apperr.Conflict("invalid_transition", "invalid_transition")
		}
		var v validate.V
		if req.Name != nil {
			o.Name = strings.TrimSpace(*req.Name)
		}
		if req.Currency != nil {
			o.Currency = strings.ToUpper(strings.TrimSpace(*req.Currency))
		}
		if req.Source != nil {
			o.Source = strings.TrimSpace(*req.Source)
		}
		amount, hasAmount := v.Money("amount", req.Amount, false)
		if hasAmount {
			o.Amount = amount
		}
		if req.ExpectedCloseDate != nil {
			o.ExpectedCloseDate = checkDate(&v, "expected_close_date", req.ExpectedCloseDate)
		}
		if req.CompetitorIDs != nil {
			o.CompetitorIDs = checkIDs(&v, "competitor_ids", *req.CompetitorIDs)
		}
		if req.Products != nil {
			o.Lines = checkLines(&v, *req.Products)
			if req.Amount == nil {
				o.Amount = linesTotal(&v, o.Lines)
			}
		}
		oldStrategy := o.Strategy
		if req.Strategy != nil {
			o.Strategy = strings.TrimSpace(*req.Strategy)
		}
		owner := strings.TrimSpace(deref(req.OwnerID))
		if req.OwnerID != nil && owner == "" {
			v.Add("owner_id", "required")
		}
		checkFields(&v, o)
		if err := v.Err(); err != nil {
			return err
		}
		if err := s.checkRefs(ctx, o, req.ContactID, req.Products != nil); err != nil {
			return err
		}
		if owner != "" && owner != o.OwnerID {
			if _, err := s.users.AssignableOwner(ctx, authz.ActorFrom(ctx), "owner_id", owner); err != nil {
				return err
			}
			o.OwnerID = owner
		}
		now := db.Now()
		if o.Strategy != oldStrategy {
			if err := s.recordStrategy(ctx, o, now); err != nil {
				return err
			}
		}
		return s.rescoreInPlace(ctx, o, now)
	})
}

// Delete soft-deletes an opportunity in the caller's scope
// (opportunities:delete: admins and managers) and cancels its reminders.
func (s *Service) Delete(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "opportunities:delete"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		o, err := s.store.Get(ctx, authz.ActorFrom(ctx), id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != o.Version {
			return apperr.VersionMismatch()
		}
		if err := s.store.SoftDelete(ctx, o, o.Version); err != nil {
			return err
		}
		if err := s.reminders.Cancel(ctx, overdueKey(o)); err != nil {
			return err
		}
		if o.Status == KindWon {
			// Its customer's purchase history just shrank.
			if _, err := s.rescore(ctx, "opportunities.customer_id = ?", o.CustomerID); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, "delete", "opportunity", o.ID, View(o), nil)
	})
}

// mutate is the versioned, audited write of an opportunity in scope. A
// change of status (win, lose, reopen) changes the purchase history of the
// customer's other opportunities, so they are rescored once it is saved.
func (s *Service) mutate(ctx context.Context, id string, ifMatch *int, action string,
	change func(context.Context, *Opportunity) error) (*Opportunity, error) {
	var out *Opportunity
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		var was string
		o, err := s.writes.Apply(ctx, func(ctx context.Context) (*Opportunity, error) {
			o, err := s.store.Get(ctx, authz.ActorFrom(ctx), id)
			if o != nil {
				was = o.Status
			}
			return o, err
		}, ifMatch, action, change)
		if err != nil {
			return err
		}
		out = o
		if was == o.Status {
			return nil
		}
		_, err = s.rescore(ctx, "opportunities.customer_id = ? AND opportunities.id <> ?", o.CustomerID, o.ID)
		return err
	})
	return out, err
}

// unknownRef is the 422 for a reference to nothing the caller may see.
func unknownRef(field, entity string) error {
	return apperr.Invalid(apperr.FieldError{Field: field, Message: "unknown_ref", Params: []any{entity}})
}

// checkRefs checks that the contact (when given) belongs to the
// opportunity's customer, and that its competitors and (when given)
// products exist.
func (s *Service) checkRefs(ctx context.Context, o *Opportunity, contactID *string, products bool) error {
	unknown := unknownRef
	if contactID != nil {
		o.ContactID = nil
		if id := strings.TrimSpace(*contactID); id != "" {
			ct, _, err := s.customers.GetContact(ctx, id)
			if errors.Is(err, apperr.ErrNotFound) {
				return unknown("contact_id", "contact")
			} else if err != nil {
				return err
			}
			if ct.CustomerID != o.CustomerID {
				return apperr.Invalid(apperr.FieldError{Field: "contact_id", Message: "contact_not_of_customer"})
			}
			o.ContactID = &ct.ID
		}
	}
	if n, err := s.store.countCompetitors(ctx, o.CompetitorIDs); err != nil {
		return err
	} else if n != int64(len(o.CompetitorIDs)) {
		return unknown("competitor_ids", "competitor")
	}
	if products && len(o.Lines) > 0 {
		return s.checkProducts(ctx, o.Lines)
	}
	return nil
}

// checkProducts refuses unknown and inactive products.
func (s *Service) checkProducts(ctx context.Context, lines []Line) error {
	ids := make([]string, len(lines))
	for i, l := range lines {
		ids[i] = l.ProductID
	}
	found, err := s.products.Lookup(ctx, ids)
	if err != nil {
		return err
	}
	var v validate.V
	for i, l := range lines {
		p, known := found[l.ProductID]
		switch {
		case !known:
			v.Add(fmt.Sprintf("products[%d].product_id", i), "unknown_ref", "product")
		case !p.Active:
			v.Add(fmt.Sprintf("products[%d].product_id", i), "product_inactive")
		}
	}
	return v.Err()
}

// pipelineFor is the named pipeline (422 when unknown), or the default.
func (s *Service) pipelineFor(ctx context.Context, id string) (*Pipeline, error) {
	if strings.TrimSpace(id) == "" {
		return s.pipes.Default(ctx)
	}
	p, err := s.pipes.Get(ctx, strings.TrimSpace(id))
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, apperr.Invalid(apperr.FieldError{Field: "pipeline_id", Message: "unknown_ref", Params: []any{"pipeline"}})
	}
	return p, err
}

// startStage is the stage a new opportunity starts in: the named open
// stage, or the pipeline's first open one.
func startStage(p *Pipeline, id *string) (*Stage, error) {
	if id == nil || strings.TrimSpace(*id) == "" {
		return p.stageOfKind(KindOpen), nil
	}
	return openStage(p, "stage_id", *id)
}

// openStage finds an open stage of p by id; won and lost stages are
// reached through win and lose (422).
func openStage(p *Pipeline, field, id string) (*Stage, error) {
	st := p.stageByID(strings.TrimSpace(id))
	if st == nil {
		return nil, apperr.Invalid(apperr.FieldError{Field: field, Message: "stage_unknown"})
	}
	if st.Kind != KindOpen {
		return nil, apperr.Invalid(apperr.FieldError{Field: field, Message: "stage_not_open"})
	}
	return st, nil
}

// recordStrategy keeps the new strategy text in its history.
func (s *Service) recordStrategy(ctx context.Context, o *Opportunity, now time.Time) error {
	return s.store.AddStrategy(ctx, &StrategyChange{ID: uuid.Must(uuid.NewV7()).String(), OpportunityID: o.ID,
		Strategy: o.Strategy, ChangedBy: authz.ActorFrom(ctx).ID(), ChangedAt: now})
}

// checkFields validates an opportunity's own fields.
func checkFields(v *validate.V, o *Opportunity) {
	if v.Required("name", o.Name) {
		v.MaxLen("name", o.Name, maxName)
	}
	if len(o.Currency) != 3 || strings.ToUpper(o.Currency) != o.Currency || strings.ContainsFunc(o.Currency,
		func(r rune) bool { return r < 'A' || r > 'Z' }) {
		v.Add("currency", "invalid_value")
	}
	v.OneOf("source", o.Source, Sources...)
	v.MaxLen("strategy", o.Strategy, maxText)
}

// checkDate reads an optional "2026-12-31"; blank clears it.
func checkDate(v *validate.V, field string, s *string) *string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	d := strings.TrimSpace(*s)
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		v.Add(field, "invalid_date")
		return nil
	}
	return &d
}

// checkIDs trims a list of ids and refuses malformed and repeated ones.
func checkIDs(v *validate.V, field string, in []string) []string {
	out := make([]string, 0, len(in))
	if len(in) > maxLinks {
		v.Add(field, "too_many", maxLinks)
		return out
	}
	for _, id := range in {
		id = strings.TrimSpace(id)
		if _, err := uuid.Parse(id); err != nil {
			v.Add(field, "unknown_ref", "competitor")
			return out
		}
		if slices.Contains(out, id) {
			v.Add(field, "duplicate_ids")
			return out
		}
		out = append(out, id)
	}
	return out
}

var (
	hundred     = decimal.NewFromInt(100)
	maxQuantity = decimal.NewFromInt(1_000_000_000)
)

// checkLines validates product lines and computes their totals; nil in,
// nil out (no products given).
func checkLines(v *validate.V, in []LineRequest) []Line {
	if in == nil {
		return nil
	}
	if len(in) > maxLines {
		v.Add("products", "too_many", maxLines)
		return nil
	}
	out := make([]Line, len(in))
	for i, r := range in {
		f := func(name string) string { return fmt.Sprintf("products[%d].%s", i, name) }
		l := Line{ProductID: strings.TrimSpace(r.ProductID), DiscountPercent: "0"}
		if v.Required(f("product_id"), l.ProductID) {
			if _, err := uuid.Parse(l.ProductID); err != nil {
				v.Add(f("product_id"), "unknown_ref", "product")
			}
		}
		qty, okQ := v.Decimal(f("quantity"), &r.Quantity, 4, decimal.Zero, maxQuantity)
		if okQ && !qty.IsPositive() {
			v.Add(f("quantity"), "between", "0.0001", maxQuantity.String())
			okQ = false
		}
		price, okP := v.Money(f("unit_price"), &r.UnitPrice, false)
		disc, okD := decimal.Zero, true
		if r.DiscountPercent != nil {
			disc, okD = v.Decimal(f("discount_percent"), r.DiscountPercent, 2, decimal.Zero, hundred)
		}
		if okQ && okP && okD {
			total, err := money.FromDecimalChecked(qty.Mul(price.Decimal()).Mul(hundred.Sub(disc)).Div(hundred))
			if err != nil {
				v.Add(f("quantity"), "money_range")
			}
			l.Quantity, l.UnitPrice, l.DiscountPercent, l.LineTotal = qty.String(), price, disc.String(), total
		}
		out[i] = l
	}
	return out
}

// linesTotal is the sum of the line totals, the amount when none is given.
func linesTotal(v *validate.V, lines []Line) money.Amount {
	var t money.Amount
	for _, l := range lines {
		t += l.LineTotal
	}
	if t > money.Max {
		v.Add("amount", "money_range")
	}
	return t
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
