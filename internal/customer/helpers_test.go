package customer_test

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/customer"
)

func TestMain(m *testing.M) { apptest.Main(m) }

type custList struct {
	Data       []customer.CustomerResponse `json:"data"`
	NextCursor string                      `json:"next_cursor"`
	HasMore    bool                        `json:"has_more"`
	Total      *int64                      `json:"total"`
}

type contactList struct {
	Data       []customer.ContactResponse `json:"data"`
	NextCursor string                     `json:"next_cursor"`
	HasMore    bool                       `json:"has_more"`
	Total      *int64                     `json:"total"`
}

type timeline struct {
	Data []struct {
		Type    string    `json:"type"`
		At      time.Time `json:"at"`
		ActorID string    `json:"actor_id"`
		Summary string    `json:"summary"`
		RefType string    `json:"ref_type"`
		RefID   string    `json:"ref_id"`
	} `json:"data"`
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"`
}

type notice struct {
	Kind    string `json:"kind"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	RefType string `json:"ref_type"`
	RefID   string `json:"ref_id"`
}

func createCustomer(t *testing.T, c *apptest.Client, body map[string]any) customer.CustomerResponse {
	t.Helper()
	var out customer.CustomerResponse
	c.Post("/customers", body).Status(http.StatusCreated).Decode(&out)
	return out
}

// createDuplicate creates a customer that may share values with others
// (allow_duplicate=true), for tests about something else.
func createDuplicate(t *testing.T, c *apptest.Client, body map[string]any) customer.CustomerResponse {
	t.Helper()
	var out customer.CustomerResponse
	c.Post("/customers?allow_duplicate=true", body).Status(http.StatusCreated).Decode(&out)
	return out
}

func getCustomer(t *testing.T, c *apptest.Client, id string) customer.CustomerResponse {
	t.Helper()
	var out customer.CustomerResponse
	c.Get("/customers/" + id).Status(http.StatusOK).Decode(&out)
	return out
}

func listCustomers(t *testing.T, c *apptest.Client, path string) custList {
	t.Helper()
	var out custList
	c.Get(path).Status(http.StatusOK).Decode(&out)
	return out
}

func ids(l custList) []string {
	var out []string
	for _, c := range l.Data {
		out = append(out, c.ID)
	}
	return out
}

func createContact(t *testing.T, c *apptest.Client, body map[string]any) customer.ContactResponse {
	t.Helper()
	var out customer.ContactResponse
	c.Post("/contacts", body).Status(http.StatusCreated).Decode(&out)
	return out
}

// setSettings changes organisation settings as the admin.
func setSettings(t *testing.T, env *apptest.Env, body map[string]any) {
	t.Helper()
	env.Admin.Patch("/settings", body).Status(http.StatusOK)
}

// runRecycle runs the pool-recycle job now and returns its details.
func runRecycle(t *testing.T, env *apptest.Env) map[string]int {
	t.Helper()
	var out struct {
		Processed int            `json:"processed"`
		Details   map[string]int `json:"details"`
	}
	env.Admin.Post("/admin/jobs/pool-recycle/run", nil).Status(http.StatusOK).Decode(&out)
	return out.Details
}

// inbox is the caller's notifications, newest first.
func inbox(t *testing.T, c *apptest.Client) []notice {
	t.Helper()
	var out struct {
		Data []notice `json:"data"`
	}
	c.Get("/notifications?limit=200").Status(http.StatusOK).Decode(&out)
	return out.Data
}

func countKind(ns []notice, kind, refID string) int {
	n := 0
	for _, x := range ns {
		if x.Kind == kind && x.RefID == refID {
			n++
		}
	}
	return n
}

// auditActions lists the audit actions recorded for one entity, oldest first.
func auditActions(t *testing.T, env *apptest.Env, entityType, id string) []string {
	t.Helper()
	var out struct {
		Data []struct {
			Action string `json:"action"`
		} `json:"data"`
	}
	env.Admin.Get(fmt.Sprintf("/audit-logs?entity_type=%s&entity_id=%s&limit=200", entityType, id)).
		Status(http.StatusOK).Decode(&out)
	var acts []string
	for _, r := range out.Data {
		acts = append(acts, r.Action)
	}
	slices.Reverse(acts)
	return acts
}

// backdate moves a customer's ownership clock (and optionally its last
// follow-up and warning) into the past, instead of sleeping.
func backdate(t *testing.T, env *apptest.Env, id string, cols map[string]time.Duration) {
	t.Helper()
	now := time.Now().UTC()
	set := map[string]any{}
	for col, d := range cols {
		set[col] = now.Add(-d)
	}
	if err := env.App.DB.Gorm().Table("customers").Where("id = ?", id).UpdateColumns(set).Error; err != nil {
		t.Fatalf("backdate: %v", err)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

func problemCode(t *testing.T, p apptest.Problem, code, field string) {
	t.Helper()
	if p.Code != code {
		t.Errorf("problem code %q, want %q (%+v)", p.Code, code, p)
	}
	if field != "" && !p.HasField(field) {
		t.Errorf("problem names fields %+v, want %q", p.Errors, field)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
