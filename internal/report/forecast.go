package report

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/shopspring/decimal"
)

// ForecastMethod names the projection method (see Forecast).
const ForecastMethod = "seasonal_index_x_level"

// Month kinds of the forecast.
const (
	ForecastPast    = "past"
	ForecastCurrent = "current"
	ForecastFuture  = "future"
)

// Forecast parameter bounds and defaults.
const (
	defaultForecastMonths  = 6
	maxForecastMonths      = 24
	defaultForecastHistory = 12
	maxForecastHistory     = 36
	// seasonYears is how many years back the seasonal index looks.
	fcSeasonYears = 3
)

// ForecastQuery is the forecast's parameters, as given.
type ForecastQuery struct {
	Months, History string
	TeamID, UserID  string
}

// ForecastMonth is one calendar month of the forecast. Amounts are minor
// units; nil where the figure does not apply to the month's kind.
type ForecastMonth struct {
	Key        string
	Kind       string
	Start, End time.Time
	ActualWon  *int64
	Pipeline   *int64
	Weighted   *int64
	Commit     *int64
	BestCase   *int64
	Level      int64
	Index      decimal.Decimal
	Projection int64
}

// ForecastTotals sums the current and future months.
type ForecastTotals struct {
	Pipeline, Weighted, Commit, BestCase int64
}

// Forecast is the forecast report.
type Forecast struct {
	AsOf    string
	Months  int
	History int
	Method  string
	Rows    []ForecastMonth
	Totals  ForecastTotals
}

// Forecast reports, month by month from History months ago through the
// current month and Months-1 months ahead (org time zone), the won actuals,
// the open pipeline by expected close date with its weighted, commit and
// best-case figures, and a projection of won_amount from history.
//
// Projection for a month T, from the won amounts of the complete months
// before base = min(T, current month) only (a backtest for past months):
// level = mean monthly won over the 12 months before base; seasonal index
// of T's calendar month = (won in that calendar month) / (mean month) over
// the up-to-3 twelve-month years before base that have any won amount,
// or 1 when fewer than 2 such years; projection = level × index, i.e.
// B1 × Sm / S (B1 the last year's total, Sm and S the calendar month's
// and all months' totals over the years used), rounded half-up to the cent.
func (s *PerfService) Forecast(ctx context.Context, q ForecastQuery) (*Forecast, error) {
	if err := authz.Require(ctx, "reports:read"); err != nil {
		return nil, err
	}
	var v validate.V
	months := fcIntParam(&v, "months", q.Months, defaultForecastMonths, 1, maxForecastMonths)
	history := fcIntParam(&v, "history", q.History, defaultForecastHistory, 0, maxForecastHistory)
	if err := v.Err(); err != nil {
		return nil, err
	}
	vals, err := s.settings.Current(ctx)
	if err != nil {
		return nil, err
	}
	loc := vals.Timezone.Location()
	now := time.Now().In(loc)
	cur := trMonthStart(now)
	// The scope and filters are those of the other reports; the period
	// only satisfies the shared resolver.
	_, sub, err := s.resolve(ctx, PerfQuery{Period: cur.Format("2006-01"), TeamID: q.TeamID, UserID: q.UserID}, false)
	if err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	ids := trOwners(a, PerfQuery{TeamID: q.TeamID, UserID: q.UserID}, sub.users)

	// Won amounts per month from the earliest a projection looks at
	// through the last month shown.
	lookback := fcSeasonYears * 12
	first := cur.AddDate(0, -history-lookback, 0)
	var bks []TrendBucket
	for m := first; m.Before(cur.AddDate(0, months, 0)); m = m.AddDate(0, 1, 0) {
		bks = append(bks, TrendBucket{Key: m.Format("2006-01"), Start: m.UTC(), End: m.AddDate(0, 1, 0).UTC()})
	}
	cells, err := s.store.trendCells(ctx, a, "won_amount", TrendGroupNone, ids, bks)
	if err != nil {
		return nil, err
	}
	won := make([]int64, len(bks))
	for _, c := range cells {
		if c.Bkt >= 0 && c.Bkt < len(won) {
			won[c.Bkt] += c.N
		}
	}
	open, err := s.store.openByMonth(ctx, a, ids, cur.Format(time.DateOnly), cur.Format("2006-01"),
		cur.AddDate(0, months, 0).Format(time.DateOnly))
	if err != nil {
		return nil, err
	}

	out := &Forecast{AsOf: now.Format(time.DateOnly), Months: months, History: history, Method: ForecastMethod}
	curIdx := history + lookback
	for i := lookback; i < len(bks); i++ {
		b := bks[i]
		row := ForecastMonth{Key: b.Key, Start: b.Start, End: b.End, Kind: ForecastFuture}
		switch {
		case i < curIdx:
			row.Kind = ForecastPast
		case i == curIdx:
			row.Kind = ForecastCurrent
		}
		if row.Kind != ForecastFuture {
			row.ActualWon = fcPtrTo(won[i])
		}
		if row.Kind != ForecastPast {
			o := open[b.Key]
			// Commit and best case add what is already won in the month.
			commit := o.CommitAmt + won[i]
			best := commit + o.BestAmt
			row.Pipeline, row.Weighted, row.Commit, row.BestCase = fcPtrTo(o.Amount), fcPtrTo(o.Weighted), &commit, &best
			out.Totals.Pipeline += o.Amount
			out.Totals.Weighted += o.Weighted
			out.Totals.Commit += commit
			out.Totals.BestCase += best
		}
		row.Level, row.Index, row.Projection = fcProject(won, i, min(i, curIdx))
		out.Rows = append(out.Rows, row)
	}
	return out, nil
}

