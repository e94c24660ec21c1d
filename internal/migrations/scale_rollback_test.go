package migrations

import (
	"context"
	"slices"
	"testing"

	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/db/dbtest"
)

// The scale migrations (indexes, rollup tables, triggers, the funnel's
// stage mask) roll back cleanly to 0015 on both databases, leaving none
// of their objects behind, and apply again afterwards.
func TestScaleMigrationsRollBackAndReapply(t *testing.T) {
	open := map[string]func(t *testing.T) (string, string){
		"sqlite":   func(t *testing.T) (string, string) { return "", t.TempDir() },
		"postgres": func(t *testing.T) (string, string) { return dbtest.PostgresURL(t), "" },
	}
	for name, where := range open {
		t.Run(name, func(t *testing.T) {
			dsn, dir := where(t)
			ctx := context.Background()
			d, err := db.Open(ctx, dsn, dir, db.Options{MaxOpenConns: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if err := d.Migrate(ctx, All()); err != nil {
				t.Fatal(err)
			}
			m := gormigrate.New(d.Gorm(), &gormigrate.Options{TableName: "schema_migrations", IDColumnName: "id",
				IDColumnSize: 255, ValidateUnknownMigrations: true}, All())
			if err := m.RollbackTo("0015_team"); err != nil {
				t.Fatal(err)
			}
			mig := d.Gorm().Migrator()
			for _, table := range []string{"rollup_activities_done", "rollup_activities_typed", "rollup_won_monthly",
				"rollup_received_monthly", "rollup_orders_monthly", "rollup_customers_monthly", "pipeline_stage_bits",
				"rollup_funnel_open", "rollup_funnel_closed", "rollup_funnel_cohort", "rollup_leads_source", "rollup_leads_region", "rollup_product_sales", "rollup_won_products", "order_product_lines", "rollup_order_products", "rollup_order_products_owner", "rollup_customer_received",
				"rollup_region_won", "rollup_region_won_daily", "rollup_region_received", "rollup_region_received_daily",
				"rollup_region_orders", "rollup_region_orders_daily", "rollup_region_activities", "rollup_region_activities_daily",
				"rollup_region_customers"} {
				if mig.HasTable(table) {
					t.Errorf("%s left after rollback", table)
				}
			}
			if mig.HasColumn("opportunities", "reached_stages") {
				t.Error("opportunities.reached_stages left after rollback")
			}
			for _, x := range slices.Concat(v0016Indexes, v0017Indexes, v0018Indexes, v0020Indexes, []scaleIndex{v0022LeadDeals},
				v0024Indexes) {
				if mig.HasIndex(x.table, x.name) {
					t.Errorf("index %s left after rollback", x.name)
				}
			}
			// No rollup's trigger or function is left (v0023's on the tables
			// its keys read through included).
			left := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rollup%'"
			if name == "postgres" {
				left = `SELECT (SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'rollup%') +
					(SELECT COUNT(*) FROM pg_proc WHERE proname LIKE 'rollup%')`
			}
			var objs int64
			if err := d.Gorm().Raw(left).Scan(&objs).Error; err != nil || objs != 0 {
				t.Errorf("%d rollup triggers or functions left after rollback (%v)", objs, err)
			}
			// Writes after the rollback meet no dangling trigger.
			if err := d.Gorm().Exec(`INSERT INTO activities (id, type, subject, related_type, related_id, owner_id, status,
				start_at, done_at, created_at, updated_at, version) VALUES ('00000000-0000-7000-8000-0000000000a1', 'call', 's',
				'lead', '00000000-0000-7000-8000-0000000000c1',
				'00000000-0000-7000-8000-0000000000b1', 'done', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,
				CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1)`).Error; err != nil {
				t.Fatalf("write after rollback: %v", err)
			}
			if err := d.Migrate(ctx, All()); err != nil {
				t.Fatalf("migrate again: %v", err)
			}
			var n int64
			if err := d.Gorm().Raw("SELECT COALESCE(SUM(n), 0) FROM rollup_activities_done").Scan(&n).Error; err != nil || n != 1 {
				t.Errorf("backfill after reapply: %d %v", n, err)
			}
			if err := d.Gorm().Raw("SELECT COALESCE(SUM(n), 0) FROM rollup_region_activities WHERE region = ''").
				Scan(&n).Error; err != nil || n != 1 {
				t.Errorf("region backfill after reapply: %d %v", n, err)
			}
		})
	}
}
