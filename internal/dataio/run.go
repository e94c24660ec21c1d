package dataio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
)

// progress is a running job's counters and kept row errors.
type progress struct {
	processed, created, updated, skipped, errCount int
	errs                                           []RowError
}

// fail records one row error (kept up to maxStoredErrors, all counted).
func (p *progress) fail(row int, field, msg string, params ...any) {
	p.errCount++
	if len(p.errs) < maxStoredErrors {
		p.errs = append(p.errs, RowError{Row: row, Field: field, Message: msg, Params: params})
	}
}

// failErr records a service error against a row: each invalid field, or
// the error's message.
func (p *progress) failErr(row int, err error) {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		p.fail(row, "", "import_row_failed")
		return
	}
	if len(ae.Fields) == 0 {
		msg := ae.Msg
		if msg == "" {
			msg = ae.Code
		}
		p.fail(row, "", msg, ae.Params...)
		return
	}
	for _, f := range ae.Fields {
		p.fail(row, f.Field, f.Message, f.Params...)
	}
}

// rowIn is one data row: its number in the file and its values by field.
type rowIn struct {
	n       int
	vals    map[string]string
	tooWide bool
}

func (r rowIn) get(k string) string { return r.vals[k] }

// importer handles the rows of one entity, a batch at a time.
type importer interface {
	batch(ctx context.Context, rows []rowIn, p *progress) error
	// done waits for work still in flight and adds it to p.
	done(ctx context.Context, p *progress) error
}

// run processes a queued job to the end. Only a job still queued is
// claimed, so a second task for the same job (a retry, a re-queue) does
// nothing. It returns an error only when the claim itself failed: nothing
// was written then, and the queue retries. Whatever happens after the
// claim ends in the job row, completed or failed.
func (s *Service) run(ctx context.Context, id string) error {
	now := db.Now()
	res := s.db.Conn(ctx).Model(&Job{}).Where("id = ? AND status = ?", id, StatusQueued).
		UpdateColumns(map[string]any{"status": StatusRunning, "started_at": now, "updated_at": now})
	if res.Error != nil {
		return fmt.Errorf("import.claim %s: %w", id, res.Error)
	}
	if res.RowsAffected == 0 {
		return nil
	}
	p := &progress{}
	var j Job
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&j).Error
	if err == nil {
		err = s.process(ctx, &j, p)
	}
	st, failure := StatusCompleted, ""
	switch {
	case ctx.Err() != nil:
		// Stopped mid-way: the run timed out or the queue gave the task up.
		// Checked first because a cancelled batch may show only as row
		// errors. What was written stays.
		st = StatusFailed
		msg := RowError{Message: "import_interrupted"}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			msg = RowError{Message: "import_timed_out", Params: []any{int(runTimeout.Minutes())}}
		}
		b, _ := json.Marshal(msg)
		failure = string(b)
	case err != nil:
		st = StatusFailed
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Msg != "" {
			b, _ := json.Marshal(RowError{Message: ae.Msg, Params: ae.Params})
			failure = string(b)
		} else {
			s.log.Error("import failed", "job", id, "err", err)
			b, _ := json.Marshal(RowError{Message: "internal_error"})
			failure = string(b)
		}
	}
	// The outcome is recorded even when ctx ended, or the job would stay
	// running until the recover sweep gave up on it.
	ctx = context.WithoutCancel(ctx)
	if uerr := s.saveProgress(ctx, id, p, map[string]any{"status": st, "failure": failure, "total": p.processed,
		"finished_at": db.Now()}); uerr != nil {
		s.log.Error("import finish", "job", id, "err", uerr)
	}
	// The file is not needed any more.
	if derr := s.db.Conn(ctx).Where("job_id = ?", id).Delete(&chunk{}).Error; derr != nil {
		s.log.Error("import cleanup", "job", id, "err", derr)
	}
	return nil
}

// saveProgress writes the counters (and extra columns) to the job row.
func (s *Service) saveProgress(ctx context.Context, id string, p *progress, extra map[string]any) error {
	errs, _ := json.Marshal(p.errs)
	if p.errs == nil {
		errs = []byte("[]")
	}
	cols := map[string]any{"processed": p.processed, "created": p.created, "updated": p.updated,
		"skipped": p.skipped, "error_count": p.errCount, "errors": string(errs), "updated_at": db.Now()}
	for k, v := range extra {
		cols[k] = v
	}
	return s.db.Conn(ctx).Model(&Job{}).Where("id = ?", id).UpdateColumns(cols).Error
}

