// Package record runs the one write every versioned resource shares: load
// in scope, check If-Match, change, save only if still at the version
// read, and audit — all in one transaction.
package record

import (
	"context"
	"time"

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/db"
)

// Versioned is a record under optimistic locking.
type Versioned interface {
	// CurrentVersion is the version as read.
	CurrentVersion() int
	// Touch moves the record to its next version, changed at now.
	Touch(now time.Time)
}

// Mutation describes how one kind of record is written.
type Mutation[T Versioned] struct {
	DB    *db.DB
	Audit *audit.Writer
	// Entity is the audit log's entity type ("lead").
	Entity string
	ID     func(T) string
	// View is the record as the audit log keeps it (the API's view).
	View func(T) any
	// Save writes the record if it is still at version read, else returns
	// apperr.VersionMismatch.
	Save func(ctx context.Context, rec T, read int) error
}

// Apply loads the record, refuses a stale If-Match (412), applies change,
// saves it guarded by the version read (a concurrent writer that got there
// first makes this a 412 rather than a lost update) and writes the audit
// row with before and after — in one transaction, joined if ctx has one.
func (m Mutation[T]) Apply(ctx context.Context, load func(context.Context) (T, error), ifMatch *int,
	action string, change func(context.Context, T) error) (T, error) {
	var out T
	err := m.DB.WithTx(ctx, func(ctx context.Context) error {
		rec, err := load(ctx)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != rec.CurrentVersion() {
			return apperr.VersionMismatch()
		}
		before := m.View(rec)
		if err := change(ctx, rec); err != nil {
			return err
		}
		read := rec.CurrentVersion()
		rec.Touch(db.Now())
		if err := m.Save(ctx, rec, read); err != nil {
			return err
		}
		out = rec
		return m.Audit.Record(ctx, action, m.Entity, m.ID(rec), before, m.View(rec))
	})
	return out, err
}
