package product_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestProductListFiltersSortAndPaging(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		// Created in this order, so their ids (UUIDv7) ascend likewise.
		p1 := createProduct(t, env.Admin, map[string]any{"sku": "B-200", "name": "Beta 服务器", "category": "服务器",
			"price": "300.00"})
		p2 := createProduct(t, env.Admin, map[string]any{"sku": "a-100", "name": "Alpha 软件许可", "category": "软件",
			"unit": "license", "price": "99.90", "currency": "USD"})
		p3 := createProduct(t, env.Admin, map[string]any{"sku": "C-300", "name": "Gamma 交换机", "category": "网络",
			"price": "1200.00", "active": false})
		p4 := createProduct(t, env.Admin, map[string]any{"sku": "d-050", "name": "Delta 服务器 Pro", "category": "服务器",
			"price": "300.00"})

		for q, want := range map[string][]string{
			"q=alpha":                   {p2.ID},
			"q=服务器":                     {p1.ID, p4.ID},
			"q=c-3":                     {p3.ID},
			"q=B-2":                     {p1.ID},
			"q=50%25":                   nil,
			"category=服务器":              {p1.ID, p4.ID},
			"category=软件,网络":            {p2.ID, p3.ID},
			"active=false":              {p3.ID},
			"active=true":               {p1.ID, p2.ID, p4.ID},
			"currency=USD":              {p2.ID},
			"currency=usd":              {p2.ID},
			"currency=CNY&category=服务器": {p1.ID, p4.ID},
			"active=true&category=网络":   nil,
		} {
			if got := ids(listProducts(t, env.Admin, "/products?limit=200&"+q)); !sameSet(got, want) {
				t.Errorf("%s: got %v, want %v", q, got, want)
			}
		}

		// Sorts, ties broken by id in the direction of the first key.
		for sort, want := range map[string][]string{
			"":            {p4.ID, p3.ID, p2.ID, p1.ID},
			"price":       {p2.ID, p1.ID, p4.ID, p3.ID},
			"-price":      {p3.ID, p4.ID, p1.ID, p2.ID},
			"sku":         {p2.ID, p1.ID, p3.ID, p4.ID},
			"-sku":        {p4.ID, p3.ID, p1.ID, p2.ID},
			"name":        {p2.ID, p1.ID, p4.ID, p3.ID},
			"price,-name": {p2.ID, p4.ID, p1.ID, p3.ID},
			"created_at":  {p1.ID, p2.ID, p3.ID, p4.ID},
		} {
			if got := ids(listProducts(t, env.Admin, "/products?sort="+sort)); !slices.Equal(got, want) {
				t.Errorf("sort %q: got %v, want %v", sort, got, want)
			}
			// The same order one page at a time.
			var walked []string
			path := "/products?limit=1&include_total=true&sort=" + sort
			for range 10 {
				page := listProducts(t, env.Admin, path)
				if page.Total == nil || *page.Total != 4 {
					t.Fatalf("sort %q: total %v", sort, page.Total)
				}
				walked = append(walked, ids(page)...)
				if !page.HasMore {
					break
				}
				path = "/products?limit=1&include_total=true&sort=" + sort + "&cursor=" + page.NextCursor
			}
			if !slices.Equal(walked, want) {
				t.Errorf("sort %q paged: got %v, want %v", sort, walked, want)
			}
		}

		// The catalogue is global: a rep sees all of it.
		if l := listProducts(t, rep.Client, "/products?include_total=true"); *l.Total != 4 {
			t.Errorf("rep sees %d products", *l.Total)
		}

		env.Admin.Get("/products?sort=cost").Status(http.StatusBadRequest).Problem()
		env.Admin.Get("/products?active=maybe").Status(http.StatusBadRequest).Problem()
		env.Admin.Get("/products?cursor=bogus").Status(http.StatusBadRequest).Problem()
		env.Admin.Get("/products?limit=201").Status(http.StatusBadRequest).Problem()
		if p := env.Admin.Get("/products?currency=RMB").Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("currency") {
			t.Errorf("currency filter: %+v", p)
		}
	})
}

func TestProductCategories(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", "")
		for _, p := range []map[string]any{
			{"sku": "S-1", "name": "服务器一", "category": "服务器", "price": "1"},
			{"sku": "S-2", "name": "服务器二", "category": "服务器", "price": "1", "active": false},
			{"sku": "W-1", "name": "软件", "category": "软件", "price": "1"},
			{"sku": "N-1", "name": "未分类", "price": "1"},
		} {
			createProduct(t, env.Admin, p)
		}
		var out struct {
			Data []struct {
				Name        string `json:"name"`
				Count       int64  `json:"count"`
				ActiveCount int64  `json:"active_count"`
			} `json:"data"`
		}
		rep.Get("/products/categories").Status(http.StatusOK).Decode(&out)
		if len(out.Data) != 2 || out.Data[0].Name != "服务器" || out.Data[0].Count != 2 || out.Data[0].ActiveCount != 1 ||
			out.Data[1].Name != "软件" || out.Data[1].Count != 1 || out.Data[1].ActiveCount != 1 {
			t.Fatalf("categories %+v", out.Data)
		}
		env.Anonymous().Get("/products/categories").Status(http.StatusUnauthorized).Problem()
	})
}
