package product

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
)

// UsageCheck reports whether something still refers to a product (an
// opportunity line, a quote line…), which then cannot be deleted.
type UsageCheck func(ctx context.Context, productID string) (bool, error)

type namedCheck struct {
	name string
	fn   UsageCheck
}

// Service holds the catalogue use cases.
type Service struct {
	db     *db.DB
	store  *Store
	audit  *audit.Writer
	checks []namedCheck
	// writes is the versioned, audited write every change goes through.
	writes record.Mutation[*Product]
}

// NewService wires the product service.
func NewService(d *db.DB, st *Store, aw *audit.Writer) *Service {
	return &Service{db: d, store: st, audit: aw,
		writes: record.Mutation[*Product]{DB: d, Audit: aw, Entity: "product", Save: st.Save,
			ID: func(p *Product) string { return p.ID }, View: func(p *Product) any { return View(p) }}}
}

// AddUsageCheck registers a check that a product is still referred to by
// the records called name; Delete refuses a product any check reports in
// use. Call while wiring, before serving.
func (s *Service) AddUsageCheck(name string, fn func(ctx context.Context, productID string) (bool, error)) {
	s.checks = append(s.checks, namedCheck{name: name, fn: fn})
}

// Get loads one product.
func (s *Service) Get(ctx context.Context, id string) (*Product, error) {
	if err := authz.Require(ctx, "products:read"); err != nil {
		return nil, err
	}
	return s.store.Get(ctx, id)
}

// Lookup loads the products with these ids for other modules (an
// opportunity's or a quote's lines), keyed by id; unknown ids are absent.
// It checks no permission: the catalogue is global and the caller has
// authorised its own operation.
func (s *Service) Lookup(ctx context.Context, ids []string) (map[string]Product, error) {
	out := make(map[string]Product, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	ps, err := s.store.ByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, nil
}

// List pages through the catalogue.
func (s *Service) List(ctx context.Context, f Filter, r paging.Request) (paging.Page[Product], error) {
	if err := authz.Require(ctx, "products:read"); err != nil {
		return paging.Page[Product]{}, err
	}
	q, err := spec.Parse(r)
	if err != nil {
		return paging.Page[Product]{}, err
	}
	if err := CheckFilter(f); err != nil {
		return paging.Page[Product]{}, err
	}
	page, err := q.Fetch(s.store.Query(ctx, f))
	if err != nil {
		return page, fmt.Errorf("product.list: %w", err)
	}
	return page, nil
}

// CheckFilter refuses a currency filter that is not a currency code (422).
func CheckFilter(f Filter) error {
	var v validate.V
	v.Currency("currency", f.Currency)
	return v.Err()
}

// Categories lists the categories in use with their product counts.
func (s *Service) Categories(ctx context.Context) ([]CategoryResponse, error) {
	if err := authz.Require(ctx, "products:read"); err != nil {
		return nil, err
	}
	return s.store.Categories(ctx)
}

// Create adds a product; a SKU already taken, in any case, is a 409
// duplicate naming the product that has it.
func (s *Service) Create(ctx context.Context, req ProductCreateRequest) (*Product, error) {
	if err := authz.Require(ctx, "products:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	p := &Product{ID: uuid.Must(uuid.NewV7()).String(), SKU: req.SKU, Name: req.Name, Category: req.Category,
		Unit: req.Unit, Currency: req.Currency, Active: true, Description: req.Description,
		CreatedBy: authz.ActorFrom(ctx).ID(), CreatedAt: now, UpdatedAt: now, Version: 1}
	if req.Active != nil {
		p.Active = *req.Active
	}
	var v validate.V
	if req.Price == nil {
		v.Add("price", "required")
	} else if a, ok := v.Money("price", req.Price, false); ok {
		p.Price = a
	}
	p.Cost = cost(&v, req.Cost)
	if err := check(&v, p); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.checkSKU(ctx, p); err != nil {
			return err
		}
		if err := s.store.Create(ctx, p); err != nil {
			return err
		}
		return s.audit.Record(ctx, "create", "product", p.ID, nil, View(p))
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Update changes the given fields of a product.
func (s *Service) Update(ctx context.Context, id string, ifMatch *int, req ProductUpdateRequest) (*Product, error) {
	if err := authz.Require(ctx, "products:write"); err != nil {
		return nil, err
	}
	load := func(ctx context.Context) (*Product, error) { return s.store.Get(ctx, id) }
	return s.writes.Apply(ctx, load, ifMatch, "update", func(ctx context.Context, p *Product) error {
		for _, f := range []struct{ dst, src *string }{{&p.SKU, req.SKU}, {&p.Name, req.Name},
			{&p.Category, req.Category}, {&p.Unit, req.Unit}, {&p.Currency, req.Currency},
			{&p.Description, req.Description}} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		if req.Active != nil {
			p.Active = *req.Active
		}
		var v validate.V
		if a, ok := v.Money("price", req.Price, false); ok {
			p.Price = a
		}
		if req.Cost != nil {
			p.Cost = cost(&v, req.Cost)
		}
		if err := check(&v, p); err != nil {
			return err
		}
		return s.checkSKU(ctx, p)
	})
}

// Delete removes a product nothing refers to. One still in use is a 409
// in_use: retire it with active=false instead, so the records that quote
// it keep their product.
func (s *Service) Delete(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "products:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		p, err := s.store.Get(ctx, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != p.Version {
			return apperr.VersionMismatch()
		}
		for _, c := range s.checks {
			used, err := c.fn(ctx, p.ID)
			if err != nil {
				return fmt.Errorf("product.usage %s: %w", c.name, err)
			}
			if used {
				return inUse()
			}
		}
		if err := s.store.Delete(ctx, p, p.Version); err != nil {
			return err
		}
		return s.audit.Record(ctx, "delete", "product", p.ID, View(p), nil)
	})
}

