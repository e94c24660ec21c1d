package contract_test

import (
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
	"github.com/opencrm/crm/internal/reminder"
)

func TestCreateAndUpdate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		resp := w.rep.Post("/contracts", map[string]any{"customer_id": w.customerID, "title": " 年度采购合同 ",
			"amount": "1200000.5", "start_date": "2027-01-01", "end_date": "2027-12-31", "terms": "分三期"}).
			Status(http.StatusCreated)
		if resp.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag %q", resp.Header.Get("ETag"))
		}
		var c contract.ContractResponse
		resp.Decode(&c)
		if !regexp.MustCompile(`^HT-\d{8}-0001$`).MatchString(c.Number) || c.Title != "年度采购合同" ||
			c.Amount != "1200000.50" || c.ReceivedAmount != "0.00" || c.OutstandingAmount != "1200000.50" ||
			c.Currency != "CNY" || c.Status != contract.Draft || c.OwnerID != w.rep.ID || c.Version != 1 {
			t.Fatalf("created %+v", c)
		}
		if n := w.events("contract.created", c.ID); n != 1 {
			t.Errorf("%d contract.created events", n)
		}
		if c2 := w.create(nil); c2.Number[len(c2.Number)-4:] != "0002" {
			t.Errorf("second number %s", c2.Number)
		}

		// Bad input: 422 field by field, nothing created.
		p := w.rep.Post("/contracts", map[string]any{"customer_id": w.customerID, "title": "", "amount": "1.001",
			"start_date": "2027-12-31", "end_date": "2027-01-01", "currency": "XYZ"}).
			Status(http.StatusUnprocessableEntity).Problem()
		for _, f := range []string{"title", "amount", "end_date", "currency"} {
			if !p.HasField(f) {
				t.Errorf("422 lacks %s: %+v", f, p.Errors)
			}
		}
		p = w.rep.Post("/contracts", map[string]any{"customer_id": w.customerID, "title": "x", "amount": "1",
			"start_date": "2027-02-30", "end_date": "x"}).Status(http.StatusUnprocessableEntity).Problem()
		if !p.HasField("start_date") || !p.HasField("end_date") {
			t.Errorf("dates: %+v", p.Errors)
		}
		// A customer outside the caller's scope, or an opportunity that
		// does not exist, is an unknown reference.
		p = w.away.Post("/contracts", map[string]any{"customer_id": w.customerID, "title": "x", "amount": "1",
			"start_date": "2027-01-01", "end_date": "2027-01-02"}).Status(http.StatusUnprocessableEntity).Problem()
		if !p.HasField("customer_id") {
			t.Errorf("foreign customer: %+v", p)
		}
		p = w.rep.Post("/contracts", map[string]any{"customer_id": w.customerID, "title": "x", "amount": "1",
			"start_date": "2027-01-01", "end_date": "2027-01-02", "opportunity_id": "0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"}).
			Status(http.StatusUnprocessableEntity).Problem()
		if !p.HasField("opportunity_id") {
			t.Errorf("unknown opportunity: %+v", p)
		}
		var l contract.ContractList
		w.env.Admin.Get("/contracts?include_total=true").Status(http.StatusOK).Decode(&l)
		if l.Total == nil || *l.Total != 2 {
			t.Errorf("total %v", l.Total)
		}

		// PATCH with If-Match; a stale one is 412 and changes nothing.
		up := w.rep.Req("PATCH", "/contracts/"+c.ID, map[string]any{"amount": "1100000", "end_date": "2028-06-30"}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK)
		if up.Header.Get("ETag") != `"2"` {
			t.Errorf("ETag %q", up.Header.Get("ETag"))
		}
		w.rep.Req("PATCH", "/contracts/"+c.ID, map[string]any{"title": "y"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		if got := w.get(c.ID); got.Title != "年度采购合同" || got.Amount != "1100000.00" || got.EndDate != "2028-06-30" {
			t.Errorf("after stale write %+v", got)
		}
		w.rep.Patch("/contracts/"+c.ID, map[string]any{"end_date": "2026-01-01"}).Status(http.StatusUnprocessableEntity)
	})
}

func TestScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		mine := w.create(nil)
		for _, tc := range []struct {
			name    string
			user    *apptest.User
			visible bool
		}{{"owner", w.rep, true}, {"manager", w.mgr, true}, {"teammate", w.rep2, false}, {"other team", w.away, false}} {
			var l contract.ContractList
			tc.user.Get("/contracts?include_total=true").Status(http.StatusOK).Decode(&l)
			wantTotal := map[bool]int64{true: 1, false: 0}[tc.visible]
			if l.Total == nil || *l.Total != wantTotal {
				t.Errorf("%s: total %v", tc.name, l.Total)
			}
			status := map[bool]int{true: http.StatusOK, false: http.StatusNotFound}[tc.visible]
			tc.user.Get("/contracts/" + mine.ID).Status(status)
			tc.user.Get("/contracts/" + mine.ID + "/payment-plans").Status(status)
			tc.user.Get("/contracts/" + mine.ID + "/attachments").Status(status)
			if !tc.visible {
				tc.user.Patch("/contracts/"+mine.ID, map[string]any{"title": "x"}).Status(http.StatusNotFound)
				tc.user.Post("/contracts/"+mine.ID+"/submit", nil).Status(http.StatusNotFound)
				tc.user.Post("/contracts/"+mine.ID+"/payment-plans", map[string]any{"due_date": "2027-01-01",
					"amount": "1"}).Status(http.StatusNotFound)
			}
		}
		w.env.Admin.Get("/contracts/" + mine.ID).Status(http.StatusOK)
		w.env.Admin.Get("/contracts/not-a-uuid").Status(http.StatusNotFound)
	})
}

// TestSign: the first signed contract makes the customer active; the
// owner gets an expiry reminder at end_date − N days, 09:00 organisation
// time, which completing the contract cancels.
func TestSign(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		c := w.to(contract.Approved, map[string]any{"end_date": "2027-12-31"})
		w.rep.Post("/contracts/"+c.ID+"/sign", map[string]any{"signed_at": "2099-01-01"}).
			Status(http.StatusUnprocessableEntity)
		w.rep.Post("/contracts/"+c.ID+"/sign", map[string]any{"win_opportunity": true}).
			Status(http.StatusUnprocessableEntity)
		var cust struct {
			LifecycleStage string `json:"lifecycle_stage"`
		}
		w.rep.Get("/customers/" + w.customerID).Status(http.StatusOK).Decode(&cust)
		if cust.LifecycleStage != "prospect" {
			t.Fatalf("customer before signing: %s", cust.LifecycleStage)
		}
		var signed contract.ContractResponse
		w.rep.Post("/contracts/"+c.ID+"/sign", map[string]any{"signed_at": "2026-11-20T10:00:00+08:00"}).
			Status(http.StatusOK).Decode(&signed)
		if signed.SignedAt == nil || !signed.SignedAt.Equal(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)) {
			t.Errorf("signed_at %v", signed.SignedAt)
		}
		w.rep.Get("/customers/" + w.customerID).Status(http.StatusOK).Decode(&cust)
		if cust.LifecycleStage != "active" {
			t.Errorf("customer after first signing: %s", cust.LifecycleStage)
		}
		r := w.reminder("contract-expiry:" + c.ID)
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		if r == nil || r.Status != reminder.Pending || r.UserID != w.rep.ID ||
			!r.DueAt.Equal(time.Date(2027, 12, 1, 9, 0, 0, 0, shanghai)) {
			t.Fatalf("expiry reminder %+v", r)
		}
		w.rep.Post("/contracts/"+c.ID+"/start", nil).Status(http.StatusOK)
		w.rep.Post("/contracts/"+c.ID+"/complete", nil).Status(http.StatusOK)
		if r := w.reminder("contract-expiry:" + c.ID); r == nil || r.Status != reminder.Cancelled {
			t.Errorf("after complete %+v", r)
		}

		// A second contract signed leaves the customer alone (a manager
		// had meanwhile marked it at risk).
		w.rep.Patch("/customers/"+w.customerID, map[string]any{"lifecycle_stage": "at_risk"}).Status(http.StatusOK)
		w.to(contract.Signed, nil)
		w.rep.Get("/customers/" + w.customerID).Status(http.StatusOK).Decode(&cust)
		if cust.LifecycleStage != "at_risk" {
			t.Errorf("customer after second signing: %s", cust.LifecycleStage)
		}
	})
}
