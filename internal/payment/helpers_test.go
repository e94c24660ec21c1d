package payment_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// world is a server with a team of a manager and a rep, a rep in another
// team, and a customer owned by the rep.
type world struct {
	t          *testing.T
	env        *apptest.Env
	mgr, rep   *apptest.User
	away       *apptest.User
	customerID string
}

func newWorld(t *testing.T, b apptest.Backend) *world {
	env := apptest.New(t, b)
	team := env.Team("华东", "")
	w := &world{t: t, env: env, mgr: env.User("manager", team), rep: env.User("rep", team),
		away: env.User("rep", env.Team("华南", ""))}
	var cust struct{ ID string }
	w.rep.Post("/customers", map[string]any{"name": "苏州恒达精密机械有限公司"}).Status(http.StatusCreated).Decode(&cust)
	w.customerID = cust.ID
	return w
}

// signed makes a contract of amount for the rep's customer and takes it
// through approval (by the manager) to signed.
func (w *world) signed(amount string) contract.ContractResponse {
	w.t.Helper()
	var c contract.ContractResponse
	w.rep.Post("/contracts", map[string]any{"customer_id": w.customerID, "title": "年度采购合同", "amount": amount,
		"start_date": "2027-01-01", "end_date": "2027-12-31"}).Status(http.StatusCreated).Decode(&c)
	w.rep.Post("/contracts/"+c.ID+"/submit", nil).Status(http.StatusOK)
	var inbox struct {
		Data []struct {
			ID    string `json:"id"`
			DocID string `json:"doc_id"`
		} `json:"data"`
	}
	w.mgr.Get("/approvals?status=pending&assignee=me&limit=200").Status(http.StatusOK).Decode(&inbox)
	for _, r := range inbox.Data {
		if r.DocID == c.ID {
			w.mgr.Post("/approvals/"+r.ID+"/approve", map[string]any{"comment": "同意"}).Status(http.StatusOK)
		}
	}
	w.rep.Post("/contracts/"+c.ID+"/sign", nil).Status(http.StatusOK).Decode(&c)
	return c
}

func (w *world) contract(id string) contract.ContractResponse {
	w.t.Helper()
	var c contract.ContractResponse
	w.env.Admin.Get("/contracts/" + id).Status(http.StatusOK).Decode(&c)
	return c
}

// plans reads a contract's instalments keyed by id.
func (w *world) plans(id string) map[string]contract.PlanResponse {
	w.t.Helper()
	var l contract.PlanListResponse
	w.env.Admin.Get("/contracts/" + id + "/payment-plans").Status(http.StatusOK).Decode(&l)
	out := map[string]contract.PlanResponse{}
	for _, p := range l.Data {
		out[p.ID] = p
	}
	return out
}

func (w *world) plan(contractID, due, amount string) string {
	w.t.Helper()
	var p contract.PlanResponse
	w.rep.Post("/contracts/"+contractID+"/payment-plans", map[string]any{"due_date": due, "amount": amount}).
		Status(http.StatusCreated).Decode(&p)
	return p.ID
}

// events counts the events of typ about an entity.
func (w *world) events(typ, id string) int {
	w.t.Helper()
	var out struct {
		Data []struct {
			Type     string `json:"type"`
			EntityID string `json:"entity_id"`
		} `json:"data"`
	}
	w.env.Admin.Get("/events?limit=200&type=" + typ).Status(http.StatusOK).Decode(&out)
	n := 0
	for _, e := range out.Data {
		if e.Type == typ && (id == "" || e.EntityID == id) {
			n++
		}
	}
	return n
}

func (w *world) reminderStatus(key string) string {
	w.t.Helper()
	r, err := w.env.App.Reminders.Get(context.Background(), key)
	if err != nil {
		return "none"
	}
	return r.Status
}
