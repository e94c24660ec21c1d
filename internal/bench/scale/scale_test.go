// Package scale_test measures the server at scale (issue 6, "Scale") on a
// PostgreSQL database of about a million rows per table, over real TCP:
//
//	make bench-scale   # go test -run '^$' -bench Scale -benchtime 1x ./internal/bench/scale/
//
// It builds (once) or reuses the database of CRM_BENCH_DATABASE_URL
// (default postgres://postgres@127.0.0.1:5432/crm_bench_seed) at scale
// CRM_BENCH_SCALE (default 1) with scaledb, then prints one table: every
// report as an admin and as a regional manager over the last 365 days,
// every list on its first page and on a page deep in the table (a cursor
// at the middle row) with its documented filters, and GET /leads/{id}
// against a bare Echo + pgx lookup of the same rows. CRM_BENCH_PARTS
// (default reports,lists,lead) picks sections, CRM_BENCH_REPORTS (a
// substring of their names) reports; CRM_BENCH_CPUPROFILE names
// a file for a CPU profile of the app's GET /leads/{id} run. Benchmarks never run
// under go test without -bench, so make test stays fast.
package scale_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/app"
	"github.com/opencrm/crm/internal/bench/scaledb"
	"github.com/opencrm/crm/internal/platform/config"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/redisx"
	"github.com/opencrm/crm/internal/platform/secret"
)

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Reports are measured over the last 365 days; a new report is one line.
// %s, where present, is replaced by from=…&to=….
var reports = []struct{ name, path string }{
	{"performance by user", "/reports/performance?group_by=user&%s"},
	{"performance by team", "/reports/performance?group_by=team&%s"},
	{"leaderboard won_amount", "/reports/leaderboard?metric=won_amount&%s"},
	{"leaderboard activities", "/reports/leaderboard?metric=activities_count&%s"},
	{"commissions (this year)", "/reports/commissions?period=" + time.Now().Format("2006")},
	{"funnel", "/reports/funnel?%s"},
	{"lead conversion by source", "/reports/lead-conversion?group_by=source&%s"},
	{"lead conversion by owner", "/reports/lead-conversion?group_by=owner&%s"},
	{"forecast (6 months ahead, 12 back)", "/reports/forecast?months=6"},
	{"trends won_amount by month", "/reports/trends?metric=won_amount&interval=month&%s"},
	{"trends received_amount by month", "/reports/trends?metric=received_amount&interval=month&%s"},
	{"trends orders_count by month", "/reports/trends?metric=orders_count&interval=month&%s"},
	{"trends new_customers by month", "/reports/trends?metric=new_customers&interval=month&%s"},
	{"trends activities_count by month", "/reports/trends?metric=activities_count&interval=month&%s"},
	{"trends won_amount by user", "/reports/trends?metric=won_amount&interval=month&group_by=user&%s"},
	{"trends won_amount by region", "/reports/trends?metric=won_amount&interval=quarter&group_by=region&%s"},
	{"trends received_amount by region", "/reports/trends?metric=received_amount&interval=quarter&group_by=region&%s"},
	{"trends orders_count by region", "/reports/trends?metric=orders_count&interval=quarter&group_by=region&%s"},
	{"trends activities_count by region", "/reports/trends?metric=activities_count&interval=quarter&group_by=region&%s"},
	{"trends new_customers by region", "/reports/trends?metric=new_customers&interval=quarter&group_by=region&%s"},
	{"trends won_amount by product", "/reports/trends?metric=won_amount&interval=quarter&group_by=product&%s"},
	{"products", "/reports/products?%s"},
	{"customers", "/reports/customers?%s"},
	{"activities by user", "/reports/activities?%s"},
	{"activities by team", "/reports/activities?group_by=team&%s"},
}

// lists are measured on the first page and after a cursor at the table's
// middle row in the default order (table, sort column: that of the
// default sort, descending).
var lists = []struct {
	path, table, col string
	filters          []string
}{
	{"/leads", "leads", "created_at", []string{"", "status=contacted", "source=referral&region=江苏", "created_from=%m"}},
	{"/customers", "customers", "created_at", []string{"", "region=上海&industry=制造", "created_from=%m"}},
	{"/opportunities", "opportunities", "created_at", []string{"", "status=open", "stage_id=%stage"}},
	{"/activities", "activities", "start_at", []string{"", "status=done&type=visit", "from=%m"}},
	{"/orders", "orders", "created_at", []string{"", "status=completed", "created_from=%m"}},
	{"/contracts", "contracts", "created_at", []string{"", "status=executing", "created_from=%m"}},
	{"/payments", "payments", "received_at", []string{"", "status=received&method=bank_transfer", "from=%m"}},
}

type figure struct {
	name, scope string
	n           int
	p50, p95    time.Duration
	rps         float64
}

