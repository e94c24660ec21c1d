package opportunity_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/opportunity"
)

func TestLeadConversionOpensOpportunity(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		lead := func(company string) string {
			var l struct{ ID string }
			rep.Post("/leads", map[string]any{"name": "王建国", "company": company, "source": "exhibition"}).
				Status(http.StatusCreated).Decode(&l)
			return l.ID
		}

		// A bad opportunity part fails the whole conversion.
		l1 := lead("苏州恒达精密机械有限公司")
		p := rep.Post("/leads/"+l1+"/convert", map[string]any{"opportunity": map[string]any{"amount": "x",
			"expected_close_date": "soon"}}).Status(http.StatusUnprocessableEntity).Problem()
		if !p.HasField("opportunity.amount") || !p.HasField("opportunity.expected_close_date") {
			t.Errorf("422 %+v", p.Errors)
		}
		var st struct{ Status string }
		rep.Get("/leads/" + l1).Status(http.StatusOK).Decode(&st)
		if st.Status == "converted" || len(listOpps(t, rep.Client, "/opportunities").Data) != 0 {
			t.Fatal("failed conversion left something behind")
		}

		var out struct {
			Customer struct{ ID, Name string }        `json:"customer"`
			Contact  struct{ ID string }              `json:"contact"`
			Opp      *opportunity.OpportunityResponse `json:"opportunity"`
		}
		rep.Post("/leads/"+l1+"/convert", map[string]any{"opportunity": map[string]any{"amount": "50000",
			"expected_close_date": "2026-12-31"}}).Status(http.StatusOK).Decode(&out)
		o := out.Opp
		if o == nil || o.Name != out.Customer.Name || o.CustomerID != out.Customer.ID || *o.ContactID != out.Contact.ID ||
			o.Amount.String() != "50000.00" || *o.ExpectedCloseDate != "2026-12-31" || o.OwnerID != rep.ID ||
			o.Source != "exhibition" || o.StageID != stageResearch {
			t.Fatalf("opportunity %+v", o)
		}
		if got := getOpp(t, rep.Client, o.ID); got.ID != o.ID {
			t.Error("not stored")
		}

		// Without the opportunity part, none is made (and none answered).
		var plain map[string]any
		rep.Post("/leads/"+lead("无锡精工")+"/convert", map[string]any{}).Status(http.StatusOK).Decode(&plain)
		if _, ok := plain["opportunity"]; ok || len(listOpps(t, rep.Client, "/opportunities").Data) != 1 {
			t.Errorf("conversion without opportunity made one: %v", plain["opportunity"])
		}
	})
}

func TestCustomerMergeMovesOpportunities(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("华东", "")
		rep, mgr := env.User("rep", team), env.User("manager", team)
		target, source := newCustomer(t, rep.Client, nil), newCustomer(t, rep.Client, nil)
		o := createOpp(t, rep.Client, map[string]any{"name": "A", "customer_id": source})
		mgr.Post("/customers/"+target+"/merge", map[string]any{"source_ids": []string{source}}).Status(http.StatusOK)
		if got := getOpp(t, rep.Client, o.ID); got.CustomerID != target {
			t.Errorf("opportunity still on %s", got.CustomerID)
		}
	})
}
