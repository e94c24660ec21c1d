package approval_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/approval"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
)

// Without a rule, a document goes to the submitter's team manager alone;
// nobody else may decide it, and approving it moves the document.
func TestSingleStepChain(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		team := w.env.Team("华东", "")
		mgr, rep := w.user("manager", team), w.user("rep", team)
		outsider := w.user("manager", w.env.Team("华南", ""))

		req := w.mustSubmit(rep, approval.EntityContract, "80000")
		v := get(t, rep.Client, req.ID)
		if v.Status != "pending" || v.CurrentStep != 1 || len(v.Steps) != 1 || v.RuleID != nil ||
			v.Steps[0].ApproverType != "manager" || v.Steps[0].Mode != "any" || v.Steps[0].Status != "pending" ||
			v.SubmittedBy != rep.ID || v.Amount != "80000.00" || v.Version != 1 {
			t.Fatalf("submitted %+v", v)
		}
		if got := approvers(v); !slices.Equal(got[0], []string{mgr.ID}) {
			t.Fatalf("approvers %v, want the manager", got)
		}
		if ids := inbox(t, mgr.Client); !slices.Equal(ids, []string{req.ID}) {
			t.Errorf("manager's inbox %v", ids)
		}
		if n := notices(t, mgr.Client)["approval_requested"]; !slices.Equal(n, []string{req.ID}) {
			t.Errorf("manager's notifications %v", n)
		}

		// Nobody approves their own submission; nobody off the step
		// decides; an admin is not an approver by being an admin.
		if ids := inbox(t, rep.Client); len(ids) != 0 {
			t.Errorf("submitter's inbox %v", ids)
		}
		if p := approve(rep.Client, req.ID, "").Status(http.StatusForbidden).Problem(); p.Code != "not_approver" {
			t.Errorf("self-approval: %+v", p)
		}
		approve(w.env.Admin, req.ID, "").Status(http.StatusForbidden)
		reject(w.env.Admin, req.ID, "不行").Status(http.StatusForbidden)
		approve(outsider.Client, req.ID, "").Status(http.StatusNotFound)
		if v := get(t, w.env.Admin, req.ID); v.Status != "pending" || v.Version != 1 || w.doc.approvedTimes(req.DocID) != 0 {
			t.Fatalf("refused decisions changed the request: %+v", v)
		}

		// Approve without a body; the document moves in the same stroke.
		resp := mgr.Req(http.MethodPost, "/approvals/"+req.ID+"/approve", nil).Send().Status(http.StatusOK)
		if resp.Header.Get("ETag") != `"2"` {
			t.Errorf("ETag %q", resp.Header.Get("ETag"))
		}
		var done approval.RequestView
		resp.Decode(&done)
		if done.Status != "approved" || done.DecidedAt == nil || done.Steps[0].Status != "approved" ||
			*done.Steps[0].Approvers[0].Decision != "approved" || !slices.Equal(actions(done), []string{"submitted", "approved"}) ||
			done.Actions[1].UserID != mgr.ID || *done.Actions[1].Step != 1 {
			t.Fatalf("approved %+v", done)
		}
		if n := w.doc.approvedTimes(req.DocID); n != 1 {
			t.Errorf("Document.Approved called %d times", n)
		}
		if n := notices(t, rep.Client)["approval_approved"]; !slices.Equal(n, []string{req.ID}) {
			t.Errorf("submitter's notifications %v", n)
		}
		if ev := events(t, w.env, req.ID); !slices.Equal(ev, []string{"approval.approved"}) {
			t.Errorf("events %v", ev)
		}
		if ids := inbox(t, mgr.Client); len(ids) != 0 {
			t.Errorf("decided request still in the inbox: %v", ids)
		}
		if p := approve(mgr.Client, req.ID, "").Status(http.StatusConflict).Problem(); p.Code != "invalid_transition" {
			t.Errorf("approve twice: %+v", p)
		}
		if ok, err := w.env.App.Approvals.Pending(context.Background(), approval.EntityContract, req.DocID); ok || err != nil {
			t.Errorf("Pending after approval = %v, %v", ok, err)
		}
		var audit struct{ Data []struct{ Action string } }
		w.env.Admin.Get("/audit-logs?entity_type=approval&entity_id=" + req.ID).Status(http.StatusOK).Decode(&audit)
		if len(audit.Data) != 2 {
			t.Errorf("audit %+v, want submit and approve", audit.Data)
		}
	})
}

