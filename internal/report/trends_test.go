package report_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/activity"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/contract"
	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/payment"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/product"
	"github.com/opencrm/crm/internal/salesdoc"
	"gorm.io/gorm"
)

// trEvent is one seeded record as the brute force sees it: the metric it
// feeds (only records whose state counts are kept), whose, when, how much,
// the region of its customer and, by product, what it adds there.
type trEvent struct {
	metric   string
	owner    string
	at       time.Time
	amount   int64
	region   string
	products map[string]int64
	cid      string // new_customers: the customer
}

// trWorld is three teams (华东 with 上海 below it, and 华北), a manager of
// 华东, a rep in each team, two products, customers in two regions and one
// without, and records of every metric around month and quarter edges of
// Asia/Shanghai in 2026.
type trWorld struct {
	env                    *apptest.Env
	g                      *gorm.DB
	east, shanghai, north  string
	mgr, repSH, repE, repN *apptest.User
	products               []string
	productNames           map[string]string
	custs                  map[string]string // region → customer
	contacts               map[string]string // region → contact of that customer
	events                 []trEvent
	n                      int
}

var trRegions = []string{"华东", "华北", ""}

var trShanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// trLocal is a local time in Shanghai.
func trLocal(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, trShanghai).UTC()
}

// trEdges are the seeded instants: each side of the local midnights
// opening 15 Aug, Q4 (1 Oct), December and 11 December, and mid-November.
var trEdges = []time.Time{
	trLocal(2026, 8, 14, 23, 59, 59), trLocal(2026, 8, 15, 0, 0, 0),
	trLocal(2026, 9, 30, 23, 59, 59), trLocal(2026, 10, 1, 0, 0, 0),
	trLocal(2026, 11, 15, 12, 0, 0),
	trLocal(2026, 11, 30, 23, 59, 59), trLocal(2026, 12, 1, 0, 0, 0),
	trLocal(2026, 12, 10, 23, 59, 59), trLocal(2026, 12, 11, 0, 0, 0),
}

func (w *trWorld) create(v any) {
	w.env.T.Helper()
	if err := w.g.Create(v).Error; err != nil {
		w.env.T.Fatalf("seed %T: %v", v, err)
	}
}

func (w *trWorld) customer(owner, region string, at time.Time) string {
	w.n++
	id := uuid.NewString()
	w.create(&customer.Customer{ID: id, Name: fmt.Sprintf("趋势客户 %d", w.n), OwnerID: &owner, Region: region,
		LifecycleStage: "prospect", CreatedBy: owner, CreatedAt: at, UpdatedAt: at, Version: 1})
	return id
}

func newTrWorld(t *testing.T, b apptest.Backend) *trWorld {
	env := apptest.New(t, b)
	w := &trWorld{env: env, g: env.App.DB.Conn(context.Background()), productNames: map[string]string{},
		custs: map[string]string{}, contacts: map[string]string{}}
	w.east = env.Team("华东", "")
	w.shanghai = env.Team("上海", w.east)
	w.north = env.Team("华北", "")
	w.mgr = env.User("manager", w.east)
	w.repSH, w.repE, w.repN = env.User("rep", w.shanghai), env.User("rep", w.east), env.User("rep", w.north)
	old := trLocal(2020, 1, 1, 10, 0, 0)
	for i, name := range []string{"工业网关", "=SUM(A1)"} {
		id := uuid.NewString()
		w.create(&product.Product{ID: id, SKU: "TR-" + id[:8], SKUKey: "tr-" + id[:8], Name: name, Unit: "台",
			Price: money.Amount(1000_00 * (i + 1)), Currency: "CNY", Active: true, CreatedBy: w.mgr.ID,
			CreatedAt: old, UpdatedAt: old, Version: 1})
		w.products = append(w.products, id)
		w.productNames[id] = name
	}
	for _, r := range trRegions {
		w.custs[r] = w.customer(w.repN.ID, r, old)
		w.contacts[r] = uuid.NewString()
		w.create(&customer.Contact{ID: w.contacts[r], CustomerID: w.custs[r], Name: "联系人", CreatedBy: w.repN.ID,
			CreatedAt: old, UpdatedAt: old, Version: 1})
		w.events = append(w.events, trEvent{metric: "new_customers", owner: w.repN.ID, at: old, amount: 1, region: r,
			cid: w.custs[r]})
	}
	for ui, u := range []*apptest.User{w.mgr, w.repSH, w.repE, w.repN} {
		for ei, at := range trEdges {
			for mi, m := range metrics {
				if (ui+ei+mi)%3 == 0 {
					continue
				}
				w.seed(m, u.ID, at, trRegions[(ui+ei+mi)%3], ui, ei)
			}
		}
	}
	// A customer new in October and again (converted) in November: one
	// customer in each month's bucket, once in the quarter's total.
	twice := w.customer(w.repE.ID, "华东", trLocal(2026, 10, 20, 9, 0, 0))
	conv := trLocal(2026, 11, 3, 9, 0, 0)
	w.create(&lead.Lead{ID: uuid.NewString(), Name: "线索", Company: "公司", Status: lead.StatusConverted,
		OwnerID: &w.repE.ID, CustomerID: &twice, ConvertedAt: &conv, CreatedBy: w.repE.ID,
		CreatedAt: conv, UpdatedAt: conv, Version: 1})
	w.events = append(w.events,
		trEvent{metric: "new_customers", owner: w.repE.ID, at: trLocal(2026, 10, 20, 9, 0, 0), amount: 1, region: "华东", cid: twice},
		trEvent{metric: "new_customers", owner: w.repE.ID, at: conv, amount: 1, region: "华东", cid: twice})
	return w
}

