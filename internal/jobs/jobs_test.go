package jobs_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/jobs"
	"github.com/opencrm/crm/internal/platform/authz"
)

func TestMain(m *testing.M) { apptest.Main(m) }

func TestRunJobNow(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		var runs atomic.Int32
		var sawSystem atomic.Bool
		release := make(chan struct{})
		env.App.Jobs.Register("test-sweep", 0, func(ctx context.Context) (jobs.Result, error) {
			runs.Add(1)
			sawSystem.Store(authz.ActorFrom(ctx).SeesAll())
			<-release
			return jobs.Result{Processed: 2, Details: map[string]int{"moved": 2}}, nil
		})
		rep := env.User("rep", "")
		rep.Post("/admin/jobs/test-sweep/run", nil).Status(http.StatusForbidden).Problem()
		env.Admin.Post("/admin/jobs/no-such-job/run", nil).Status(http.StatusNotFound).Problem()

		// While one run holds the cluster lock, a second is refused.
		done := make(chan map[string]any)
		go func() {
			done <- env.Admin.Post("/admin/jobs/test-sweep/run", nil).Status(http.StatusOK).Map()
		}()
		if !apptest.Eventually(t, 5*time.Second, func() bool { return runs.Load() == 1 }) {
			t.Fatal("job did not start")
		}
		p := env.Admin.Post("/admin/jobs/test-sweep/run", nil).Status(http.StatusConflict).Problem()
		if p.Code != "job_running" {
			t.Fatalf("code = %s", p.Code)
		}
		close(release)
		res := <-done
		if res["job"] != "test-sweep" || res["processed"] != float64(2) || !sawSystem.Load() {
			t.Fatalf("result = %v, system actor = %v", res, sawSystem.Load())
		}
		// The lock is released after the run.
		env.Admin.Post("/admin/jobs/test-sweep/run", nil).Status(http.StatusOK)
		if runs.Load() != 2 {
			t.Fatalf("runs = %d", runs.Load())
		}
	})
}

// Two servers each run the scheduler and a worker; every period of a
// scheduled sweep runs exactly once between them.
func TestScheduledJobsRunOncePerPeriodOnTwoServers(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		other := env.SecondServer()
		var mu sync.Mutex
		runs := map[time.Time]int{}
		tick := func(ctx context.Context) (jobs.Result, error) {
			slot, ok := jobs.Slot(ctx)
			if !ok {
				t.Error("scheduled run without its period")
			}
			mu.Lock()
			runs[slot]++
			mu.Unlock()
			return jobs.Result{}, nil
		}
		env.App.Jobs.Register("tick", time.Second, tick)
		other.Jobs.Register("tick", time.Second, tick)
		env.StartWorker(nil)
		env.StartWorker(other)
		if !apptest.Eventually(t, 15*time.Second, func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(runs) >= 4
		}) {
			t.Fatalf("periods run: %v", runs)
		}
		mu.Lock()
		defer mu.Unlock()
		for slot, n := range runs {
			if n != 1 {
				t.Errorf("period %s ran %d times", slot.Format(time.RFC3339), n)
			}
		}
	})
}
