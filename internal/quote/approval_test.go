package quote_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/order"
)

// pendingApproval is the id of the pending request for doc in c's inbox.
func pendingApproval(t *testing.T, c *apptest.Client, doc string) string {
	t.Helper()
	var out struct {
		Data []struct {
			ID    string `json:"id"`
			DocID string `json:"doc_id"`
		} `json:"data"`
	}
	c.Get("/approvals?status=pending&assignee=me&limit=200").Status(http.StatusOK).Decode(&out)
	for _, r := range out.Data {
		if r.DocID == doc {
			return r.ID
		}
	}
	t.Fatalf("no pending approval for %s", doc)
	return ""
}

// A discount above the threshold needs the manager's approval; one at the
// threshold does not. The manager approves in the inbox (the submitter
// cannot), a rejection returns the quote to draft, and an edit while
// pending withdraws the request.
func TestQuoteDiscountApproval(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		setThreshold(t, env, "15")
		team := env.Team("华东", "")
		rep, mgr := env.User("rep", team), env.User("manager", team)
		cust := customerOf(t, rep.Client, "恒达精密")

		at := createQuote(t, rep.Client, cust, line("1", "100", "15", "0"))
		if q := act(t, rep.Client, at.ID, "submit", nil, http.StatusOK); q.Status != "approved" {
			t.Fatalf("at the threshold: %s", q.Status)
		}

		q := createQuote(t, rep.Client, cust, line("1", "100", "0", "0"), line("1", "100", "15.01", "0"))
		if got := act(t, rep.Client, q.ID, "submit", nil, http.StatusOK); got.Status != "pending_approval" ||
			got.SubmittedAt == nil || got.ApprovedAt != nil {
			t.Fatalf("above the threshold: %+v", got)
		}
		if ev := eventsOf(t, env, q.ID); !slices.Equal(ev, []string{"quote.submitted"}) {
			t.Fatalf("events %v", ev)
		}
		// Pending is not approved: it cannot be sent.
		rep.Post("/quotes/"+q.ID+"/send", nil).Status(http.StatusConflict)
		req := pendingApproval(t, mgr.Client, q.ID)
		rep.Post("/approvals/"+req+"/approve", nil).Status(http.StatusForbidden)
		mgr.Post("/approvals/"+req+"/reject", map[string]any{"comment": "折扣太大"}).Status(http.StatusOK)
		if got := getQuote(t, rep.Client, q.ID); got.Status != "draft" {
			t.Fatalf("after reject: %s", got.Status)
		}

		// Edited while pending: the request is withdrawn, back to draft.
		act(t, rep.Client, q.ID, "submit", nil, http.StatusOK)
		req = pendingApproval(t, mgr.Client, q.ID)
		var up struct{ Status string }
		rep.Patch("/quotes/"+q.ID, map[string]any{"notes": "改价"}).Status(http.StatusOK).Decode(&up)
		var r struct{ Status string }
		mgr.Get("/approvals/" + req).Status(http.StatusOK).Decode(&r)
		if up.Status != "draft" || r.Status != "cancelled" {
			t.Fatalf("edit while pending: quote %s, request %s", up.Status, r.Status)
		}
		mgr.Post("/approvals/"+req+"/approve", nil).Status(http.StatusConflict)

		act(t, rep.Client, q.ID, "submit", nil, http.StatusOK)
		mgr.Post("/approvals/"+pendingApproval(t, mgr.Client, q.ID)+"/approve", nil).Status(http.StatusOK)
		if got := getQuote(t, rep.Client, q.ID); got.Status != "approved" || got.ApprovedAt == nil {
			t.Fatalf("approved: %+v", got)
		}
		want := []string{"quote.submitted", "quote.submitted", "quote.submitted", "quote.approved"}
		if ev := eventsOf(t, env, q.ID); !slices.Equal(ev, want) {
			t.Fatalf("events %v, want %v", ev, want)
		}
	})
}