// process reads the file row by row and hands batches to the entity's
// importer. It returns an error only when the file cannot be read at all.
func (s *Service) process(ctx context.Context, j *Job, p *progress) error {
	var a authz.Actor
	if err := json.Unmarshal([]byte(j.Actor), &a); err != nil {
		return fmt.Errorf("import actor: %w", err)
	}
	ctx = authz.WithActor(ctx, &a)
	ctx = audit.WithMeta(ctx, audit.Meta{RequestID: "import-" + j.ID})
	// Permissions may have changed since the upload.
	if err := authz.Require(ctx, writePerm(j.Entity)); err != nil {
		return err
	}
	rr, err := openRows(j.Format, &chunkReader{ctx: ctx, d: s.db, job: j.ID})
	if err != nil {
		return apperr.Invalid(apperr.FieldError{Field: "file", Message: "import_bad_file", Params: []any{err.Error()}})
	}
	defer rr.Close()
	header, err := rr.Next()
	if errors.Is(err, io.EOF) {
		return nil // an empty file imports nothing
	}
	if err != nil {
		return badFile(err)
	}
	cols := columnMap(j.Entity, header)
	if !hasCol(cols, "name") {
		return &apperr.Error{Kind: apperr.ErrInvalid, Code: "validation_failed", Msg: "import_no_name_column"}
	}
	imp, err := s.importerFor(ctx, j, &a)
	if err != nil {
		return err
	}
	// A reader goroutine parses the next batch while this one checks and
	// writes the current one: parsing and the database overlap.
	batches := make(chan []rowIn, 1)
	readErr := make(chan []RowError, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(batches)
		var fails []RowError
		defer func() { readErr <- fails }()
		rows := make([]rowIn, 0, batchSize)
		send := func() bool {
			select {
			case batches <- rows:
				rows = make([]rowIn, 0, batchSize)
				return true
			case <-stop:
				return false
			}
		}
		for n := 2; ; n++ {
			rec, err := rr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				// A malformed line ends the file: what came before stays.
				fails = append(fails, RowError{Row: n, Message: "import_bad_file", Params: []any{err.Error()}})
				break
			}
			r, empty := toRow(n, cols, rec)
			if empty {
				continue
			}
			if len(rec) > maxColumns {
				r.tooWide = true
			}
			rows = append(rows, r)
			if len(rows) == batchSize && !send() {
				return
			}
		}
		if len(rows) > 0 {
			send()
		}
	}()
	for rows := range batches {
		ok := rows[:0]
		for _, r := range rows {
			if r.tooWide {
				p.fail(r.n, "", "import_too_many_cols")
				continue
			}
			ok = append(ok, r)
		}
		if err := imp.batch(ctx, ok, p); err != nil {
			_ = imp.done(ctx, p)
			return err
		}
		p.processed += len(rows)
		if err := s.saveProgress(ctx, j.ID, p, map[string]any{"total": p.processed}); err != nil {
			_ = imp.done(ctx, p)
			return err
		}
	}
	if err := imp.done(ctx, p); err != nil {
		return err
	}
	for _, e := range <-readErr {
		p.fail(e.Row, e.Field, e.Message, e.Params...)
	}
	return nil
}

func badFile(err error) error {
	return apperr.Invalid(apperr.FieldError{Field: "file", Message: "import_bad_file", Params: []any{err.Error()}})
}

func hasCol(cols []string, k string) bool {
	for _, c := range cols {
		if c == k {
			return true
		}
	}
	return false
}

// toRow maps a record onto its fields; empty reports a blank line.
func toRow(n int, cols []string, rec []string) (rowIn, bool) {
	r := rowIn{n: n, vals: make(map[string]string, len(cols))}
	empty := true
	for i, v := range rec {
		if i >= len(cols) || cols[i] == "" {
			if clean(v) != "" {
				empty = false
			}
			continue
		}
		v = clean(v)
		if v != "" {
			empty = false
		}
		r.vals[cols[i]] = v
	}
	return r, empty
}

// importerFor picks the entity's importer.
func (s *Service) importerFor(ctx context.Context, j *Job, a *authz.Actor) (importer, error) {
	switch j.Entity {
	case EntityLeads:
		return s.newLeadImporter(ctx, j, a)
	case EntityCustomers:
		return &customerImporter{s: s, job: j, seen: map[string]int{}}, nil
	case EntityContacts:
		return &contactImporter{s: s, job: j, actor: a, ids: map[string]string{}}, nil
	case EntityProducts:
		return &productImporter{s: s, job: j, seen: map[string]int{}}, nil
	}
	return nil, apperr.NotFound("import")
}
