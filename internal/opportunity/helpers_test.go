package opportunity_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/opportunity"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// The default pipeline's fixed stage ids (migration 0009).
const (
	defaultPipeline = "0193a2b4-0000-7000-8000-000000000001"
	stageResearch   = "0193a2b4-0000-7000-8000-000000000101"
	stageProposal   = "0193a2b4-0000-7000-8000-000000000102"
	stageNegotiate  = "0193a2b4-0000-7000-8000-000000000103"
	stageContract   = "0193a2b4-0000-7000-8000-000000000104"
	stageWon        = "0193a2b4-0000-7000-8000-000000000105"
	stageLost       = "0193a2b4-0000-7000-8000-000000000106"
)

type oppList struct {
	Data       []opportunity.OpportunityResponse `json:"data"`
	NextCursor string                            `json:"next_cursor"`
	HasMore    bool                              `json:"has_more"`
	Total      *int64                            `json:"total"`
}

var custSeq int

// newCustomer creates a customer owned by the client's user (a rep) or
// by owner (admin), with a unique name.
func newCustomer(t *testing.T, c *apptest.Client, body map[string]any) string {
	t.Helper()
	custSeq++
	if body == nil {
		body = map[string]any{}
	}
	if body["name"] == nil {
		body["name"] = fmt.Sprintf("客户 %d", custSeq)
	}
	var out struct{ ID string }
	c.Post("/customers?allow_duplicate=true", body).Status(http.StatusCreated).Decode(&out)
	return out.ID
}

func createOpp(t *testing.T, c *apptest.Client, body map[string]any) opportunity.OpportunityResponse {
	t.Helper()
	var out opportunity.OpportunityResponse
	c.Post("/opportunities", body).Status(http.StatusCreated).Decode(&out)
	return out
}

func getOpp(t *testing.T, c *apptest.Client, id string) opportunity.OpportunityResponse {
	t.Helper()
	var out opportunity.OpportunityResponse
	c.Get("/opportunities/" + id).Status(http.StatusOK).Decode(&out)
	return out
}

func listOpps(t *testing.T, c *apptest.Client, path string) oppList {
	t.Helper()
	var out oppList
	c.Get(path).Status(http.StatusOK).Decode(&out)
	return out
}

func ids(os []opportunity.OpportunityResponse) []string {
	out := make([]string, len(os))
	for i, o := range os {
		out[i] = o.ID
	}
	slices.Sort(out)
	return out
}

func sorted(xs ...string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

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

func problemCode(t *testing.T, r *apptest.Response, status int) apptest.Problem {
	t.Helper()
	return r.Status(status).Problem()
}