// seed writes one record of metric that counts (and, at one edge, one
// that does not) and notes what counts.
func (w *trWorld) seed(metric, owner string, at time.Time, region string, ui, ei int) {
	w.n++
	id, now := uuid.NewString(), time.Now().UTC()
	amount := int64((ui+1)*10_000_00 + ei*1_234 + w.n)
	cust := w.custs[region]
	ev := trEvent{metric: metric, owner: owner, at: at, amount: amount, region: region, products: map[string]int64{}}
	switch metric {
	case "won_amount":
		w.create(&opportunity.Opportunity{ID: id, Name: "趋势商机", CustomerID: cust, PipelineID: uuid.NewString(),
			StageID: uuid.NewString(), Amount: money.Amount(amount), Currency: "CNY", OwnerID: owner,
			Status: opportunity.KindWon, StageEnteredAt: at, ClosedAt: &at, CreatedBy: owner, CreatedAt: at,
			UpdatedAt: now, Version: 1})
		// Lines: the first product on most, the second on some, none on
		// the rest.
		for pi, p := range w.products {
			if (ei+pi)%3 == 2 {
				continue
			}
			total := int64(500_00 + 17*ei + 100*pi)
			w.create(&opportunity.Line{ID: uuid.NewString(), OpportunityID: id, ProductID: p, Position: pi + 1,
				Quantity: "1", UnitPrice: money.Amount(total), DiscountPercent: "0", LineTotal: money.Amount(total)})
			ev.products[p] += total
		}
		if ei == 4 {
			lost := uuid.NewString()
			w.create(&opportunity.Opportunity{ID: lost, Name: "输单", CustomerID: cust, PipelineID: uuid.NewString(),
				StageID: uuid.NewString(), Amount: 999_00, Currency: "CNY", OwnerID: owner, Status: opportunity.KindLost,
				StageEnteredAt: at, ClosedAt: &at, CreatedBy: owner, CreatedAt: at, UpdatedAt: now, Version: 1})
		}
	case "received_amount":
		ct := &contract.Contract{ID: uuid.NewString(), Number: "HT-" + id[:13], CustomerID: cust, OwnerID: owner,
			Title: "合同", Amount: money.Amount(amount * 2), Currency: "CNY", StartDate: "2026-01-01",
			EndDate: "2027-12-31", Status: contract.Signed, CreatedBy: owner, CreatedAt: now, UpdatedAt: now, Version: 1}
		w.create(ct)
		p := &payment.Payment{ID: id, ContractID: ct.ID, CustomerID: cust, OwnerID: owner, Amount: money.Amount(amount),
			Currency: "CNY", ReceivedAt: at, Method: "bank_transfer", Status: payment.Received, CreatedBy: owner,
			CreatedAt: now, UpdatedAt: now, Version: 1}
		w.create(p)
		if ei == 4 {
			p.ID, p.Status, p.VoidedAt, p.VoidReason = uuid.NewString(), payment.Voided, &now, "退回"
			w.create(p)
		}
	case "orders_count":
		ev.amount = 1
		o := &order.Order{ID: id, Number: "SO-" + strings.ReplaceAll(id, "-", "")[:26], CustomerID: cust,
			Currency: "CNY", Status: order.StatusApproved, PaymentStatus: order.PaymentUnpaid, OwnerID: owner,
			CreatedBy: owner, ApprovedAt: &at, CreatedAt: now, UpdatedAt: now, Version: 1}
		w.create(o)
		// The first product twice on some orders (counted once), the
		// second on others, none on the rest.
		items := map[int][]int{0: {0, 0}, 1: {1}, 2: {0, 1}}[ei%4]
		for pos, pi := range items {
			p := w.products[pi]
			w.create(&salesdoc.Item{ID: uuid.NewString(), DocType: "order", DocID: id, Position: pos + 1, ProductID: &p,
				Name: w.productNames[p], Quantity: "1", UnitPrice: 100_00, DiscountPercent: "0", TaxRate: "0",
				Gross: 100_00, Net: 100_00, Total: 100_00})
			ev.products[p] = 1
		}
		if ei == 4 {
			o.ID, o.Number, o.Status, o.ApprovedAt = uuid.NewString(), o.Number[:20]+"X", order.StatusSubmitted, nil
			w.create(o)
		}
	case "activities_count":
		ev.amount = 1
		a := &activity.Activity{ID: id, Type: "visit", Subject: "拜访", OwnerID: owner, Status: activity.StatusDone,
			StartAt: at, DoneAt: &at, CreatedAt: now, UpdatedAt: now, Version: 1}
		// The region is the related customer's: directly, through a
		// contact or an opportunity; a lead has none.
		switch ei % 4 {
		case 0:
			a.RelatedType, a.RelatedID = "customer", cust
		case 1:
			a.RelatedType, a.RelatedID = "contact", w.contacts[region]
		case 2:
			opp := uuid.NewString()
			w.create(&opportunity.Opportunity{ID: opp, Name: "跟进商机", CustomerID: cust, PipelineID: uuid.NewString(),
				StageID: uuid.NewString(), Amount: 1, Currency: "CNY", OwnerID: owner, Status: opportunity.KindOpen,
				StageEnteredAt: at, CreatedBy: owner, CreatedAt: at, UpdatedAt: now, Version: 1})
			a.RelatedType, a.RelatedID = "opportunity", opp
		case 3:
			a.RelatedType, a.RelatedID, ev.region = "lead", uuid.NewString(), ""
		}
		w.create(a)
		if ei == 4 {
			a.ID, a.Status, a.DoneAt = uuid.NewString(), activity.StatusPlanned, nil
			w.create(a)
		}
	case "new_customers":
		ev.amount = 1
		if ei%2 == 0 {
			ev.cid = w.customer(owner, region, at)
		} else {
			// An older customer a lead was converted into at this edge.
			ev.cid = w.customer(owner, region, trLocal(2020, 6, 1, 0, 0, 0))
			w.create(&lead.Lead{ID: uuid.NewString(), Name: "线索", Company: "公司", Status: lead.StatusConverted,
				OwnerID: &owner, CustomerID: &ev.cid, ConvertedAt: &at, CreatedBy: owner, CreatedAt: at,
				UpdatedAt: now, Version: 1})
			w.events = append(w.events, trEvent{metric: metric, owner: owner, at: trLocal(2020, 6, 1, 0, 0, 0),
				amount: 1, region: region, cid: ev.cid})
		}
		if ei == 4 {
			gone := w.customer(owner, region, at)
			if err := w.g.Delete(&customer.Customer{ID: gone}).Error; err != nil {
				w.env.T.Fatal(err)
			}
		}
	}
	w.events = append(w.events, ev)
}

