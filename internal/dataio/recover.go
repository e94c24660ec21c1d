package dataio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/opencrm/crm/internal/jobs"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/queue"
)

const (
	// requeueAfter: a job still queued this long after its last change
	// may have lost its task (the enqueue after commit failed, or Redis
	// lost its data); queue it again. It leaves time for that enqueue.
	requeueAfter = time.Minute
	// staleAfter: a running job writes its progress after every batch; one
	// silent this long died with its worker.
	staleAfter = 10 * time.Minute
)

// RecoverSweep is the "import-recover" job, so that no job waits forever.
// The job rows are the truth and a task carries only a job id, so it
// repairs what the queue lost:
//   - jobs queued for a while are queued again; the task id is the job's, so
//     a task still waiting (a long line of imports, no worker running) is not
//     doubled and counts as already_queued;
//   - jobs running but silent for staleAfter are failed: their worker died.
//     Rows already imported stay; running the job again could double them,
//     since progress is saved per batch while its inserts are still in
//     flight. asynq's own retry of such a task finds the job no longer
//     queued and does nothing.
func (s *Service) RecoverSweep(ctx context.Context) (jobs.Result, error) {
	res := jobs.Result{Details: map[string]int{"failed": 0, "requeued": 0, "already_queued": 0}}
	now := db.Now()
	failure, _ := json.Marshal(RowError{Message: "import_interrupted"})
	stale := s.db.Conn(ctx).Model(&Job{}).Where("status = ? AND updated_at < ?", StatusRunning, now.Add(-staleAfter)).
		UpdateColumns(map[string]any{"status": StatusFailed, "failure": string(failure), "finished_at": now, "updated_at": now})
	if stale.Error != nil {
		return res, fmt.Errorf("import.recover: %w", stale.Error)
	}
	res.Details["failed"] = int(stale.RowsAffected)
	var ids []string
	if err := s.db.Conn(ctx).Model(&Job{}).Where("status = ? AND updated_at < ?", StatusQueued, now.Add(-requeueAfter)).
		Order("created_at").Pluck("id", &ids).Error; err != nil {
		return res, fmt.Errorf("import.recover: %w", err)
	}
	for _, id := range ids {
		err := s.enqueue(ctx, id)
		switch {
		case errors.Is(err, queue.ErrDuplicate):
			res.Details["already_queued"]++
		case err != nil:
			return res, fmt.Errorf("import.recover: %w", err)
		default:
			res.Details["requeued"]++
		}
	}
	res.Processed = res.Details["failed"] + res.Details["requeued"]
	return res, nil
}
