// Package db opens the database (PostgreSQL or the embedded SQLite file),
// carries transactions in the context and hides the few dialect differences.
package db

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the SQL dialect in use.
type Dialect string

const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is the handle services and stores share.
type DB struct {
	g       *gorm.DB
	dialect Dialect
}

type txKey struct{}

// Options tune the pool.
type Options struct {
	MaxOpenConns int
	Logger       *slog.Logger
}

// Open connects to PostgreSQL when dsn is set, else to the SQLite file
// crm.db in dataDir (created if missing).
func Open(ctx context.Context, dsn, dataDir string, o Options) (*DB, error) {
	cfg := &gorm.Config{
		TranslateError: true,
		Logger:         logger.Discard,
		NowFunc:        Now,
	}
	var (
		g   *gorm.DB
		err error
		d   Dialect
	)
	if dsn != "" {
		d = Postgres
		g, err = gorm.Open(postgres.Open(dsn), cfg)
	} else {
		d = SQLite
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("db: data dir: %w", err)
		}
		g, err = gorm.Open(sqlite.Open(SQLiteDSN(filepath.Join(dataDir, "crm.db"))), cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", d, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, err
	}
	if o.MaxOpenConns <= 0 {
		o.MaxOpenConns = 20
	}
	sqlDB.SetMaxOpenConns(o.MaxOpenConns)
	sqlDB.SetMaxIdleConns(o.MaxOpenConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("db: ping %s: %w", d, err)
	}
	return &DB{g: g, dialect: d}, nil
}

// SQLiteDSN is the connection string for an SQLite file: WAL for readers
// beside one writer, IMMEDIATE transactions so writers queue on the busy
// timeout instead of failing on lock upgrade, and foreign keys on.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(15000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Now is the clock for stored timestamps: UTC, truncated to microseconds
// so values read back from either database compare equal to what was written.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Dialect reports the SQL dialect.
func (d *DB) Dialect() Dialect { return d.dialect }

// Gorm is the pool, for wiring and migrations only; request code uses Conn.
func (d *DB) Gorm() *gorm.DB { return d.g }

// Conn returns the transaction in ctx if any, else the pool, bound to ctx.
func (d *DB) Conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return d.g.WithContext(ctx)
}

// InTx reports whether ctx carries a transaction (whose one connection
// must not be used by several goroutines at once).
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*gorm.DB)
	return ok
}

// WithTx runs fn in a transaction carried by ctx; nested calls join the outer
// one, so a service can call another service's method inside its own unit.
func (d *DB) WithTx(ctx context.Context, fn func(context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	hooks := &afterCommit{}
	err := d.g.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		return fn(context.WithValue(context.WithValue(ctx, txKey{}, tx), hooksKey{}, hooks))
	})
	if err == nil {
		for _, h := range hooks.fns {
			h(context.WithoutCancel(ctx))
		}
	}
	return err
}

type hooksKey struct{}

type afterCommit struct{ fns []func(context.Context) }

// AfterCommit runs fn once the transaction in ctx has committed, or at once
// when ctx carries none. It is for best-effort side effects that leave the
// process (queueing a job already recorded in an outbox row): a rolled-back
// transaction never runs them, and a crash between commit and fn is covered
// by whoever sweeps the outbox.
func AfterCommit(ctx context.Context, fn func(context.Context)) {
	if h, ok := ctx.Value(hooksKey{}).(*afterCommit); ok {
		h.fns = append(h.fns, fn)
		return
	}
	fn(ctx)
}

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error {
	sqlDB, err := d.g.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close releases the pool.
func (d *DB) Close() error {
	sqlDB, err := d.g.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// IsNotFound reports gorm's record-not-found.
func IsNotFound(err error) bool { return errors.Is(err, gorm.ErrRecordNotFound) }

// IsDuplicate reports a unique-constraint violation (TranslateError is on).
func IsDuplicate(err error) bool { return errors.Is(err, gorm.ErrDuplicatedKey) }

// SQLiteUnixSeconds is SQL for the whole seconds since 1970 of the SQLite
// timestamp column col, cut (not rounded) to the second: SQLite's date
// functions keep milliseconds and round, so strftime('%s') of 05.9996
// gives 06. The fraction is dropped from the text first ("YYYY-MM-DD
// HH:MM:SS.ffffff+00:00" → "YYYY-MM-DD HH:MM:SS+00:00"), as PostgreSQL's
// floor(epoch) cuts it.
func SQLiteUnixSeconds(col string) string {
	return "CAST(strftime('%s', CASE WHEN substr(" + col + ", 20, 1) = '.' THEN substr(" + col + ", 1, 19) || ltrim(substr(" +
		col + ", 20), '.0123456789') ELSE " + col + " END) AS INTEGER)"
}
