// Package scaledb builds the PostgreSQL database the scale benchmarks run
// on (make bench-scale): schema from the migrations, then the data set at
// scale N (about 200 reps, 1M leads, 300k customers, 1M opportunities, 5M
// activities, 500k orders, contracts and payments per unit of N), once. A
// marker row records a completed build, so an interrupted one is redone
// and a complete one is reused by later runs.
package scaledb

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver
	"github.com/opencrm/crm/internal/migrations"
	"github.com/opencrm/crm/internal/platform/db"
	"golang.org/x/crypto/bcrypt"
)

// Password is what every seeded user logs in with; emails are
// u<n>@bench.example.com: u0 the admin, u1..u200 reps, u201..u220 the
// managers of teams 1..20 (1..4 regions over the 16 leaf teams).
const Password = "Bench-Passw0rd"

// Version changes whenever the data set does, so an older build is redone.
const Version = "sql-v1"

// Source fills a migrated, empty database at scale n. It is the one call
// to swap when the data should come from elsewhere (seed.Scale).
var Source = SeedSQL

// Ensure makes the database of dsn ready at scale n: created if missing,
// rebuilt unless its marker says a complete build of this Version and n.
func Ensure(ctx context.Context, dsn string, n float64, log io.Writer) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	name := strings.TrimPrefix(u.Path, "/")
	want := fmt.Sprintf("%s n=%g", Version, n)
	if got, _ := marker(ctx, dsn); got == want {
		// Later migrations (indexes, rollups) apply to the built data.
		d, err := db.Open(ctx, dsn, "", db.Options{MaxOpenConns: 2})
		if err != nil {
			return err
		}
		defer d.Close()
		fmt.Fprintf(log, "scaledb: %s ready (%s), migrating\n", name, want)
		return d.Migrate(ctx, migrations.All())
	}
	admin := *u
	admin.Path = "/postgres"
	a, err := sql.Open("pgx", admin.String())
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(log, "scaledb: building %s (%s)\n", name, want)
	for _, s := range []string{"DROP DATABASE IF EXISTS " + quoteIdent(name) + " WITH (FORCE)", "CREATE DATABASE " + quoteIdent(name)} {
		if _, err := a.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("scaledb: %s: %w", s, err)
		}
	}
	d, err := db.Open(ctx, dsn, "", db.Options{MaxOpenConns: 2})
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Migrate(ctx, migrations.All()); err != nil {
		return err
	}
	if err := Source(ctx, dsn, n, log); err != nil {
		return err
	}
	c, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.ExecContext(ctx, `CREATE TABLE bench_scale_marker (build text NOT NULL, built_at timestamptz NOT NULL);
		INSERT INTO bench_scale_marker VALUES ('`+want+`', now())`)
	return err
}

func marker(ctx context.Context, dsn string) (string, error) {
	c, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", err
	}
	defer c.Close()
	var s string
	err = c.QueryRowContext(ctx, "SELECT build FROM bench_scale_marker").Scan(&s)
	return s, err
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

//go:embed seed.sql
var seedSQL string

// perN is a row count at scale 1 times :n.
var perN = regexp.MustCompile(`(\d+) \* :n`)

// SeedSQL runs seed.sql step by step with "count * :n" (rounded, at least
// 1), :anchor (today's UTC midnight) and :hash (Password's bcrypt hash)
// substituted, on one connection so setseed holds.
func SeedSQL(ctx context.Context, dsn string, n float64, log io.Writer) error {
	c, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetMaxOpenConns(1)
	body := perN.ReplaceAllStringFunc(seedSQL, func(m string) string {
		k, _ := strconv.Atoi(perN.FindStringSubmatch(m)[1])
		return strconv.Itoa(max(1, int(float64(k)*n+0.5)))
	})
	hash, err := bcrypt.GenerateFromPassword([]byte(Password), bcrypt.MinCost)
	if err != nil {
		return err
	}
	anchor := time.Now().UTC().Truncate(24 * time.Hour).Format(time.RFC3339)
	r := strings.NewReplacer(":anchor", "'"+anchor+"'::timestamptz", ":hash", "'"+string(hash)+"'")
	if _, err := c.ExecContext(ctx, "SELECT setseed(0.42)"); err != nil {
		return err
	}
	for _, step := range strings.Split(body, "-- step: ")[1:] {
		title, body, _ := strings.Cut(step, "\n")
		start := time.Now()
		if _, err := c.ExecContext(ctx, r.Replace(body)); err != nil {
			return fmt.Errorf("scaledb: step %s: %w", title, err)
		}
		fmt.Fprintf(log, "scaledb: %-14s %6.1fs\n", title, time.Since(start).Seconds())
	}
	return nil
}
