package report

import (
	"context"
	"fmt"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
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
}

type customerTotals struct {
	Customers int64
	Total     int64
	Pareto    int64
}

// topCustomers sums the payments received in rng per customer in scope
// and returns the first limit by amount (then id) with their running sum,
// and over all of them: how many, the total, and how many rows start
// under 80 % of it. The running sums are window functions, so no row
// beyond limit leaves the database.
func (s mixStore) topCustomers(ctx context.Context, a *authz.Actor, ids []string, rng Range, limit int) ([]topCustomerRow, customerTotals, error) {
	var rows []topCustomerRow
	var tot customerTotals
	if len(ids) == 0 {
		return rows, tot, nil
	}
	g := s.db.Conn(ctx)
	per := received(g.Table("payments AS p").Joins("JOIN customers c ON c.id = p.customer_id"), "p").
		Where("p.received_at >= ? AND p.received_at < ?", rng.Start, rng.End).
		Scopes(func(q *gorm.DB) *gorm.DB { return ownedCustomers(q, a, ids, "c") }).
		Select("p.customer_id AS customer_id, MAX(c.name) AS name, MAX(c.owner_id) AS owner_id, SUM(p.amount) AS amount").
		Group("p.customer_id")
	running := "SUM(per.amount) OVER (ORDER BY per.amount DESC, per.customer_id)"
	err := g.Table("(?) AS per", per).
		Select("per.customer_id, per.name, per.owner_id, per.amount, " + running + " AS cumulative").
		Order("per.amount DESC, per.customer_id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, tot, fmt.Errorf("report.top_customers: %w", err)
	}
	// cum - amount is the running sum before the row: under 80 % of the
	// total when 5 × it < 4 × total (integers, no rounding).
	err = g.Table("(?) AS x", g.Table("(?) AS per", per).
		Select("per.amount AS amount, "+running+" AS cum, SUM(per.amount) OVER () AS total")).
		Select("COUNT(*) AS customers, COALESCE(SUM(x.amount), 0) AS total, " +
			"COALESCE(SUM(CASE WHEN 5 * (x.cum - x.amount) < 4 * x.total THEN 1 ELSE 0 END), 0) AS pareto").
		Scan(&tot).Error
	if err != nil {
		return nil, tot, fmt.Errorf("report.customer_totals: %w", err)
	}
	return rows, tot, nil
}

type riskRow struct {
	ID             string
	Name           string
	OwnerID        string
	CreatedAt      time.Time
	LastFollowedAt *time.Time
	Recent         int64
	Previous       int64
}

// customersAtRisk lists the live customers in scope that are inactive
// (last_followed_at — the last activity done about the customer or its
// contacts — or, without one, created_at before w.cutoff) or whose
// revenue fell (see falling), most valuable first: by revenue received in
// the two windows together, then longest inactive; and how many there are.
func (s mixStore) customersAtRisk(ctx context.Context, a *authz.Actor, ids []string, w riskWindows, limit int) ([]riskRow, int64, error) {
	var rows []riskRow
	var total int64
	if len(ids) == 0 {
		return rows, 0, nil
	}
	g := s.db.Conn(ctx)
	inScope := ownedCustomers(g.Table("customers AS c0").Select("c0.id"), a, ids, "c0")
	rev := received(g.Table("payments AS p"), "p").
		Where("p.received_at >= ? AND p.received_at < ? AND p.customer_id IN (?)", w.start, w.now, inScope).
		Select("p.customer_id AS customer_id, "+
			"SUM(CASE WHEN p.received_at >= ? THEN p.amount ELSE 0 END) AS recent, "+
			"SUM(CASE WHEN p.received_at < ? THEN p.amount ELSE 0 END) AS previous", w.mid, w.mid).
		Group("p.customer_id")
	base := func() *gorm.DB {
		return ownedCustomers(g.Table("customers AS c").Joins("LEFT JOIN (?) AS r ON r.customer_id = c.id", rev), a, ids, "c").
			Where("COALESCE(c.last_followed_at, c.created_at) < ? OR (r.previous > 0 AND 10 * r.recent <= 7 * r.previous)", w.cutoff)
	}
	if err := base().Count(&total).Error; err != nil {
		return nil, 0, fmt.Errorf("report.customers_at_risk: %w", err)
	}
	err := base().Select("c.id, c.name, c.owner_id, c.created_at, c.last_followed_at, " +
		"COALESCE(r.recent, 0) AS recent, COALESCE(r.previous, 0) AS previous").
		Order("COALESCE(r.recent, 0) + COALESCE(r.previous, 0) DESC, COALESCE(c.last_followed_at, c.created_at), c.id").
		Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, 0, fmt.Errorf("report.customers_at_risk: %w", err)
	}
	return rows, total, nil
}
