package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// customerReceipts is the customer report's receipts: the payments
// received and not voided, per UTC month of received_at, customer and the
// customer's owner while it is live ("" for a customer in the pool, deleted
// or unknown), with their amount and count. Carrying the owner spares the
// report a join of a year of payments with 300,000 customers to learn
// which are live and in scope; a customer's rows are rebuilt when its
// owner or liveness changes. Rows barely shrink against the table
// (customers pay about once a month at most: 692k rows for 811k payments
// at scale), so the gain is the join, not the row count.
//
// On PostgreSQL the owner is read FOR SHARE: a payment written while its
// customer is re-owned waits for that transaction and reads the new owner,
// and the re-owning's rebuild, which runs after it, sees the payment
// either way.
func customerReceipts(pg bool) keyedRollup {
	lock := ""
	if pg {
		lock = " FOR SHARE"
	}
	return keyedRollup{name: "rollup_customer_received", table: "payments", at: "received_at",
		cols: "status, voided_at, received_at, customer_id, amount",
		keys: []rollupCol{
			{name: "owner_id", of: func(r string) string {
				return "COALESCE((SELECT c.owner_id FROM customers c WHERE c.id = " + r + ".customer_id AND " +
					"c.deleted_at IS NULL" + lock + "), '')"
			}},
			{name: "customer_id", of: func(r string) string { return r + ".customer_id" }},
		},
		sums: []rollupCol{{name: "amount", of: func(r string) string { return r + ".amount" }},
			{name: "n", of: func(string) string { return "1" }}},
		live: func(r string) string {
			return r + ".status = 'received' AND " + r + ".voided_at IS NULL AND " + r + ".received_at IS NOT NULL"
		}}
}

// customerOwnerOf is the owner customer row r gives its receipts.
func customerOwnerOf(r string) string {
	return "CASE WHEN " + r + ".deleted_at IS NULL THEN COALESCE(" + r + ".owner_id, '') ELSE '' END"
}

// v0024Indexes: the rebuild finds a customer's rows; the report reads a
// span of months from an index alone, every owner's by customer (grouped
// as it is read) or a team's owner by owner.
var v0024Indexes = []scaleIndex{
	// The at-risk customers: inactive ones counted from an index range,
	// the longest inactive read in order (owned ones only: the pool is
	// never in the report).
	{"idx_customers_since_live", "customers", "COALESCE(last_followed_at, created_at), id",
		"owner_id, last_followed_at, created_at", "deleted_at IS NULL AND owner_id IS NOT NULL"},
	{"idx_rollup_customer_received_customer", "rollup_customer_received", "customer_id, month", "owner_id, amount, n", ""},
	{"idx_rollup_customer_received_read", "rollup_customer_received", "owner_id, month", "customer_id, amount, n", ""},
}

func v0024CustomerReceipts() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0024_customer_receipts",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			k := customerReceipts(pg)
			if err := k.create(tx, pg); err != nil {
				return err
			}
			var stmts []string
			for _, x := range v0024Indexes {
				stmts = append(stmts, x.sql(pg))
			}
			if pg {
				// A bigint sum whose state is a bigint (SUM's is a numeric):
				// cheaper per group when a report hashes many keys.
				stmts = append(stmts, "CREATE AGGREGATE rollup_sum_int8(bigint) (SFUNC = int8pl, STYPE = bigint, "+
					"COMBINEFUNC = int8pl, PARALLEL = SAFE)")
				changed := func(where string) string {
					return "    " + k.rebuildKeysIn("customer_id", where, pg)[0] + ";\n    " +
						k.rebuildKeysIn("customer_id", where, pg)[1] + ";\n"
				}
				stmts = append(stmts, `CREATE OR REPLACE FUNCTION rollup_customer_received_owner_fn() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
`+changed("SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE "+customerOwnerOf("o")+" <> "+customerOwnerOf("n"))+`  ELSIF TG_OP = 'INSERT' THEN
`+changed("SELECT n.id FROM new_rows n WHERE "+customerOwnerOf("n")+" <> ''")+`  ELSE
`+changed("SELECT o.id FROM old_rows o WHERE "+customerOwnerOf("o")+" <> ''")+`  END IF;
  RETURN NULL;
END $$`)
				for op, ref := range map[string]string{"ins": "INSERT ON customers REFERENCING NEW TABLE AS new_rows",
					"upd": "UPDATE ON customers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
					"del": "DELETE ON customers REFERENCING OLD TABLE AS old_rows"} {
					stmts = append(stmts, "CREATE TRIGGER rollup_customer_received_owner_"+op+" AFTER "+ref+
						" FOR EACH STATEMENT EXECUTE FUNCTION rollup_customer_received_owner_fn()")
				}
			} else {
				body := func(id string) string {
					rb := k.rebuildKeysIn("customer_id", id, pg)
					return " BEGIN " + rb[0] + "; " + rb[1] + "; END"
				}
				stmts = append(stmts,
					"CREATE TRIGGER rollup_customer_received_owner_upd AFTER UPDATE OF owner_id, deleted_at ON customers WHEN "+
						customerOwnerOf("OLD")+" <> "+customerOwnerOf("NEW")+body("NEW.id"),
					"CREATE TRIGGER rollup_customer_received_owner_ins AFTER INSERT ON customers WHEN "+
						customerOwnerOf("NEW")+" <> ''"+body("NEW.id"),
					"CREATE TRIGGER rollup_customer_received_owner_del AFTER DELETE ON customers WHEN "+
						customerOwnerOf("OLD")+" <> ''"+body("OLD.id"))
			}
			return execAll(tx, stmts)
		},
		Rollback: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			var drops []string
			for _, op := range []string{"ins", "upd", "del"} {
				d := "DROP TRIGGER IF EXISTS rollup_customer_received_owner_" + op
				if pg {
					d += " ON customers"
				}
				drops = append(drops, d)
			}
			if pg {
				drops = append(drops, "DROP FUNCTION IF EXISTS rollup_customer_received_owner_fn()",
					"DROP AGGREGATE IF EXISTS rollup_sum_int8(bigint)")
			}
			for _, x := range v0024Indexes {
				drops = append(drops, "DROP INDEX IF EXISTS "+x.name)
			}
			drops = append(drops, customerReceipts(pg).drops(pg)...)
			return execAll(tx, drops)
		},
	}
}
