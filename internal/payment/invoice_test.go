package payment_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/payment"
)

func TestInvoices(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		c := w.signed("100000")
		req := func(amount string, extra map[string]any) map[string]any {
			body := map[string]any{"contract_id": c.ID, "amount": amount, "tax_rate": "0.13",
				"invoice_type": "vat_special", "title": "苏州恒达精密机械有限公司", "tax_number": "91320594ma1xyz1234"}
			for k, v := range extra {
				body[k] = v
			}
			return body
		}

		// Validation: exactly one target; vat_special needs a tax number;
		// the rate is between 0 and 1.
		for field, body := range map[string]map[string]any{
			"contract_id": req("1", map[string]any{"order_id": c.ID}),
			"tax_number":  req("1", map[string]any{"tax_number": ""}),
			"tax_rate":    req("1", map[string]any{"tax_rate": "1.5"}),
			"order_id":    {"order_id": c.ID, "amount": "1", "tax_rate": "0", "invoice_type": "vat_ordinary", "title": "x"},
		} {
			if p := w.rep.Post("/invoices", body).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField(field) {
				t.Errorf("%s: %+v", field, p.Errors)
			}
		}
		noTarget := req("1", nil)
		delete(noTarget, "contract_id")
		w.rep.Post("/invoices", noTarget).Status(http.StatusUnprocessableEntity)

		var i1 payment.InvoiceResponse
		w.rep.Post("/invoices", req("56500", nil)).Status(http.StatusCreated).Decode(&i1)
		if i1.Status != "requested" || i1.TaxAmount != "6500.00" || i1.TaxNumber != "91320594MA1XYZ1234" ||
			i1.OwnerID != w.rep.ID || i1.Currency != "CNY" {
			t.Fatalf("requested %+v", i1)
		}
		// The ceiling: live invoices may not exceed the contract amount.
		if p := w.rep.Post("/invoices", req("43500.01", nil)).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("amount") {
			t.Errorf("ceiling %+v", p)
		}
		var i2 payment.InvoiceResponse
		w.rep.Post("/invoices", req("43500", map[string]any{"invoice_type": "vat_ordinary", "tax_number": ""})).
			Status(http.StatusCreated).Decode(&i2)

		// Issue: finance (managers, admins) only, with a unique number.
		w.rep.Post("/invoices/"+i1.ID+"/issue", map[string]any{"invoice_number": "24322000000012345678"}).
			Status(http.StatusForbidden)
		var issued payment.InvoiceResponse
		w.mgr.Req(http.MethodPost, "/invoices/"+i1.ID+"/issue", map[string]any{"invoice_number": "24322000000012345678"}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK).Decode(&issued)
		if issued.Status != "issued" || issued.InvoiceNumber == nil || issued.IssuedAt == nil {
			t.Errorf("issued %+v", issued)
		}
		w.mgr.Post("/invoices/"+i1.ID+"/issue", map[string]any{"invoice_number": "X"}).Status(http.StatusConflict)
		if p := w.mgr.Post("/invoices/"+i2.ID+"/issue", map[string]any{"invoice_number": "24322000000012345678"}).
			Status(http.StatusConflict).Problem(); p.Code != "duplicate" {
			t.Errorf("duplicate number %+v", p)
		}
		w.mgr.Req(http.MethodPost, "/invoices/"+i2.ID+"/void", map[string]any{"reason": "抬头错误"}).
			Header("If-Match", `"9"`).Send().Status(http.StatusPreconditionFailed)

		// Voiding frees its amount under the ceiling.
		w.mgr.Post("/invoices/"+i1.ID+"/void", map[string]any{"reason": "抬头错误"}).Status(http.StatusOK)
		w.mgr.Post("/invoices/"+i1.ID+"/void", map[string]any{"reason": "again"}).Status(http.StatusConflict)
		w.rep.Post("/invoices", req("56500", nil)).Status(http.StatusCreated)

		for typ, want := range map[string]int{"invoice.requested": 3, "invoice.issued": 1, "invoice.voided": 1} {
			if n := w.events(typ, ""); n != want {
				t.Errorf("%d %s events, want %d", n, typ, want)
			}
		}

		// Scope.
		w.away.Get("/invoices/" + i1.ID).Status(http.StatusNotFound)
		w.away.Post("/invoices/"+i2.ID+"/void", map[string]any{"reason": "x"}).Status(http.StatusForbidden)
		var l payment.InvoiceList
		w.mgr.Get("/invoices?include_total=true&status=requested").Status(http.StatusOK).Decode(&l)
		if *l.Total != 2 {
			t.Errorf("manager sees %d requested", *l.Total)
		}
		w.away.Get("/invoices?include_total=true").Status(http.StatusOK).Decode(&l)
		if *l.Total != 0 {
			t.Errorf("away sees %d", *l.Total)
		}
	})
}
