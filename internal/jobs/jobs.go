// Package jobs runs the scheduled sweeps (SLA reassignment, pool
// recycling…) on every server, with a Redis lock so one sweep of a kind
// runs at a time across the cluster, and lets an admin run one now through
// POST /admin/jobs/{name}/run.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/redisx"
	"github.com/opencrm/crm/internal/platform/secret"
)

func init() {
	authz.Grant("jobs:write", authz.RoleAdmin)
}

// Result is what a sweep reports.
type Result struct {
	// Processed counts the records the sweep changed.
	Processed int `json:"processed" example:"3"`
	// Details are sweep-specific counters ("reassigned", "to_pool"…).
	Details map[string]int `json:"details"`
}

// Func is one sweep. It runs as the system actor and must be safe to run
// again at any time (idempotent per record).
type Func func(ctx context.Context) (Result, error)

type job struct {
	name  string
	every time.Duration
	fn    Func
}

// Runner holds the registered jobs.
type Runner struct {
	redis *redisx.Client
	log   *slog.Logger
	mu    sync.Mutex
	jobs  map[string]job
}

// NewRunner builds a runner.
func NewRunner(r *redisx.Client, log *slog.Logger) *Runner {
	return &Runner{redis: r, log: log, jobs: map[string]job{}}
}

// Register adds a job that runs every interval (0: only on demand).
func (r *Runner) Register(name string, every time.Duration, fn Func) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs[name] = job{name: name, every: every, fn: fn}
}

// Names lists the registered jobs.
func (r *Runner) Names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.jobs))
	for n := range r.jobs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ErrBusy means the same job is running elsewhere right now.
var ErrBusy = errors.New("job is already running")

// lockTTL bounds how long a crashed server can hold a job's lock.
const lockTTL = 10 * time.Minute

// Run runs one job now under the cluster lock, as the system actor.
func (r *Runner) Run(ctx context.Context, name string) (Result, error) {
	r.mu.Lock()
	j, ok := r.jobs[name]
	r.mu.Unlock()
	if !ok {
		return Result{}, apperr.NotFound("job")
	}
	key := r.redis.Key("joblock", name)
	token := secret.Token(12)
	got, err := r.redis.SetNX(ctx, key, token, lockTTL).Result()
	if err != nil {
		return Result{}, fmt.Errorf("jobs.lock: %w", err)
	}
	if !got {
		return Result{}, apperr.Conflict("job_running", "job_running")
	}
	defer func() {
		// Release only our own lock (compare-and-delete).
		_ = r.redis.Eval(context.WithoutCancel(ctx),
			`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`,
			[]string{key}, token).Err()
	}()
	sys := authz.WithActor(ctx, System())
	res, err := j.fn(sys)
	if res.Details == nil {
		res.Details = map[string]int{}
	}
	return res, err
}

// System is the actor sweeps run as: admin data scope, recorded in the
// audit log as "system".
func System() *authz.Actor {
	return authz.System("scheduled job")
}

// Start runs every scheduled job on its interval until ctx ends. Each
// server runs the loop; the lock makes one of them do the work.
func (r *Runner) Start(ctx context.Context) {
	r.mu.Lock()
	list := make([]job, 0, len(r.jobs))
	for _, j := range r.jobs {
		if j.every > 0 {
			list = append(list, j)
		}
	}
	r.mu.Unlock()
	for _, j := range list {
		go func(j job) {
			t := time.NewTicker(j.every)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					res, err := r.Run(ctx, j.name)
					switch {
					case errors.Is(err, apperr.ErrConflict):
					case err != nil:
						r.log.Error("job failed", "job", j.name, "error", err.Error())
					case res.Processed > 0:
						r.log.Info("job done", "job", j.name, "processed", res.Processed, "details", res.Details)
					}
				}
			}
		}(j)
	}
}
