package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"gorm.io/gorm"
)

// received is the payments counted as received_amount: received, not
// voided.
func received(q *gorm.DB, alias string) *gorm.DB {
	return q.Where(alias+".status = ? AND "+alias+".voided_at IS NULL", "received")
}

// ownedCustomers is the live customers owned by ids (nil: by anyone, for
// an admin without filters) within a's scope: customers in the public pool
// have no owner and never match.
func ownedCustomers(q *gorm.DB, a *authz.Actor, ids []string, alias string) *gorm.DB {
	q = q.Where(alias + ".deleted_at IS NULL")
	if ids == nil {
		q = q.Where(alias + ".owner_id IS NOT NULL")
	}
	return q.Scopes(trOwnedBy(a, alias+".owner_id", ids))
}

// ownedReceipts is rollup_customer_received's rows (alias r) of the
// customers ownedCustomers lets through: the rollup keeps each customer's
// owner while it is live and "" otherwise (migration v0024).
func ownedReceipts(q *gorm.DB, a *authz.Actor, ids []string) *gorm.DB {
	if ids == nil {
		q = q.Where("r.owner_id <> ''")
	}
	return q.Scopes(trOwnedBy(a, "r.owner_id", ids))
}

// receiptParts is the payments received in the span sp, per customer in
// scope: the rollup's months (nil when the span has none), selecting
// customer_id, months(r.amount) and n; and the table's signed slices at the
// ends, selecting customer_id, slice(signed amount) and n (±1 a payment).
// Readers add them up per customer.
func receiptParts(g *gorm.DB, a *authz.Actor, ids []string, sp monthSpan, months, slice func(amount string) string) (*gorm.DB, []*gorm.DB) {
	var rolled *gorm.DB
	if sp.First != "" {
		rolled = ownedReceipts(g.Table("rollup_customer_received AS r"), a, ids).
			Where("r.month >= ? AND r.month < ?", sp.First, sp.Last).
			Select("r.customer_id AS customer_id, " + months("r.amount") + ", r.n AS n")
	}
	// The slices read each payment's owner as the rollup keeps it: a probe
	// per payment (a few thousand), where a join would hash every
	// customer of a team once per slice.
	owner := "COALESCE((SELECT c.owner_id FROM customers c WHERE c.id = p.customer_id AND c.deleted_at IS NULL), '')"
	var slices []*gorm.DB
	for _, sl := range sp.Slices {
		sign := strconv.FormatInt(sl.Sign, 10)
		q := received(g.Table("payments AS p"), "p").Where("p.received_at >= ? AND p.received_at < ?", sl.Start, sl.End)
		if ids == nil {
			q = q.Where(owner + " <> ''")
		}
		slices = append(slices, q.Scopes(trOwnedBy(a, owner, ids)).
			Select("p.customer_id AS customer_id, "+slice(sign+" * p.amount")+", "+sign+" AS n"))
	}
	return rolled, slices
}

// unionAll is the parts one after the other, as a subquery to select from.
func unionAll(g *gorm.DB, parts []*gorm.DB) *gorm.DB {
	sql, args := "", []any{}
	for i, p := range parts {
		if i > 0 {
			sql += " UNION ALL "
		}
		// SELECT * FROM (…): SQLite takes no parenthesised compound member.
		sql += "SELECT * FROM (?) AS u" + strconv.Itoa(i)
		args = append(args, p)
	}
	return g.Raw(sql, args...)
}

type topCustomerRow struct {
	CustomerID string
	Name       string
	OwnerID    string
	Amount     int64
	Cumulative int64
}

type customerTotals struct {
	Customers int64
	Total     int64
	Pareto    int64
}

