package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"gorm.io/gorm"
)

// TrendBucket is one interval of a report's time axis: Start inclusive, End
// exclusive (UTC), Key its calendar label ("2026-11", "2026-Q4").
type TrendBucket struct {
	Key   string
	Start time.Time
	End   time.Time
}

// trBucketExpr is an SQL expression giving the 0-based index of the bucket
// col falls in, for values already limited to [first start, last end).
// PostgreSQL bisects with width_bucket over the bucket starts; SQLite gets
// a CASE ladder (a few dozen buckets at most). Bounds are computed in Go
// in the organisation's zone, so no database time zone rules are needed.
func trBucketExpr(d *db.DB, col string, bks []TrendBucket) (string, []any) {
	args := make([]any, 0, len(bks))
	if d.Dialect() == db.Postgres {
		ph := make([]string, len(bks))
		for i, b := range bks {
			ph[i] = "CAST(? AS timestamptz)"
			args = append(args, b.Start)
		}
		return "(width_bucket(" + col + ", ARRAY[" + strings.Join(ph, ", ") + "]) - 1)", args
	}
	if len(bks) == 1 {
		return "0", nil
	}
	var sb strings.Builder
	sb.WriteString("(CASE")
	for i, b := range bks[1:] {
		fmt.Fprintf(&sb, " WHEN %s < ? THEN %d", col, i)
		args = append(args, b.Start)
	}
	fmt.Fprintf(&sb, " ELSE %d END)", len(bks)-1)
	return sb.String(), args
}

// trCell is one group's figure in one bucket, or over the whole range
// when Bkt is -1.
type trCell struct {
	Grp string
	Bkt int
	N   int64
}

// trSrc is how one metric is read: the table, the joins its
// grouping needs, the filter of records that count, the timestamp it is
// cut by, the owner column the scope applies to and the aggregate.
type trSrc struct {
	table, joins, where, at, owner, value, grp string
}

// trSourceOf gives the source of metric grouped by groupBy (the
// definitions are those of /reports/performance's figures); ok is false
// for a grouping the metric has no meaning for.
func trSourceOf(metric, groupBy string) (trSrc, bool) {
	var s trSrc
	// customerRegion is the region of the customer joined as c.
	const customerRegion = "COALESCE(c.region, '')"
	switch metric {
	case "won_amount":
		s = trSrc{table: "opportunities AS o", where: "o.status = 'won' AND o.deleted_at IS NULL",
			at: "o.closed_at", owner: "o.owner_id", value: "SUM(o.amount)"}
		switch groupBy {
		case TrendGroupRegion:
			s.joins, s.grp = "LEFT JOIN customers c ON c.id = o.customer_id", customerRegion
		case TrendGroupProduct:
			s.joins, s.grp, s.value = "JOIN opportunity_products lp ON lp.opportunity_id = o.id", "lp.product_id",
				"SUM(lp.line_total)"
		}
	case "received_amount":
		s = trSrc{table: "payments AS p", where: "p.status = 'received' AND p.voided_at IS NULL",
			at: "p.received_at", owner: "p.owner_id", value: "SUM(p.amount)"}
		if groupBy == TrendGroupRegion {
			s.joins, s.grp = "LEFT JOIN contracts ct ON ct.id = p.contract_id "+
				"LEFT JOIN customers c ON c.id = ct.customer_id", customerRegion
		}
	case "orders_count":
		s = trSrc{table: "orders AS od", at: "od.approved_at", owner: "od.owner_id", value: "COUNT(*)"}
		switch groupBy {
		case TrendGroupRegion:
			s.joins, s.grp = "LEFT JOIN customers c ON c.id = od.customer_id", customerRegion
		case TrendGroupProduct:
			// An order counts once for each product it contains.
			s.joins, s.grp, s.value = "JOIN document_items di ON di.doc_type = 'order' AND di.doc_id = od.id "+
				"AND di.product_id IS NOT NULL", "di.product_id", "COUNT(DISTINCT od.id)"
		}
	case "activities_count":
		s = trSrc{table: "activities AS ac", where: "ac.status = 'done'", at: "ac.done_at",
			owner: "ac.owner_id", value: "COUNT(*)"}
		if groupBy == TrendGroupRegion {
			s.joins = "LEFT JOIN contacts ctc ON ac.related_type = 'contact' AND ctc.id = ac.related_id " +
				"LEFT JOIN opportunities rop ON ac.related_type = 'opportunity' AND rop.id = ac.related_id " +
				"LEFT JOIN customers c ON c.id = (CASE ac.related_type WHEN 'customer' THEN ac.related_id " +
				"WHEN 'contact' THEN ctc.customer_id WHEN 'opportunity' THEN rop.customer_id END)"
			s.grp = customerRegion
		}
	default:
		return s, false
	}
	if groupBy == GroupUser {
		s.grp = s.owner
	}
	if groupBy == TrendGroupProduct && s.grp == "" {
		return s, false
	}
	if groupBy == TrendGroupNone {
		s.grp = ""
	}
	return s, true
}