func BenchmarkScale(b *testing.B) {
	ctx := context.Background()
	dsn := env("CRM_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_seed?sslmode=disable")
	n, err := strconv.ParseFloat(env("CRM_BENCH_SCALE", "1"), 64)
	if err != nil {
		b.Fatal(err)
	}
	logins, err := scaledb.Ensure(ctx, dsn, n, os.Stdout)
	if err != nil {
		b.Fatal(err)
	}
	srv, pool := start(b, dsn)
	admin, mgr, rep := login(b, srv, logins.Admin), login(b, srv, logins.Manager), login(b, srv, logins.Rep)
	var stageID string // an open stage of the default pipeline, for the stage_id filter
	if err := pool.QueryRow(ctx, `SELECT s.id FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id
		WHERE p.is_default AND s.kind = 'open' ORDER BY s.position OFFSET 2 LIMIT 1`).Scan(&stageID); err != nil {
		b.Fatal(err)
	}

	var out []figure
	header()
	for b.Loop() {
		out = out[:0]
		today := time.Now().UTC().Truncate(24 * time.Hour)
		span := url.Values{"from": {today.AddDate(-1, 0, 1).Format(time.DateOnly)}, "to": {today.Format(time.DateOnly)}}.Encode()
		parts := env("CRM_BENCH_PARTS", "reports,lists,lead")
		only := os.Getenv("CRM_BENCH_REPORTS")
		for _, r := range reports {
			if !strings.Contains(parts, "reports") {
				break
			}
			if only != "" && !strings.Contains(r.name, only) {
				continue
			}
			for _, who := range []struct{ scope, token string }{{"admin", admin}, {"manager", mgr}} {
				path := r.path
				if strings.Contains(path, "%s") {
					path = fmt.Sprintf(path, span)
				}
				out = append(out, sequential(b, srv, r.name, who.scope, who.token, []string{path}, 20))
			}
		}
		month := url.QueryEscape(today.AddDate(0, -1, 0).Format(time.DateOnly))
		for _, l := range lists {
			if !strings.Contains(parts, "lists") {
				break
			}
			mid := middleCursor(b, pool, l.table, l.col)
			for _, f := range l.filters {
				f = strings.NewReplacer("%m", month, "%stage", stageID).Replace(f)
				first := l.path + "?limit=20&" + f
				deep := first + "&cursor=" + mid
				name := "GET " + l.path + " " + f
				for _, who := range []struct{ scope, token string }{{"admin", admin}, {"manager", mgr}} {
					out = append(out, sequential(b, srv, name+" (first page)", who.scope, who.token, []string{first}, 20))
					out = append(out, sequential(b, srv, name+" (deep page)", who.scope, who.token, []string{deep}, 20))
				}
			}
		}
		if strings.Contains(parts, "lead") {
			out = append(out, leadByID(b, srv, pool, rep, logins.Rep)...)
		}
	}
	ratio(out)
}

// start runs the real server on a TCP port against dsn and a throwaway
// Redis namespace.
func start(b *testing.B, dsn string) (*httptest.Server, *pgxpool.Pool) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.JWTSecret = secret.Token(32)
	cfg.AccessTokenTTL = 3 * time.Hour // a slow run must not outlive its tokens
	cfg.DataDir = b.TempDir()
	cfg.RedisPrefix = "crmbench:" + strings.ToLower(secret.Token(8)) + ":"
	d, err := db.Open(ctx, dsn, "", db.Options{MaxOpenConns: cfg.DBMaxOpenConns})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.Close() })
	r, err := redisx.Open(ctx, env("CRM_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"), cfg.RedisPrefix)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = r.DeletePrefix(context.Background()); _ = r.Close() })
	a, err := app.Build(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), d, r)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(a.Echo)
	b.Cleanup(srv.Close)
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		b.Fatal(err)
	}
	pc.MaxConns = int32(cfg.DBMaxOpenConns)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return srv, pool
}

var client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 128}}

func login(b *testing.B, srv *httptest.Server, email string) string {
	body := fmt.Sprintf(`{"email":"%s","password":"%s"}`, email, scaledb.Password)
	resp, err := client.Post(srv.URL+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.AccessToken == "" {
		b.Fatalf("login %s: %d %v", email, resp.StatusCode, err)
	}
	return out.AccessToken
}

// get sends one request; anything but a 200 is an error.
func get(base, token, path string) error {
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1"+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	return nil
}

// sequential times n requests one after another, after two unmeasured
// ones (a cold cache is not what a busy server sees).
func sequential(b *testing.B, srv *httptest.Server, name, scope, token string, paths []string, n int) figure {
	for i := range 2 {
		if err := get(srv.URL, token, paths[i%len(paths)]); err != nil {
			b.Fatal(err)
		}
	}
	// At most about 15 s a case, and never fewer than 5 requests.
	lat := make([]time.Duration, 0, n)
	start := time.Now()
	for i := 0; i < n && (i < 5 || time.Since(start) < 15*time.Second); i++ {
		t := time.Now()
		if err := get(srv.URL, token, paths[i%len(paths)]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t))
	}
	return summarise(name, scope, lat, time.Since(start))
}

func summarise(name, scope string, lat []time.Duration, total time.Duration) figure {
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1)+0.5)] }
	f := figure{name: name, scope: scope, n: len(lat), p50: pct(0.5), p95: pct(0.95),
		rps: float64(len(lat)) / total.Seconds()}
	f.print()
	return f
}

