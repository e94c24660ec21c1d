package customer_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/customer"
)

func TestReleaseRules(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("East", ""), env.Team("West", "")
		rep, mgr := env.User("rep", east), env.User("manager", east)
		other, otherMgr := env.User("rep", west), env.User("manager", west)
		c := createCustomer(t, rep.Client, map[string]any{"name": "Mine"})

		// bad input first: nothing changes
		p := rep.Post("/customers/"+c.ID+"/release", map[string]any{"reason": " "}).Status(http.StatusUnprocessableEntity).Problem()
		problemCode(t, p, "validation_failed", "reason")
		rep.Post("/customers/"+c.ID+"/release", map[string]any{"reason": strings.Repeat("r", 501)}).Status(http.StatusUnprocessableEntity)
		rep.Post("/customers/"+c.ID+"/release", `{"why":"x"}`).Status(http.StatusBadRequest)
		rep.Post("/customers/"+c.ID+"/release", nil).Status(http.StatusBadRequest)
		rep.Req("POST", "/customers/"+c.ID+"/release", map[string]any{"reason": "x"}).Header("If-Match", `"9"`).Send().
			Status(http.StatusPreconditionFailed)
		// outside scope: 404
		other.Post("/customers/"+c.ID+"/release", map[string]any{"reason": "x"}).Status(http.StatusNotFound)
		otherMgr.Post("/customers/"+c.ID+"/release", map[string]any{"reason": "x"}).Status(http.StatusNotFound)

		// the owner releases; no notification to themselves
		var out customer.CustomerResponse
		rep.Post("/customers/"+c.ID+"/release", map[string]any{"reason": "no budget"}).Status(http.StatusOK).Decode(&out)
		if out.OwnerID != nil || out.OwnedSince != nil || out.Version != 2 {
			t.Errorf("released %+v", out)
		}
		if countKind(inbox(t, rep.Client), "customer_released", c.ID) != 0 {
			t.Error("owner notified of their own release")
		}
		// now in the pool: releasing again is 409 for the admin, 404 for the rep
		p = env.Admin.Post("/customers/"+c.ID+"/release", map[string]any{"reason": "x"}).Status(http.StatusConflict).Problem()
		problemCode(t, p, "in_pool", "")
		rep.Post("/customers/"+c.ID+"/release", map[string]any{"reason": "x"}).Status(http.StatusNotFound)

		// a manager releases their rep's customer: the rep is told, with the reason
		c2 := createCustomer(t, rep.Client, map[string]any{"name": "Second"})
		mgr.Post("/customers/"+c2.ID+"/release", map[string]any{"reason": "rebalancing"}).Status(http.StatusOK)
		found := false
		for _, n := range inbox(t, rep.Client) {
			if n.Kind == "customer_released" && n.RefID == c2.ID && n.Body == "rebalancing" && n.RefType == "customer" {
				found = true
			}
		}
		if !found {
			t.Error("rep not notified when the manager released their customer")
		}
		if got := auditActions(t, env, "customer", c2.ID); len(got) != 2 || got[1] != "release" {
			t.Errorf("audit %v", got)
		}
	})
}

func TestTransferRules(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("East", ""), env.Team("West", "")
		sub := env.Team("East-1", east)
		rep, rep2, subRep := env.User("rep", east), env.User("rep", east), env.User("rep", sub)
		mgr := env.User("manager", east)
		other := env.User("rep", west)
		c := createCustomer(t, rep.Client, map[string]any{"name": "Moving"})

		rep.Post("/customers/"+c.ID+"/transfer", map[string]any{"owner_id": rep2.ID}).Status(http.StatusForbidden)
		p := mgr.Post("/customers/"+c.ID+"/transfer", map[string]any{}).Status(http.StatusUnprocessableEntity).Problem()
		problemCode(t, p, "validation_failed", "owner_id")
		// outside the manager's teams, unknown, malformed, the same owner: 422 on owner_id
		for _, id := range []string{other.ID, "00000000-0000-0000-0000-000000000000", "nope", rep.ID} {
			p = mgr.Post("/customers/"+c.ID+"/transfer", map[string]any{"owner_id": id}).Status(http.StatusUnprocessableEntity).Problem()
			problemCode(t, p, "validation_failed", "owner_id")
		}
		mgr.Post("/customers/00000000-0000-0000-0000-000000000000/transfer", map[string]any{"owner_id": rep2.ID}).Status(http.StatusNotFound)
		// an inactive target
		env.Admin.Post("/users/"+rep2.ID+"/disable", nil).Status(http.StatusOK, http.StatusNoContent)
		p = mgr.Post("/customers/"+c.ID+"/transfer", map[string]any{"owner_id": rep2.ID}).Status(http.StatusUnprocessableEntity).Problem()
		problemCode(t, p, "validation_failed", "owner_id")
		mgr.Req("POST", "/customers/"+c.ID+"/transfer", map[string]any{"owner_id": subRep.ID}).Header("If-Match", `"7"`).Send().
			Status(http.StatusPreconditionFailed)

		// within the subtree: both reps are told
		var out customer.CustomerResponse
		mgr.Post("/customers/"+c.ID+"/transfer", map[string]any{"owner_id": subRep.ID, "reason": "区域调整"}).
			Status(http.StatusOK).Decode(&out)
		if deref(out.OwnerID) != subRep.ID {
			t.Fatalf("owner %s", deref(out.OwnerID))
		}
		if countKind(inbox(t, subRep.Client), "customer_transferred", c.ID) != 1 ||
			countKind(inbox(t, rep.Client), "customer_transferred", c.ID) != 1 {
			t.Error("transfer notifications missing")
		}
		rep.Get("/customers/" + c.ID).Status(http.StatusNotFound)
		getCustomer(t, subRep.Client, c.ID)

		// a manager may hand out pool customers to their team; not to other teams
		pooled := createCustomer(t, env.Admin, map[string]any{"name": "Pool"})
		mgr.Post("/customers/"+pooled.ID+"/transfer", map[string]any{"owner_id": other.ID}).Status(http.StatusUnprocessableEntity)
		mgr.Post("/customers/"+pooled.ID+"/transfer", map[string]any{"owner_id": rep.ID}).Status(http.StatusOK)
		// the admin moves anything anywhere
		env.Admin.Post("/customers/"+c.ID+"/transfer", map[string]any{"owner_id": other.ID}).Status(http.StatusOK)
		mgr.Post("/customers/"+c.ID+"/transfer", map[string]any{"owner_id": rep.ID}).Status(http.StatusNotFound)

		if got := auditActions(t, env, "customer", c.ID); len(got) != 3 || got[1] != "transfer" || got[2] != "transfer" {
			t.Errorf("audit %v", got)
		}
	})
}
