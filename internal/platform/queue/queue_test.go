package queue_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/queue"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// A lane runs at most its concurrency of tasks in a worker process, on
// workers of its own: while it is full, tasks of the main queue still run.
func TestLaneConcurrency(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		q, ctx := env.App.Queue, context.Background()
		q.Lane("heavy", 2)
		var running, peak, done, lightSaw atomic.Int32
		light := make(chan struct{})
		q.Handle("test:heavy", func(context.Context, []byte) error {
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			// Held until the main queue's task ran, so it runs while the
			// lane is full.
			select {
			case <-light:
			case <-time.After(10 * time.Second):
			}
			time.Sleep(100 * time.Millisecond)
			running.Add(-1)
			done.Add(1)
			return nil
		})
		q.Handle("test:light", func(context.Context, []byte) error {
			lightSaw.Store(running.Load())
			close(light)
			return nil
		})
		if err := q.Enqueue(ctx, "test:heavy", nil, queue.EnqueueOptions{Lane: "nowhere"}); err == nil {
			t.Fatal("enqueued to an undeclared lane")
		}
		for range 5 {
			if err := q.Enqueue(ctx, "test:heavy", nil, queue.EnqueueOptions{Lane: "heavy"}); err != nil {
				t.Fatal(err)
			}
		}
		env.StartWorker(nil)
		if !apptest.Eventually(t, 5*time.Second, func() bool { return running.Load() == 2 }) {
			t.Fatalf("%d heavy tasks running", running.Load())
		}
		if err := q.Enqueue(ctx, "test:light", nil, queue.EnqueueOptions{}); err != nil {
			t.Fatal(err)
		}
		if !apptest.Eventually(t, 15*time.Second, func() bool { return done.Load() == 5 }) {
			t.Fatalf("%d of 5 heavy tasks done", done.Load())
		}
		if p, l := peak.Load(), lightSaw.Load(); p != 2 || l != 2 {
			t.Fatalf("peak %d heavy tasks at once, %d while the light one ran; want 2 and 2", p, l)
		}
	})
}
