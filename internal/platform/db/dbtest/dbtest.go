// Package dbtest gives platform tests their own empty PostgreSQL database
// and the test Redis URL, with the same rules as the apptest harness:
// CRM_TEST_DATABASE_URL / CRM_TEST_REDIS_URL name the servers (defaulting
// to the local ones); when they are unreachable the test is skipped,
// unless CRM_TEST_REQUIRE_SERVICES=1 makes that a failure.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver for admin statements
	"github.com/redis/go-redis/v9"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func adminURL() string {
	return env("CRM_TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
}

func redisURL() string { return env("CRM_TEST_REDIS_URL", "redis://127.0.0.1:6379/0") }

func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CRM_TEST_REQUIRE_SERVICES") == "1" {
		t.Fatalf("CRM_TEST_REQUIRE_SERVICES=1 but %s is unreachable: %v", what, err)
	}
	t.Skipf("%s unreachable: %v", what, err)
}

var (
	pgOnce sync.Once
	pgErr  error
	rdOnce sync.Once
	rdErr  error
)

// AdminExec runs statements on the test server's admin database.
func AdminExec(ctx context.Context, stmts ...string) error {
	admin, err := sql.Open("pgx", adminURL())
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

// PostgresURL creates a fresh, empty database on the test server and
// returns its URL; the database is dropped when the test ends. Its name
// follows the harness's crm_t_<unix>_<rand> pattern, so a crashed run's
// leftovers are swept by a later one.
func PostgresURL(t testing.TB) string {
	t.Helper()
	pgOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		pgErr = AdminExec(ctx, "SELECT 1")
	})
	if pgErr != nil {
		unavailable(t, "PostgreSQL at CRM_TEST_DATABASE_URL", pgErr)
	}
	var rnd [5]byte
	_, _ = rand.Read(rnd[:])
	// hex, not base64url: a '-' is not valid in an unquoted identifier.
	name := fmt.Sprintf("crm_t_%d_%s", time.Now().Unix(), hex.EncodeToString(rnd[:]))
	if err := AdminExec(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		_ = AdminExec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, _ := url.Parse(adminURL())
	u.Path = "/" + name
	return u.String()
}

// RedisURL returns the test Redis URL after checking it answers.
func RedisURL(t testing.TB) string {
	t.Helper()
	rdOnce.Do(func() {
		opts, err := redis.ParseURL(redisURL())
		if err != nil {
			rdErr = err
			return
		}
		c := redis.NewClient(opts)
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		rdErr = c.Ping(ctx).Err()
	})
	if rdErr != nil {
		unavailable(t, "Redis at CRM_TEST_REDIS_URL", rdErr)
	}
	return redisURL()
}
