package report

import (
	"github.com/labstack/echo/v4"
)

// PerformanceHandler serves /reports/performance, /reports/leaderboard and
// /reports/commissions.
type PerformanceHandler struct{ svc *PerfService }

// NewPerformanceHandler builds the handler.
func NewPerformanceHandler(s *PerfService) *PerformanceHandler { return &PerformanceHandler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *PerformanceHandler) Routes(g *echo.Group) {
	g.GET("/reports/performance", h.performance)
	g.GET("/reports/leaderboard", h.leaderboard)
	g.GET("/reports/commissions", h.commissions)
}

func perfQuery(c echo.Context) PerfQuery {
	return PerfQuery{Period: c.QueryParam("period"), From: c.QueryParam("from"), To: c.QueryParam("to"),
		GroupBy: c.QueryParam("group_by"), TeamID: c.QueryParam("team_id"), UserID: c.QueryParam("user_id"),
		Metric: c.QueryParam("metric")}
}

// performance reports per user or team.
//
//	@Summary		Sales performance per user or team
//	@Description	Actuals, targets, attainment and rank for each user (group_by=user) or team (group_by=team: the sum over the team's members and its sub-teams' members) in the caller's data scope: admins everyone, managers their team subtree and themselves, reps themselves; a team row counts only members in that scope. The span is a period (calendar month 2026-11, quarter 2026-Q4 or year 2026) or from and to (local dates, both inclusive, at most 1096 days), cut in the organisation's time zone (setting timezone). Definitions: won_amount — amounts of opportunities won (closed_at) in the span, credited to their owner; received_amount — payments received (received_at, status received, not voided) in the span on contracts the user owns; orders_count — orders approved (approved_at) in the span, by owner; new_customers — customers created in the span, or to which a lead was converted in the span, that the user owns now; activities_count — activities done (done_at) in the span, by owner. targets are those set for the user or team and the period (/targets; null without a period or where none is set); attainment is actual/target to four decimal places, null without a positive target. rank is by won_amount among the rows returned, ties sharing a rank (1, 1, 3). team_id narrows to a team's subtree and user_id to one user; either outside the caller's scope is 422 out_of_scope. format=csv streams the same rows as a plain table with a header row; format=xlsx gives a workbook with that table and a column chart of won and received amounts.
//	@ID				reportPerformance
//	@Tags			reports
//	@Produce		json
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			period		query		string	false	"Period: 2026-11, 2026-Q4 or 2026 (or from and to)"
//	@Param			from		query		string	false	"First local date, 2026-11-01"
//	@Param			to			query		string	false	"Last local date (inclusive), 2026-11-30"
//	@Param			group_by	query		string	false	"Rows per user or per team"	Enums(user, team)	default(user)
//	@Param			team_id		query		string	false	"Only this team's subtree"
//	@Param			user_id		query		string	false	"Only this user"
//	@Param			format		query		string	false	"Response format"	Enums(json, csv, xlsx)	default(json)
//	@Success		200			{object}	PerformanceResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/reports/performance [get]
func (h *PerformanceHandler) performance(c echo.Context) error {
	format, err := formatOf(c)
	if err != nil {
		return err
	}
	p, err := h.svc.Performance(c.Request().Context(), perfQuery(c))
	if err != nil {
		return err
	}
	v := performanceView(p)
	metrics := []Column{{"won_amount", Money}, {"received_amount", Money}, {"orders_count", Integer},
		{"new_customers", Integer}, {"activities_count", Integer}}
	cols := append([]Column{{"user_id", Text}, {"team_id", Text}, {"name", Text}}, metrics...)
	for _, m := range metrics {
		k := m.Kind
		if k == Integer {
			k = Number // a count's target may be set with decimals
		}
		cols = append(cols, Column{"target_" + m.Name, k})
	}
	for _, m := range metrics {
		cols = append(cols, Column{"attainment_" + m.Name, Ratio})
	}
	cols = append(cols, Column{"rank", Integer})
	return render(c, format, v, Table{Name: "performance", Columns: cols,
		Chart: &Chart{Kind: ChartColumn, Title: "Won and received", Category: "name",
			Series: []string{"won_amount", "received_amount"}},
		Rows: func(emit func(...string) error) error {
			for _, r := range v.Data {
				rec := []string{deref(r.UserID), deref(r.TeamID), r.Name, r.WonAmount, r.ReceivedAmount,
					itoa(r.OrdersCount), itoa(r.NewCustomers), itoa(r.ActivitiesCount)}
				for _, mv := range []MetricValues{r.Targets, r.Attainment} {
					rec = append(rec, deref(mv.WonAmount), deref(mv.ReceivedAmount), deref(mv.OrdersCount),
						deref(mv.NewCustomers), deref(mv.ActivitiesCount))
				}
				if err := emit(append(rec, itoa(int64(r.Rank)))...); err != nil {
					return err
				}
			}
			return nil
		}})
}

