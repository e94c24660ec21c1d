package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0017Indexes serve the trends and forecast reports within an owner's
// scope (a manager's team, a rep) and the rollup reads, each covering what
// its query reads so PostgreSQL answers from the index alone.
var v0017Indexes = []scaleIndex{
	// won_amount per owner (v0016's status/closed index serves "everyone").
	{"idx_opps_owner_won_closed", "opportunities", "owner_id, closed_at", "amount", "status = 'won' AND deleted_at IS NULL"},
	// The forecast's open pipeline by expected close date, all and per owner.
	{"idx_opps_open_expected", "opportunities", "expected_close_date", "owner_id, amount, stage_id",
		"status = 'open' AND deleted_at IS NULL"},
	{"idx_opps_owner_open_expected", "opportunities", "owner_id, expected_close_date", "amount, stage_id",
		"status = 'open' AND deleted_at IS NULL"},
	// received_amount per owner.
	{"idx_payments_owner_received_live", "payments", "owner_id, received_at", "amount",
		"status = 'received' AND voided_at IS NULL"},
	// orders_count per owner.
	{"idx_orders_owner_approved", "orders", "owner_id, approved_at", "", "approved_at IS NOT NULL"},
	// new_customers per owner, with the region for group_by=region.
	{"idx_customers_owner_created_live", "customers", "owner_id, created_at", "region", "deleted_at IS NULL"},
	// new_customers' converted leads probe their customer by id.
	{"idx_customers_live_id", "customers", "id", "created_at, owner_id, region", "deleted_at IS NULL"},
	// rollup_activities_done read by day range (everyone) or per owner.
	{"idx_rollup_activities_day", "rollup_activities_done", "day, owner_id", "n", ""},
	{"idx_rollup_activities_owner_day", "rollup_activities_done", "owner_id, day", "n", ""},
}

// v0017ScaleReports adds the indexes above.
func v0017ScaleReports() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0017_scale_reports",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			for _, x := range v0017Indexes {
				if err := tx.Exec(x.sql(pg)).Error; err != nil {
					return err
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			for _, x := range v0017Indexes {
				if err := tx.Exec("DROP INDEX IF EXISTS " + x.name).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}
}
