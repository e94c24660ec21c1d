package product_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

// A product some module still refers to cannot be deleted; retiring it is
// the way out.
func TestProductDeleteRefusedWhileInUse(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		used := createProduct(t, env.Admin, map[string]any{"sku": "USED-1", "name": "在用", "price": "1"})
		free := createProduct(t, env.Admin, map[string]any{"sku": "FREE-1", "name": "闲置", "price": "1"})
		env.App.Product.AddUsageCheck("opportunities", func(_ context.Context, id string) (bool, error) {
			return id == used.ID, nil
		})

		env.Admin.Lang = "zh-CN"
		p := env.Admin.Delete("/products/" + used.ID).Status(http.StatusConflict).Problem()
		if p.Code != "in_use" || p.Detail != "产品仍在使用中。" {
			t.Errorf("problem %+v", p)
		}
		env.Admin.Lang = ""
		if m := env.Admin.Patch("/products/"+used.ID, map[string]any{"active": false}).Status(http.StatusOK).Map(); m["active"] != false {
			t.Errorf("retire: %v", m)
		}
		env.Admin.Delete("/products/" + free.ID).Status(http.StatusNoContent)
		if g := getProduct(t, env.Admin, used.ID); g.Active || g.Version != 2 {
			t.Errorf("used product: %+v", g)
		}
		if acts := auditActions(t, env, used.ID); len(acts) != 2 {
			t.Errorf("refused delete audited: %v", acts)
		}
	})
}

// A usage check that fails stops the delete.
func TestProductDeleteUsageCheckFails(t *testing.T) {
	env := apptest.New(t, apptest.Embedded)
	p := createProduct(t, env.Admin, map[string]any{"sku": "P-1", "name": "产品", "price": "1"})
	env.App.Product.AddUsageCheck("broken", func(context.Context, string) (bool, error) {
		return false, errors.New("boom")
	})
	env.Admin.Req(http.MethodDelete, "/products/"+p.ID, nil).Expect500().Send().Status(http.StatusInternalServerError)
	getProduct(t, env.Admin, p.ID)
}

// A row elsewhere that references the product by foreign key also makes
// it in use, even without a registered check.
func TestProductDeleteRefusedByForeignKey(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		p := createProduct(t, env.Admin, map[string]any{"sku": "P-1", "name": "产品", "price": "1"})
		g := env.App.DB.Gorm()
		if err := g.Exec(`CREATE TABLE product_refs (id VARCHAR(36) PRIMARY KEY,
			product_id VARCHAR(36) NOT NULL REFERENCES products (id))`).Error; err != nil {
			t.Fatal(err)
		}
		if err := g.Exec("INSERT INTO product_refs (id, product_id) VALUES ('r1', ?)", p.ID).Error; err != nil {
			t.Fatal(err)
		}
		if pr := env.Admin.Delete("/products/" + p.ID).Status(http.StatusConflict).Problem(); pr.Code != "in_use" {
			t.Errorf("problem %+v", pr)
		}
		getProduct(t, env.Admin, p.ID)
	})
}

// Lookup serves other modules: every product asked for that exists, by id.
func TestProductLookup(t *testing.T) {
	env := apptest.New(t, apptest.Embedded)
	a := createProduct(t, env.Admin, map[string]any{"sku": "A-1", "name": "甲", "price": "1"})
	b := createProduct(t, env.Admin, map[string]any{"sku": "B-1", "name": "乙", "price": "2.50", "active": false})
	got, err := env.App.Product.Lookup(context.Background(), []string{a.ID, "missing", b.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[a.ID].SKU != "A-1" || got[b.ID].Price.String() != "2.50" || got[b.ID].Active {
		t.Fatalf("lookup %+v", got)
	}
	if none, err := env.App.Product.Lookup(context.Background(), nil); err != nil || len(none) != 0 {
		t.Fatalf("empty lookup %v %v", none, err)
	}
}