// checkSKU refuses a SKU another product has, in any case, naming it; the
// unique index catches the race between two writers (Store).
func (s *Service) checkSKU(ctx context.Context, p *Product) error {
	other, err := s.store.BySKUKey(ctx, SKUKey(p.SKU))
	if err != nil {
		return err
	}
	if other != nil && other.ID != p.ID {
		return skuTaken(other)
	}
	return nil
}

// skuTaken is the 409 duplicate of API.md, matched on the SKU; other is
// the product holding it, when known.
func skuTaken(other *Product) error {
	m := dedupe.Match{Type: "product", InScope: true, On: []string{"sku"}}
	if other != nil {
		m.ID, m.Name = other.ID, other.Name
	}
	return dedupe.Conflict([]dedupe.Match{m})
}

func inUse() error { return apperr.Conflict("in_use", "in_use", "product") }

// cost reads an optional cost: nil, or "" (unknown), is no cost.
func cost(v *validate.V, s *string) *money.Amount {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	a, ok := v.Money("cost", s, false)
	if !ok {
		return nil
	}
	return &a
}

// check normalises a product's fields in place and validates them all.
func check(v *validate.V, p *Product) error {
	for _, f := range []*string{&p.SKU, &p.Name, &p.Category, &p.Unit, &p.Currency, &p.Description} {
		*f = strings.TrimSpace(*f)
	}
	p.Currency = strings.ToUpper(p.Currency)
	if p.Currency == "" {
		p.Currency = DefaultCurrency
	}
	if v.Required("sku", p.SKU) {
		v.MaxLen("sku", p.SKU, maxSKU)
		if !skuRe.MatchString(p.SKU) {
			v.Add("sku", "sku_format")
		}
	}
	if v.Required("name", p.Name) {
		v.MaxLen("name", p.Name, maxName)
	}
	v.MaxLen("category", p.Category, maxCategory)
	v.MaxLen("unit", p.Unit, maxUnit)
	v.Currency("currency", p.Currency)
	v.MaxLen("description", p.Description, maxDescription)
	return v.Err()
}
