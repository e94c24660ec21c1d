package dataio_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/dataio"
)

type productRow struct {
	ID          string `json:"id"`
	SKU         string `json:"sku"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Unit        string `json:"unit"`
	Price       string `json:"price"`
	Cost        string `json:"cost"`
	Currency    string `json:"currency"`
	Active      bool   `json:"active"`
	Description string `json:"description"`
	Version     int    `json:"version"`
}

// products lists the catalogue by SKU.
func products(t *testing.T, c *apptest.Client) map[string]productRow {
	t.Helper()
	var out struct{ Data []productRow }
	c.Get("/products?limit=200").Status(http.StatusOK).Decode(&out)
	m := map[string]productRow{}
	for _, p := range out.Data {
		m[p.SKU] = p
	}
	return m
}

// Chinese headers, money cells as spreadsheets write them, and every kind
// of bad row; a dry run first, which writes nothing.
func TestImportProductsCSVChineseHeaders(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		mgr := env.User("manager", env.Team("华东", ""))
		file := csvFile(t, true,
			[]string{"产品编码", "名称", "分类", "单位", "单价", "成本", "币种", "启用", "描述"},
			[]string{"VMC-650", "立式加工中心", "数控机床", "台", "¥1,280,000.00", "960,000", "CNY", "是", "三轴"},
			[]string{"lic-crm", "CRM 许可", "软件", "license", "1234.5", "", "usd", "否", ""},
			[]string{"BAD SKU", "坏编码", "", "", "1", "", "", "", ""},         // row 4
			[]string{"P-3", "三位小数", "", "", "12.345", "", "", "", ""},       // row 5: never rounded
			[]string{"vmc-650", "文件内重复", "", "", "1", "", "", "", ""},       // row 6: row 2's SKU
			[]string{"P-4", "无单价", "", "", "", "", "", "", ""},              // row 7
			[]string{"P-5", "启用不明", "", "", "1", "", "", "也许", ""},          // row 8
			[]string{"P-6", "小数逗号", "", "", "12,5", "", "", "", ""},         // row 9: not 125
			[]string{"P-7", "配件", "配件", "个", "88 元", "￥50.5", "", "", "备用"}, // row 10
		)
		dry := importFile(t, mgr.Client, map[string]string{"entity": "products", "dry_run": "true"}, "产品.csv", file)
		if !dry.DryRun || dry.Status != dataio.StatusCompleted || dry.Created != 3 || dry.ErrorCount != 6 {
			t.Fatalf("dry run: %+v", dry)
		}
		if len(products(t, mgr.Client)) != 0 {
			t.Fatal("dry run created products")
		}

		j := importFile(t, mgr.Client, map[string]string{"entity": "products"}, "产品.csv", file)
		if j.Status != dataio.StatusCompleted || j.Total != 9 || j.Created != 3 || j.ErrorCount != 6 || j.Entity != "products" {
			t.Fatalf("job: %+v", j)
		}
		errs := errorsOf(j)
		for _, k := range []string{"4:sku", "5:price", "6:sku", "7:price", "8:active", "9:price"} {
			if errs[k] == "" {
				t.Errorf("no error %s in %v", k, j.Errors)
			}
		}
		if errs["5:price"] != "must have at most 2 decimal places" || errs["6:sku"] != "duplicate of row 2 of this file" {
			t.Errorf("messages: %v", errs)
		}
		got := products(t, mgr.Client)
		if p := got["VMC-650"]; p.Name != "立式加工中心" || p.Price != "1280000.00" || p.Cost != "960000.00" ||
			p.Category != "数控机床" || p.Unit != "台" || !p.Active || p.Currency != "CNY" {
			t.Errorf("VMC-650: %+v", p)
		}
		if p := got["lic-crm"]; p.Price != "1234.50" || p.Cost != "" || p.Currency != "USD" || p.Active {
			t.Errorf("lic-crm: %+v", p)
		}
		if p := got["P-7"]; p.Price != "88.00" || p.Cost != "50.50" || p.Description != "备用" {
			t.Errorf("P-7: %+v", p)
		}
		var n int64
		env.App.DB.Gorm().Table("audit_logs").Where("entity_type = 'product' AND action = 'create'").Count(&n)
		if n != 3 {
			t.Errorf("audit rows: %d", n)
		}

		mgr.Lang = "zh-CN"
		var zh dataio.ImportJobResponse
		mgr.Get("/imports/" + j.ID).Status(http.StatusOK).Decode(&zh)
		if e := errorsOf(zh); e["6:sku"] != "与本文件第 2 行重复" || e["5:price"] != "最多 2 位小数" {
			t.Errorf("zh messages: %v", e)
		}
	})
}

// English headers in XLSX; duplicates by SKU ignoring case are skipped or
// updated with the row's non-empty cells; who may import.
func TestImportProductsXLSXUpdate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		team := env.Team("华东", "")
		rep, mgr := env.User("rep", team), env.User("manager", team)
		env.Admin.Post("/products", map[string]any{"sku": "VMC-650", "name": "旧名称", "category": "机床", "price": "1000",
			"description": "old"}).Status(http.StatusCreated)
		file := xlsxFile(t,
			[]string{"SKU", "Name", "Price", "Cost", "Active"},
			[]string{"vmc-650", "新名称", "1,100.00", "800", "false"},
			[]string{"NEW-1", "新产品", "50", "", ""},
		)
		skip := importFile(t, mgr.Client, map[string]string{"entity": "products"}, "p.xlsx", file)
		if skip.Created != 1 || skip.Skipped != 1 || skip.ErrorCount != 0 || skip.Format != "xlsx" {
			t.Fatalf("skip: %+v", skip)
		}
		if p := products(t, mgr.Client)["VMC-650"]; p.Name != "旧名称" || p.Version != 1 {
			t.Fatalf("skipped row changed the product: %+v", p)
		}

		dry := importFile(t, mgr.Client, map[string]string{"entity": "products", "on_duplicate": "update", "dry_run": "true"},
			"p.xlsx", file)
		if dry.Updated != 2 || dry.Created != 0 {
			t.Fatalf("dry update: %+v", dry)
		}
		if p := products(t, mgr.Client)["VMC-650"]; p.Name != "旧名称" || p.Version != 1 {
			t.Fatalf("dry run changed the product: %+v", p)
		}

		upd := importFile(t, mgr.Client, map[string]string{"entity": "products", "on_duplicate": "update"}, "p.xlsx", file)
		if upd.Updated != 2 || upd.Created != 0 || upd.ErrorCount != 0 {
			t.Fatalf("update: %+v", upd)
		}
		p := products(t, mgr.Client)["VMC-650"]
		if p.Name != "新名称" || p.Price != "1100.00" || p.Cost != "800.00" || p.Active || p.Category != "机床" ||
			p.Description != "old" || p.Version != 2 {
			t.Fatalf("updated: %+v", p)
		}

		pr := upload(t, mgr.Client, map[string]string{"entity": "products", "on_duplicate": "create"}, "p.xlsx", file).
			Status(http.StatusUnprocessableEntity).Problem()
		if !pr.HasField("on_duplicate") {
			t.Errorf("on_duplicate create: %+v", pr)
		}
		upload(t, rep.Client, map[string]string{"entity": "products"}, "p.xlsx", file).Status(http.StatusForbidden).Problem()
	})
}

// An export imports back as it was: money, unknown costs, retired products
// and a formula-like description (neutralised in the file, restored on
// import). Reps export the catalogue without costs.
func TestExportProductsRoundTrip(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		formula := `=HYPERLINK("http://evil.example","点我")`
		var vmc productRow
		env.Admin.Post("/products", map[string]any{"sku": "VMC-650", "name": "立式加工中心", "category": "数控机床",
			"unit": "台", "price": "1280000.00", "cost": "960000.00", "description": formula}).
			Status(http.StatusCreated).Decode(&vmc)
		var lic productRow
		env.Admin.Post("/products", map[string]any{"sku": "LIC-1", "name": "许可", "price": "99.90", "currency": "USD",
			"active": false}).Status(http.StatusCreated).Decode(&lic)

		env.Admin.Lang = "zh-CN"
		body := env.Admin.Get("/exports/products").Status(http.StatusOK).Body
		rows := readCSV(t, body)
		if rows[0][1] != "产品编码" || !slices.Contains(rows[0], "成本") || len(rows) != 3 {
			t.Fatalf("admin export: %v", rows)
		}
		if d := column(rows, "描述"); !slices.Contains(d, "'"+formula) {
			t.Fatalf("formula not neutralised: %v", d)
		}
		if p := column(rows, "单价"); !slices.Contains(p, "1280000.00") || !slices.Contains(p, "99.90") {
			t.Fatalf("prices: %v", p)
		}
		env.Admin.Lang = ""

		// Reps: no cost column, in CSV and XLSX.
		for _, rr := range [][][]string{readCSV(t, rep.Get("/exports/products").Status(http.StatusOK).Body),
			readXLSX(t, rep.Get("/exports/products?format=xlsx").Status(http.StatusOK).Body)} {
			if slices.Contains(rr[0], "cost") || len(rr) != 3 || len(rr[1]) != len(rr[0]) || !slices.Contains(rr[0], "price") {
				t.Fatalf("rep export: %v", rr)
			}
		}
		// Filters are the list's.
		for q, want := range map[string]string{"active=false": "LIC-1", "currency=usd": "LIC-1", "q=lic": "LIC-1",
			"category=数控机床,软件": "VMC-650"} {
			if r := readCSV(t, env.Admin.Get("/exports/products?"+q).Status(http.StatusOK).Body); !slices.Equal(column(r, "sku"), []string{want}) {
				t.Fatalf("export %s: %v", q, r)
			}
		}
		env.Admin.Get("/exports/products?currency=RMB").Status(http.StatusUnprocessableEntity).Problem()
		env.Admin.Get("/exports/products?active=maybe").Status(http.StatusBadRequest).Problem()

		// Change one, delete the other, and import the export back.
		env.Admin.Patch("/products/"+vmc.ID, map[string]any{"price": "1.00", "cost": "", "description": "changed",
			"active": false}).Status(http.StatusOK)
		env.Admin.Delete("/products/" + lic.ID).Status(http.StatusNoContent)
		j := importFile(t, env.Admin, map[string]string{"entity": "products", "on_duplicate": "update"}, "export.csv", body)
		if j.Updated != 1 || j.Created != 1 || j.ErrorCount != 0 {
			t.Fatalf("round trip: %+v", j)
		}
		got := products(t, env.Admin)
		if p := got["VMC-650"]; p.Price != "1280000.00" || p.Cost != "960000.00" || p.Description != formula || !p.Active ||
			p.Unit != "台" || p.Category != "数控机床" {
			t.Errorf("VMC-650 after round trip: %+v", p)
		}
		if p := got["LIC-1"]; p.Price != "99.90" || p.Currency != "USD" || p.Active || p.Cost != "" || p.Name != "许可" {
			t.Errorf("LIC-1 after round trip: %+v", p)
		}
	})
}

// The product template, in Chinese, imports as it comes.
func TestProductTemplate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		mgr := env.User("manager", "")
		mgr.Lang = "zh-CN"
		body := mgr.Get("/imports/templates/products").Status(http.StatusOK).Body
		rows := readCSV(t, body)
		want := []string{"产品编码", "名称", "分类", "单位", "单价", "成本", "币种", "启用", "描述"}
		if len(rows) != 2 || !slices.Equal(rows[0], want) {
			t.Fatalf("template: %v", rows)
		}
		j := importFile(t, mgr.Client, map[string]string{"entity": "products"}, "t.csv", body)
		if j.Created != 1 || j.ErrorCount != 0 {
			t.Fatalf("template import: %+v", j)
		}
		if p := products(t, mgr.Client)["VMC-650"]; p.Price != "1280000.00" || p.Cost != "960000.00" || !p.Active {
			t.Fatalf("template product: %+v", p)
		}
	})
}
