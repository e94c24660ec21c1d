package report

import (
	"context"
	"fmt"

	"github.com/opencrm/crm/internal/activity"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
)

// visitSeconds is the whole seconds from check-in to check-out (each cut
// to the second, as time.Time.Unix does), in either dialect.
func (s mixStore) visitSeconds() string {
	if s.db.Dialect() == db.Postgres {
		return "CAST(FLOOR(EXTRACT(EPOCH FROM check_out_at)) - FLOOR(EXTRACT(EPOCH FROM check_in_at)) AS BIGINT)"
	}
	return "(CAST(strftime('%s', check_out_at) AS INTEGER) - CAST(strftime('%s', check_in_at) AS INTEGER))"
}

// activityCounts groups the activities done in rng by owner (ids, within
// a's scope) and type.
func (s mixStore) activityCounts(ctx context.Context, a *authz.Actor, ids []string, rng Range) (map[string]ActivityCounts, error) {
	out := map[string]ActivityCounts{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		UserID    string
		Type      string
		N         int64
		CheckedIn int64
		Timed     int64
		Seconds   int64
	}
	timed := "check_in_at IS NOT NULL AND check_out_at IS NOT NULL"
	err := s.db.Conn(ctx).Table("activities").
		Select("owner_id AS user_id, type, COUNT(*) AS n, "+
			"COALESCE(SUM(CASE WHEN check_in_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS checked_in, "+
			"COALESCE(SUM(CASE WHEN "+timed+" THEN 1 ELSE 0 END), 0) AS timed, "+
			"COALESCE(SUM(CASE WHEN "+timed+" THEN "+s.visitSeconds()+" ELSE 0 END), 0) AS seconds").
		Where("status = ? AND done_at >= ? AND done_at < ?", activity.StatusDone, rng.Start, rng.End).
		Where("owner_id IN ?", ids).Scopes(authz.Scope(a, "activities.owner_id")).
		Group("owner_id, type").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("report.activity_counts: %w", err)
	}
	for _, r := range rows {
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
