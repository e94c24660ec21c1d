package report

import (
	"context"
	"fmt"

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
// given, keep only the catalogue products in them.
func (s mixStore) productSales(ctx context.Context, a *authz.Actor, ids []string, rng Range, categories []string) ([]saleGroup, error) {
	var out []saleGroup
	if len(ids) == 0 {
		return out, nil
	}
	err := s.heavyRead(ctx, func(g *gorm.DB) error {
		return s.productSalesQuery(g, a, ids, rng, categories).Group("di.product_id").Scan(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("report.product_sales: %w", err)
	}
	return out, nil
}

// productSalesQuery is productSales' query before grouping. Every order
// line of a year is read (no rollup: a day, owner and product rollup
// would hold about as many rows as the lines themselves).
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
