package dataio_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

// An upload's file name comes from the client as raw bytes (or RFC 2231
// percent-escapes): invalid UTF-8 or NUL in it must not reach PostgreSQL.
func TestImportOddFileName(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := newEnv(t, b)
		file := csvFile(t, false, []string{"name"}, []string{"甲"})
		for _, disp := range []string{`form-data; name="file"; filename="a` + "\xff\xfe" + `.csv"`,
			`form-data; name="file"; filename*=UTF-8''%ff%00x.csv`} {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			_ = mw.WriteField("entity", "leads")
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", disp)
			h.Set("Content-Type", "text/csv")
			fw, err := mw.CreatePart(h)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = fw.Write(file)
			_ = mw.Close()
			env.Admin.Req(http.MethodPost, "/imports", buf.Bytes()).Header("Content-Type", mw.FormDataContentType()).
				Send().Status(http.StatusAccepted)
		}
	})
}
