// Package queue runs background work on Redis with hibiken/asynq: tasks
// enqueued for a time (reminders), and periodic sweeps enqueued once per
// period for the whole cluster.
//
// Every server may run the periodic enqueuer; each period's task carries a
// TaskID made of the job name and the period's start, kept (Retention) for
// a period after it ran, so the second server's enqueue for the same period
// is refused by Redis and the sweep runs once per period however many
// servers run. asynq's own Scheduler is not used because each instance of it
// enqueues on its own, which would run a sweep once per server.
//
// Heavy task types (imports) run in a lane: a queue of their own that every
// worker process serves with a separate asynq server of fixed concurrency.
// asynq's queue weights only order dequeues within one server's workers,
// they cap nothing, so a lane is how "at most n of these per process" is
// kept without the tasks taking every worker from reminders and sweeps.
package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/opencrm/crm/internal/platform/redisx"
)

// Options tune the worker.
type Options struct {
	// Concurrency is how many tasks one worker runs at once.
	Concurrency int
	// PollInterval is how often scheduled tasks are checked for being due
	// and empty queues polled: the lateness bound of a reminder.
	PollInterval time.Duration
}

// Handler processes one task's payload. Returning an error retries the task
// with backoff; wrap SkipRetry to drop it.
type Handler func(ctx context.Context, payload []byte) error

// SkipRetry marks an error that retrying cannot fix.
var SkipRetry = asynq.SkipRetry

// Periodic is a sweep enqueued once per period.
type Periodic struct {
	Name  string
	Every time.Duration
	// Task is the task type enqueued with payload {"name","slot"}.
	Task string
}

// Queue is one named queue on Redis: a client for enqueueing, handlers, and
// the worker and periodic enqueuer when started.
type Queue struct {
	name   string
	redis  *redisx.Client
	client *asynq.Client
	log    *slog.Logger
	opts   Options

	mu       sync.Mutex
	mux      *asynq.ServeMux
	periodic []Periodic
	lanes    map[string]int // lane name → workers per process
}

// New builds the queue on r. Its name is the Redis key prefix, so every
// deployment (and every test) sharing a Redis server has its own queue.
func New(r *redisx.Client, log *slog.Logger, o Options) *Queue {
	if o.Concurrency <= 0 {
		o.Concurrency = 4
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	name := strings.TrimSuffix(r.Prefix(), ":")
	if name == "" {
		name = "crm"
	}
	return &Queue{name: name, redis: r, client: asynq.NewClientFromRedisClient(r.UniversalClient), log: log,
		opts: o, mux: asynq.NewServeMux(), lanes: map[string]int{}}
}

// Name is the asynq queue name.
func (q *Queue) Name() string { return q.name }

// Handle registers the handler of a task type. Call while wiring.
func (q *Queue) Handle(taskType string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.mux.HandleFunc(taskType, func(ctx context.Context, t *asynq.Task) error { return h(ctx, t.Payload()) })
}

// Lane declares a lane that every worker process serves with concurrency
// workers of its own; tasks enqueued with EnqueueOptions.Lane set to name
// run there. Call while wiring.
func (q *Queue) Lane(name string, concurrency int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.lanes[name] = max(concurrency, 1)
}

// laneQueue is the asynq queue name of a lane.
func (q *Queue) laneQueue(lane string) string { return q.name + ":" + lane }

// EnqueueOptions place one task.
type EnqueueOptions struct {
	// Lane is the declared lane the task runs in; empty for the main queue.
	Lane string
	// ID makes the enqueue idempotent: a task with the same ID still queued
	// or retained is not enqueued again.
	ID string
	// At is when it becomes due; zero means now.
	At time.Time
	// Retention keeps the finished task (and so its ID) this long.
	Retention time.Duration
	// MaxRetry bounds retries (asynq's default is 25).
	MaxRetry *int
	// Timeout bounds one run: its context is cancelled then and the run
	// counts as failed (asynq's default is 30 minutes).
	Timeout time.Duration
}

// ErrDuplicate means a task with the same ID is already queued or retained.
var ErrDuplicate = errors.New("queue: task already enqueued")

// Enqueue adds a task.
func (q *Queue) Enqueue(ctx context.Context, taskType string, payload []byte, o EnqueueOptions) error {
	qname := q.name
	if o.Lane != "" {
		q.mu.Lock()
		_, ok := q.lanes[o.Lane]
		q.mu.Unlock()
		if !ok {
			// No worker would ever serve it.
			return fmt.Errorf("queue.enqueue %s: undeclared lane %q", taskType, o.Lane)
		}
		qname = q.laneQueue(o.Lane)
	}
	opts := []asynq.Option{asynq.Queue(qname)}
	if o.ID != "" {
		opts = append(opts, asynq.TaskID(o.ID))
	}
	if !o.At.IsZero() {
		opts = append(opts, asynq.ProcessAt(o.At))
	}
	if o.Retention > 0 {
		opts = append(opts, asynq.Retention(o.Retention))
	}
	if o.MaxRetry != nil {
		opts = append(opts, asynq.MaxRetry(*o.MaxRetry))
	}
	if o.Timeout > 0 {
		opts = append(opts, asynq.Timeout(o.Timeout))
	}
	_, err := q.client.EnqueueContext(ctx, asynq.NewTask(taskType, payload), opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return ErrDuplicate
	}
	if err != nil {
		return fmt.Errorf("queue.enqueue %s: %w", taskType, err)
	}
	return nil
}

// Every registers a periodic task. Call while wiring.
func (q *Queue) Every(p Periodic) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.periodic = append(q.periodic, p)
}