// topCustomers sums the payments received in rng per customer in scope
// and returns the first limit by amount (then id) with their running sum,
// and over all of them: how many, the total, and how many rows start
// under 80 % of it. The sums come from rollup_customer_received's UTC
// months and the table's slices at the ends (monthSpan), owners included,
// so no payment is joined to its customer but at the ends. One query
// returns the first limit rows, ranked, and every customer's amount as
// one text; the running sums, totals and the pareto count are added up
// here: the count depends only on the amounts in order (rows of equal
// amount add the same whichever comes first), so no window over every
// customer runs in the database.
func (s mixStore) topCustomers(ctx context.Context, a *authz.Actor, ids []string, rng Range, limit int) ([]topCustomerRow, customerTotals, error) {
	var rows []topCustomerRow
	var tot customerTotals
	if ids != nil && len(ids) == 0 {
		return rows, tot, nil
	}
	var out []struct {
		Rank       *int64
		CustomerID *string
		Name       *string
		OwnerID    *string
		Amount     *int64
		Amounts    *string
	}
	agg := "string_agg(CAST(amount AS text), ',')"
	if s.db.Dialect() != db.Postgres {
		agg = "group_concat(amount, ',')"
	}
	// Per customer, the sum over the rollup's months and the slices, as
	// bigints (sumInt8). A team's rows (an owner list) are read by owner
	// and hashed together with the slices in one group. Every owner's year
	// at scale (310,000 rollup rows, 143,000 customers) groups faster as
	// idx_rollup_customer_received_customer returns it, by customer, with
	// no hash and no sort (the planner would hash a sequential scan, or
	// sort the rows, about 20 % slower), fully joined to the slices' few
	// thousand sums: hence the planner settings for that read alone.
	sp := monthSpanOf(rng)
	stream := ids == nil && sp.First != "" && s.db.Dialect() == db.Postgres
	var planner []string
	if stream {
		planner = []string{"SET LOCAL enable_hashagg = off", "SET LOCAL enable_seqscan = off",
			"SET LOCAL enable_bitmapscan = off", "SET LOCAL enable_sort = off"}
	}
	err := s.heavyRead(ctx, func(g *gorm.DB) error {
		same := func(x string) string { return x + " AS amount" }
		rolled, sliced := receiptParts(g, a, ids, sp, same, same)
		sum := func(q *gorm.DB, alias string) *gorm.DB {
			return g.Table("(?) AS "+alias, q).Select(alias + ".customer_id AS customer_id, " +
				s.sumInt8(alias+".amount") + " AS amount, " + s.sumInt8(alias+".n") + " AS n").Group(alias + ".customer_id")
		}
		// A customer counts with at least one payment in the span, even
		// when they sum to zero; n nets the slices' signs out (and a
		// rollup key emptied by deletes stays as zeros).
		var per *gorm.DB
		switch {
		case stream && len(sliced) > 0:
			per = g.Table("(?) AS m", sum(rolled, "rm")).Joins("FULL JOIN (?) AS s ON s.customer_id = m.customer_id",
				sum(unionAll(g, sliced), "rs")).
				Select("COALESCE(m.customer_id, s.customer_id) AS customer_id, " +
					"COALESCE(m.amount, 0) + COALESCE(s.amount, 0) AS amount").
				Where("COALESCE(m.n, 0) + COALESCE(s.n, 0) > 0")
		default:
			parts := sliced
			if rolled != nil {
				parts = append([]*gorm.DB{rolled}, sliced...)
			}
			per = g.Table("(?) AS x", unionAll(g, parts)).
				Select("x.customer_id AS customer_id, " + s.sumInt8("x.amount") + " AS amount").
				Group("x.customer_id").Having(s.sumInt8("x.n") + " > 0")
		}
		return g.Raw(`WITH per AS (SELECT * FROM (?) AS per0)
SELECT t.rank AS rank, t.customer_id AS customer_id, cn.name AS name, cn.owner_id AS owner_id, t.amount AS amount,
	NULL AS amounts
FROM (SELECT top.*, ROW_NUMBER() OVER (ORDER BY top.amount DESC, top.customer_id) AS rank
	FROM (SELECT customer_id, amount FROM per ORDER BY amount DESC, customer_id LIMIT ?) top) t
JOIN customers cn ON cn.id = t.customer_id
UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, (SELECT `+agg+` FROM per)`, per, limit).Scan(&out).Error
	}, planner...)
	if err != nil {
		return nil, tot, fmt.Errorf("report.top_customers: %w", err)
	}
	var amounts []int64
	rank := map[string]int64{}
	for _, r := range out {
		switch {
		case r.Rank != nil:
			rank[*r.CustomerID] = *r.Rank
			rows = append(rows, topCustomerRow{CustomerID: *r.CustomerID, Name: *r.Name, OwnerID: *r.OwnerID, Amount: *r.Amount})
		case r.Amounts != nil && *r.Amounts != "":
			for f := range strings.SplitSeq(*r.Amounts, ",") {
				n, err := strconv.ParseInt(f, 10, 64)
				if err != nil {
					return nil, tot, fmt.Errorf("report.top_customers: amount %q: %w", f, err)
				}
				amounts = append(amounts, n)
			}
		}
	}
	// UNION ALL keeps no order: the rank the database gave.
	slices.SortFunc(rows, func(x, y topCustomerRow) int { return cmp.Compare(rank[x.CustomerID], rank[y.CustomerID]) })
	tot = paretoOf(amounts)
	var cum int64
	for i := range rows {
		cum += rows[i].Amount
		rows[i].Cumulative = cum
	}
	return rows, tot, nil
}

