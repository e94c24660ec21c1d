package dataio

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/opencrm/crm/internal/platform/queue"
)

// Import jobs run on the Redis queue as task "import:run" carrying only the
// job id: the worker reloads the file, options and actor from the database,
// so any worker process can run any job.
const (
	taskRun = "import:run"
	// lane is the queue lane imports run in. Imports are heavy (minutes of
	// parsing and database writes each), so every worker process runs at
	// most Workers of them, on workers of their own: they neither wait
	// behind reminders and sweeps nor take all the workers from them.
	lane = "imports"
	// Workers is how many imports one worker process runs at once.
	Workers = 2
	// runTimeout bounds one run, far above the slowest real one: the
	// row-by-row paths (customers, contacts, products) manage about 150
	// rows/s on PostgreSQL, so the largest upload (50 MiB, a few hundred
	// thousand rows) may take most of an hour. A run past this is stuck;
	// stopping it fails the job and frees its slot in the lane. (A job
	// whose worker died is the recover sweep's, not the timeout's.)
	runTimeout = 4 * time.Hour
)

type runPayload struct {
	JobID string `json:"job_id"`
}

// UseQueue runs imports on q: it declares their lane and registers the
// task's handler. Call while wiring, before the worker starts.
func (s *Service) UseQueue(q *queue.Queue) {
	s.queue = q
	q.Lane(lane, Workers)
	q.Handle(taskRun, func(ctx context.Context, b []byte) error {
		var p runPayload
		if err := json.Unmarshal(b, &p); err != nil || p.JobID == "" {
			return fmt.Errorf("import: bad task payload: %w", queue.SkipRetry)
		}
		return s.run(ctx, p.JobID)
	})
}

// enqueue queues a job's task. The task id names the job, so queueing it
// again while its task still waits is refused (queue.ErrDuplicate).
//
// asynq's default retries are kept: they are safe because run starts only
// a job that is still queued. A retry after a failed claim starts the job
// as if for the first time (nothing was written); a retry of a job that
// started, whether its run timed out or its worker died, finds it running
// or finished and does nothing, so no row is imported twice. A job whose
// worker died is failed by RecoverSweep instead.
func (s *Service) enqueue(ctx context.Context, id string) error {
	b, err := json.Marshal(runPayload{JobID: id})
	if err != nil {
		return err
	}
	return s.queue.Enqueue(ctx, taskRun, b, queue.EnqueueOptions{ID: "import:" + id, Lane: lane, Timeout: runTimeout})
}