// A chain of several steps: an any step closes with its first approval,
// an all step waits for every approver, and each step opens in turn.
func TestMultiStepChain(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		team := w.env.Team("上海", "")
		m1, m2, rep := w.user("manager", team), w.user("manager", team), w.user("rep", team)
		u1, u2 := w.user("rep", ""), w.user("manager", "")
		w.rule(map[string]any{"name": "大额合同", "entity": "contract", "min_amount": "100000", "steps": []map[string]any{
			{"approver_type": "manager"},
			{"approver_type": "user", "user_ids": []string{u1.ID, u2.ID}, "mode": "all"},
			{"approver_type": "role", "role": "admin", "mode": "any"},
		}})
		admin := w.admin()

		req := w.mustSubmit(rep, approval.EntityContract, "500000")
		v := get(t, rep.Client, req.ID)
		want := [][]string{sorted(m1.ID, m2.ID), sorted(u1.ID, u2.ID), {admin.ID}}
		if got := approvers(v); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("approvers %v, want %v", got, want)
		}
		if st := []string{v.Steps[0].Status, v.Steps[1].Status, v.Steps[2].Status}; !slices.Equal(st, []string{"pending", "waiting", "waiting"}) {
			t.Errorf("step statuses %v", st)
		}
		if ids := inbox(t, u1.Client); len(ids) != 0 {
			t.Errorf("a later step's approver sees it in the inbox: %v", ids)
		}
		if p := approve(u1.Client, req.ID, "").Status(http.StatusForbidden).Problem(); p.Code != "not_approver" {
			t.Errorf("approving a later step early: %+v", p)
		}

		// Step 1, any: one manager's approval is enough; the other is too late.
		approve(m1.Client, req.ID, "同意").Status(http.StatusOK)
		if p := approve(m2.Client, req.ID, "").Status(http.StatusConflict).Problem(); p.Code != "already_decided" {
			t.Errorf("second approver of an any step: %+v", p)
		}
		if ids := inbox(t, m2.Client); len(ids) != 0 {
			t.Errorf("closed step still in the inbox: %v", ids)
		}
		if n := notices(t, u1.Client)["approval_requested"]; !slices.Equal(n, []string{req.ID}) {
			t.Errorf("step 2 not notified when it opened: %v", n)
		}

		// Step 2, all: both users must approve.
		var mid approval.RequestView
		approve(u1.Client, req.ID, "").Status(http.StatusOK).Decode(&mid)
		if mid.CurrentStep != 2 || mid.Status != "pending" {
			t.Fatalf("after one of two: %+v", mid)
		}
		if p := approve(u1.Client, req.ID, "").Status(http.StatusConflict).Problem(); p.Code != "already_decided" {
			t.Errorf("deciding twice: %+v", p)
		}
		if ids := inbox(t, u1.Client); len(ids) != 0 {
			t.Errorf("decided approver's inbox %v", ids)
		}
		if ids := inbox(t, u2.Client); !slices.Equal(ids, []string{req.ID}) {
			t.Errorf("other approver's inbox %v", ids)
		}
		if len(notices(t, w.env.Admin)["approval_requested"]) != 0 {
			t.Error("step 3 notified before step 2 was complete")
		}
		approve(u2.Client, req.ID, "").Status(http.StatusOK)
		if w.doc.approvedTimes(req.DocID) != 0 {
			t.Fatal("document approved before the last step")
		}

		// Step 3: the admins.
		if ids := inbox(t, w.env.Admin); !slices.Equal(ids, []string{req.ID}) {
			t.Errorf("admin's inbox %v", ids)
		}
		var done approval.RequestView
		approve(w.env.Admin, req.ID, "").Status(http.StatusOK).Decode(&done)
		if done.Status != "approved" || done.CurrentStep != 3 || w.doc.approvedTimes(req.DocID) != 1 {
			t.Fatalf("final %+v", done)
		}
		for i, st := range done.Steps {
			if st.Status != "approved" {
				t.Errorf("step %d %s", i+1, st.Status)
			}
		}
		if got := actions(done); !slices.Equal(got, []string{"submitted", "approved", "approved", "approved", "approved"}) {
			t.Errorf("trail %v", got)
		}
		// m2 never decided: the any step closed without them.
		for _, a := range done.Steps[0].Approvers {
			if a.UserID == m2.ID && a.Decision != nil {
				t.Errorf("m2 recorded as %s", *a.Decision)
			}
		}
	})
}

