package migrations

import (
	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// regionOf is the region (as the trends report groups by it: "" for none)
// of the customer whose id is the SQL id.
func regionOf(id string) string {
	return "COALESCE((SELECT c.region FROM customers c WHERE c.id = " + id + "), '')"
}

// activityCustomer is the customer an activity (row r) is about: itself,
// or that of the contact or deal it is related to; NULL for a lead.
func activityCustomer(r string) string {
	return "(CASE " + r + ".related_type WHEN 'customer' THEN " + r + ".related_id" +
		" WHEN 'contact' THEN (SELECT ctc.customer_id FROM contacts ctc WHERE ctc.id = " + r + ".related_id)" +
		" WHEN 'opportunity' THEN (SELECT rop.customer_id FROM opportunities rop WHERE rop.id = " + r + ".related_id) END)"
}

// regionRollups are the trends report's figures grouped by region, per UTC
// month, region and owner (managers read their team's owners), kept by
// triggers (see keyedRollup). The region is the customer's current one,
// so links move a record's terms when its customer's region changes, or
// the customer a contract, contact or deal belongs to (activities reach
// their customer through those).
//   - rollup_region_won: won deals (amount) by closed_at;
//   - rollup_region_received: payments received, through their contract;
//   - rollup_region_orders: orders approved;
//   - rollup_region_activities: activities done;
//   - rollup_region_customers: live customers by created_at (the created
//     part of new_customers; the region is the row's own).
//
// The first four have a twin per UTC day (…_daily) for the days between
// a range's end and its nearest UTC month start (up to half a month):
// read from the records, each costs a probe per customer, contract,
// contact or deal, a second for 20 days of payments.
//
// A region change moves a customer's records at roughly 0.1 ms each per
// rollup (the seed's largest customer, 584 activities: 0.16 s; 200
// customers in one statement: 7–12 s; a region renamed across thousands
// of customers takes minutes). As with v0021's stage probabilities, a record
// written by a transaction running alongside its customer's region change
// (neither seeing the other's rows) keeps the region it was written under.
func regionRollups() []keyedRollup {
	owner := rollupCol{name: "owner_id", of: func(r string) string { return "COALESCE(" + r + ".owner_id, '')" }}
	n := rollupCol{name: "n", of: func(string) string { return "1" }}
	amount := rollupCol{name: "amount", of: func(r string) string { return r + ".amount" }}
	region := func(of func(r string) string) rollupCol {
		return rollupCol{name: "region", typ: "varchar(100)", of: of}
	}
	byCustomer := region(func(r string) string { return regionOf(r + ".customer_id") })
	// customers links a rollup whose rows reach a customer by paths.
	customers := func(paths ...func(x string) string) rollupLink {
		return rollupLink{table: "customers", key: "region", none: "''", paths: paths,
			changed: func(p, n string) string { return p + ".region IS DISTINCT FROM " + n + ".region" },
			was:     func(r string) string { return "COALESCE(" + r + ".region, '')" },
			now:     func(r string) string { return "COALESCE(" + r + ".region, '')" }}
	}
	// belongsTo links a table whose rows belong to a customer.
	belongsTo := func(table string, path func(x string) string) rollupLink {
		return rollupLink{table: table, key: "region", none: "''", paths: []func(x string) string{path},
			changed: func(p, n string) string { return p + ".customer_id IS DISTINCT FROM " + n + ".customer_id" },
			was:     func(r string) string { return regionOf(r + ".customer_id") },
			now:     func(r string) string { return regionOf(r + ".customer_id") }}
	}
	// byCustomerID reaches the rows of table whose customer_id is x's.
	byCustomerID := func(table string) func(x string) string {
		return func(x string) string { return x + " JOIN " + table + " o ON o.customer_id = x.id" }
	}
	// related reaches the activities about x, a typ; relatedVia those
	// about the rows of table (contacts, deals) belonging to customer x.
	related := func(typ string) func(x string) string {
		return func(x string) string {
			return x + " JOIN activities o ON o.related_type = '" + typ + "' AND o.related_id = x.id"
		}
	}
	relatedVia := func(typ, table string) func(x string) string {
		return func(x string) string {
			return x + " JOIN " + table + " t ON t.customer_id = x.id JOIN activities o ON o.related_type = '" + typ +
				"' AND o.related_id = t.id"
		}
	}
	activities := func() keyedRollup {
		return keyedRollup{name: "rollup_region_activities", table: "activities", at: "done_at",
			cols: "status, done_at, owner_id, related_type, related_id",
			keys: []rollupCol{region(func(r string) string { return regionOf(activityCustomer(r)) }), owner},
			sums: []rollupCol{n},
			live: func(r string) string { return r + ".status = 'done' AND " + r + ".done_at IS NOT NULL" },
			links: []rollupLink{
				customers(related("customer"), relatedVia("contact", "contacts"), relatedVia("opportunity", "opportunities")),
				belongsTo("contacts", related("contact")),
				belongsTo("opportunities", related("opportunity")),
			}}
	}
	monthly := []keyedRollup{
		{name: "rollup_region_won", table: "opportunities", at: "closed_at",
			cols: "status, deleted_at, closed_at, owner_id, amount, customer_id",
			keys: []rollupCol{byCustomer, owner}, sums: []rollupCol{amount, n},
			live: func(r string) string {
				return r + ".status = 'won' AND " + r + ".deleted_at IS NULL AND " + r + ".closed_at IS NOT NULL"
			},
			links: []rollupLink{customers(byCustomerID("opportunities"))}},
		{name: "rollup_region_received", table: "payments", at: "received_at",
			cols: "status, voided_at, received_at, owner_id, amount, contract_id",
			keys: []rollupCol{region(func(r string) string {
				return regionOf("(SELECT ct.customer_id FROM contracts ct WHERE ct.id = " + r + ".contract_id)")
			}), owner},
			sums: []rollupCol{amount, n},
			live: func(r string) string {
				return r + ".status = 'received' AND " + r + ".voided_at IS NULL AND " + r + ".received_at IS NOT NULL"
			},
			links: []rollupLink{
				customers(func(x string) string {
					return x + " JOIN contracts ct ON ct.customer_id = x.id JOIN payments o ON o.contract_id = ct.id"
				}),
				belongsTo("contracts", func(x string) string { return x + " JOIN payments o ON o.contract_id = x.id" }),
			}},
		{name: "rollup_region_orders", table: "orders", at: "approved_at", cols: "approved_at, owner_id, customer_id",
			keys: []rollupCol{byCustomer, owner}, sums: []rollupCol{n},
			live:  func(r string) string { return r + ".approved_at IS NOT NULL" },
			links: []rollupLink{customers(byCustomerID("orders"))}},
		activities(),
	}
	out := append([]keyedRollup{}, monthly...)
	for _, m := range monthly {
		m.name, m.daily = m.name+"_daily", true
		out = append(out, m)
	}
	return append(out, keyedRollup{name: "rollup_region_customers", table: "customers", at: "created_at",
		cols: "deleted_at, created_at, owner_id, region",
		keys: []rollupCol{region(func(r string) string { return r + ".region" }), owner}, sums: []rollupCol{n},
		live: func(r string) string { return r + ".deleted_at IS NULL AND " + r + ".created_at IS NOT NULL" }})
}

// v0023RegionRollups adds the region rollups.
func v0023RegionRollups() *gormigrate.Migration {
	return &gormigrate.Migration{
		ID: "0023_region_rollups",
		Migrate: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			for _, r := range regionRollups() {
				if err := r.create(tx, pg); err != nil {
					return err
				}
				// A manager reads the team's owners: without this index
				// PostgreSQL scans the whole daily rollup for a few days.
				if err := tx.Exec("CREATE INDEX idx_" + r.name + "_owner ON " + r.name + " (owner_id, " + r.timeCol() + ")").
					Error; err != nil {
					return err
				}
			}
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			pg := tx.Dialector.Name() == "postgres"
			for _, r := range regionRollups() {
				if err := execAll(tx, r.drops(pg)); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
