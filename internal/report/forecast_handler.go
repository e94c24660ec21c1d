package report

import (
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/money"
)

// ForecastHandler serves /reports/forecast and /reports/trends.
type ForecastHandler struct{ svc *PerfService }

// NewForecastHandler builds the handler.
func NewForecastHandler(s *PerfService) *ForecastHandler { return &ForecastHandler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *ForecastHandler) Routes(g *echo.Group) {
	g.GET("/reports/forecast", h.forecast)
	g.GET("/reports/trends", h.trends)
}

// ForecastMonthView is one month of the forecast.
type ForecastMonthView struct {
	Month string `json:"month" example:"2026-12"`
	Kind  string `json:"kind" enums:"past,current,future" example:"future"`
	// From and To bound the month (UTC instants of local midnights; To
	// exclusive).
	From time.Time `json:"from" example:"2026-11-30T16:00:00Z"`
	To   time.Time `json:"to" example:"2026-12-31T16:00:00Z"`
	// ActualWon is won_amount in the month; null for future months.
	ActualWon *string `json:"actual_won" extensions:"x-nullable" example:"1200000.00"`
	// Pipeline, Weighted, Commit and BestCase: null for past months.
	Pipeline *string `json:"pipeline" extensions:"x-nullable" example:"3600000.00"`
	Weighted *string `json:"weighted" extensions:"x-nullable" example:"1450000.00"`
	Commit   *string `json:"commit" extensions:"x-nullable" example:"900000.00"`
	BestCase *string `json:"best_case" extensions:"x-nullable" example:"1700000.00"`
	// Level is the mean monthly won over the 12 months before the month
	// (before the current month for current and future months).
	Level string `json:"level" example:"1100000.00"`
	// SeasonalIndex of the month's calendar month, 4 places.
	SeasonalIndex string `json:"seasonal_index" example:"1.0909"`
	Projection    string `json:"projection" example:"1200000.00"`
} // @name ForecastMonth

// ForecastTotalsView sums the current and future months.
type ForecastTotalsView struct {
	Pipeline string `json:"pipeline" example:"21600000.00"`
	Weighted string `json:"weighted" example:"8700000.00"`
	Commit   string `json:"commit" example:"5400000.00"`
	BestCase string `json:"best_case" example:"10200000.00"`
} // @name ForecastTotals

// ForecastResponse is the forecast report.
type ForecastResponse struct {
	// AsOf is today in the organisation's time zone.
	AsOf    string              `json:"as_of" example:"2026-11-27"`
	Months  int                 `json:"months" example:"6"`
	History int                 `json:"history" example:"12"`
	Method  string              `json:"method" enums:"seasonal_index_x_level" example:"seasonal_index_x_level"`
	Data    []ForecastMonthView `json:"data"`
	Totals  ForecastTotalsView  `json:"totals"`
} // @name ForecastReport

func fcAmount(n *int64) *string {
	if n == nil {
		return nil
	}
	s := money.Amount(*n).String()
	return &s
}

func forecastView(f *Forecast) ForecastResponse {
	out := ForecastResponse{AsOf: f.AsOf, Months: f.Months, History: f.History, Method: f.Method,
		Data: make([]ForecastMonthView, len(f.Rows)),
		Totals: ForecastTotalsView{Pipeline: money.Amount(f.Totals.Pipeline).String(),
			Weighted: money.Amount(f.Totals.Weighted).String(), Commit: money.Amount(f.Totals.Commit).String(),
			BestCase: money.Amount(f.Totals.BestCase).String()}}
	for i, r := range f.Rows {
		out.Data[i] = ForecastMonthView{Month: r.Key, Kind: r.Kind, From: r.Start, To: r.End,
			ActualWon: fcAmount(r.ActualWon), Pipeline: fcAmount(r.Pipeline), Weighted: fcAmount(r.Weighted),
			Commit: fcAmount(r.Commit), BestCase: fcAmount(r.BestCase), Level: money.Amount(r.Level).String(),
			SeasonalIndex: r.Index.StringFixed(4), Projection: money.Amount(r.Projection).String()}
	}
	return out
}

