package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// orderProductRollups serve orders_count by product in /reports/trends:
// the orders approved in a bucket that contain a product, each order once
// however many of its lines name the product. Three keyed rollups, each
// kept by its triggers:
//   - order_product_lines counts an order's lines per catalogue product
//     (zero once its last such line goes);
//   - rollup_order_products counts, per UTC month of approval and product,
//     the approved orders with at least one line of the product: an
//     admin's whole organisation reads some six thousand rows a year;
//   - rollup_order_products_owner is the same per owner too, for a team
//     or a rep: the orders of a month rarely repeat a product for one
//     owner, so it holds about a row per order and product, but narrow,
//     pre-joined and read by owner, where the plain query joins every line
//     of the team's orders.
//
// The last two follow order_product_lines, and an order approved,
// re-dated or re-owned moves its products (parent triggers).
func orderProductRollups(pg bool) (lines keyedRollup, orders []keyedRollup) {
	order := func(r, col string) string {
		return "(SELECT od." + col + " FROM orders od WHERE od.id = " + r + ".doc_id)"
	}
	lines = keyedRollup{name: "order_product_lines", table: "document_items", cols: "doc_type, doc_id, product_id",
		keys: []rollupCol{{name: "doc_id", of: func(r string) string { return r + ".doc_id" }},
			{name: "product_id", of: func(r string) string { return r + ".product_id" }}},
		sums: []rollupCol{{name: "lines", of: func(string) string { return "1" }}},
		live: func(r string) string { return r + ".doc_type = 'order' AND " + r + ".product_id IS NOT NULL" }}
	product := rollupCol{name: "product_id", of: func(r string) string { return r + ".product_id" }}
	owner := rollupCol{name: "owner_id", of: func(r string) string { return "COALESCE(" + order(r, "owner_id") + ", '')" }}
	perOrder := keyedRollup{table: "order_product_lines", at: "approved_at", cols: "doc_id, product_id, lines",
		id:    []string{"doc_id", "product_id"},
		month: func(r string, pg bool) string { return utcMonth(order(r, "approved_at"), pg) },
		// amount keeps the shape of the monthly rollups the trends read.
		sums: []rollupCol{{name: "amount", of: func(string) string { return "0" }}, {name: "n", of: func(string) string { return "1" }}},
		live: func(r string) string { return r + ".lines > 0 AND " + order(r, "approved_at") + " IS NOT NULL" }}
	all, owned := perOrder, perOrder
	all.name, all.keys = "rollup_order_products", []rollupCol{product}
	owned.name, owned.keys = "rollup_order_products_owner", []rollupCol{owner, product}
	return lines, []keyedRollup{all, owned}
}

// v0027OrderProductsRollup adds both rollups.
func v0027OrderProductsRollup() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0027_order_products_rollup",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			lines, orders := orderProductRollups(pg)
			stmts := []string{"CREATE INDEX idx_rollup_order_products_owner ON rollup_order_products_owner (owner_id, month)"}
			stmts = append(stmts, orders[0].parentTriggers("orders", "doc_id", []string{"approved_at"}, pg)...)
			stmts = append(stmts, orders[1].parentTriggers("orders", "doc_id", []string{"approved_at", "owner_id"}, pg)...)
			for _, r := range append([]keyedRollup{lines}, orders...) {
				if err := r.create(tx, pg); err != nil {
					return err
				}
			}
			return execAll(tx, stmts)
		},
		Rollback: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			lines, orders := orderProductRollups(pg)
			var drops []string
			for _, r := range orders {
				drops = append(append(drops, r.parentDrops("orders", pg)...), r.drops(pg)...)
			}
			return execAll(tx, append(drops, lines.drops(pg)...))
		},
	}
}
