package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// wonProductsRollup sums the product lines of won deals per UTC month of
// closing, owner and product: won_amount by product in /reports/trends
// reads it as v0017's monthly rollups are read (a year is some fifty
// thousand rows for the whole organisation instead of every won deal
// joined to its lines). The month, owner and liveness come from the deal,
// so a deal won, lost, reopened, re-dated, re-owned or deleted moves its
// lines (parent triggers).
func wonProductsRollup(pg bool) keyedRollup {
	deal := func(r, col string) string {
		return "(SELECT op." + col + " FROM opportunities op WHERE op.id = " + r + ".opportunity_id AND op.status = 'won' " +
			"AND op.deleted_at IS NULL)"
	}
	return keyedRollup{name: "rollup_won_products", table: "opportunity_products", at: "closed_at",
		cols:  "opportunity_id, product_id, line_total",
		month: func(r string, pg bool) string { return utcMonth(deal(r, "closed_at"), pg) },
		keys: []rollupCol{{name: "owner_id", of: func(r string) string { return "COALESCE(" + deal(r, "owner_id") + ", '')" }},
			{name: "product_id", of: func(r string) string { return r + ".product_id" }}},
		sums: []rollupCol{{name: "amount", of: func(r string) string { return r + ".line_total" }},
			{name: "n", of: func(string) string { return "1" }}},
		live: func(r string) string { return deal(r, "closed_at") + " IS NOT NULL" },
	}
}

// v0026WonProductsRollup adds rollup_won_products.
func v0026WonProductsRollup() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0026_won_products_rollup",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			r := wonProductsRollup(pg)
			if err := r.create(tx, pg); err != nil {
				return err
			}
			for _, s := range r.parentTriggers("opportunities", "opportunity_id",
				[]string{"status", "closed_at", "deleted_at", "owner_id"}, pg) {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			r := wonProductsRollup(pg)
			return execAll(tx, append(r.parentDrops("opportunities", pg), r.drops(pg)...))
		},
	}
}
