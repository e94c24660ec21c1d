package report

import (
	"strconv"

	"github.com/labstack/echo/v4"
)

// customers reports top customers and customers at risk.
//
//	@Summary		Top customers (the 80/20 view) and customers at risk
//	@Description	Over the live customers owned by users in the caller's data scope (admins everyone, managers their team subtree and themselves, reps themselves; customers in the public pool have no owner and are never included), narrowed by team_id (the customer owner's team subtree) and user_id (the customer owner). top: customers by amount = the payments received in the span on their contracts (status received, not voided, received_at in the span; the received_amount definition of GET /reports/performance, but credited to the customer), highest first (ties by customer id), the first limit; share = amount / total_amount of every customer in scope with payments in the span, cumulative_share = the running sum of the amounts down to this row / total_amount (both four places, computed from exact sums); pareto is true while the cumulative share before the row is under 80 %. summary: customers_with_revenue, total_amount, pareto_customers = how many customers from the top make 80 % (the pareto rows, over all of them, not only the first limit) and pareto_customer_share = pareto_customers / customers_with_revenue. at_risk, as of now (as_of), whatever the span: customers that are inactive — no activity done about them or their contacts (last_followed_at, or created_at without any) for inactive_days × 24 hours — or whose revenue is falling — payments received in the last 90 days (as_of − 90 days to as_of) at least 30 % below the 90 days before (last ≤ 0.7 × previous, previous above zero); reasons lists inactive, revenue_falling or both, with days_inactive (whole days), the two windows' amounts and revenue_change = (last − previous) / previous. They are ordered most valuable first (received in both windows together, then longest inactive, then id) and capped at limit; total counts them all. Amounts are summed across currencies as stored. The span is a period (2026-11, 2026-Q4, 2026) or from and to (local dates, both inclusive, at most 1096 days), cut in the organisation's time zone. team_id or user_id outside the caller's scope is 422 out_of_scope. format=csv streams the top table with a header row; format=xlsx gives that table and a column chart of amount with cumulative_share as a line on a secondary axis.
//	@ID				reportCustomers
//	@Tags			reports
//	@Produce		json
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			period			query		string	false	"Period: 2026-11, 2026-Q4 or 2026 (or from and to)"
//	@Param			from			query		string	false	"First local date, 2026-11-01"
//	@Param			to				query		string	false	"Last local date (inclusive), 2026-11-30"
//	@Param			team_id			query		string	false	"Only customers owned in this team's subtree"
//	@Param			user_id			query		string	false	"Only customers owned by this user"
//	@Param			limit			query		int		false	"Rows of top and of at_risk"	minimum(1)	maximum(500)	default(50)
//	@Param			inactive_days	query		int		false	"Days without activity that make a customer inactive"	minimum(1)	maximum(365)	default(30)
//	@Param			format			query		string	false	"Response format"	Enums(json, csv, xlsx)	default(json)
//	@Success		200				{object}	CustomersResponse
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/reports/customers [get]
func (h *MixHandler) customers(c echo.Context) error {
	format, err := formatOf(c)
	if err != nil {
		return err
	}
	r, err := h.svc.Customers(c.Request().Context(), CustomersQuery{PerfQuery: spanQuery(c),
		Limit: c.QueryParam("limit"), InactiveDays: c.QueryParam("inactive_days")})
	if err != nil {
		return err
	}
	v := customersView(r)
	return render(c, format, v, Table{Name: "customers",
		Columns: []Column{{"rank", Integer}, {"customer_id", Text}, {"name", Text}, {"owner_id", Text},
			{"amount", Money}, {"share", Ratio}, {"cumulative_share", Ratio}, {"pareto", Text}},
		Chart: &Chart{Kind: ChartColumn, Title: "Top customers", Category: "name", Series: []string{"amount"},
			Line: []string{"cumulative_share"}},
		Rows: func(emit func(...string) error) error {
			for _, t := range v.Top {
				if err := emit(strconv.Itoa(t.Rank), t.CustomerID, t.Name, t.OwnerID, t.Amount, t.Share,
					t.CumulativeShare, strconv.FormatBool(t.Pareto)); err != nil {
					return err
				}
			}
			return nil
		}})
}
