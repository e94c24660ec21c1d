package report

import (
	"context"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/validate"
)

// Parameters of the customer report.
const (
	customersDefaultLimit = 50
	customersMaxLimit     = 500
	defaultInactiveDays   = 30
	maxInactiveDays       = 365
	// riskWindow is each of the two windows revenue_falling compares.
	riskWindow = 90 * 24 * time.Hour
)

// Reason codes of a customer at risk.
const (
	RiskInactive       = "inactive"
	RiskRevenueFalling = "revenue_falling"
)

// CustomersQuery is the customer report's parameters, as given.
type CustomersQuery struct {
	PerfQuery
	Limit        string
	InactiveDays string
}

// TopCustomer is one customer by amount received in the span.
type TopCustomer struct {
	Rank       int
	CustomerID string
	Name       string
	OwnerID    string
	Amount     money.Amount
	// Cumulative is the amount of this row and every row above it.
	Cumulative money.Amount
	Share      *string
	CumShare   *string
	// Pareto: the cumulative share before this row is under 80 %.
	Pareto bool
}

// CustomerSummary is the 80/20 view of the whole scope.
type CustomerSummary struct {
	CustomersWithRevenue int64
	TotalAmount          money.Amount
	// ParetoCustomers is how many customers, from the top, make 80 % of
	// the amount (the rows with Pareto set).
	ParetoCustomers int64
	ParetoShare     *string
}

// RiskCustomer is a customer at risk now.
type RiskCustomer struct {
	CustomerID      string
	Name            string
	OwnerID         string
	Reasons         []string
	LastActivityAt  *time.Time
	DaysInactive    int64
	RecentRevenue   money.Amount
	PreviousRevenue money.Amount
	RevenueChange   *string
}

// Customers is the customer report.
type Customers struct {
	Range        Range
	Limit        int
	InactiveDays int
	Top          []TopCustomer
	Summary      CustomerSummary
	AsOf         time.Time
	AtRiskTotal  int64
	AtRisk       []RiskCustomer
}

// Customers reports the customers in scope by payments received in the
// span (the 80/20 view) and the customers at risk now.
func (s *MixService) Customers(ctx context.Context, q CustomersQuery) (*Customers, error) {
	if err := authz.Require(ctx, "reports:read"); err != nil {
		return nil, err
	}
	var v validate.V
	limit := intParam(&v, "limit", q.Limit, customersDefaultLimit, 1, customersMaxLimit)
	days := intParam(&v, "inactive_days", q.InactiveDays, defaultInactiveDays, 1, maxInactiveDays)
	if err := v.Err(); err != nil {
		return nil, err
	}
	rng, sub, err := s.perf.resolve(ctx, q.PerfQuery, false)
	if err != nil {
		return nil, err
	}
	// An admin without filters reads every owner: no list of them.
	a := authz.ActorFrom(ctx)
	ids := trOwners(a, q.PerfQuery, sub.users)
	rep := &Customers{Range: rng, Limit: limit, InactiveDays: days, AsOf: db.Now()}
	w := riskWindows{now: rep.AsOf, cutoff: rep.AsOf.Add(-time.Duration(days) * 24 * time.Hour)}
	w.mid, w.start = w.now.Add(-riskWindow), w.now.Add(-2*riskWindow)
	// The two halves are independent reads; side by side they answer in
	// the time of the slower.
	var top []topCustomerRow
	var sum customerTotals
	var risks []riskRow
	var total int64
	err = sideBySide(ctx, func() (err error) {
		top, sum, err = s.store.topCustomers(ctx, a, ids, rng, limit)
		return err
	}, func() (err error) {
		risks, total, err = s.store.customersAtRisk(ctx, a, ids, w, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	rep.Summary = CustomerSummary{CustomersWithRevenue: sum.Customers, TotalAmount: money.Amount(sum.Total),
		ParetoCustomers: sum.Pareto, ParetoShare: ratio(sum.Pareto, sum.Customers)}
	for i, r := range top {
		rep.Top = append(rep.Top, TopCustomer{Rank: i + 1, CustomerID: r.CustomerID, Name: r.Name, OwnerID: r.OwnerID,
			Amount: money.Amount(r.Amount), Cumulative: money.Amount(r.Cumulative),
			Share: ratio(r.Amount, sum.Total), CumShare: ratio(r.Cumulative, sum.Total),
			Pareto: 5*(r.Cumulative-r.Amount) < 4*sum.Total})
	}
	rep.AtRiskTotal = total
	for _, r := range risks {
		rc := RiskCustomer{CustomerID: r.ID, Name: r.Name, OwnerID: r.OwnerID, LastActivityAt: r.LastFollowedAt, Reasons: []string{},
			RecentRevenue: money.Amount(r.Recent), PreviousRevenue: money.Amount(r.Previous)}
		since := r.CreatedAt
		if r.LastFollowedAt != nil {
			since = *r.LastFollowedAt
		}
		rc.DaysInactive = int64(w.now.Sub(since) / (24 * time.Hour))
		if since.Before(w.cutoff) {
			rc.Reasons = append(rc.Reasons, RiskInactive)
		}
		if falling(r.Recent, r.Previous) {
			rc.Reasons = append(rc.Reasons, RiskRevenueFalling)
		}
		if r.Previous > 0 {
			rc.RevenueChange = ratio(r.Recent-r.Previous, r.Previous)
		}
		rep.AtRisk = append(rep.AtRisk, rc)
	}
	return rep, nil
}

// riskWindows are the instants the at-risk rules compare: revenue in
// [mid, now) against [start, mid); inactive when the last activity (or the
// creation, without any) is before cutoff.
type riskWindows struct {
	now, mid, start, cutoff time.Time
}

// falling: the last 90 days' revenue is at least 30 % below the 90 days
// before (recent ≤ 0.7 × previous), in integers.
func falling(recent, previous int64) bool { return previous > 0 && 10*recent <= 7*previous }
