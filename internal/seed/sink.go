package seed

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/opencrm/crm/internal/platform/db"
)

// emitFunc hands one row to the sink; the row slice may be reused by the
// generator once emit returns, so sinks copy what they keep.
type emitFunc func(row ...any) error

// genFunc produces a table's rows in order.
type genFunc func(emit emitFunc) error

// sink writes generated rows to one database. The generator code is the
// same for both: PostgreSQL gets COPY, SQLite batched multi-row INSERTs.
type sink interface {
	write(ctx context.Context, table string, cols []string, gen genFunc) (int64, error)
	analyze(ctx context.Context) error
}

func newSink(d *db.DB) (sink, error) {
	sqlDB, err := d.Gorm().DB()
	if err != nil {
		return nil, err
	}
	if d.Dialect() == db.Postgres {
		return &pgSink{db: sqlDB}, nil
	}
	return &sqliteSink{db: sqlDB}, nil
}

// pgSink streams rows with COPY on one pgx connection taken from the
// pool. Per table, in one transaction: the secondary indexes are dropped,
// the rows copied, and the indexes rebuilt from their saved definitions
// (one sort instead of millions of inserts into each b-tree). A failure
// rolls back the whole table, indexes included, so nothing the app needs
// can be left missing.
type pgSink struct{ db *sql.DB }

const batchRows = 2048

func (s *pgSink) write(ctx context.Context, table string, cols []string, gen genFunc) (int64, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var n int64
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		tx, err := pc.Begin(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		for _, q := range []string{"SET LOCAL synchronous_commit = off", "SET LOCAL maintenance_work_mem = '256MB'"} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		// Indexes that back a constraint (the primary key) stay.
		rows, err := tx.Query(ctx, `SELECT i.indexname, i.indexdef FROM pg_indexes i
WHERE i.schemaname = current_schema() AND i.tablename = $1
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`, table)
		if err != nil {
			return err
		}
		var names, defs []string
		for rows.Next() {
			var name, def string
			if err := rows.Scan(&name, &def); err != nil {
				rows.Close()
				return err
			}
			names, defs = append(names, name), append(defs, def)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, name := range names {
			if _, err := tx.Exec(ctx, "DROP INDEX "+pgx.Identifier{name}.Sanitize()); err != nil {
				return err
			}
		}
		src := newChanSource(ctx, len(cols), gen)
		n, err = tx.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		if gerr := src.wait(); err == nil {
			err = gerr
		}
		if err != nil {
			return fmt.Errorf("copy %s: %w", table, err)
		}
		for _, def := range defs {
			if _, err := tx.Exec(ctx, def); err != nil {
				return fmt.Errorf("rebuild index on %s: %w", table, err)
			}
		}
		return tx.Commit(ctx)
	})
	return n, err
}

// analyze gathers statistics and, on PostgreSQL, vacuums too: COPY leaves
// the visibility map unset, so until autovacuum came round every
// index-only scan would visit the heap, unlike a database that has lived.
func (s *pgSink) analyze(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "VACUUM (ANALYZE)")
	return err
}

// chanSource runs the generator in its own goroutine (one core generates
// while PostgreSQL ingests on the other) and hands batches to CopyFrom.
type chanSource struct {
	ch     chan [][]any
	done   chan error
	cancel context.CancelFunc
	batch  [][]any
	pos    int
	err    error
}

func newChanSource(ctx context.Context, ncols int, gen genFunc) *chanSource {
	ctx, cancel := context.WithCancel(ctx)
	s := &chanSource{ch: make(chan [][]any, 8), done: make(chan error, 1), cancel: cancel}
	go func() {
		defer close(s.ch)
		buf := make([][]any, 0, batchRows)
		flush := func() error {
			select {
			case s.ch <- buf:
			case <-ctx.Done():
				return ctx.Err()
			}
			buf = make([][]any, 0, batchRows)
			return nil
		}
		err := gen(func(row ...any) error {
			if len(row) != ncols {
				return fmt.Errorf("seed: %d values for %d columns", len(row), ncols)
			}
			buf = append(buf, append([]any(nil), row...))
			if len(buf) == batchRows {
				return flush()
			}
			return nil
		})
		if err == nil && len(buf) > 0 {
			err = flush()
		}
		s.done <- err
	}()
	return s
}

func (s *chanSource) Next() bool {
	s.pos++
	for s.pos >= len(s.batch) {
		b, ok := <-s.ch
		if !ok {
			return false
		}
		s.batch, s.pos = b, 0
	}
	return true
}

func (s *chanSource) Values() ([]any, error) { return s.batch[s.pos], nil }
func (s *chanSource) Err() error             { return s.err }

// wait stops the generator (if CopyFrom gave up early) and returns its error.
func (s *chanSource) wait() error {
	s.cancel()
	for range s.ch { //nolint:revive // drain so the generator can exit
	}
	return <-s.done
}

// sqliteSink writes multi-row INSERTs, many per transaction: SQLite is
// for tests and small scales, so simplicity wins over the last bit of speed.
type sqliteSink struct{ db *sql.DB }

// sqliteMaxVars stays under SQLite's bound-parameter limit (32766).
const sqliteMaxVars = 30000

func (s *sqliteSink) write(ctx context.Context, table string, cols []string, gen genFunc) (int64, error) {
	per := min(sqliteMaxVars/len(cols), 500)
	rowSQL := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback() }()
	var (
		n       int64
		args    = make([]any, 0, per*len(cols))
		pending int
		inTx    int
	)
	flush := func() error {
		if pending == 0 {
			return nil
		}
		q := head + strings.TrimSuffix(strings.Repeat(rowSQL+",", pending), ",")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert %s: %w", table, err)
		}
		n += int64(pending)
		inTx += pending
		args, pending = args[:0], 0
		// Commit now and then so the WAL does not grow without bound.
		if inTx >= 50000 {
			if err := tx.Commit(); err != nil {
				return err
			}
			if tx, err = s.db.BeginTx(ctx, nil); err != nil {
				return err
			}
			inTx = 0
		}
		return nil
	}
	err = gen(func(row ...any) error {
		if len(row) != len(cols) {
			return fmt.Errorf("seed: %d values for %d columns", len(row), len(cols))
		}
		args = append(args, row...)
		pending++
		if pending == per {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return n, err
	}
	return n, tx.Commit()
}

func (s *sqliteSink) analyze(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, "ANALYZE")
	return err
}