// paretoOf is how many amounts there are, their total, and how many of
// them, from the largest down, start under 80 % of the total (the running
// sum before the row: 5 × it < 4 × total, in integers).
func paretoOf(amounts []int64) customerTotals {
	t := customerTotals{Customers: int64(len(amounts))}
	for _, n := range amounts {
		t.Total += n
	}
	slices.SortFunc(amounts, func(x, y int64) int { return cmp.Compare(y, x) })
	var before int64
	for _, n := range amounts {
		if 5*before < 4*t.Total {
			t.Pareto++
		}
		before += n
	}
	return t
}

// sumInt8 sums a bigint expression as a bigint: on PostgreSQL with
// rollup_sum_int8 (migration v0024), whose state is a plain bigint where
// SUM keeps a numeric per group (a hash of 100,000 customers' sums costs a
// third less); an overflow fails either way, as the bigint cast of SUM
// would. SQLite's SUM is an integer already.
func (s mixStore) sumInt8(expr string) string {
	if s.db.Dialect() == db.Postgres {
		return "rollup_sum_int8(" + expr + ")"
	}
	return "SUM(" + expr + ")"
}

// heavyRead runs a report query that aggregates up to an organisation's
// year of rows. On PostgreSQL it runs in its own transaction with, for it
// alone: JIT off (compiling costs more than it saves on a sub-second
// query); custom plans always (the driver prepares statements, and after
// five runs PostgreSQL may switch to a generic plan that cannot see the
// date range or the owner list and reads the whole table); and room to
// sort and hash in memory rather than spill to disk; then the caller's
// planner settings (SET LOCAL …), if any. Inside a caller's transaction it
// just runs.
func (s mixStore) heavyRead(ctx context.Context, fn func(*gorm.DB) error, planner ...string) error {
	g := s.db.Conn(ctx)
	if _, inTx := g.Statement.ConnPool.(gorm.TxCommitter); inTx || s.db.Dialect() != db.Postgres {
		return fn(g)
	}
	return g.Transaction(func(tx *gorm.DB) error {
		for _, set := range append([]string{"SET LOCAL jit = off", "SET LOCAL plan_cache_mode = force_custom_plan",
			"SET LOCAL work_mem = '32MB'"}, planner...) {
			if err := tx.Exec(set).Error; err != nil {
				return err
			}
		}
		return fn(tx)
	})
}

type riskRow struct {
	ID             string
	Name           string
	OwnerID        string
	CreatedAt      time.Time
	LastFollowedAt *time.Time
	Recent         int64
	Previous       int64
	// Total counts every customer at risk, repeated on each row.
	Total int64
}

