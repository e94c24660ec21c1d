package report

import (
	"encoding/csv"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/xuri/excelize/v2"
)

// Response formats of every report: JSON for charts in the SPA, a plain CSV
// table, or an Excel workbook with the table and a native chart of it.
const (
	FormatJSON = "json"
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"

	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// formatOf reads ?format=; an unknown one is 422 on the field before any
// work is done.
func formatOf(c echo.Context) (string, error) {
	f := c.QueryParam("format")
	var v validate.V
	v.OneOf("format", f, FormatJSON, FormatCSV, FormatXLSX)
	if f == "" {
		f = FormatJSON
	}
	return f, v.Err()
}

// Kind says how a column's cells are written: CSV keeps the JSON strings,
// the workbook stores numbers as numbers so a chart can plot them.
type Kind int

// Column kinds.
const (
	Text    Kind = iota // user text: escaped against formulas in CSV
	Integer             // counts, ranks
	Money               // decimal strings in major units ("1234.50")
	Ratio               // decimal strings of a fraction ("0.8532"), shown as a percentage in Excel
	Number              // other decimal strings (days, quantities)
)

// Column is one column of a report table.
type Column struct {
	Name string
	Kind Kind
}

// ChartKind is the kind of native Excel chart drawn from a table.
type ChartKind int

// Chart kinds.
const (
	ChartColumn ChartKind = iota
	ChartBar
	ChartLine
	ChartPie
	ChartColumnStacked // series stacked in one column per category
)

// Chart names the columns a workbook's chart plots: Category on one axis,
// each of Series as a data series.
type Chart struct {
	Kind     ChartKind
	Title    string
	Category string
	Series   []string
	// Line, when set, is drawn over the chart as lines on a secondary
	// axis (a share beside amounts).
	Line []string
}

// Table is a report flattened for CSV and Excel: the rows are the same
// strings the JSON carries, in the order of Columns; "" is an empty cell.
type Table struct {
	Name    string // file name, without extension
	Columns []Column
	Rows    func(emit func(cells ...string) error) error
	Chart   *Chart // nil: no chart
}

// render answers with the JSON body or the table in the asked format.
func render(c echo.Context, format string, body any, t Table) error {
	switch format {
	case FormatCSV:
		return writeCSV(c, t)
	case FormatXLSX:
		return writeXLSX(c, t)
	}
	return c.JSON(http.StatusOK, body)
}

func attachment(c echo.Context, contentType, file string) {
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, contentType)
	hd.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": file}))
}