// A rejection at any step ends the request and sends the document back
// with the comment; the document may then be submitted again.
func TestRejectReturnsDocument(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		team := w.env.Team("华东", "")
		mgr, rep := w.user("manager", team), w.user("rep", team)
		w.rule(map[string]any{"name": "两级", "entity": "order", "steps": []map[string]any{
			{"approver_type": "manager"}, {"approver_type": "role", "role": "admin"},
		}})
		req := w.mustSubmit(rep, approval.EntityOrder, "1000")

		for _, body := range []map[string]any{{"comment": ""}, {"comment": "  "}, {}} {
			p := mgr.Post("/approvals/"+req.ID+"/reject", body).Status(http.StatusUnprocessableEntity).Problem()
			if !p.HasField("comment") {
				t.Errorf("%v: %+v", body, p)
			}
		}
		mgr.Req(http.MethodPost, "/approvals/"+req.ID+"/reject", nil).Send().Status(http.StatusBadRequest)
		long := make([]rune, 2001)
		for i := range long {
			long[i] = '长'
		}
		approve(mgr.Client, req.ID, string(long)).Status(http.StatusUnprocessableEntity)
		if v := get(t, mgr.Client, req.ID); v.Version != 1 || len(v.Actions) != 1 {
			t.Fatalf("invalid decisions changed the request: %+v", v)
		}

		approve(mgr.Client, req.ID, "经理同意").Status(http.StatusOK)
		var done approval.RequestView
		reject(w.env.Admin, req.ID, "  价格低于底价  ").Status(http.StatusOK).Decode(&done)
		if done.Status != "rejected" || done.CurrentStep != 2 || done.Steps[0].Status != "approved" ||
			done.Steps[1].Status != "rejected" || done.Actions[2].Comment != "价格低于底价" {
			t.Fatalf("rejected %+v", done)
		}
		if c, ok := w.doc.rejection(req.DocID); !ok || c != "价格低于底价" {
			t.Errorf("Document.Rejected: %q %v", c, ok)
		}
		if w.doc.approvedTimes(req.DocID) != 0 {
			t.Error("a rejected document was approved")
		}
		if n := notices(t, rep.Client)["approval_rejected"]; !slices.Equal(n, []string{req.ID}) {
			t.Errorf("submitter's notifications %v", n)
		}
		if ev := events(t, w.env, req.ID); !slices.Equal(ev, []string{"approval.rejected"}) {
			t.Errorf("events %v", ev)
		}
		approve(w.env.Admin, req.ID, "").Status(http.StatusConflict)

		// Rejected at step 1 of a chain: the later steps are skipped.
		again, err := w.submitDoc(rep, approval.SubmitInput{Entity: approval.EntityOrder, DocID: req.DocID, Title: "SO-1", Amount: 1})
		if err != nil {
			t.Fatalf("resubmit after a rejection: %v", err)
		}
		reject(mgr.Client, again.ID, "重做").Status(http.StatusOK).Decode(&done)
		if done.Steps[1].Status != "skipped" {
			t.Errorf("unreached step %s", done.Steps[1].Status)
		}
		trail, err := w.env.App.Approvals.Trail(context.Background(), approval.EntityOrder, req.DocID)
		if err != nil || len(trail) != 2 || trail[0].ID != req.ID || trail[1].ID != again.ID {
			t.Fatalf("trail %+v %v", trail, err)
		}
	})
}

