package report

import (
	"context"
	"fmt"
	"slices"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"gorm.io/gorm"
)

// mixStore reads the product, customer and activity reports: grouped SQL
// over range predicates on the date column and owner_id IN (scope).
type mixStore struct{ db *db.DB }

// saleGroup is the order lines of one product (nil: free-text lines).
type saleGroup struct {
	ProductID  *string
	Lines      int64
	QuantityE4 int64
	Revenue    int64
}

// quantityE4 is a line's quantity (a decimal string of at most four
// places) in ten thousandths, exact on both databases: PostgreSQL casts
// to NUMERIC; SQLite's REAL is exact to far more digits than a quantity
// of at most 10^9 with four places needs, and the product is rounded.
func (s mixStore) quantityE4(col string) string {
	if s.db.Dialect() == db.Postgres {
		return "CAST(ROUND(CAST(" + col + " AS NUMERIC) * 10000) AS BIGINT)"
	}
	return "CAST(ROUND(CAST(" + col + " AS REAL) * 10000) AS INTEGER)"
}

// productSales groups the lines of the orders approved in rng and not
// cancelled, owned by ids (and in a's scope), by product; categories, when
// given, keep only the catalogue products in them. everyone says ids is
// the whole organisation (an admin without team or user filter): the
// lines then come from rollup_product_sales (migration v0025) for the UTC
// months nearest the range's ends and from the order lines themselves for
// the slices between (monthSpan).
func (s mixStore) productSales(ctx context.Context, a *authz.Actor, ids []string, everyone bool, rng Range,
	categories []string) ([]saleGroup, error) {
	var out []saleGroup
	if len(ids) == 0 {
		return out, nil
	}
	sp := monthSpan{Slices: []signedSlice{{rng.Start, rng.End, 1}}}
	if everyone {
		sp = monthSpanOf(rng)
	}
	parts := make([][]saleGroup, len(sp.Slices)+1)
	signs := []int64{1}
	var reads []func() error
	if sp.First != "" {
		reads = append(reads, func() error {
			q := s.db.Conn(ctx).Table("rollup_product_sales AS r").
				Select("NULLIF(r.product_id, '') AS product_id, SUM(r.lines) AS lines, SUM(r.quantity_e4) AS quantity_e4, "+
					"SUM(r.revenue) AS revenue").
				Where("r.month >= ? AND r.month < ?", sp.First, sp.Last)
			if len(categories) > 0 {
				q = q.Where("r.product_id IN (?)", s.db.Conn(ctx).Table("products").Select("id").Where("category IN ?", categories))
			}
			return q.Group("r.product_id").Scan(&parts[0]).Error
		})
	}
	for i, sl := range sp.Slices {
		signs = append(signs, sl.Sign)
		reads = append(reads, func() error {
			return s.heavyRead(ctx, func(g *gorm.DB) error {
				return s.productSalesQuery(g, a, ids, Range{Start: sl.Start, End: sl.End}, categories).
					Group("di.product_id").Scan(&parts[i+1]).Error
			})
		})
	}
	if err := sideBySide(ctx, reads...); err != nil {
		return nil, fmt.Errorf("report.product_sales: %w", err)
	}
	at := map[string]int{}
	for i, part := range parts {
		for _, g := range part {
			key := ""
			if g.ProductID != nil {
				key = *g.ProductID
			}
			k, ok := at[key]
			if !ok {
				k = len(out)
				at[key] = k
				out = append(out, saleGroup{ProductID: g.ProductID})
			}
			out[k].Lines += signs[i] * g.Lines
			out[k].QuantityE4 += signs[i] * g.QuantityE4
			out[k].Revenue += signs[i] * g.Revenue
		}
	}
	// A product whose lines all left the range nets to zero lines: the
	// plain query would not list it.
	return slices.DeleteFunc(out, func(g saleGroup) bool { return g.Lines == 0 }), nil
}

// productSalesQuery is productSales' query before grouping: the order
// lines themselves.
func (s mixStore) productSalesQuery(g *gorm.DB, a *authz.Actor, ids []string, rng Range, categories []string) *gorm.DB {
	q := g.Table("document_items AS di").Joins("JOIN orders o ON o.id = di.doc_id").
		Select("di.product_id AS product_id, COUNT(*) AS lines, COALESCE(SUM("+s.quantityE4("di.quantity")+"), 0) AS quantity_e4, "+
			"COALESCE(SUM(di.net), 0) AS revenue").
		Where("di.doc_type = ? AND o.approved_at >= ? AND o.approved_at < ? AND o.status <> ?",
			"order", rng.Start, rng.End, "cancelled").
		Where("o.owner_id IN ?", ids).Scopes(authz.Scope(a, "o.owner_id"))
	if len(categories) > 0 {
		q = q.Where("di.product_id IN (?)", g.Table("products").Select("id").Where("category IN ?", categories))
	}
	return q
}

// catalogueProduct is what the product report shows of a product.
type catalogueProduct struct {
	ID       string
	SKU      string
	Name     string
	Category string
	Active   bool
	Cost     *int64
}

// catalogue loads the active products (in categories, when given) and
// the products sold, by id: the catalogue is small next to the order lines.
func (s mixStore) catalogue(ctx context.Context, categories []string, sales []saleGroup) (map[string]catalogueProduct, error) {
	var sold []string
	for _, g := range sales {
		if g.ProductID != nil {
			sold = append(sold, *g.ProductID)
		}
	}
	active := s.db.Conn(ctx).Where("active = ?", true)
	if len(categories) > 0 {
		active = active.Where("category IN ?", categories)
	}
	q := s.db.Conn(ctx).Table("products").Select("id, sku, name, category, active, cost")
	if len(sold) > 0 {
		q = q.Where(active.Or("id IN ?", sold))
	} else {
		q = q.Where(active)
	}
	var rows []catalogueProduct
	if err := q.Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("report.catalogue: %w", err)
	}
	out := make(map[string]catalogueProduct, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, nil
}
