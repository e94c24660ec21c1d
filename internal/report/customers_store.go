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
// scope, as union branches of (customer_id, terms…): the rollup's months
// (each term of months(amount) for a rollup amount) and the table's signed
// slices at the ends (terms of slice(signed amount)). Each part is a
// subquery; readers add them up per customer.
func receiptParts(g *gorm.DB, a *authz.Actor, ids []string, sp monthSpan, months, slice func(amount string) string) []*gorm.DB {
	var parts []*gorm.DB
	if sp.First != "" {
		parts = append(parts, ownedReceipts(g.Table("rollup_customer_received AS r"), a, ids).
			Where("r.month >= ? AND r.month < ?", sp.First, sp.Last).
			Select("r.customer_id AS customer_id, "+months("r.amount")+", r.n AS n"))
	}
	for _, sl := range sp.Slices {
		sign := strconv.FormatInt(sl.Sign, 10)
		parts = append(parts, received(g.Table("payments AS p").Joins("JOIN customers c ON c.id = p.customer_id"), "p").
			Where("p.received_at >= ? AND p.received_at < ?", sl.Start, sl.End).
			Scopes(func(q *gorm.DB) *gorm.DB { return ownedCustomers(q, a, ids, "c") }).
			Select("p.customer_id AS customer_id, "+slice(sign+" * p.amount")+", "+sign+" AS n"))
	}
	return parts
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
	err := s.heavyRead(ctx, func(g *gorm.DB) error {
		same := func(x string) string { return x + " AS amount" }
		u := unionAll(g, receiptParts(g, a, ids, monthSpanOf(rng), same, same))
		// A customer counts with at least one payment in the span, even
		// when they sum to zero; n nets the slices' signs out.
		per := g.Table("(?) AS x", u).Select("x.customer_id AS customer_id, CAST(SUM(x.amount) AS BIGINT) AS amount").
			Group("x.customer_id").Having("SUM(x.n) > 0")
		return g.Raw(`WITH per AS (SELECT * FROM (?) AS per0)
SELECT t.rank AS rank, t.customer_id AS customer_id, cn.name AS name, cn.owner_id AS owner_id, t.amount AS amount,
	NULL AS amounts
FROM (SELECT top.*, ROW_NUMBER() OVER (ORDER BY top.amount DESC, top.customer_id) AS rank
	FROM (SELECT customer_id, amount FROM per ORDER BY amount DESC, customer_id LIMIT ?) top) t
JOIN customers cn ON cn.id = t.customer_id
UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, (SELECT `+agg+` FROM per)`, per, limit).Scan(&out).Error
	})
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

// heavyRead runs a report query that aggregates up to an organisation's
// year of rows. On PostgreSQL it runs in its own transaction with, for it
// alone: JIT off (compiling costs more than it saves on a sub-second
// query); custom plans always (the driver prepares statements, and after
// five runs PostgreSQL may switch to a generic plan that cannot see the
// date range or the owner list and reads the whole table); and room to
// sort and hash in memory rather than spill to disk. Inside a caller's
// transaction it just runs.
func (s mixStore) heavyRead(ctx context.Context, fn func(*gorm.DB) error) error {
	g := s.db.Conn(ctx)
	if _, inTx := g.Statement.ConnPool.(gorm.TxCommitter); inTx || s.db.Dialect() != db.Postgres {
		return fn(g)
	}
	return g.Transaction(func(tx *gorm.DB) error {
		for _, set := range []string{"SET LOCAL jit = off", "SET LOCAL plan_cache_mode = force_custom_plan",
			"SET LOCAL work_mem = '32MB'"} {
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
// the table's slices (monthSpan per window), owners included; the
// candidates are kept narrow (id, since, revenue) and counted once, and
// only the rows returned read names.
func (s mixStore) customersAtRisk(ctx context.Context, a *authz.Actor, ids []string, w riskWindows, limit int) ([]riskRow, int64, error) {
	var rows []riskRow
	if ids != nil && len(ids) == 0 {
		return rows, 0, nil
	}
	err := s.heavyRead(ctx, func(g *gorm.DB) error {
		only := func(x string) string { return x + " AS recent, 0 AS previous" }
		before := func(x string) string { return "0 AS recent, " + x + " AS previous" }
		parts := append(receiptParts(g, a, ids, monthSpanOf(Range{Start: w.mid, End: w.now}), only, only),
			receiptParts(g, a, ids, monthSpanOf(Range{Start: w.start, End: w.mid}), before, before)...)
		rev := g.Table("(?) AS x", unionAll(g, parts)).
			Select("x.customer_id AS customer_id, CAST(SUM(x.recent) AS BIGINT) AS recent, " +
				"CAST(SUM(x.previous) AS BIGINT) AS previous").Group("x.customer_id")
		cand := ownedCustomers(g.Table("customers AS c").Joins("LEFT JOIN (?) AS r ON r.customer_id = c.id", rev), a, ids, "c").
			Where("COALESCE(c.last_followed_at, c.created_at) < ? OR (r.previous > 0 AND 10 * r.recent <= 7 * r.previous)", w.cutoff).
			Select("c.id AS id, COALESCE(c.last_followed_at, c.created_at) AS since, " +
				"COALESCE(r.recent, 0) AS recent, COALESCE(r.previous, 0) AS previous")
		return g.Raw(`WITH cand AS (SELECT * FROM (?) AS cand0)
SELECT c.id AS id, c.name AS name, c.owner_id AS owner_id, c.created_at AS created_at,
	c.last_followed_at AS last_followed_at, t.recent AS recent, t.previous AS previous,
	(SELECT COUNT(*) FROM cand) AS total
FROM (SELECT * FROM cand ORDER BY recent + previous DESC, since, id LIMIT ?) t
JOIN customers c ON c.id = t.id
ORDER BY t.recent + t.previous DESC, t.since, t.id`, cand, limit).Scan(&rows).Error
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
