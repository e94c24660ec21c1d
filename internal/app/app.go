// Package app wires the server by hand: it opens the database and Redis,
// builds stores, services and handlers, and mounts the routes.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/activity"
	"github.com/opencrm/crm/internal/approval"
	"github.com/opencrm/crm/internal/auth"
	"github.com/opencrm/crm/internal/contract"
	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/dataio"
	"github.com/opencrm/crm/internal/event"
	"github.com/opencrm/crm/internal/jobs"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/migrations"
	"github.com/opencrm/crm/internal/notification"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/payment"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/config"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/docnum"
	"github.com/opencrm/crm/internal/platform/queue"
	"github.com/opencrm/crm/internal/platform/redisx"
	"github.com/opencrm/crm/internal/platform/secret"
	"github.com/opencrm/crm/internal/product"
	"github.com/opencrm/crm/internal/quote"
	"github.com/opencrm/crm/internal/reminder"
	"github.com/opencrm/crm/internal/report"
	"github.com/opencrm/crm/internal/salesdoc"
	"github.com/opencrm/crm/internal/settings"
	"github.com/opencrm/crm/internal/team"
	"github.com/opencrm/crm/internal/webform"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// App is the wired server.
type App struct {
	Cfg      config.Config
	Log      *slog.Logger
	DB       *db.DB
	Redis    *redisx.Client
	Echo     *echo.Echo
	Registry *prometheus.Registry
	// stopWatch ends the auth events watch (Close).
	stopWatch context.CancelFunc

	Org  *org.Service
	Auth *auth.Service
	Lead *lead.Service
	// Customer owns customers, contacts and the public pool.
	Customer *customer.Service

	Settings      *settings.Service
	Notifications *notification.Service
	// Reminders is the outbox of due notifications, delivered by the queue.
	Reminders *reminder.Service
	// Queue is the Redis task queue (asynq) for reminders, imports and sweeps.
	Queue *queue.Queue
	// Events is the outbox of business events for integrations.
	Events *event.Writer
	// Numbers issues business numbers (QT-/SO-/HT-YYYYMMDD-NNNN).
	Numbers *docnum.Generator
	// Jobs are the scheduled sweeps; Serve's caller starts them.
	Jobs *jobs.Runner
	// DataIO runs imports and exports.
	DataIO *dataio.Service
	// Opportunity owns pipelines, opportunities, competitors and scoring.
	Opportunity *opportunity.Service
	// Activities owns activities (follow-ups included) and the calendar.
	Activities *activity.Service
	// Product is the catalogue; later modules register usage checks on it.
	Product *product.Service
	// Approvals is the approval engine; contracts, orders and quotes
	// Register on it as approval.Documents.
	Approvals *approval.Service
	// Quote and Order own quotes and sales orders.
	Quote *quote.Service
	Order *order.Service
	// Contracts owns contracts, their attachments and payment plans;
	// Payments the payments received and invoices.
	Contracts *contract.Service
	Payments  *payment.Service
	// Team owns targets, commission plans, training records and playbooks.
	Team *team.Service
}

// Open connects to the database and Redis named by cfg (or the embedded
// defaults), applies migrations and builds the app.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	d, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx, migrations.All()); err != nil {
		_ = d.Close()
		return nil, err
	}
	r, err := redisx.Open(ctx, cfg.RedisURL, cfg.RedisPrefix)
	if err != nil {
		_ = d.Close()
		return nil, err
	}
	a, err := Build(cfg, log, d, r)
	if err != nil {
		_ = r.Close()
		_ = d.Close()
		return nil, err
	}
	return a, nil
}

// OpenDB opens the configured database without migrating.
func OpenDB(ctx context.Context, cfg config.Config) (*db.DB, error) {
	return db.Open(ctx, cfg.DatabaseURL, cfg.DataDir, db.Options{MaxOpenConns: cfg.DBMaxOpenConns})
}

