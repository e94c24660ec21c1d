// Package scaledb builds the PostgreSQL database the scale benchmarks run
// on (make bench-scale): schema from the migrations, the first admin, then
// the data set of `crm seed --scale N` (internal/seed: about 200 reps, 1M
// leads, 300k customers, 1M opportunities, 5M activities, 500k orders,
// contracts and payments per unit of N), once. A
// marker row records a completed build, so an interrupted one is redone
// and a complete one is reused by later runs.
package scaledb

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver
	"github.com/opencrm/crm/internal/app"
	"github.com/opencrm/crm/internal/migrations"
	"github.com/opencrm/crm/internal/platform/config"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/redisx"
	"github.com/opencrm/crm/internal/platform/secret"
	"github.com/opencrm/crm/internal/seed"
	"golang.org/x/crypto/bcrypt"
)

// Password is what every user of the data set logs in with.
const Password = "Bench-Passw0rd"

// adminEmail is the first admin's, created before the data set.
const adminEmail = "admin@bench.example.com"

// Version changes whenever the data set does, so an older build is redone.
const Version = "seed-v4"

// Logins are the users the benchmarks act as: the admin, a regional
// manager (a team with sub-teams) and one of that manager's reps.
type Logins struct{ Admin, Manager, Rep string }

// Ensure makes the database of dsn ready at scale n: created if missing,
// rebuilt unless its marker says a complete build of this Version and n.
func Ensure(ctx context.Context, dsn string, n float64, log io.Writer) (Logins, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return Logins{}, err
	}
	name := strings.TrimPrefix(u.Path, "/")
	want := fmt.Sprintf("%s n=%g", Version, n)
	if got, logins, _ := marker(ctx, dsn); got == want {
		// Later migrations (indexes, rollups) apply to the built data.
		d, err := db.Open(ctx, dsn, "", db.Options{MaxOpenConns: 2})
		if err != nil {
			return Logins{}, err
		}
		defer d.Close()
		fmt.Fprintf(log, "scaledb: %s ready (%s), migrating\n", name, want)
		if err := d.Migrate(ctx, migrations.All()); err != nil {
			return Logins{}, err
		}
		// A migration that backfills leaves dead rows and a stale
		// visibility map: vacuum, as autovacuum would before production
		// traffic, so index-only scans are measured as they will run.
		return logins, d.Gorm().WithContext(ctx).Exec("VACUUM ANALYZE").Error
	}
	admin := *u
	admin.Path = "/postgres"
	a, err := sql.Open("pgx", admin.String())
	if err != nil {
		return Logins{}, err
	}
	defer a.Close()
	fmt.Fprintf(log, "scaledb: building %s (%s)\n", name, want)
	for _, s := range []string{"DROP DATABASE IF EXISTS " + quoteIdent(name) + " WITH (FORCE)", "CREATE DATABASE " + quoteIdent(name)} {
		if _, err := a.ExecContext(ctx, s); err != nil {
			return Logins{}, fmt.Errorf("scaledb: %s: %w", s, err)
		}
	}
	d, err := db.Open(ctx, dsn, "", db.Options{MaxOpenConns: 4})
	if err != nil {
		return Logins{}, err
	}
	defer d.Close()
	if err := d.Migrate(ctx, migrations.All()); err != nil {
		return Logins{}, err
	}
	logins, err := build(ctx, d, n, log)
	if err != nil {
		return Logins{}, err
	}
	c, err := sql.Open("pgx", dsn)
	if err != nil {
		return Logins{}, err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `CREATE TABLE bench_scale_marker (build text NOT NULL, built_at timestamptz NOT NULL,
		admin text NOT NULL, manager text NOT NULL, rep text NOT NULL)`); err != nil {
		return Logins{}, err
	}
	_, err = c.ExecContext(ctx, `INSERT INTO bench_scale_marker VALUES ($1, now(), $2, $3, $4)`,
		want, logins.Admin, logins.Manager, logins.Rep)
	return logins, err
}

// build creates the first admin as the server would on a fresh database
// and fills the rest with the data set of crm seed --scale n.
func build(ctx context.Context, d *db.DB, n float64, log io.Writer) (Logins, error) {
	r, err := redisx.Open(ctx, "", "scaledb:")
	if err != nil {
		return Logins{}, err
	}
	defer r.Close()
	cfg := config.Defaults()
	cfg.JWTSecret = secret.Token(32)
	cfg.DataDir = os.TempDir()
	cfg.AdminEmail, cfg.AdminPassword = adminEmail, Password
	a, err := app.Build(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), d, r)
	if err != nil {
		return Logins{}, err
	}
	if err := a.Bootstrap(ctx, io.Discard); err != nil {
		return Logins{}, err
	}
	sum, err := seed.Scale(ctx, d, seed.Options{Scale: n, Password: Password, BcryptCost: bcrypt.MinCost, Out: log})
	if err != nil {
		return Logins{}, err
	}
	return Logins{Admin: adminEmail, Manager: sum.ManagerEmail, Rep: sum.RepEmail}, nil
}

func marker(ctx context.Context, dsn string) (string, Logins, error) {
	var l Logins
	c, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", l, err
	}
	defer c.Close()
	var s string
	err = c.QueryRowContext(ctx, "SELECT build, admin, manager, rep FROM bench_scale_marker").Scan(&s, &l.Admin, &l.Manager, &l.Rep)
	return s, l, err
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
