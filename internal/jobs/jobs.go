// Package jobs runs the scheduled sweeps (SLA reassignment, pool
// recycling, stage overdue, reminder dispatch…) on the Redis queue's
// scheduler, once per period for the whole cluster, with a Redis lock so
// one sweep of a kind runs at a time, and lets an admin run one now
// through POST /admin/jobs/{name}/run.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/queue"
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
	queue *queue.Queue
	log   *slog.Logger
	mu    sync.Mutex
	jobs  map[string]job
}

// NewRunner builds a runner whose schedule runs on q.
func NewRunner(r *redisx.Client, q *queue.Queue, log *slog.Logger) *Runner {
	rn := &Runner{redis: r, queue: q, log: log, jobs: map[string]job{}}
	q.Handle(taskRun, rn.handle)
	return rn
}

// Register adds a job that runs every interval (0: only on demand). The
// queue's periodic enqueuer puts one run per interval on the queue for the
// whole cluster; call while wiring, before the scheduler starts.
func (r *Runner) Register(name string, every time.Duration, fn Func) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs[name] = job{name: name, every: every, fn: fn}
	if every > 0 {
		r.queue.Every(queue.Periodic{Name: name, Every: every, Task: taskRun})
	}
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

// taskRun is the queue task that runs one period of a scheduled job.
const taskRun = "job:run"

type runPayload struct {
	Name string    `json:"name"`
	Slot time.Time `json:"slot"`
}

type slotKey struct{}

// Slot is the start of the period a scheduled run was enqueued for; false
// for runs started by hand.
func Slot(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(slotKey{}).(time.Time)
	return t, ok
}

// handle runs a job's period from the queue. A run already in progress
// (by hand or a slow previous period) makes this period a no-op.
func (r *Runner) handle(ctx context.Context, b []byte) error {
	var p runPayload
	if err := json.Unmarshal(b, &p); err != nil || p.Name == "" {
		return fmt.Errorf("jobs: bad task payload: %w", queue.SkipRetry)
	}
	res, err := r.Run(context.WithValue(ctx, slotKey{}, p.Slot), p.Name)
	switch {
	case errors.Is(err, apperr.ErrConflict):
		return nil
	case errors.Is(err, apperr.ErrNotFound):
		return fmt.Errorf("jobs: unknown job %q: %w", p.Name, queue.SkipRetry)
	case err != nil:
		r.log.Error("job failed", "job", p.Name, "error", err.Error())
		return err
	case res.Processed > 0:
		r.log.Info("job done", "job", p.Name, "processed", res.Processed, "details", res.Details)
	}
	return nil
}
