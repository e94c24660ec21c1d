package contract_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
	"github.com/opencrm/crm/internal/reminder"
)

func TestPaymentPlans(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		c := w.create(map[string]any{"amount": "100000"})
		path := "/contracts/" + c.ID + "/payment-plans"
		var p1, p2 contract.PlanResponse
		w.rep.Post(path, map[string]any{"due_date": "2099-03-31", "amount": "30000", "note": "预付款"}).
			Status(http.StatusCreated).Decode(&p1)
		if p1.Status != contract.PlanPending || p1.Received != "0.00" || p1.Outstanding != "30000.00" || p1.Note != "预付款" {
			t.Errorf("created %+v", p1)
		}
		w.rep.Post(path, map[string]any{"due_date": "2020-01-31", "amount": "60000"}).Status(http.StatusCreated).Decode(&p2)
		if p2.Status != contract.PlanOverdue {
			t.Errorf("past due: %+v", p2)
		}

		// The plan may not exceed the contract: 422, nothing added.
		p := w.rep.Post(path, map[string]any{"due_date": "2099-06-30", "amount": "10000.01"}).
			Status(http.StatusUnprocessableEntity).Problem()
		if !p.HasField("amount") {
			t.Errorf("over the amount: %+v", p)
		}
		w.rep.Patch(path+"/"+p1.ID, map[string]any{"amount": "40000.01"}).Status(http.StatusUnprocessableEntity)
		for _, bad := range []map[string]any{{"amount": "10"}, {"due_date": "2099-01-01"},
			{"due_date": "2099-13-01", "amount": "1"}, {"due_date": "2099-01-01", "amount": "0"},
			{"due_date": "2099-01-01", "amount": "-1"}} {
			w.rep.Post(path, bad).Status(http.StatusUnprocessableEntity)
		}
		// Nor may the contract amount fall below the plan.
		w.rep.Patch("/contracts/"+c.ID, map[string]any{"amount": "89999.99"}).Status(http.StatusUnprocessableEntity)

		var l contract.PlanListResponse
		w.rep.Get(path).Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 2 || l.Total != "90000.00" || l.Data[0].ID != p2.ID {
			t.Errorf("plan %+v", l)
		}

		// Reminders: due N days before at 09:00 organisation time, overdue
		// the day after; they move with the due date.
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		due, over := w.reminder("payment-due:"+p1.ID), w.reminder("payment-overdue:"+p1.ID)
		if due == nil || due.Status != reminder.Pending || due.UserID != w.rep.ID ||
			!due.DueAt.Equal(time.Date(2099, 3, 28, 9, 0, 0, 0, shanghai)) ||
			over == nil || !over.DueAt.Equal(time.Date(2099, 4, 1, 9, 0, 0, 0, shanghai)) {
			t.Fatalf("reminders %+v %+v", due, over)
		}
		var moved contract.PlanResponse
		w.rep.Req("PATCH", path+"/"+p1.ID, map[string]any{"due_date": "2099-05-10"}).Header("If-Match", `"1"`).
			Send().Status(http.StatusOK).Decode(&moved)
		if moved.Version != 2 || moved.DueDate != "2099-05-10" || moved.Amount != "30000.00" {
			t.Errorf("moved %+v", moved)
		}
		if due := w.reminder("payment-due:" + p1.ID); !due.DueAt.Equal(time.Date(2099, 5, 7, 9, 0, 0, 0, shanghai)) {
			t.Errorf("moved reminder %+v", due)
		}
		w.rep.Req("PATCH", path+"/"+p1.ID, map[string]any{"note": "x"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)

		// Delete cancels the reminders.
		w.rep.Delete(path + "/" + p1.ID).Status(http.StatusNoContent)
		if due := w.reminder("payment-due:" + p1.ID); due.Status != reminder.Cancelled {
			t.Errorf("after delete %+v", due)
		}
		w.rep.Delete(path + "/" + p1.ID).Status(http.StatusNotFound)

		// A terminated contract cancels its instalments' reminders and
		// takes no more plan changes.
		s := w.to(contract.Signed, nil)
		var sp contract.PlanResponse
		w.rep.Post("/contracts/"+s.ID+"/payment-plans", map[string]any{"due_date": "2099-01-01", "amount": "5"}).
			Status(http.StatusCreated).Decode(&sp)
		w.rep.Post("/contracts/"+s.ID+"/terminate", map[string]any{"reason": "客户违约"}).Status(http.StatusOK)
		if r := w.reminder("payment-overdue:" + sp.ID); r.Status != reminder.Cancelled {
			t.Errorf("after terminate %+v", r)
		}
		if p := w.rep.Post("/contracts/"+s.ID+"/payment-plans", map[string]any{"due_date": "2099-01-01", "amount": "5"}).
			Status(http.StatusConflict).Problem(); p.Code != "contract_closed" {
			t.Errorf("plan on a terminated contract: %+v", p)
		}
	})
}