// An accepted quote converts once into an order with the same lines and
// figures; a second conversion is 409 and makes no second order.
func TestQuoteConvertOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("华东", "")
		rep, mgr := env.User("rep", team), env.User("manager", team)
		cust := customerOf(t, rep.Client, "恒达精密")
		q := createQuote(t, rep.Client, cust, line("3", "0.05", "10", "0.13"), line("2", "99.99", "0", "0.06"))
		for _, a := range []string{"submit", "send", "accept"} {
			act(t, rep.Client, q.ID, a, nil, http.StatusOK)
		}
		// The manager converts the rep's quote; the rep keeps the order.
		var o order.OrderResponse
		mgr.Post("/quotes/"+q.ID+"/convert", nil).Status(http.StatusCreated).Decode(&o)
		if o.Status != "draft" || o.CustomerID != cust || o.OwnerID != rep.ID || *o.QuoteID != q.ID ||
			o.Total != q.Total || o.Subtotal != q.Subtotal || o.TaxTotal != q.TaxTotal || len(o.Items) != 2 ||
			o.Items[0].Net != q.Items[0].Net || o.Items[1].Total != q.Items[1].Total || o.Number[:3] != "SO-" {
			t.Fatalf("order %+v from %+v", o, q)
		}
		p := rep.Post("/quotes/"+q.ID+"/convert", nil).Status(http.StatusConflict).Problem()
		if p.Code != "already_converted" {
			t.Fatalf("second convert: %s", p.Code)
		}
		// A direct order naming the converted quote is refused too.
		rep.Post("/orders", map[string]any{"customer_id": cust, "quote_id": q.ID,
			"items": []any{line("1", "1", "0", "0")}}).Status(http.StatusConflict)
		var l struct {
			Data []struct{ ID string } `json:"data"`
		}
		rep.Get("/orders?quote_id=" + q.ID).Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 1 || l.Data[0].ID != o.ID {
			t.Fatalf("orders of the quote: %+v", l.Data)
		}
		if got := getQuote(t, rep.Client, q.ID); *got.ConvertedOrderID != o.ID || got.Status != "accepted" {
			t.Fatalf("quote %+v", got)
		}
		if ev := eventsOf(t, env, q.ID); ev[len(ev)-1] != "quote.converted" || len(ev) != 5 {
			t.Fatalf("events %v", ev)
		}
		// The customer's timeline shows both documents.
		var tl struct {
			Data []struct{ Type string } `json:"data"`
		}
		rep.Get("/customers/" + cust + "/timeline?limit=200").Status(http.StatusOK).Decode(&tl)
		var types []string
		for _, it := range tl.Data {
			types = append(types, it.Type)
		}
		for _, want := range []string{"quote_create", "quote_accept", "quote_convert", "order_create"} {
			if !slices.Contains(types, want) {
				t.Errorf("timeline %v lacks %s", types, want)
			}
		}
	})
}

// The sweep expires approved and sent quotes once their last valid day is
// over in the organisation's time zone, once.
func TestQuoteExpirySweep(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		cust := customerOf(t, rep.Client, "恒达精密")
		mk := func(validUntil string, path ...string) string {
			var q quoteRef
			rep.Post("/quotes", map[string]any{"customer_id": cust, "valid_until": validUntil,
				"items": []any{line("1", "1", "0", "0")}}).Status(http.StatusCreated).Decode(&q)
			for _, a := range path {
				rep.Post("/quotes/"+q.ID+"/"+a, nil).Status(http.StatusOK)
			}
			return q.ID
		}
		sent := mk("2020-01-01", "submit", "send")
		approved := mk("2020-01-01", "submit")
		draft := mk("2020-01-01")
		accepted := mk("2020-01-01", "submit", "send", "accept")
		future := mk("2099-01-01", "submit", "send")

		var res struct{ Processed int }
		env.Admin.Post("/admin/jobs/quote-expiry-sweep/run", nil).Status(http.StatusOK).Decode(&res)
		if res.Processed != 2 {
			t.Fatalf("processed %d", res.Processed)
		}
		env.Admin.Post("/admin/jobs/quote-expiry-sweep/run", nil).Status(http.StatusOK).Decode(&res)
		if res.Processed != 0 {
			t.Fatalf("second run processed %d", res.Processed)
		}
		for id, want := range map[string]string{sent: "expired", approved: "expired", draft: "draft",
			accepted: "accepted", future: "sent"} {
			if got := getQuote(t, rep.Client, id); got.Status != want {
				t.Errorf("%s: %s, want %s", id, got.Status, want)
			}
		}
		if ev := eventsOf(t, env, sent); !slices.Equal(ev, []string{"quote.submitted", "quote.approved", "quote.sent",
			"quote.expired"}) {
			t.Errorf("events %v", ev)
		}
	})
}
