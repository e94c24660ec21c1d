package report

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/shopspring/decimal"
)

// MixService computes the product, customer and activity reports. It
// reads its span and scope through the performance reports' resolver, so
// every report cuts periods and refuses filters outside scope alike.
type MixService struct {
	perf  *PerfService
	store mixStore
}

// NewMixService wires the product, customer and activity reports.
func NewMixService(d *db.DB, dir Directory, st Settings) *MixService {
	return &MixService{perf: NewPerfService(d, dir, st), store: mixStore{db: d}}
}

// Limits of the product report.
const (
	productsDefaultLimit = 10
	productsMaxLimit     = 100
)

// ProductsQuery is the product report's parameters, as given.
type ProductsQuery struct {
	PerfQuery
	Categories []string
	Limit      string
}

// ProductSales is one product's sales in the span. Quantity is in ten
// thousandths (quantities have at most four places). Cost, Margin and
// MarginRate are nil when the cost is unknown or hidden from the caller.
type ProductSales struct {
	ProductID  string
	SKU        string
	Name       string
	Category   string
	Active     bool
	QuantityE4 int64
	Revenue    money.Amount
	Cost       *money.Amount
	Margin     *money.Amount
	MarginRate *string
	Rank       int
}

// UnlistedSales is the free-text lines (no catalogue product).
type UnlistedSales struct {
	Lines      int64
	QuantityE4 int64
	Revenue    money.Amount
}

// ProductTotals sums the catalogue products sold in the span.
type ProductTotals struct {
	QuantityE4 int64
	Revenue    money.Amount
	Cost       *money.Amount
	Margin     *money.Amount
	MarginRate *string
}

// Products is the product report.
type Products struct {
	Range        Range
	Limit        int
	CostVisible  bool
	BestSellers  []ProductSales
	WorstSellers []ProductSales
	Totals       ProductTotals
	// Unlisted is nil when a category filter leaves free-text lines out.
	Unlisted *UnlistedSales
}

// intParam reads an optional integer query parameter in [lo, hi].
func intParam(v *validate.V, field, s string, def, lo, hi int) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	switch {
	case err != nil:
		v.Add(field, "must_be_integer")
	case n < lo || n > hi:
		v.Add(field, "out_of_range", lo, hi)
	}
	return n
}

// Products reports the sales of catalogue products on the order lines of
// the orders approved in the span and not cancelled, by order owner in
// scope: best sellers by revenue, worst sellers among the active
// catalogue (unsold ones included), totals and the free-text lines.
func (s *MixService) Products(ctx context.Context, q ProductsQuery) (*Products, error) {
	if err := authz.Require(ctx, "reports:read"); err != nil {
		return nil, err
	}
	var v validate.V
	limit := intParam(&v, "limit", q.Limit, productsDefaultLimit, 1, productsMaxLimit)
	if err := v.Err(); err != nil {
		return nil, err
	}
	rng, sub, err := s.perf.resolve(ctx, q.PerfQuery, false)
	if err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	sales, err := s.store.productSales(ctx, a, userIDs(sub.users), trOwners(a, q.PerfQuery, sub.users) == nil, rng, q.Categories)
	if err != nil {
		return nil, err
	}
	catalogue, err := s.store.catalogue(ctx, q.Categories, sales)
	if err != nil {
		return nil, err
	}
	rep := &Products{Range: rng, Limit: limit, CostVisible: a.Can("products:cost")}
	if len(q.Categories) == 0 {
		rep.Unlisted = &UnlistedSales{}
	}
	var sold, active []ProductSales
	costKnown := true
	var totalCost money.Amount
	for _, g := range sales {
		p, listed := catalogue[deref(g.ProductID)]
		if !listed {
			// A free-text line; or, defensively, a product no longer in the
			// catalogue (one in use cannot be deleted).
			if rep.Unlisted != nil {
				rep.Unlisted.Lines += g.Lines
				rep.Unlisted.QuantityE4 += g.QuantityE4
				rep.Unlisted.Revenue += money.Amount(g.Revenue)
			}
			continue
		}
		row := productRow(p, g.QuantityE4, money.Amount(g.Revenue))
		rep.Totals.QuantityE4 += row.QuantityE4
		rep.Totals.Revenue += row.Revenue
		if row.Cost == nil {
			costKnown = false
		} else {
			totalCost += *row.Cost
		}
		sold = append(sold, row)
	}
	soldIDs := map[string]ProductSales{}
	for _, r := range sold {
		soldIDs[r.ProductID] = r
	}
	for _, p := range catalogue {
		if !p.Active {
			continue
		}
		if r, ok := soldIDs[p.ID]; ok {
			active = append(active, r)
		} else {
			active = append(active, productRow(p, 0, 0))
		}
	}
	if costKnown {
		rep.Totals.Cost = &totalCost
		m := rep.Totals.Revenue - totalCost
		rep.Totals.Margin = &m
		rep.Totals.MarginRate = ratio(int64(m), int64(rep.Totals.Revenue))
	}
	byName := func(a, b ProductSales) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.ProductID, b.ProductID))
	}
	slices.SortFunc(sold, func(a, b ProductSales) int {
		return cmp.Or(cmp.Compare(b.Revenue, a.Revenue), cmp.Compare(b.QuantityE4, a.QuantityE4), byName(a, b))
	})
	slices.SortFunc(active, func(a, b ProductSales) int {
		return cmp.Or(cmp.Compare(a.Revenue, b.Revenue), cmp.Compare(a.QuantityE4, b.QuantityE4), byName(a, b))
	})
	rep.BestSellers = ranked(sold, limit)
	rep.WorstSellers = ranked(active, limit)
	if !rep.CostVisible {
		rep.Totals.Cost, rep.Totals.Margin, rep.Totals.MarginRate = nil, nil, nil
		for _, rows := range [][]ProductSales{rep.BestSellers, rep.WorstSellers} {
			for i := range rows {
				rows[i].Cost, rows[i].Margin, rows[i].MarginRate = nil, nil, nil
			}
		}
	}
	return rep, nil
}

// productRow prices a product's sales: cost is the product's current cost
// × quantity, rounded half away from zero to the cent once.
func productRow(p catalogueProduct, qtyE4 int64, revenue money.Amount) ProductSales {
	r := ProductSales{ProductID: p.ID, SKU: p.SKU, Name: p.Name, Category: p.Category, Active: p.Active,
		QuantityE4: qtyE4, Revenue: revenue}
	if p.Cost != nil {
		c := money.FromDecimal(decimal.NewFromInt(*p.Cost).Mul(decimal.New(qtyE4, -4)).Shift(-2)) // minor units
		m := revenue - c
		r.Cost, r.Margin, r.MarginRate = &c, &m, ratio(int64(m), int64(revenue))
	}
	return r
}

// ranked is the first limit rows, numbered from 1.
func ranked(rows []ProductSales, limit int) []ProductSales {
	out := slices.Clone(rows[:min(limit, len(rows))])
	for i := range out {
		out[i].Rank = i + 1
	}
	return out
}

// quantityString formats a quantity in ten thousandths ("2.5").
func quantityString(e4 int64) string { return decimal.New(e4, -4).String() }
