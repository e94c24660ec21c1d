// Command crm is the CRM server.
//
//	@title						CRM Sales API
//	@version					1.0
//	@description				Lead-to-cash sales CRM: leads, customers, opportunities, quotes, orders, contracts, payments. Errors are application/problem+json (RFC 9457).
//	@BasePath					/api/v1
//	@securityDefinitions.apikey	BearerAuth
//	@in							header
//	@name						Authorization
//	@description				"Bearer <access_token>" from POST /auth/login
//	@securityDefinitions.apikey	ApiKeyAuth
//	@in							header
//	@name						X-API-Key
//	@description				Integration API key created by an admin (POST /api-keys)
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/opencrm/crm/internal/app"
	"github.com/opencrm/crm/internal/migrations"
	"github.com/opencrm/crm/internal/platform/config"
	"github.com/opencrm/crm/internal/seed"
)

const usage = `Usage: crm <command> [flags]

Commands:
  serve          run the API server (migrates the database first) and, unless
                 CRM_WORKER=false, the background queue worker in-process
  worker         run only the queue worker and sweep scheduler (scale out)
  migrate        apply database migrations and exit
  seed --demo    load demo teams, users and leads into an empty database
  seed --scale N generate a large realistic data set (N=1: 1M leads, 5M
                 activities...; 0.001 for a quick one) into an empty
                 database; --random-seed S makes it repeatable
  help           show this text

Configuration comes from CRM_* environment variables over
configs/config.yaml over built-in defaults (see README.md).
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "crm:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd string, args []string) error {
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Print(usage)
		return nil
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := app.NewLogger(os.Stderr, cfg.LogLevel)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log)
	case "worker":
		return worker(ctx, cfg, log)
	case "migrate":
		d, err := app.OpenDB(ctx, cfg)
		if err != nil {
			return err
		}
		defer d.Close()
		if err := d.Migrate(ctx, migrations.All()); err != nil {
			return err
		}
		log.Info("migrations applied", "database", string(d.Dialect()))
		return nil
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ContinueOnError)
		demo := fs.Bool("demo", false, "load demo teams, users and leads")
		scale := fs.Float64("scale", 0, "generate a large data set: 1 = full size, 0.001 for tests")
		rseed := fs.Int64("random-seed", seed.DefaultRandomSeed, "seed of the generator, for repeatable runs")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *demo == (*scale != 0) {
			return fmt.Errorf("seed: use either --demo or --scale N")
		}
		a, err := app.Open(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer a.Close()
		if err := a.Bootstrap(ctx, os.Stdout); err != nil {
			return err
		}
		if *demo {
			return a.SeedDemo(ctx, os.Stdout)
		}
		_, err = seed.Scale(ctx, a.DB, seed.Options{Scale: *scale, RandomSeed: *rseed, Out: os.Stdout,
			BcryptCost: cfg.BcryptCost})
		return err
	default:
		fmt.Fprint(os.Stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	embeddedDB, embeddedRedis := cfg.Embedded()
	log.Info("starting",
		"addr", cfg.HTTPAddr,
		"database", map[bool]string{true: "embedded SQLite in " + cfg.DataDir, false: "PostgreSQL (CRM_DATABASE_URL)"}[embeddedDB],
		"redis", map[bool]string{true: "in-process (single node only)", false: "external (CRM_REDIS_URL)"}[embeddedRedis],
	)
	if cfg.JWTSecret == "" && !embeddedDB {
		log.Warn("CRM_JWT_SECRET is not set: using a secret kept in the data dir; set it when running more than one node")
	}
	if err := a.Bootstrap(ctx, os.Stdout); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return err
	}
	bg := make(chan error, 1)
	go func() { bg <- a.RunBackground(ctx, cfg.Worker) }()
	log.Info("listening", "addr", ln.Addr().String(), "docs", "/swagger/index.html", "worker", cfg.Worker, "jobs", a.Jobs.Names())
	err = a.Serve(ctx, ln)
	if berr := <-bg; err == nil {
		err = berr
	}
	return err
}

// worker runs the queue worker and sweep scheduler without the HTTP API, to
// add background capacity beside servers started with CRM_WORKER=false.
func worker(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if _, embeddedRedis := cfg.Embedded(); embeddedRedis {
		return fmt.Errorf("worker: needs CRM_REDIS_URL; the in-process Redis lives inside one server")
	}
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	log.Info("worker started", "queue", a.Queue.Name(), "jobs", a.Jobs.Names())
	return a.RunBackground(ctx, true)
}