// trOwners is the owners a report covers: nil when that is everyone
// in the caller's scope unfiltered (an admin without team_id or user_id),
// which spares the database a list of every user; else the users.
func trOwners(a *authz.Actor, q PerfQuery, users []reportUser) []string {
	if a.SeesAll() && q.TeamID == "" && q.UserID == "" {
		return nil
	}
	return userIDs(users)
}

// trOwnedBy limits a query to the caller's scope and, unless ids is nil, to
// the owners ids, judged by col.
func trOwnedBy(a *authz.Actor, col string, ids []string) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if ids != nil {
			q = q.Where(col+" IN ?", ids)
		}
		return q.Scopes(authz.Scope(a, col))
	}
}

// trendCells sums metric per group and bucket for the owners ids (nil:
// all), inside a's scope, in SQL: one grouped query with indexable range
// predicates on the metric's timestamp. new_customers has its own query.
func (s *perfStore) trendCells(ctx context.Context, a *authz.Actor, metric, groupBy string, ids []string, bks []TrendBucket) ([]trCell, error) {
	if ids != nil && len(ids) == 0 || len(bks) == 0 {
		return nil, nil
	}
	if metric == "new_customers" {
		return s.newCustomerCells(ctx, a, groupBy, ids, bks)
	}
	if metric == "activities_count" && (groupBy == TrendGroupNone || groupBy == GroupUser) {
		return s.activityCells(ctx, a, groupBy, ids, bks)
	}
	if r, ok := trMonthRollups[metric]; ok && (groupBy == TrendGroupNone || groupBy == GroupUser) && trContiguous(bks) {
		return s.monthRollupCells(ctx, a, r, groupBy, ids, bks)
	}
	if r, ok := trProductRollups[metric]; ok && groupBy == TrendGroupProduct && trContiguous(bks) {
		if r.owned == nil || ids == nil {
			return s.monthRollupCells(ctx, a, r.all, groupBy, ids, bks)
		}
		return s.monthRollupCells(ctx, a, *r.owned, groupBy, ids, bks)
	}
	if r, ok := trRegionRollup(metric); ok && groupBy == TrendGroupRegion && trContiguous(bks) {
		return s.monthRollupCells(ctx, a, r, groupBy, ids, bks)
	}
	src, ok := trSourceOf(metric, groupBy)
	if !ok {
		return nil, fmt.Errorf("report.trends: no source for %s by %s", metric, groupBy)
	}
	bexpr, bargs := trBucketExpr(s.db, src.at, bks)
	grp, group := "''", "bkt"
	if src.grp != "" {
		grp, group = src.grp, "grp, bkt"
	}
	q := s.db.Conn(ctx).Table(src.table)
	if src.joins != "" {
		q = q.Joins(src.joins)
	}
	if src.where != "" {
		q = q.Where(src.where)
	}
	var out []trCell
	err := q.Where(src.at+" >= ? AND "+src.at+" < ?", bks[0].Start, bks[len(bks)-1].End).
		Scopes(trOwnedBy(a, src.owner, ids)).
		Select(grp+" AS grp, "+bexpr+" AS bkt, "+src.value+" AS n", bargs...).
		Group(group).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("report.trends %s: %w", metric, err)
	}
	return out, nil
}

