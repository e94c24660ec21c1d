package order_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/order"
)

func TestMain(m *testing.M) { apptest.Main(m) }

func customerOf(t *testing.T, c *apptest.Client, name string) string {
	t.Helper()
	var out struct{ ID string }
	c.Post("/customers", map[string]any{"name": name}).Status(http.StatusCreated).Decode(&out)
	return out.ID
}

func line(qty, price, discount, tax string) map[string]any {
	return map[string]any{"name": "项目", "quantity": qty, "unit_price": price, "discount_percent": discount,
		"tax_rate": tax}
}

func createOrder(t *testing.T, c *apptest.Client, customerID string) order.OrderResponse {
	t.Helper()
	var out order.OrderResponse
	c.Post("/orders", map[string]any{"customer_id": customerID, "delivery_date": "2026-12-20",
		"items": []any{line("2", "1280000.00", "5", "0.13")}}).Status(http.StatusCreated).Decode(&out)
	return out
}

func getOrder(t *testing.T, c *apptest.Client, id string) order.OrderResponse {
	t.Helper()
	var out order.OrderResponse
	c.Get("/orders/" + id).Status(http.StatusOK).Decode(&out)
	return out
}

// body is what each action posts.
func body(action string) any {
	switch action {
	case "ship":
		return map[string]any{"carrier": "顺丰速运", "tracking_number": "SF1234567890"}
	case "cancel":
		return map[string]any{"reason": "客户取消采购计划"}
	}
	return nil
}

// pendingApproval is the id of the pending request for doc in c's inbox.
func pendingApproval(t *testing.T, c *apptest.Client, doc string) string {
	t.Helper()
	var out struct {
		Data []struct {
			ID    string `json:"id"`
			DocID string `json:"doc_id"`
		} `json:"data"`
	}
	c.Get("/approvals?status=pending&assignee=me&limit=200").Status(http.StatusOK).Decode(&out)
	for _, r := range out.Data {
		if r.DocID == doc {
			return r.ID
		}
	}
	t.Fatalf("no pending approval for %s", doc)
	return ""
}

func approvalStatus(t *testing.T, c *apptest.Client, id string) string {
	t.Helper()
	var out struct{ Status string }
	c.Get("/approvals/" + id).Status(http.StatusOK).Decode(&out)
	return out.Status
}

// eventsOf lists the event types written about an entity, in order.
func eventsOf(t *testing.T, env *apptest.Env, id string) []string {
	t.Helper()
	var out struct {
		Data []struct {
			Type     string `json:"type"`
			EntityID string `json:"entity_id"`
		} `json:"data"`
	}
	env.Admin.Get("/events?limit=500").Status(http.StatusOK).Decode(&out)
	var types []string
	for _, e := range out.Data {
		if e.EntityID == id {
			types = append(types, e.Type)
		}
	}
	return types
}
