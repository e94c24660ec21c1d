package dataio_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Excel on Chinese Windows saves CSV in GBK, without a BOM.
func TestImportGBKCSV(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		utf := csvFile(t, false, []string{"姓名", "公司", "电话"}, []string{"张三丰", "武当机械有限公司", "13900139000"})
		gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes(utf)
		if err != nil {
			t.Fatal(err)
		}
		j := importFile(t, env.Admin, map[string]string{"entity": "leads"}, "gbk.csv", gbk)
		if j.Created != 1 || j.ErrorCount != 0 {
			t.Fatalf("job = %+v", j)
		}
		got := leads(t, env.Admin, "张三丰")
		if len(got) != 1 || got[0].Company != "武当机械有限公司" {
			t.Fatalf("leads = %+v", got)
		}
	})
}

// A value that a spreadsheet would run as a formula is exported with a
// leading apostrophe, and an exported file imports back unchanged.
func TestExportNeutralisesFormulasAndRoundTrips(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		env.Admin.Post("/leads", map[string]any{"name": "=HYPERLINK(\"http://evil.example\",\"点我\")",
			"company": "@SUM(A1)", "phone": "+86 138 0013 8000"}).Status(http.StatusCreated)
		rows := readCSV(t, env.Admin.Get("/exports/leads").Status(http.StatusOK).Body)
		if n := column(rows, "name"); len(n) != 1 || n[0] != "'=HYPERLINK(\"http://evil.example\",\"点我\")" {
			t.Fatalf("name cell = %q", n)
		}
		if c := column(rows, "company"); c[0] != "'@SUM(A1)" {
			t.Fatalf("company cell = %q", c)
		}
		// Re-import the export into a fresh server: the apostrophes go.
		other := newEnv(t, b)
		csv := csvFile(t, false, rows...)
		j := importFile(t, other.Admin, map[string]string{"entity": "leads"}, "export.csv", csv)
		if j.Created != 1 {
			t.Fatalf("job = %+v", j)
		}
		got := leads(t, other.Admin, "HYPERLINK")
		if len(got) != 1 || got[0].Name != "=HYPERLINK(\"http://evil.example\",\"点我\")" || got[0].Company != "@SUM(A1)" {
			t.Fatalf("round trip = %+v", got)
		}
	})
}
