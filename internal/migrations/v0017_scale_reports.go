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

// monthRollup is a rollup of a table's rows that count for a metric, per
// owner and UTC month of the metric's timestamp: their number and the sum
// of amount. live(r) says whether row r counts; cols are the columns
// whose change can move a row in or out (SQLite's UPDATE OF). Without
// amount the rollup only counts (amount stays 0).
type monthRollup struct {
	name, table, at, amount, cols string
	live                          func(r string) string
}

var v0017Rollups = []monthRollup{
	// won_amount: live won deals by closed_at.
	{"rollup_won_monthly", "opportunities", "closed_at", "amount", "status, closed_at, owner_id, amount, deleted_at",
		func(r string) string {
			return r + ".status = 'won' AND " + r + ".deleted_at IS NULL AND " + r + ".closed_at IS NOT NULL"
		}},
	// new_customers (those created): live customers by created_at; counts.
	{"rollup_customers_monthly", "customers", "created_at", "", "created_at, owner_id, deleted_at",
		func(r string) string { return r + ".deleted_at IS NULL AND " + r + ".created_at IS NOT NULL" }},
	// orders_count: orders approved, by approved_at; counts.
	{"rollup_orders_monthly", "orders", "approved_at", "", "approved_at, owner_id",
		func(r string) string { return r + ".approved_at IS NOT NULL" }},
	// received_amount: payments received and not voided, by received_at.
	{"rollup_received_monthly", "payments", "received_at", "amount", "status, received_at, owner_id, amount, voided_at",
		func(r string) string {
			return r + ".status = 'received' AND " + r + ".voided_at IS NULL AND " + r + ".received_at IS NOT NULL"
		}},
}

// v0017ScaleReports adds the indexes above and the monthly rollups (kept
// current by triggers in the writing transaction: deals are won, lost,
// reopened, re-owned, re-valued and deleted, payments voided, from several
// modules). The forecast reads 4 years of won amounts: ~50 rows per owner
// instead of every won deal; a report in any time zone corrects each
// bucket edge from the table (the hours between the local and the UTC
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
			for _, m := range v0017Rollups {
				if err := m.create(tx, pg); err != nil {
					return err
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			var drops []string
			for _, m := range v0017Rollups {
				for _, op := range []string{"ins", "upd", "del"} {
					d := "DROP TRIGGER IF EXISTS " + m.name + "_" + op
					if pg {
						d += " ON " + m.table
					}
					drops = append(drops, d)
				}
				if pg {
					drops = append(drops, "DROP FUNCTION IF EXISTS "+m.name+"_fn()")
				}
				drops = append(drops, "DROP TABLE IF EXISTS "+m.name)
			}
			for _, x := range v0017Indexes {
				drops = append(drops, "DROP INDEX IF EXISTS "+x.name)
			}
			for _, s := range drops {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// ownerOf is row r's owner, "" for none (customers in the pool).
func ownerOf(r string) string { return "COALESCE(" + r + ".owner_id, '')" }

// amountOf is row r's amount, 0 for a counting rollup.
func (m monthRollup) amountOf(r string) string {
	if m.amount == "" {
		return "0"
	}
	return r + "." + m.amount
}

// create makes the rollup table (month is the UTC month, YYYY-MM), its
// triggers, and fills it from the table.
func (m monthRollup) create(tx *gorm.DB, pg bool) error {
	stmts := []string{"CREATE TABLE " + m.name + ` (month varchar(7) NOT NULL, owner_id varchar(36) NOT NULL,
		amount bigint NOT NULL, n bigint NOT NULL, PRIMARY KEY (month, owner_id))`,
		"CREATE INDEX idx_" + m.name + "_owner ON " + m.name + " (owner_id, month)"}
	month := func(r string) string { return "strftime('%Y-%m', " + r + "." + m.at + ")" }
	if pg {
		month = func(r string) string { return "to_char(" + r + "." + m.at + " AT TIME ZONE 'UTC', 'YYYY-MM')" }
		stmts = append(stmts, m.pgTriggers(month)...)
	} else {
		stmts = append(stmts, m.sqliteTriggers(month)...)
	}
	stmts = append(stmts, "INSERT INTO "+m.name+" (month, owner_id, amount, n) SELECT "+month("t")+", "+ownerOf("t")+", SUM("+
		m.amountOf("t")+"), COUNT(*) FROM "+m.table+" t WHERE "+m.live("t")+" GROUP BY 1, 2")
	for _, s := range stmts {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}

// sqliteTriggers keep the rollup row by row; an update removes the old
// row's contribution and adds the new one's.
func (m monthRollup) sqliteTriggers(month func(string) string) []string {
	sub := func(r string) string {
		return "UPDATE " + m.name + " SET amount = amount - " + m.amountOf(r) + ", n = n - 1 WHERE " + m.live(r) +
			" AND month = " + month(r) + " AND owner_id = " + ownerOf(r) + ";"
	}
	add := "INSERT INTO " + m.name + " (month, owner_id, amount, n) SELECT " + month("NEW") + ", " + ownerOf("NEW") + ", " + m.amountOf("NEW") +
		", 1 WHERE " + m.live("NEW") + " ON CONFLICT (month, owner_id) DO UPDATE SET amount = amount + excluded.amount, n = n + 1;"
	return []string{
		"CREATE TRIGGER " + m.name + "_ins AFTER INSERT ON " + m.table + " WHEN " + m.live("NEW") + " BEGIN " + add + " END",
		"CREATE TRIGGER " + m.name + "_del AFTER DELETE ON " + m.table + " WHEN " + m.live("OLD") + " BEGIN " + sub("OLD") + " END",
		"CREATE TRIGGER " + m.name + "_upd AFTER UPDATE OF " + m.cols + " ON " + m.table + " WHEN (" + m.live("OLD") + ") OR (" +
			m.live("NEW") + ") BEGIN " + strings.Join([]string{sub("OLD"), add}, " ") + " END",
	}
}

// pgTriggers keep the rollup per statement from the transition tables
// (one grouped upsert per statement; keys upserted in order, so concurrent
// writers cannot deadlock on rollup rows).
func (m monthRollup) pgTriggers(month func(string) string) []string {
	fn := m.name + "_fn"
	return []string{
		`CREATE OR REPLACE FUNCTION ` + fn + `() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE ` + m.name + ` r SET amount = r.amount - d.amount, n = r.n - d.n
    FROM (SELECT ` + month("o") + ` AS month, ` + ownerOf("o") + ` AS owner_id, SUM(` + m.amountOf("o") + `) AS amount, COUNT(*) AS n
          FROM old_rows o WHERE ` + m.live("o") + ` GROUP BY 1, 2) d
    WHERE r.month = d.month AND r.owner_id = d.owner_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO ` + m.name + ` (month, owner_id, amount, n)
    SELECT ` + month("o") + `, ` + ownerOf("o") + `, SUM(` + m.amountOf("o") + `), COUNT(*)
    FROM new_rows o WHERE ` + m.live("o") + ` GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (month, owner_id) DO UPDATE SET amount = ` + m.name + `.amount + EXCLUDED.amount,
      n = ` + m.name + `.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END $$`,
		`CREATE TRIGGER ` + m.name + `_ins AFTER INSERT ON ` + m.table + ` REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ` + fn + `()`,
		`CREATE TRIGGER ` + m.name + `_upd AFTER UPDATE ON ` + m.table + ` REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ` + fn + `()`,
		`CREATE TRIGGER ` + m.name + `_del AFTER DELETE ON ` + m.table + ` REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION ` + fn + `()`,
	}
}
