package dataio_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/dataio"
)

// queueFile is a lead file of n rows with distinct phones.
func queueFile(t *testing.T, n int) []byte {
	t.Helper()
	rows := [][]string{{"name", "phone"}}
	for i := range n {
		rows = append(rows, []string{fmt.Sprintf("队列线索%d", i), fmt.Sprintf("1390000%04d", i)})
	}
	return csvFile(t, false, rows...)
}

// submitQueued uploads a lead file and returns its job, which must still be
// queued: no worker runs yet.
func submitQueued(t *testing.T, env *apptest.Env, file []byte) dataio.ImportJobResponse {
	t.Helper()
	var j dataio.ImportJobResponse
	upload(t, env.Admin, map[string]string{"entity": "leads"}, "queue.csv", file).Status(http.StatusAccepted).Decode(&j)
	// Twice the worker's poll interval: long enough for a worker to take it.
	time.Sleep(2 * env.App.Cfg.QueuePollInterval)
	env.Admin.Get("/imports/" + j.ID).Status(http.StatusOK).Decode(&j)
	if j.Status != dataio.StatusQueued || j.StartedAt != nil {
		t.Fatalf("job ran without a worker: %+v", j)
	}
	return j
}

// sweep runs import-recover and returns its details.
func sweep(t *testing.T, env *apptest.Env) map[string]any {
	t.Helper()
	return env.Admin.Post("/admin/jobs/import-recover/run", nil).Status(http.StatusOK).Map()["details"].(map[string]any)
}

// leadTotal counts every lead in the database.
func leadTotal(t *testing.T, env *apptest.Env) int {
	t.Helper()
	var n int64
	if err := env.App.DB.Gorm().Table("leads").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// An import submitted while no worker runs waits in the queue and is run
// when a worker starts.
func TestImportWaitsForWorker(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		j := submitQueued(t, env, queueFile(t, 5))
		env.StartWorker(nil)
		if j = wait(t, env.Admin, j.ID); j.Status != dataio.StatusCompleted || j.Created != 5 || j.Processed != 5 {
			t.Fatalf("job = %+v", j)
		}
		if n := leadTotal(t, env); n != 5 {
			t.Fatalf("%d leads", n)
		}
	})
}

// A job whose task Redis lost is queued again by import-recover once past
// its grace period, only once however often the sweep runs, and imports
// its rows exactly once.
func TestImportRecoveredAfterLostTask(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		j := submitQueued(t, env, queueFile(t, 7))
		if err := env.App.Queue.Purge(context.Background()); err != nil {
			t.Fatal(err)
		}
		// Within the grace period the sweep leaves it to its own enqueue.
		if d := sweep(t, env); d["requeued"] != float64(0) || d["already_queued"] != float64(0) {
			t.Fatalf("sweep in grace = %v", d)
		}
		if err := env.App.DB.Gorm().Table("import_jobs").Where("id = ?", j.ID).
			Update("updated_at", time.Now().UTC().Add(-2*time.Minute)).Error; err != nil {
			t.Fatal(err)
		}
		if d := sweep(t, env); d["requeued"] != float64(1) {
			t.Fatalf("first sweep = %v", d)
		}
		// The task now waits in the queue: a second sweep does not double it.
		if d := sweep(t, env); d["requeued"] != float64(0) || d["already_queued"] != float64(1) {
			t.Fatalf("second sweep = %v", d)
		}
		env.StartWorker(nil)
		if j = wait(t, env.Admin, j.ID); j.Status != dataio.StatusCompleted || j.Created != 7 || j.ErrorCount != 0 {
			t.Fatalf("job = %+v", j)
		}
		// Finished: nothing more to recover, nothing imported twice.
		if d := sweep(t, env); d["requeued"] != float64(0) || d["already_queued"] != float64(0) || d["failed"] != float64(0) {
			t.Fatalf("sweep after = %v", d)
		}
		time.Sleep(2 * env.App.Cfg.QueuePollInterval)
		env.Admin.Get("/imports/" + j.ID).Status(http.StatusOK).Decode(&j)
		if n := leadTotal(t, env); n != 7 || j.Created != 7 || j.Status != dataio.StatusCompleted {
			t.Fatalf("%d leads, job %+v", n, j)
		}
	})
}
