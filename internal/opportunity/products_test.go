package opportunity_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

// productUnknown is an id no product has.
const productUnknown = "0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a93"

func newProduct(t *testing.T, env *apptest.Env, sku string, active bool) string {
	t.Helper()
	var p struct{ ID string }
	env.Admin.Post("/products", map[string]any{"sku": sku, "name": sku, "price": "10.00", "active": active}).
		Status(http.StatusCreated).Decode(&p)
	return p.ID
}

func TestOpportunityProducts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		productA, productB := newProduct(t, env, "A-1", true), newProduct(t, env, "B-1", true)
		productInactive := newProduct(t, env, "OLD-1", false)
		rep := env.User("rep", env.Team("华东", ""))
		cust := newCustomer(t, rep.Client, nil)

		// 3 × 19.99 × 90% = 53.973 → 53.97; 0.5 × 0.05 = 0.025 → 0.03
		// (half-up); the amount is their sum when not given.
		lines := []map[string]any{
			{"product_id": productA, "quantity": "3", "unit_price": "19.99", "discount_percent": "10"},
			{"product_id": productB, "quantity": "0.5", "unit_price": "0.05"}}
		o := createOpp(t, rep.Client, map[string]any{"name": "A", "customer_id": cust, "products": lines})
		if len(o.Products) != 2 || o.Products[0].LineTotal.String() != "53.97" ||
			o.Products[1].LineTotal.String() != "0.03" || o.Products[1].DiscountPercent != "0" ||
			o.Amount.String() != "54.00" {
			t.Fatalf("lines %+v amount %s", o.Products, o.Amount)
		}
		// A given amount wins over the lines.
		if o2 := createOpp(t, rep.Client, map[string]any{"name": "B", "customer_id": cust, "products": lines,
			"amount": "60"}); o2.Amount.String() != "60.00" {
			t.Errorf("explicit amount %s", o2.Amount)
		}

		bad := []map[string]any{
			{"product_id": productInactive, "quantity": "1", "unit_price": "1"},
			{"product_id": productUnknown, "quantity": "1", "unit_price": "1"}}
		p := rep.Post("/opportunities", map[string]any{"name": "C", "customer_id": cust, "products": bad}).
			Status(http.StatusUnprocessableEntity).Problem()
		if !p.HasField("products[0].product_id") || !p.HasField("products[1].product_id") {
			t.Errorf("422 %+v", p.Errors)
		}
		p = rep.Post("/opportunities", map[string]any{"name": "C", "customer_id": cust, "products": []map[string]any{
			{"product_id": productA, "quantity": "0", "unit_price": "-1", "discount_percent": "101"}}}).
			Status(http.StatusUnprocessableEntity).Problem()
		for _, f := range []string{"products[0].quantity", "products[0].unit_price", "products[0].discount_percent"} {
			if !p.HasField(f) {
				t.Errorf("422 lacks %s: %+v", f, p.Errors)
			}
		}

		// PATCH replaces the lines and recomputes the amount.
		var up struct {
			Amount   string
			Products []struct {
				LineTotal string `json:"line_total"`
			}
		}
		rep.Patch("/opportunities/"+o.ID, map[string]any{"products": lines[:1]}).Status(http.StatusOK).Decode(&up)
		if up.Amount != "53.97" || len(up.Products) != 1 {
			t.Errorf("patched %+v", up)
		}
	})
}

func TestCompetitors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		var c struct {
			ID, Name string
			Version  int
		}
		rep.Post("/competitors", map[string]any{"name": "西门子", "website": "https://siemens.example.cn",
			"strengths": "品牌"}).Status(http.StatusCreated).Decode(&c)
		if p := rep.Post("/competitors", map[string]any{"name": " 西门子 "}).Status(http.StatusUnprocessableEntity).
			Problem(); !p.HasField("name") {
			t.Errorf("duplicate name %+v", p)
		}
		rep.Post("/competitors", map[string]any{"name": "abb"}).Status(http.StatusCreated)
		rep.Post("/competitors", map[string]any{"name": "ABB"}).Status(http.StatusUnprocessableEntity)
		rep.Post("/competitors", map[string]any{"website": "x"}).Status(http.StatusUnprocessableEntity)
		var list struct {
			Data []struct{ Name string } `json:"data"`
		}
		rep.Get("/competitors?q=西门").Status(http.StatusOK).Decode(&list)
		if len(list.Data) != 1 {
			t.Errorf("search %+v", list)
		}
		rep.Req("PATCH", "/competitors/"+c.ID, map[string]any{"weaknesses": "贵"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusOK)
		rep.Req("PATCH", "/competitors/"+c.ID, map[string]any{"weaknesses": "x"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)

		// Named by an opportunity: cannot be deleted; reps may not delete.
		cust := newCustomer(t, rep.Client, nil)
		createOpp(t, rep.Client, map[string]any{"name": "A", "customer_id": cust, "competitor_ids": []string{c.ID}})
		if p := rep.Post("/opportunities", map[string]any{"name": "B", "customer_id": cust,
			"competitor_ids": []string{productUnknown}}).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("competitor_ids") {
			t.Errorf("unknown competitor %+v", p)
		}
		rep.Delete("/competitors/" + c.ID).Status(http.StatusForbidden)
		if p := env.Admin.Delete("/competitors/" + c.ID).Status(http.StatusConflict).Problem(); p.Code != "in_use" {
			t.Errorf("delete in use %+v", p)
		}
		var stats struct {
			Stats struct {
				WinRate *string `json:"win_rate"`
			} `json:"stats"`
		}
		rep.Get("/competitors/" + c.ID).Status(http.StatusOK).Decode(&stats)
		if stats.Stats.WinRate != nil {
			t.Errorf("win rate without closed deals: %v", *stats.Stats.WinRate)
		}
		var abb struct{ Data []struct{ ID string } }
		env.Admin.Get("/competitors?q=abb").Status(http.StatusOK).Decode(&abb)
		env.Admin.Delete("/competitors/" + abb.Data[0].ID).Status(http.StatusNoContent)
		env.Admin.Get("/competitors/" + abb.Data[0].ID).Status(http.StatusNotFound)
	})
}
