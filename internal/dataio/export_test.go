package dataio_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

func TestExportLeadsScopeFiltersAndFormats(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		a, other := env.User("rep", team), env.User("rep", team)
		a.Post("/leads", map[string]any{"name": "甲一", "region": "江苏", "tags": []string{"重点"}}).Status(http.StatusCreated)
		a.Post("/leads", map[string]any{"name": "甲二", "region": "上海"}).Status(http.StatusCreated)
		other.Post("/leads", map[string]any{"name": "乙一", "region": "江苏"}).Status(http.StatusCreated)

		r := a.Get("/exports/leads").Status(http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("headers: %v", r.Header)
		}
		rows := readCSV(t, r.Body)
		if names := column(rows, "name"); len(names) != 2 || !slices.Contains(names, "甲一") || !slices.Contains(names, "甲二") {
			t.Fatalf("rep export: %v", rows)
		}
		rows = readCSV(t, a.Get("/exports/leads?region=江苏").Status(http.StatusOK).Body)
		if names := column(rows, "name"); !slices.Equal(names, []string{"甲一"}) || column(rows, "tags")[0] != "重点" {
			t.Fatalf("filtered: %v", rows)
		}
		// Admin sees all, as XLSX, with Chinese headers.
		env.Admin.Lang = "zh-CN"
		x := env.Admin.Get("/exports/leads?format=xlsx").Status(http.StatusOK)
		if !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("content type %q", x.Header.Get("Content-Type"))
		}
		xr := readXLSX(t, x.Body)
		if names := column(xr, "姓名"); len(names) != 3 || xr[0][0] != "编号" {
			t.Fatalf("admin xlsx: %v", xr)
		}
		a.Get("/exports/leads?format=pdf").Status(http.StatusUnprocessableEntity).Problem()
		a.Get("/exports/deals").Status(http.StatusNotFound).Problem()
		a.Get("/exports/leads?status=bogus").Status(http.StatusUnprocessableEntity).Problem()
	})
}

func TestExportCustomersAndContacts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		a, other := env.User("rep", ""), env.User("rep", "")
		var c struct{ ID string }
		a.Post("/customers", map[string]any{"name": "恒达机械", "size": "large"}).Status(http.StatusCreated).Decode(&c)
		a.Post("/customers", map[string]any{"name": "明达贸易", "size": "small"}).Status(http.StatusCreated)
		other.Post("/customers", map[string]any{"name": "他人公司", "size": "large"}).Status(http.StatusCreated)
		a.Post("/contacts", map[string]any{"customer_id": c.ID, "name": "王建国", "mobile": "13912345678"}).Status(http.StatusCreated)

		rows := readXLSX(t, a.Get("/exports/customers?format=xlsx&size=large").Status(http.StatusOK).Body)
		if names := column(rows, "name"); !slices.Equal(names, []string{"恒达机械"}) {
			t.Fatalf("customers: %v", rows)
		}
		rows = readCSV(t, a.Get("/exports/contacts").Status(http.StatusOK).Body)
		if names := column(rows, "name"); !slices.Equal(names, []string{"王建国"}) || column(rows, "customer_id")[0] != c.ID {
			t.Fatalf("contacts: %v", rows)
		}
		if rows := readCSV(t, other.Get("/exports/contacts").Status(http.StatusOK).Body); len(rows) != 1 {
			t.Fatalf("other rep sees contacts: %v", rows)
		}
	})
}

// A template round-trips: downloaded, filled, imported.
func TestTemplates(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		rep := env.User("rep", "")
		rep.Lang = "zh-CN"
		body := rep.Get("/imports/templates/leads").Status(http.StatusOK).Body
		rows := readCSV(t, body)
		if rows[0][0] != "姓名" || len(rows) != 2 {
			t.Fatalf("template: %v", rows)
		}
		j := importFile(t, rep.Client, map[string]string{"entity": "leads"}, "t.csv", body)
		if j.Created != 1 || j.ErrorCount != 0 {
			t.Fatalf("template import: %+v", j)
		}
		for _, e := range []string{"customers", "contacts"} {
			x := readXLSX(t, env.Admin.Get("/imports/templates/"+e+"?format=xlsx").Status(http.StatusOK).Body)
			if len(x) != 2 || x[0][0] == "" {
				t.Fatalf("%s template: %v", e, x)
			}
		}
		env.Admin.Get("/imports/templates/deals").Status(http.StatusNotFound).Problem()
		env.Admin.Get("/imports/templates/leads?format=doc").Status(http.StatusUnprocessableEntity).Problem()
	})
}
