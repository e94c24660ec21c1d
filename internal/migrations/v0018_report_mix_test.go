package migrations

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/db/dbtest"
)

// The backfill groups the activities that existed before 0018 into
// rollup_activities_typed as the report's plain query would: done ones
// only, by UTC day (a local evening in Shanghai is the UTC day before
// midnight), owner and type, with the visits' check-ins, timed visits and
// whole seconds.
func TestV0018Backfill(t *testing.T) {
	open := map[string]func(t *testing.T) (string, string){
		"sqlite":   func(t *testing.T) (string, string) { return "", t.TempDir() },
		"postgres": func(t *testing.T) (string, string) { return dbtest.PostgresURL(t), "" },
	}
	for name, where := range open {
		t.Run(name, func(t *testing.T) {
			dsn, dir := where(t)
			ctx := context.Background()
			d, err := db.Open(ctx, dsn, dir, db.Options{MaxOpenConns: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			steps := All()
			upTo := func(id string) []*gormigrate.Migration {
				for i, s := range steps {
					if s.ID == id {
						return steps[:i+1]
					}
				}
				t.Fatalf("no migration %s", id)
				return nil
			}
			if err := d.Migrate(ctx, upTo("0016_scale")); err != nil {
				t.Fatal(err)
			}
			g := d.Gorm()
			at := func(s string) time.Time {
				v, err := time.Parse(time.RFC3339Nano, s)
				if err != nil {
					t.Fatal(err)
				}
				return v
			}
			type act struct {
				owner, typ, status string
				done, in, out      *time.Time
			}
			p := func(s string) *time.Time { v := at(s); return &v }
			acts := []act{
				{"u1", "call", "done", p("2026-11-01T15:59:59Z"), nil, nil},
				{"u1", "call", "done", p("2026-11-01T16:00:00Z"), nil, nil},
				{"u1", "visit", "done", p("2026-11-01T10:00:00Z"), p("2026-11-01T08:00:00.700Z"), p("2026-11-01T08:45:10.400Z")},
				{"u1", "visit", "done", p("2026-11-01T11:00:00Z"), p("2026-11-01T10:00:00.200Z"), nil},
				{"u1", "visit", "done", p("2026-11-01T12:00:00Z"), nil, nil},
				{"u2", "visit", "done", p("2026-11-01T12:00:00Z"), p("2026-11-01T11:00:00Z"), p("2026-11-01T11:30:00.999Z")},
				{"u2", "task", "done", p("2026-11-02T00:00:00Z"), nil, nil},
				{"u2", "meeting", "planned", nil, nil, nil},
				{"u2", "demo", "cancelled", nil, nil, nil},
				{"u1", "email", "done", p("2026-11-01T23:59:59.999Z"), nil, nil},
			}
			now := time.Now().UTC()
			for i, a := range acts {
				var lat *float64
				if a.in != nil {
					v := 31.23
					lat = &v
				}
				err := g.Exec(`INSERT INTO activities (id, type, subject, related_type, related_id, owner_id, status,
					start_at, done_at, check_in_at, check_in_lat, check_in_lng, check_out_at, created_at, updated_at, version)
					VALUES (?, ?, 's', 'customer', 'c', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
					fmt.Sprintf("00000000-0000-7000-8000-%012d", i), a.typ, a.owner, a.status, now, a.done, a.in, lat, lat,
					a.out, now, now).Error
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := d.Migrate(ctx, upTo("0018_report_mix")); err != nil {
				t.Fatal(err)
			}
			var rows []struct {
				Day, OwnerID                                  string
				Calls, Visits, Meetings, Demos, Emails, Tasks int64
				VisitsCheckedIn, VisitsTimed, VisitSeconds    int64
			}
			if err := g.Table("rollup_activities_typed").Order("day, owner_id").Scan(&rows).Error; err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprint(rows)
			// u1 on 1 November: calls at 15:59:59 and 16:00 (both UTC 1 Nov),
			// three visits (two checked in, one timed: 08:00:00 → 08:45:10 is
			// 2710 s), an email; u2: a timed visit of 1800 s, and a task the
			// next UTC day; planned and cancelled ones nowhere.
			want := "[{2026-11-01 u1 2 3 0 0 1 0 2 1 2710} {2026-11-01 u2 0 1 0 0 0 0 1 1 1800} {2026-11-02 u2 0 0 0 0 0 1 0 0 0}]"
			if got != want {
				t.Fatalf("rollup_activities_typed after the backfill\n got %s\nwant %s", got, want)
			}
		})
	}
}