// leaderboard ranks users by one metric.
//
//	@Summary		Leaderboard of users by a metric
//	@Description	The users in the caller's data scope (admins everyone, managers their team subtree and themselves, reps themselves), ranked by metric over a period (2026-11, 2026-Q4, 2026) or from/to local dates, cut in the organisation's time zone; equal values share a rank (1, 1, 3). Metric definitions are those of GET /reports/performance. value is a money string for won_amount and received_amount and an integer string for the counts. team_id (a team's subtree) and user_id narrow it; outside the caller's scope they are 422 out_of_scope. format=csv streams rank, user_id, team_id, name, value with a header row; format=xlsx gives a workbook with that table and a bar chart of the values.
//	@ID				reportLeaderboard
//	@Tags			reports
//	@Produce		json
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			metric		query		string	true	"Metric"	Enums(won_amount, received_amount, new_customers, orders_count, activities_count)
//	@Param			period		query		string	false	"Period: 2026-11, 2026-Q4 or 2026 (or from and to)"
//	@Param			from		query		string	false	"First local date, 2026-11-01"
//	@Param			to			query		string	false	"Last local date (inclusive), 2026-11-30"
//	@Param			team_id		query		string	false	"Only this team's subtree"
//	@Param			user_id		query		string	false	"Only this user"
//	@Param			format		query		string	false	"Response format"	Enums(json, csv, xlsx)	default(json)
//	@Success		200			{object}	LeaderboardResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/reports/leaderboard [get]
func (h *PerformanceHandler) leaderboard(c echo.Context) error {
	format, err := formatOf(c)
	if err != nil {
		return err
	}
	l, err := h.svc.Leaderboard(c.Request().Context(), perfQuery(c))
	if err != nil {
		return err
	}
	v := leaderboardView(l)
	valueKind := Integer
	if v.Metric == "won_amount" || v.Metric == "received_amount" {
		valueKind = Money
	}
	return render(c, format, v, Table{Name: "leaderboard",
		Columns: []Column{{"rank", Integer}, {"user_id", Text}, {"team_id", Text}, {"name", Text}, {"value", valueKind}},
		Chart:   &Chart{Kind: ChartBar, Title: "Leaderboard: " + v.Metric, Category: "name", Series: []string{"value"}},
		Rows: func(emit func(...string) error) error {
			for _, r := range v.Data {
				if err := emit(itoa(int64(r.Rank)), r.UserID, deref(r.TeamID), r.Name, r.Value); err != nil {
					return err
				}
			}
			return nil
		}})
}

// commissions computes commissions per rep.
//
//	@Summary		Commissions per rep for a period
//	@Description	For each user in the caller's data scope covered by an active commission plan in effect on any day of the period (named in user_ids, or a member of a team in team_ids or its sub-teams): the plan, its basis metric over the period (received_amount or won_amount, as defined for GET /reports/performance), the commission and its breakdown by tier. Tiers are progressive: each rate applies only to the part of the basis inside its tier, each tier's amount is rounded half-up to the cent and the commission is their sum. A user under several plans gets one row per plan. period is required (2026-11, 2026-Q4, 2026) and cut in the organisation's time zone. team_id and user_id narrow it; outside the caller's scope they are 422 out_of_scope. format=csv streams one row per rep and plan (without the tier breakdown) with a header row; format=xlsx gives a workbook with that table and a column chart of the commissions.
//	@ID				reportCommissions
//	@Tags			reports
//	@Produce		json
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			period		query		string	true	"Period: 2026-11, 2026-Q4 or 2026"
//	@Param			team_id		query		string	false	"Only this team's subtree"
//	@Param			user_id		query		string	false	"Only this user"
//	@Param			format		query		string	false	"Response format"	Enums(json, csv, xlsx)	default(json)
//	@Success		200			{object}	CommissionsResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/reports/commissions [get]
func (h *PerformanceHandler) commissions(c echo.Context) error {
	format, err := formatOf(c)
	if err != nil {
		return err
	}
	q := perfQuery(c)
	q.From, q.To = "", ""
	r, err := h.svc.Commissions(c.Request().Context(), q)
	if err != nil {
		return err
	}
	v := commissionsView(r)
	return render(c, format, v, Table{Name: "commissions",
		Columns: []Column{{"user_id", Text}, {"team_id", Text}, {"name", Text}, {"plan_id", Text},
			{"plan_name", Text}, {"basis", Text}, {"basis_amount", Money}, {"commission", Money}},
		Chart: &Chart{Kind: ChartColumn, Title: "Commissions", Category: "name", Series: []string{"commission"}},
		Rows: func(emit func(...string) error) error {
			for _, r := range v.Data {
				if err := emit(r.UserID, deref(r.TeamID), r.Name, r.PlanID, r.PlanName, r.Basis, r.BasisAmount,
					r.Commission); err != nil {
					return err
				}
			}
			return nil
		}})
}
