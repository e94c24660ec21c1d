package payment_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/payment"
	"github.com/opencrm/crm/internal/reminder"
)

// TestAllocation: payments go to the open instalments oldest due date
// first (partly where they run out), or to the instalment named; what no
// instalment takes stays unallocated; paying more than is outstanding is
// 422 overpayment; a void re-opens what it paid.
func TestAllocation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		c := w.signed("100000")
		later := w.plan(c.ID, "2099-03-01", "30000")
		first := w.plan(c.ID, "2099-01-01", "50000")
		pay := func(body map[string]any) payment.PaymentResponse {
			t.Helper()
			body["contract_id"], body["method"] = c.ID, "bank_transfer"
			var p payment.PaymentResponse
			w.rep.Post("/payments", body).Status(http.StatusCreated).Decode(&p)
			return p
		}

		// Partial: all to the earliest instalment.
		p1 := pay(map[string]any{"amount": "20000", "received_at": "2026-11-20"})
		if len(p1.Allocations) != 1 || p1.Allocations[0].PaymentPlanID != first || p1.Allocations[0].Amount != "20000.00" ||
			p1.UnallocatedAmount != "0.00" || p1.OwnerID != w.rep.ID || p1.CustomerID != w.customerID {
			t.Fatalf("p1 %+v", p1)
		}
		if ps := w.plans(c.ID); ps[first].Status != "partially_paid" || ps[first].Received != "20000.00" ||
			ps[first].Outstanding != "30000.00" {
			t.Errorf("after p1 %+v", ps[first])
		}
		// Across instalments: the rest of the first exactly, then the next.
		p2 := pay(map[string]any{"amount": "40000"})
		if len(p2.Allocations) != 2 || p2.Allocations[0].PaymentPlanID != first || p2.Allocations[0].Amount != "30000.00" ||
			p2.Allocations[1].PaymentPlanID != later || p2.Allocations[1].Amount != "10000.00" {
			t.Fatalf("p2 %+v", p2.Allocations)
		}
		ps := w.plans(c.ID)
		if ps[first].Status != "paid" || ps[later].Status != "partially_paid" || ps[later].Received != "10000.00" {
			t.Errorf("after p2 %+v", ps)
		}
		if s := w.reminderStatus("payment-due:" + first); s != reminder.Cancelled {
			t.Errorf("paid instalment's reminder %s", s)
		}
		if s := w.reminderStatus("payment-overdue:" + later); s != reminder.Pending {
			t.Errorf("open instalment's reminder %s", s)
		}
		// Named instalment: at most its outstanding.
		if p := w.rep.Post("/payments", map[string]any{"contract_id": c.ID, "payment_plan_id": later,
			"amount": "20000.01", "method": "cash"}).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("amount") {
			t.Errorf("over the instalment: %+v", p)
		}
		p3 := pay(map[string]any{"amount": "20000", "payment_plan_id": later})
		if len(p3.Allocations) != 1 || p3.Allocations[0].PaymentPlanID != later || p3.PaymentPlanID == nil {
			t.Errorf("p3 %+v", p3)
		}
		// Nothing planned is left: the rest stays on the contract.
		p4 := pay(map[string]any{"amount": "20000"})
		if len(p4.Allocations) != 0 || p4.UnallocatedAmount != "20000.00" {
			t.Errorf("p4 %+v", p4)
		}
		if got := w.contract(c.ID); got.ReceivedAmount != "100000.00" || got.OutstandingAmount != "0.00" {
			t.Errorf("contract %+v", got)
		}
		// Overpayment: 422 with its code, nothing booked.
		p := w.rep.Post("/payments", map[string]any{"contract_id": c.ID, "amount": "0.01", "method": "cash"}).
			Status(http.StatusUnprocessableEntity).Problem()
		if p.Code != "overpayment" || !p.HasField("amount") {
			t.Errorf("overpayment %+v", p)
		}
		if n := w.events("payment.received", ""); n != 4 {
			t.Errorf("%d payment.received events", n)
		}

		// Void: reps may not; the manager does, with a reason; the amount
		// and allocations come off, the instalments re-open.
		w.rep.Post("/payments/"+p2.ID+"/void", map[string]any{"reason": "重复登记"}).Status(http.StatusForbidden)
		w.mgr.Post("/payments/"+p2.ID+"/void", map[string]any{"reason": ""}).Status(http.StatusUnprocessableEntity)
		var v payment.PaymentResponse
		w.mgr.Post("/payments/"+p2.ID+"/void", map[string]any{"reason": "重复登记"}).Status(http.StatusOK).Decode(&v)
		if v.Status != payment.Voided || v.VoidReason != "重复登记" || v.VoidedAt == nil || len(v.Allocations) != 2 {
			t.Errorf("voided %+v", v)
		}
		ps = w.plans(c.ID)
		if ps[first].Received != "20000.00" || ps[first].Status != "partially_paid" || ps[later].Received != "20000.00" {
			t.Errorf("after void %+v", ps)
		}
		if s := w.reminderStatus("payment-due:" + first); s != reminder.Pending {
			t.Errorf("re-opened instalment's reminder %s", s)
		}
		if got := w.contract(c.ID); got.ReceivedAmount != "60000.00" || got.OutstandingAmount != "40000.00" {
			t.Errorf("contract after void %+v", got)
		}
		w.mgr.Post("/payments/"+p2.ID+"/void", map[string]any{"reason": "again"}).Status(http.StatusConflict)
		if n := w.events("payment.voided", p2.ID); n != 1 {
			t.Errorf("%d payment.voided events", n)
		}
		// A paid instalment cannot be deleted.
		w.rep.Delete("/contracts/" + c.ID + "/payment-plans/" + first).Status(http.StatusConflict)

		// The customer timeline shows each payment.
		var tl struct {
			Data []struct{ Type, RefID string } `json:"data"`
		}
		w.rep.Get("/customers/" + w.customerID + "/timeline?limit=200").Status(http.StatusOK).Decode(&tl)
		seen := 0
		for _, it := range tl.Data {
			if it.Type == "payment_received" {
				seen++
			}
		}
		if seen != 4 {
			t.Errorf("timeline shows %d payments", seen)
		}
	})
}