// Build wires services and routes on an open database and Redis.
func Build(cfg config.Config, log *slog.Logger, d *db.DB, r *redisx.Client) (*App, error) {
	jwtSecret, err := resolveJWTSecret(cfg)
	if err != nil {
		return nil, err
	}
	a := &App{Cfg: cfg, Log: log, DB: d, Redis: r, Registry: prometheus.NewRegistry()}
	aw := audit.NewWriter(d)

	orgStore := org.NewStore(d)
	a.Org = org.NewService(d, orgStore, aw, cfg.BcryptCost)
	a.Auth = auth.NewService(d, r, orgStore, aw, auth.NewTokens(jwtSecret, cfg.AccessTokenTTL), auth.Settings{
		RefreshTTL: cfg.RefreshTokenTTL, AccessTTL: cfg.AccessTokenTTL,
		LoginMaxFails: cfg.LoginMaxFails, LoginLockout: cfg.LoginLockout, BcryptCost: cfg.BcryptCost,
		SessionCacheTTL: cfg.SessionCacheTTL,
	})
	// Other processes' revocations reach this one's session cache; the
	// watch ends with Close (or when the Redis client closes).
	watchCtx, stopWatch := context.WithCancel(context.Background())
	a.stopWatch = stopWatch
	go a.Auth.WatchSessions(watchCtx)
	// Auth keeps the users it read between requests; every committed
	// user or team change makes it read them again.
	orgStore.OnChange(a.Auth.OrgChanged)
	a.Org.SetRevoker(a.Auth)
	a.Lead = lead.NewService(d, lead.NewStore(d), orgStore, aw)

	if sqlDB, err := d.Gorm().DB(); err == nil {
		a.Registry.MustRegister(collectors.NewDBStatsCollector(sqlDB, string(d.Dialect())))
	}
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	a.Settings = settings.NewService(d, aw)
	a.Notifications = notification.NewService(d)
	a.Events = event.NewWriter(d)
	a.Numbers = docnum.New(d)
	a.Queue = queue.New(r, log, queue.Options{Concurrency: cfg.WorkerConcurrency, PollInterval: cfg.QueuePollInterval})
	a.Reminders = reminder.NewService(d, a.Notifications)
	a.Reminders.UseQueue(a.Queue)
	a.Jobs = jobs.NewRunner(r, a.Queue, log)
	a.Jobs.Register("reminder-dispatch", cfg.ReminderSweepInterval, a.Reminders.DispatchSweep)
	a.Lead.UseRouting(a.Settings, a.Notifications)
	a.Jobs.Register("lead-sla-sweep", time.Minute, a.Lead.SLASweep)
	a.Customer = customer.NewService(d, customer.NewStore(d), orgStore, aw, a.Settings, a.Notifications)
	a.Jobs.Register("pool-recycle", time.Hour, a.Customer.RecycleSweep)
	a.Lead.UseCustomers(a.Customer)

	a.Product = product.NewService(d, product.NewStore(d), aw)
	a.Opportunity = opportunity.NewService(d, aw, a.Customer, orgStore, a.Reminders, a.Product)
	a.Jobs.Register("opportunity-stage-sweep", 5*time.Minute, a.Opportunity.StageSweep)
	a.Jobs.Register("opportunity-rescore", 24*time.Hour, a.Opportunity.RescoreSweep)
	a.Lead.UseOpportunities(a.Opportunity)

	// Activities: lead and customer follow-ups are done activities; leads,
	// customers and contacts are what activities may be about.
	a.Activities = activity.NewService(d, activity.NewStore(d), orgStore, aw, a.Reminders)
	a.Activities.UseBuiltinTargets(a.Lead, a.Customer)
	a.Activities.UseOpportunities(a.Opportunity, a.Customer)
	a.Customer.OnProfileChange(a.Opportunity.RescoreCustomer)
	a.Lead.UseFollowUps(a.Activities.FollowUps(), a.Reminders)
	a.Customer.UseFollowUps(a.Activities.FollowUps(), a.Reminders)

	a.DataIO = dataio.NewService(d, a.Lead, a.Customer, orgStore, log)
	a.DataIO.UseQueue(a.Queue)
	a.Jobs.Register("import-recover", time.Minute, a.DataIO.RecoverSweep)

	a.DataIO.UseProducts(a.Product)

	// Approvals: the engine documents register on; its trail shows on the
	// customer timeline.
	a.Approvals = approval.NewService(d, approval.NewStore(d), aw, a.Notifications, a.Events)
	a.Customer.AddTimelineSource(a.Approvals.TimelineSource())

	// Quotes and orders: lines priced alike, numbered per day, on the
	// customer timeline; an accepted quote converts into an order.
	items := salesdoc.NewStore(d)
	docs := salesdoc.Deps{DB: d, Audit: aw, Events: a.Events, Numbers: a.Numbers, Settings: a.Settings,
		Products: a.Product, Items: items, Refs: &salesdoc.Refs{Customers: a.Customer, Opportunities: a.Opportunity}}
	a.Order = order.NewService(docs, order.NewStore(d, items))
	a.Quote = quote.NewService(docs, quote.NewStore(d, items), a.Order)
	a.Order.UseQuotes(a.Quote)
	engine := salesdoc.ApprovalEngine{Svc: a.Approvals}
	a.Order.UseApprovals(engine)
	a.Quote.UseApprovals(engine)
	a.Approvals.Register(order.Entity, a.Order)
	a.Approvals.Register(quote.Entity, a.Quote)
	a.Product.AddUsageCheck("document items", items.UsesProduct)
	a.Customer.AddTimelineSource(salesdoc.TimelineSource(d, "quote", "quotes", "Quote"))
	a.Customer.AddTimelineSource(salesdoc.TimelineSource(d, "order", "orders", "Order"))
	a.Customer.AddMergeHook("quotes", salesdoc.MergeHook(d, "quotes"))
	a.Customer.AddMergeHook("orders", salesdoc.MergeHook(d, "orders"))
	a.Jobs.Register("quote-expiry-sweep", time.Hour, a.Quote.ExpirySweep)
	// Quote to cash: contracts (attachments on disk in the data dir) and
	// their payment plans; payments and invoices against them, payments on
	// the customer timeline.
	a.Contracts = contract.NewService(d, contract.NewStore(d), contract.Deps{Customers: a.Customer, Users: orgStore,
		Audit: aw, Settings: a.Settings, Reminders: a.Reminders, Events: a.Events, Numbers: a.Numbers,
		Files: contract.NewDiskStorage(filepath.Join(cfg.DataDir, "attachments"))})
	a.Payments = payment.NewService(d, payment.NewStore(d), a.Contracts, aw, a.Events)
	a.Contracts.UseApprovals(a.Approvals)
	a.Contracts.UseOpportunities(contract.OpportunityLinks{Svc: a.Opportunity})
	a.Contracts.UseOrders(contract.OrderLinks{Svc: a.Order})
	a.Payments.UseOrders(payment.OrderLinks{Svc: a.Order, DB: d})
	a.Customer.AddTimelineSource(payment.TimelineSource(d))

	// Sales team management: targets, commission plans, training, playbooks.
	a.Team = team.NewService(d, aw, orgStore, a.Settings, a.Opportunity)
	// Performance reports: actuals against targets, leaderboard, commissions.
	perfReports := report.NewPerformanceHandler(report.NewPerfService(d, orgStore, a.Settings))

	// Each module mounts its own routes on the authenticated group.
	a.Echo = a.routes(auth.NewHandler(a.Auth),
		org.NewHandler(a.Org),
		audit.NewHandler(audit.NewService(d)),
		lead.NewHandler(a.Lead),
		lead.NewRuleHandler(a.Lead),
		webform.NewHandler(webform.NewService(d, aw, a.Lead, r)),
		settings.NewHandler(a.Settings),
		notification.NewHandler(a.Notifications),
		jobs.NewHandler(a.Jobs),
		event.NewHandler(event.NewService(d)),
		customer.NewHandler(a.Customer),
		dataio.NewHandler(a.DataIO),
		opportunity.NewHandler(a.Opportunity),
		activity.NewHandler(a.Activities),
		product.NewHandler(a.Product),
		approval.NewHandler(a.Approvals),
		approval.NewRuleHandler(a.Approvals),
		quote.NewHandler(a.Quote),
		order.NewHandler(a.Order),
		contract.NewHandler(a.Contracts),
		payment.NewHandler(a.Payments),
		team.NewHandler(a.Team),
		// Reports: the funnel and lead conversion.
		report.NewFunnelHandler(report.NewFunnelService(d, a.Settings, orgStore)),
		perfReports,
		report.NewForecastHandler(report.NewPerfService(d, orgStore, a.Settings)),
		report.NewMixHandler(report.NewMixService(d, orgStore, a.Settings)), // products, customers, activities
	)
	return a, nil
}

