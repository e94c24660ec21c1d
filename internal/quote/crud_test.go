package quote_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

// Lines and totals follow the pricing rules exactly, on the values where
// rounding bites.
func TestQuoteTotalsAndRounding(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		cust := customerOf(t, rep.Client, "恒达精密")

		cases := []struct {
			name                             string
			item                             map[string]any
			gross, discount, net, tax, total string
		}{
			{"half cent rounds up", line("1", "0.01", "50", "0"), "0.01", "0.00", "0.01", "0.00", "0.01"},
			{"net then tax", line("3", "0.05", "10", "0.13"), "0.15", "0.01", "0.14", "0.02", "0.16"},
			{"gross rounds", line("2.5", "0.33", "0", "0.06"), "0.83", "0.00", "0.83", "0.05", "0.88"},
			{"full discount", line("2", "99.99", "100", "0.13"), "199.98", "199.98", "0.00", "0.00", "0.00"},
			{"tiny quantity", line("0.0001", "0.05", "0", "0"), "0.00", "0.00", "0.00", "0.00", "0.00"},
			{"large quantity", line("1000000000", "99.99", "0", "0.13"), "99990000000.00", "0.00", "99990000000.00",
				"12998700000.00", "112988700000.00"},
		}
		for _, c := range cases {
			q := createQuote(t, rep.Client, cust, c.item)
			it := q.Items[0]
			if it.Gross != c.gross || it.Discount != c.discount || it.Net != c.net || it.Tax != c.tax || it.Total != c.total {
				t.Errorf("%s: line %+v", c.name, it)
			}
			if q.Subtotal != c.gross || q.DiscountTotal != c.discount || q.TaxTotal != c.tax || q.Total != c.total {
				t.Errorf("%s: totals %s %s %s %s", c.name, q.Subtotal, q.DiscountTotal, q.TaxTotal, q.Total)
			}
		}

		// Document totals are sums of rounded lines: 200 half-cent lines
		// make 2.00, not round(200 × 0.005) = 1.00.
		many := make([]map[string]any, 200)
		for i := range many {
			many[i] = line("1", "0.01", "50", "0")
		}
		q := createQuote(t, rep.Client, cust, many...)
		if len(q.Items) != 200 || q.Subtotal != "2.00" || q.DiscountTotal != "0.00" || q.Total != "2.00" {
			t.Fatalf("many lines: %d items, %s / %s / %s", len(q.Items), q.Subtotal, q.DiscountTotal, q.Total)
		}
	})
}

// Bad input is one 422 naming each field, and creates nothing.
func TestQuoteValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("华东", "")
		rep, other := env.User("rep", team), env.User("rep", team)
		cust := customerOf(t, rep.Client, "恒达精密")
		foreign := customerOf(t, other.Client, "别人的客户")
		var prod struct{ ID string }
		env.Admin.Post("/products", map[string]any{"sku": "OLD-1", "name": "旧型号", "price": "10.00", "active": false}).
			Status(http.StatusCreated).Decode(&prod)

		tooMany := make([]map[string]any, 201)
		for i := range tooMany {
			tooMany[i] = line("1", "1", "0", "0")
		}
		bad := []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"items": []any{line("1", "1", "0", "0")}}, "customer_id"},
			{map[string]any{"customer_id": foreign, "items": []any{line("1", "1", "0", "0")}}, "customer_id"},
			{map[string]any{"customer_id": cust, "items": []any{}}, "items"},
			{map[string]any{"customer_id": cust, "items": tooMany}, "items"},
			{map[string]any{"customer_id": cust, "items": []any{line("0", "1", "0", "0")}}, "items[0].quantity"},
			{map[string]any{"customer_id": cust, "items": []any{line("1.00001", "1", "0", "0")}}, "items[0].quantity"},
			{map[string]any{"customer_id": cust, "items": []any{line("1", "1.005", "0", "0")}}, "items[0].unit_price"},
			{map[string]any{"customer_id": cust, "items": []any{line("1", "-1", "0", "0")}}, "items[0].unit_price"},
			{map[string]any{"customer_id": cust, "items": []any{line("1", "1", "100.01", "0")}}, "items[0].discount_percent"},
			{map[string]any{"customer_id": cust, "items": []any{line("1", "1", "0", "1.5")}}, "items[0].tax_rate"},
			{map[string]any{"customer_id": cust, "items": []any{line("1000000000", "10000.00", "0", "0")}}, "items[0].quantity"},
			{map[string]any{"customer_id": cust, "items": []any{map[string]any{"quantity": "1", "unit_price": "1"}}}, "items[0].name"},
			{map[string]any{"customer_id": cust, "items": []any{map[string]any{"product_id": prod.ID, "quantity": "1"}}}, "items[0].product_id"},
			{map[string]any{"customer_id": cust, "valid_until": "2026-13-01", "items": []any{line("1", "1", "0", "0")}}, "valid_until"},
			{map[string]any{"customer_id": cust, "currency": "XX", "items": []any{line("1", "1", "0", "0")}}, "currency"},
			{map[string]any{"customer_id": cust, "contact_id": cust, "items": []any{line("1", "1", "0", "0")}}, "contact_id"},
		}
		for _, c := range bad {
			p := rep.Post("/quotes", c.body).Status(http.StatusUnprocessableEntity).Problem()
			if !p.HasField(c.field) {
				t.Errorf("%v: fields %+v, want %s", c.body, p.Errors, c.field)
			}
		}
		var l quoteList
		env.Admin.Get("/quotes?include_total=true").Status(http.StatusOK).Decode(&l)
		if *l.Total != 0 {
			t.Fatalf("422s created %d quotes", *l.Total)
		}
	})
}

