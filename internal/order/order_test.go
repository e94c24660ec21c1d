package order_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

var orderActions = []string{"submit", "ship", "deliver", "complete", "cancel"}

// Every action from every status: the legal ones move the order and write
// exactly their event; the rest are 409 invalid_transition and change
// nothing, events included. Approval is the manager's, through the engine.
func TestOrderTransitions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("华东", "")
		rep, mgr := env.User("rep", team), env.User("manager", team)
		cust := customerOf(t, rep.Client, "恒达精密")

		paths := map[string][]string{
			"draft": nil, "submitted": {"submit"}, "approved": {"submit", "approve"},
			"shipped": {"submit", "approve", "ship"}, "delivered": {"submit", "approve", "ship", "deliver"},
			"completed": {"submit", "approve", "ship", "deliver", "complete"}, "cancelled": {"cancel"},
		}
		legal := map[string]map[string]string{
			"draft":     {"submit": "submitted", "cancel": "cancelled"},
			"submitted": {"cancel": "cancelled"},
			"approved":  {"ship": "shipped", "cancel": "cancelled"},
			"shipped":   {"deliver": "delivered"},
			"delivered": {"complete": "completed"},
			"completed": {}, "cancelled": {},
		}
		events := map[string]string{"submit": "order.submitted", "approve": "order.approved", "ship": "order.shipped",
			"deliver": "order.delivered", "complete": "order.completed", "cancel": "order.cancelled"}
		for from, path := range paths {
			for _, action := range orderActions {
				o := createOrder(t, rep.Client, cust)
				var want []string
				for _, a := range path {
					if a == "approve" {
						mgr.Post("/approvals/"+pendingApproval(t, mgr.Client, o.ID)+"/approve", nil).Status(http.StatusOK)
					} else {
						rep.Post("/orders/"+o.ID+"/"+a, body(a)).Status(http.StatusOK)
					}
					want = append(want, events[a])
				}
				if got := eventsOf(t, env, o.ID); !slices.Equal(got, want) {
					t.Fatalf("path to %s: events %v, want %v", from, got, want)
				}
				before := getOrder(t, rep.Client, o.ID)
				if before.Status != from {
					t.Fatalf("path to %s reached %s", from, before.Status)
				}
				to, ok := legal[from][action]
				if !ok {
					p := rep.Post("/orders/"+o.ID+"/"+action, body(action)).Status(http.StatusConflict).Problem()
					after := getOrder(t, rep.Client, o.ID)
					if p.Code != "invalid_transition" || after.Version != before.Version || after.Status != from {
						t.Errorf("%s from %s: %s, order %s v%d", action, from, p.Code, after.Status, after.Version)
					}
				} else {
					after := getOrder(t, rep.Client, o.ID)
					rep.Post("/orders/"+o.ID+"/"+action, body(action)).Status(http.StatusOK).Decode(&after)
					if after.Status != to || after.Version != before.Version+1 {
						t.Errorf("%s from %s: %s v%d", action, from, after.Status, after.Version)
					}
					want = append(want, events[action])
				}
				if got := eventsOf(t, env, o.ID); !slices.Equal(got, want) {
					t.Errorf("%s from %s: events %v, want %v", action, from, got, want)
				}
			}
		}
	})
}

// Shipping records carrier and tracking number; cancelling needs a
// reason and withdraws a pending approval; 422s change nothing.
func TestOrderShipAndCancel(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("华东", "")
		rep, mgr := env.User("rep", team), env.User("manager", team)
		cust := customerOf(t, rep.Client, "恒达精密")

		o := createOrder(t, rep.Client, cust)
		rep.Post("/orders/"+o.ID+"/submit", nil).Status(http.StatusOK)
		req := pendingApproval(t, mgr.Client, o.ID)
		rep.Post("/orders/"+o.ID+"/cancel", map[string]any{"reason": "  "}).Status(http.StatusUnprocessableEntity)
		if got := getOrder(t, rep.Client, o.ID); got.Status != "submitted" || approvalStatus(t, mgr.Client, req) != "pending" {
			t.Fatalf("422 cancel changed things: %s", got.Status)
		}
		rep.Post("/orders/"+o.ID+"/cancel", body("cancel")).Status(http.StatusOK)
		if got := getOrder(t, rep.Client, o.ID); got.Status != "cancelled" || got.CancelReason != "客户取消采购计划" ||
			got.CancelledAt == nil || approvalStatus(t, mgr.Client, req) != "cancelled" {
			t.Fatalf("cancelled %+v", got)
		}

		o = createOrder(t, rep.Client, cust)
		rep.Post("/orders/"+o.ID+"/submit", nil).Status(http.StatusOK)
		mgr.Post("/approvals/"+pendingApproval(t, mgr.Client, o.ID)+"/approve", nil).Status(http.StatusOK)
		rep.Post("/orders/"+o.ID+"/ship", map[string]any{"carrier": "顺丰速运"}).Status(http.StatusUnprocessableEntity)
		rep.Req("POST", "/orders/"+o.ID+"/ship", body("ship")).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		if got := getOrder(t, rep.Client, o.ID); got.Status != "approved" || got.Carrier != "" {
			t.Fatalf("refused ship changed the order: %+v", got)
		}
		rep.Post("/orders/"+o.ID+"/ship", body("ship")).Status(http.StatusOK)
		if got := getOrder(t, rep.Client, o.ID); got.Carrier != "顺丰速运" || got.TrackingNumber != "SF1234567890" ||
			got.ShippedAt == nil || got.ApprovedAt == nil || got.SubmittedAt == nil {
			t.Fatalf("shipped %+v", got)
		}
	})
}