// resolveJWTSecret uses CRM_JWT_SECRET, or a secret generated once and kept
// in the data dir, so tokens survive restarts of a single embedded node.
func resolveJWTSecret(cfg config.Config) ([]byte, error) {
	if cfg.JWTSecret != "" {
		return []byte(cfg.JWTSecret), nil
	}
	path := filepath.Join(cfg.DataDir, "jwt_secret")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	s := []byte(secret.Token(48))
	if err := os.WriteFile(path, s, 0o600); err != nil {
		return nil, fmt.Errorf("jwt secret: %w", err)
	}
	return s, nil
}

// Bootstrap creates the first admin when there is no user and prints how
// to log in, once, to out (not the log: the password must not end up in
// log storage).
func (a *App) Bootstrap(ctx context.Context, out io.Writer) error {
	created, generated, err := a.Org.EnsureFirstAdmin(ctx, a.Cfg.AdminEmail, a.Cfg.AdminPassword)
	if err != nil || !created {
		return err
	}
	email := org.NormaliseEmail(a.Cfg.AdminEmail)
	if email == "" {
		email = "admin@example.com"
	}
	if generated != "" {
		fmt.Fprintf(out, "\n  First admin created. Log in with\n    email:    %s\n    password: %s\n  This password is shown only now; change it with POST /api/v1/me/password.\n\n", email, generated)
	} else {
		fmt.Fprintf(out, "\n  First admin created from CRM_ADMIN_EMAIL: %s\n\n", email)
	}
	return nil
}

// Serve runs the HTTP server on ln until ctx ends, then stops accepting
// and lets in-flight requests finish within the shutdown timeout.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.Cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// RunBackground runs the periodic enqueuer and, when worker is set, the
// queue worker, until ctx ends; it returns once both have stopped.
func (a *App) RunBackground(ctx context.Context, worker bool) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.Queue.RunScheduler(ctx)
	}()
	var err error
	if worker {
		err = a.Queue.RunWorker(ctx)
	} else {
		<-ctx.Done()
	}
	<-done
	return err
}

// Close releases the queue client, the database and Redis.
func (a *App) Close() {
	if a.stopWatch != nil {
		a.stopWatch()
	}
	_ = a.Queue.Close()
	_ = a.Redis.Close()
	_ = a.DB.Close()
}
