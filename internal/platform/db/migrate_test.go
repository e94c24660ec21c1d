package db_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/go-gormigrate/gormigrate/v2"
	"github.com/opencrm/crm/internal/migrations"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/db/dbtest"
	"gorm.io/gorm"
)

// opener opens a new handle on the same database each call.
type opener func(t *testing.T) *db.DB

func sqliteOpener(t *testing.T) opener {
	dir := t.TempDir()
	return func(t *testing.T) *db.DB {
		d, err := db.Open(context.Background(), "", dir, db.Options{MaxOpenConns: 4})
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { _ = d.Close() })
		return d
	}
}

func postgresOpener(t *testing.T) opener {
	url := dbtest.PostgresURL(t)
	return func(t *testing.T) *db.DB {
		d, err := db.Open(context.Background(), url, "", db.Options{MaxOpenConns: 4})
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		t.Cleanup(func() { _ = d.Close() })
		return d
	}
}

func eachDB(t *testing.T, fn func(t *testing.T, open opener)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, sqliteOpener(t)) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, postgresOpener(t)) })
}

func migrationCount(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var n int64
	if err := d.Gorm().Table("schema_migrations").Count(&n).Error; err != nil {
		t.Fatalf("count schema_migrations: %v", err)
	}
	return n
}

// schema lists every table with its columns and indexes, so a second run
// that changed anything shows up as a difference.
func schema(t *testing.T, d *db.DB) string {
	t.Helper()
	m := d.Gorm().Migrator()
	tables, err := m.GetTables()
	if err != nil {
		t.Fatalf("tables: %v", err)
	}
	sort.Strings(tables)
	var b strings.Builder
	for _, tb := range tables {
		b.WriteString(tb + ":")
		cols, err := m.ColumnTypes(tb)
		if err != nil {
			t.Fatalf("columns of %s: %v", tb, err)
		}
		for _, c := range cols {
			b.WriteString(" " + c.Name() + " " + c.DatabaseTypeName())
		}
		// Index names from the catalogue: GORM's GetIndexes cannot read
		// SQLite's expression indexes.
		q := "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL"
		if d.Dialect() == db.Postgres {
			q = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? " +
				"AND indexname NOT LIKE '%_pkey'"
		}
		var names []string
		if err := d.Gorm().Raw(q, tb).Scan(&names).Error; err != nil {
			t.Fatalf("indexes of %s: %v", tb, err)
		}
		sort.Strings(names)
		b.WriteString(" | " + strings.Join(names, ",") + "\n")
	}
	return b.String()
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	eachDB(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		d := open(t)
		if err := d.Migrate(ctx, migrations.All()); err != nil {
			t.Fatalf("first migrate: %v", err)
		}
		n1, s1 := migrationCount(t, d), schema(t, d)
		if want := int64(len(migrations.All())); n1 != want {
			t.Fatalf("schema_migrations rows = %d, want %d", n1, want)
		}
		if !strings.Contains(s1, "users:") || !strings.Contains(s1, "audit_logs:") {
			t.Fatalf("schema lacks core tables:\n%s", s1)
		}
		// A second run, also from a new connection as a restarted server does.
		for _, h := range []*db.DB{d, open(t)} {
			if err := h.Migrate(ctx, migrations.All()); err != nil {
				t.Fatalf("second migrate: %v", err)
			}
		}
		if n2 := migrationCount(t, d); n2 != n1 {
			t.Fatalf("schema_migrations rows %d -> %d after a second run", n1, n2)
		}
		if s2 := schema(t, d); s2 != s1 {
			t.Fatalf("schema changed on a second run:\nbefore:\n%s\nafter:\n%s", s1, s2)
		}
	})
}

// Two servers starting at once on a fresh database: both must succeed and
// the schema must be created once. Each migrator has its own pool, like two
// processes.
func TestConcurrentMigrators(t *testing.T) {
	eachDB(t, func(t *testing.T, open opener) {
		const n = 3
		handles := make([]*db.DB, n)
		for i := range handles {
			handles[i] = open(t)
		}
		start := make(chan struct{})
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range handles {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				errs[i] = handles[i].Migrate(context.Background(), migrations.All())
			}(i)
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("migrator %d: %v", i, err)
			}
		}
		d := handles[0]
		if got, want := migrationCount(t, d), int64(len(migrations.All())); got != want {
			t.Fatalf("schema_migrations rows = %d, want %d", got, want)
		}
		var ids []string
		if err := d.Gorm().Table("schema_migrations").Order("id").Pluck("id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		for i, m := range migrations.All() {
			if i >= len(ids) || ids[i] != m.ID {
				t.Fatalf("applied ids %v, want %v", ids, migrations.All())
			}
		}
		// The schema is usable: a write to a migrated table works.
		if err := d.Gorm().Exec("INSERT INTO teams (id, name, created_at, updated_at, version) VALUES ('t1', 'x', ?, ?, 1)",
			db.Now(), db.Now()).Error; err != nil {
			t.Fatalf("insert into migrated schema: %v", err)
		}
	})
}

// A database migrated by a newer release (it records a migration this
// binary does not know) must stop the older binary instead of running
// against a schema it does not understand.
func TestUnknownMigrationIsRefused(t *testing.T) {
	eachDB(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		d := open(t)
		if err := d.Migrate(ctx, migrations.All()); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		if err := d.Gorm().Exec("INSERT INTO schema_migrations (id) VALUES ('v9999_from_the_future')").Error; err != nil {
			t.Fatalf("insert future migration: %v", err)
		}
		err := open(t).Migrate(ctx, migrations.All())
		if err == nil {
			t.Fatal("migrate against a newer schema succeeded; want an error")
		}
		if !errors.Is(err, gormigrate.ErrUnknownPastMigration) {
			t.Fatalf("error = %v, want ErrUnknownPastMigration", err)
		}
		if got, want := migrationCount(t, d), int64(len(migrations.All())+1); got != want {
			t.Fatalf("schema_migrations rows = %d after refusal, want %d", got, want)
		}
	})
}

// A step that fails leaves nothing behind: the transaction rolls back the
// DDL of the steps before it and the bookkeeping rows.
func TestFailedMigrationRollsBack(t *testing.T) {
	eachDB(t, func(t *testing.T, open opener) {
		ctx := context.Background()
		d := open(t)
		steps := append(migrations.All(),
			&gormigrate.Migration{ID: "v9000_ok", Migrate: func(tx *gorm.DB) error {
				return tx.Exec("CREATE TABLE probe_ok (id INTEGER PRIMARY KEY)").Error
			}},
			&gormigrate.Migration{ID: "v9001_broken", Migrate: func(tx *gorm.DB) error {
				return tx.Exec("THIS IS NOT SQL").Error
			}},
		)
		if err := d.Migrate(ctx, steps); err == nil {
			t.Fatal("broken migration succeeded")
		}
		if d.Gorm().Migrator().HasTable("probe_ok") {
			t.Fatal("table of an earlier step survived a failed run")
		}
		if d.Gorm().Migrator().HasTable("schema_migrations") {
			t.Fatal("schema_migrations survived a failed first run")
		}
		if err := d.Migrate(ctx, migrations.All()); err != nil {
			t.Fatalf("migrate after a failed run: %v", err)
		}
	})
}
