package report_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/xuri/excelize/v2"
)

// csvRows reads a CSV report (its UTF-8 BOM dropped).
func csvRows(t *testing.T, res *apptest.Response) [][]string {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %q", ct)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(res.Body, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// workbook is what a format=xlsx report holds: the raw cell values of its
// Data sheet and the XML of its charts.
type workbook struct {
	rows   [][]string
	types  [][]excelize.CellType
	charts []string
}

func readWorkbook(t *testing.T, res *apptest.Response) workbook {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("content type %q", ct)
	}
	f, err := excelize.OpenReader(bytes.NewReader(res.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var wb workbook
	if wb.rows, err = f.GetRows("Data", excelize.Options{RawCellValue: true}); err != nil {
		t.Fatal(err)
	}
	for i, row := range wb.rows {
		types := make([]excelize.CellType, len(row))
		for j := range row {
			ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if types[j], err = f.GetCellType("Data", ref); err != nil {
				t.Fatal(err)
			}
		}
		wb.types = append(wb.types, types)
	}
	z, err := zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range z.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			r, _ := zf.Open()
			b, _ := io.ReadAll(r)
			r.Close()
			wb.charts = append(wb.charts, string(b))
		}
	}
	return wb
}

var chartRange = regexp.MustCompile(`<val><numRef><f>Data!\$([A-Z]+)\$2:\$([A-Z]+)\$(\d+)</f>`)

// matchWorkbook fetches path (which already has a query) as CSV and as
// xlsx and holds the workbook to the CSV: the same header and cells (numbers
// compared as numbers, text without the CSV formula guard), and — when
// chart is set and there are rows — a native chart whose series cover every
// data row.
func matchWorkbook(t *testing.T, c *apptest.Client, path string, chart bool) {
	t.Helper()
	want := csvRows(t, c.Get(path+"&format=csv").Status(http.StatusOK))
	wb := readWorkbook(t, c.Get(path+"&format=xlsx").Status(http.StatusOK))
	if len(wb.rows) != len(want) {
		t.Fatalf("%s: workbook has %d rows, csv %d:\n%v\n%v", path, len(wb.rows), len(want), wb.rows, want)
	}
	for i, row := range want {
		got := wb.rows[i]
		for j, w := range row {
			g := ""
			if j < len(got) {
				g = got[j]
			}
			if !sameCell(g, w) {
				t.Errorf("%s: cell %d,%d = %q, csv %q", path, i+1, j+1, g, w)
			}
		}
	}
	if !chart || len(want) < 2 {
		if len(wb.charts) != 0 && len(want) < 2 {
			t.Errorf("%s: chart over no rows", path)
		}
		return
	}
	if len(wb.charts) != 1 {
		t.Fatalf("%s: %d charts", path, len(wb.charts))
	}
	m := chartRange.FindAllStringSubmatch(wb.charts[0], -1)
	if len(m) == 0 {
		t.Fatalf("%s: chart has no series over the data rows", path)
	}
	for _, s := range m {
		if s[3] != strconv.Itoa(len(want)) {
			t.Errorf("%s: series %s ends at row %s, data at %d", path, s[0], s[3], len(want))
		}
		// A chart plots numbers only: every cell of a series is a number.
		col, _ := excelize.ColumnNameToNumber(s[1])
		for i := 1; i < len(wb.rows); i++ {
			if col <= len(wb.rows[i]) && wb.rows[i][col-1] != "" && !isNumberCell(wb.types[i][col-1]) {
				t.Errorf("%s: series cell %s%d is not a number (type %v)", path, s[1], i+1, wb.types[i][col-1])
			}
		}
	}
}

// isNumberCell: a cell without a type attribute is a number in OOXML.
func isNumberCell(t excelize.CellType) bool {
	return t == excelize.CellTypeNumber || t == excelize.CellTypeUnset
}

func sameCell(got, csvCell string) bool {
	if got == csvCell || "'"+got == csvCell {
		return true
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(csvCell, 64)
	return err1 == nil && err2 == nil && fmt.Sprintf("%.6f", g) == fmt.Sprintf("%.6f", w)
}

func TestReportFormatIsChecked(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		for _, path := range []string{"/reports/funnel?period=2026-11", "/reports/lead-conversion?period=2026-11",
			"/reports/performance?period=2026-11", "/reports/leaderboard?period=2026-11&metric=won_amount",
			"/reports/commissions?period=2026-11", "/reports/forecast?months=3", "/reports/trends?metric=won_amount",
			"/reports/products?period=2026-11", "/reports/customers?period=2026-11", "/reports/activities?period=2026-11"} {
			if p := env.Admin.Get(path + "&format=pdf").Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("format") {
				t.Errorf("%s: %+v", path, p)
			}
		}
		// An empty report is a workbook with a header row and no chart.
		wb := readWorkbook(t, env.Admin.Get("/reports/commissions?period=2026-11&format=xlsx").Status(http.StatusOK))
		if len(wb.rows) != 1 || wb.rows[0][0] != "user_id" || len(wb.charts) != 0 {
			t.Errorf("empty workbook %+v", wb)
		}
	})
}
