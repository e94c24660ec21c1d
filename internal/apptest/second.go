package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"os"

	"github.com/opencrm/crm/internal/app"
	"github.com/opencrm/crm/internal/platform/db"
)

// SecondServer builds another server on the same database (its own pool) and
// Redis, like a second node behind the load balancer.
func (env *Env) SecondServer() *app.App {
	t := env.T
	t.Helper()
	ctx := context.Background()
	var d *db.DB
	var err error
	if env.App.DB.Dialect() == db.SQLite {
		d, err = db.Open(ctx, "", env.App.Cfg.DataDir, db.Options{MaxOpenConns: 4})
	} else {
		var name string
		if err := env.App.DB.Gorm().Raw("SELECT current_database()").Scan(&name).Error; err != nil {
			t.Fatal(err)
		}
		base := os.Getenv("CRM_TEST_DATABASE_URL")
		if base == "" {
			base = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
		}
		u, _ := url.Parse(base)
		u.Path = "/" + name
		d, err = db.Open(ctx, u.String(), "", db.Options{MaxOpenConns: 4})
	}
	if err != nil {
		t.Fatalf("second pool: %v", err)
	}
	t.Cleanup(func() { _ = d.Close() })
	a, err := app.Build(env.App.Cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)), d, env.App.Redis)
	if err != nil {
		t.Fatalf("second app: %v", err)
	}
	return a
}

// StartWorker runs a's queue worker and sweep scheduler (env.App when a is
// nil) until the test ends.
func (env *Env) StartWorker(a *app.App) {
	if a == nil {
		a = env.App
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := a.RunBackground(ctx, true); err != nil {
			env.T.Errorf("worker: %v", err)
		}
	}()
	env.T.Cleanup(func() {
		cancel()
		<-done
	})
}
