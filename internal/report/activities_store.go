package report

import (
	"context"
	"fmt"
	"time"

	"github.com/opencrm/crm/internal/activity"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"gorm.io/gorm"
)

// visitSeconds is the whole seconds from check-in to check-out (each cut
// to the second, as time.Time.Unix does), in either dialect.
func (s mixStore) visitSeconds() string {
	if s.db.Dialect() == db.Postgres {
		return "CAST(FLOOR(EXTRACT(EPOCH FROM check_out_at)) - FLOOR(EXTRACT(EPOCH FROM check_in_at)) AS BIGINT)"
	}
	return "(" + db.SQLiteUnixSeconds("check_out_at") + " - " + db.SQLiteUnixSeconds("check_in_at") + ")"
}

// activityRow is the done activities of one owner and type.
type activityRow struct {
	UserID    string
	Type      string
	N         int64
	CheckedIn int64
	Timed     int64
	Seconds   int64
}

// activityCounts groups the activities done in rng by owner (ids, within
// a's scope) and type: the whole UTC days inside rng from
// rollup_activities_typed, the partial days at its edges from activities.
func (s mixStore) activityCounts(ctx context.Context, a *authz.Actor, ids []string, rng Range) (map[string]ActivityCounts, error) {
	out := map[string]ActivityCounts{}
	if len(ids) == 0 {
		return out, nil
	}
	// A short list of owners narrows the queries; a long one (an admin's
	// whole organisation) would cost a comparison per id per row, and the
	// caller reads only the owners it listed anyway.
	owners := func(q *gorm.DB, col string) *gorm.DB {
		if len(ids) <= maxOwnerList {
			q = q.Where(col+" IN ?", ids)
		}
		return q.Scopes(authz.Scope(a, col))
	}
	var rows []activityRow
	days, edges := rollupDays(rng)
	timed := "check_in_at IS NOT NULL AND check_out_at IS NOT NULL"
	for _, e := range edges {
		var part []activityRow
		err := s.db.Conn(ctx).Table("activities").
			Select("owner_id AS user_id, type, COUNT(*) AS n, "+
				"COALESCE(SUM(CASE WHEN check_in_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS checked_in, "+
				"COALESCE(SUM(CASE WHEN "+timed+" THEN 1 ELSE 0 END), 0) AS timed, "+
				"COALESCE(SUM(CASE WHEN "+timed+" THEN "+s.visitSeconds()+" ELSE 0 END), 0) AS seconds").
			Where("status = ? AND done_at >= ? AND done_at < ?", activity.StatusDone, e.Start, e.End).
			Scopes(func(q *gorm.DB) *gorm.DB { return owners(q, "activities.owner_id") }).
			Group("owner_id, type").Scan(&part).Error
		if err != nil {
			return nil, fmt.Errorf("report.activity_counts: %w", err)
		}
		rows = append(rows, part...)
	}
	if days.Start.Before(days.End) {
		typed, err := s.activityRollup(ctx, days, func(q *gorm.DB) *gorm.DB { return owners(q, "rollup_activities_typed.owner_id") })
		if err != nil {
			return nil, err
		}
		rows = append(rows, typed...)
	}
	for _, r := range rows {
		if r.N == 0 {
			continue // a rollup key emptied by later writes
		}
		c := out[r.UserID]
		if c.ByType == nil {
			c.ByType = map[string]int64{}
		}
		c.ByType[r.Type] += r.N
		c.Total += r.N
		if r.Type == "visit" {
			c.VisitsCheckedIn += r.CheckedIn
			c.VisitsTimed += r.Timed
			c.VisitSeconds += r.Seconds
		}
		out[r.UserID] = c
	}
	return out, nil
}

// activityRollup reads rollup_activities_typed (migration v0018: a
// column per activity type) over whole UTC days, one row per owner and
// type as the plain query groups them.
func (s mixStore) activityRollup(ctx context.Context, days Range, scope func(*gorm.DB) *gorm.DB) ([]activityRow, error) {
	var rows []struct {
		UserID                                    string
		Calls, Visits, Meetings, Demos, Emails    int64
		Tasks, VisitsCheckedIn, VisitsTimed, Secs int64
	}
	err := s.db.Conn(ctx).Table("rollup_activities_typed").
		Select("owner_id AS user_id, SUM(calls) AS calls, SUM(visits) AS visits, SUM(meetings) AS meetings, "+
			"SUM(demos) AS demos, SUM(emails) AS emails, SUM(tasks) AS tasks, SUM(visits_checked_in) AS visits_checked_in, "+
			"SUM(visits_timed) AS visits_timed, SUM(visit_seconds) AS secs").
		Where("day >= ? AND day < ?", days.Start.Format(time.DateOnly), days.End.Format(time.DateOnly)).
		Scopes(scope).Group("owner_id").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("report.activity_rollup: %w", err)
	}
	var out []activityRow
	for _, r := range rows {
		out = append(out,
			activityRow{UserID: r.UserID, Type: "call", N: r.Calls},
			activityRow{UserID: r.UserID, Type: "visit", N: r.Visits, CheckedIn: r.VisitsCheckedIn, Timed: r.VisitsTimed,
				Seconds: r.Secs},
			activityRow{UserID: r.UserID, Type: "meeting", N: r.Meetings},
			activityRow{UserID: r.UserID, Type: "demo", N: r.Demos},
			activityRow{UserID: r.UserID, Type: "email", N: r.Emails},
			activityRow{UserID: r.UserID, Type: "task", N: r.Tasks})
	}
	return out, nil
}