// newCustomerCells counts the customers new in each bucket (created in
// it, or a lead converted into them in it) per group, and — as Bkt -1 —
// over the whole range, where a customer new in two buckets counts once,
// as /reports/performance counts it over that range. Without a DISTINCT
// over every event: a bucket's figure is its customers created in it
// (each once, an index-only count) plus those with a lead converted in it
// that were not created in it (few, a probe per converted lead); the
// range's likewise, with "created outside the range".
func (s *perfStore) newCustomerCells(ctx context.Context, a *authz.Actor, groupBy string, ids []string, bks []TrendBucket) ([]trCell, error) {
	grp, group := "''", "bkt"
	switch groupBy {
	case GroupUser:
		grp, group = "c.owner_id", "grp, bkt"
	case TrendGroupRegion:
		grp, group = "c.region", "grp, bkt"
	}
	start, end := bks[0].Start, bks[len(bks)-1].End
	conn := s.db.Conn(ctx)
	createdAt, cargs := trBucketExpr(s.db, "c.created_at", bks)
	var created, converted, outside []trCell
	var err error
	switch {
	case groupBy == TrendGroupRegion && trContiguous(bks):
		created, err = s.monthRollupCells(ctx, a, trCustomersCreatedByRegion, groupBy, ids, bks)
	case trContiguous(bks):
		created, err = s.monthRollupCells(ctx, a, trCustomersCreated, groupBy, ids, bks)
	default:
		err = conn.Table("customers AS c").Select(grp+" AS grp, "+createdAt+" AS bkt, COUNT(*) AS n", cargs...).
			Where("c.deleted_at IS NULL AND c.created_at >= ? AND c.created_at < ?", start, end).
			Scopes(trOwnedBy(a, "c.owner_id", ids)).Group(group).Scan(&created).Error
	}
	if err != nil {
		return nil, fmt.Errorf("report.trends new_customers: %w", err)
	}
	// The leads converted in the range with their live customer, driven by
	// the converted_at index and a probe per lead, then the scope (left to
	// itself PostgreSQL reads a team's every customer by the owner index).
	conv := conn.Table("leads AS l").Joins("JOIN customers c ON c.id = l.customer_id").
		Select("c.id AS cid, c.owner_id AS owner_id, c.region AS region, c.created_at AS created_at, l.converted_at AS converted_at").
		Where("c.deleted_at IS NULL AND l.converted_at >= ? AND l.converted_at < ?", start, end)
	if s.db.Dialect() == db.Postgres {
		conv = conn.Raw("? OFFSET 0", conv)
	}
	grp = strings.Replace(grp, "c.", "e.", 1)
	eCreated, ecargs := trBucketExpr(s.db, "e.created_at", bks)
	eConverted, elargs := trBucketExpr(s.db, "e.converted_at", bks)
	// One per customer and bucket however many of its leads were converted
	// in that bucket, unless it was created in that bucket too.
	same := append(append([]any{start, end}, ecargs...), elargs...)
	inBuckets := conn.Table("e").Select(grp+" AS grp, "+eConverted+" AS bkt, COUNT(DISTINCT e.cid) AS n", elargs...).
		Where("NOT (e.created_at >= ? AND e.created_at < ? AND "+eCreated+" = "+eConverted+")", same...).
		Scopes(trOwnedBy(a, "e.owner_id", ids)).Group(group)
	// Over the range (Bkt -1): those created outside it.
	overRange := conn.Table("e").Select(grp+" AS grp, -1 AS bkt, COUNT(DISTINCT e.cid) AS n").
		Where("e.created_at < ? OR e.created_at >= ?", start, end).
		Scopes(trOwnedBy(a, "e.owner_id", ids)).Group(group)
	// One statement reads the converted leads once for both (a year's
	// conversions are tens of thousands of probes).
	var conversions []trCell
	if err := conn.Raw("WITH e AS (?) ? UNION ALL ?", conv, inBuckets, overRange).Scan(&conversions).Error; err != nil {
		return nil, fmt.Errorf("report.trends new_customers: %w", err)
	}
	for _, c := range conversions {
		if c.Bkt < 0 {
			outside = append(outside, c)
		} else {
			converted = append(converted, c)
		}
	}
	// Every group gets its total (the caller takes Bkt -1 as the total
	// once any group has one).
	totals := map[string]int64{}
	var keys []string
	add := func(g string, n int64) {
		if _, ok := totals[g]; !ok {
			keys = append(keys, g)
		}
		totals[g] += n
	}
	for _, c := range created {
		add(c.Grp, c.N)
	}
	for _, c := range converted {
		add(c.Grp, 0)
	}
	for _, c := range outside {
		add(c.Grp, c.N)
	}
	out := append(created, converted...)
	for _, g := range keys {
		out = append(out, trCell{Grp: g, Bkt: -1, N: totals[g]})
	}
	return out, nil
}

