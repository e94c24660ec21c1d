package contract_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
)

// TestTransitions tries every action endpoint from every status: the legal
// moves land where the state machine says, with their event once; every
// other move is 409 invalid_transition and changes nothing.
func TestTransitions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		legal := map[string]map[string]string{ // from → action → to
			contract.Draft:     {"submit": contract.PendingApproval},
			contract.Approved:  {"sign": contract.Signed},
			contract.Signed:    {"start": contract.Executing, "terminate": contract.Terminated},
			contract.Executing: {"complete": contract.Completed, "terminate": contract.Terminated},
		}
		events := map[string]string{"submit": "contract.submitted", "sign": "contract.signed",
			"start": "contract.started", "complete": "contract.completed", "terminate": "contract.terminated"}
		bodies := map[string]any{"terminate": map[string]any{"reason": "双方协商解除"}}
		for _, from := range contract.Statuses {
			stuck := w.to(from, nil)
			for _, action := range []string{"submit", "sign", "start", "complete", "terminate"} {
				to, ok := legal[from][action]
				if !ok {
					before := w.events(events[action], stuck.ID)
					p := w.rep.Post("/contracts/"+stuck.ID+"/"+action, bodies[action]).
						Status(http.StatusConflict).Problem()
					if p.Code != "invalid_transition" {
						t.Errorf("%s from %s: code %q", action, from, p.Code)
					}
					if got := w.get(stuck.ID); got.Version != stuck.Version || got.Status != from {
						t.Errorf("%s from %s changed the contract: %+v", action, from, got)
					}
					if n := w.events(events[action], stuck.ID); n != before {
						t.Errorf("%s from %s wrote %d events", action, from, n-before)
					}
					continue
				}
				c := w.to(from, nil)
				var got contract.ContractResponse
				w.rep.Post("/contracts/"+c.ID+"/"+action, bodies[action]).Status(http.StatusOK).Decode(&got)
				if got.Status != to || got.Version != c.Version+1 {
					t.Errorf("%s from %s: status %s version %d", action, from, got.Status, got.Version)
				}
				if n := w.events(events[action], c.ID); n != 1 {
					t.Errorf("%s from %s: %d %s events, want 1", action, from, n, events[action])
				}
			}
		}
	})
}

// TestApprovalOutcomes covers the engine's moves: approve (pending →
// approved), reject (back to draft with the rejection shown, editable and
// submittable again), and an edit while pending (withdrawn, back to draft).
func TestApprovalOutcomes(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)

		a := w.to(contract.PendingApproval, nil)
		w.decide(a.ID, "approve", "同意")
		if got := w.get(a.ID); got.Status != contract.Approved || got.ApprovedAt == nil || w.events("contract.approved", a.ID) != 1 {
			t.Errorf("approved: %+v", got)
		}

		r := w.to(contract.PendingApproval, nil)
		w.decide(r.ID, "reject", "价格过低")
		got := w.get(r.ID)
		if got.Status != contract.Draft || got.RejectedAt == nil || got.RejectionComment != "价格过低" ||
			got.SubmittedAt != nil || w.events("contract.rejected", r.ID) != 1 {
			t.Errorf("rejected: %+v", got)
		}
		w.rep.Patch("/contracts/"+r.ID, map[string]any{"amount": "120000"}).Status(http.StatusOK)
		w.rep.Post("/contracts/"+r.ID+"/submit", nil).Status(http.StatusOK)
		w.decide(r.ID, "approve", "")
		if got := w.get(r.ID); got.Status != contract.Approved || got.Amount != "120000.00" {
			t.Errorf("resubmitted: %+v", got)
		}
		// The trail keeps both rounds with the comments; out of scope 404.
		var trail struct {
			Data []struct {
				Status  string `json:"status"`
				Actions []struct {
					Comment string `json:"comment"`
				} `json:"actions"`
			} `json:"data"`
		}
		w.rep.Get("/contracts/" + r.ID + "/approvals").Status(http.StatusOK).Decode(&trail)
		if len(trail.Data) != 2 || trail.Data[0].Status != "rejected" || trail.Data[1].Status != "approved" {
			t.Errorf("trail %+v", trail)
		}
		w.away.Get("/contracts/" + r.ID + "/approvals").Status(http.StatusNotFound)

		// Edited while pending: withdrawn from the engine (nothing left in
		// the inbox), a draft again, to be resubmitted.
		p := w.to(contract.PendingApproval, nil)
		var edited contract.ContractResponse
		w.rep.Patch("/contracts/"+p.ID, map[string]any{"title": "年度采购合同（修订）"}).Status(http.StatusOK).Decode(&edited)
		if edited.Status != contract.Draft || w.events("contract.withdrawn", p.ID) != 1 {
			t.Errorf("edited while pending: %+v", edited)
		}
		var inbox struct{ Data []map[string]any }
		w.mgr.Get("/approvals?status=pending&assignee=me").Status(http.StatusOK).Decode(&inbox)
		for _, req := range inbox.Data {
			if req["doc_id"] == p.ID {
				t.Errorf("withdrawn request still pending: %v", req)
			}
		}

		// An approved contract edited goes back to draft too; a signed one
		// is no longer editable.
		ap := w.to(contract.Approved, nil)
		w.rep.Patch("/contracts/"+ap.ID, map[string]any{"terms": "新条款"}).Status(http.StatusOK)
		if got := w.get(ap.ID); got.Status != contract.Draft || got.ApprovedAt != nil {
			t.Errorf("approved then edited: %+v", got)
		}
		s := w.to(contract.Signed, nil)
		if p := w.rep.Patch("/contracts/"+s.ID, map[string]any{"title": "x"}).Status(http.StatusConflict).Problem(); p.Code != "contract_not_editable" {
			t.Errorf("edit signed: %+v", p)
		}
	})
}
