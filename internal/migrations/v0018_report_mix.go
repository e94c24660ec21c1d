package migrations

import (
	"strings"

	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/opencrm/crm/internal/platform/db"
	"gorm.io/gorm"
)

// v0018Indexes serve the product, customer and activity reports at a
// million rows (see scaleIndex for INCLUDE on SQLite).
var v0018Indexes = []scaleIndex{
	// Customers, top by revenue: a period's received payments with their
	// customer and amount, from the index alone.
	{"idx_payments_received_customer", "payments", "received_at", "customer_id, amount",
		"status = 'received' AND voided_at IS NULL"},
	// Customers at risk: one customer's revenue in the last 180 days.
	{"idx_payments_customer_received", "payments", "customer_id, received_at", "amount",
		"status = 'received' AND voided_at IS NULL"},
	// Customers in a manager's or rep's scope, with what the at-risk rules
	// read.
	{"idx_customers_owner_live", "customers", "owner_id", "id, name, created_at, last_followed_at", "deleted_at IS NULL"},
	// No (owner_id, done_at) index on activities: the activity report reads
	// raw rows only at a period's edges (the hours between local and UTC
	// midnight), which idx_activities_done serves; ~400 MB at 5M rows and a
	// write on every activity would buy little.
	// Products: an order's lines.
	{"idx_document_items_doc_sales", "document_items", "doc_type, doc_id", "product_id, quantity, net", ""},
	// Products: the orders approved in a period, with what the report
	// filters on: the whole organisation's, and a team's owners'.
	{"idx_orders_approved_sales", "orders", "approved_at", "id, owner_id, status", ""},
	{"idx_orders_owner_approved", "orders", "owner_id, approved_at", "id, status", ""},
	// rollup_activities_typed read by owner (a manager's team).
	{"idx_rollup_activities_typed_owner", "rollup_activities_typed", "owner_id, day",
		"calls, visits, meetings, demos, emails, tasks, visits_checked_in, visits_timed, visit_seconds", ""},
}

// v0018ReportMix adds the indexes above and rollup_activities_typed: the
// activities done per UTC day and owner counted by type, with the visits
// checked in, the visits timed (check-in and check-out) and their summed
// whole seconds, kept by triggers in the writing transaction like
// rollup_activities_done (v0016), which has only the count. One row per
// day and owner with a column per type, not a row per type: a year of an
// organisation is then ~365 rows per owner to sum, six times fewer. The
// activity report reads the whole UTC days inside its period here and
// the partial edge days from activities.
func v0018ReportMix() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0018_report_mix",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			cols := ""
			for _, c := range typedCols {
				cols += c.name + " bigint NOT NULL, "
			}
			// day is the UTC date, YYYY-MM-DD.
			if err := tx.Exec("CREATE TABLE rollup_activities_typed (day varchar(10) NOT NULL, owner_id varchar(36) NOT NULL, " +
				cols + "PRIMARY KEY (day, owner_id))").Error; err != nil {
				return err
			}
			for _, x := range v0018Indexes {
				if err := tx.Exec(x.sql(pg)).Error; err != nil {
					return err
				}
			}
			stmts := sqliteTypedTriggers()
			if pg {
				stmts = pgTypedTriggers()
			}
			for _, s := range stmts {
				if err := tx.Exec(s).Error; err != nil {
					return err
				}
			}
			return tx.Exec(typedFill(pg)).Error
		},
		Rollback: func(tx *gorm.DB) error {
			return dropRollup(tx, "activities", "activities_typed", "activities_typed_rollup()", v0018Indexes,
				"rollup_activities_typed")
		},
	}
}

// typedCol is a column of rollup_activities_typed and what one done
// activity (row alias r, "" for none) adds to it.
type typedCol struct {
	name string
	add  func(pg bool, r string) string
}

// The activity types as of this migration (activity.Types); a type added
// later needs a column of its own.
var typedCols = func() []typedCol {
	var cols []typedCol
	for _, t := range []string{"call", "visit", "meeting", "demo", "email", "task"} {
		cols = append(cols, typedCol{t + "s", func(_ bool, r string) string {
			return "CASE WHEN " + r + "type = '" + t + "' THEN 1 ELSE 0 END"
		}})
	}
	visit := func(r, cond string) string { return r + "type = 'visit' AND " + r + "check_in_at IS NOT NULL" + cond }
	timed := func(r string) string { return visit(r, " AND "+r+"check_out_at IS NOT NULL") }
	return append(cols,
		typedCol{"visits_checked_in", func(_ bool, r string) string { return "CASE WHEN " + visit(r, "") + " THEN 1 ELSE 0 END" }},
		typedCol{"visits_timed", func(_ bool, r string) string { return "CASE WHEN " + timed(r) + " THEN 1 ELSE 0 END" }},
		// Whole seconds from check-in to check-out, each cut to the second,
		// as the activity report computes them.
		typedCol{"visit_seconds", func(pg bool, r string) string {
			// (v0028 re-creates the SQLite triggers of databases migrated
			// when this rounded: see db.SQLiteUnixSeconds.)
			secs := "(" + db.SQLiteUnixSeconds(r+"check_out_at") + " - " + db.SQLiteUnixSeconds(r+"check_in_at") + ")"
			if pg {
				secs = "CAST(FLOOR(EXTRACT(EPOCH FROM " + r + "check_out_at)) - FLOOR(EXTRACT(EPOCH FROM " + r + "check_in_at)) AS BIGINT)"
			}
			return "CASE WHEN " + timed(r) + " THEN " + secs + " ELSE 0 END"
		}})
}()

