// Package seed generates a large, realistic data set straight into the
// database for load tests and benchmarks (crm seed --scale N): an
// organisation of teams, managers and reps, and three years of leads,
// customers with contacts, opportunities with their stage history,
// activities, orders with lines, contracts, payment plans and payments.
//
// Rows bypass the services (that is the point: millions of rows in
// minutes) so the generator itself keeps every invariant the app relies
// on: owners exist and sit in teams, statuses and their timestamps agree,
// contract and order amounts follow their lines and payments, and
// business numbers continue in the doc_sequences counters.
package seed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/secret"
)

// Options steer a run.
type Options struct {
	// Scale multiplies the full-size counts (1 = 1,000,000 leads); > 0.
	Scale float64
	// RandomSeed makes runs repeatable: the same seed, scale and Now give
	// the same rows.
	RandomSeed int64
	// Out receives progress lines and the one-time password; nil discards.
	Out io.Writer
	// Now ends the history; zero means the start of the current hour, so
	// runs within one hour give the same rows.
	Now time.Time
	// Password is what every seeded user logs in with; empty generates one.
	Password string
	// BcryptCost hashes it (once, for all users); 0 means 10.
	BcryptCost int
	// Location is the business time zone for document numbers and dates;
	// nil reads the organisation's timezone setting.
	Location *time.Location
}

// DefaultRandomSeed is the seed when none is given.
const DefaultRandomSeed = 20261127

// Summary tells benchmarks and tests what was made.
type Summary struct {
	AdminID string
	// ManagerID manages ManagerTeamID, a regional team with sub-teams.
	ManagerID, ManagerEmail, ManagerTeamID string
	// RepID is a rep of one of those sub-teams.
	RepID, RepEmail string
	// Password logs in every seeded user.
	Password string
	// LeadIDs are some of RepID's leads.
	LeadIDs []string
	// Counts holds rows written per table.
	Counts  map[string]int64
	Elapsed time.Duration
}

// ErrNotEmpty is returned when the database already holds business data.
var ErrNotEmpty = errors.New("seed: the database already holds data; seed only a freshly migrated database")

// Full-size counts (scale 1).
const (
	fullReps      = 200
	fullLeads     = 1_000_000
	fullCustomers = 300_000
	fullOpps      = 1_000_000
	fullActs      = 5_000_000
	fullOrders    = 500_000
	fullProducts  = 500
	historyDays   = 3*365 + 1
)

// Table tags inside generated ids.
const (
	tagTeam byte = iota + 1
	tagUser
	tagProduct
	tagCustomer
	tagContact
	tagLead
	tagOpp
	tagEntry
	tagAct
	tagOrder
	tagItem
	tagContract
	tagPlan
	tagPayment
	tagAlloc
	tagOrderRand // rng stream only
	tagOppLine
	tagTarget
	tagCommission
)

