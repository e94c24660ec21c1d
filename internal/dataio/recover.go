package dataio

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/opencrm/crm/internal/jobs"
	"github.com/opencrm/crm/internal/platform/db"
)

const (
	// requeueAfter: a job still queued this long after its last change
	// lost its place in a process that stopped; queue it again.
	requeueAfter = time.Minute
	// staleAfter: a running job writes its progress after every batch; one
	// silent this long died with its process.
	staleAfter = 10 * time.Minute
)

// RecoverSweep is the "import-recover" job: it queues again the jobs a
// stopped process left queued, and fails the ones it left running (rows
// already imported stay; running the rest again could double them), so no
// job waits forever. Run claims a job atomically, so requeueing one that a
// live worker holds is harmless.
func (s *Service) RecoverSweep(ctx context.Context) (jobs.Result, error) {
	res := jobs.Result{Details: map[string]int{}}
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
		if err := s.queue.Enqueue(ctx, id); err != nil {
			return res, fmt.Errorf("import.recover: %w", err)
		}
	}
	res.Details["requeued"] = len(ids)
	res.Processed = res.Details["failed"] + len(ids)
	return res, nil
}
