package contract_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
	"github.com/opencrm/crm/internal/reminder"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// world is a server with a team of a manager and two reps, a rep in
// another team, and a customer owned by the first rep.
type world struct {
	t          *testing.T
	env        *apptest.Env
	mgr, rep   *apptest.User
	rep2, away *apptest.User
	customerID string
}

func newWorld(t *testing.T, b apptest.Backend) *world {
	env := apptest.New(t, b)
	team := env.Team("华东", "")
	other := env.Team("华南", "")
	w := &world{t: t, env: env, mgr: env.User("manager", team), rep: env.User("rep", team),
		rep2: env.User("rep", team), away: env.User("rep", other)}
	var cust struct{ ID string }
	w.rep.Post("/customers", map[string]any{"name": "苏州恒达精密机械有限公司"}).Status(http.StatusCreated).Decode(&cust)
	w.customerID = cust.ID
	return w
}

// create makes a draft contract of the rep's customer, with body's
// fields over the defaults.
func (w *world) create(body map[string]any) contract.ContractResponse {
	w.t.Helper()
	req := map[string]any{"customer_id": w.customerID, "title": "年度采购合同", "amount": "100000.00",
		"start_date": "2027-01-01", "end_date": "2027-12-31"}
	for k, v := range body {
		req[k] = v
	}
	var out contract.ContractResponse
	w.rep.Post("/contracts", req).Status(http.StatusCreated).Decode(&out)
	return out
}

func (w *world) get(id string) contract.ContractResponse {
	w.t.Helper()
	var out contract.ContractResponse
	w.env.Admin.Get("/contracts/" + id).Status(http.StatusOK).Decode(&out)
	return out
}

// pendingRequest is the manager's pending approval request for a contract.
func (w *world) pendingRequest(id string) string {
	w.t.Helper()
	var inbox struct {
		Data []struct {
			ID    string `json:"id"`
			DocID string `json:"doc_id"`
		} `json:"data"`
	}
	w.mgr.Get("/approvals?status=pending&assignee=me&entity=contract&limit=200").Status(http.StatusOK).Decode(&inbox)
	for _, r := range inbox.Data {
		if r.DocID == id {
			return r.ID
		}
	}
	w.t.Fatalf("no pending approval for contract %s", id)
	return ""
}

// decide approves or rejects a submitted contract as the manager.
func (w *world) decide(id, verdict, comment string) {
	w.t.Helper()
	w.mgr.Post("/approvals/"+w.pendingRequest(id)+"/"+verdict, map[string]any{"comment": comment}).
		Status(http.StatusOK)
}

// to drives a new contract to status through the legal actions.
func (w *world) to(status string, body map[string]any) contract.ContractResponse {
	w.t.Helper()
	c := w.create(body)
	path := "/contracts/" + c.ID
	steps := map[string][]string{
		contract.Draft: {}, contract.PendingApproval: {"submit"}, contract.Approved: {"submit", "approve"},
		contract.Signed: {"submit", "approve", "sign"}, contract.Executing: {"submit", "approve", "sign", "start"},
		contract.Completed:  {"submit", "approve", "sign", "start", "complete"},
		contract.Terminated: {"submit", "approve", "sign", "terminate"},
	}[status]
	for _, s := range steps {
		switch s {
		case "approve":
			w.decide(c.ID, "approve", "同意")
		case "terminate":
			w.rep.Post(path+"/terminate", map[string]any{"reason": "客户违约"}).Status(http.StatusOK)
		default:
			w.rep.Post(path+"/"+s, nil).Status(http.StatusOK)
		}
	}
	got := w.get(c.ID)
	if got.Status != status {
		w.t.Fatalf("drove contract to %s, got %s", status, got.Status)
	}
	return got
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
		if e.Type == typ && e.EntityID == id {
			n++
		}
	}
	return n
}

// reminder reads a reminder row by key; nil when there is none.
func (w *world) reminder(key string) *reminder.Reminder {
	w.t.Helper()
	r, err := w.env.App.Reminders.Get(context.Background(), key)
	if err != nil {
		return nil
	}
	return r
}
