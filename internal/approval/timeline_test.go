package approval_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/approval"
	"github.com/opencrm/crm/internal/apptest"
)

// The trail of a customer's documents shows on the customer's timeline,
// newest first, and pages with the rest of it.
func TestTrailOnCustomerTimeline(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		team := w.env.Team("华东", "")
		mgr, rep := w.user("manager", team), w.user("rep", team)
		var cust struct{ ID string }
		rep.Post("/customers", map[string]any{"name": "苏州恒达精密机械有限公司"}).Status(http.StatusCreated).Decode(&cust)

		in := approval.SubmitInput{Entity: approval.EntityContract, DocID: uuid.NewString(),
			Title: "HT-20261126-0001 恒达精密 年度框架合同", Amount: 100, CustomerID: cust.ID}
		first, err := w.submitDoc(rep, in)
		if err != nil {
			t.Fatal(err)
		}
		reject(mgr.Client, first.ID, "付款条件不可接受").Status(http.StatusOK)
		second, err := w.submitDoc(rep, in)
		if err != nil {
			t.Fatal(err)
		}
		approve(mgr.Client, second.ID, "同意").Status(http.StatusOK)
		// Another customer's approvals stay off this timeline.
		w.mustSubmit(rep, approval.EntityOrder, "1")

		type item struct {
			Type    string `json:"type"`
			Summary string `json:"summary"`
			ActorID string `json:"actor_id"`
			RefType string `json:"ref_type"`
			RefID   string `json:"ref_id"`
			At      string `json:"at"`
		}
		var tl struct {
			Data       []item
			NextCursor string `json:"next_cursor"`
		}
		rep.Get("/customers/" + cust.ID + "/timeline?limit=3").Status(http.StatusOK).Decode(&tl)
		items := tl.Data
		tl.Data = nil
		rep.Get("/customers/" + cust.ID + "/timeline?limit=50&cursor=" + tl.NextCursor).Status(http.StatusOK).Decode(&tl)
		items = append(items, tl.Data...)
		var got []item
		for _, it := range items {
			if strings.HasPrefix(it.Type, "approval_") {
				got = append(got, it)
			}
		}
		var types []string
		for _, it := range got {
			types = append(types, it.Type)
		}
		if want := []string{"approval_approved", "approval_submitted", "approval_rejected", "approval_submitted"}; !slices.Equal(types, want) {
			t.Fatalf("timeline %v, want %v", types, want)
		}
		if got[0].ActorID != mgr.ID || got[0].RefType != "approval" || got[0].RefID != second.ID ||
			got[0].Summary != "Approved at step 1: contract HT-20261126-0001 恒达精密 年度框架合同 — 同意" {
			t.Errorf("approved item %+v", got[0])
		}
		if got[2].RefID != first.ID || !strings.HasSuffix(got[2].Summary, "— 付款条件不可接受") || got[3].ActorID != rep.ID {
			t.Errorf("items %+v", got)
		}
	})
}