// typedFill fills rollup_activities_typed from the done activities.
func typedFill(pg bool) string {
	return "INSERT INTO rollup_activities_typed (day, owner_id, " + typedNames() + ") SELECT " + typedDay(pg, "") +
		", owner_id, " + typedSums(pg, "") + " FROM activities WHERE status = 'done' AND done_at IS NOT NULL GROUP BY 1, 2"
}

func typedNames() string {
	var out []string
	for _, c := range typedCols {
		out = append(out, c.name)
	}
	return strings.Join(out, ", ")
}

// typedDay is the UTC date of a row's done_at; r is "" or "ALIAS.".
func typedDay(pg bool, r string) string {
	if pg {
		return "to_char(" + r + "done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
	}
	return "date(" + r + "done_at)"
}

// typedSums is every column's sum over a group of done activities.
func typedSums(pg bool, r string) string {
	var out []string
	for _, c := range typedCols {
		out = append(out, "SUM("+c.add(pg, r)+") AS "+c.name)
	}
	return strings.Join(out, ", ")
}

// sqliteTypedTriggers keep rollup_activities_typed row by row; an update
// removes the old row's contribution and adds the new one's.
func sqliteTypedTriggers() []string {
	done := func(r string) string { return r + ".status = 'done' AND " + r + ".done_at IS NOT NULL" }
	add := func(r string) string {
		var vals, set []string
		for _, c := range typedCols {
			vals = append(vals, c.add(false, r+"."))
			set = append(set, c.name+" = "+c.name+" + excluded."+c.name)
		}
		return "INSERT INTO rollup_activities_typed (day, owner_id, " + typedNames() + ") SELECT " + typedDay(false, r+".") +
			", " + r + ".owner_id, " + strings.Join(vals, ", ") + " WHERE " + done(r) +
			" ON CONFLICT (day, owner_id) DO UPDATE SET " + strings.Join(set, ", ") + ";"
	}
	sub := func(r string) string {
		var set []string
		for _, c := range typedCols {
			set = append(set, c.name+" = "+c.name+" - ("+c.add(false, r+".")+")")
		}
		return "UPDATE rollup_activities_typed SET " + strings.Join(set, ", ") + " WHERE " + done(r) +
			" AND day = " + typedDay(false, r+".") + " AND owner_id = " + r + ".owner_id;"
	}
	return []string{
		"CREATE TRIGGER activities_typed_ins AFTER INSERT ON activities WHEN " + done("NEW") + " BEGIN " + add("NEW") + " END",
		"CREATE TRIGGER activities_typed_del AFTER DELETE ON activities WHEN " + done("OLD") + " BEGIN " + sub("OLD") + " END",
		"CREATE TRIGGER activities_typed_upd AFTER UPDATE OF status, done_at, owner_id, type, check_in_at, check_out_at " +
			"ON activities WHEN (" + done("OLD") + ") OR (" + done("NEW") + ") BEGIN " + sub("OLD") + " " + add("NEW") + " END",
	}
}

// pgTypedTriggers keep rollup_activities_typed per statement from the
// transition tables (one grouped upsert per bulk write, so COPY and bulk
// transfers stay fast), keys in order so concurrent writers cannot
// deadlock on each other.
func pgTypedTriggers() []string {
	var sub, add []string
	for _, c := range typedCols {
		sub = append(sub, c.name+" = r."+c.name+" - d."+c.name)
		add = append(add, c.name+" = rollup_activities_typed."+c.name+" + EXCLUDED."+c.name)
	}
	group := func(rows string) string {
		return "SELECT " + typedDay(true, "") + " AS day, owner_id, " + typedSums(true, "") + " FROM " + rows +
			" WHERE status = 'done' AND done_at IS NOT NULL GROUP BY 1, 2"
	}
	return []string{
		`CREATE OR REPLACE FUNCTION activities_typed_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE rollup_activities_typed r SET ` + strings.Join(sub, ", ") + `
    FROM (` + group("old_rows") + `) d
    WHERE r.day = d.day AND r.owner_id = d.owner_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO rollup_activities_typed (day, owner_id, ` + typedNames() + `)
    ` + group("new_rows") + ` ORDER BY 1, 2
    ON CONFLICT (day, owner_id) DO UPDATE SET ` + strings.Join(add, ", ") + `;
  END IF;
  RETURN NULL;
END $$`,
		`CREATE TRIGGER activities_typed_ins AFTER INSERT ON activities REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION activities_typed_rollup()`,
		`CREATE TRIGGER activities_typed_upd AFTER UPDATE ON activities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION activities_typed_rollup()`,
		`CREATE TRIGGER activities_typed_del AFTER DELETE ON activities REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION activities_typed_rollup()`,
	}
}