// activityCells counts the activities done per group and bucket: the
// whole UTC days inside each bucket from rollup_activities_done (kept by
// triggers, see migration v0016), the partial days at the buckets' edges
// from activities, so a year reads ~365 rollup rows per owner and a
// couple of days of activities per bucket edge.
func (s *perfStore) activityCells(ctx context.Context, a *authz.Actor, groupBy string, ids []string, bks []TrendBucket) ([]trCell, error) {
	grp, group := "''", "bkt"
	if groupBy == GroupUser {
		grp, group = "owner_id", "grp, bkt"
	}
	var ladder strings.Builder
	var dargs []any
	var edges []Range
	first, last := "", ""
	ladder.WriteString("(CASE")
	for i, b := range bks {
		days, e := rollupDays(Range{Start: b.Start, End: b.End})
		edges = append(edges, e...)
		if !days.Start.Before(days.End) {
			continue
		}
		from, to := days.Start.Format(time.DateOnly), days.End.Format(time.DateOnly)
		fmt.Fprintf(&ladder, " WHEN day >= ? AND day < ? THEN %d", i)
		dargs = append(dargs, from, to)
		if first == "" {
			first = from
		}
		last = to
	}
	// Days outside every bucket's whole days (a bucket's edge days) are
	// cut out here and counted from activities below.
	ladder.WriteString(" ELSE -2 END)")
	conn := s.db.Conn(ctx)
	var out, cells []trCell
	if first != "" {
		if err := conn.Table("rollup_activities_done").Select(grp+" AS grp, "+ladder.String()+" AS bkt, SUM(n) AS n", dargs...).
			Where("day >= ? AND day < ?", first, last).
			Scopes(trOwnedBy(a, "owner_id", ids)).Group(group).Scan(&cells).Error; err != nil {
			return nil, fmt.Errorf("report.trends activities_count: %w", err)
		}
		for _, c := range cells {
			if c.Bkt >= 0 && c.N != 0 {
				out = append(out, c)
			}
		}
	}
	if len(edges) > 0 {
		bexpr, bargs := trBucketExpr(s.db, "done_at", bks)
		var or []string
		var eargs []any
		for _, e := range edges {
			or = append(or, "(done_at >= ? AND done_at < ?)")
			eargs = append(eargs, e.Start, e.End)
		}
		cells = nil
		// The edge rows first, by the done_at index, then the scope: left
		// to itself PostgreSQL intersects with the owner index, reading a
		// team's whole history of activities.
		edgeRows := conn.Table("activities").Select("owner_id, done_at").
			Where("status = 'done'").Where(strings.Join(or, " OR "), eargs...)
		if s.db.Dialect() == db.Postgres {
			edgeRows = conn.Raw("? OFFSET 0", edgeRows)
		}
		if err := conn.Table("(?) AS e", edgeRows).Select(grp+" AS grp, "+bexpr+" AS bkt, COUNT(*) AS n", bargs...).
			Scopes(trOwnedBy(a, "owner_id", ids)).Group(group).Scan(&cells).Error; err != nil {
			return nil, fmt.Errorf("report.trends activities_count: %w", err)
		}
		out = append(out, cells...)
	}
	return out, nil
}

