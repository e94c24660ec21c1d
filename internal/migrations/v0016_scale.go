package migrations

import (
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// scaleIndex is a composite index the reports and lists need at a million
// rows. Include lists columns only read (covering, so PostgreSQL answers
// from the index alone); SQLite, without INCLUDE, gets them as trailing
// key columns, which covers as well.
type scaleIndex struct {
	name, table, cols, include, where string
}

var v0016Indexes = []scaleIndex{
	// won_amount and the funnel's closed deals: won (or lost) in a period.
	{"idx_opps_status_closed", "opportunities", "status, closed_at", "owner_id, amount", "deleted_at IS NULL"},
	{"idx_opps_owner_closed", "opportunities", "owner_id, closed_at", "", ""},
	// The funnel's cohort: a pipeline's deals created in a period.
	{"idx_opps_pipeline_created", "opportunities", "pipeline_id, created_at", "owner_id, status", "deleted_at IS NULL"},
	// Lead conversion joins a converted lead's contact to its deals.
	{"idx_opps_contact", "opportunities", "contact_id", "status", "deleted_at IS NULL"},
	// "Has this deal ever entered stage s": one probe.
	{"idx_stage_entries_opp_stage", "opportunity_stage_entries", "opportunity_id, stage_id", "", ""},
	// received_amount: payments received in a period.
	{"idx_payments_status_received", "payments", "status, received_at", "owner_id, amount", "voided_at IS NULL"},
	// orders_count: orders approved in a period.
	{"idx_orders_approved", "orders", "approved_at", "owner_id", ""},
	// activities_count at the edges of a period (the days in between come
	// from rollup_activities_done).
	{"idx_activities_done", "activities", "done_at", "owner_id", "status = 'done'"},
	// new_customers: created in a period, or converted from a lead in it.
	{"idx_customers_created_owner", "customers", "created_at", "owner_id", "deleted_at IS NULL"},
	{"idx_leads_converted", "leads", "converted_at", "customer_id", "converted_at IS NOT NULL"},
	// Lead conversion's cohort: live leads created in a period.
	{"idx_leads_live_created", "leads", "created_at", "owner_id, source, region, contact_id, converted_at", "deleted_at IS NULL"},
	// Lists in their default order (newest first) within an owner's scope.
	{"idx_leads_owner_created", "leads", "owner_id, created_at, id", "", ""},
	{"idx_customers_owner_created", "customers", "owner_id, created_at, id", "", ""},
	{"idx_opps_owner_created", "opportunities", "owner_id, created_at, id", "", ""},
	{"idx_activities_owner_created", "activities", "owner_id, created_at, id", "", ""},
	{"idx_activities_created", "activities", "created_at, id", "", ""},
	{"idx_opps_created_id", "opportunities", "created_at, id", "", ""},
	{"idx_orders_owner_created", "orders", "owner_id, created_at, id", "", ""},
	{"idx_contracts_owner_created", "contracts", "owner_id, created_at, id", "", ""},
	{"idx_contracts_created_id", "contracts", "created_at, id", "", ""},
	{"idx_payments_owner_received", "payments", "owner_id, received_at, id", "", ""},
	{"idx_payments_received_id", "payments", "received_at, id", "", ""},
	// Equality filters of the lists, walked in the default order: a
	// filter that matches few rows in the caller's scope would otherwise
	// scan the whole table by date.
	{"idx_customers_region_created", "customers", "region, created_at, id", "owner_id", "deleted_at IS NULL"},
	{"idx_customers_industry_created", "customers", "industry, created_at, id", "owner_id", "deleted_at IS NULL"},
	{"idx_leads_region_created", "leads", "region, created_at, id", "owner_id", "deleted_at IS NULL"},
	{"idx_leads_source_created", "leads", "source, created_at, id", "owner_id", "deleted_at IS NULL"},
	{"idx_activities_start_id", "activities", "start_at, id", "", ""},
}

func (x scaleIndex) sql(postgres bool) string {
	s := "CREATE INDEX IF NOT EXISTS " + x.name + " ON " + x.table + " (" + x.cols
	switch {
	case x.include != "" && postgres:
		s += ") INCLUDE (" + x.include + ")"
	case x.include != "":
		s += ", " + x.include + ")"
	default:
		s += ")"
	}
	if x.where != "" {
		s += " WHERE " + x.where
	}
	return s
}

// v0016Scale adds the indexes above and rollup_activities_done: activities
// done per owner and UTC day, kept current by triggers in the writing
// transaction, so a year's activities_count reads ~365 rows per rep
// instead of every activity. Triggers rather than service code, because
// activities change owner, status and done_at from several modules
// (transfers, merges, imports) and a rollup missing one of them would
// drift silently. Days are UTC: a report in any time zone reads the whole
// UTC days inside its period here and the partial days at its edges from
// activities.
func v0016Scale() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0016_scale",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			for _, x := range v0016Indexes {
				if err := tx.Exec(x.sql(pg)).Error; err != nil {
					return err
				}
			}
			// day is the UTC date, YYYY-MM-DD.
			if err := tx.Exec(`CREATE TABLE rollup_activities_done (day varchar(10) NOT NULL,
				owner_id varchar(36) NOT NULL, n bigint NOT NULL, PRIMARY KEY (day, owner_id))`).Error; err != nil {
				return err
			}
			stmts := sqliteActivityTriggers
			if pg {
				stmts = pgActivityTriggers
			}
			for _, s := range stmts {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			day := "date(done_at)"
			if pg {
				day = "to_char(done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
			}
			return tx.Exec("INSERT INTO rollup_activities_done (day, owner_id, n) SELECT " + day +
				", owner_id, COUNT(*) FROM activities WHERE status = 'done' AND done_at IS NOT NULL GROUP BY 1, 2").Error
		},
		Rollback: func(tx *gorm.DB) error {
			return dropRollup(tx, "activities", "activities_rollup", "activities_rollup()", v0016Indexes,
				"rollup_activities_done")
		},
	}
}

