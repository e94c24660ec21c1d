package report

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/team"
	"gorm.io/gorm"
)

// perfStore reads the figures of the performance reports.
type perfStore struct{ db *db.DB }

// reportUser is a user a report covers.
type reportUser struct {
	ID     string
	Name   string
	TeamID *string
}

// users lists the users in a's data scope, by name.
func (s *perfStore) users(ctx context.Context, a *authz.Actor) ([]reportUser, error) {
	var out []reportUser
	err := s.db.Conn(ctx).Table("users").Select("users.id, users.name, users.team_id").
		Scopes(authz.Scope(a, "users.id")).Order("users.name, users.id").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("report.users: %w", err)
	}
	return out, nil
}

// maxOwnerList is the longest user list the figures queries name in SQL.
const maxOwnerList = 50

// metricQuery is one grouped query adding to one metric per owner.
type metricQuery struct {
	name string
	q    func(*gorm.DB) *gorm.DB
	set  func(*Figures, int64)
}

// figures computes the five metrics per owner over rng for the given
// users, one grouped query per metric; each query is also limited by the
// caller's data scope on its owner column. Definitions are those of the
// OpenAPI description of GET /reports/performance.
func (s *perfStore) figures(ctx context.Context, a *authz.Actor, ids []string, rng Range) (map[string]Figures, error) {
	out := make(map[string]Figures, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	type row struct {
		UserID string
		N      int64
	}
	queries := []metricQuery{
		{"won_amount", func(q *gorm.DB) *gorm.DB {
			return q.Table("opportunities").Select("owner_id AS user_id, SUM(amount) AS n").
				Where("status = ? AND deleted_at IS NULL AND closed_at >= ? AND closed_at < ?", "won", rng.Start, rng.End).
				Scopes(authz.Scope(a, "opportunities.owner_id"))
		}, func(f *Figures, n int64) { f.WonAmount = n }},
		{"received_amount", func(q *gorm.DB) *gorm.DB {
			return q.Table("payments").Select("owner_id AS user_id, SUM(amount) AS n").
				Where("status = ? AND voided_at IS NULL AND received_at >= ? AND received_at < ?", "received", rng.Start, rng.End).
				Scopes(authz.Scope(a, "payments.owner_id"))
		}, func(f *Figures, n int64) { f.ReceivedAmount = n }},
		{"orders_count", func(q *gorm.DB) *gorm.DB {
			return q.Table("orders").Select("owner_id AS user_id, COUNT(*) AS n").
				Where("approved_at >= ? AND approved_at < ?", rng.Start, rng.End).
				Scopes(authz.Scope(a, "orders.owner_id"))
		}, func(f *Figures, n int64) { f.OrdersCount = n }},
		// new_customers in two disjoint parts (an OR with EXISTS probed
		// leads once per customer): those created in the period, and those
		// created outside it but converted from a lead in it.
		{"new_customers", func(q *gorm.DB) *gorm.DB {
			return q.Table("customers").Select("owner_id AS user_id, COUNT(*) AS n").
				Where("deleted_at IS NULL AND created_at >= ? AND created_at < ?", rng.Start, rng.End).
				Scopes(authz.Scope(a, "customers.owner_id"))
		}, func(f *Figures, n int64) { f.NewCustomers += n }},
		{"new_customers", func(q *gorm.DB) *gorm.DB {
			return q.Table("customers").Select("owner_id AS user_id, COUNT(*) AS n").
				Where("deleted_at IS NULL AND (created_at < ? OR created_at >= ?)", rng.Start, rng.End).
				Where("id IN (SELECT customer_id FROM leads WHERE converted_at >= ? AND converted_at < ?)", rng.Start, rng.End).
				Scopes(authz.Scope(a, "customers.owner_id"))
		}, func(f *Figures, n int64) { f.NewCustomers += n }},
	}
	// activities_count: the whole UTC days inside the range from the
	// rollup, the partial days at its edges from activities.
	days, edges := rollupDays(rng)
	for _, e := range edges {
		queries = append(queries, metricQuery{"activities_count", func(q *gorm.DB) *gorm.DB {
			return q.Table("activities").Select("owner_id AS user_id, COUNT(*) AS n").
				Where("status = ? AND done_at >= ? AND done_at < ?", "done", e.Start, e.End).
				Scopes(authz.Scope(a, "activities.owner_id"))
		}, func(f *Figures, n int64) { f.ActivitiesCount += n }})
	}
	if days.Start.Before(days.End) {
		queries = append(queries, metricQuery{"activities_count", func(q *gorm.DB) *gorm.DB {
			return q.Table("rollup_activities_done").Select("owner_id AS user_id, SUM(n) AS n").
				Where("day >= ? AND day < ?", days.Start.Format(time.DateOnly), days.End.Format(time.DateOnly)).
				Scopes(authz.Scope(a, "rollup_activities_done.owner_id"))
		}, func(f *Figures, n int64) { f.ActivitiesCount += n }})
	}
	// A short list of users narrows the queries; a long one (an admin's
	// whole organisation) would cost a comparison per id per row in SQL,
	// so the rows in scope are fetched and kept here by id instead.
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	// The queries are independent: outside a transaction they run side by
	// side on their own connections, so a report waits for the slowest
	// rather than for their sum.
	results := make([][]row, len(queries))
	reads := make([]func() error, len(queries))
	for i := range queries {
		reads[i] = func() error {
			q := queries[i].q(s.db.Conn(ctx))
			if len(ids) <= maxOwnerList {
				q = q.Where("owner_id IN ?", ids)
			}
			if err := q.Group("owner_id").Scan(&results[i]).Error; err != nil {
				return fmt.Errorf("report.%s: %w", queries[i].name, err)
			}
			return nil
		}
	}
	if err := sideBySide(ctx, reads...); err != nil {
		return nil, err
	}
	for i, m := range queries {
		for _, r := range results[i] {
			if !want[r.UserID] {
				continue
			}
			f := out[r.UserID]
			m.set(&f, r.N)
			out[r.UserID] = f
		}
	}
	return out, nil
}

// rollupDays splits rng into the whole UTC days inside it (days, empty
// when there are none) and the partial days before and after them.
func rollupDays(rng Range) (days Range, edges []Range) {
	const day = 24 * time.Hour
	first := rng.Start.UTC().Truncate(day)
	if first.Before(rng.Start) {
		first = first.Add(day)
	}
	last := rng.End.UTC().Truncate(day)
	if !first.Before(last) {
		return Range{}, []Range{rng}
	}
	if rng.Start.Before(first) {
		edges = append(edges, Range{Start: rng.Start, End: first})
	}
	if last.Before(rng.End) {
		edges = append(edges, Range{Start: last, End: rng.End})
	}
	return Range{Start: first, End: last}, edges
}

// targets reads the targets of subjects for a period: subject → metric →
// value.
func (s *perfStore) targets(ctx context.Context, subjectType string, ids []string, period string) (map[string]map[string]int64, error) {
	out := map[string]map[string]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []team.Target
	err := s.db.Conn(ctx).Where("subject_type = ? AND subject_id IN ? AND period = ?", subjectType, ids, period).
		Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("report.targets: %w", err)
	}
	for _, t := range rows {
		if out[t.SubjectID] == nil {
			out[t.SubjectID] = map[string]int64{}
		}
		out[t.SubjectID][t.Metric] = t.Value
	}
	return out, nil
}

