package quote_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/quote"
)

func TestMain(m *testing.M) { apptest.Main(m) }

type quoteList struct {
	Data    []quote.QuoteResponse `json:"data"`
	HasMore bool                  `json:"has_more"`
	Total   *int64                `json:"total"`
}

// customerOf creates a customer owned by c's user.
func customerOf(t *testing.T, c *apptest.Client, name string) string {
	t.Helper()
	var out struct{ ID string }
	c.Post("/customers", map[string]any{"name": name}).Status(http.StatusCreated).Decode(&out)
	return out.ID
}

// line is a free-text item.
func line(qty, price, discount, tax string) map[string]any {
	return map[string]any{"name": "项目", "quantity": qty, "unit_price": price, "discount_percent": discount,
		"tax_rate": tax}
}

func createQuote(t *testing.T, c *apptest.Client, customerID string, items ...map[string]any) quote.QuoteResponse {
	t.Helper()
	var out quote.QuoteResponse
	c.Post("/quotes", map[string]any{"customer_id": customerID, "valid_until": "2099-12-31", "items": items}).
		Status(http.StatusCreated).Decode(&out)
	return out
}

func getQuote(t *testing.T, c *apptest.Client, id string) quote.QuoteResponse {
	t.Helper()
	var out quote.QuoteResponse
	c.Get("/quotes/" + id).Status(http.StatusOK).Decode(&out)
	return out
}

// act posts an action and decodes the quote it returns.
func act(t *testing.T, c *apptest.Client, id, action string, body any, status int) quote.QuoteResponse {
	t.Helper()
	var out quote.QuoteResponse
	r := c.Post("/quotes/"+id+"/"+action, body).Status(status)
	if status < 300 {
		r.Decode(&out)
	}
	return out
}

type event struct {
	Seq      int64          `json:"seq"`
	Type     string         `json:"type"`
	EntityID string         `json:"entity_id"`
	Payload  map[string]any `json:"payload"`
}

// eventsOf lists the event types written about an entity, in order.
func eventsOf(t *testing.T, env *apptest.Env, id string) []string {
	t.Helper()
	var out struct {
		Data []event `json:"data"`
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

func setThreshold(t *testing.T, env *apptest.Env, pct string) {
	t.Helper()
	env.Admin.Patch("/settings", map[string]any{"quote_discount_approval_threshold": pct}).Status(http.StatusOK)
}

func itoa(n int) string { return fmt.Sprint(n) }
