package opportunity_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestOpportunityCRUD(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("华东", "")
		rep := env.User("rep", team)
		mgr := env.User("manager", team)
		cust := newCustomer(t, rep.Client, nil)
		var ct struct{ ID string }
		rep.Post("/contacts", map[string]any{"customer_id": cust, "name": "王经理"}).Status(http.StatusCreated).Decode(&ct)

		resp := rep.Post("/opportunities", map[string]any{"name": " 产线改造 ", "customer_id": cust,
			"contact_id": ct.ID, "amount": "120000.50", "expected_close_date": "2026-12-31", "source": "exhibition",
			"strategy": "先拿下技术部"}).Status(http.StatusCreated)
		if resp.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag %q", resp.Header.Get("ETag"))
		}
		var o struct{ ID string }
		resp.Decode(&o)
		got := getOpp(t, rep.Client, o.ID)
		if got.Name != "产线改造" || got.PipelineID != defaultPipeline || got.StageID != stageResearch ||
			got.Status != "open" || got.OwnerID != rep.ID || got.Amount.String() != "120000.50" ||
			got.Currency != "CNY" || *got.ExpectedCloseDate != "2026-12-31" || *got.ContactID != ct.ID ||
			got.Score <= 0 || got.Score > 100 || got.Version != 1 || got.ClosedAt != nil {
			t.Fatalf("created %+v", got)
		}

		// Validation: one 422 naming every bad field, nothing created.
		p := rep.Post("/opportunities", map[string]any{"name": "", "customer_id": cust, "amount": "1.234",
			"expected_close_date": "2026-13-01", "currency": "yuan", "source": "tv",
			"stage_id": stageWon}).Status(http.StatusUnprocessableEntity).Problem()
		for _, f := range []string{"name", "amount", "expected_close_date", "currency", "source"} {
			if !p.HasField(f) {
				t.Errorf("422 lacks %s: %+v", f, p.Errors)
			}
		}
		if p := rep.Post("/opportunities", map[string]any{"name": "x", "customer_id": cust, "stage_id": stageWon}).
			Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("stage_id") {
			t.Errorf("won stage on create: %+v", p)
		}
		// A customer or contact out of reach is a 422 on the field.
		other := env.User("rep", env.Team("华南", ""))
		foreign := newCustomer(t, other.Client, nil)
		if p := rep.Post("/opportunities", map[string]any{"name": "x", "customer_id": foreign}).
			Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("customer_id") {
			t.Errorf("foreign customer: %+v", p)
		}
		cust2 := newCustomer(t, rep.Client, nil)
		if p := rep.Post("/opportunities", map[string]any{"name": "x", "customer_id": cust2, "contact_id": ct.ID}).
			Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("contact_id") {
			t.Errorf("contact of another customer: %+v", p)
		}
		if n := len(listOpps(t, rep.Client, "/opportunities").Data); n != 1 {
			t.Errorf("invalid creates left %d opportunities", n)
		}

		// PATCH with If-Match; stale is 412 and changes nothing.
		var up struct {
			Amount  string
			Version int
		}
		rep.Req("PATCH", "/opportunities/"+o.ID, map[string]any{"amount": "150000", "strategy": "约采购总监"}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK).Decode(&up)
		if up.Amount != "150000.00" || up.Version != 2 {
			t.Errorf("updated %+v", up)
		}
		rep.Req("PATCH", "/opportunities/"+o.ID, map[string]any{"amount": "1"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		if g := getOpp(t, rep.Client, o.ID); g.Amount.String() != "150000.00" {
			t.Errorf("412 changed it: %s", g.Amount)
		}
		var sh struct {
			Data []struct{ Strategy string } `json:"data"`
		}
		rep.Get("/opportunities/" + o.ID + "/strategy-history").Status(http.StatusOK).Decode(&sh)
		if len(sh.Data) != 2 || sh.Data[0].Strategy != "先拿下技术部" || sh.Data[1].Strategy != "约采购总监" {
			t.Errorf("strategy history %+v", sh)
		}

		// Owner: only someone the caller may give records to.
		if p := rep.Patch("/opportunities/"+o.ID, map[string]any{"owner_id": other.ID}).
			Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("owner_id") {
			t.Errorf("rep gave it away: %+v", p)
		}

		// Reps do not delete; the manager over them does.
		rep.Delete("/opportunities/" + o.ID).Status(http.StatusForbidden)
		mgr.Delete("/opportunities/" + o.ID).Status(http.StatusNoContent)
		rep.Get("/opportunities/" + o.ID).Status(http.StatusNotFound)
		if acts := auditActions(t, env, "opportunity", o.ID); !slices.Equal(acts, []string{"create", "update", "delete"}) {
			t.Errorf("audit %v", acts)
		}
	})
}