// A catalogue line takes name, unit and price from the product.
func TestQuoteProductLine(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		cust := customerOf(t, rep.Client, "恒达精密")
		var prod struct{ ID string }
		env.Admin.Post("/products", map[string]any{"sku": "VMC-650", "name": "立式加工中心", "unit": "台",
			"price": "1280000.00"}).Status(http.StatusCreated).Decode(&prod)
		q := createQuote(t, rep.Client, cust, map[string]any{"product_id": prod.ID, "quantity": "2",
			"discount_percent": "5", "tax_rate": "0.13"})
		it := q.Items[0]
		if it.Name != "立式加工中心" || it.Unit != "台" || it.UnitPrice != "1280000.00" || *it.ProductID != prod.ID ||
			q.Subtotal != "2560000.00" || q.DiscountTotal != "128000.00" || q.TaxTotal != "316160.00" ||
			q.Total != "2748160.00" || q.Number == "" || q.Revision != 1 || q.Status != "draft" {
			t.Fatalf("quote %+v", q)
		}
		// The product is now in use.
		env.Admin.Delete("/products/" + prod.ID).Status(http.StatusConflict)
	})
}

// Edits: a draft is editable (If-Match guarded); past draft it is 409.
func TestQuoteUpdate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		cust := customerOf(t, rep.Client, "恒达精密")
		q := createQuote(t, rep.Client, cust, line("1", "100", "0", "0"))

		var up struct {
			Total   string
			Notes   string
			Version int
		}
		rep.Req("PATCH", "/quotes/"+q.ID, map[string]any{"notes": "加急", "items": []any{line("2", "100", "0", "0.13")}}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK).Decode(&up)
		if up.Total != "226.00" || up.Notes != "加急" || up.Version != 2 {
			t.Fatalf("updated %+v", up)
		}
		rep.Req("PATCH", "/quotes/"+q.ID, map[string]any{"notes": "x"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed)
		rep.Patch("/quotes/"+q.ID, map[string]any{"items": []any{line("0", "1", "0", "0")}}).
			Status(http.StatusUnprocessableEntity)
		rep.Patch("/quotes/"+q.ID, map[string]any{"currency": "USD"}).Status(http.StatusUnprocessableEntity)
		if got := getQuote(t, rep.Client, q.ID); got.Total != "226.00" || got.Version != 2 || len(got.Items) != 1 {
			t.Fatalf("failed edits changed the quote: %+v", got)
		}

		act(t, rep.Client, q.ID, "submit", nil, http.StatusOK)
		p := rep.Patch("/quotes/"+q.ID, map[string]any{"notes": "y"}).Status(http.StatusConflict).Problem()
		if p.Code != "not_editable" {
			t.Fatalf("code %s", p.Code)
		}
	})
}
