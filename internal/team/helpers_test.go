package team_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestMain(m *testing.M) { apptest.Main(m) }

type page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"`
	Total      *int64 `json:"total"`
}

// list fetches one page at path.
func list[T any](t *testing.T, c *apptest.Client, path string) page[T] {
	t.Helper()
	var out page[T]
	c.Get(path).Status(http.StatusOK).Decode(&out)
	return out
}

// idsOf is the sorted ids of a page whose items have an ID.
func idsOf[T any](p page[T], id func(T) string) []string {
	out := make([]string, 0, len(p.Data))
	for _, x := range p.Data {
		out = append(out, id(x))
	}
	slices.Sort(out)
	return out
}

func sorted(xs ...string) []string {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	return xs
}

// auditActions lists the audit actions recorded for one entity, oldest first.
func auditActions(t *testing.T, env *apptest.Env, entity, id string) []string {
	t.Helper()
	var out struct {
		Data []struct {
			Action string `json:"action"`
		} `json:"data"`
	}
	env.Admin.Get(fmt.Sprintf("/audit-logs?entity_type=%s&entity_id=%s&limit=200", entity, id)).
		Status(http.StatusOK).Decode(&out)
	var acts []string
	for _, r := range out.Data {
		acts = append(acts, r.Action)
	}
	slices.Reverse(acts)
	return acts
}