// A document edited while pending is withdrawn and must be resubmitted;
// the withdrawn request cannot be decided any more.
func TestWithdrawWhenEdited(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		team := w.env.Team("华东", "")
		mgr, rep := w.user("manager", team), w.user("rep", team)
		req := w.mustSubmit(rep, approval.EntityContract, "1000")
		svc := w.env.App.Approvals
		ctx := authz.WithActor(context.Background(), rep.actor())

		// One pending request per document.
		_, err := w.submitDoc(rep, approval.SubmitInput{Entity: approval.EntityContract, DocID: req.DocID, Title: "x", Amount: 1})
		if !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("second submission while pending: %v", err)
		}
		if ok, _ := svc.Pending(ctx, approval.EntityContract, req.DocID); !ok {
			t.Fatal("not pending")
		}

		if err := w.env.App.DB.WithTx(ctx, func(ctx context.Context) error {
			return svc.Withdraw(ctx, approval.EntityContract, req.DocID, "金额已修改")
		}); err != nil {
			t.Fatal(err)
		}
		if ok, _ := svc.Pending(ctx, approval.EntityContract, req.DocID); ok {
			t.Error("still pending after withdrawal")
		}
		if ids := inbox(t, mgr.Client); len(ids) != 0 {
			t.Errorf("withdrawn request in the inbox: %v", ids)
		}
		if p := approve(mgr.Client, req.ID, "").Status(http.StatusConflict).Problem(); p.Code != "invalid_transition" {
			t.Errorf("approving a withdrawn request: %+v", p)
		}
		v := get(t, rep.Client, req.ID)
		if v.Status != "cancelled" || v.Steps[0].Status != "cancelled" || v.DecidedAt == nil ||
			!slices.Equal(actions(v), []string{"submitted", "withdrawn"}) || v.Actions[1].Comment != "金额已修改" ||
			v.Actions[1].UserID != rep.ID {
			t.Fatalf("withdrawn %+v", v)
		}
		if w.doc.approvedTimes(req.DocID) != 0 {
			t.Error("withdrawal approved the document")
		}
		if _, ok := w.doc.rejection(req.DocID); ok {
			t.Error("withdrawal called Rejected: the document module moves its own document")
		}
		// Nothing pending: a no-op.
		if err := svc.Withdraw(ctx, approval.EntityContract, req.DocID, "again"); err != nil {
			t.Fatal(err)
		}

		again := w.mustSubmitDoc(rep, req.DocID)
		approve(mgr.Client, again.ID, "").Status(http.StatusOK)
		trail, err := svc.Trail(ctx, approval.EntityContract, req.DocID)
		if err != nil || len(trail) != 2 || trail[0].Status != "cancelled" || trail[1].Status != "approved" {
			t.Fatalf("trail %+v %v", trail, err)
		}
	})
}

func (w *world) mustSubmitDoc(m member, docID string) *approval.Request {
	w.t.Helper()
	r, err := w.submitDoc(m, approval.SubmitInput{Entity: approval.EntityContract, DocID: docID, Title: "HT-2", Amount: 100})
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// If-Match on a decision guards against deciding on a stale view.
func TestDecisionIfMatch(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		team := w.env.Team("华东", "")
		m1, m2, rep := w.user("manager", team), w.user("manager", team), w.user("rep", team)
		w.rule(map[string]any{"name": "会签", "entity": "quote", "steps": []map[string]any{{"approver_type": "manager", "mode": "all"}}})
		req := w.mustSubmit(rep, approval.EntityQuote, "10")
		m1.Req(http.MethodPost, "/approvals/"+req.ID+"/approve", map[string]any{}).Header("If-Match", `"1"`).Send().
			Status(http.StatusOK)
		m2.Req(http.MethodPost, "/approvals/"+req.ID+"/approve", map[string]any{}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		if v := get(t, m2.Client, req.ID); v.Status != "pending" || v.Version != 2 {
			t.Fatalf("412 changed the request: %+v", v)
		}
		m2.Req(http.MethodPost, "/approvals/"+req.ID+"/approve", nil).Header("If-Match", "nope").Send().
			Status(http.StatusBadRequest)
		m2.Req(http.MethodPost, "/approvals/"+req.ID+"/approve", nil).Header("If-Match", `"2"`).Send().Status(http.StatusOK)
		if w.doc.approvedTimes(req.DocID) != 1 {
			t.Error("not approved")
		}
	})
}