// writeCSV streams the table (UTF-8 with a BOM, so Excel reads Chinese
// names). With the status sent, a failed write (the client went away) can
// only cut the download short.
func writeCSV(c echo.Context, t Table) error {
	attachment(c, "text/csv; charset=utf-8", t.Name+".csv")
	c.Response().WriteHeader(http.StatusOK)
	if _, err := c.Response().Write([]byte("\uFEFF")); err != nil {
		return err
	}
	w := csv.NewWriter(c.Response())
	header := make([]string, len(t.Columns))
	for i, col := range t.Columns {
		header[i] = col.Name
	}
	if err := w.Write(header); err != nil {
		return err
	}
	err := t.Rows(func(cells ...string) error {
		rec := make([]string, len(cells))
		for i, v := range cells {
			if t.Columns[i].Kind == Text {
				v = csvCell(v)
			}
			rec[i] = v
		}
		return w.Write(rec)
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}

// csvCell puts an apostrophe before a value a spreadsheet would run as a
// formula: names and regions are user input (CSV injection).
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// Sheet names of a report workbook.
const (
	dataSheet  = "Data"
	chartSheet = "Chart"
)

// writeXLSX streams the rows into a "Data" sheet (numbers typed, money to
// two places, ratios as percentages) and, when the table has a chart and
// rows, draws it as a native Excel chart on a "Chart" sheet over the data's
// cell ranges. Nothing is sent before the workbook is complete, so a
// failure is still an ordinary error response.
func writeXLSX(c echo.Context, t Table) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", dataSheet); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(dataSheet)
	if err != nil {
		return err
	}
	styles, err := columnStyles(f, t.Columns)
	if err != nil {
		return err
	}
	if err := sw.SetColWidth(1, len(t.Columns), 16); err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(t.Columns))
	for i, col := range t.Columns {
		header[i] = excelize.Cell{StyleID: styles.header, Value: col.Name}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	row := 1
	err = t.Rows(func(cells ...string) error {
		row++
		vals := make([]any, len(cells))
		for i, v := range cells {
			cell, err := xlsxCell(t.Columns[i].Kind, v)
			if err != nil {
				return fmt.Errorf("report %s column %s: %w", t.Name, t.Columns[i].Name, err)
			}
			vals[i] = excelize.Cell{StyleID: styles.cols[i], Value: cell}
		}
		ref, _ := excelize.CoordinatesToCellName(1, row)
		return sw.SetRow(ref, vals)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	if t.Chart != nil && row > 1 {
		if err := addChart(f, t, row); err != nil {
			return err
		}
	}
	attachment(c, mimeXLSX, t.Name+".xlsx")
	c.Response().WriteHeader(http.StatusOK)
	_, err = f.WriteTo(c.Response())
	return err
}

type sheetStyles struct {
	header int
	cols   []int
}

// Built-in Excel number formats.
const (
	fmtInteger = 1  // 0
	fmtMoney   = 4  // #,##0.00
	fmtPercent = 10 // 0.00%
)

func columnStyles(f *excelize.File, cols []Column) (sheetStyles, error) {
	var s sheetStyles
	var err error
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return s, err
	}
	byKind := map[Kind]int{}
	for k, numFmt := range map[Kind]int{Integer: fmtInteger, Money: fmtMoney, Ratio: fmtPercent} {
		if byKind[k], err = f.NewStyle(&excelize.Style{NumFmt: numFmt}); err != nil {
			return s, err
		}
	}
	for _, col := range cols {
		s.cols = append(s.cols, byKind[col.Kind])
	}
	return s, nil
}

// xlsxCell types one cell. Text stays a string (a workbook cell never runs
// a string as a formula); numeric kinds become numbers; "" is empty.
func xlsxCell(k Kind, v string) (any, error) {
	if v == "" {
		return nil, nil
	}
	switch k {
	case Integer:
		return strconv.ParseInt(v, 10, 64)
	case Money, Ratio, Number:
		return strconv.ParseFloat(v, 64)
	}
	return v, nil
}

var chartTypes = map[ChartKind]excelize.ChartType{
	ChartColumn: excelize.Col, ChartBar: excelize.Bar, ChartLine: excelize.Line, ChartPie: excelize.Pie,
	ChartColumnStacked: excelize.ColStacked,
}

// addChart draws t.Chart over rows 2..lastRow of the data sheet.
func addChart(f *excelize.File, t Table, lastRow int) error {
	colOf := func(name string) (string, error) {
		for i, col := range t.Columns {
			if col.Name == name {
				return excelize.ColumnNumberToName(i + 1)
			}
		}
		return "", fmt.Errorf("report %s: chart names unknown column %q", t.Name, name)
	}
	cat, err := colOf(t.Chart.Category)
	if err != nil {
		return err
	}
	ch := &excelize.Chart{
		Type:      chartTypes[t.Chart.Kind],
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: t.Chart.Title}}},
		Dimension: excelize.ChartDimension{Width: 960, Height: 540},
		Legend:    excelize.ChartLegend{Position: "bottom"},
	}
	series := func(names []string) ([]excelize.ChartSeries, error) {
		var out []excelize.ChartSeries
		for _, s := range names {
			col, err := colOf(s)
			if err != nil {
				return nil, err
			}
			out = append(out, excelize.ChartSeries{
				Name:       fmt.Sprintf("%s!$%s$1", dataSheet, col),
				Categories: fmt.Sprintf("%s!$%s$2:$%s$%d", dataSheet, cat, cat, lastRow),
				Values:     fmt.Sprintf("%s!$%s$2:$%s$%d", dataSheet, col, col, lastRow),
			})
		}
		return out, nil
	}
	if ch.Series, err = series(t.Chart.Series); err != nil {
		return err
	}
	var combo []*excelize.Chart
	if len(t.Chart.Line) > 0 {
		line := &excelize.Chart{Type: excelize.Line, YAxis: excelize.ChartAxis{Secondary: true}}
		if line.Series, err = series(t.Chart.Line); err != nil {
			return err
		}
		combo = append(combo, line)
	}
	if _, err := f.NewSheet(chartSheet); err != nil {
		return err
	}
	return f.AddChart(chartSheet, "A1", ch, combo...)
}
