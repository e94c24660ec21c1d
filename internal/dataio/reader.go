package dataio

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/opencrm/crm/internal/platform/db"
	"github.com/xuri/excelize/v2"
)

// File formats.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// maxColumns bounds a row, so a hostile file cannot make one row huge.
const maxColumns = 200

// rowReader yields the rows of a file, header first, io.EOF at the end.
type rowReader interface {
	Next() ([]string, error)
	Close() error
}

// openRows reads a stored file. CSV streams; XLSX needs random access to
// the zip, so the compressed file (at most MaxUpload) is read into memory
// while excelize streams the sheet's rows from it.
func openRows(format string, r io.Reader) (rowReader, error) {
	if format == FormatXLSX {
		f, err := excelize.OpenReader(r)
		if err != nil {
			return nil, err
		}
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			_ = f.Close()
			return nil, errors.New("no worksheet")
		}
		rows, err := f.Rows(sheets[0])
		if err != nil {
			_ = f.Close()
			return nil, err
		}
		return &xlsxRows{f: f, rows: rows}, nil
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var in io.Reader = br
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
	} else if head, _ := br.Peek(64 << 10); !validUTF8Prefix(head) {
		// Excel on Chinese Windows saves "CSV" in GBK: not UTF-8 and no
		// BOM. GB18030 is a superset of GBK and GB2312.
		in = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	return &csvRows{r: cr}, nil
}

type csvRows struct{ r *csv.Reader }

func (c *csvRows) Next() ([]string, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("line %d: %w", pe.Line, pe.Err)
		}
		return nil, err
	}
	for i, v := range rec {
		rec[i] = unescapeCell(v)
	}
	return rec, nil
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut off at
// the end of the peeked window.
func validUTF8Prefix(b []byte) bool {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		b = b[:len(b)-1]
	}
	return len(b) == 0
}

// unescapeCell undoes the apostrophe an export puts before a cell that
// starts like a formula, so an exported file imports as it was.
func unescapeCell(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(v[1])) {
		return v[1:]
	}
	return v
}

func (c *csvRows) Close() error { return nil }

type xlsxRows struct {
	f    *excelize.File
	rows *excelize.Rows
}

func (x *xlsxRows) Next() ([]string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	return x.rows.Columns()
}

func (x *xlsxRows) Close() error {
	_ = x.rows.Close()
	return x.f.Close()
}

// sniff tells the format from the first bytes: a zip is XLSX, an OLE
// compound file is the old binary XLS (refused), anything else is CSV.
func sniff(head []byte) (string, bool) {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatXLSX, true
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "", false
	}
	return FormatCSV, true
}

// clean drops NUL characters, which PostgreSQL text cannot hold.
func clean(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return strings.TrimSpace(s)
}

// storeFile writes r into the job's chunks, chunkSize bytes per row, so
// the upload never sits in memory whole and any node can read it back.
func storeFile(ctx context.Context, d *db.DB, jobID string, r io.Reader) (int64, error) {
	buf := make([]byte, chunkSize)
	var total int64
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			data := append([]byte(nil), buf[:n]...)
			if cerr := d.Conn(ctx).Create(&chunk{JobID: jobID, Seq: seq, Data: data}).Error; cerr != nil {
				return total, fmt.Errorf("import.store: %w", cerr)
			}
			total += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// chunkReader reads a stored file back one chunk at a time.
type chunkReader struct {
	ctx context.Context
	d   *db.DB
	job string
	seq int
	cur []byte
	eof bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.cur) == 0 {
		if c.eof {
			return 0, io.EOF
		}
		var ch chunk
		err := c.d.Conn(c.ctx).Where("job_id = ? AND seq = ?", c.job, c.seq).Take(&ch).Error
		if db.IsNotFound(err) {
			c.eof = true
			continue
		}
		if err != nil {
			return 0, err
		}
		c.seq++
		c.cur = ch.Data
	}
	n := copy(p, c.cur)
	c.cur = c.cur[n:]
	return n, nil
}