type trSeries struct {
	Key    string   `json:"key"`
	Label  string   `json:"label"`
	Values []string `json:"values"`
	Total  string   `json:"total"`
}

type trReport struct {
	Range struct {
		Period *string   `json:"period"`
		From   time.Time `json:"from"`
		To     time.Time `json:"to"`
	} `json:"range"`
	Metric   string `json:"metric"`
	Interval string `json:"interval"`
	GroupBy  string `json:"group_by"`
	Limit    int    `json:"limit"`
	Buckets  []struct {
		Key  string    `json:"key"`
		From time.Time `json:"from"`
		To   time.Time `json:"to"`
	} `json:"buckets"`
	Series []trSeries `json:"series"`
}

// trBucket is an expected bucket.
type trBucket struct {
	key        string
	start, end time.Time
}

// trExpect is the brute force: per group key, the figure in each bucket
// and over all of them, over the events of owners the viewer sees.
func (w *trWorld) trExpect(metric, groupBy string, sees func(string) bool, bks []trBucket) (map[string][]int64, map[string]int64) {
	vals, totals := map[string][]int64{}, map[string]int64{}
	distinct := map[string]map[string]bool{} // group/bucket → customers
	for _, e := range w.events {
		if e.metric != metric || !sees(e.owner) || e.at.Before(bks[0].start) || !e.at.Before(bks[len(bks)-1].end) {
			continue
		}
		add := map[string]int64{}
		switch groupBy {
		case "none":
			add["total"] = e.amount
		case "user":
			add[e.owner] = e.amount
		case "region":
			add[e.region] = e.amount
		case "product":
			add = e.products
		}
		for k, n := range add {
			if vals[k] == nil {
				vals[k] = make([]int64, len(bks))
			}
			for i, b := range bks {
				if e.at.Before(b.start) || !e.at.Before(b.end) {
					continue
				}
				if metric != "new_customers" {
					vals[k][i] += n
					totals[k] += n
					continue
				}
				for _, set := range []string{fmt.Sprint(k, "/", i), k + "/all"} {
					if distinct[set] == nil {
						distinct[set] = map[string]bool{}
					}
					if !distinct[set][e.cid] {
						distinct[set][e.cid] = true
						if strings.HasSuffix(set, "/all") {
							totals[k]++
						} else {
							vals[k][i]++
						}
					}
				}
			}
		}
	}
	return vals, totals
}

