package product_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/product"
)

func TestMain(m *testing.M) { apptest.Main(m) }

type productList struct {
	Data       []product.ProductResponse `json:"data"`
	NextCursor string                    `json:"next_cursor"`
	HasMore    bool                      `json:"has_more"`
	Total      *int64                    `json:"total"`
}

func createProduct(t *testing.T, c *apptest.Client, body map[string]any) product.ProductResponse {
	t.Helper()
	var out product.ProductResponse
	c.Post("/products", body).Status(http.StatusCreated).Decode(&out)
	return out
}

func getProduct(t *testing.T, c *apptest.Client, id string) product.ProductResponse {
	t.Helper()
	var out product.ProductResponse
	c.Get("/products/" + id).Status(http.StatusOK).Decode(&out)
	return out
}

func listProducts(t *testing.T, c *apptest.Client, path string) productList {
	t.Helper()
	var out productList
	c.Get(path).Status(http.StatusOK).Decode(&out)
	return out
}

func ids(l productList) []string {
	out := make([]string, len(l.Data))
	for i, p := range l.Data {
		out[i] = p.ID
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// auditActions lists the audit actions recorded for one product, oldest first.
func auditActions(t *testing.T, env *apptest.Env, id string) []string {
	t.Helper()
	var out struct {
		Data []struct {
			Action string `json:"action"`
		} `json:"data"`
	}
	env.Admin.Get(fmt.Sprintf("/audit-logs?entity_type=product&entity_id=%s&limit=200", id)).
		Status(http.StatusOK).Decode(&out)
	var acts []string
	for _, r := range out.Data {
		acts = append(acts, r.Action)
	}
	slices.Reverse(acts)
	return acts
}

// hasCost reports whether a product body carries cost or margin_percent.
func hasCost(m map[string]any) bool {
	_, cost := m["cost"]
	_, margin := m["margin_percent"]
	return cost || margin
}
