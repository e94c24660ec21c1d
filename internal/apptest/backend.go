// Package apptest runs the real server, router and middleware included,
// against each storage backend: the embedded default (SQLite file and
// in-process Redis) always, and PostgreSQL with a real Redis when they are
// reachable or CRM_TEST_REQUIRE_SERVICES=1 demands them. Every Env has its
// own database and its own Redis key prefix, so packages run in parallel.
package apptest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for admin statements
	"github.com/opencrm/crm/internal/migrations"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/redisx"
	"github.com/opencrm/crm/internal/platform/secret"
)

// Backend names a storage combination.
type Backend string

const (
	Embedded Backend = "embedded" // SQLite + in-process Redis
	Services Backend = "postgres" // PostgreSQL + Redis
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func pgURL() string {
	return env("CRM_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
}

func redisURL() string { return env("CRM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0") }

func servicesRequired() bool { return os.Getenv("CRM_TEST_REQUIRE_SERVICES") == "1" }

var (
	probeOnce sync.Once
	probeErr  error
)

// servicesUp checks once per process that PostgreSQL and Redis answer.
func servicesUp() error {
	probeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		admin, err := sql.Open("pgx", pgURL())
		if err == nil {
			err = admin.PingContext(ctx)
			_ = admin.Close()
		}
		if err != nil {
			probeErr = fmt.Errorf("PostgreSQL at CRM_TEST_DATABASE_URL: %w", err)
			return
		}
		r, err := redisx.Open(ctx, redisURL(), "crmtest:probe:")
		if err != nil {
			probeErr = fmt.Errorf("Redis at CRM_TEST_REDIS_URL: %w", err)
			return
		}
		_ = r.Close()
	})
	return probeErr
}

// Backends lists the backends this run covers. Without the services and
// without CRM_TEST_REQUIRE_SERVICES=1 the PostgreSQL tier is left out (and
// says so); with it, their absence fails the test.
func Backends(t testing.TB) []Backend {
	t.Helper()
	if err := servicesUp(); err != nil {
		if servicesRequired() {
			t.Fatalf("CRM_TEST_REQUIRE_SERVICES=1 but %v", err)
		}
		t.Logf("PostgreSQL/Redis tier not run: %v", err)
		return []Backend{Embedded}
	}
	return []Backend{Embedded, Services}
}

// Each runs fn once per backend as parallel subtests named after it.
func Each(t *testing.T, fn func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Backends(t) {
		t.Run(string(b), func(t *testing.T) {
			t.Parallel()
			fn(t, b)
		})
	}
}

// ---- PostgreSQL databases from a migrated template ----

var (
	tplOnce sync.Once
	tplName string
	tplErr  error
)

// staleAfter is how old a leftover test database must be before a later
// run drops it (a crashed run cannot clean up after itself).
const staleAfter = 2 * time.Hour

func dbURL(name string) string {
	u, _ := url.Parse(pgURL())
	u.Path = "/" + name
	return u.String()
}

func dbName(kind string) string {
	return fmt.Sprintf("crm_%s_%d_%s", kind, time.Now().Unix(), secret.SHA256(secret.Token(8))[:8])
}

func adminExec(ctx context.Context, stmts ...string) error {
	admin, err := sql.Open("pgx", pgURL())
	if err != nil {
		return err
	}
	defer admin.Close()
	for _, s := range stmts {
		if _, err := admin.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// template creates and migrates this process's template database once.
func template() (string, error) {
	tplOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		sweepStale(ctx)
		name := dbName("tpl")
		if tplErr = adminExec(ctx, "CREATE DATABASE "+name); tplErr != nil {
			return
		}
		d, err := db.Open(ctx, dbURL(name), "", db.Options{MaxOpenConns: 2})
		if err != nil {
			tplErr = err
			return
		}
		tplErr = d.Migrate(ctx, migrations.All())
		_ = d.Close()
		tplName = name
	})
	return tplName, tplErr
}

// sweepStale drops test databases left by crashed runs.
func sweepStale(ctx context.Context) {
	admin, err := sql.Open("pgx", pgURL())
	if err != nil {
		return
	}
	defer admin.Close()
	rows, err := admin.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'crm\_t\_%' OR datname LIKE 'crm\_tpl\_%'`)
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			names = append(names, n)
		}
	}
	_ = rows.Close()
	for _, n := range names {
		parts := strings.Split(n, "_")
		if len(parts) < 4 {
			continue
		}
		ts, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || time.Since(time.Unix(ts, 0)) < staleAfter {
			continue
		}
		_, _ = admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+n+" WITH (FORCE)")
	}
}

// newPostgres gives the test its own database, copied from the template.
func newPostgres(t testing.TB) *db.DB {
	t.Helper()
	tpl, err := template()
	if err != nil {
		t.Fatalf("postgres template: %v", err)
	}
	ctx := context.Background()
	name := dbName("t")
	if err := adminExec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tpl); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	d, err := db.Open(ctx, dbURL(name), "", db.Options{MaxOpenConns: 10})
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		_ = d.Close()
		_ = adminExec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	return d
}

// Main runs the package's tests and drops the template database after.
// Use it from TestMain: func TestMain(m *testing.M) { apptest.Main(m) }.
func Main(m interface{ Run() int }) {
	code := m.Run()
	if tplName != "" {
		_ = adminExec(context.Background(), "DROP DATABASE IF EXISTS "+tplName+" WITH (FORCE)")
	}
	os.Exit(code)
}