// customersAtRisk lists the live customers in scope that are inactive
// (last_followed_at — the last activity done about the customer or its
// contacts — or, without one, created_at before w.cutoff) or whose
// revenue fell (see falling), most valuable first: by revenue received in
// the two windows together, then longest inactive; and how many there are.
// The windows' revenue comes from rollup_customer_received's months and
// the table's slices (monthSpan per window), owners included. SQLite joins
// every customer in scope to it; PostgreSQL counts and picks the rows
// without that join (see below). Only the rows returned read names.
func (s mixStore) customersAtRisk(ctx context.Context, a *authz.Actor, ids []string, w riskWindows, limit int) ([]riskRow, int64, error) {
	var rows []riskRow
	if ids != nil && len(ids) == 0 {
		return rows, 0, nil
	}
	err := s.heavyRead(ctx, func(g *gorm.DB) error {
		only := func(x string) string { return x + " AS recent, 0 AS previous" }
		before := func(x string) string { return "0 AS recent, " + x + " AS previous" }
		var parts []*gorm.DB
		for _, win := range []struct {
			rng   Range
			terms func(string) string
		}{{Range{Start: w.mid, End: w.now}, only}, {Range{Start: w.start, End: w.mid}, before}} {
			rolled, sliced := receiptParts(g, a, ids, monthSpanOf(win.rng), win.terms, win.terms)
			if rolled != nil {
				parts = append(parts, rolled)
			}
			parts = append(parts, sliced...)
		}
		rev := g.Table("(?) AS x", unionAll(g, parts)).
			Select("x.customer_id AS customer_id, " + s.sumInt8("x.recent") + " AS recent, " +
				s.sumInt8("x.previous") + " AS previous").Group("x.customer_id")
		since := "COALESCE(c.last_followed_at, c.created_at)"
		if s.db.Dialect() != db.Postgres {
			cand := ownedCustomers(g.Table("customers AS c").Joins("LEFT JOIN (?) AS r ON r.customer_id = c.id", rev), a, ids, "c").
				Where(since+" < ? OR (r.previous > 0 AND 10 * r.recent <= 7 * r.previous)", w.cutoff).
				Select("c.id AS id, " + since + " AS since, COALESCE(r.recent, 0) AS recent, COALESCE(r.previous, 0) AS previous")
			return g.Raw(`WITH cand AS (SELECT * FROM (?) AS cand0)
SELECT c.id AS id, c.name AS name, c.owner_id AS owner_id, c.created_at AS created_at,
	c.last_followed_at AS last_followed_at, t.recent AS recent, t.previous AS previous,
	(SELECT COUNT(*) FROM cand) AS total
FROM (SELECT * FROM cand ORDER BY recent + previous DESC, since, id LIMIT ?) t
JOIN customers c ON c.id = t.id
ORDER BY t.recent + t.previous DESC, t.since, t.id`, cand, limit).Scan(&rows).Error
		}
		// On PostgreSQL, without joining every customer in scope to its
		// revenue: every customer in rev is live and in scope (the rollup
		// keeps live owners, the slices join live customers), so
		//   - the count is the inactive customers plus the active falling
		//     ones (two ranges of idx_customers_since_live);
		//   - the first rows are the first limit at risk among those with
		//     revenue, most first (probing each customer in that order until
		//     limit are found, ties included: since and id order them), and
		//     the first limit inactive customers without any (0), longest
		//     inactive first; together, ordered, cut at limit.
		idle := ownedCustomers(g.Table("customers AS c"), a, ids, "c").Where(since+" < ?", w.cutoff).Select("c.id")
		// IS TRUE keeps the IN a hashed lookup into rev (a planner's join
		// here would probe customers once per falling customer).
		fell := ownedCustomers(g.Table("customers AS c"), a, ids, "c").Where(since+" >= ? AND (c.id IN "+
			"(SELECT customer_id FROM rev WHERE previous > 0 AND 10 * recent <= 7 * previous)) IS TRUE", w.cutoff).Select("c.id")
		probe := ownedCustomers(g.Table("customers AS c"), a, ids, "c").Where("c.id = r.customer_id").
			Select(since + " AS since").Limit(1)
		quiet := ownedCustomers(g.Table("customers AS c"), a, ids, "c").
			Where(since+" < ? AND c.id NOT IN (SELECT customer_id FROM rev)", w.cutoff).
			Select("c.id AS id, " + since + " AS since, 0 AS recent, 0 AS previous").Order(since + ", c.id").Limit(limit)
		return g.Raw(`WITH rev AS MATERIALIZED (SELECT * FROM (?) AS rev0)
SELECT c.id AS id, c.name AS name, c.owner_id AS owner_id, c.created_at AS created_at,
	c.last_followed_at AS last_followed_at, t.recent AS recent, t.previous AS previous,
	(SELECT COUNT(*) FROM (?) AS idle) + (SELECT COUNT(*) FROM (?) AS fell) AS total
FROM (SELECT * FROM (
	SELECT * FROM (SELECT r.customer_id AS id, s.since AS since, r.recent AS recent, r.previous AS previous
		FROM (SELECT customer_id, recent, previous, recent + previous AS value FROM rev ORDER BY value DESC) r
		CROSS JOIN LATERAL (?) s
		WHERE s.since < ? OR (r.previous > 0 AND 10 * r.recent <= 7 * r.previous)
		ORDER BY r.value DESC FETCH FIRST ? ROWS WITH TIES) h1
	UNION ALL SELECT * FROM (?) AS h2) h
	ORDER BY recent + previous DESC, since, id LIMIT ?) t
JOIN customers c ON c.id = t.id
ORDER BY t.recent + t.previous DESC, t.since, t.id`, rev, idle, fell, probe, w.cutoff, limit, quiet, limit).Scan(&rows).Error
	})
	if err != nil {
		return nil, 0, fmt.Errorf("report.customers_at_risk: %w", err)
	}
	var total int64
	if len(rows) > 0 {
		total = rows[0].Total
	}
	return rows, total, nil
}
