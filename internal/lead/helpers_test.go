package lead_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/lead"
)

func TestMain(m *testing.M) { apptest.Main(m) }

type leadList struct {
	Data       []lead.LeadResponse `json:"data"`
	NextCursor string              `json:"next_cursor"`
	HasMore    bool                `json:"has_more"`
	Total      *int64              `json:"total"`
}

// create posts a lead and returns it.
func create(t *testing.T, c *apptest.Client, body map[string]any) lead.LeadResponse {
	t.Helper()
	var out lead.LeadResponse
	c.Post("/leads", body).Status(http.StatusCreated).Decode(&out)
	return out
}

// get reads a lead that must exist for c.
func get(t *testing.T, c *apptest.Client, id string) lead.LeadResponse {
	t.Helper()
	var out lead.LeadResponse
	c.Get("/leads/" + id).Status(http.StatusOK).Decode(&out)
	return out
}

// list reads one page of /leads with the query.
func list(t *testing.T, c *apptest.Client, query string) leadList {
	t.Helper()
	var out leadList
	c.Get("/leads?" + query).Status(http.StatusOK).Decode(&out)
	return out
}

// listAll walks every page and returns the ids in order.
func listAll(t *testing.T, c *apptest.Client, query string) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for i := 0; ; i++ {
		if i > 100 {
			t.Fatal("listAll: too many pages")
		}
		q := query + "&limit=200"
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		page := list(t, c, q)
		for _, l := range page.Data {
			ids = append(ids, l.ID)
		}
		if !page.HasMore {
			return ids
		}
		cursor = page.NextCursor
	}
}

// auditRows returns the audit log of one lead, oldest first.
func auditRows(t *testing.T, env *apptest.Env, entityType, id string) []map[string]any {
	t.Helper()
	var out struct {
		Data []map[string]any `json:"data"`
	}
	env.Admin.Get(fmt.Sprintf("/audit-logs?entity_type=%s&entity_id=%s&limit=200", entityType, id)).
		Status(http.StatusOK).Decode(&out)
	slices.Reverse(out.Data)
	return out.Data
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func problemField(t *testing.T, p apptest.Problem, code, field string) {
	t.Helper()
	if p.Code != code {
		t.Errorf("problem code %q, want %q (%+v)", p.Code, code, p)
	}
	if field != "" && !p.HasField(field) {
		t.Errorf("problem names fields %+v, want %q", p.Errors, field)
	}
}
