package contract_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
)

// TestWinOpportunity: signing with win_opportunity closes the linked
// opportunity as won at the contract amount, in the same transaction: if
// the win is refused (already closed) the contract stays approved and no
// event is written.
func TestWinOpportunity(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		var opp struct{ ID, Status, Amount string }
		w.rep.Post("/opportunities", map[string]any{"name": "年度采购", "customer_id": w.customerID, "amount": "90000"}).
			Status(http.StatusCreated).Decode(&opp)
		// An opportunity of another customer does not link.
		var other struct{ ID string }
		w.rep.Post("/customers", map[string]any{"name": "杭州远景科技有限公司"}).Status(http.StatusCreated).Decode(&other)
		var otherOpp struct{ ID string }
		w.rep.Post("/opportunities", map[string]any{"name": "B", "customer_id": other.ID}).
			Status(http.StatusCreated).Decode(&otherOpp)
		if p := w.rep.Post("/contracts", map[string]any{"customer_id": w.customerID, "title": "x", "amount": "1",
			"start_date": "2027-01-01", "end_date": "2027-01-02", "opportunity_id": otherOpp.ID}).
			Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("opportunity_id") {
			t.Errorf("other customer's opportunity: %+v", p)
		}

		c := w.to(contract.Approved, map[string]any{"opportunity_id": opp.ID, "amount": "120000"})
		if c.OpportunityID == nil || *c.OpportunityID != opp.ID {
			t.Fatalf("link %+v", c)
		}
		var signed contract.ContractResponse
		w.rep.Post("/contracts/"+c.ID+"/sign", map[string]any{"win_opportunity": true}).Status(http.StatusOK).Decode(&signed)
		w.rep.Get("/opportunities/" + opp.ID).Status(http.StatusOK).Decode(&opp)
		if signed.Status != contract.Signed || opp.Status != "won" || opp.Amount != "120000.00" {
			t.Errorf("signed %s, opportunity %+v", signed.Status, opp)
		}

		// The opportunity is closed now: a second contract that tries to
		// win it is refused and rolled back whole.
		c2 := w.to(contract.Approved, map[string]any{"opportunity_id": opp.ID})
		w.rep.Post("/contracts/"+c2.ID+"/sign", map[string]any{"win_opportunity": true}).Status(http.StatusConflict)
		if got := w.get(c2.ID); got.Status != contract.Approved || got.Version != c2.Version || w.events("contract.signed", c2.ID) != 0 {
			t.Errorf("refused sign changed %+v", got)
		}
		if r := w.reminder("contract-expiry:" + c2.ID); r != nil {
			t.Errorf("refused sign left a reminder %+v", r)
		}
	})
}
