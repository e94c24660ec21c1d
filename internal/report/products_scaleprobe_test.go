//go:build scaleprobe

// A timing probe of the product, customer and activity reports' service
// calls on a large PostgreSQL database (read-only), outside make test:
//
//	REPB_PROBE_DSN='postgres://postgres@127.0.0.1:5432/crm_bench_scale?default_transaction_read_only=on' \
//	  go test -tags scaleprobe -run TestProductsScaleProbe -count=1 -v ./internal/report/
package report

import (
	"context"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/settings"
)

type prProbeDir struct{ d *db.DB }

func (p prProbeDir) AllTeams(ctx context.Context) ([]org.Team, error) {
	var ts []org.Team
	return ts, p.d.Conn(ctx).Order("name, id").Find(&ts).Error
}

type prProbeSettings struct{}

func (prProbeSettings) Current(context.Context) (settings.Values, error) {
	return settings.Values{Timezone: "Asia/Shanghai"}, nil
}

func TestProductsScaleProbe(t *testing.T) {
	dsn := os.Getenv("REPB_PROBE_DSN")
	if dsn == "" {
		t.Fatal("set REPB_PROBE_DSN")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, dsn, "", db.Options{MaxOpenConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	s := NewMixService(d, prProbeDir{d}, prProbeSettings{})
	var admin, mgr struct {
		ID     string
		TeamID *string
	}
	d.Conn(ctx).Table("users").Select("id, team_id").Where("role = ?", "admin").Take(&admin)
	d.Conn(ctx).Table("users").Select("id, team_id").Where("role = ?", "manager").Take(&mgr)
	teams, _ := prProbeDir{d}.AllTeams(ctx)
	actors := map[string]*authz.Actor{
		"admin":   {UserID: admin.ID, Role: authz.RoleAdmin},
		"manager": {UserID: mgr.ID, Role: authz.RoleManager, TeamID: *mgr.TeamID, TeamSubtree: org.Subtree(teams, *mgr.TeamID)},
	}
	for name, a := range actors {
		c := authz.WithActor(ctx, a)
		q := PerfQuery{Period: "2026"}
		for _, r := range []struct {
			n  string
			fn func() error
		}{
			{"products", func() error { _, err := s.Products(c, ProductsQuery{PerfQuery: q}); return err }},
			{"customers", func() error { _, err := s.Customers(c, CustomersQuery{PerfQuery: q}); return err }},
			{"activities", func() error { _, err := s.Activities(c, q); return err }},
			{"activities by team", func() error { q := q; q.GroupBy = "team"; _, err := s.Activities(c, q); return err }},
		} {
			var ds []time.Duration
			for i := 0; i < 7; i++ {
				st := time.Now()
				if err := r.fn(); err != nil {
					t.Fatal(r.n, err)
				}
				ds = append(ds, time.Since(st))
			}
			sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
			t.Logf("%-8s %-20s min %6.1fms p50 %6.1fms max %6.1fms", name, r.n, prMillis(ds[0]), prMillis(ds[3]), prMillis(ds[6]))
		}
	}
}

func prMillis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