// Scale generates the data set into d, which must be migrated and hold no
// business data yet (the bootstrap admin is expected and kept).
func Scale(ctx context.Context, d *db.DB, o Options) (Summary, error) {
	begin := time.Now()
	if !(o.Scale > 0) || o.Scale > 100 {
		return Summary{}, fmt.Errorf("seed: scale must be a number in (0, 100], got %v", o.Scale)
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	if o.RandomSeed == 0 {
		o.RandomSeed = DefaultRandomSeed
	}
	if o.Now.IsZero() {
		o.Now = time.Now().Truncate(time.Hour)
	}
	o.Now = o.Now.UTC().Truncate(time.Microsecond)
	if o.BcryptCost == 0 {
		o.BcryptCost = 10
	}
	if err := checkEmpty(ctx, d); err != nil {
		return Summary{}, err
	}
	printed := o.Password == ""
	if printed {
		o.Password = "Seed-" + secret.Token(12)
	}
	hash, err := secret.HashPassword(o.Password, o.BcryptCost)
	if err != nil {
		return Summary{}, err
	}
	g, err := newGen(ctx, d, o)
	if err != nil {
		return Summary{}, err
	}
	g.hash = hash
	sk, err := newSink(d)
	if err != nil {
		return Summary{}, err
	}
	fmt.Fprintf(o.Out, "seeding %s at scale %g (random seed %d): %d reps, %d leads, %d customers, %d opportunities, %d activities, %d orders\n",
		d.Dialect(), o.Scale, o.RandomSeed, g.n.reps, g.n.leads, g.n.customers, g.n.opps, g.n.acts, g.n.orders)
	start := time.Now()
	g.prepare()
	fmt.Fprintf(o.Out, "  %-26s %10s      %8.1fs\n", "(planning)", "", time.Since(start).Seconds())
	sum := Summary{Counts: map[string]int64{}, Password: o.Password, AdminID: g.adminID}
	var total int64
	for _, t := range g.tables() {
		start := time.Now()
		n, err := sk.write(ctx, t.name, t.cols, t.gen)
		if err != nil {
			return sum, fmt.Errorf("seed %s: %w", t.name, err)
		}
		el := time.Since(start)
		sum.Counts[t.name] += n
		total += n
		fmt.Fprintf(o.Out, "  %-26s %10d rows %8.1fs %10.0f rows/s\n", t.name, n, el.Seconds(), float64(n)/math.Max(el.Seconds(), 1e-6))
	}
	start = time.Now()
	if err := sk.analyze(ctx); err != nil {
		return sum, fmt.Errorf("seed analyze: %w", err)
	}
	fmt.Fprintf(o.Out, "  %-26s %10s      %8.1fs\n", "VACUUM ANALYZE", "", time.Since(start).Seconds())
	sum.ManagerID, sum.ManagerEmail, sum.ManagerTeamID = g.userID(0), g.users[0].email, g.teamID(0)
	sum.RepID, sum.RepEmail = g.userID(g.summaryRep), g.users[g.summaryRep].email
	sum.LeadIDs = g.repLeads
	sum.Elapsed = time.Since(begin)
	fmt.Fprintf(o.Out, "done: %d rows in %d tables in %.1fs (%.0f rows/s)\n", total, len(sum.Counts),
		sum.Elapsed.Seconds(), float64(total)/sum.Elapsed.Seconds())
	fmt.Fprintf(o.Out, "  admin kept; %d teams, %d managers (e.g. %s), %d reps (e.g. %s)\n",
		len(g.teams), len(g.teams), sum.ManagerEmail, g.n.reps, sum.RepEmail)
	if printed {
		fmt.Fprintf(o.Out, "  every seeded user logs in with the password %s (shown only now)\n", o.Password)
	}
	return sum, nil
}

// checkEmpty refuses a database that already holds business data: seeded
// rows beside real ones would mislead, and the generated numbers and ids
// assume nothing is there yet.
func checkEmpty(ctx context.Context, d *db.DB) error {
	for _, q := range []string{
		"SELECT COUNT(*) FROM (SELECT 1 FROM leads LIMIT 1) x",
		"SELECT COUNT(*) FROM (SELECT 1 FROM customers LIMIT 1) x",
		"SELECT COUNT(*) FROM (SELECT 1 FROM opportunities LIMIT 1) x",
		"SELECT COUNT(*) FROM (SELECT 1 FROM orders LIMIT 1) x",
		"SELECT COUNT(*) FROM (SELECT 1 FROM contracts LIMIT 1) x",
		"SELECT COUNT(*) FROM (SELECT 1 FROM doc_sequences LIMIT 1) x",
		"SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE email LIKE '%@seed.example.com' LIMIT 1) x",
	} {
		var n int64
		if err := d.Conn(ctx).Raw(q).Scan(&n).Error; err != nil {
			return fmt.Errorf("seed: check empty: %w", err)
		}
		if n > 0 {
			return ErrNotEmpty
		}
	}
	return nil
}
