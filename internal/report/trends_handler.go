package report

import (
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/team"
)

// TrendBucketView is one interval of the time axis.
type TrendBucketView struct {
	// Key is the calendar month (2026-11) or quarter (2026-Q4).
	Key string `json:"key" example:"2026-11"`
	// From and To bound the bucket (UTC; To exclusive), clipped to the range.
	From time.Time `json:"from" example:"2026-10-31T16:00:00Z"`
	To   time.Time `json:"to" example:"2026-11-30T16:00:00Z"`
} // @name TrendBucket

// TrendSeriesView is one group's figures.
type TrendSeriesView struct {
	// Key is the user id, the region ("" for none), the product id,
	// "total" without grouping, or "other" for the groups past the limit.
	Key   string `json:"key" example:"华东"`
	Label string `json:"label" example:"华东"`
	// Values has one figure per bucket, in bucket order: money strings for
	// the amounts, integer strings for the counts.
	Values []string `json:"values" example:"1200000.00,980000.50"`
	// Total is the figure over the whole range.
	Total string `json:"total" example:"2180000.50"`
} // @name TrendSeries

// TrendsResponse is the trends report.
type TrendsResponse struct {
	Range    RangeView         `json:"range"`
	Metric   string            `json:"metric" enums:"won_amount,received_amount,orders_count,new_customers,activities_count" example:"won_amount"`
	Interval string            `json:"interval" enums:"month,quarter" example:"month"`
	GroupBy  string            `json:"group_by" enums:"none,region,product,user" example:"region"`
	Limit    int               `json:"limit" example:"20"`
	Buckets  []TrendBucketView `json:"buckets"`
	Series   []TrendSeriesView `json:"series"`
} // @name TrendsReport

func trendsView(t *Trends) TrendsResponse {
	out := TrendsResponse{Range: rangeView(t.Range), Metric: t.Metric, Interval: t.Interval, GroupBy: t.GroupBy,
		Limit: t.Limit, Buckets: make([]TrendBucketView, len(t.Buckets)), Series: make([]TrendSeriesView, len(t.Series))}
	for i, b := range t.Buckets {
		out.Buckets[i] = TrendBucketView{Key: b.Key, From: b.Start, To: b.End}
	}
	for i, s := range t.Series {
		v := TrendSeriesView{Key: s.Key, Label: s.Label, Values: make([]string, len(s.Values)),
			Total: team.FormatValue(t.Metric, s.Total)}
		for j, n := range s.Values {
			v.Values[j] = team.FormatValue(t.Metric, n)
		}
		out.Series[i] = v
	}
	return out
}

// trends reports a metric over time.
//
//	@Summary		A metric per month or quarter, per group
//	@Description	One metric per calendar month (interval=month) or quarter (interval=quarter) of the organisation's time zone over the span, per group, within the caller's data scope (admins everyone, managers their team subtree and themselves, reps themselves), by the record's owner; team_id (a team's subtree) and user_id narrow it, outside the caller's scope they are 422 out_of_scope. The span is period (2026-11, 2026-Q4, 2026) or from and to (local dates, to inclusive, at most 1096 days); without them the last twelve calendar months through the current one. buckets lists every month or quarter the span touches, even without data, the first and last clipped to the span; keys are 2026-11 or 2026-Q4. Metrics are those of GET /reports/performance: won_amount — amounts of opportunities won (closed_at) in the bucket; received_amount — payments received (received_at, status received, not voided); orders_count — orders approved (approved_at); new_customers — customers created, or to which a lead was converted, in the bucket, that the user owns; activities_count — activities done (done_at). Each value is exactly the /reports/performance figure over that bucket; total is the figure over the whole span (so for new_customers a customer new in two buckets counts once in total). group_by: none — one series, key total; user — the owner, labelled with the user's name; region — the region of the customer: the opportunity's customer, the customer of the payment's contract, the order's customer, the new customer itself, and for activities the related customer (the customer itself, a contact's customer or an opportunity's customer; activities on leads or with no customer have region "", labelled "(none)"); product — only for won_amount (the sum of the product line amounts of the won opportunities, so opportunities without lines are left out) and orders_count (orders approved that contain the product, an order counting once per product); other metrics with product are 422 on group_by. Series are ordered by total, largest first; only groups with records appear; past the limit largest groups (default 20, at most 100) the rest are summed into one series with key other, labelled Other. Amounts are money strings, counts integer strings. format=csv streams one row per bucket with a column per series (headed by its label); format=xlsx gives a workbook with that table and a line chart with one line per series.
//	@ID				reportTrends
//	@Tags			reports
//	@Produce		json
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			metric		query		string	false	"Metric"	Enums(won_amount, received_amount, orders_count, new_customers, activities_count)	default(won_amount)
//	@Param			interval	query		string	false	"Bucket size"	Enums(month, quarter)	default(month)
//	@Param			group_by	query		string	false	"One series per group"	Enums(none, region, product, user)	default(none)
//	@Param			limit		query		int		false	"Largest groups shown; the rest is one other series"	minimum(1)	maximum(100)	default(20)
//	@Param			period		query		string	false	"Period: 2026-11, 2026-Q4 or 2026 (or from and to)"
//	@Param			from		query		string	false	"First local date, 2026-01-01"
//	@Param			to			query		string	false	"Last local date (inclusive), 2026-12-31"
//	@Param			team_id		query		string	false	"Only this team's subtree"
//	@Param			user_id		query		string	false	"Only this user"
//	@Param			format		query		string	false	"Response format"	Enums(json, csv, xlsx)	default(json)
//	@Success		200			{object}	TrendsResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/reports/trends [get]
func (h *ForecastHandler) trends(c echo.Context) error {
	format, err := formatOf(c)
	if err != nil {
		return err
	}
	q := TrendsQuery{PerfQuery: perfQuery(c), Interval: c.QueryParam("interval"), Limit: c.QueryParam("limit")}
	t, err := h.svc.Trends(c.Request().Context(), q)
	if err != nil {
		return err
	}
	v := trendsView(t)
	kind := Integer
	if team.IsAmount(v.Metric) {
		kind = Money
	}
	// One row per bucket, one column per series, so the chart draws a line
	// per series. Headers are user text: guarded like CSV cells, and made
	// unique so the chart finds each column.
	cols := []Column{{"bucket", Text}}
	seen := map[string]bool{"bucket": true}
	var names []string
	for _, s := range v.Series {
		name := csvCell(s.Label)
		if name == "" || seen[name] {
			name = csvCell(s.Label + " (" + s.Key + ")")
		}
		for i := 2; seen[name]; i++ {
			name = csvCell(s.Label + " (" + s.Key + ") " + strconv.Itoa(i))
		}
		seen[name] = true
		names = append(names, name)
		cols = append(cols, Column{name, kind})
	}
	var chart *Chart
	if len(names) > 0 {
		chart = &Chart{Kind: ChartLine, Title: "Trend: " + v.Metric, Category: "bucket", Series: names}
	}
	return render(c, format, v, Table{Name: "trends", Columns: cols, Chart: chart,
		Rows: func(emit func(...string) error) error {
			for i, b := range v.Buckets {
				rec := []string{b.Key}
				for _, s := range v.Series {
					rec = append(rec, s.Values[i])
				}
				if err := emit(rec...); err != nil {
					return err
				}
			}
			return nil
		}})
}
