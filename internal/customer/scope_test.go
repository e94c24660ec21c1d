package customer_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/customer"
)

// scopeWorld: root team R with child C, manager M of R, rep A in R, rep B
// in C; rep X and manager N in another root team O. Each owns one
// customer with one contact; the admin owns one; one is in the pool.
type scopeWorld struct {
	env     *apptest.Env
	clients map[string]*apptest.Client
	cust    map[string]customer.CustomerResponse // by owner label
	contact map[string]customer.ContactResponse  // by owner label
	visible map[string][]string                  // actor → owner labels in scope
	labels  []string
}

func newScopeWorld(t *testing.T, b apptest.Backend) *scopeWorld {
	t.Helper()
	env := apptest.New(t, b)
	r := env.Team("R", "")
	c := env.Team("C", r)
	o := env.Team("O", "")
	m, a, bb := env.User("manager", r), env.User("rep", r), env.User("rep", c)
	x, n := env.User("rep", o), env.User("manager", o)
	var me struct{ ID string }
	env.Admin.Get("/me").Status(http.StatusOK).Decode(&me)
	w := &scopeWorld{env: env, cust: map[string]customer.CustomerResponse{}, contact: map[string]customer.ContactResponse{},
		clients: map[string]*apptest.Client{"M": m.Client, "A": a.Client, "B": bb.Client, "X": x.Client, "N": n.Client,
			"admin": env.Admin}}
	ids := map[string]string{"M": m.ID, "A": a.ID, "B": bb.ID, "X": x.ID, "N": n.ID, "admin": me.ID}
	for _, who := range []string{"M", "A", "B", "X", "N", "admin"} {
		w.cust[who] = createDuplicate(t, w.clients[who], map[string]any{"name": "Scope " + who, "owner_id": ids[who],
			"phone": "13800138000", "email": "scope@example.com", "tags": []string{"scope"}})
	}
	w.cust["pool"] = createDuplicate(t, env.Admin, map[string]any{"name": "Scope pool", "phone": "13800138000",
		"email": "scope@example.com", "tags": []string{"scope"}})
	w.labels = []string{"M", "A", "B", "X", "N", "admin", "pool"}
	for _, who := range w.labels {
		w.contact[who] = createContact(t, env.Admin, map[string]any{"customer_id": w.cust[who].ID, "name": "Contact " + who,
			"mobile": "13912345678", "email": "li.na@example.com"})
	}
	w.visible = map[string][]string{"A": {"A"}, "B": {"B"}, "X": {"X"}, "M": {"M", "A", "B"}, "N": {"N", "X"},
		"admin": w.labels}
	return w
}

func (w *scopeWorld) sees(actor, owner string) bool {
	for _, v := range w.visible[actor] {
		if v == owner {
			return true
		}
	}
	return false
}

func status(ok bool, yes int) int {
	if ok {
		return yes
	}
	return http.StatusNotFound
}

func TestCustomerDataScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newScopeWorld(t, b)
		for actor, c := range w.clients {
			// list and total: exactly the scope.
			var want, wantContacts []string
			for _, l := range w.visible[actor] {
				want = append(want, w.cust[l].ID)
				wantContacts = append(wantContacts, w.contact[l].ID)
			}
			l := listCustomers(t, c, "/customers?tag=scope&include_total=true&limit=200")
			if !sameSet(ids(l), want) || l.Total == nil || int(*l.Total) != len(want) {
				t.Errorf("%s lists %v (total %v), want %v", actor, ids(l), l.Total, want)
			}
			var cl contactList
			c.Get("/contacts?include_total=true&limit=200").Status(http.StatusOK).Decode(&cl)
			var got []string
			for _, ct := range cl.Data {
				got = append(got, ct.ID)
			}
			if !sameSet(got, wantContacts) || int(*cl.Total) != len(wantContacts) {
				t.Errorf("%s lists contacts %v, want %v", actor, got, wantContacts)
			}
			for _, owner := range w.labels {
				id, ctID := w.cust[owner].ID, w.contact[owner].ID
				in := w.sees(actor, owner)
				look := in || owner == "pool"
				c.Get("/customers/" + id).Status(status(look, http.StatusOK))
				c.Get("/customers/" + id + "/contacts").Status(status(look, http.StatusOK))
				c.Get("/contacts/" + ctID).Status(status(look, http.StatusOK))
				c.Get("/customers/" + id + "/timeline").Status(status(in, http.StatusOK))
				c.Get("/customers/" + id + "/follow-ups").Status(status(in, http.StatusOK))
				c.Post("/customers/"+id+"/follow-ups", map[string]any{"channel": "call", "content": "scope check"}).
					Status(status(in, http.StatusCreated))
				c.Patch("/customers/"+id, map[string]any{"region": "scope-" + actor}).Status(status(in, http.StatusOK))
				c.Patch("/contacts/"+ctID, map[string]any{"title": "scope-" + actor}).Status(status(in, http.StatusOK))
				if !in {
					p := c.Post("/contacts", map[string]any{"customer_id": id, "name": "x"}).
						Status(http.StatusUnprocessableEntity).Problem()
					problemCode(t, p, "validation_failed", "customer_id")
				}
				if actor == "M" || actor == "N" {
					if !in {
						c.Delete("/customers/" + id).Status(http.StatusNotFound)
						c.Delete("/contacts/" + ctID).Status(http.StatusNotFound)
					}
				} else if actor != "admin" {
					c.Delete("/customers/" + id).Status(http.StatusForbidden)
				}
			}
		}
		// The rep's view of their own customer's contact is unmasked.
		var ct customer.ContactResponse
		w.clients["A"].Get("/contacts/" + w.contact["A"].ID).Status(http.StatusOK).Decode(&ct)
		if ct.Masked || ct.Mobile != "13912345678" {
			t.Errorf("own contact masked: %+v", ct)
		}
		// A manager deletes within scope; the customer's contacts go with it.
		w.clients["M"].Delete("/customers/" + w.cust["B"].ID).Status(http.StatusNoContent)
		w.clients["M"].Get("/contacts/" + w.contact["B"].ID).Status(http.StatusNotFound)
		w.clients["B"].Get("/customers/" + w.cust["B"].ID).Status(http.StatusNotFound)
		var cl contactList
		w.env.Admin.Get("/contacts?customer_id=" + w.cust["B"].ID).Status(http.StatusOK).Decode(&cl)
		if len(cl.Data) != 0 {
			t.Errorf("deleted customer's contacts listed: %+v", cl.Data)
		}
	})
}
