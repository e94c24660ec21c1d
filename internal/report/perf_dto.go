package report

import (
	"strconv"
	"time"

	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/team"
)

// RangeView is the span a report covers.
type RangeView struct {
	// Period is the canonical period when one was asked for, else null.
	Period *string `json:"period" extensions:"x-nullable" example:"2026-11"`
	// From and To are UTC instants of local midnights; To is exclusive.
	From time.Time `json:"from" example:"2026-10-31T16:00:00Z"`
	To   time.Time `json:"to" example:"2026-11-30T16:00:00Z"`
} // @name ReportRange

func rangeView(r Range) RangeView {
	v := RangeView{From: r.Start, To: r.End}
	if r.Key != "" {
		v.Period = &r.Key
	}
	return v
}

// MetricValues holds one optional value per metric: money strings for the
// amounts, integer strings for the counts, decimal ratios for attainment.
type MetricValues struct {
	WonAmount       *string `json:"won_amount" extensions:"x-nullable" example:"1200000.00"`
	ReceivedAmount  *string `json:"received_amount" extensions:"x-nullable" example:"800000.00"`
	OrdersCount     *string `json:"orders_count" extensions:"x-nullable" example:"30"`
	NewCustomers    *string `json:"new_customers" extensions:"x-nullable" example:"12"`
	ActivitiesCount *string `json:"activities_count" extensions:"x-nullable" example:"150"`
} // @name ReportMetricValues

func metricValues(get func(metric string) *string) MetricValues {
	return MetricValues{WonAmount: get("won_amount"), ReceivedAmount: get("received_amount"),
		OrdersCount: get("orders_count"), NewCustomers: get("new_customers"), ActivitiesCount: get("activities_count")}
}

// PerformanceRowView is one user or team of the performance report.
type PerformanceRowView struct {
	// UserID is set when grouping by user, null by team.
	UserID *string `json:"user_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	// TeamID is the user's team (null without one), or the team reported.
	TeamID          *string `json:"team_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Name            string  `json:"name" example:"张伟"`
	WonAmount       string  `json:"won_amount" example:"1200000.00"`
	ReceivedAmount  string  `json:"received_amount" example:"800000.00"`
	OrdersCount     int64   `json:"orders_count" example:"30"`
	NewCustomers    int64   `json:"new_customers" example:"12"`
	ActivitiesCount int64   `json:"activities_count" example:"150"`
	// Targets per metric for a named period; null where none is set.
	Targets MetricValues `json:"targets"`
	// Attainment per metric: actual/target to four places ("0.8500"),
	// null without a positive target.
	Attainment MetricValues `json:"attainment"`
	// Rank by won_amount, highest first; ties share a rank (1, 1, 3).
	Rank int `json:"rank" example:"1"`
} // @name PerformanceRow

// PerformanceResponse is the performance report.
type PerformanceResponse struct {
	Range   RangeView            `json:"range"`
	GroupBy string               `json:"group_by" enums:"user,team" example:"user"`
	Data    []PerformanceRowView `json:"data"`
} // @name PerformanceReport

func performanceView(p *Performance) PerformanceResponse {
	out := PerformanceResponse{Range: rangeView(p.Range), GroupBy: p.GroupBy, Data: make([]PerformanceRowView, len(p.Rows))}
	for i, r := range p.Rows {
		v := PerformanceRowView{TeamID: r.TeamID, Name: r.Name, WonAmount: money.Amount(r.WonAmount).String(),
			ReceivedAmount: money.Amount(r.ReceivedAmount).String(), OrdersCount: r.OrdersCount,
			NewCustomers: r.NewCustomers, ActivitiesCount: r.ActivitiesCount, Rank: r.Rank,
			Attainment: metricValues(r.Attainment)}
		if r.UserID != "" {
			v.UserID = &r.UserID
		}
		v.Targets = metricValues(func(m string) *string {
			t, ok := r.Targets[m]
			if !ok {
				return nil
			}
			s := team.FormatValue(m, t)
			return &s
		})
		out.Data[i] = v
	}
	return out
}

// LeaderboardRowView is one user on the leaderboard.
type LeaderboardRowView struct {
	Rank   int     `json:"rank" example:"1"`
	UserID string  `json:"user_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	TeamID *string `json:"team_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Name   string  `json:"name" example:"张伟"`
	// Value is a money string for the amount metrics, an integer string
	// for the counts.
	Value string `json:"value" example:"1200000.00"`
} // @name LeaderboardRow

// LeaderboardResponse is the leaderboard.
type LeaderboardResponse struct {
	Range  RangeView            `json:"range"`
	Metric string               `json:"metric" example:"won_amount"`
	Data   []LeaderboardRowView `json:"data"`
} // @name LeaderboardReport

func leaderboardView(l *Leaderboard) LeaderboardResponse {
	out := LeaderboardResponse{Range: rangeView(l.Range), Metric: l.Metric, Data: make([]LeaderboardRowView, len(l.Rows))}
	for i, r := range l.Rows {
		out.Data[i] = LeaderboardRowView{Rank: r.Rank, UserID: r.UserID, TeamID: r.TeamID, Name: r.Name,
			Value: team.FormatValue(l.Metric, r.Value)}
	}
	return out
}

// CommissionTierView is one tier's share of a commission.
type CommissionTierView struct {
	From string `json:"from" example:"100000.00"`
	// To is null for the open-ended last tier.
	To   *string `json:"to" extensions:"x-nullable" example:"500000.00"`
	Rate string  `json:"rate" example:"0.05"`
	// Base is the part of the basis inside the tier.
	Base       string `json:"base" example:"400000.00"`
	Commission string `json:"commission" example:"20000.00"`
} // @name CommissionTierAmount

// CommissionRowView is one rep under one plan.
type CommissionRowView struct {
	UserID      string               `json:"user_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	TeamID      *string              `json:"team_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Name        string               `json:"name" example:"张伟"`
	PlanID      string               `json:"plan_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6d"`
	PlanName    string               `json:"plan_name" example:"华东提成"`
	Basis       string               `json:"basis" enums:"received_amount,won_amount" example:"received_amount"`
	BasisAmount string               `json:"basis_amount" example:"600000.00"`
	Commission  string               `json:"commission" example:"31250.00"`
	Tiers       []CommissionTierView `json:"tiers"`
} // @name CommissionRow

// CommissionsResponse is the commission report.
type CommissionsResponse struct {
	Range RangeView           `json:"range"`
	Data  []CommissionRowView `json:"data"`
} // @name CommissionReport

func commissionsView(c *Commissions) CommissionsResponse {
	out := CommissionsResponse{Range: rangeView(c.Range), Data: make([]CommissionRowView, len(c.Rows))}
	for i, r := range c.Rows {
		v := CommissionRowView{UserID: r.UserID, TeamID: r.TeamID, Name: r.Name, PlanID: r.Plan.ID,
			PlanName: r.Plan.Name, Basis: r.Plan.Basis, BasisAmount: r.Basis.String(),
			Commission: r.Commission.String(), Tiers: make([]CommissionTierView, len(r.Tiers))}
		for j, t := range r.Tiers {
			tv := CommissionTierView{From: t.From.String(), Rate: t.Rate.String(), Base: t.Base.String(),
				Commission: t.Commission.String()}
			if t.To != nil {
				s := t.To.String()
				tv.To = &s
			}
			v.Tiers[j] = tv
		}
		out.Data[i] = v
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
