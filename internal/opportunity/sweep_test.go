package opportunity_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/reminder"
)

func TestStageOverdueSweep(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		var pl opportunity.PipelineResponse
		env.Admin.Post("/pipelines", map[string]any{"name": "快节奏", "stages": stagesBody(
			map[string]any{"name": "谈判", "probability": 50, "kind": "open", "time_limit": "1h"})}).
			Status(http.StatusCreated).Decode(&pl)
		cust := newCustomer(t, rep.Client, nil)
		slow := createOpp(t, rep.Client, map[string]any{"name": "慢", "customer_id": cust, "pipeline_id": pl.ID})
		fresh := createOpp(t, rep.Client, map[string]any{"name": "新", "customer_id": cust, "pipeline_id": pl.ID})
		// The first stage's limit is 3 days: two days in is not overdue,
		// four is.
		back := func(id string, d time.Duration) {
			t.Helper()
			at := time.Now().UTC().Add(-d)
			if err := env.App.DB.Gorm().Exec("UPDATE opportunities SET stage_entered_at = ? WHERE id = ?", at, id).Error; err != nil {
				t.Fatal(err)
			}
		}
		back(slow.ID, 96*time.Hour)
		back(fresh.ID, 48*time.Hour)

		for i := 0; i < 2; i++ {
			env.Admin.Post("/admin/jobs/opportunity-stage-sweep/run", nil).Status(http.StatusOK)
		}
		if !getOpp(t, rep.Client, slow.ID).StageOverdue || getOpp(t, rep.Client, fresh.ID).StageOverdue {
			t.Fatal("overdue flags wrong")
		}
		if got := listOpps(t, rep.Client, "/opportunities?overdue=true").Data; len(got) != 1 || got[0].ID != slow.ID {
			t.Errorf("overdue filter %v", ids(got))
		}
		var h struct {
			Data []struct{ ID string } `json:"data"`
		}
		rep.Get("/opportunities/" + slow.ID + "/stage-history").Status(http.StatusOK).Decode(&h)
		key := "stage-overdue:" + slow.ID + ":" + h.Data[0].ID
		r, err := env.App.Reminders.Get(context.Background(), key)
		if err != nil {
			t.Fatalf("no reminder %s: %v", key, err)
		}
		if r.Status != reminder.Pending || r.UserID != rep.ID || r.Kind != "stage_overdue" || r.RefID != slow.ID ||
			time.Since(r.DueAt) > time.Minute {
			t.Errorf("reminder %+v", r)
		}
		var n int64
		env.App.DB.Gorm().Model(&reminder.Reminder{}).Where("key LIKE ?", "stage-overdue:%").Count(&n)
		if n != 1 {
			t.Errorf("%d reminders after two sweeps", n)
		}

		// Moving on clears the flag and cancels the reminder; the new
		// stage's own entry starts its own clock.
		var moved opportunity.OpportunityResponse
		rep.Post("/opportunities/"+slow.ID+"/stage", map[string]any{"stage_id": pl.Stages[3].ID}).
			Status(http.StatusOK).Decode(&moved)
		if moved.StageOverdue {
			t.Error("still overdue after moving")
		}
		if r, _ := env.App.Reminders.Get(context.Background(), key); r.Status != reminder.Cancelled {
			t.Errorf("reminder after move: %s", r.Status)
		}
		back(slow.ID, 2*time.Hour)
		env.Admin.Post("/admin/jobs/opportunity-stage-sweep/run", nil).Status(http.StatusOK)
		env.App.DB.Gorm().Model(&reminder.Reminder{}).Where("key LIKE ? AND status = ?", "stage-overdue:%", reminder.Pending).Count(&n)
		if !getOpp(t, rep.Client, slow.ID).StageOverdue || n != 1 {
			t.Errorf("second stage entry: overdue %v, %d pending", getOpp(t, rep.Client, slow.ID).StageOverdue, n)
		}
	})
}
