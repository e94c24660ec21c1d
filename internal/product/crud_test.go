package product_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestProductCRUD(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("华东", "")
		mgr, rep := env.User("manager", team), env.User("rep", team)

		resp := mgr.Post("/products", map[string]any{"sku": " VMC-650 ", "name": " 立式加工中心 ", "category": "数控机床",
			"unit": "台", "price": "1280000", "cost": "960000.00", "description": "三轴"}).Status(http.StatusCreated)
		if resp.Header.Get("ETag") != `"1"` {
			t.Errorf("ETag %q", resp.Header.Get("ETag"))
		}
		var p struct {
			ID, SKU, Name, Price, Cost, Currency, Unit, Category string
			MarginPercent                                        string `json:"margin_percent"`
			CreatedBy                                            string `json:"created_by"`
			Active                                               bool
			Version                                              int
		}
		resp.Decode(&p)
		if p.SKU != "VMC-650" || p.Name != "立式加工中心" || p.Price != "1280000.00" || p.Cost != "960000.00" ||
			p.MarginPercent != "25.00" || p.Currency != "CNY" || !p.Active || p.Version != 1 || p.CreatedBy != mgr.ID ||
			p.Unit != "台" || p.Category != "数控机床" {
			t.Fatalf("created %+v", p)
		}

		// A rep reads the catalogue but never the cost.
		seen := rep.Get("/products/" + p.ID).Status(http.StatusOK).Map()
		if hasCost(seen) || seen["price"] != "1280000.00" {
			t.Errorf("rep sees %v", seen)
		}
		var l struct{ Data []map[string]any }
		rep.Get("/products").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 1 || hasCost(l.Data[0]) {
			t.Errorf("rep's list %v", l.Data)
		}

		// PATCH with If-Match: absent fields stay; a stale one is 412.
		up := env.Admin.Req("PATCH", "/products/"+p.ID, map[string]any{"price": "1200000", "currency": "usd"}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK)
		if up.Header.Get("ETag") != `"2"` {
			t.Errorf("ETag %q", up.Header.Get("ETag"))
		}
		got := up.Map()
		if got["price"] != "1200000.00" || got["currency"] != "USD" || got["cost"] != "960000.00" ||
			got["margin_percent"] != "20.00" || got["name"] != "立式加工中心" || got["version"] != float64(2) {
			t.Errorf("updated %v", got)
		}
		env.Admin.Req("PATCH", "/products/"+p.ID, map[string]any{"name": "x"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed).Problem()
		if g := getProduct(t, env.Admin, p.ID); g.Name != "立式加工中心" || g.Version != 2 {
			t.Errorf("412 changed the product: %+v", g)
		}

		// cost "" clears the cost, and the margin goes with it.
		if m := mgr.Patch("/products/"+p.ID, map[string]any{"cost": ""}).Status(http.StatusOK).Map(); hasCost(m) {
			t.Errorf("cost not cleared: %v", m)
		}
		if m := mgr.Patch("/products/"+p.ID, map[string]any{"active": false}).Status(http.StatusOK).Map(); m["active"] != false {
			t.Errorf("not retired: %v", m)
		}

		mgr.Req("DELETE", "/products/"+p.ID, nil).Header("If-Match", `"1"`).Send().Status(http.StatusPreconditionFailed)
		mgr.Delete("/products/" + p.ID).Status(http.StatusNoContent)
		rep.Get("/products/" + p.ID).Status(http.StatusNotFound).Problem()
		mgr.Delete("/products/" + p.ID).Status(http.StatusNotFound)

		if acts := auditActions(t, env, p.ID); !slices.Equal(acts, []string{"create", "update", "update", "update", "delete"}) {
			t.Errorf("audit actions %v", acts)
		}
	})
}

