package contract_test

import (
	"archive/zip"
	"bytes"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
)

// upload posts one file part as user.
func upload(t *testing.T, u *apptest.User, contractID, name string, content []byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	_ = mw.Close()
	return u.Req(http.MethodPost, "/contracts/"+contractID+"/attachments", body.Bytes()).
		Header("Content-Type", mw.FormDataContentType()).Send()
}

func officeFile(t *testing.T, part string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, name := range []string{"[Content_Types].xml", part} {
		f, err := z.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.Write([]byte("<xml/>"))
	}
	_ = z.Close()
	return b.Bytes()
}

func TestAttachments(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		c := w.create(nil)
		pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("合同正文 "), 1000)...)
		var a contract.AttachmentResponse
		upload(t, w.rep, c.ID, `C:\scans\..\合同 "签字版".pdf`, pdf).Status(http.StatusCreated).Decode(&a)
		if a.ContentType != "application/pdf" || a.Size != int64(len(pdf)) || a.FileName != "合同 签字版.pdf" ||
			len(a.SHA256) != 64 {
			t.Fatalf("uploaded %+v", a)
		}
		// Types are judged by content: a PNG and a DOCX pass whatever their
		// names; text named .pdf and a plain ZIP do not.
		for name, content := range map[string][]byte{"scan.bin": []byte("\x89PNG\r\n\x1a\nxxxx"),
			"annex": officeFile(t, "word/document.xml"), "prices.xlsx": officeFile(t, "xl/workbook.xml"),
			"photo.jpg": {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3}} {
			upload(t, w.rep, c.ID, name, content).Status(http.StatusCreated)
		}
		for name, content := range map[string][]byte{"fake.pdf": []byte("just text"),
			"archive.docx": officeFile(t, "other.xml"), "empty.pdf": {}} {
			if p := upload(t, w.rep, c.ID, name, content).Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("file") {
				t.Errorf("%s: %+v", name, p)
			}
		}
		big := append([]byte("%PDF-"), make([]byte, contract.MaxUpload)...)
		upload(t, w.rep, c.ID, "big.pdf", big).Status(http.StatusRequestEntityTooLarge)
		w.rep.Req(http.MethodPost, "/contracts/"+c.ID+"/attachments", []byte(`{}`)).Send().
			Status(http.StatusUnsupportedMediaType)

		var l contract.AttachmentList
		w.mgr.Get("/contracts/" + c.ID + "/attachments").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 5 || l.Data[0].ID != a.ID {
			t.Errorf("list %+v", l.Data)
		}

		// Download: the same bytes, the type as sniffed, the original name.
		resp := w.rep.Get("/contracts/" + c.ID + "/attachments/" + a.ID).Status(http.StatusOK)
		if !bytes.Equal(resp.Body, pdf) || resp.Header.Get("Content-Type") != "application/pdf" ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), "filename*=UTF-8''%E5%90%88%E5%90%8C") {
			t.Errorf("download: %d bytes, headers %v", len(resp.Body), resp.Header)
		}
		// Stored under a random name in the data dir, never the client's.
		var files []string
		_ = filepath.WalkDir(filepath.Join(w.env.App.Cfg.DataDir, "attachments"), func(p string, d os.DirEntry, _ error) error {
			if d != nil && !d.IsDir() {
				files = append(files, d.Name())
			}
			return nil
		})
		if len(files) != 5 {
			t.Errorf("files on disk: %v", files)
		}
		for _, f := range files {
			if strings.Contains(f, ".") {
				t.Errorf("stored name %q", f)
			}
		}

		// Out of scope: 404 on every path.
		w.away.Get("/contracts/" + c.ID + "/attachments/" + a.ID).Status(http.StatusNotFound)
		w.rep2.Delete("/contracts/" + c.ID + "/attachments/" + a.ID).Status(http.StatusNotFound)
		upload(t, w.away, c.ID, "x.pdf", pdf).Status(http.StatusNotFound)

		w.rep.Delete("/contracts/" + c.ID + "/attachments/" + a.ID).Status(http.StatusNoContent)
		w.rep.Get("/contracts/" + c.ID + "/attachments/" + a.ID).Status(http.StatusNotFound)
		files = files[:0]
		_ = filepath.WalkDir(filepath.Join(w.env.App.Cfg.DataDir, "attachments"), func(p string, d os.DirEntry, _ error) error {
			if d != nil && !d.IsDir() {
				files = append(files, d.Name())
			}
			return nil
		})
		if len(files) != 4 {
			t.Errorf("files after delete: %v", files)
		}
	})
}
