package report

import "time"

// TopCustomerView is one customer by amount received in the span.
type TopCustomerView struct {
	Rank       int    `json:"rank" example:"1"`
	CustomerID string `json:"customer_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	Name       string `json:"name" example:"上海精密机械有限公司"`
	OwnerID    string `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	// Amount is the payments received from the customer in the span.
	Amount string `json:"amount" example:"1200000.00"`
	// Share is amount / the total of every customer in scope, four places.
	Share string `json:"share" example:"0.2400"`
	// CumulativeShare is the share of this row and every row above it.
	CumulativeShare string `json:"cumulative_share" example:"0.6100"`
	// Pareto is true while the cumulative share before this row is under 80 %.
	Pareto bool `json:"pareto" example:"true"`
} // @name TopCustomer

// CustomerSummaryView is the 80/20 view of every customer in scope.
type CustomerSummaryView struct {
	// CustomersWithRevenue counts the customers with payments received in the span.
	CustomersWithRevenue int64  `json:"customers_with_revenue" example:"120"`
	TotalAmount          string `json:"total_amount" example:"5000000.00"`
	// ParetoCustomers is how many customers, from the top, make 80 % of the total (the pareto rows).
	ParetoCustomers int64 `json:"pareto_customers" example:"25"`
	// ParetoCustomerShare is pareto_customers / customers_with_revenue, four places; null without any.
	ParetoCustomerShare *string `json:"pareto_customer_share" extensions:"x-nullable" example:"0.2083"`
} // @name CustomerRevenueSummary

// RiskCustomerView is a customer at risk now.
type RiskCustomerView struct {
	CustomerID string `json:"customer_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	Name       string `json:"name" example:"上海精密机械有限公司"`
	OwnerID    string `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	// Reasons: inactive, revenue_falling, or both.
	Reasons []string `json:"reasons" enums:"inactive,revenue_falling" example:"inactive"`
	// LastActivityAt is the last activity done about the customer or its contacts (last_followed_at); null if none.
	LastActivityAt *time.Time `json:"last_activity_at" extensions:"x-nullable" example:"2026-09-20T02:00:00Z"`
	// DaysInactive is whole days since last_activity_at, or since the customer was created without one.
	DaysInactive int64 `json:"days_inactive" example:"67"`
	// RevenueLast90d is the payments received in the 90 days before as_of.
	RevenueLast90d string `json:"revenue_last_90d" example:"10000.00"`
	// RevenuePrevious90d is the payments received in the 90 days before those.
	RevenuePrevious90d string `json:"revenue_previous_90d" example:"80000.00"`
	// RevenueChange is (last − previous) / previous, four places; null when previous is zero.
	RevenueChange *string `json:"revenue_change" extensions:"x-nullable" example:"-0.8750"`
} // @name CustomerAtRisk

// CustomersAtRiskView is the customers at risk.
type CustomersAtRiskView struct {
	// AsOf is the instant the windows end (now).
	AsOf time.Time `json:"as_of" example:"2026-11-27T02:00:00Z"`
	// Total counts every customer at risk in scope; data holds the first limit.
	Total int64              `json:"total" example:"31"`
	Data  []RiskCustomerView `json:"data"`
} // @name CustomersAtRisk

// CustomersResponse is the customer report.
type CustomersResponse struct {
	Range        RangeView           `json:"range"`
	Limit        int                 `json:"limit" example:"50"`
	InactiveDays int                 `json:"inactive_days" example:"30"`
	Summary      CustomerSummaryView `json:"summary"`
	Top          []TopCustomerView   `json:"top"`
	AtRisk       CustomersAtRiskView `json:"at_risk"`
} // @name CustomersReport

func customersView(c *Customers) CustomersResponse {
	out := CustomersResponse{Range: rangeView(c.Range), Limit: c.Limit, InactiveDays: c.InactiveDays,
		Summary: CustomerSummaryView{CustomersWithRevenue: c.Summary.CustomersWithRevenue,
			TotalAmount: c.Summary.TotalAmount.String(), ParetoCustomers: c.Summary.ParetoCustomers,
			ParetoCustomerShare: c.Summary.ParetoShare},
		Top:    make([]TopCustomerView, len(c.Top)),
		AtRisk: CustomersAtRiskView{AsOf: c.AsOf, Total: c.AtRiskTotal, Data: make([]RiskCustomerView, len(c.AtRisk))}}
	for i, r := range c.Top {
		out.Top[i] = TopCustomerView{Rank: r.Rank, CustomerID: r.CustomerID, Name: r.Name, OwnerID: r.OwnerID,
			Amount: r.Amount.String(), Share: opt(r.Share), CumulativeShare: opt(r.CumShare), Pareto: r.Pareto}
	}
	for i, r := range c.AtRisk {
		out.AtRisk.Data[i] = RiskCustomerView{CustomerID: r.CustomerID, Name: r.Name, OwnerID: r.OwnerID,
			Reasons: r.Reasons, LastActivityAt: r.LastActivityAt, DaysInactive: r.DaysInactive,
			RevenueLast90d: r.RecentRevenue.String(), RevenuePrevious90d: r.PreviousRevenue.String(),
			RevenueChange: r.RevenueChange}
	}
	return out
}