// middleCursor is a next_cursor pointing at the middle row of table in
// the default order (col descending, then id descending), as the server
// would have issued it after that row.
func middleCursor(b *testing.B, pool *pgxpool.Pool, table, col string) string {
	var at time.Time
	var id string
	err := pool.QueryRow(context.Background(), fmt.Sprintf(
		"SELECT %[1]s, id FROM %[2]s ORDER BY %[1]s DESC, id DESC OFFSET (SELECT COUNT(*) / 2 FROM %[2]s) LIMIT 1",
		col, table)).Scan(&at, &id)
	if err != nil {
		b.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]any{"s": "-" + col, "v": []any{at.UTC().Format(time.RFC3339Nano)}, "id": id})
	mac := sha256.Sum256(append([]byte("crm-cursor-v1:"), payload...))
	return base64.RawURLEncoding.EncodeToString(append(payload, mac[:8]...))
}

// leadByID compares GET /api/v1/leads/{id} (JWT, session check in Redis,
// user and data scope, GORM) as a rep on their own leads with a bare
// Echo + pgx primary-key lookup of the same rows, 64 connections each over
// TCP, for the same time.
func leadByID(b *testing.B, srv *httptest.Server, pool *pgxpool.Pool, token, repEmail string) []figure {
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT id FROM leads WHERE owner_id = (SELECT id FROM users WHERE email = $1)
		AND deleted_at IS NULL ORDER BY id LIMIT 5000`, repEmail)
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()

	e := echo.New()
	// The whole row, as GET /leads/{id} returns it, as JSON.
	e.GET("/api/v1/leads/:id", func(c echo.Context) error {
		rows, err := pool.Query(c.Request().Context(), "SELECT * FROM leads WHERE id = $1", c.Param("id"))
		if err != nil {
			return err
		}
		row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToMap)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, row)
	})
	bare := httptest.NewServer(e)
	defer bare.Close()

	dur := 5 * time.Second
	if s := os.Getenv("CRM_BENCH_LOAD_SECONDS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil {
			dur = time.Duration(n) * time.Second
		}
	}
	var out []figure
	out = append(out, load(b, "GET /leads/{id} bare Echo+pgx", bare.URL, "", ids, dur))
	if p := os.Getenv("CRM_BENCH_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		_ = pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	out = append(out, load(b, "GET /leads/{id} app", srv.URL, token, ids, dur))
	return out
}

// load runs 64 workers for dur over keep-alive connections, after a
// one-second warm-up, and reports latencies and requests per second.
func load(b *testing.B, name, base, token string, ids []string, dur time.Duration) figure {
	const workers = 64
	var failed atomic.Value
	run := func(d time.Duration, record bool) ([]time.Duration, time.Duration) {
		var mu sync.Mutex
		var all []time.Duration
		var next atomic.Int64
		deadline := time.Now().Add(d)
		var wg sync.WaitGroup
		start := time.Now()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				for time.Now().Before(deadline) {
					id := ids[int(next.Add(1))%len(ids)]
					t := time.Now()
					if err := get(base, token, "/leads/"+id); err != nil {
						failed.Store(err.Error())
						return
					}
					mine = append(mine, time.Since(t))
				}
				if record {
					mu.Lock()
					all = append(all, mine...)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return all, time.Since(start)
	}
	run(time.Second, false)
	cpu0 := cpuTime()
	lat, total := run(dur, true)
	cpu := cpuTime() - cpu0
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
	f := summarise(name, "rep, 64 conns", lat, total)
	// CPU of this process (client and server alike) per request: steadier
	// than req/s on a shared machine, though it leaves out PostgreSQL and Redis.
	fmt.Printf("  %s: %.0f µs CPU per request in this process\n", name, float64(cpu.Microseconds())/float64(len(lat)))
	return f
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// header starts the table; each figure prints as soon as it is measured.
func header() {
	fmt.Printf("\nGOMAXPROCS=%d, %s\n\n", runtime.GOMAXPROCS(0), time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("| %-70s | %-13s | %4s | %9s | %9s | %8s |\n", "endpoint", "scope", "n", "p50 ms", "p95 ms", "req/s")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 72), strings.Repeat("-", 15), strings.Repeat("-", 6),
		strings.Repeat("-", 11), strings.Repeat("-", 11), strings.Repeat("-", 10))
}

func (f figure) print() {
	fmt.Printf("| %-70s | %-13s | %4d | %9.1f | %9.1f | %8.0f |\n", f.name, f.scope, f.n,
		float64(f.p50.Microseconds())/1000, float64(f.p95.Microseconds())/1000, f.rps)
}

func ratio(out []figure) {
	if n := len(out); n >= 2 && strings.HasPrefix(out[n-2].name, "GET /leads/{id} bare") {
		bare, appFig := out[n-2], out[n-1]
		fmt.Printf("\nGET /leads/{id}: app %.0f req/s = %.2fx the bare Echo+pgx route (%.0f req/s)\n",
			appFig.rps, appFig.rps/bare.rps, bare.rps)
	}
}