func (w *trWorld) trends(c *apptest.Client, query string) trReport {
	w.env.T.Helper()
	var out trReport
	c.Get("/reports/trends?" + query).Status(http.StatusOK).Decode(&out)
	return out
}

// trCheck compares a report with the brute force: the buckets, every
// group with records as a series, values and totals, the order by total
// and the labels.
func (w *trWorld) trCheck(t *testing.T, r trReport, metric, groupBy string, sees func(string) bool, bks []trBucket) {
	t.Helper()
	if len(r.Buckets) != len(bks) {
		t.Fatalf("%s/%s buckets %+v, want %+v", metric, groupBy, r.Buckets, bks)
	}
	for i, b := range bks {
		if got := r.Buckets[i]; got.Key != b.key || !got.From.Equal(b.start) || !got.To.Equal(b.end) {
			t.Errorf("bucket %d = %+v, want %+v", i, got, b)
		}
	}
	vals, totals := w.trExpect(metric, groupBy, sees, bks)
	if len(r.Series) != len(vals) {
		t.Errorf("%s/%s: %d series, want %d (%v)", metric, groupBy, len(r.Series), len(vals), totals)
	}
	for i, s := range r.Series {
		want, ok := vals[s.Key]
		if !ok {
			t.Errorf("%s/%s: unexpected series %q", metric, groupBy, s.Key)
			continue
		}
		for j, n := range want {
			if s.Values[j] != format(metric, n) {
				t.Errorf("%s/%s %q %s = %s, want %s", metric, groupBy, s.Key, bks[j].key, s.Values[j], format(metric, n))
			}
		}
		if s.Total != format(metric, totals[s.Key]) {
			t.Errorf("%s/%s %q total %s, want %s", metric, groupBy, s.Key, s.Total, format(metric, totals[s.Key]))
		}
		if i > 0 && totals[r.Series[i-1].Key] < totals[s.Key] {
			t.Errorf("%s/%s: series not by total: %q before %q", metric, groupBy, r.Series[i-1].Key, s.Key)
		}
		wantLabel := s.Key
		switch {
		case groupBy == "none":
			wantLabel = "Total"
		case groupBy == "product":
			wantLabel = w.productNames[s.Key]
		case groupBy == "region" && s.Key == "":
			wantLabel = "(none)"
		case groupBy == "user":
			wantLabel = s.Label // names are checked against the performance report
		}
		if s.Label != wantLabel {
			t.Errorf("%s/%s %q label %q, want %q", metric, groupBy, s.Key, s.Label, wantLabel)
		}
	}
}