// sqliteActivityTriggers keep the rollup row by row. An update is a
// removal of the old row's contribution and an addition of the new one's.
var sqliteActivityTriggers = func() []string {
	add := func(r string) string {
		return "INSERT INTO rollup_activities_done (day, owner_id, n) VALUES (date(" + r + ".done_at), " + r + ".owner_id, 1) " +
			"ON CONFLICT (day, owner_id) DO UPDATE SET n = n + 1;"
	}
	sub := func(r string) string {
		return "UPDATE rollup_activities_done SET n = n - 1 WHERE day = date(" + r + ".done_at) AND owner_id = " + r + ".owner_id;"
	}
	done := func(r string) string { return r + ".status = 'done' AND " + r + ".done_at IS NOT NULL" }
	return []string{
		"CREATE TRIGGER activities_rollup_ins AFTER INSERT ON activities WHEN " + done("NEW") + " BEGIN " + add("NEW") + " END",
		"CREATE TRIGGER activities_rollup_del AFTER DELETE ON activities WHEN " + done("OLD") + " BEGIN " + sub("OLD") + " END",
		"CREATE TRIGGER activities_rollup_upd AFTER UPDATE OF status, done_at, owner_id ON activities WHEN (" + done("OLD") +
			") OR (" + done("NEW") + ") BEGIN " +
			strings.Join([]string{
				"UPDATE rollup_activities_done SET n = n - 1 WHERE " + done("OLD") +
					" AND day = date(OLD.done_at) AND owner_id = OLD.owner_id;",
				"INSERT INTO rollup_activities_done (day, owner_id, n) SELECT date(NEW.done_at), NEW.owner_id, 1 WHERE " + done("NEW") +
					" ON CONFLICT (day, owner_id) DO UPDATE SET n = n + 1;",
			}, " ") + " END",
	}
}()

// pgActivityTriggers keep the rollup per statement from the transition
// tables, so a bulk insert or update costs one grouped upsert, not one per
// row. Keys are upserted in order, so concurrent writers lock rollup rows
// in the same order and cannot deadlock on each other.
var pgActivityTriggers = []string{
	`CREATE OR REPLACE FUNCTION activities_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE rollup_activities_done r SET n = r.n - d.n
    FROM (SELECT to_char(done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, owner_id, COUNT(*) AS n
          FROM old_rows WHERE status = 'done' AND done_at IS NOT NULL GROUP BY 1, 2) d
    WHERE r.day = d.day AND r.owner_id = d.owner_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO rollup_activities_done (day, owner_id, n)
    SELECT to_char(done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), owner_id, COUNT(*)
    FROM new_rows WHERE status = 'done' AND done_at IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (day, owner_id) DO UPDATE SET n = rollup_activities_done.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END $$`,
	`CREATE TRIGGER activities_rollup_ins AFTER INSERT ON activities REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION activities_rollup()`,
	`CREATE TRIGGER activities_rollup_upd AFTER UPDATE ON activities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION activities_rollup()`,
	`CREATE TRIGGER activities_rollup_del AFTER DELETE ON activities REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION activities_rollup()`,
}

// dropRollup undoes a trigger-kept rollup: the insert, update and delete
// triggers named prefix_ins/_upd/_del on table (and, on PostgreSQL, their
// function fn), the migration's indexes, then the rollup table.
func dropRollup(tx *gorm.DB, table, prefix, fn string, indexes []scaleIndex, rollup string) error {
	pg := tx.Dialector.Name() == "postgres"
	var drops []string
	for _, op := range []string{"ins", "upd", "del"} {
		d := "DROP TRIGGER IF EXISTS " + prefix + "_" + op
		if pg {
			d += " ON " + table
		}
		drops = append(drops, d)
	}
	if pg {
		drops = append(drops, "DROP FUNCTION IF EXISTS "+fn)
	}
	for _, x := range indexes {
		drops = append(drops, "DROP INDEX IF EXISTS "+x.name)
	}
	for _, s := range append(drops, "DROP TABLE IF EXISTS "+rollup) {
		if err := tx.Exec(s).Error; err != nil {
			return err
		}
	}
	return nil
}