// trContiguous reports whether each bucket starts where the previous ends.
func trContiguous(bks []TrendBucket) bool {
	for i := 1; i < len(bks); i++ {
		if !bks[i].Start.Equal(bks[i-1].End) {
			return false
		}
	}
	return true
}

// trNearestMonth is the UTC month start nearest t (the earlier on a tie).
func trNearestMonth(t time.Time) time.Time {
	t = t.UTC()
	m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	if next := m.AddDate(0, 1, 0); next.Sub(t) < t.Sub(m) {
		return next
	}
	return m
}

// trMonthRollup is a rollup per owner and UTC month of a metric's rows
// (migration v0017): the rollup table, the table it sums, the timestamp,
// the filter of rows that count, the amount summed ("" for a count).
// A rollup by region (v0023, keys region and owner_id) also has the
// joins its table reads the region through, that region's SQL, the
// owner column, and (daily) its rollup per UTC day, which gives the
// whole days between a bound and its month start.
type trMonthRollup struct {
	rollup, table, at, where, amount string
	joins, region, owner, daily      string
}

// trMonthRollups are the metrics read from a monthly rollup (amounts).
var trMonthRollups = map[string]trMonthRollup{
	"won_amount": {rollup: "rollup_won_monthly", table: "opportunities", at: "closed_at",
		where: "status = 'won' AND deleted_at IS NULL", amount: "amount"},
	"received_amount": {rollup: "rollup_received_monthly", table: "payments", at: "received_at",
		where: "status = 'received' AND voided_at IS NULL", amount: "amount"},
	"orders_count": {rollup: "rollup_orders_monthly", table: "orders", at: "approved_at", where: "approved_at IS NOT NULL"},
}

// trProductRollups are the metrics by product read from monthly rollups
// per product: won_amount from the won deals' product lines, per owner
// (migration v0026); orders_count from the approved orders' distinct
// products (v0027), one rollup without owner for everyone (ids nil) and one
// per owner for a team or a rep, the table slices likewise one row per
// order and product.
var trProductRollups = map[string]struct {
	all   trMonthRollup
	owned *trMonthRollup
}{
	"won_amount": {all: trMonthRollup{rollup: "rollup_won_products",
		table: "opportunity_products JOIN opportunities ON opportunities.id = opportunity_products.opportunity_id",
		at:    "closed_at", where: "status = 'won' AND deleted_at IS NULL", amount: "line_total"}},
	"orders_count": {all: trOrderProducts("rollup_order_products"), owned: ptr(trOrderProducts("rollup_order_products_owner"))},
}

// trOrderProducts reads orders_count by product from rollup.
func trOrderProducts(rollup string) trMonthRollup {
	return trMonthRollup{rollup: rollup, table: "(SELECT DISTINCT od.id, od.owner_id, od.approved_at, di.product_id " +
		"FROM orders od JOIN document_items di ON di.doc_type = 'order' AND di.doc_id = od.id AND di.product_id IS NOT NULL) AS op",
		at: "approved_at", where: "approved_at IS NOT NULL"}
}

func ptr[T any](v T) *T { return &v }

// trCustomersCreated is new_customers' created part (customers created in
// a bucket, each counted once).
var trCustomersCreated = trMonthRollup{rollup: "rollup_customers_monthly", table: "customers", at: "created_at",
	where: "deleted_at IS NULL"}

// trCustomersCreatedByRegion is that part by region.
var trCustomersCreatedByRegion = trMonthRollup{rollup: "rollup_region_customers", table: "customers AS c",
	at: "c.created_at", where: "c.deleted_at IS NULL", owner: "c.owner_id", region: "c.region"}

