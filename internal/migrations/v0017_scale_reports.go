package migrations

import (
	"strings"

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

// v0017ScaleReports adds the indexes above and rollup_won_monthly: the
// amounts (and count) of live won opportunities per owner and UTC month
// of closed_at, kept current by triggers in the writing transaction (deals
// are won, lost, reopened, re-owned, re-valued and deleted from several
// modules). The forecast reads 4 years of won amounts: ~50 rows per owner
// here instead of every won deal; a report in any time zone corrects each
// bucket edge from opportunities (the hours between the local and the UTC
// month start).
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
			// month is the UTC month, YYYY-MM.
			if err := tx.Exec(`CREATE TABLE rollup_won_monthly (month varchar(7) NOT NULL,
				owner_id varchar(36) NOT NULL, amount bigint NOT NULL, n bigint NOT NULL, PRIMARY KEY (month, owner_id))`).Error; err != nil {
				return err
			}
			if err := tx.Exec("CREATE INDEX idx_rollup_won_owner_month ON rollup_won_monthly (owner_id, month)").Error; err != nil {
				return err
			}
			stmts := sqliteWonTriggers
			if pg {
				stmts = pgWonTriggers
			}
			for _, s := range stmts {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			month := "strftime('%Y-%m', closed_at)"
			if pg {
				month = "to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM')"
			}
			return tx.Exec("INSERT INTO rollup_won_monthly (month, owner_id, amount, n) SELECT " + month +
				", owner_id, SUM(amount), COUNT(*) FROM opportunities WHERE " + wonLive("opportunities") + " GROUP BY 1, 2").Error
		},
		Rollback: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			drops := []string{"DROP TRIGGER IF EXISTS opportunities_won_rollup_ins", "DROP TRIGGER IF EXISTS opportunities_won_rollup_upd",
				"DROP TRIGGER IF EXISTS opportunities_won_rollup_del"}
			if pg {
				for i := range drops {
					drops[i] += " ON opportunities"
				}
				drops = append(drops, "DROP FUNCTION IF EXISTS opportunities_won_rollup()")
			}
			for _, x := range v0017Indexes {
				drops = append(drops, "DROP INDEX IF EXISTS "+x.name)
			}
			for _, s := range drops {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return tx.Exec("DROP TABLE IF EXISTS rollup_won_monthly").Error
		},
	}
}

// wonLive is the condition for a row r to count in won_amount.
func wonLive(r string) string {
	return r + ".status = 'won' AND " + r + ".deleted_at IS NULL AND " + r + ".closed_at IS NOT NULL"
}

// sqliteWonTriggers keep the rollup row by row; an update removes the old
// row's contribution and adds the new one's.
var sqliteWonTriggers = func() []string {
	month := func(r string) string { return "strftime('%Y-%m', " + r + ".closed_at)" }
	sub := func(r string) string {
		return "UPDATE rollup_won_monthly SET amount = amount - " + r + ".amount, n = n - 1 WHERE " + wonLive(r) +
			" AND month = " + month(r) + " AND owner_id = " + r + ".owner_id;"
	}
	add := "INSERT INTO rollup_won_monthly (month, owner_id, amount, n) SELECT " + month("NEW") + ", NEW.owner_id, NEW.amount, 1 " +
		"WHERE " + wonLive("NEW") + " ON CONFLICT (month, owner_id) DO UPDATE SET amount = amount + excluded.amount, n = n + 1;"
	return []string{
		"CREATE TRIGGER opportunities_won_rollup_ins AFTER INSERT ON opportunities WHEN " + wonLive("NEW") + " BEGIN " + add + " END",
		"CREATE TRIGGER opportunities_won_rollup_del AFTER DELETE ON opportunities WHEN " + wonLive("OLD") + " BEGIN " + sub("OLD") + " END",
		"CREATE TRIGGER opportunities_won_rollup_upd AFTER UPDATE OF status, closed_at, owner_id, amount, deleted_at ON opportunities WHEN (" +
			wonLive("OLD") + ") OR (" + wonLive("NEW") + ") BEGIN " + strings.Join([]string{sub("OLD"), add}, " ") + " END",
	}
}()

// pgWonTriggers keep the rollup per statement from the transition tables
// (one grouped upsert per statement; keys upserted in order, so concurrent
// writers cannot deadlock on rollup rows).
var pgWonTriggers = []string{
	`CREATE OR REPLACE FUNCTION opportunities_won_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE rollup_won_monthly r SET amount = r.amount - d.amount, n = r.n - d.n
    FROM (SELECT to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, owner_id, SUM(amount) AS amount, COUNT(*) AS n
          FROM old_rows o WHERE ` + wonLive("o") + ` GROUP BY 1, 2) d
    WHERE r.month = d.month AND r.owner_id = d.owner_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO rollup_won_monthly (month, owner_id, amount, n)
    SELECT to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM'), owner_id, SUM(amount), COUNT(*)
    FROM new_rows o WHERE ` + wonLive("o") + ` GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (month, owner_id) DO UPDATE SET amount = rollup_won_monthly.amount + EXCLUDED.amount,
      n = rollup_won_monthly.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END $$`,
	`CREATE TRIGGER opportunities_won_rollup_ins AFTER INSERT ON opportunities REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION opportunities_won_rollup()`,
	`CREATE TRIGGER opportunities_won_rollup_upd AFTER UPDATE ON opportunities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION opportunities_won_rollup()`,
	`CREATE TRIGGER opportunities_won_rollup_del AFTER DELETE ON opportunities REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION opportunities_won_rollup()`,
}
