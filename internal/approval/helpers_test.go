package approval_test

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/approval"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/money"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// fakeDoc is the Document of every entity in these tests: it records the
// engine's calls, as a contract or an order would move.
type fakeDoc struct {
	mu       sync.Mutex
	approved []string
	rejected map[string]string
}

func (d *fakeDoc) Approved(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.approved = append(d.approved, id)
	return nil
}

func (d *fakeDoc) Rejected(_ context.Context, id, comment string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.rejected[id] = comment
	return nil
}

// approvedTimes counts the Approved calls for a document.
func (d *fakeDoc) approvedTimes(id string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, a := range d.approved {
		if a == id {
			n++
		}
	}
	return n
}

func (d *fakeDoc) rejection(id string) (string, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, ok := d.rejected[id]
	return c, ok
}

// world is a server with the fake document registered for every entity.
type world struct {
	t   *testing.T
	env *apptest.Env
	doc *fakeDoc
}

func newWorld(t *testing.T, b apptest.Backend) *world {
	env := apptest.New(t, b)
	doc := &fakeDoc{rejected: map[string]string{}}
	for _, e := range approval.Entities {
		env.App.Approvals.Register(e, doc)
	}
	return &world{t: t, env: env, doc: doc}
}

// member is a user with the role they were made with.
type member struct {
	*apptest.User
	role string
}

func (w *world) user(role, team string) member { return member{w.env.User(role, team), role} }

func (m member) actor() *authz.Actor {
	return &authz.Actor{UserID: m.ID, Name: m.Email, Role: m.role, TeamID: m.TeamID}
}

// admin is the first admin as a member.
func (w *world) admin() member {
	var me struct{ ID string }
	w.env.Admin.Get("/me").Status(http.StatusOK).Decode(&me)
	return member{&apptest.User{ID: me.ID, Email: apptest.AdminEmail, Client: w.env.Admin}, authz.RoleAdmin}
}

// submitAs submits a new document of entity for amount as m would through
// a document module: inside a transaction, with m as the actor.
func (w *world) submitAs(m member, entity, amount string) (*approval.Request, error) {
	return w.submitDoc(m, approval.SubmitInput{Entity: entity, DocID: uuid.NewString(),
		Title: "HT-20261126-0001 恒达精密 年度框架合同", Amount: mustMoney(w.t, amount)})
}

func (w *world) submitDoc(m member, in approval.SubmitInput) (*approval.Request, error) {
	ctx := authz.WithActor(context.Background(), m.actor())
	var r *approval.Request
	err := w.env.App.DB.WithTx(ctx, func(ctx context.Context) error {
		var err error
		r, err = w.env.App.Approvals.Submit(ctx, in)
		return err
	})
	return r, err
}

func (w *world) mustSubmit(m member, entity, amount string) *approval.Request {
	w.t.Helper()
	r, err := w.submitAs(m, entity, amount)
	if err != nil {
		w.t.Fatalf("submit: %v", err)
	}
	return r
}

func mustMoney(t *testing.T, s string) money.Amount {
	t.Helper()
	a, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// rule creates an approval rule as the admin.
func (w *world) rule(body map[string]any) approval.RuleResponse {
	w.t.Helper()
	var out approval.RuleResponse
	w.env.Admin.Post("/approval-rules", body).Status(http.StatusCreated).Decode(&out)
	return out
}

type approvalList struct {
	Data       []approval.RequestView `json:"data"`
	NextCursor string                 `json:"next_cursor"`
	HasMore    bool                   `json:"has_more"`
	Total      *int64                 `json:"total"`
}

func list(t *testing.T, c *apptest.Client, path string) approvalList {
	t.Helper()
	var out approvalList
	c.Get(path).Status(http.StatusOK).Decode(&out)
	return out
}

// inbox lists the ids of the requests waiting for c's decision.
func inbox(t *testing.T, c *apptest.Client) []string {
	t.Helper()
	var ids []string
	for _, r := range list(t, c, "/approvals?assignee=me").Data {
		ids = append(ids, r.ID)
	}
	return ids
}

func get(t *testing.T, c *apptest.Client, id string) approval.RequestView {
	t.Helper()
	var out approval.RequestView
	c.Get("/approvals/" + id).Status(http.StatusOK).Decode(&out)
	return out
}

func approve(c *apptest.Client, id, comment string) *apptest.Response {
	return c.Post("/approvals/"+id+"/approve", map[string]any{"comment": comment})
}

func reject(c *apptest.Client, id, comment string) *apptest.Response {
	return c.Post("/approvals/"+id+"/reject", map[string]any{"comment": comment})
}

// approvers lists the user ids seated on each step.
func approvers(v approval.RequestView) [][]string {
	out := make([][]string, len(v.Steps))
	for i, st := range v.Steps {
		for _, a := range st.Approvers {
			out[i] = append(out[i], a.UserID)
		}
		slices.Sort(out[i])
	}
	return out
}

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// notices lists the kinds and ref ids of c's notifications.
func notices(t *testing.T, c *apptest.Client) map[string][]string {
	t.Helper()
	var l struct {
		Data []struct {
			Kind  string `json:"kind"`
			RefID string `json:"ref_id"`
		} `json:"data"`
	}
	c.Get("/notifications?limit=200").Status(http.StatusOK).Decode(&l)
	out := map[string][]string{}
	for _, n := range l.Data {
		out[n.Kind] = append(out[n.Kind], n.RefID)
	}
	return out
}

// events lists the approval events about a request, by type.
func events(t *testing.T, env *apptest.Env, id string) []string {
	t.Helper()
	var l struct {
		Data []struct {
			Type     string `json:"type"`
			EntityID string `json:"entity_id"`
		} `json:"data"`
	}
	env.Admin.Get("/events?type=approval.&limit=500").Status(http.StatusOK).Decode(&l)
	var out []string
	for _, e := range l.Data {
		if e.EntityID == id {
			out = append(out, e.Type)
		}
	}
	return out
}

// actions lists a request's trail as action names.
func actions(v approval.RequestView) []string {
	var out []string
	for _, a := range v.Actions {
		out = append(out, a.Action)
	}
	return out
}