// Slot is the start of the period a time falls in.
func Slot(t time.Time, every time.Duration) time.Time { return t.UTC().Truncate(every) }

// EnqueuePeriod enqueues the periodic task of the period starting at slot;
// ErrDuplicate when another server already did.
func (q *Queue) EnqueuePeriod(ctx context.Context, p Periodic, slot time.Time) error {
	payload := fmt.Sprintf(`{"name":%q,"slot":%q}`, p.Name, slot.UTC().Format(time.RFC3339Nano))
	none := 0
	return q.Enqueue(ctx, p.Task, []byte(payload), EnqueueOptions{
		ID:        "periodic:" + p.Name + ":" + slot.UTC().Format(time.RFC3339Nano),
		Retention: max(p.Every, time.Minute) + time.Minute,
		MaxRetry:  &none, // the next period runs it again
	})
}

// RunScheduler enqueues each periodic task at every period boundary until
// ctx ends. Every server may run it: the period's TaskID lets one through.
func (q *Queue) RunScheduler(ctx context.Context) {
	q.mu.Lock()
	list := append([]Periodic(nil), q.periodic...)
	q.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range list {
		if p.Every <= 0 {
			continue
		}
		wg.Add(1)
		go func(p Periodic) {
			defer wg.Done()
			for {
				next := Slot(time.Now(), p.Every).Add(p.Every)
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Until(next)):
				}
				err := q.EnqueuePeriod(ctx, p, next)
				if err != nil && !errors.Is(err, ErrDuplicate) && ctx.Err() == nil {
					q.log.Warn("periodic enqueue failed", "job", p.Name, "error", err.Error())
				}
			}
		}(p)
	}
	wg.Wait()
}

// RunWorker processes tasks of the main queue and of every lane until ctx
// ends, then lets running tasks finish (up to 8 s; unfinished ones go back
// to the queue for another worker).
func (q *Queue) RunWorker(ctx context.Context) error {
	q.mu.Lock()
	mux := q.mux
	servers := []*asynq.Server{q.server(ctx, q.name, q.opts.Concurrency)}
	for lane, n := range q.lanes {
		servers = append(servers, q.server(ctx, q.laneQueue(lane), n))
	}
	q.mu.Unlock()
	for i, srv := range servers {
		if err := srv.Start(mux); err != nil {
			shutdown(servers[:i])
			return fmt.Errorf("queue.worker: %w", err)
		}
	}
	<-ctx.Done()
	shutdown(servers)
	return nil
}

// shutdown stops the servers together, so their grace periods overlap.
func shutdown(servers []*asynq.Server) {
	var wg sync.WaitGroup
	for _, srv := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv.Shutdown()
		}()
	}
	wg.Wait()
}

// server is an asynq server working one queue with n workers.
func (q *Queue) server(ctx context.Context, qname string, n int) *asynq.Server {
	return asynq.NewServerFromRedisClient(q.redis.UniversalClient, asynq.Config{
		Concurrency:              n,
		Queues:                   map[string]int{qname: 1},
		TaskCheckInterval:        q.opts.PollInterval,
		DelayedTaskCheckInterval: q.opts.PollInterval,
		Logger:                   slogAdapter{q.log},
		LogLevel:                 asynq.WarnLevel,
		ShutdownTimeout:          8 * time.Second,
		ErrorHandler: asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
			q.log.Error("task failed", "type", t.Type(), "error", err.Error())
		}),
		BaseContext: func() context.Context { return context.WithoutCancel(ctx) },
	})
}

// Purge deletes the keys of this queue and its lanes (tests and teardown
// only).
func (q *Queue) Purge(ctx context.Context) error {
	q.mu.Lock()
	names := []string{q.name}
	for lane := range q.lanes {
		names = append(names, q.laneQueue(lane))
	}
	q.mu.Unlock()
	for _, name := range names {
		if err := q.purge(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (q *Queue) purge(ctx context.Context, name string) error {
	c := q.redis.UniversalClient
	iter := c.Scan(ctx, 0, "asynq:{"+globEscape(name)+"}*", 500).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return err
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		if err := c.Del(ctx, keys[:n]...).Err(); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return c.SRem(ctx, "asynq:queues", name).Err()
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

// Close releases the client.
func (q *Queue) Close() error { return q.client.Close() }

// slogAdapter sends asynq's own logging to slog.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...), "component", "queue") }
func (a slogAdapter) Info(args ...any)  { a.l.Info(fmt.Sprint(args...), "component", "queue") }
func (a slogAdapter) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...), "component", "queue") }
func (a slogAdapter) Error(args ...any) { a.l.Error(fmt.Sprint(args...), "component", "queue") }
func (a slogAdapter) Fatal(args ...any) {
	a.l.Error(fmt.Sprint(args...), "component", "queue", "fatal", true)
}
