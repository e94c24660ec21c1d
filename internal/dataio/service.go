package dataio

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"github.com/opencrm/crm/internal/org"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/queue"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/product"
	"gorm.io/gorm"
)

// Service runs imports and exports on top of the lead, customer and
// product services and stores.
type Service struct {
	db        *db.DB
	leads     *lead.Service
	leadStore *lead.Store
	customers *customer.Service
	custStore *customer.Store
	products  *product.Service
	prodStore *product.Store
	queue     *queue.Queue
	users     Directory
	log       *slog.Logger
}

// Directory finds the users an import names as owners (org.Store).
type Directory interface {
	UserByEmail(ctx context.Context, email string) (*org.User, error)
	AssignableOwner(ctx context.Context, a *authz.Actor, field, id string) (*org.User, error)
}

// NewService builds the service; UseQueue attaches the job queue.
func NewService(d *db.DB, ls *lead.Service, cs *customer.Service, users Directory, log *slog.Logger) *Service {
	return &Service{db: d, leads: ls, leadStore: lead.NewStore(d), customers: cs, custStore: customer.NewStore(d),
		users: users, log: log}
}

// UseProducts lets products be imported and exported.
func (s *Service) UseProducts(p *product.Service) {
	s.products, s.prodStore = p, product.NewStore(s.db)
}

// writePerm is the permission importing into an entity needs.
func writePerm(entity string) string { return entity + ":write" }

// readPerm is the permission exporting an entity needs.
func readPerm(entity string) string { return entity + ":read" }

// SubmitInput is an upload to import.
type SubmitInput struct {
	Entity      string
	DryRun      bool
	OnDuplicate string
	FileName    string
	Lang        string
	File        io.Reader
}

// Submit stores the file and queues the job; the caller's identity is
// saved with it, so the job runs with their permissions and data scope.
func (s *Service) Submit(ctx context.Context, in SubmitInput) (*Job, error) {
	if err := authz.Require(ctx, "imports:write"); err != nil {
		return nil, err
	}
	if !slices.Contains(Entities, in.Entity) {
		return nil, apperr.Invalid(apperr.FieldError{Field: "entity", Message: "one_of", Params: []any{strings.Join(Entities, ", ")}})
	}
	if err := authz.Require(ctx, writePerm(in.Entity)); err != nil {
		return nil, err
	}
	if in.OnDuplicate == "" {
		in.OnDuplicate = DupSkip
	}
	var v validate.V
	if in.Entity == EntityProducts {
		// A SKU is unique: a duplicate cannot be created anyway.
		v.OneOf("on_duplicate", in.OnDuplicate, DupSkip, DupUpdate)
	} else {
		v.OneOf("on_duplicate", in.OnDuplicate, DupSkip, DupUpdate, DupCreate)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(in.File, 64<<10)
	head, _ := br.Peek(8)
	format, ok := sniff(head)
	if !ok || len(head) == 0 {
		return nil, apperr.Invalid(apperr.FieldError{Field: "file", Message: "import_bad_file", Params: []any{"XLS/empty"}})
	}
	a := authz.ActorFrom(ctx)
	actor, err := json.Marshal(a)
	if err != nil {
		return nil, err
	}
	now := db.Now()
	j := &Job{ID: uuid.Must(uuid.NewV7()).String(), Entity: in.Entity, Status: StatusQueued, Format: format,
		FileName: clip(textOnly(in.FileName), 255), DryRun: in.DryRun, OnDuplicate: in.OnDuplicate, Lang: in.Lang,
		Actor: string(actor), CreatedBy: a.ID(), Errors: "[]", CreatedAt: now, UpdatedAt: now}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Create(j).Error; err != nil {
			return fmt.Errorf("import.create: %w", err)
		}
		n, err := storeFile(ctx, s.db, j.ID, br)
		if err != nil {
			return err
		}
		j.FileSize = n
		if err := s.db.Conn(ctx).Model(j).UpdateColumn("file_size", n).Error; err != nil {
			return err
		}
		// Queued only once the job is committed, so the worker finds it. A
		// failed enqueue leaves the job queued for RecoverSweep.
		db.AfterCommit(ctx, func(ctx context.Context) {
			if err := s.enqueue(ctx, j.ID); err != nil {
				s.log.Warn("import enqueue failed; the recover sweep will queue it", "job", j.ID, "err", err)
			}
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return j, nil
}

// Get loads a job the caller started (an admin or API key: any job).
func (s *Service) Get(ctx context.Context, id string) (*Job, error) {
	if err := authz.Require(ctx, "imports:read"); err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("import")
	}
	var j Job
	err := s.mine(ctx).Where("id = ?", id).Take(&j).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("import")
	}
	if err != nil {
		return nil, fmt.Errorf("import.get: %w", err)
	}
	return &j, nil
}

// mine is the jobs the caller may see.
func (s *Service) mine(ctx context.Context) *gorm.DB {
	q := s.db.Conn(ctx).Model(&Job{})
	if a := authz.ActorFrom(ctx); !a.SeesAll() {
		q = q.Where("created_by = ?", a.ID())
	}
	return q
}

var jobSpec = paging.Spec[Job]{
	Columns: map[string]paging.Column[Job]{
		"created_at": {Expr: "created_at", Time: true, Get: func(j *Job) any { return j.CreatedAt }},
	},
	Default: "-created_at",
	IDExpr:  "id",
	ID:      func(j *Job) string { return j.ID },
}

// List pages through the caller's jobs, newest first.
func (s *Service) List(ctx context.Context, r paging.Request) (paging.Page[Job], error) {
	if err := authz.Require(ctx, "imports:read"); err != nil {
		return paging.Page[Job]{}, err
	}
	q, err := jobSpec.Parse(r)
	if err != nil {
		return paging.Page[Job]{}, err
	}
	page, err := q.Fetch(s.mine(ctx))
	if err != nil {
		return page, fmt.Errorf("import.list: %w", err)
	}
	return page, nil
}

// textOnly makes a client-given name storable: the multipart file name
// is raw bytes (or RFC 2231 escapes), and PostgreSQL text refuses NUL and
// invalid UTF-8.
func textOnly(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