func TestProductPermissions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		p := createProduct(t, env.Admin, map[string]any{"sku": "P-1", "name": "产品", "price": "10", "cost": "6"})

		rep.Post("/products", map[string]any{"sku": "P-2", "name": "x", "price": "1"}).Status(http.StatusForbidden).Problem()
		rep.Patch("/products/"+p.ID, map[string]any{"name": "y"}).Status(http.StatusForbidden).Problem()
		rep.Delete("/products/" + p.ID).Status(http.StatusForbidden).Problem()
		if g := getProduct(t, env.Admin, p.ID); g.Name != "产品" || g.Version != 1 {
			t.Errorf("rep changed the product: %+v", g)
		}
		if l := listProducts(t, env.Admin, "/products?include_total=true"); *l.Total != 1 {
			t.Errorf("rep created a product: %+v", l)
		}

		// API keys: read sees no cost; write may see it.
		var key struct{ Key string }
		env.Admin.Post("/api-keys", map[string]any{"name": "shop", "scopes": []string{"products:read"}}).
			Status(http.StatusCreated).Decode(&key)
		reader := env.WithAPIKey(key.Key)
		if m := reader.Get("/products/" + p.ID).Status(http.StatusOK).Map(); hasCost(m) {
			t.Errorf("read-only key sees cost: %v", m)
		}
		reader.Post("/products", map[string]any{"sku": "P-3", "name": "x", "price": "1"}).Status(http.StatusForbidden)
		env.Admin.Post("/api-keys", map[string]any{"name": "erp", "scopes": []string{"products:read", "products:write"}}).
			Status(http.StatusCreated).Decode(&key)
		if m := env.WithAPIKey(key.Key).Get("/products/" + p.ID).Status(http.StatusOK).Map(); m["margin_percent"] != "40.00" {
			t.Errorf("ERP key: %v", m)
		}

		rep.Get("/products/not-a-uuid").Status(http.StatusNotFound)
		rep.Get("/products/00000000-0000-0000-0000-000000000000").Status(http.StatusNotFound)
		env.Admin.Patch("/products/00000000-0000-0000-0000-000000000000", map[string]any{"name": "y"}).Status(http.StatusNotFound)
	})
}

func TestProductValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		mgr := env.User("manager", env.Team("华东", ""))
		ok := func(over map[string]any) map[string]any {
			body := map[string]any{"sku": "P-1", "name": "产品", "price": "1.00"}
			for k, v := range over {
				if v == nil {
					delete(body, k)
				} else {
					body[k] = v
				}
			}
			return body
		}
		for field, bodies := range map[string][]map[string]any{
			"sku": {ok(map[string]any{"sku": nil}), ok(map[string]any{"sku": " "}), ok(map[string]any{"sku": "A B"}),
				ok(map[string]any{"sku": "产品1"}), ok(map[string]any{"sku": "a/b"}),
				ok(map[string]any{"sku": strings.Repeat("A", 65)})},
			"name": {ok(map[string]any{"name": nil}), ok(map[string]any{"name": strings.Repeat("名", 201)})},
			"price": {ok(map[string]any{"price": nil}), ok(map[string]any{"price": "-1"}), ok(map[string]any{"price": "1.005"}),
				ok(map[string]any{"price": "abc"}), ok(map[string]any{"price": "1,000"}), ok(map[string]any{"price": ""}),
				ok(map[string]any{"price": "1000000000000"})},
			"cost":        {ok(map[string]any{"cost": "-0.01"}), ok(map[string]any{"cost": "1.234"})},
			"currency":    {ok(map[string]any{"currency": "RMB"}), ok(map[string]any{"currency": "XXX"}), ok(map[string]any{"currency": "US"})},
			"unit":        {ok(map[string]any{"unit": strings.Repeat("个", 21)})},
			"category":    {ok(map[string]any{"category": strings.Repeat("类", 101)})},
			"description": {ok(map[string]any{"description": strings.Repeat("x", 5001)})},
		} {
			for _, body := range bodies {
				p := mgr.Post("/products", body).Status(http.StatusUnprocessableEntity).Problem()
				if p.Code != "validation_failed" || !p.HasField(field) || len(p.Errors) != 1 {
					t.Errorf("%v: %+v, want only %s", body, p, field)
				}
			}
		}
		// Every bad field at once, field by field, in the caller's language.
		mgr.Lang = "zh-CN"
		p := mgr.Post("/products", map[string]any{"sku": "a b", "name": "", "price": "x"}).
			Status(http.StatusUnprocessableEntity).Problem()
		if !p.HasField("sku") || !p.HasField("name") || !p.HasField("price") || len(p.Errors) != 3 {
			t.Errorf("problem %+v", p)
		}
		for _, e := range p.Errors {
			if e.Field == "sku" && e.Message != "只能包含字母、数字、点、下划线和连字符" {
				t.Errorf("sku message %q", e.Message)
			}
		}
		mgr.Lang = ""

		// Malformed bodies are 400s.
		mgr.Post("/products", `{"sku":"P-1","name":"x","price":"1","colour":"red"}`).Status(http.StatusBadRequest).Problem()
		mgr.Post("/products", `{"sku":"P-1","name":"x","price":1}`).Status(http.StatusBadRequest).Problem()
		mgr.Post("/products", `{"sku":"P-1",`).Status(http.StatusBadRequest).Problem()
		if l := listProducts(t, mgr.Client, "/products?include_total=true"); *l.Total != 0 {
			t.Fatalf("invalid input created products: %+v", l)
		}

		made := createProduct(t, mgr.Client, map[string]any{"sku": "P-1", "name": "产品", "price": "1"})
		for body, field := range map[string]string{`{"price":""}`: "price", `{"sku":"bad sku"}`: "sku",
			`{"name":" "}`: "name", `{"currency":"ABC"}`: "currency", `{"cost":"-5"}`: "cost"} {
			p := mgr.Patch("/products/"+made.ID, body).Status(http.StatusUnprocessableEntity).Problem()
			if !p.HasField(field) {
				t.Errorf("PATCH %s: %+v", body, p)
			}
		}
		mgr.Patch("/products/"+made.ID, `{"sku_key":"x"}`).Status(http.StatusBadRequest)
		mgr.Req("PATCH", "/products/"+made.ID, map[string]any{"name": "y"}).Header("If-Match", "abc").Send().
			Status(http.StatusBadRequest)
		if g := getProduct(t, mgr.Client, made.ID); g.Version != 1 || g.Price != "1.00" {
			t.Errorf("bad input changed the product: %+v", g)
		}
	})
}

func TestProductSKUUniqueIgnoringCase(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		a := createProduct(t, env.Admin, map[string]any{"sku": "ABC-1", "name": "甲", "price": "1"})
		p := env.Admin.Post("/products", map[string]any{"sku": "abc-1", "name": "乙", "price": "2"}).
			Status(http.StatusConflict).Problem()
		if p.Code != "duplicate" || len(p.Matches) != 1 || p.Matches[0]["id"] != a.ID || p.Matches[0]["type"] != "product" ||
			p.Matches[0]["name"] != "甲" {
			t.Fatalf("duplicate problem %+v", p)
		}

		other := createProduct(t, env.Admin, map[string]any{"sku": "XYZ-2", "name": "丙", "price": "3"})
		env.Admin.Patch("/products/"+other.ID, map[string]any{"sku": "Abc-1"}).Status(http.StatusConflict).Problem()
		if g := getProduct(t, env.Admin, other.ID); g.SKU != "XYZ-2" || g.Version != 1 {
			t.Errorf("conflict changed the product: %+v", g)
		}
		// A product may change the case of its own SKU; it is kept as given.
		if g := env.Admin.Patch("/products/"+a.ID, map[string]any{"sku": "abc-1"}).Status(http.StatusOK).Map(); g["sku"] != "abc-1" {
			t.Errorf("own SKU: %v", g)
		}
		// Once deleted, the SKU is free again.
		env.Admin.Delete("/products/" + a.ID).Status(http.StatusNoContent)
		createProduct(t, env.Admin, map[string]any{"sku": "ABC-1", "name": "丁", "price": "4"})
	})
}
