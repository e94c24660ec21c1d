package contract

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
)

// MaxUpload is the largest attachment accepted: 20 MiB.
const MaxUpload = 20 << 20

// Upload is an attachment being added: the client's file name (kept for
// display and download only) and the bytes, seekable (a multipart part
// spooled by net/http).
type Upload struct {
	Name string
	File io.ReadSeeker
	Size int64
}

// Attachment types, judged by content, never by the name or the client's
// Content-Type.
const (
	typePDF  = "application/pdf"
	typePNG  = "image/png"
	typeJPEG = "image/jpeg"
	typeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	typeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// sniff names the type of an upload from its bytes: PDF, PNG and JPEG by
// their signatures; DOCX and XLSX are ZIP packages told apart by the part
// that makes them a document or a workbook. Anything else is "".
func sniff(f io.ReadSeeker, size int64) (string, error) {
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", err
	}
	head = head[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return typePDF, nil
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return typePNG, nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return typeJPEG, nil
	case !bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "", nil
	}
	ra, ok := f.(io.ReaderAt)
	if !ok {
		return "", nil
	}
	z, err := zip.NewReader(ra, size)
	if err != nil {
		return "", nil
	}
	for _, e := range z.File {
		switch e.Name {
		case "word/document.xml":
			return typeDOCX, nil
		case "xl/workbook.xml":
			return typeXLSX, nil
		}
	}
	return "", nil
}

// cleanName keeps the last element of a client's file name, without
// control characters, at most 200 characters.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(truncate(name, 200))
	if name == "" || name == "." || name == "/" {
		return "attachment"
	}
	return name
}

// AddAttachment stores a file with a contract in the caller's scope:
// at most MaxUpload (413), PDF, PNG, JPEG, DOCX or XLSX by content (422).
// The bytes are written first under a random key; if the row then fails
// to commit they are deleted again.
func (s *Service) AddAttachment(ctx context.Context, contractID string, up Upload) (*Attachment, error) {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
		return nil, err
	}
	c, err := s.store.Get(ctx, authz.ActorFrom(ctx), contractID)
	if err != nil {
		return nil, err
	}
	if up.Size > MaxUpload {
		return nil, apperr.TooLarge()
	}
	if up.Size == 0 {
		return nil, apperr.Invalid(apperr.FieldError{Field: "file", Message: "file_empty"})
	}
	typ, err := sniff(up.File, up.Size)
	if err != nil {
		return nil, fmt.Errorf("contract.attachment: read: %w", err)
	}
	if typ == "" {
		return nil, apperr.Invalid(apperr.FieldError{Field: "file", Message: "file_type"})
	}
	a := &Attachment{ID: uuid.Must(uuid.NewV7()).String(), ContractID: c.ID, FileName: cleanName(up.Name),
		ContentType: typ, StorageKey: NewKey("contracts/" + c.ID), CreatedBy: authz.ActorFrom(ctx).ID(),
		CreatedAt: db.Now()}
	h := sha256.New()
	counted := &countWriter{}
	if err := s.files.Put(ctx, a.StorageKey, io.TeeReader(io.LimitReader(up.File, MaxUpload+1), io.MultiWriter(h, counted))); err != nil {
		return nil, fmt.Errorf("contract.attachment: %w", err)
	}
	a.Size, a.SHA256 = counted.n, hex.EncodeToString(h.Sum(nil))
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if a.Size > MaxUpload {
			return apperr.TooLarge()
		}
		if err := s.store.CreateAttachment(ctx, a); err != nil {
			return err
		}
		return s.audit.Record(ctx, "create", "contract_attachment", a.ID, nil, AttachmentView(a))
	})
	if err != nil {
		_ = s.files.Delete(context.WithoutCancel(ctx), a.StorageKey)
		return nil, err
	}
	return a, nil
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// Attachments lists the files of a contract in the caller's scope.
func (s *Service) Attachments(ctx context.Context, contractID string) ([]Attachment, error) {
	if _, err := s.Get(ctx, contractID); err != nil {
		return nil, err
	}
	return s.store.Attachments(ctx, contractID)
}

// OpenAttachment returns a file of a contract in the caller's scope and
// its bytes; the caller closes them.
func (s *Service) OpenAttachment(ctx context.Context, contractID, id string) (*Attachment, io.ReadCloser, error) {
	if _, err := s.Get(ctx, contractID); err != nil {
		return nil, nil, err
	}
	a, err := s.store.Attachment(ctx, contractID, id)
	if err != nil {
		return nil, nil, err
	}
	r, err := s.files.Open(ctx, a.StorageKey)
	if err != nil {
		return nil, nil, fmt.Errorf("contract.attachment: open %s: %w", a.ID, err)
	}
	return a, r, nil
}

// DeleteAttachment removes a file of a contract in the caller's scope; the
// bytes go once the row's deletion has committed.
func (s *Service) DeleteAttachment(ctx context.Context, contractID, id string) error {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.store.Get(ctx, authz.ActorFrom(ctx), contractID); err != nil {
			return err
		}
		a, err := s.store.Attachment(ctx, contractID, id)
		if err != nil {
			return err
		}
		if err := s.store.DeleteAttachment(ctx, a.ID); err != nil {
			return err
		}
		db.AfterCommit(ctx, func(ctx context.Context) { _ = s.files.Delete(ctx, a.StorageKey) })
		return s.audit.Record(ctx, "delete", "contract_attachment", a.ID, AttachmentView(a), nil)
	})
}