func TestPaymentRules(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		var draft struct{ ID string }
		w.rep.Post("/contracts", map[string]any{"customer_id": w.customerID, "title": "草稿", "amount": "10",
			"start_date": "2027-01-01", "end_date": "2027-12-31"}).Status(http.StatusCreated).Decode(&draft)
		if p := w.rep.Post("/payments", map[string]any{"contract_id": draft.ID, "amount": "1", "method": "cash"}).
			Status(http.StatusConflict).Problem(); p.Code != "contract_not_signed" {
			t.Errorf("draft: %+v", p)
		}
		c := w.signed("1000")
		for _, bad := range []map[string]any{
			{"contract_id": c.ID, "amount": "0", "method": "cash"},
			{"contract_id": c.ID, "amount": "1", "method": "barter"},
			{"contract_id": c.ID, "amount": "1", "method": "cash", "received_at": "2999-01-01"},
			{"contract_id": c.ID, "amount": "1", "method": "cash", "payment_plan_id": "0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b20"},
			{"contract_id": "0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b20", "amount": "1", "method": "cash"},
		} {
			w.rep.Post("/payments", bad).Status(http.StatusUnprocessableEntity)
		}
		// Out of scope: the contract is unknown to them, the payment 404.
		w.away.Post("/payments", map[string]any{"contract_id": c.ID, "amount": "1", "method": "cash"}).
			Status(http.StatusUnprocessableEntity)
		var p payment.PaymentResponse
		w.rep.Post("/payments", map[string]any{"contract_id": c.ID, "amount": "1", "method": "cash"}).
			Status(http.StatusCreated).Decode(&p)
		w.away.Get("/payments/" + p.ID).Status(http.StatusNotFound)
		w.mgr.Get("/payments/" + p.ID).Status(http.StatusOK)
		var l payment.PaymentList
		w.away.Get("/payments?include_total=true").Status(http.StatusOK).Decode(&l)
		if *l.Total != 0 {
			t.Errorf("away sees %d payments", *l.Total)
		}
		w.rep.Get("/payments?include_total=true&contract_id=" + c.ID).Status(http.StatusOK).Decode(&l)
		if *l.Total != 1 || l.Data[0].ID != p.ID {
			t.Errorf("rep's list %+v", l)
		}
		if got := w.contract(c.ID); got.ReceivedAmount != "1.00" {
			t.Errorf("refused payments changed the contract: %+v", got)
		}
	})
}

// TestConcurrentPayments: payments at once on one contract cannot
// together pay more than it is worth.
func TestConcurrentPayments(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		c := w.signed("1000")
		w.plan(c.ID, "2099-01-01", "1000")
		const n = 10
		codes := make([]int, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes[i] = w.rep.Req(http.MethodPost, "/payments", map[string]any{"contract_id": c.ID,
					"amount": "150", "method": "online"}).Send().Code
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, code := range codes {
			switch code {
			case http.StatusCreated:
				ok++
			case http.StatusUnprocessableEntity:
			default:
				t.Errorf("status %d", code)
			}
		}
		got := w.contract(c.ID)
		if ok != 6 || got.ReceivedAmount != "900.00" {
			t.Errorf("%d payments passed, received %s", ok, got.ReceivedAmount)
		}
		for _, p := range w.plans(c.ID) {
			if p.Received != "900.00" {
				t.Errorf("instalment received %s", p.Received)
			}
		}
	})
}
