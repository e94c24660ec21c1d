package payment_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
	"github.com/opencrm/crm/internal/payment"
)

// TestInvoiceOnOrder: an order takes invoices once approved, up to its
// total; a contract may link an order of its customer.
func TestInvoiceOnOrder(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		var o struct{ ID, Total string }
		w.rep.Post("/orders", map[string]any{"customer_id": w.customerID, "delivery_date": "2026-12-20",
			"items": []any{map[string]any{"name": "项目", "quantity": "1", "unit_price": "1000.00",
				"discount_percent": "0", "tax_rate": "0.13"}}}).Status(http.StatusCreated).Decode(&o)
		inv := func(amount string) map[string]any {
			return map[string]any{"order_id": o.ID, "amount": amount, "tax_rate": "0.13",
				"invoice_type": "vat_ordinary", "title": "苏州恒达精密机械有限公司"}
		}
		if p := w.rep.Post("/invoices", inv("1")).Status(http.StatusConflict).Problem(); p.Code != "order_not_invoiceable" {
			t.Errorf("draft order: %+v", p)
		}
		w.rep.Post("/orders/"+o.ID+"/submit", nil).Status(http.StatusOK)
		var inbox struct {
			Data []struct{ ID, DocID string } `json:"data"`
		}
		w.mgr.Get("/approvals?status=pending&assignee=me").Status(http.StatusOK).Decode(&inbox)
		for _, r := range inbox.Data {
			w.mgr.Post("/approvals/"+r.ID+"/approve", map[string]any{"comment": "同意"}).Status(http.StatusOK)
		}
		w.rep.Post("/invoices", inv("1130.01")).Status(http.StatusUnprocessableEntity)
		var got payment.InvoiceResponse
		w.rep.Post("/invoices", inv(o.Total)).Status(http.StatusCreated).Decode(&got)
		if got.OrderID == nil || *got.OrderID != o.ID || got.ContractID != nil || got.OwnerID != w.rep.ID {
			t.Errorf("invoice %+v", got)
		}
		w.away.Post("/invoices", inv("1")).Status(http.StatusUnprocessableEntity)

		var c contract.ContractResponse
		w.rep.Post("/contracts", map[string]any{"customer_id": w.customerID, "order_id": o.ID, "title": "订单合同",
			"amount": o.Total, "start_date": "2027-01-01", "end_date": "2027-12-31"}).Status(http.StatusCreated).Decode(&c)
		if c.OrderID == nil || *c.OrderID != o.ID {
			t.Errorf("contract %+v", c)
		}

		// The order's payment_status follows the payments on its contract.
		w.rep.Post("/contracts/"+c.ID+"/submit", nil).Status(http.StatusOK)
		w.mgr.Get("/approvals?status=pending&assignee=me").Status(http.StatusOK).Decode(&inbox)
		for _, r := range inbox.Data {
			w.mgr.Post("/approvals/"+r.ID+"/approve", map[string]any{"comment": "同意"}).Status(http.StatusOK)
		}
		w.rep.Post("/contracts/"+c.ID+"/sign", nil).Status(http.StatusOK)
		status := func() string {
			var got struct {
				PaymentStatus string `json:"payment_status"`
			}
			w.rep.Get("/orders/" + o.ID).Status(http.StatusOK).Decode(&got)
			return got.PaymentStatus
		}
		if s := status(); s != "unpaid" {
			t.Fatalf("before payments: %s", s)
		}
		var first struct{ ID string }
		w.rep.Post("/payments", map[string]any{"contract_id": c.ID, "amount": "130.00", "method": "bank_transfer"}).
			Status(http.StatusCreated).Decode(&first)
		if s := status(); s != "partially_paid" {
			t.Fatalf("after a part: %s", s)
		}
		w.rep.Post("/payments", map[string]any{"contract_id": c.ID, "amount": "1000.00", "method": "bank_transfer"}).
			Status(http.StatusCreated)
		if s := status(); s != "paid" {
			t.Fatalf("after the rest: %s", s)
		}
		w.mgr.Post("/payments/"+first.ID+"/void", map[string]any{"reason": "重复入账"}).Status(http.StatusOK)
		if s := status(); s != "partially_paid" {
			t.Fatalf("after a void: %s", s)
		}
	})
}
