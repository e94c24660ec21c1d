package dataio_test

import (
	"bytes"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/dataio"
	"github.com/xuri/excelize/v2"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// newEnv is an Env with its queue worker running, which imports need.
func newEnv(t *testing.T, b apptest.Backend) *apptest.Env {
	t.Helper()
	env := apptest.New(t, b)
	env.StartWorker(nil)
	return env
}

// csvFile encodes rows as CSV, with a UTF-8 BOM when bom is set.
func csvFile(t *testing.T, bom bool, rows ...[]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if bom {
		b.WriteString("\ufeff")
	}
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// xlsxFile encodes rows as a workbook.
func xlsxFile(t *testing.T, rows ...[]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, v := range r {
			vals[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// form builds a multipart body: the fields, then file (when not nil).
func form(t *testing.T, fields map[string]string, name string, file []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// upload posts a file to /imports and returns the response.
func upload(t *testing.T, c *apptest.Client, fields map[string]string, name string, file []byte) *apptest.Response {
	t.Helper()
	body, ct := form(t, fields, name, file)
	return c.Req(http.MethodPost, "/imports", body).Header("Content-Type", ct).Send()
}

// importFile uploads and waits for the job to finish.
func importFile(t *testing.T, c *apptest.Client, fields map[string]string, name string, file []byte) dataio.ImportJobResponse {
	t.Helper()
	var j dataio.ImportJobResponse
	upload(t, c, fields, name, file).Status(http.StatusAccepted).Decode(&j)
	if j.Status != dataio.StatusQueued || j.ID == "" {
		t.Fatalf("new job: %+v", j)
	}
	return wait(t, c, j.ID)
}

// wait polls the job until it is completed or failed.
func wait(t *testing.T, c *apptest.Client, id string) dataio.ImportJobResponse {
	t.Helper()
	var j dataio.ImportJobResponse
	ok := apptest.Eventually(t, 20*time.Second, func() bool {
		c.Get("/imports/" + id).Status(http.StatusOK).Decode(&j)
		return j.Status == dataio.StatusCompleted || j.Status == dataio.StatusFailed
	})
	if !ok {
		t.Fatalf("job %s still %s", id, j.Status)
	}
	return j
}

// errorsOf indexes a job's row errors as "row:field".
func errorsOf(j dataio.ImportJobResponse) map[string]string {
	out := map[string]string{}
	for _, e := range j.Errors {
		out[itoa(e.Row)+":"+e.Field] = e.Message
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

type leadRow struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Company string  `json:"company"`
	Phone   string  `json:"phone"`
	Email   string  `json:"email"`
	Source  string  `json:"source"`
	Status  string  `json:"status"`
	OwnerID *string `json:"owner_id"`
	Tags    []string
}

// leads lists the leads the client sees matching q.
func leads(t *testing.T, c *apptest.Client, q string) []leadRow {
	t.Helper()
	var out struct{ Data []leadRow }
	c.Get("/leads?limit=200&q=" + q).Status(http.StatusOK).Decode(&out)
	return out.Data
}

// readCSV parses a CSV download, BOM and all.
func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("parse csv: %v\n%s", err, body)
	}
	return rows
}

// readXLSX parses an XLSX download's first sheet.
func readXLSX(t *testing.T, body []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse xlsx: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// column is the values of the named column below the header.
func column(rows [][]string, name string) []string {
	idx := -1
	for i, h := range rows[0] {
		if h == name {
			idx = i
		}
	}
	var out []string
	for _, r := range rows[1:] {
		if idx >= 0 && idx < len(r) {
			out = append(out, r[idx])
		}
	}
	return out
}
