package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// productSalesRollup sums the order lines that count for the product
// report — lines of orders approved and not cancelled — per UTC month of
// the order's approval and product (” for free-text lines): how many, the
// quantity in ten thousandths, and the net revenue. It has no owner: an
// admin's whole organisation reads some six thousand rows a year instead
// of every line (with an owner the key would hold about as many rows as
// the lines); a manager's team keeps the plain query. Lines are kept by
// the keyed rollup's triggers, and an order approved, cancelled, re-dated
// or deleted moves its lines (parent triggers).
func productSalesRollup(pg bool) keyedRollup {
	// live order: approved, not cancelled.
	order := func(r string) string {
		return "(SELECT od.approved_at FROM orders od WHERE od.id = " + r + ".doc_id AND od.status <> 'cancelled')"
	}
	quantity := func(r string) string {
		if pg {
			return "CAST(ROUND(CAST(" + r + ".quantity AS NUMERIC) * 10000) AS BIGINT)"
		}
		return "CAST(ROUND(CAST(" + r + ".quantity AS REAL) * 10000) AS INTEGER)"
	}
	return keyedRollup{name: "rollup_product_sales", table: "document_items", at: "approved_at",
		cols:  "doc_type, doc_id, product_id, quantity, net",
		month: func(r string, pg bool) string { return utcMonth(order(r), pg) },
		keys:  []rollupCol{{name: "product_id", of: func(r string) string { return "COALESCE(" + r + ".product_id, '')" }}},
		sums: []rollupCol{{name: "lines", of: func(string) string { return "1" }}, {name: "quantity_e4", of: quantity},
			{name: "revenue", of: func(r string) string { return r + ".net" }}},
		live: func(r string) string { return r + ".doc_type = 'order' AND " + order(r) + " IS NOT NULL" },
	}
}

// v0025ProductSalesRollup adds rollup_product_sales.
func v0025ProductSalesRollup() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0025_product_sales_rollup",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			r := productSalesRollup(pg)
			if err := r.create(tx, pg); err != nil {
				return err
			}
			for _, s := range r.parentTriggers("orders", "doc_id", []string{"approved_at", "status"}, pg) {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			r := productSalesRollup(pg)
			return execAll(tx, append(r.parentDrops("orders", pg), r.drops(pg)...))
		},
	}
}