// A rejected approval returns the order to draft; editing a submitted
// order withdraws its request and puts it back to draft, to resubmit.
func TestOrderApprovalRejectAndEdit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("华东", "")
		rep, mgr := env.User("rep", team), env.User("manager", team)
		cust := customerOf(t, rep.Client, "恒达精密")
		o := createOrder(t, rep.Client, cust)

		rep.Post("/orders/"+o.ID+"/submit", nil).Status(http.StatusOK)
		mgr.Post("/approvals/"+pendingApproval(t, mgr.Client, o.ID)+"/reject", map[string]any{"comment": "价格太低"}).
			Status(http.StatusOK)
		if got := getOrder(t, rep.Client, o.ID); got.Status != "draft" {
			t.Fatalf("after reject: %s", got.Status)
		}

		rep.Post("/orders/"+o.ID+"/submit", nil).Status(http.StatusOK)
		req := pendingApproval(t, mgr.Client, o.ID)
		var up struct{ Status, Total string }
		rep.Patch("/orders/"+o.ID, map[string]any{"items": []any{line("1", "100.00", "0", "0")}}).
			Status(http.StatusOK).Decode(&up)
		if up.Status != "draft" || up.Total != "100.00" || approvalStatus(t, mgr.Client, req) != "cancelled" {
			t.Fatalf("edit while pending: %+v, request %s", up, approvalStatus(t, mgr.Client, req))
		}
		rep.Post("/orders/"+o.ID+"/submit", nil).Status(http.StatusOK)
		mgr.Post("/approvals/"+pendingApproval(t, mgr.Client, o.ID)+"/approve", nil).Status(http.StatusOK)
		if got := getOrder(t, rep.Client, o.ID); got.Status != "approved" {
			t.Fatalf("resubmitted and approved: %s", got.Status)
		}
		// Past submitted, edits are refused.
		p := rep.Patch("/orders/"+o.ID, map[string]any{"notes": "x"}).Status(http.StatusConflict).Problem()
		if p.Code != "not_editable" {
			t.Fatalf("code %s", p.Code)
		}
	})
}

// Orders follow the customer data scope; references out of scope are 422.
func TestOrderScopeAndRefs(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("华东", ""), env.Team("华西", "")
		rep, peer, westRep := env.User("rep", east), env.User("rep", east), env.User("rep", west)
		mgr := env.User("manager", east)
		cust := customerOf(t, rep.Client, "恒达精密")
		o := createOrder(t, rep.Client, cust)
		if o.Number == "" || o.PaymentStatus != "unpaid" || o.Total != "2748160.00" || o.Status != "draft" {
			t.Fatalf("created %+v", o)
		}
		for _, c := range []struct {
			name string
			who  *apptest.Client
			n    int
		}{{"owner", rep.Client, 1}, {"manager", mgr.Client, 1}, {"admin", env.Admin, 1}, {"peer", peer.Client, 0},
			{"other team", westRep.Client, 0}} {
			var l struct {
				Data []struct{ ID string } `json:"data"`
			}
			c.who.Get("/orders").Status(http.StatusOK).Decode(&l)
			want := http.StatusOK
			if c.n == 0 {
				want = http.StatusNotFound
				c.who.Patch("/orders/"+o.ID, map[string]any{"notes": "x"}).Status(want)
				for _, a := range orderActions {
					c.who.Post("/orders/"+o.ID+"/"+a, body(a)).Status(want)
				}
			}
			if len(l.Data) != c.n {
				t.Errorf("%s lists %d", c.name, len(l.Data))
			}
			c.who.Get("/orders/" + o.ID).Status(want)
		}

		// A customer, quote or opportunity the caller cannot see is 422.
		foreign := customerOf(t, peer.Client, "别人的客户")
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"customer_id": foreign, "items": []any{line("1", "1", "0", "0")}}, "customer_id"},
			{map[string]any{"customer_id": cust, "quote_id": o.ID, "items": []any{line("1", "1", "0", "0")}}, "quote_id"},
			{map[string]any{"customer_id": cust, "opportunity_id": o.ID, "items": []any{line("1", "1", "0", "0")}}, "opportunity_id"},
			{map[string]any{"customer_id": cust, "contract_id": "nope", "items": []any{line("1", "1", "0", "0")}}, "contract_id"},
			{map[string]any{"customer_id": cust, "delivery_date": "20-12-2026", "items": []any{line("1", "1", "0", "0")}}, "delivery_date"},
			{map[string]any{"customer_id": cust, "items": []any{}}, "items"},
		} {
			if p := rep.Post("/orders", c.body).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField(c.field) {
				t.Errorf("%v: %+v", c.body, p.Errors)
			}
		}
		var l struct {
			Data []struct{ ID string } `json:"data"`
		}
		env.Admin.Get("/orders").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 1 {
			t.Fatalf("422s created orders: %d", len(l.Data))
		}
	})
}