// trRegionRollup is metric's rollup by region, its slices read as the
// plain query reads the metric (trSourceOf).
func trRegionRollup(metric string) (trMonthRollup, bool) {
	r, ok := map[string]trMonthRollup{
		"won_amount":       {rollup: "rollup_region_won", amount: "o.amount"},
		"received_amount":  {rollup: "rollup_region_received", amount: "p.amount"},
		"orders_count":     {rollup: "rollup_region_orders"},
		"activities_count": {rollup: "rollup_region_activities"},
	}[metric]
	r.daily = r.rollup + "_daily"
	src, found := trSourceOf(metric, TrendGroupRegion)
	if !ok || !found {
		return r, false
	}
	r.table, r.joins, r.where, r.at, r.owner, r.region = src.table, src.joins, src.where, src.at, src.owner, src.grp
	return r, true
}

// monthRollupCells sums a metric per group and bucket (contiguous buckets)
// from its monthly rollup (see migrations v0017, v0023): bucket i is the
// UTC months from M(i) to M(i+1), M being the UTC month start nearest each
// bucket bound S, corrected at each bound by the deals closed between S
// and M (a few hours for months of a local zone, up to half a month at a
// range's ends), which the rollup counted in the bucket on the other
// side. Counts ride along so that only groups with deals appear, as with
// the plain query.
func (s *perfStore) monthRollupCells(ctx context.Context, a *authz.Actor, src trMonthRollup, groupBy string, ids []string, bks []TrendBucket) ([]trCell, error) {
	owner := src.owner
	if owner == "" {
		owner = "owner_id"
	}
	// grp is the group in the rollups, sgrp in the table's slices.
	grp, sgrp, group := "''", "''", "bkt"
	switch groupBy {
	case GroupUser:
		grp, sgrp, group = "owner_id", owner, "grp, bkt"
	case TrendGroupRegion:
		grp, sgrp, group = "region", src.region, "grp, bkt"
	case TrendGroupProduct:
		grp, sgrp, group = "product_id", "product_id", "grp, bkt"
	}
	bounds := make([]time.Time, 0, len(bks)+1)
	bounds = append(bounds, bks[0].Start)
	for _, b := range bks {
		bounds = append(bounds, b.End)
	}
	months := make([]time.Time, len(bounds))
	for j, t := range bounds {
		months[j] = trNearestMonth(t)
	}
	type cell struct {
		Grp    string
		Bkt    int
		Amount int64
		N      int64
	}
	sum := map[[2]any]*cell{}
	var order []*cell
	add := func(g string, b int, amount, n int64) {
		if b < 0 || b >= len(bks) {
			return
		}
		k := [2]any{g, b}
		c := sum[k]
		if c == nil {
			c = &cell{Grp: g, Bkt: b}
			sum[k] = c
			order = append(order, c)
		}
		c.Amount += amount
		c.N += n
	}
	conn := s.db.Conn(ctx)
	// Rollups without amounts (counts) have none to sum.
	ramount := "SUM(amount)"
	if src.amount == "" {
		ramount = "0"
	}
	var ladder strings.Builder
	var margs []any
	ladder.WriteString("(CASE")
	for i := range bks {
		if months[i].Equal(months[i+1]) {
			continue
		}
		fmt.Fprintf(&ladder, " WHEN month >= ? AND month < ? THEN %d", i)
		margs = append(margs, months[i].Format("2006-01"), months[i+1].Format("2006-01"))
	}
	ladder.WriteString(" ELSE -2 END)")
	if len(margs) > 0 {
		var rows []cell
		if err := conn.Table(src.rollup).
			Select(grp+" AS grp, "+ladder.String()+" AS bkt, "+ramount+" AS amount, SUM(n) AS n", margs...).
			Where("month >= ? AND month < ?", months[0].Format("2006-01"), months[len(months)-1].Format("2006-01")).
			Scopes(trOwnedBy(a, "owner_id", ids)).Group(group).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("report.trends %s: %w", src.rollup, err)
		}
		for _, r := range rows {
			add(r.Grp, r.Bkt, r.Amount, r.N)
		}
	}
	amount := "0"
	if src.amount != "" {
		amount = "SUM(" + src.amount + ")"
	}
	// The slices between each bound and its month start (j is the
	// bound's index): their whole UTC days from the daily rollup if there
	// is one, the rest from the table.
	var sl, dl strings.Builder
	var sargs, wargs, dargs, dwargs []any
	var or, dor []string
	sl.WriteString("(CASE")
	dl.WriteString("(CASE")
	for j, t := range bounds {
		lo, hi := t, months[j]
		if hi.Before(lo) {
			lo, hi = hi, lo
		}
		if lo.Equal(hi) {
			continue
		}
		rest := []Range{{Start: lo, End: hi}}
		if src.daily != "" {
			var days Range
			days, rest = rollupDays(Range{Start: lo, End: hi})
			if days.Start.Before(days.End) {
				from, to := days.Start.Format(time.DateOnly), days.End.Format(time.DateOnly)
				fmt.Fprintf(&dl, " WHEN day >= ? AND day < ? THEN %d", j)
				dargs = append(dargs, from, to)
				// Each piece by itself: the range's ends are a year apart.
				dor = append(dor, "(day >= ? AND day < ?)")
				dwargs = append(dwargs, from, to)
			}
		}
		for _, r := range rest {
			fmt.Fprintf(&sl, " WHEN %s >= ? AND %s < ? THEN %d", src.at, src.at, j)
			sargs = append(sargs, r.Start, r.End)
			or = append(or, "("+src.at+" >= ? AND "+src.at+" < ?)")
			wargs = append(wargs, r.Start, r.End)
		}
	}
	sl.WriteString(" ELSE -2 END)")
	dl.WriteString(" ELSE -2 END)")
	var slices []cell
	if len(dargs) > 0 {
		var rows []cell
		if err := conn.Table(src.daily).
			Select(grp+" AS grp, "+dl.String()+" AS bkt, "+ramount+" AS amount, SUM(n) AS n", dargs...).
			Where(strings.Join(dor, " OR "), dwargs...).
			Scopes(trOwnedBy(a, "owner_id", ids)).Group(group).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("report.trends %s: %w", src.daily, err)
		}
		slices = append(slices, rows...)
	}
	if len(or) > 0 {
		var rows []cell
		q := conn.Table(src.table)
		if src.joins != "" {
			q = q.Joins(src.joins)
		}
		if src.where != "" {
			q = q.Where(src.where)
		}
		if err := q.Select(sgrp+" AS grp, "+sl.String()+" AS bkt, "+amount+" AS amount, COUNT(*) AS n", sargs...).
			Where(strings.Join(or, " OR "), wargs...).
			Scopes(trOwnedBy(a, owner, ids)).Group(group).Scan(&rows).Error; err != nil {
			return nil, fmt.Errorf("report.trends %s: %w", src.rollup, err)
		}
		slices = append(slices, rows...)
	}
	for _, r := range slices {
		j := r.Bkt
		if j < 0 {
			continue
		}
		if bounds[j].Before(months[j]) {
			// [S, M) is bucket j's but was counted in bucket j-1.
			add(r.Grp, j, r.Amount, r.N)
			add(r.Grp, j-1, -r.Amount, -r.N)
		} else {
			// [M, S) is bucket j-1's but was counted in bucket j.
			add(r.Grp, j-1, r.Amount, r.N)
			add(r.Grp, j, -r.Amount, -r.N)
		}
	}
	var out []trCell
	for _, c := range order {
		switch {
		case c.N == 0:
		case src.amount == "":
			out = append(out, trCell{Grp: c.Grp, Bkt: c.Bkt, N: c.N})
		default:
			out = append(out, trCell{Grp: c.Grp, Bkt: c.Bkt, N: c.Amount})
		}
	}
	return out, nil
}

// trendProductNames maps product ids to their names (deleted ones included: a
// sale stays a sale).
func (s *perfStore) trendProductNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct{ ID, Name string }
	if err := s.db.Conn(ctx).Table("products").Select("id, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("report.trends products: %w", err)
	}
	for _, r := range rows {
		out[r.ID] = r.Name
	}
	return out, nil
}