// fcProject is the projection of month t from the months before base (both
// indexes into won, base >= 36): the level, the seasonal index to four
// places and level × index rounded half-up, computed exactly.
func fcProject(won []int64, t, base int) (level int64, index decimal.Decimal, projection int64) {
	sum := func(from, to int) int64 {
		var n int64
		for _, w := range won[from:to] {
			n += w
		}
		return n
	}
	last := sum(base-12, base)
	twelve := decimal.NewFromInt(12)
	level = decimal.NewFromInt(last).DivRound(twelve, 0).IntPart()
	var years, total, month int64
	for k := 1; k <= fcSeasonYears; k++ {
		start := base - 12*k
		y := sum(start, start+12)
		if y <= 0 {
			continue
		}
		years++
		total += y
		month += won[start+(t-base)%12]
	}
	if years < 2 {
		return level, decimal.NewFromInt(1), level
	}
	index = decimal.NewFromInt(12*month).DivRound(decimal.NewFromInt(total), 4)
	projection = decimal.NewFromInt(last).Mul(decimal.NewFromInt(month)).DivRound(decimal.NewFromInt(total), 0).IntPart()
	return level, index, projection
}

// fcIntParam reads an optional integer query parameter within [lo, hi].
func fcIntParam(v *validate.V, field, s string, def, lo, hi int) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		v.Add(field, "between", lo, hi)
		return def
	}
	return n
}

func fcPtrTo(n int64) *int64 { return &n }

// fcOpenCell is the open pipeline of one month of expected close dates.
type fcOpenCell struct {
	Mon       string
	Amount    int64
	Weighted  int64
	CommitAmt int64
	BestAmt   int64
}

// openByMonth sums the open opportunities of ids in a's scope whose
// expected close date (a local date) is before horizon, per month of that
// date; those expected before curStart (overdue, still open) go to the
// current month curKey. Weighting is per opportunity, amount × stage
// probability / 100 rounded half-up, as in the funnel; commit is the
// amount in stages of probability >= 80, best the amount in stages of
// probability >= 50 and < 80.
func (s *perfStore) openByMonth(ctx context.Context, a *authz.Actor, ids []string, curStart, curKey, horizon string) (map[string]fcOpenCell, error) {
	out := map[string]fcOpenCell{}
	if ids != nil && len(ids) == 0 {
		return out, nil
	}
	var rows []fcOpenCell
	err := s.db.Conn(ctx).Table("opportunities AS o").Joins("JOIN pipeline_stages s ON s.id = o.stage_id").
		Where("o.status = 'open' AND o.deleted_at IS NULL AND o.expected_close_date IS NOT NULL AND o.expected_close_date < ?", horizon).
		Scopes(trOwnedBy(a, "o.owner_id", ids)).
		Select("CASE WHEN o.expected_close_date < ? THEN ? ELSE SUBSTR(o.expected_close_date, 1, 7) END AS mon, "+
			"SUM(o.amount) AS amount, SUM((o.amount * s.probability + 50) / 100) AS weighted, "+
			"SUM(CASE WHEN s.probability >= 80 THEN o.amount ELSE 0 END) AS commit_amt, "+
			"SUM(CASE WHEN s.probability >= 50 AND s.probability < 80 THEN o.amount ELSE 0 END) AS best_amt",
			curStart, curKey).
		Group("mon").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("report.forecast open: %w", err)
	}
	for _, r := range rows {
		out[r.Mon] = r
	}
	return out, nil
}
