package report

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/team"
)

func init() {
	i18n.Register(map[string]map[i18n.Lang]string{
		"product_metric": {i18n.EN: "product applies only to won_amount and orders_count",
			i18n.ZhCN: "按产品分组仅适用于 won_amount 和 orders_count"},
	})
}

// Trend intervals and the groupings besides GroupUser.
const (
	TrendMonth        = "month"
	TrendQuarter      = "quarter"
	TrendGroupNone    = "none"
	TrendGroupRegion  = "region"
	TrendGroupProduct = "product"
)

// Series keys that are not a group's own.
const (
	TrendKeyTotal = "total"
	TrendKeyOther = "other"
)

// Trend series limits.
const (
	defaultTrendLimit = 20
	maxTrendLimit     = 100
)

// TrendsQuery is the trends report's parameters, as given.
type TrendsQuery struct {
	PerfQuery
	Interval string
	Limit    string
}

// TrendSeries is one group's figures per bucket and over the whole range.
type TrendSeries struct {
	Key    string
	Label  string
	Values []int64
	Total  int64
}

// Trends is the trends report.
type Trends struct {
	Range    Range
	Metric   string
	Interval string
	GroupBy  string
	Limit    int
	Buckets  []TrendBucket
	Series   []TrendSeries
}

// Trends reports one metric per month or quarter, per group, within the
// caller's scope. Every bucket figure is the /reports/performance figure
// over that bucket's span.
func (s *PerfService) Trends(ctx context.Context, q TrendsQuery) (*Trends, error) {
	if err := authz.Require(ctx, "reports:read"); err != nil {
		return nil, err
	}
	out := &Trends{Metric: q.Metric, Interval: q.Interval, GroupBy: q.GroupBy, Limit: defaultTrendLimit}
	if out.Metric == "" {
		out.Metric = "won_amount"
	}
	if out.Interval == "" {
		out.Interval = TrendMonth
	}
	if out.GroupBy == "" {
		out.GroupBy = TrendGroupNone
	}
	var v validate.V
	v.OneOf("metric", out.Metric, team.Metrics...)
	v.OneOf("interval", out.Interval, TrendMonth, TrendQuarter)
	v.OneOf("group_by", out.GroupBy, TrendGroupNone, TrendGroupRegion, TrendGroupProduct, GroupUser)
	if out.GroupBy == TrendGroupProduct && out.Metric != "won_amount" && out.Metric != "orders_count" &&
		slices.Contains(team.Metrics, out.Metric) {
		v.Add("group_by", "product_metric")
	}
	if q.Limit != "" {
		n, err := strconv.Atoi(q.Limit)
		if err != nil || n < 1 || n > maxTrendLimit {
			v.Add("limit", "between", 1, maxTrendLimit)
		}
		out.Limit = n
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	pq := q.PerfQuery
	if pq.Period == "" && pq.From == "" && pq.To == "" {
		// Default: the last twelve months through the current one.
		vals, err := s.settings.Current(ctx)
		if err != nil {
			return nil, err
		}
		cur := trMonthStart(time.Now().In(vals.Timezone.Location()))
		pq.From = cur.AddDate(0, -11, 0).Format(time.DateOnly)
		pq.To = cur.AddDate(0, 1, -1).Format(time.DateOnly)
	}
	rng, sub, err := s.resolve(ctx, pq, false)
	if err != nil {
		return nil, err
	}
	out.Range = rng
	out.Buckets = trCutBuckets(rng, out.Interval, sub.loc)
	a := authz.ActorFrom(ctx)
	cells, err := s.store.trendCells(ctx, a, out.Metric, out.GroupBy, trOwners(a, pq, sub.users), out.Buckets)
	if err != nil {
		return nil, err
	}
	byKey := map[string]*TrendSeries{}
	var series []*TrendSeries
	hasTotals := false
	for _, c := range cells {
		ts := byKey[c.Grp]
		if ts == nil {
			ts = &TrendSeries{Key: c.Grp, Values: make([]int64, len(out.Buckets))}
			byKey[c.Grp] = ts
			series = append(series, ts)
		}
		if c.Bkt < 0 {
			ts.Total, hasTotals = c.N, true
			continue
		}
		if c.Bkt < len(ts.Values) {
			ts.Values[c.Bkt] += c.N
		}
	}
	if !hasTotals {
		for _, ts := range series {
			for _, n := range ts.Values {
				ts.Total += n
			}
		}
	}
	if err := s.labelSeries(ctx, out.GroupBy, sub.users, series); err != nil {
		return nil, err
	}
	// Largest first; ties by label then key, so the order is stable.
	slices.SortStableFunc(series, func(a, b *TrendSeries) int {
		if a.Total != b.Total {
			if a.Total > b.Total {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.Label, b.Label); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	for i, ts := range series {
		if i == out.Limit {
			other := TrendSeries{Key: TrendKeyOther, Label: "Other", Values: make([]int64, len(out.Buckets))}
			for _, r := range series[i:] {
				for j, n := range r.Values {
					other.Values[j] += n
				}
				other.Total += r.Total
			}
			out.Series = append(out.Series, other)
			break
		}
		out.Series = append(out.Series, *ts)
	}
	if out.Series == nil {
		out.Series = []TrendSeries{}
	}
	return out, nil
}

// labelSeries names each series: a user's name, a product's name, a
// region as it is ("(none)" for customers without one), "Total" for no
// grouping.
func (s *PerfService) labelSeries(ctx context.Context, groupBy string, users []reportUser, series []*TrendSeries) error {
	var products map[string]string
	if groupBy == TrendGroupProduct {
		ids := make([]string, len(series))
		for i, ts := range series {
			ids[i] = ts.Key
		}
		var err error
		if products, err = s.store.trendProductNames(ctx, ids); err != nil {
			return err
		}
	}
	for _, ts := range series {
		switch groupBy {
		case TrendGroupNone:
			ts.Key, ts.Label = TrendKeyTotal, "Total"
		case GroupUser:
			ts.Label = ts.Key
			if i := slices.IndexFunc(users, func(u reportUser) bool { return u.ID == ts.Key }); i >= 0 {
				ts.Label = users[i].Name
			}
		case TrendGroupProduct:
			ts.Label = products[ts.Key]
			if ts.Label == "" {
				ts.Label = ts.Key
			}
		default:
			ts.Label = ts.Key
			if ts.Key == "" {
				ts.Label = "(none)"
			}
		}
	}
	return nil
}

// trMonthStart is the first instant of t's calendar month, in t's zone.
func trMonthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
}

// trCutBuckets splits rng into calendar months or quarters of loc; the first
// and last are clipped to the range.
func trCutBuckets(rng Range, interval string, loc *time.Location) []TrendBucket {
	step := 1
	cal := trMonthStart(rng.Start.In(loc))
	if interval == TrendQuarter {
		step = 3
		cal = time.Date(cal.Year(), (cal.Month()-1)/3*3+1, 1, 0, 0, 0, 0, loc)
	}
	var out []TrendBucket
	for cur := cal; cur.Before(rng.End); cur = cur.AddDate(0, step, 0) {
		next := cur.AddDate(0, step, 0)
		key := cur.Format("2006-01")
		if step == 3 {
			key = fmt.Sprintf("%d-Q%d", cur.Year(), (int(cur.Month())-1)/3+1)
		}
		b := TrendBucket{Key: key, Start: cur.UTC(), End: next.UTC()}
		if b.Start.Before(rng.Start) {
			b.Start = rng.Start
		}
		if b.End.After(rng.End) {
			b.End = rng.End
		}
		out = append(out, b)
	}
	return out
}
