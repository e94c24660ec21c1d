package report

import (
	"context"
	"fmt"
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

// ownedCustomers is the live customers owned by ids (within a's scope):
// customers in the public pool have no owner and never match.
func ownedCustomers(q *gorm.DB, a *authz.Actor, ids []string, alias string) *gorm.DB {
	return q.Where(alias+".deleted_at IS NULL AND "+alias+".owner_id IN ?", ids).Scopes(authz.Scope(a, alias+".owner_id"))
}

type topCustomerRow struct {
	CustomerID string
	Name       string
	OwnerID    string
	Amount     int64
	Cumulative int64
	// Over every customer, repeated on each row.
	Total  int64
	N      int64
	Pareto int64
}

type customerTotals struct {
	Customers int64
	Total     int64
	Pareto    int64
}

// topCustomers sums the payments received in rng per customer in scope
// and returns the first limit by amount (then id) with their running sum,
// and over all of them: how many, the total, and how many rows start
// under 80 % of it. One pass: the running sum and the totals are window
// functions, so no row beyond limit leaves the database. The windows sort
// only (customer, amount) pairs; names and owners are read for the rows
// returned.
func (s mixStore) topCustomers(ctx context.Context, a *authz.Actor, ids []string, rng Range, limit int) ([]topCustomerRow, customerTotals, error) {
	var rows []topCustomerRow
	var tot customerTotals
	if len(ids) == 0 {
		return rows, tot, nil
	}
	err := s.heavyRead(ctx, func(g *gorm.DB) error {
		per := received(g.Table("payments AS p").Joins("JOIN customers c ON c.id = p.customer_id"), "p").
			Where("p.received_at >= ? AND p.received_at < ?", rng.Start, rng.End).
			Scopes(func(q *gorm.DB) *gorm.DB { return ownedCustomers(q, a, ids, "c") }).
			Select("p.customer_id AS customer_id, SUM(p.amount) AS amount").
			Group("p.customer_id")
		running := g.Table("(?) AS per", per).Select("per.*, " +
			"SUM(per.amount) OVER (ORDER BY per.amount DESC, per.customer_id) AS cumulative, " +
			"SUM(per.amount) OVER () AS total, COUNT(*) OVER () AS n")
		// cumulative − amount is the running sum before the row: under 80 %
		// of the total when 5 × it < 4 × total (integers, no rounding).
		pareto := g.Table("(?) AS x", running).
			Select("x.*, SUM(CASE WHEN 5 * (x.cumulative - x.amount) < 4 * x.total THEN 1 ELSE 0 END) OVER () AS pareto")
		top := g.Table("(?) AS y", pareto).Order("y.amount DESC, y.customer_id").Limit(limit)
		return g.Table("(?) AS z", top).Joins("JOIN customers cn ON cn.id = z.customer_id").
			Select("z.*, cn.name AS name, cn.owner_id AS owner_id").Order("z.amount DESC, z.customer_id").Scan(&rows).Error
	})
	if err != nil {
		return nil, tot, fmt.Errorf("report.top_customers: %w", err)
	}
	if len(rows) > 0 {
		tot = customerTotals{Customers: rows[0].N, Total: rows[0].Total, Pareto: rows[0].Pareto}
	}
	return rows, tot, nil
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
// the two windows together, then longest inactive; and how many there are
// (a window count, so one pass).
func (s mixStore) customersAtRisk(ctx context.Context, a *authz.Actor, ids []string, w riskWindows, limit int) ([]riskRow, int64, error) {
	var rows []riskRow
	var total int64
	if len(ids) == 0 {
		return rows, 0, nil
	}
	err := s.heavyRead(ctx, func(g *gorm.DB) error {
		// The revenue of the customers in scope only: a rep's few customers
		// are probed through idx_payments_customer_received.
		inScope := ownedCustomers(g.Table("customers AS c0").Select("c0.id"), a, ids, "c0")
		rev := received(g.Table("payments AS p"), "p").
			Where("p.received_at >= ? AND p.received_at < ? AND p.customer_id IN (?)", w.start, w.now, inScope).
			Select("p.customer_id AS customer_id, "+
				"SUM(CASE WHEN p.received_at >= ? THEN p.amount ELSE 0 END) AS recent, "+
				"SUM(CASE WHEN p.received_at < ? THEN p.amount ELSE 0 END) AS previous", w.mid, w.mid).
			Group("p.customer_id")
		return ownedCustomers(g.Table("customers AS c").Joins("LEFT JOIN (?) AS r ON r.customer_id = c.id", rev), a, ids, "c").
			Where("COALESCE(c.last_followed_at, c.created_at) < ? OR (r.previous > 0 AND 10 * r.recent <= 7 * r.previous)", w.cutoff).
			Select("c.id, c.name, c.owner_id, c.created_at, c.last_followed_at, " +
				"COALESCE(r.recent, 0) AS recent, COALESCE(r.previous, 0) AS previous, COUNT(*) OVER () AS total").
			Order("COALESCE(r.recent, 0) + COALESCE(r.previous, 0) DESC, COALESCE(c.last_followed_at, c.created_at), c.id").
			Limit(limit).Scan(&rows).Error
	})
	if err != nil {
		return nil, 0, fmt.Errorf("report.customers_at_risk: %w", err)
	}
	if len(rows) > 0 {
		total = rows[0].Total
	}
	return rows, total, nil
}
