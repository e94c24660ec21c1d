package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// orderProductRollups serve orders_count by product in /reports/trends:
// the orders approved in a bucket that contain a product, each order once
// however many of its lines name the product. Two keyed rollups, each kept
// by its triggers:
//   - order_product_lines counts an order's lines per catalogue product
//     (zero once its last such line goes);
//   - rollup_order_products counts, per UTC month of approval and product,
//     the approved orders with at least one line of the product. Its rows
//     follow order_product_lines, and an order approved or re-dated moves
//     its products (parent triggers). It has no owner: the orders of a
//     month rarely repeat a product for one owner, so with an owner the key
//     would hold about a row per order and product; an admin's whole
//     organisation reads some six thousand rows a year, a manager's team
//     keeps the plain query.
func orderProductRollups(pg bool) (lines, orders keyedRollup) {
	order := func(r, col string) string {
		return "(SELECT od." + col + " FROM orders od WHERE od.id = " + r + ".doc_id)"
	}
	lines = keyedRollup{name: "order_product_lines", table: "document_items", cols: "doc_type, doc_id, product_id",
		keys: []rollupCol{{name: "doc_id", of: func(r string) string { return r + ".doc_id" }},
			{name: "product_id", of: func(r string) string { return r + ".product_id" }}},
		sums: []rollupCol{{name: "lines", of: func(string) string { return "1" }}},
		live: func(r string) string { return r + ".doc_type = 'order' AND " + r + ".product_id IS NOT NULL" }}
	orders = keyedRollup{name: "rollup_order_products", table: "order_product_lines", at: "approved_at",
		cols: "doc_id, product_id, lines", id: []string{"doc_id", "product_id"},
		month: func(r string, pg bool) string { return utcMonth(order(r, "approved_at"), pg) },
		keys: []rollupCol{{name: "product_id", of: func(r string) string { return r + ".product_id" }}},
		// amount keeps the shape of the monthly rollups the trends read.
		sums: []rollupCol{{name: "amount", of: func(string) string { return "0" }}, {name: "n", of: func(string) string { return "1" }}},
		live: func(r string) string { return r + ".lines > 0 AND " + order(r, "approved_at") + " IS NOT NULL" }}
	return lines, orders
}

// v0027OrderProductsRollup adds both rollups.
func v0027OrderProductsRollup() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0027_order_products_rollup",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			lines, orders := orderProductRollups(pg)
			for _, r := range []keyedRollup{lines, orders} {
				if err := r.create(tx, pg); err != nil {
					return err
				}
			}
			for _, s := range orders.parentTriggers("orders", "doc_id", []string{"approved_at"}, pg) {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			lines, orders := orderProductRollups(pg)
			drops := append(orders.parentDrops("orders", pg), orders.drops(pg)...)
			for _, s := range append(drops, lines.drops(pg)...) {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}
}
