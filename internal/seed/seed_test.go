package seed_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/docnum"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/pricing"
	"github.com/opencrm/crm/internal/seed"
	"github.com/shopspring/decimal"
	"gorm.io/gorm"
)

func TestMain(m *testing.M) { apptest.Main(m) }

const scale = 0.0005

// now is fixed so two runs with one seed can be compared row for row.
var now = time.Date(2026, 11, 26, 7, 30, 0, 0, time.UTC)

func count(t *testing.T, g *gorm.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := g.Raw(q, args...).Scan(&n).Error; err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// owned is true when customer c belongs to the user in col, or did until
// the recycling rule returned it to the pool.
func owned(col string) string {
	return "(c.owner_id = " + col + " OR (c.owner_id IS NULL AND EXISTS (SELECT 1 FROM customer_ownership_events e " +
		"WHERE e.customer_id = c.id AND e.action = 'recycle' AND e.from_user_id = " + col + ")))"
}

func TestScale(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		ctx := context.Background()
		var out bytes.Buffer
		sum, err := seed.Scale(ctx, env.App.DB, seed.Options{Scale: scale, RandomSeed: 7, Out: &out, Now: now, BcryptCost: 4})
		if err != nil {
			t.Fatalf("seed: %v\n%s", err, out.String())
		}
		g := env.App.DB.Conn(ctx)

		t.Run("counts follow the scale and the summary", func(t *testing.T) {
			want := map[string]int64{"leads": 500, "customers": 150, "opportunities": 500, "activities": 2500, "orders": 250}
			for table, n := range want {
				if got := count(t, g, "SELECT COUNT(*) FROM "+table); got != n || sum.Counts[table] != n {
					t.Errorf("%s: %d rows, summary %d, want %d (scale %g)", table, got, sum.Counts[table], n, scale)
				}
			}
			for table, n := range sum.Counts {
				if got := count(t, g, "SELECT COUNT(*) FROM "+table); table != "users" && got != n {
					t.Errorf("%s: %d rows, summary says %d", table, got, n)
				}
			}
			// The bootstrap admin stays; 4 teams with a manager each, 4 reps.
			if got := count(t, g, "SELECT COUNT(*) FROM users"); got != 1+4+4 {
				t.Errorf("users = %d", got)
			}
			if c := sum.Counts["contacts"]; c < 150 || c > 300 {
				t.Errorf("contacts = %d, want 1-2 per customer", c)
			}
			if got := count(t, g, "SELECT COUNT(*) FROM opportunity_stage_entries"); got < 500 {
				t.Errorf("stage entries = %d", got)
			}
			text := out.String()
			for table := range sum.Counts {
				if !regexp.MustCompile(`(?m)^  ` + table + ` +\d+ rows +[\d.]+s +\d+ rows/s$`).MatchString(text) {
					t.Errorf("no progress line for %s in\n%s", table, text)
				}
			}
			if !strings.Contains(text, "done: ") || strings.Count(text, sum.Password) != 1 {
				t.Errorf("want a summary and the password exactly once:\n%s", text)
			}
		})

		t.Run("references resolve and owners sit in teams", func(t *testing.T) {
			orphans := map[string]string{
				"lead owner":          "SELECT COUNT(*) FROM leads l WHERE owner_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = l.owner_id AND u.role = 'rep' AND u.team_id IS NOT NULL)",
				"lead customer":       "SELECT COUNT(*) FROM leads l WHERE customer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = l.customer_id AND " + owned("l.owner_id") + ")",
				"lead contact":        "SELECT COUNT(*) FROM leads l WHERE contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = l.contact_id AND c.customer_id = l.customer_id)",
				"customer owner":      "SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = c.owner_id AND u.role = 'rep' AND u.team_id IS NOT NULL) AND NOT (c.owner_id IS NULL AND c.owned_since IS NULL AND NOT c.locked AND EXISTS (SELECT 1 FROM customer_ownership_events e JOIN users u ON u.id = e.from_user_id WHERE e.customer_id = c.id AND e.action = 'recycle' AND e.to_user_id IS NULL))",
				"contact customer":    "SELECT COUNT(*) FROM contacts x WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = x.customer_id)",
				"opp customer":        "SELECT COUNT(*) FROM opportunities o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id AND " + owned("o.owner_id") + ")",
				"opp contact":         "SELECT COUNT(*) FROM opportunities o WHERE contact_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = o.contact_id AND c.customer_id = o.customer_id)",
				"opp stage":           "SELECT COUNT(*) FROM opportunities o WHERE NOT EXISTS (SELECT 1 FROM pipeline_stages s WHERE s.id = o.stage_id AND s.pipeline_id = o.pipeline_id)",
				"opp current entry":   "SELECT COUNT(*) FROM opportunities o WHERE NOT EXISTS (SELECT 1 FROM opportunity_stage_entries e WHERE e.id = o.stage_entry_id AND e.opportunity_id = o.id AND e.stage_id = o.stage_id AND e.left_at IS NULL AND e.entered_at = o.stage_entered_at)",
				"entry opp":           "SELECT COUNT(*) FROM opportunity_stage_entries e WHERE NOT EXISTS (SELECT 1 FROM opportunities o WHERE o.id = e.opportunity_id)",
				"activity owner":      "SELECT COUNT(*) FROM activities a WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = a.owner_id AND u.team_id IS NOT NULL)",
				"activity lead":       "SELECT COUNT(*) FROM activities a WHERE related_type = 'lead' AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = a.related_id AND l.owner_id = a.owner_id)",
				"activity customer":   "SELECT COUNT(*) FROM activities a WHERE related_type = 'customer' AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = a.related_id AND " + owned("a.owner_id") + ")",
				"activity contact":    "SELECT COUNT(*) FROM activities a WHERE related_type = 'contact' AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = a.related_id)",
				"activity opp":        "SELECT COUNT(*) FROM activities a WHERE related_type = 'opportunity' AND NOT EXISTS (SELECT 1 FROM opportunities o WHERE o.id = a.related_id AND o.owner_id = a.owner_id)",
				"activity type":       "SELECT COUNT(*) FROM activities WHERE related_type NOT IN ('lead','customer','contact','opportunity') OR type NOT IN ('call','visit','meeting','demo','email','task')",
				"order customer":      "SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = o.customer_id AND " + owned("o.owner_id") + ")",
				"order opp":           "SELECT COUNT(*) FROM orders o WHERE opportunity_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM opportunities p WHERE p.id = o.opportunity_id AND p.status = 'won' AND p.customer_id = o.customer_id)",
				"order contract":      "SELECT COUNT(*) FROM orders o WHERE contract_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM contracts c WHERE c.id = o.contract_id AND c.order_id = o.id)",
				"item order":          "SELECT COUNT(*) FROM document_items i WHERE doc_type <> 'order' OR NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = i.doc_id)",
				"item product":        "SELECT COUNT(*) FROM document_items i WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.id = i.product_id AND p.price = i.unit_price)",
				"contract customer":   "SELECT COUNT(*) FROM contracts c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = c.order_id AND o.contract_id = c.id AND o.customer_id = c.customer_id AND o.owner_id = c.owner_id)",
				"plan contract":       "SELECT COUNT(*) FROM payment_plans p WHERE NOT EXISTS (SELECT 1 FROM contracts c WHERE c.id = p.contract_id)",
				"payment contract":    "SELECT COUNT(*) FROM payments p WHERE NOT EXISTS (SELECT 1 FROM contracts c WHERE c.id = p.contract_id AND c.customer_id = p.customer_id AND c.owner_id = p.owner_id)",
				"payment plan":        "SELECT COUNT(*) FROM payments p WHERE NOT EXISTS (SELECT 1 FROM payment_plans x WHERE x.id = p.payment_plan_id AND x.contract_id = p.contract_id)",
				"allocation":          "SELECT COUNT(*) FROM payment_allocations a WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = a.payment_id AND p.payment_plan_id = a.payment_plan_id AND p.amount = a.amount)",
				"user team":           "SELECT COUNT(*) FROM users u WHERE u.email LIKE '%@seed.example.com' AND NOT EXISTS (SELECT 1 FROM teams t WHERE t.id = u.team_id)",
				"team without leader": "SELECT COUNT(*) FROM teams t WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.team_id = t.id AND u.role = 'manager')",
				"opp stage mask":      "SELECT COUNT(*) FROM opportunities o WHERE o.reached_stages <> COALESCE((SELECT SUM(DISTINCT CAST(1 AS BIGINT) << b.bit) FROM opportunity_stage_entries e JOIN pipeline_stage_bits b ON b.stage_id = e.stage_id AND b.pipeline_id = o.pipeline_id WHERE e.opportunity_id = o.id AND b.bit < 63), 0)",
				"opp line":            "SELECT COUNT(*) FROM opportunities o WHERE NOT EXISTS (SELECT 1 FROM opportunity_products l JOIN products p ON p.id = l.product_id WHERE l.opportunity_id = o.id AND l.line_total = o.amount)",
				"target subject":      "SELECT COUNT(*) FROM targets t WHERE NOT EXISTS (SELECT 1 FROM users u WHERE t.subject_type = 'user' AND u.id = t.subject_id AND u.role = 'rep') AND NOT EXISTS (SELECT 1 FROM teams x WHERE t.subject_type = 'team' AND x.id = t.subject_id AND x.parent_id IS NULL)",
				"plan subject":        "SELECT COUNT(*) FROM commission_plan_subjects s WHERE NOT EXISTS (SELECT 1 FROM commission_plans p WHERE p.id = s.plan_id) OR NOT EXISTS (SELECT 1 FROM users u WHERE s.subject_type = 'user' AND u.id = s.subject_id) AND NOT EXISTS (SELECT 1 FROM teams x WHERE s.subject_type = 'team' AND x.id = s.subject_id)",
			}
			for name, q := range orphans {
				if n := count(t, g, q); n != 0 {
					t.Errorf("%s: %d rows break it", name, n)
				}
			}
			if n := count(t, g, "SELECT COUNT(*) FROM teams WHERE parent_id IS NOT NULL"); n == 0 {
				t.Error("want regional teams with sub-teams")
			}
		})

		t.Run("states and amounts agree", func(t *testing.T) {
			nowQ := now.Add(time.Second)
			bad := map[string]string{
				"won/lost closed":    "SELECT COUNT(*) FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id WHERE (o.status IN ('won','lost')) <> (o.closed_at IS NOT NULL) OR s.kind <> o.status",
				"closed in future":   "SELECT COUNT(*) FROM opportunities WHERE closed_at > ? OR created_at > ?",
				"deleted":            "SELECT (SELECT COUNT(*) FROM leads WHERE deleted_at IS NOT NULL) + (SELECT COUNT(*) FROM customers WHERE deleted_at IS NOT NULL) + (SELECT COUNT(*) FROM opportunities WHERE deleted_at IS NOT NULL) + (SELECT COUNT(*) FROM contacts WHERE deleted_at IS NOT NULL)",
				"versions":           "SELECT (SELECT COUNT(*) FROM leads WHERE version < 1) + (SELECT COUNT(*) FROM orders WHERE version < 1) + (SELECT COUNT(*) FROM contracts WHERE version < 1)",
				"activity done_at":   "SELECT COUNT(*) FROM activities WHERE (status = 'done') <> (done_at IS NOT NULL) OR (status = 'cancelled') <> (cancelled_at IS NOT NULL) OR done_at > ?",
				"lead statuses":      "SELECT COUNT(*) FROM leads WHERE status NOT IN ('new','assigned','contacted','qualified','disqualified','converted') OR (status = 'converted') <> (customer_id IS NOT NULL) OR (status <> 'new' AND owner_id IS NULL)",
				"order approved":     "SELECT COUNT(*) FROM orders WHERE (status IN ('approved','shipped','delivered','completed')) <> (approved_at IS NOT NULL) OR (contract_id IS NOT NULL) <> (approved_at IS NOT NULL) OR approved_at > ?",
				"contract over plan": "SELECT COUNT(*) FROM contracts c WHERE c.amount < (SELECT COALESCE(SUM(amount), 0) FROM payment_plans p WHERE p.contract_id = c.id)",
				"contract received":  "SELECT COUNT(*) FROM contracts c WHERE c.received_amount <> (SELECT COALESCE(SUM(amount), 0) FROM payments p WHERE p.contract_id = c.id AND p.status = 'received') OR c.received_amount > c.amount",
				"plan received":      "SELECT COUNT(*) FROM payment_plans p WHERE p.received <> (SELECT COALESCE(SUM(amount), 0) FROM payment_allocations a WHERE a.payment_plan_id = p.id) OR p.received > p.amount",
				"unsigned paid":      "SELECT COUNT(*) FROM payments p JOIN contracts c ON c.id = p.contract_id WHERE c.status NOT IN ('signed','executing','completed') OR p.received_at < c.signed_at OR p.received_at > ?",
				"customer lifecycle": "SELECT COUNT(*) FROM customers c WHERE (c.lifecycle_stage = 'active') <> EXISTS (SELECT 1 FROM contracts x WHERE x.customer_id = c.id)",
			}
			for name, q := range bad {
				var args []any
				for i := 0; i < strings.Count(q, "?"); i++ {
					args = append(args, nowQ)
				}
				if n := count(t, g, q, args...); n != 0 {
					t.Errorf("%s: %d rows break it", name, n)
				}
			}
			// Every status occurs: the reports and filters have something to show.
			for _, q := range []string{
				"SELECT COUNT(DISTINCT status) FROM opportunities", "SELECT COUNT(DISTINCT status) FROM activities",
				"SELECT COUNT(DISTINCT payment_status) FROM orders",
			} {
				if n := count(t, g, q); n != 3 {
					t.Errorf("%s = %d, want 3", q, n)
				}
			}
			if n := count(t, g, "SELECT COUNT(*) FROM opportunities WHERE status = 'open' AND expected_close_date > ?",
				now.Format("2006-01-02")); n == 0 {
				t.Error("no open opportunity expected to close in the coming months (forecast)")
			}

			// Order totals are the pricing of their lines, and payment_status
			// follows what the contract has received.
			type item struct {
				DocID, Quantity, DiscountPercent, TaxRate   string
				UnitPrice, Gross, Discount, Net, Tax, Total int64
			}
			var items []item
			if err := g.Raw("SELECT doc_id, quantity, discount_percent, tax_rate, unit_price, gross, discount, net, tax, total FROM document_items").
				Scan(&items).Error; err != nil {
				t.Fatal(err)
			}
			sums := map[string]pricing.Totals{}
			for _, it := range items {
				want := pricing.Compute(pricing.Line{Quantity: decimal.RequireFromString(it.Quantity),
					UnitPrice: money.Amount(it.UnitPrice), DiscountPercent: decimal.RequireFromString(it.DiscountPercent),
					TaxRate: decimal.RequireFromString(it.TaxRate)})
				got := pricing.LineTotals{Gross: money.Amount(it.Gross), Discount: money.Amount(it.Discount),
					Net: money.Amount(it.Net), Tax: money.Amount(it.Tax), Total: money.Amount(it.Total)}
				if got != want {
					t.Fatalf("line of %s: %+v, pricing says %+v", it.DocID, got, want)
				}
				s := sums[it.DocID]
				s.Subtotal, s.DiscountTotal, s.TaxTotal, s.Total = s.Subtotal+want.Gross, s.DiscountTotal+want.Discount,
					s.TaxTotal+want.Tax, s.Total+want.Total
				sums[it.DocID] = s
			}
			type ord struct {
				ID, PaymentStatus                        string
				Subtotal, DiscountTotal, TaxTotal, Total int64
				Received                                 *int64
			}
			var orders []ord
			if err := g.Raw(`SELECT o.id, o.payment_status, o.subtotal, o.discount_total, o.tax_total, o.total,
(SELECT SUM(p.amount) FROM payments p WHERE p.contract_id = o.contract_id AND p.status = 'received') AS received
FROM orders o`).Scan(&orders).Error; err != nil {
				t.Fatal(err)
			}
			for _, o := range orders {
				s := sums[o.ID]
				if s.Subtotal != money.Amount(o.Subtotal) || s.DiscountTotal != money.Amount(o.DiscountTotal) ||
					s.TaxTotal != money.Amount(o.TaxTotal) || s.Total != money.Amount(o.Total) {
					t.Errorf("order %s totals %+v, lines sum to %+v", o.ID, o, s)
				}
				var rec int64
				if o.Received != nil {
					rec = *o.Received
				}
				want := "unpaid"
				if rec >= o.Total {
					want = "paid"
				} else if rec > 0 {
					want = "partially_paid"
				}
				if o.PaymentStatus != want {
					t.Errorf("order %s: payment_status %s, received %d of %d", o.ID, o.PaymentStatus, rec, o.Total)
				}
			}
		})

		t.Run("follow-ups and the recycling rules are in their steady state", func(t *testing.T) {
			type act struct {
				RelatedType, RelatedID string
				DoneAt                 *time.Time
			}
			var acts []act
			if err := g.Raw("SELECT related_type, related_id, done_at FROM activities WHERE status = 'done'").Scan(&acts).Error; err != nil {
				t.Fatal(err)
			}
			contactOf := map[string]string{}
			var contacts []struct{ ID, CustomerID string }
			g.Raw("SELECT id, customer_id FROM contacts").Scan(&contacts)
			for _, c := range contacts {
				contactOf[c.ID] = c.CustomerID
			}
			// The brute force: what logging each done activity would have left.
			last := map[string]time.Time{}
			for _, a := range acts {
				key := a.RelatedType + "/" + a.RelatedID
				if a.RelatedType == "contact" {
					key = "customer/" + contactOf[a.RelatedID]
				}
				if a.DoneAt.After(last[key]) {
					last[key] = *a.DoneAt
				}
			}
			check := func(kind, q string) {
				var rows []struct {
					ID     string
					Last   *time.Time
					Status string
				}
				if err := g.Raw(q).Scan(&rows).Error; err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					want, ok := last[kind+"/"+r.ID]
					if ok != (r.Last != nil) || (ok && !want.Equal(*r.Last)) {
						t.Fatalf("%s %s: last follow-up %v, activities say %v", kind, r.ID, r.Last, want)
					}
					if ok && (r.Status == "new" || r.Status == "assigned") {
						t.Errorf("lead %s followed up but still %s", r.ID, r.Status)
					}
				}
			}
			check("lead", "SELECT id, last_followed_at AS last, status FROM leads")
			check("customer", "SELECT id, last_followed_at AS last, '' AS status FROM customers")
			check("opportunity", "SELECT id, last_activity_at AS last, '' AS status FROM opportunities")

			// Owned customers are not due for recycling under the settings;
			// those in the pool were due when the history ends.
			vals, err := env.App.Settings.Current(ctx)
			if err != nil {
				t.Fatal(err)
			}
			noFollow, noDeal := vals.PoolRecycleNoFollowup.Std(), vals.PoolRecycleNoDeal.Std()
			var custs []struct {
				ID             string
				OwnerID        *string
				Locked         bool
				CreatedAt      time.Time
				OwnedSince     *time.Time
				LastFollowedAt *time.Time
				Contracts      int
			}
			if err := g.Raw(`SELECT id, owner_id, locked, created_at, owned_since, last_followed_at,
(SELECT COUNT(*) FROM contracts x WHERE x.customer_id = customers.id) AS contracts FROM customers`).Scan(&custs).Error; err != nil {
				t.Fatal(err)
			}
			pool, soon := 0, 0
			checked := time.Now()
			for _, c := range custs {
				since := c.CreatedAt
				if c.OwnedSince != nil {
					since = *c.OwnedSince
				}
				idle := since
				if c.LastFollowedAt != nil && c.LastFollowedAt.After(idle) {
					idle = *c.LastFollowedAt
				}
				deadline := idle.Add(noFollow)
				if d := since.Add(noDeal); d.Before(deadline) {
					deadline = d
				}
				switch {
				case c.OwnerID == nil:
					pool++
					if c.Contracts > 0 || now.Before(deadline) {
						t.Errorf("customer %s is in the pool but has %d contracts or is not due (%v)", c.ID, c.Contracts, deadline)
					}
				case c.Locked != (c.Contracts > 0):
					t.Errorf("customer %s: locked %v with %d contracts", c.ID, c.Locked, c.Contracts)
				case !c.Locked && !now.Before(deadline):
					t.Errorf("customer %s owned but due for recycling since %v", c.ID, deadline)
				case !c.Locked && !checked.Before(deadline):
					soon++ // came due between the seed and now
				}
			}
			if pool == 0 || pool == len(custs) {
				t.Errorf("%d of %d customers in the pool", pool, len(custs))
			}
			res, err := env.App.Customer.RecycleSweep(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.Details["recycled"] > soon {
				t.Errorf("the recycling sweep returned %d customers to the pool right after seeding", res.Details["recycled"])
			}
		})

		t.Run("business numbers are unique and continue in the counters", func(t *testing.T) {
			re := regexp.MustCompile(`^(SO|HT)-(\d{8})-(\d{4,})$`)
			maxSeen := map[string]int{}
			for _, table := range []string{"orders", "contracts"} {
				var nums []string
				if err := g.Raw("SELECT number FROM " + table).Scan(&nums).Error; err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				for _, n := range nums {
					m := re.FindStringSubmatch(n)
					if m == nil || seen[n] {
						t.Fatalf("%s number %q malformed or repeated", table, n)
					}
					seen[n] = true
					var k int
					fmt.Sscan(m[3], &k)
					key := m[1] + "/" + m[2]
					maxSeen[key] = max(maxSeen[key], k)
				}
			}
			var seqs []struct {
				Prefix, Day string
				Counter     int
			}
			if err := g.Raw("SELECT prefix, day, counter FROM doc_sequences").Scan(&seqs).Error; err != nil {
				t.Fatal(err)
			}
			if len(seqs) != len(maxSeen) {
				t.Errorf("%d counters for %d (prefix, day) pairs", len(seqs), len(maxSeen))
			}
			latest := map[string]string{}
			for _, s := range seqs {
				if maxSeen[s.Prefix+"/"+s.Day] != s.Counter {
					t.Errorf("counter %s %s = %d, highest number %d", s.Prefix, s.Day, s.Counter, maxSeen[s.Prefix+"/"+s.Day])
				}
				latest[s.Prefix] = max(latest[s.Prefix], s.Day)
			}
			// The app's own generator, on the busiest recent days, hands out
			// numbers the seed has not used.
			loc, _ := time.LoadLocation("Asia/Shanghai")
			for prefix, table := range map[string]string{"SO": "orders", "HT": "contracts"} {
				day, err := time.ParseInLocation("20060102", latest[prefix], loc)
				if err != nil {
					t.Fatalf("%s: no counter: %v", prefix, err)
				}
				n, err := docnum.New(env.App.DB).Next(ctx, prefix, day.Add(12*time.Hour), loc)
				if err != nil {
					t.Fatal(err)
				}
				if c := count(t, g, "SELECT COUNT(*) FROM "+table+" WHERE number = ?", n); c != 0 || !strings.HasPrefix(n, prefix+"-"+latest[prefix]) {
					t.Errorf("next %s number %s collides (%d) or is off", prefix, n, c)
				}
			}
		})

		t.Run("a second run is refused", func(t *testing.T) {
			_, err := seed.Scale(ctx, env.App.DB, seed.Options{Scale: scale, Now: now, BcryptCost: 4})
			if !errors.Is(err, seed.ErrNotEmpty) {
				t.Fatalf("second run: %v, want ErrNotEmpty", err)
			}
		})

		if b == apptest.Embedded {
			t.Run("the same seed gives the same rows", func(t *testing.T) {
				env2 := apptest.New(t, b)
				if _, err := seed.Scale(ctx, env2.App.DB, seed.Options{Scale: scale, RandomSeed: 7, Now: now, BcryptCost: 4}); err != nil {
					t.Fatal(err)
				}
				digest := func(g *gorm.DB) string {
					var rows []string
					g.Raw(`SELECT id || name || company || status FROM leads ORDER BY id`).Scan(&rows)
					var amounts []int64
					g.Raw(`SELECT amount FROM opportunities ORDER BY id`).Scan(&amounts)
					var totals []int64
					g.Raw(`SELECT total FROM orders ORDER BY id`).Scan(&totals)
					return fmt.Sprint(rows, amounts, totals)
				}
				if a, b := digest(g), digest(env2.App.DB.Conn(ctx)); a != b || len(a) < 100 {
					t.Error("two runs with one seed differ")
				}
			})
		}

		t.Run("the API serves the seeded data in scope", func(t *testing.T) {
			rep := env.Login(sum.RepEmail, sum.Password)
			var seen []string
			cursor := ""
			for {
				var page struct {
					Data []struct {
						ID      string  `json:"id"`
						OwnerID *string `json:"owner_id"`
					} `json:"data"`
					NextCursor string `json:"next_cursor"`
					HasMore    bool   `json:"has_more"`
				}
				rep.Get("/leads?limit=200&cursor=" + cursor).Status(http.StatusOK).Decode(&page)
				for _, l := range page.Data {
					if l.OwnerID == nil || *l.OwnerID != sum.RepID {
						t.Fatalf("rep sees lead %s of %v", l.ID, l.OwnerID)
					}
					seen = append(seen, l.ID)
				}
				if !page.HasMore {
					break
				}
				cursor = page.NextCursor
			}
			own := count(t, g, "SELECT COUNT(*) FROM leads WHERE owner_id = ? AND deleted_at IS NULL", sum.RepID)
			if int64(len(seen)) != own || own == 0 {
				t.Errorf("rep lists %d leads, owns %d", len(seen), own)
			}
			if len(sum.LeadIDs) == 0 {
				t.Error("summary has no lead ids")
			}
			for _, id := range sum.LeadIDs[:min(3, len(sum.LeadIDs))] {
				rep.Get("/leads/" + id).Status(http.StatusOK)
			}

			// A regional manager's performance report: won_amount over the
			// subtree equals the plain sum over the seeded rows.
			mgr := env.Login(sum.ManagerEmail, sum.Password)
			loc, _ := time.LoadLocation("Asia/Shanghai")
			year := now.In(loc).Year()
			var rep2 struct {
				Data []struct {
					UserID    *string `json:"user_id"`
					WonAmount string  `json:"won_amount"`
				} `json:"data"`
			}
			mgr.Get(fmt.Sprintf("/reports/performance?period=%d", year)).Status(http.StatusOK).Decode(&rep2)
			var got int64
			for _, r := range rep2.Data {
				a, err := money.Parse(r.WonAmount)
				if err != nil {
					t.Fatalf("won_amount %q: %v", r.WonAmount, err)
				}
				got += int64(a)
			}
			from := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
			want := count(t, g, `SELECT COALESCE(SUM(o.amount), 0) FROM opportunities o JOIN users u ON u.id = o.owner_id
JOIN teams t ON t.id = u.team_id WHERE o.status = 'won' AND o.closed_at >= ? AND o.closed_at < ? AND (t.id = ? OR t.parent_id = ?)`,
				from.UTC(), from.AddDate(1, 0, 0).UTC(), sum.ManagerTeamID, sum.ManagerTeamID)
			if got != want || want == 0 {
				t.Errorf("manager's won_amount %d, brute force %d", got, want)
			}

			// Seeded targets and commission plans reach the reports: the
			// rep has this month's won_amount target, and over the year a
			// commission on what they collected.
			var perf struct {
				Data []struct {
					Targets struct {
						WonAmount *string `json:"won_amount"`
					} `json:"targets"`
				} `json:"data"`
			}
			rep.Get("/reports/performance?period=" + now.In(loc).Format("2006-01")).Status(http.StatusOK).Decode(&perf)
			if len(perf.Data) != 1 || perf.Data[0].Targets.WonAmount == nil {
				t.Errorf("rep's performance has no won_amount target: %+v", perf.Data)
			}
			var com struct {
				Data []struct {
					Commission string `json:"commission"`
				} `json:"data"`
			}
			rep.Get(fmt.Sprintf("/reports/commissions?period=%d", year)).Status(http.StatusOK).Decode(&com)
			if len(com.Data) != 1 || com.Data[0].Commission == "0.00" || com.Data[0].Commission == "" {
				t.Errorf("rep's commission over %d: %+v", year, com.Data)
			}

			// New documents continue after the seeded numbers.
			var cust string
			if err := g.Raw("SELECT id FROM customers WHERE owner_id = ? LIMIT 1", sum.RepID).Scan(&cust).Error; err != nil {
				t.Fatal(err)
			}
			body := map[string]any{"customer_id": cust, "items": []map[string]any{{"name": "调试服务", "quantity": "1", "unit_price": "1000.00"}}}
			var q, o struct {
				Number string `json:"number"`
			}
			rep.Post("/quotes", body).Status(http.StatusCreated).Decode(&q)
			rep.Post("/orders", body).Status(http.StatusCreated).Decode(&o)
			for _, c := range []struct{ table, number string }{{"quotes", q.Number}, {"orders", o.Number}} {
				if n := count(t, g, "SELECT COUNT(*) FROM "+c.table+" WHERE number = ?", c.number); n != 1 || c.number == "" {
					t.Errorf("new %s number %q appears %d times", c.table, c.number, n)
				}
			}
		})

	})
}
