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
		opts: o, mux: asynq.NewServeMux()}
}

// Name is the asynq queue name.
func (q *Queue) Name() string { return q.name }

// Handle registers the handler of a task type. Call while wiring.
func (q *Queue) Handle(taskType string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.mux.HandleFunc(taskType, func(ctx context.Context, t *asynq.Task) error { return h(ctx, t.Payload()) })
}

// EnqueueOptions place one task.
type EnqueueOptions struct {
	// ID makes the enqueue idempotent: a task with the same ID still queued
	// or retained is not enqueued again.
	ID string
	// At is when it becomes due; zero means now.
	At time.Time
	// Retention keeps the finished task (and so its ID) this long.
	Retention time.Duration
	// MaxRetry bounds retries (asynq's default is 25).
	MaxRetry *int
}

// ErrDuplicate means a task with the same ID is already queued or retained.
var ErrDuplicate = errors.New("queue: task already enqueued")

// Enqueue adds a task.
func (q *Queue) Enqueue(ctx context.Context, taskType string, payload []byte, o EnqueueOptions) error {
	opts := []asynq.Option{asynq.Queue(q.name)}
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

// RunWorker processes tasks until ctx ends, then lets running tasks finish
// (up to 8 s; unfinished ones go back to the queue for another worker).
func (q *Queue) RunWorker(ctx context.Context) error {
	srv := asynq.NewServerFromRedisClient(q.redis.UniversalClient, asynq.Config{
		Concurrency:              q.opts.Concurrency,
		Queues:                   map[string]int{q.name: 1},
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
	q.mu.Lock()
	mux := q.mux
	q.mu.Unlock()
	if err := srv.Start(mux); err != nil {
		return fmt.Errorf("queue.worker: %w", err)
	}
	<-ctx.Done()
	srv.Shutdown()
	return nil
}

// Purge deletes this queue's keys (tests and teardown only).
func (q *Queue) Purge(ctx context.Context) error {
	c := q.redis.UniversalClient
	iter := c.Scan(ctx, 0, "asynq:{"+globEscape(q.name)+"}*", 500).Iterator()
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
	return c.SRem(ctx, "asynq:queues", q.name).Err()
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