func trMonths(year int, from, to time.Month) []trBucket {
	var out []trBucket
	for m := from; m <= to; m++ {
		out = append(out, trBucket{fmt.Sprintf("%d-%02d", year, m), trLocal(year, m, 1, 0, 0, 0),
			trLocal(year, m+1, 1, 0, 0, 0)})
	}
	return out
}

func TestTrendsMatchBruteForce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newTrWorld(t, b)
		all := func(string) bool { return true }
		east := func(o string) bool { return o == w.mgr.ID || o == w.repSH.ID || o == w.repE.ID }
		year := trMonths(2026, 1, 12)
		// 15 Aug to 10 Dec by quarter: both ends clipped.
		quarters := []trBucket{{"2026-Q3", trLocal(2026, 8, 15, 0, 0, 0), trLocal(2026, 10, 1, 0, 0, 0)},
			{"2026-Q4", trLocal(2026, 10, 1, 0, 0, 0), trLocal(2026, 12, 11, 0, 0, 0)}}
		groupings := map[string][]string{
			"won_amount": {"none", "user", "region", "product"}, "orders_count": {"none", "user", "region", "product"},
			"received_amount": {"none", "user", "region"}, "new_customers": {"none", "user", "region"},
			"activities_count": {"none", "user", "region"},
		}
		for _, m := range metrics {
			for _, g := range groupings[m] {
				t.Run(m+"/"+g, func(t *testing.T) {
					r := w.trends(w.env.Admin, "period=2026&metric="+m+"&group_by="+g)
					if r.Metric != m || r.GroupBy != g || r.Interval != "month" || r.Limit != 20 || *r.Range.Period != "2026" {
						t.Errorf("echo %+v", r)
					}
					w.trCheck(t, r, m, g, all, year)
					if len(r.Series) == 0 {
						t.Errorf("no series: the seed misses %s by %s", m, g)
					}
					q := w.trends(w.env.Admin, "from=2026-08-15&to=2026-12-10&interval=quarter&metric="+m+"&group_by="+g)
					w.trCheck(t, q, m, g, all, quarters)
					// A manager sees their subtree only, never 华北.
					mq := w.trends(w.mgr.Client, "from=2026-08-15&to=2026-12-10&interval=quarter&metric="+m+"&group_by="+g)
					w.trCheck(t, mq, m, g, east, quarters)
				})
			}
		}

		t.Run("scope", func(t *testing.T) {
			rep := w.trends(w.repSH.Client, "period=2026-Q4&metric=won_amount&group_by=user")
			w.trCheck(t, rep, "won_amount", "user", func(o string) bool { return o == w.repSH.ID }, trMonths(2026, 10, 12))
			if len(rep.Series) != 1 || rep.Series[0].Key != w.repSH.ID {
				t.Errorf("rep sees %+v", rep.Series)
			}
			sh := w.trends(w.mgr.Client, "period=2026-Q4&metric=received_amount&group_by=region&team_id="+w.shanghai)
			w.trCheck(t, sh, "received_amount", "region", func(o string) bool { return o == w.repSH.ID }, trMonths(2026, 10, 12))
			one := w.trends(w.mgr.Client, "period=2026-Q4&metric=orders_count&user_id="+w.repE.ID)
			w.trCheck(t, one, "orders_count", "none", func(o string) bool { return o == w.repE.ID }, trMonths(2026, 10, 12))
			for _, tt := range []struct {
				c            *apptest.Client
				query, field string
			}{
				{w.mgr.Client, "team_id=" + w.north, "team_id"},
				{w.mgr.Client, "user_id=" + w.repN.ID, "user_id"},
				{w.repSH.Client, "user_id=" + w.repE.ID, "user_id"},
				{w.repSH.Client, "team_id=" + w.east, "team_id"},
				{w.env.Admin, "metric=revenue", "metric"},
				{w.env.Admin, "interval=week", "interval"},
				{w.env.Admin, "group_by=customer", "group_by"},
				{w.env.Admin, "group_by=product&metric=received_amount", "group_by"},
				{w.env.Admin, "group_by=product&metric=new_customers", "group_by"},
				{w.env.Admin, "group_by=product&metric=activities_count", "group_by"},
				{w.env.Admin, "limit=0", "limit"},
				{w.env.Admin, "limit=101", "limit"},
				{w.env.Admin, "limit=ten", "limit"},
				{w.env.Admin, "period=2026-13", "period"},
				{w.env.Admin, "period=2026&from=2026-01-01&to=2026-02-01", "period"},
				{w.env.Admin, "from=2026-11-30&to=2026-11-01", "to"},
				{w.env.Admin, "from=2020-01-01&to=2026-11-01", "to"},
				{w.env.Admin, "from=2026-11-01", "to"},
				{w.env.Admin, "period=2026&format=pdf", "format"},
			} {
				p := tt.c.Get("/reports/trends?" + tt.query).Status(http.StatusUnprocessableEntity).Problem()
				if !p.HasField(tt.field) {
					t.Errorf("%s: %+v", tt.query, p)
				}
			}
		})

		t.Run("per-user totals equal the performance report", func(t *testing.T) {
			for _, c := range []*apptest.Client{w.env.Admin, w.mgr.Client} {
				for _, period := range []string{"2026-Q4", "2026-11"} {
					perf := map[string]perfRow{}
					var pr perfReport
					c.Get("/reports/performance?period=" + period).Status(http.StatusOK).Decode(&pr)
					for _, r := range pr.Data {
						perf[*r.UserID] = r
					}
					for _, m := range metrics {
						r := w.trends(c, "period="+period+"&metric="+m+"&group_by=user")
						seen := map[string]bool{}
						for _, s := range r.Series {
							p, ok := perf[s.Key]
							if !ok || s.Total != p.value(m) || s.Label != p.Name {
								t.Errorf("%s %s %s: trends %+v, performance %+v", period, m, s.Key, s, p)
							}
							seen[s.Key] = true
						}
						for id, p := range perf {
							if !seen[id] && p.value(m) != format(m, 0) {
								t.Errorf("%s %s: %s missing from trends (performance %s)", period, m, id, p.value(m))
							}
						}
					}
				}
			}
		})

		t.Run("limit and other", func(t *testing.T) {
			full := w.trends(w.env.Admin, "period=2026&metric=won_amount&group_by=user")
			cut := w.trends(w.env.Admin, "period=2026&metric=won_amount&group_by=user&limit=1")
			if len(full.Series) < 3 || len(cut.Series) != 2 || cut.Series[0].Key != full.Series[0].Key ||
				cut.Series[1].Key != "other" || cut.Series[1].Label != "Other" || cut.Limit != 1 {
				t.Fatalf("cut %+v\nfull %+v", cut.Series, full.Series)
			}
			for j := range cut.Buckets {
				var n int64
				for _, s := range full.Series[1:] {
					n += mustAmount(t, s.Values[j])
				}
				if cut.Series[1].Values[j] != money.Amount(n).String() {
					t.Errorf("other %s = %s, want %s", cut.Buckets[j].Key, cut.Series[1].Values[j], money.Amount(n))
				}
			}
		})

		t.Run("default range", func(t *testing.T) {
			r := w.trends(w.env.Admin, "metric=activities_count")
			now := time.Now().In(trShanghai)
			cur := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, trShanghai)
			if len(r.Buckets) != 12 || r.Buckets[11].Key != cur.Format("2006-01") ||
				r.Buckets[0].Key != cur.AddDate(0, -11, 0).Format("2006-01") || r.Range.Period != nil ||
				!r.Range.To.Equal(cur.AddDate(0, 1, 0)) {
				t.Errorf("default range %+v %+v", r.Range, r.Buckets)
			}
			var bks []trBucket
			for _, b := range r.Buckets {
				bks = append(bks, trBucket{b.Key, b.From, b.To})
			}
			w.trCheck(t, r, "activities_count", "none", all, bks)
		})

		t.Run("csv and xlsx", func(t *testing.T) {
			path := "/reports/trends?period=2026&metric=won_amount&group_by=product"
			recs := csvRows(t, w.env.Admin.Get(path+"&format=csv").Status(http.StatusOK))
			// A row per bucket; a column per series headed by its label,
			// guarded against formulas.
			if len(recs) != 13 || recs[1][0] != "2026-01" ||
				!slices.Equal(sorted(recs[0]...), sorted("bucket", "工业网关", "'=SUM(A1)")) {
				t.Errorf("csv %v", recs)
			}
			matchWorkbook(t, w.env.Admin, path, true)
			matchWorkbook(t, w.env.Admin, "/reports/trends?period=2026&metric=orders_count&group_by=region", true)
			// Without any series: a bucket column and no chart.
			matchWorkbook(t, w.env.Admin, "/reports/trends?period=2019&metric=orders_count", false)
		})
	})
}