// planSubject is a user or team a commission plan applies to.
type planSubject struct {
	PlanID      string
	SubjectType string
	SubjectID   string
}

// plans reads the active commission plans in effect on any day from first
// to last (local dates) and their subjects by plan.
func (s *perfStore) plans(ctx context.Context, first, last string) ([]team.Plan, map[string][]planSubject, error) {
	var plans []team.Plan
	err := s.db.Conn(ctx).Where("active = ? AND effective_from <= ? AND (effective_to IS NULL OR effective_to >= ?)",
		true, last, first).Order("name, id").Find(&plans).Error
	if err != nil {
		return nil, nil, fmt.Errorf("report.plans: %w", err)
	}
	subj := map[string][]planSubject{}
	if len(plans) == 0 {
		return plans, subj, nil
	}
	ids := make([]string, len(plans))
	for i, p := range plans {
		ids[i] = p.ID
	}
	var rows []planSubject
	if err := s.db.Conn(ctx).Table("commission_plan_subjects").Where("plan_id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, nil, fmt.Errorf("report.plan_subjects: %w", err)
	}
	for _, r := range rows {
		subj[r.PlanID] = append(subj[r.PlanID], r)
	}
	return plans, subj, nil
}

// sideBySide runs independent reads of one report. Outside a transaction
// each takes its own pooled connection and they run at once, so the report
// waits for the slowest rather than for their sum; inside one (a single
// connection) they run one after another.
func sideBySide(ctx context.Context, reads ...func() error) error {
	errs := make([]error, len(reads))
	if db.InTx(ctx) {
		for i, read := range reads {
			errs[i] = read()
		}
	} else {
		var wg sync.WaitGroup
		for i, read := range reads {
			wg.Go(func() { errs[i] = read() })
		}
		wg.Wait()
	}
	return errors.Join(errs...)
}