// forecast reports the sales forecast.
//
//	@Summary		Sales forecast per month with a seasonal projection
//	@Description	One row per calendar month of the organisation's time zone: history months before the current month (kind past), the current month (current) and months-1 months after it (future). Within the caller's data scope (admins everyone, managers their team subtree and themselves, reps themselves) by the opportunity's owner; team_id (a team's subtree) and user_id narrow it, outside the caller's scope they are 422 out_of_scope. actual_won (past and current months, null for future ones) is won_amount as in GET /reports/performance: amounts of opportunities won with closed_at in the month. For the current and future months (null for past ones), over the open opportunities whose expected_close_date falls in the month — the current month also takes every open opportunity whose expected close date is already past (overdue but still open); open opportunities without an expected close date or expected after the last month are left out: pipeline = sum of amounts; weighted = sum of amount × stage probability / 100, rounded half-up per opportunity (as the funnel); commit = the amounts of those in stages with probability >= 80, plus the amount already won (closed_at) in that month; best_case = commit + the amounts of those in stages with probability >= 50 and < 80. totals sums pipeline, weighted, commit and best_case over the current and future months. projection (method seasonal_index_x_level) is computed for every month only from the won amounts of complete months before base = the month itself for past months (a backtest, to chart beside actual_won) or the current month for current and future months: level = mean monthly won over the 12 months before base (rounded half-up to the cent); the years are the three 12-month blocks before base, and only those with any won amount are used; seasonal_index = (won in the blocks' months of the same calendar month) / (mean month over the blocks) = 12 × Sm / S to four places, or 1 when fewer than two blocks are used; projection = level × seasonal_index computed exactly as B1 × Sm / S (B1 the last 12 months' won) and rounded half-up to the cent, or level when the index is 1. Amounts are money strings summed across currencies as stored. format=csv streams one row per month; format=xlsx gives a workbook with that table and a column chart of actual_won, projection, weighted and commit per month.
//	@ID				reportForecast
//	@Tags			reports
//	@Produce		json
//	@Produce		text/csv
//	@Produce		application/vnd.openxmlformats-officedocument.spreadsheetml.sheet
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			months		query		int		false	"Months ahead, the current one counting as the first"	minimum(1)	maximum(24)	default(6)
//	@Param			history		query		int		false	"Past months shown before the current one"	minimum(0)	maximum(36)	default(12)
//	@Param			team_id		query		string	false	"Only this team's subtree"
//	@Param			user_id		query		string	false	"Only this user"
//	@Param			format		query		string	false	"Response format"	Enums(json, csv, xlsx)	default(json)
//	@Success		200			{object}	ForecastResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/reports/forecast [get]
func (h *ForecastHandler) forecast(c echo.Context) error {
	format, err := formatOf(c)
	if err != nil {
		return err
	}
	f, err := h.svc.Forecast(c.Request().Context(), ForecastQuery{Months: c.QueryParam("months"),
		History: c.QueryParam("history"), TeamID: c.QueryParam("team_id"), UserID: c.QueryParam("user_id")})
	if err != nil {
		return err
	}
	v := forecastView(f)
	return render(c, format, v, Table{Name: "forecast",
		Columns: []Column{{"month", Text}, {"kind", Text}, {"actual_won", Money}, {"pipeline", Money},
			{"weighted", Money}, {"commit", Money}, {"best_case", Money}, {"level", Money},
			{"seasonal_index", Number}, {"projection", Money}},
		Chart: &Chart{Kind: ChartColumn, Title: "Forecast", Category: "month",
			Series: []string{"actual_won", "projection", "weighted", "commit"}},
		Rows: func(emit func(...string) error) error {
			for _, r := range v.Data {
				if err := emit(r.Month, r.Kind, deref(r.ActualWon), deref(r.Pipeline), deref(r.Weighted),
					deref(r.Commit), deref(r.BestCase), r.Level, r.SeasonalIndex, r.Projection); err != nil {
					return err
				}
			}
			return nil
		}})
}
