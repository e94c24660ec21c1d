package seed

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/settings"
	crmteam "github.com/opencrm/crm/internal/team"
	"github.com/shopspring/decimal"
)

type sizes struct {
	reps, leads, customers, opps, acts, orders, products int
}

func scaled(full int, scale float64, least int) int {
	return max(int(math.Round(float64(full)*scale)), least)
}

type team struct {
	name   string
	parent int // -1 for a regional team
}

type user struct {
	email, name, role string
	team              int
	star              bool
}

type stage struct {
	id, name, kind string
	// bit is the stage's bit in opportunities.reached_stages (migration
	// v0019's pipeline_stage_bits), 0 for none.
	bit int64
}

// stageBit is the mask bit of a stage's bit number (0 for none or past 62,
// as v0019's triggers count them).
func stageBit(b *int) int64 {
	if b == nil || *b < 0 || *b >= 63 {
		return 0
	}
	return 1 << *b
}

// gen holds the organisation and the per-record facts other tables need
// (owner and creation time of parents), computed once in prepare.
type gen struct {
	o       Options
	n       sizes
	tl      *timeline
	hash    string
	adminID string

	teams      []team
	users      []user // managers first (one per team, same index), then reps
	nSubTeams  int
	repCum     []float64 // cumulative owner weights over reps
	summaryRep int       // index into users

	pipelineID string
	open       []stage
	wonStage   stage
	lostStage  stage

	provCum []float64

	// per customer
	custOwner   []int32 // index into users
	custCreated []time.Time
	custName    []string
	custActive  []bool
	custConv    []int32 // customer -> converted lead, -1 none
	leadConv    []int32 // lead -> customer, -1 none
	leadOwner   []int32 // -1 unowned
	// last done activity (unix µs, 0 none): last_followed_at of leads and
	// customers (a contact's activity follows its customer up), and
	// last_activity_at of opportunities
	leadLast, custLast, oppLast []int64
	// the recycling rules of the settings: a customer they would already
	// have returned to the pool is seeded in the pool
	noFollow, noDeal time.Duration
	// per opportunity
	oppCust []int32
	won     []int32 // won opportunity indexes, in order
	// per order: the day counters give business numbers
	orderSeq, contractSeq []int32
	seqRows               []seqRow
	repLeads              []string
}

type seqRow struct {
	prefix, day string
	counter     int64
}

func newGen(ctx context.Context, d *db.DB, o Options) (*gen, error) {
	g := &gen{o: o}
	s := o.Scale
	g.n = sizes{
		reps:      scaled(fullReps, s, 4),
		leads:     scaled(fullLeads, s, 20),
		customers: scaled(fullCustomers, s, 10),
		opps:      scaled(fullOpps, s, 20),
		acts:      scaled(fullActs, s, 50),
		orders:    scaled(fullOrders, s, 10),
		products:  min(scaled(fullProducts, s, 20), fullProducts),
	}
	conn := d.Conn(ctx)
	vals, err := settings.NewService(d, nil).Current(ctx)
	if err != nil {
		return nil, err
	}
	if g.o.Location == nil {
		g.o.Location = vals.Timezone.Location()
	}
	g.noFollow, g.noDeal = vals.PoolRecycleNoFollowup.Std(), vals.PoolRecycleNoDeal.Std()
	g.tl = newTimeline(g.o.Now, g.o.Location, historyDays)
	if err := conn.Raw("SELECT id FROM users WHERE role = ? ORDER BY created_at, id LIMIT 1", "admin").Scan(&g.adminID).Error; err != nil {
		return nil, fmt.Errorf("seed: find admin: %w", err)
	}
	if g.adminID == "" {
		return nil, fmt.Errorf("seed: no admin user; run migrate and start the server once (bootstrap) first")
	}
	if err := conn.Raw("SELECT id FROM pipelines WHERE is_default = ? ORDER BY created_at LIMIT 1", true).Scan(&g.pipelineID).Error; err != nil || g.pipelineID == "" {
		return nil, fmt.Errorf("seed: no default pipeline: %v", err)
	}
	var stages []struct {
		ID, Name, Kind string
		Bit            *int
	}
	if err := conn.Raw("SELECT s.id, s.name, s.kind, b.bit FROM pipeline_stages s "+
		"LEFT JOIN pipeline_stage_bits b ON b.stage_id = s.id AND b.pipeline_id = s.pipeline_id "+
		"WHERE s.pipeline_id = ? ORDER BY s.position", g.pipelineID).Scan(&stages).Error; err != nil {
		return nil, fmt.Errorf("seed: stages: %w", err)
	}
	for _, st := range stages {
		switch st.Kind {
		case "open":
			g.open = append(g.open, stage{st.ID, st.Name, st.Kind, stageBit(st.Bit)})
		case "won":
			g.wonStage = stage{st.ID, st.Name, st.Kind, stageBit(st.Bit)}
		case "lost":
			g.lostStage = stage{st.ID, st.Name, st.Kind, stageBit(st.Bit)}
		}
	}
	if len(g.open) == 0 || g.wonStage.id == "" || g.lostStage.id == "" {
		return nil, fmt.Errorf("seed: the default pipeline needs open, won and lost stages")
	}
	g.buildOrg()
	sum := 0.0
	for _, p := range provinces {
		sum += float64(p.weight)
		g.provCum = append(g.provCum, sum)
	}
	return g, nil
}

// buildOrg lays out regional teams with sub-teams, a manager per team and
// the reps spread over the sub-teams; one rep in ten is a star who wins
// more, bigger deals and gets more of the business.
func (g *gen) buildOrg() {
	regions, subs := 4, 4
	if g.n.reps < 40 {
		regions, subs = 2, 1
	}
	for r := 0; r < regions; r++ {
		g.teams = append(g.teams, team{name: teamRegions[r].name, parent: -1})
	}
	for r := 0; r < regions; r++ {
		for s := 0; s < subs; s++ {
			g.teams = append(g.teams, team{name: fmt.Sprintf("%s%d组", teamRegions[r].sub, s+1), parent: r})
		}
	}
	g.nSubTeams = regions * subs
	for t := range g.teams {
		r := newRNG(g.o.RandomSeed, tagUser, t)
		g.users = append(g.users, user{email: fmt.Sprintf("manager%02d@seed.example.com", t+1), name: personName(&r),
			role: "manager", team: t})
	}
	sum := 0.0
	for i := 0; i < g.n.reps; i++ {
		r := newRNG(g.o.RandomSeed, tagUser, 1000+i)
		u := user{email: fmt.Sprintf("rep%03d@seed.example.com", i+1), name: personName(&r), role: "rep",
			team: regions + i%g.nSubTeams, star: i%10 == 3}
		g.users = append(g.users, u)
		w := 1.0
		if u.star {
			w = 3
		}
		sum += w
		g.repCum = append(g.repCum, sum)
	}
	// A rep in the first sub-team of the first region, under manager 0.
	g.summaryRep = len(g.teams)
}

func (g *gen) teamID(i int) string { return makeID(tagTeam, i) }
func (g *gen) userID(i int) string { return makeID(tagUser, i) }
func (g *gen) pickRep(r *rng) int32 {
	return int32(len(g.teams) + r.weighted(g.repCum))
}

func personName(r *rng) string {
	// Squaring the draw favours the common surnames at the list's head.
	f := r.float()
	s := surnames[int(f*f*float64(len(surnames)))]
	n := pick(r, givenChars)
	if r.chance(0.7) {
		n += pick(r, givenChars)
	}
	return s + n
}

func mobile(r *rng) string {
	prefixes := []string{"139", "138", "137", "136", "135", "186", "158", "159", "151", "150", "133", "189"}
	return pick(r, prefixes) + fmt.Sprintf("%08d", r.intn(100_000_000))
}

func (g *gen) province(r *rng) province { return provinces[r.weighted(g.provCum)] }

func (g *gen) date(t time.Time) string { return t.In(g.o.Location).Format("2006-01-02") }

func (g *gen) day(t time.Time) string { return t.In(g.o.Location).Format("20060102") }

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// ---- customers ----

type custPlan struct {
	name, industry, region, address, phone, email, website, source string
	size, potential, level                                         string
	contacts                                                       int
}

func (g *gen) customer(c int) custPlan {
	r := newRNG(g.o.RandomSeed, tagCustomer, c)
	p := g.province(&r)
	city := pick(&r, p.cities)
	ind := industries[r.intn(len(industries))]
	brand := pick(&r, brandWords)
	name := city + brand + ind.word + pick(&r, companySuffixes)
	if p.name != city && r.chance(0.3) {
		name = p.name + name
	}
	cp := custPlan{name: name, industry: ind.name, region: p.name,
		address: fmt.Sprintf("%s市%s路%d号", city, pick(&r, brandWords), 1+r.intn(999)),
		phone:   fmt.Sprintf("0%d-%08d", 10+r.intn(890), r.intn(100_000_000)),
		source:  pick(&r, []string{"web_form", "phone", "import", "exhibition", "referral", "api", "manual", "other"}),
		size:    pick(&r, []string{"large", "medium", "medium", "small", "small", "small"}),
		level:   pick(&r, []string{"A", "B", "B", "C", "C", "C"}), potential: pick(&r, []string{"high", "medium", "low"}),
		contacts: 1 + r.intn(2)}
	if r.chance(0.6) {
		cp.email = fmt.Sprintf("info@c%d.example.com", c)
		cp.website = fmt.Sprintf("https://www.c%d.example.com", c)
	}
	return cp
}

// recycled says whether the settings' recycling rules (no follow-up for
// pool_recycle_no_followup, no deal for pool_recycle_no_deal, counted from
// when the owner got the customer) would already have returned customer c
// to the pool, when, and why: seeded that way, the data is what the
// recycling sweep leaves behind, and a server started on it does not
// recycle a large share of the customers at once. Customers with a
// contract are locked (exempt).
func (g *gen) recycled(c int) (time.Time, string, bool) {
	if g.custActive[c] {
		return time.Time{}, "", false
	}
	owned := g.custCreated[c]
	var (
		deadline time.Time
		reason   string
	)
	if g.noFollow > 0 {
		start := owned
		if t := g.custLast[c]; t != 0 && time.UnixMicro(t).After(start) {
			start = time.UnixMicro(t).UTC()
		}
		deadline, reason = start.Add(g.noFollow), "no follow-up for "+settings.Duration(g.noFollow).String()
	}
	if g.noDeal > 0 {
		if d := owned.Add(g.noDeal); reason == "" || d.Before(deadline) {
			deadline, reason = d, "no deal for "+settings.Duration(g.noDeal).String()
		}
	}
	if reason == "" || g.o.Now.Before(deadline) {
		return time.Time{}, "", false
	}
	return deadline, reason, true
}

// ---- leads ----

type leadPlan struct {
	name, company, title, phone, email, source, region, interest, status, reason string
	owner                                                                        int32 // -1: in the pool
	cust                                                                         int   // converted into, -1 none
	created, converted                                                           time.Time
}

// lead is lead j before activities: prepare records its owner, and the
// table pass moves a new or assigned lead with a done activity on to
// contacted, as logging a follow-up does.
func (g *gen) lead(j int) leadPlan {
	r := newRNG(g.o.RandomSeed, tagLead, j)
	l := leadPlan{created: g.tl.at(quantile(j, g.n.leads)), name: personName(&r), cust: -1}
	p := g.province(&r)
	l.region = p.name
	l.company = pick(&r, p.cities) + pick(&r, brandWords) + industries[r.intn(len(industries))].word + "有限公司"
	l.phone = mobile(&r)
	if r.chance(0.5) {
		l.email = fmt.Sprintf("l%d@lead%d.example.com", j, j%9973)
	}
	cat := productCategories[r.intn(len(productCategories))]
	l.interest = pick(&r, cat.items)
	l.source = pick(&r, []string{"web_form", "web_form", "phone", "import", "exhibition", "referral", "api", "manual", "other"})
	l.title = pick(&r, titles)
	l.owner = g.pickRep(&r)
	now := g.o.Now
	switch {
	case g.leadConv[j] >= 0:
		c := int(g.leadConv[j])
		l.status, l.company, l.cust = "converted", g.custName[c], c
		l.owner = g.custOwner[c]
		ca := g.custCreated[c]
		if ca.Before(l.created) {
			ca = l.created
		}
		l.converted = minTime(ca.Add(time.Hour), now)
	case now.Sub(l.created) < 7*24*time.Hour:
		l.status = pick(&r, []string{"new", "new", "assigned", "contacted"})
	default:
		l.status = pick(&r, []string{"contacted", "contacted", "qualified", "disqualified", "disqualified", "assigned", "new"})
	}
	if l.status == "disqualified" {
		l.reason = pick(&r, []string{"无预算", "联系不上", "非目标客户", "重复线索"})
	}
	if l.status == "new" && r.chance(0.5) {
		l.owner = -1 // waiting in the pool for routing
	}
	if g.leadLast != nil && g.leadLast[j] != 0 && (l.status == "new" || l.status == "assigned") {
		l.status = "contacted"
	}
	return l
}

// ---- opportunities ----

type oppPlan struct {
	cust     int
	created  time.Time
	amount   int64
	status   string
	closed   time.Time
	expected string
	path     []stage
	entered  []time.Time
	source   string
	lost     string
	product  string
	// productIdx is the catalogue item of the deal's product line.
	productIdx int
}

// winFactor: deals close as won more often at the year end, less around
// Chinese New Year.
func winFactor(m time.Month) float64 {
	switch m {
	case time.December:
		return 1.5
	case time.November:
		return 1.2
	case time.September, time.October:
		return 1.1
	case time.January:
		return 0.85
	case time.February:
		return 0.6
	}
	return 1
}

func (g *gen) opp(k int) oppPlan {
	r := newRNG(g.o.RandomSeed, tagOpp, k)
	u := quantile(k, g.n.opps)
	p := oppPlan{cust: before(&r, u, g.n.customers), created: g.tl.at(u)}
	if cc := g.custCreated[p.cust]; p.created.Before(cc) {
		p.created = cc.Add(time.Hour)
	}
	star := g.users[g.custOwner[p.cust]].star
	amt := r.logNormal(60_000, 1.1)
	if star {
		amt *= 1.3
	}
	amt = math.Min(math.Max(amt, 2_000), 20_000_000)
	p.amount = int64(math.Round(amt/100)) * 100 * 100 // whole hundreds of yuan, in fen
	p.source = pick(&r, []string{"web_form", "phone", "import", "exhibition", "referral", "api", "manual", "other"})
	ci := r.intn(len(productCategories))
	cat := productCategories[ci]
	p.product = pick(&r, cat.items)
	// The catalogue lays items out category by category (see product).
	p.productIdx = (ci + len(productCategories)*slices.Index(cat.items, p.product)) % g.n.products
	cycle := time.Duration(math.Min(math.Max(r.logNormal(40, 0.7), 3), 365) * float64(24*time.Hour))
	closeAt := p.created.Add(cycle)
	stale := r.chance(0.04)
	now := g.o.Now
	switch {
	case closeAt.Before(now) && !stale:
		p.closed = closeAt.Truncate(time.Microsecond)
		pw := 0.28 * winFactor(closeAt.In(g.o.Location).Month())
		if star {
			pw *= 1.5
		}
		p.expected = g.date(closeAt)
		if r.chance(math.Min(pw, 0.8)) {
			p.status = "won"
			p.path = append(append(p.path, g.open...), g.wonStage)
		} else {
			p.status = "lost"
			p.path = append(append(p.path, g.open[:1+r.intn(len(g.open))]...), g.lostStage)
			p.lost = pick(&r, lostReasons)
		}
	default:
		p.status = "open"
		w := []float64{0.35, 0.65, 0.85, 1}
		s := min(r.weighted(w), len(g.open)-1)
		p.path = append(p.path, g.open[:s+1]...)
		exp := closeAt
		if !exp.After(now) {
			exp = now.Add(time.Duration(1+r.intn(180)) * 24 * time.Hour)
		}
		p.expected = g.date(exp)
	}
	end := p.closed
	if p.status == "open" {
		end = p.created.Add(now.Sub(p.created) * 8 / 10)
	}
	m := len(p.path)
	for i := 0; i < m; i++ {
		t := p.created
		if m > 1 {
			t = p.created.Add(end.Sub(p.created) * time.Duration(i) / time.Duration(m-1))
		}
		p.entered = append(p.entered, t.Truncate(time.Microsecond))
	}
	return p
}

// ---- orders, contracts, payments ----

type line struct {
	product                         int
	qty, disc                       int64
	gross, discount, net, tax, tota int64
}

type instalment struct {
	due            time.Time
	amount, paid   int64
	paidAt         time.Time
	partialPayment bool
}

type orderPlan struct {
	cust, opp   int
	created     time.Time
	status      string
	submitted   time.Time
	approved    time.Time
	shipped     time.Time
	delivered   time.Time
	completed   time.Time
	cancelled   time.Time
	lines       []line
	subtotal    int64
	discTotal   int64
	taxTotal    int64
	total       int64
	contract    bool
	cCreated    time.Time
	signed      time.Time
	started     time.Time
	cCompleted  time.Time
	cStatus     string
	plans       []instalment
	received    int64
	lastPayment time.Time
}

func roundDiv(a, b int64) int64 { return (a + b/2) / b } // half up; a, b > 0

// productPrice is the list price in fen of catalogue item i.
func (g *gen) product(i int) (name, category, unit string, price, cost int64) {
	r := newRNG(g.o.RandomSeed, tagProduct, i)
	cat := productCategories[i%len(productCategories)]
	name = cat.items[(i/len(productCategories))%len(cat.items)]
	if v := i / (len(productCategories) * len(cat.items)); v > 0 {
		name += fmt.Sprintf(" %c%d", 'A'+rune(v%26), 100+v*10)
	}
	price = int64(math.Round(r.logNormal(float64(cat.price), 0.4))) * 100
	cost = price * int64(55+r.intn(25)) / 100
	return name, cat.name, cat.unit, price, cost
}

func (g *gen) order(o int) orderPlan {
	r := newRNG(g.o.RandomSeed, tagOrderRand, o)
	now := g.o.Now
	p := orderPlan{opp: -1}
	target := 0.0
	if j, ok := g.fromOpp(o); ok {
		k := int(g.won[j])
		op := g.opp(k)
		p.opp, p.cust = k, op.cust
		p.created = minTime(op.closed.Add(time.Duration(r.intn(72*60))*time.Minute), now.Add(-time.Minute))
		target = float64(op.amount)
	} else {
		u := quantile(o, g.n.orders)
		p.cust = before(&r, u, g.n.customers)
		p.created = g.tl.at(u)
		if cc := g.custCreated[p.cust]; p.created.Before(cc) {
			p.created = minTime(cc.Add(time.Hour), now.Add(-time.Minute))
		}
		target = r.logNormal(40_000, 1.0) * 100
	}
	p.created = p.created.Truncate(time.Microsecond)
	// Lines: one to four catalogue items, popular ones more often, sized
	// so the order lands near the deal amount.
	nl := 1 + r.weighted([]float64{0.45, 0.75, 0.92, 1})
	for i := 0; i < nl; i++ {
		f := r.float()
		pi := int(f * f * float64(g.n.products))
		_, _, _, price, _ := g.product(pi)
		share := target / float64(nl)
		qty := int64(math.Max(1, math.Min(math.Round(share/float64(price)), 500)))
		disc := []int64{0, 0, 0, 5, 10}[r.intn(5)]
		gross := qty * price
		net := roundDiv(gross*(100-disc), 100)
		tax := roundDiv(net*13, 100)
		p.lines = append(p.lines, line{product: pi, qty: qty, disc: disc, gross: gross, discount: gross - net,
			net: net, tax: tax, tota: net + tax})
		p.subtotal += gross
		p.discTotal += gross - net
		p.taxTotal += tax
		p.total += net + tax
	}
	age := now.Sub(p.created)
	day := 24 * time.Hour
	step := func(frac float64, cap time.Duration) time.Time {
		return p.created.Add(min(time.Duration(float64(age)*frac), cap)).Truncate(time.Microsecond)
	}
	switch {
	case age > 2*day && r.chance(0.04):
		p.status, p.submitted, p.cancelled = "cancelled", step(0.01, time.Hour), step(0.05, 2*day)
	case age < 2*day:
		p.status = pick(&r, []string{"draft", "submitted", "approved", "approved"})
	case age < 20*day:
		p.status = pick(&r, []string{"approved", "shipped", "shipped"})
	case age < 60*day:
		p.status = pick(&r, []string{"shipped", "delivered", "completed", "completed"})
	default:
		p.status = "completed"
		if r.chance(0.08) {
			p.status = "delivered"
		}
	}
	if p.status != "draft" && p.status != "cancelled" {
		p.submitted = step(0.01, time.Hour)
	}
	rank := map[string]int{"approved": 1, "shipped": 2, "delivered": 3, "completed": 4}[p.status]
	if rank >= 1 {
		p.approved = step(0.05, 2*day)
	}
	if rank >= 2 {
		p.shipped = step(0.2, 10*day)
	}
	if rank >= 3 {
		p.delivered = step(0.35, 20*day)
	}
	if rank >= 4 {
		p.completed = step(0.5, 45*day)
	}
	if rank == 0 {
		return p
	}
	// An approved order gets its contract, signed soon after.
	p.contract = true
	p.cCreated = step(0.06, 2*day+time.Hour)
	p.signed = step(0.08, 3*day)
	p.cStatus = "signed"
	shares := [][]int64{{100}, {30, 70}, {30, 60, 10}}[r.weighted([]float64{0.4, 0.8, 1})]
	left := p.total
	bad := r.chance(0.03) // stops paying after the first instalment
	stopped := false      // an instalment not fully paid holds back the later ones
	for i, sh := range shares {
		amt := p.total * sh / 100
		if i == len(shares)-1 {
			amt = left
		}
		left -= amt
		due := p.signed.Add(time.Duration([]int{0, 30, 90}[i]) * day)
		in := instalment{due: due, amount: amt}
		paidAt := due.Add(time.Duration(r.logNormal(5, 1.0) * float64(day))).Truncate(time.Microsecond)
		switch {
		case stopped || amt <= 0 || (bad && i > 0):
		case paidAt.Before(now):
			in.paid, in.paidAt = amt, paidAt
		case due.Before(now) && amt > 1 && r.chance(0.25):
			in.paid, in.paidAt, in.partialPayment = amt/2, due.Add(now.Sub(due)/2).Truncate(time.Microsecond), true
		}
		stopped = stopped || in.paid < amt
		p.plans = append(p.plans, in)
		p.received += in.paid
		if in.paid > 0 && in.paidAt.After(p.lastPayment) {
			p.lastPayment = in.paidAt
		}
	}
	if p.received > 0 || rank >= 2 {
		p.cStatus = "executing"
		p.started = minTime(p.signed.Add(time.Minute), now)
		if p.received > 0 && p.plans[0].paidAt.Before(p.started) {
			p.started = p.plans[0].paidAt
		}
	}
	if p.received == p.total && rank == 4 {
		p.cStatus = "completed"
		p.cCompleted = p.lastPayment
		if p.completed.After(p.cCompleted) {
			p.cCompleted = p.completed
		}
	}
	return p
}

// fromOpp says which won opportunity (index into g.won) order o comes
// from: three orders in five close a won deal, the rest are repeat orders.
func (g *gen) fromOpp(o int) (int, bool) {
	if o%5 >= 3 || len(g.won) == 0 {
		return 0, false
	}
	nFrom := (g.n.orders/5)*3 + min(g.n.orders%5, 3)
	j := (o/5)*3 + o%5
	if len(g.won) >= nFrom {
		return int(int64(j) * int64(len(g.won)) / int64(nFrom)), true
	}
	return j, j < len(g.won)
}

func paymentStatus(received, total int64) string {
	switch {
	case received >= total:
		return "paid"
	case received > 0:
		return "partially_paid"
	}
	return "unpaid"
}

// prepare computes what later tables need from earlier ones: customers'
// owners and times, lead conversions, won deals, and the business numbers
// of orders and contracts (per day, in index order).
func (g *gen) prepare() {
	n := g.n
	g.custOwner = make([]int32, n.customers)
	g.custCreated = make([]time.Time, n.customers)
	g.custName = make([]string, n.customers)
	g.custActive = make([]bool, n.customers)
	g.custConv = make([]int32, n.customers)
	g.leadConv = make([]int32, n.leads)
	g.leadOwner = make([]int32, n.leads)
	for j := range g.leadConv {
		g.leadConv[j] = -1
	}
	for c := 0; c < n.customers; c++ {
		r := newRNG(g.o.RandomSeed, tagCustomer+100, c)
		g.custOwner[c] = g.pickRep(&r)
		g.custCreated[c] = g.tl.at(quantile(c, n.customers))
		g.custName[c] = g.customer(c).name
		g.custConv[c] = -1
		// One customer in three came from a converted lead created at the
		// same point of the history.
		if c%3 == 0 {
			j := int(quantile(c, n.customers) * float64(n.leads))
			if j < n.leads && g.leadConv[j] < 0 {
				g.leadConv[j], g.custConv[c] = int32(c), int32(j)
			}
		}
	}
	for k := 0; k < n.opps; k++ {
		if g.opp(k).status == "won" {
			g.won = append(g.won, int32(k))
		}
	}
	g.oppCust = make([]int32, n.opps)
	for k := 0; k < n.opps; k++ {
		r := newRNG(g.o.RandomSeed, tagOpp, k)
		g.oppCust[k] = int32(before(&r, quantile(k, n.opps), n.customers))
	}
	for j := 0; j < n.leads; j++ {
		g.leadOwner[j] = g.lead(j).owner
	}
	g.orderSeq = make([]int32, n.orders)
	g.contractSeq = make([]int32, n.orders)
	so, ht := map[string]int32{}, map[string]int32{}
	for o := 0; o < n.orders; o++ {
		p := g.order(o)
		d := g.day(p.created)
		so[d]++
		g.orderSeq[o] = so[d]
		if p.contract {
			d := g.day(p.cCreated)
			ht[d]++
			g.contractSeq[o] = ht[d]
			g.custActive[p.cust] = true
		}
	}
	g.leadLast, g.custLast, g.oppLast = make([]int64, n.leads), make([]int64, n.customers), make([]int64, n.opps)
	later := func(xs []int64, i int, t time.Time) {
		if us := t.UnixMicro(); us > xs[i] {
			xs[i] = us
		}
	}
	for a := 0; a < n.acts; a++ {
		p := g.activity(a)
		if p.status != "done" {
			continue
		}
		switch p.relType {
		case "lead":
			later(g.leadLast, p.rel, p.done)
		case "opportunity":
			later(g.oppLast, p.rel, p.done)
		default:
			later(g.custLast, p.rel, p.done)
		}
	}
	for d, c := range so {
		g.seqRows = append(g.seqRows, seqRow{"SO", d, int64(c)})
	}
	for d, c := range ht {
		g.seqRows = append(g.seqRows, seqRow{"HT", d, int64(c)})
	}
}

type tableGen struct {
	name string
	cols []string
	gen  genFunc
}

func (g *gen) tables() []tableGen {
	created := g.tl.at(0).Add(-24 * time.Hour)
	hist := func(cols ...string) []string { return cols }
	return []tableGen{
		{"teams", hist("id", "name", "parent_id", "created_at", "updated_at", "version"), func(emit emitFunc) error {
			for i, t := range g.teams {
				var parent any
				if t.parent >= 0 {
					parent = g.teamID(t.parent)
				}
				if err := emit(g.teamID(i), t.name, parent, created, created, int64(1)); err != nil {
					return err
				}
			}
			return nil
		}},
		{"users", hist("id", "email", "name", "phone", "password_hash", "role", "team_id", "active", "created_at", "updated_at", "version"),
			func(emit emitFunc) error {
				for i, u := range g.users {
					r := newRNG(g.o.RandomSeed, tagUser, 5000+i)
					if err := emit(g.userID(i), u.email, u.name, mobile(&r), g.hash, u.role, g.teamID(u.team), true,
						created, created, int64(1)); err != nil {
						return err
					}
				}
				return nil
			}},
		{"products", hist("id", "sku", "sku_key", "name", "category", "unit", "price", "cost", "currency", "active",
			"created_by", "created_at", "updated_at", "version"), func(emit emitFunc) error {
			for i := 0; i < g.n.products; i++ {
				name, cat, unit, price, cost := g.product(i)
				sku := fmt.Sprintf("SKU-%05d", i+1)
				if err := emit(makeID(tagProduct, i), sku, "sku-"+fmt.Sprintf("%05d", i+1), name, cat, unit, price, cost,
					"CNY", true, g.adminID, created, created, int64(1)); err != nil {
					return err
				}
			}
			return nil
		}},
		{"customers", hist("id", "name", "industry", "size", "potential", "level", "region", "address", "phone", "email",
			"website", "source", "lifecycle_stage", "owner_id", "locked", "owned_since", "last_followed_at", "created_by",
			"created_at", "updated_at", "version", "phone_norm", "email_norm", "name_norm"), func(emit emitFunc) error {
			for c := 0; c < g.n.customers; c++ {
				p := g.customer(c)
				stage := "prospect"
				if g.custActive[c] {
					stage = "active"
				}
				k := dedupe.Keys(p.phone, p.email, p.name)
				at := g.custCreated[c]
				var owner, ownedSince, last any = g.userID(int(g.custOwner[c])), at, nil
				upd, version := at, int64(1)
				if t := g.custLast[c]; t != 0 {
					lt := time.UnixMicro(t).UTC()
					last, upd = lt, lt
				}
				if when, _, pooled := g.recycled(c); pooled {
					owner, ownedSince, version = nil, nil, 2
					if when.After(upd) {
						upd = when
					}
				}
				// A customer with a signed contract is locked to its owner
				// (key account), which keeps it out of recycling.
				if err := emit(makeID(tagCustomer, c), p.name, p.industry, p.size, p.potential, p.level, p.region,
					p.address, p.phone, p.email, p.website, p.source, stage, owner, g.custActive[c], ownedSince, last,
					g.userID(int(g.custOwner[c])), at, upd, version, k.Phone, k.Email, k.Company); err != nil {
					return err
				}
			}
			return nil
		}},
		{"customer_ownership_events", hist("id", "customer_id", "action", "from_user_id", "to_user_id", "reason",
			"actor_type", "actor_id", "created_at"), func(emit emitFunc) error {
			for c := 0; c < g.n.customers; c++ {
				if when, reason, pooled := g.recycled(c); pooled {
					if err := emit(makeID(tagCustomer+100, c), makeID(tagCustomer, c), "recycle",
						g.userID(int(g.custOwner[c])), nil, reason, "system", "system", when); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		{"contacts", hist("id", "customer_id", "name", "title", "phone", "mobile", "email", "decision_role",
			"created_by", "created_at", "updated_at", "version", "phone_norm", "mobile_norm", "email_norm"),
			func(emit emitFunc) error {
				for c := 0; c < g.n.customers; c++ {
					p := g.customer(c)
					r := newRNG(g.o.RandomSeed, tagContact, c)
					for j := 0; j < p.contacts; j++ {
						mob := mobile(&r)
						email := ""
						if r.chance(0.5) {
							email = fmt.Sprintf("p%d.%d@c%d.example.com", c, j, c)
						}
						role := []string{"decision_maker", "influencer", "evaluator", "user"}[min(j, 3)]
						k := dedupe.Keys(p.phone, email, "")
						at := g.custCreated[c]
						if err := emit(makeID(tagContact, c*4+j), makeID(tagCustomer, c), personName(&r), pick(&r, titles),
							p.phone, mob, email, role, g.userID(int(g.custOwner[c])), at, at, int64(1),
							k.Phone, dedupe.Phone(mob), k.Email); err != nil {
							return err
						}
					}
				}
				return nil
			}},
		{"leads", hist("id", "name", "company", "title", "phone", "email", "source", "region", "product_interest",
			"status", "owner_id", "created_by", "created_at", "updated_at", "version", "assigned_at", "disqualify_reason",
			"phone_norm", "email_norm", "company_norm", "customer_id", "contact_id", "converted_at", "converted_by",
			"last_followed_at"), func(emit emitFunc) error {
			for j := 0; j < g.n.leads; j++ {
				l := g.lead(j)
				var custID, contactID, convAt, ownerID, assignedAt, last any
				convBy := ""
				if l.cust >= 0 {
					custID, contactID = makeID(tagCustomer, l.cust), makeID(tagContact, l.cust*4)
					convAt, convBy = l.converted, g.userID(int(l.owner))
				}
				upd := l.created
				if t := g.leadLast[j]; t != 0 {
					lt := time.UnixMicro(t).UTC()
					last, upd = lt, lt
				}
				if l.owner >= 0 {
					ownerID, assignedAt = g.userID(int(l.owner)), l.created
					if int(l.owner) == g.summaryRep && len(g.repLeads) < 100 {
						g.repLeads = append(g.repLeads, makeID(tagLead, j))
					}
				}
				if !l.converted.IsZero() && l.converted.After(upd) {
					upd = l.converted
				}
				k := dedupe.Keys(l.phone, l.email, l.company)
				if err := emit(makeID(tagLead, j), l.name, l.company, l.title, l.phone, l.email, l.source, l.region,
					l.interest, l.status, ownerID, g.adminID, l.created, upd, int64(1), assignedAt, l.reason,
					k.Phone, k.Email, k.Company, custID, contactID, convAt, convBy, last); err != nil {
					return err
				}
			}
			return nil
		}},
		{"opportunities", hist("id", "name", "customer_id", "contact_id", "pipeline_id", "stage_id", "amount", "currency",
			"expected_close_date", "source", "owner_id", "status", "stage_entered_at", "stage_entry_id", "closed_at",
			"lost_reason", "last_activity_at", "created_by", "created_at", "updated_at", "version", "reached_stages"),
			func(emit emitFunc) error {
				for k := 0; k < g.n.opps; k++ {
					p := g.opp(k)
					// The stages it entered, as v0019's triggers would set them
					// from the history written next (which then changes no
					// deal: a million-row update and the rollup triggers it
					// fires are spared).
					var reached int64
					for _, st := range p.path {
						reached |= st.bit
					}
					owner := g.userID(int(g.custOwner[p.cust]))
					last := len(p.path) - 1
					upd := p.entered[last]
					if !p.closed.IsZero() {
						upd = p.closed
					}
					name := shortName(g.custName[p.cust]) + p.product + "项目"
					var lastAct any
					if t := g.oppLast[k]; t != 0 {
						lastAct = time.UnixMicro(t).UTC()
					}
					if err := emit(makeID(tagOpp, k), name, makeID(tagCustomer, p.cust), makeID(tagContact, p.cust*4),
						g.pipelineID, p.path[last].id, p.amount, "CNY", p.expected, p.source, owner, p.status,
						p.entered[last], makeID(tagEntry, k*8+last), nullTime(p.closed), p.lost, lastAct, owner, p.created, upd,
						int64(1+last), reached); err != nil {
						return err
					}
				}
				return nil
			}},
		{"opportunity_stage_entries", hist("id", "opportunity_id", "stage_id", "stage_name", "kind", "entered_at",
			"left_at", "entered_by"), func(emit emitFunc) error {
			for k := 0; k < g.n.opps; k++ {
				p := g.opp(k)
				owner := g.userID(int(g.custOwner[p.cust]))
				for i, st := range p.path {
					var left any
					if i+1 < len(p.path) {
						left = p.entered[i+1]
					}
					if err := emit(makeID(tagEntry, k*8+i), makeID(tagOpp, k), st.id, st.name, st.kind, p.entered[i],
						left, owner); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		// One product line per deal, its total the deal's amount (a deal
		// with lines is worth their sum), in a few units of the product.
		{"opportunity_products", hist("id", "opportunity_id", "product_id", "position", "quantity", "unit_price",
			"discount_percent", "line_total"), func(emit emitFunc) error {
			for k := 0; k < g.n.opps; k++ {
				p := g.opp(k)
				r := newRNG(g.o.RandomSeed, tagOppLine, k)
				qty := []int64{1, 1, 1, 2, 4, 5, 10}[r.intn(7)] // amounts are whole hundreds of yuan: exact
				if err := emit(makeID(tagOppLine, k), makeID(tagOpp, k), makeID(tagProduct, p.productIdx), int64(1),
					strconv.FormatInt(qty, 10), p.amount/qty, "0", p.amount); err != nil {
					return err
				}
			}
			return nil
		}},
		{"activities", hist("id", "type", "subject", "related_type", "related_id", "owner_id", "status", "start_at",
			"end_at", "done_at", "cancelled_at", "created_by", "created_at", "updated_at", "version"), g.activities},
		{"orders", hist("id", "number", "customer_id", "opportunity_id", "contract_id", "currency", "delivery_date",
			"status", "payment_status", "subtotal", "discount_total", "tax_total", "total", "owner_id", "created_by",
			"submitted_at", "approved_at", "shipped_at", "delivered_at", "completed_at", "cancelled_at", "created_at",
			"updated_at", "version"), func(emit emitFunc) error {
			for o := 0; o < g.n.orders; o++ {
				p := g.order(o)
				owner := g.userID(int(g.custOwner[p.cust]))
				var opp, contract any
				if p.opp >= 0 {
					opp = makeID(tagOpp, p.opp)
				}
				if p.contract {
					contract = makeID(tagContract, o)
				}
				upd := p.created
				for _, t := range []time.Time{p.submitted, p.approved, p.shipped, p.delivered, p.completed, p.cancelled, p.lastPayment} {
					if t.After(upd) {
						upd = t
					}
				}
				if err := emit(makeID(tagOrder, o), fmt.Sprintf("SO-%s-%04d", g.day(p.created), g.orderSeq[o]),
					makeID(tagCustomer, p.cust), opp, contract, "CNY", g.date(p.created.Add(14*24*time.Hour)),
					p.status, paymentStatus(p.received, p.total), p.subtotal, p.discTotal, p.taxTotal, p.total,
					owner, owner, nullTime(p.submitted), nullTime(p.approved), nullTime(p.shipped), nullTime(p.delivered),
					nullTime(p.completed), nullTime(p.cancelled), p.created, upd, int64(1)); err != nil {
					return err
				}
			}
			return nil
		}},
		{"document_items", hist("id", "doc_type", "doc_id", "position", "product_id", "name", "unit", "quantity",
			"unit_price", "discount_percent", "tax_rate", "gross", "discount", "net", "tax", "total"), func(emit emitFunc) error {
			for o := 0; o < g.n.orders; o++ {
				p := g.order(o)
				for i, l := range p.lines {
					name, _, unit, price, _ := g.product(l.product)
					if err := emit(makeID(tagItem, o*4+i), "order", makeID(tagOrder, o), int64(i+1),
						makeID(tagProduct, l.product), name, unit, strconv.FormatInt(l.qty, 10), price,
						strconv.FormatInt(l.disc, 10), "0.13", l.gross, l.discount, l.net, l.tax, l.tota); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		{"contracts", hist("id", "number", "customer_id", "opportunity_id", "order_id", "owner_id", "title", "amount",
			"received_amount", "currency", "start_date", "end_date", "status", "submitted_at", "approved_at", "signed_at",
			"started_at", "completed_at", "created_by", "created_at", "updated_at", "version"), func(emit emitFunc) error {
			for o := 0; o < g.n.orders; o++ {
				p := g.order(o)
				if !p.contract {
					continue
				}
				owner := g.userID(int(g.custOwner[p.cust]))
				var opp any
				if p.opp >= 0 {
					opp = makeID(tagOpp, p.opp)
				}
				upd := p.signed
				for _, t := range []time.Time{p.started, p.cCompleted, p.lastPayment} {
					if t.After(upd) {
						upd = t
					}
				}
				if err := emit(makeID(tagContract, o), fmt.Sprintf("HT-%s-%04d", g.day(p.cCreated), g.contractSeq[o]),
					makeID(tagCustomer, p.cust), opp, makeID(tagOrder, o), owner, shortName(g.custName[p.cust])+"采购合同",
					p.total, p.received, "CNY", g.date(p.signed), g.date(p.signed.AddDate(1, 0, 0)), p.cStatus,
					p.cCreated, p.cCreated, p.signed, nullTime(p.started), nullTime(p.cCompleted), owner, p.cCreated, upd,
					int64(1)); err != nil {
					return err
				}
			}
			return nil
		}},
		{"payment_plans", hist("id", "contract_id", "due_date", "amount", "received", "note", "created_at", "updated_at",
			"version"), func(emit emitFunc) error {
			for o := 0; o < g.n.orders; o++ {
				p := g.order(o)
				for i, in := range p.plans {
					upd := p.cCreated
					if in.paid > 0 {
						upd = in.paidAt
					}
					if err := emit(makeID(tagPlan, o*4+i), makeID(tagContract, o), g.date(in.due), in.amount, in.paid,
						fmt.Sprintf("第%d期", i+1), p.cCreated, upd, int64(1)); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		{"payments", hist("id", "contract_id", "payment_plan_id", "customer_id", "owner_id", "amount", "currency",
			"received_at", "method", "reference", "status", "created_by", "created_at", "updated_at", "version"),
			func(emit emitFunc) error {
				for o := 0; o < g.n.orders; o++ {
					p := g.order(o)
					owner := g.userID(int(g.custOwner[p.cust]))
					for i, in := range p.plans {
						if in.paid == 0 {
							continue
						}
						r := newRNG(g.o.RandomSeed, tagPayment, o*4+i)
						if err := emit(makeID(tagPayment, o*4+i), makeID(tagContract, o), makeID(tagPlan, o*4+i),
							makeID(tagCustomer, p.cust), owner, in.paid, "CNY", in.paidAt,
							pick(&r, []string{"bank_transfer", "bank_transfer", "bank_transfer", "online", "cheque", "cash"}),
							fmt.Sprintf("BK%d%06d", o, i), "received", owner, in.paidAt, in.paidAt, int64(1)); err != nil {
							return err
						}
					}
				}
				return nil
			}},
		{"payment_allocations", hist("id", "payment_id", "payment_plan_id", "amount", "created_at"), func(emit emitFunc) error {
			for o := 0; o < g.n.orders; o++ {
				p := g.order(o)
				for i, in := range p.plans {
					if in.paid == 0 {
						continue
					}
					if err := emit(makeID(tagAlloc, o*4+i), makeID(tagPayment, o*4+i), makeID(tagPlan, o*4+i), in.paid,
						in.paidAt); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		{"doc_sequences", hist("prefix", "day", "counter"), func(emit emitFunc) error {
			for _, s := range g.seqRows {
				if err := emit(s.prefix, s.day, s.counter); err != nil {
					return err
				}
			}
			return nil
		}},
		{"targets", hist("id", "subject_type", "subject_id", "period", "metric", "period_kind", "starts_at", "ends_at",
			"value", "created_by", "created_at", "updated_at", "version"), g.targets},
		{"commission_plans", hist("id", "name", "basis", "tiers", "active", "effective_from", "effective_to",
			"created_by", "created_at", "updated_at", "version"), func(emit emitFunc) error {
			from := g.tl.start.Format(time.DateOnly)
			for i, pl := range commissionPlans {
				tiers, err := pl.tiers.Value()
				if err != nil {
					return err
				}
				if err := emit(makeID(tagCommission, i), pl.name, pl.basis, tiers, true, from, nil, g.adminID, created,
					created, int64(1)); err != nil {
					return err
				}
			}
			return nil
		}},
		// The standard plan covers every regional team (and so its
		// sub-teams); the key-account bonus the star reps.
		{"commission_plan_subjects", hist("plan_id", "subject_type", "subject_id"), func(emit emitFunc) error {
			for i, t := range g.teams {
				if t.parent < 0 {
					if err := emit(makeID(tagCommission, 0), "team", g.teamID(i)); err != nil {
						return err
					}
				}
			}
			for i, u := range g.users {
				if u.star {
					if err := emit(makeID(tagCommission, 1), "user", g.userID(i)); err != nil {
						return err
					}
				}
			}
			return nil
		}},
	}
}

// commissionPlans are the seeded plans: progressive tiers on what a rep
// collects, and a bonus on won deals for key-account reps.
var commissionPlans = []struct {
	name, basis string
	tiers       crmteam.TierList
}{
	{"标准回款提成", "received_amount", crmteam.TierList{
		{From: 0, To: fen(500_000), Rate: decimal.RequireFromString("0.03")},
		{From: 500_000_00, To: fen(1_000_000), Rate: decimal.RequireFromString("0.05")},
		{From: 1_000_000_00, Rate: decimal.RequireFromString("0.08")}}},
	{"大客户赢单奖励", "won_amount", crmteam.TierList{
		{From: 0, To: fen(2_000_000), Rate: decimal.RequireFromString("0.01")},
		{From: 2_000_000_00, Rate: decimal.RequireFromString("0.02")}}},
}

// fen is yuan in minor units, as a tier bound.
func fen(yuan int64) *money.Amount { a := money.Amount(yuan * 100); return &a }

// targets gives every rep a monthly won_amount and received_amount target
// for each month of the history and the next quarter (stars higher, each
// month ±20 % around the rep's level, whole ten thousands of yuan), and
// every regional team a quarterly won_amount target: its reps' months
// summed.
func (g *gen) targets(emit emitFunc) error {
	created := g.tl.start.Add(-24 * time.Hour)
	loc := g.o.Location
	first := g.tl.start.In(loc)
	last := g.o.Now.In(loc).AddDate(0, 3, 0)
	n := 0
	put := func(subjectType, subjectID, period, metric string, value int64) error {
		pd, err := crmteam.ParsePeriod(period, loc)
		if err != nil {
			return err
		}
		n++
		return emit(makeID(tagTarget, n), subjectType, subjectID, period, metric, pd.Kind, pd.Start, pd.End, value,
			g.adminID, created, created, int64(1))
	}
	regional := func(t int) int {
		for g.teams[t].parent >= 0 {
			t = g.teams[t].parent
		}
		return t
	}
	quarters := map[int]map[string]int64{} // regional team → quarter → its reps' months
	for m := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, loc); !m.After(last); m = m.AddDate(0, 1, 0) {
		month := m.Format("2006-01")
		quarter := fmt.Sprintf("%d-Q%d", m.Year(), (int(m.Month())+2)/3)
		for i, u := range g.users {
			if u.role != "rep" {
				continue
			}
			r := newRNG(g.o.RandomSeed, tagTarget, i*1000+m.Year()*12+int(m.Month()))
			level := 300_000.0
			if u.star {
				level = 450_000
			}
			won := int64(math.Round(level*(0.8+0.4*r.float())/10_000)) * 10_000 * 100
			if err := put("user", g.userID(i), month, "won_amount", won); err != nil {
				return err
			}
			if err := put("user", g.userID(i), month, "received_amount", won*8/10); err != nil {
				return err
			}
			t := regional(u.team)
			if quarters[t] == nil {
				quarters[t] = map[string]int64{}
			}
			quarters[t][quarter] += won
		}
	}
	for _, t := range slices.Sorted(maps.Keys(quarters)) {
		for _, q := range slices.Sorted(maps.Keys(quarters[t])) {
			if err := put("team", g.teamID(t), q, "won_amount", quarters[t][q]); err != nil {
				return err
			}
		}
	}
	return nil
}

// shortName drops the legal suffix: 苏州恒达精密机械有限公司 -> 苏州恒达精密机械.
func shortName(s string) string {
	for _, suf := range []string{"集团有限公司", "股份有限公司", "制造有限公司", "有限公司"} {
		if len(s) > len(suf) && s[len(s)-len(suf):] == suf {
			return s[:len(s)-len(suf)]
		}
	}
	return s
}

type actPlan struct {
	typ, subject, relType, status string
	rel                           int // index of the related lead, opportunity or customer (also for a contact)
	owner                         int32
	start, end, created, upd      time.Time
	done, cancelled               time.Time
}

// activity a: a call, visit, meeting... about a lead, customer, contact or
// opportunity created before it, owned by that record's owner; most done
// (with done_at), some cancelled, recent and upcoming ones planned.
func (g *gen) activity(a int) actPlan {
	now := g.o.Now
	r := newRNG(g.o.RandomSeed, tagAct, a)
	u := quantile(a, g.n.acts)
	p := actPlan{start: g.tl.at(u), owner: -1}
	p.typ = actTypes[r.weighted(actTypeCum)]
	switch x := r.float(); {
	case x < 0.35:
		j := before(&r, u, g.n.leads)
		if p.owner = g.leadOwner[j]; p.owner >= 0 {
			p.relType, p.rel = "lead", j
		}
	case x < 0.6:
		k := before(&r, u, g.n.opps)
		p.relType, p.rel, p.owner = "opportunity", k, g.custOwner[g.oppCust[k]]
	case x < 0.65:
		c := before(&r, u, g.n.customers)
		p.relType, p.rel, p.owner = "contact", c, g.custOwner[c]
	}
	if p.owner < 0 {
		c := before(&r, u, g.n.customers)
		p.relType, p.rel, p.owner = "customer", c, g.custOwner[c]
	}
	p.status = "done"
	p.created = p.start.Add(-time.Duration(r.intn(72)) * time.Hour)
	switch {
	case r.chance(0.02):
		// upcoming: planned within the next 30 days
		p.start = now.Add(time.Duration(r.float() * float64(30*24*time.Hour))).Truncate(time.Microsecond)
		p.created = now.Add(-time.Duration(r.intn(240)) * time.Hour).Truncate(time.Microsecond)
		p.status = "planned"
	case now.Sub(p.start) < 3*24*time.Hour && r.chance(0.4):
		p.status = "planned" // overdue
	case r.chance(0.04):
		p.status = "cancelled"
	}
	dur := time.Duration(15+r.intn(6)*15) * time.Minute
	if p.typ == "visit" || p.typ == "meeting" {
		dur = time.Duration(1+r.intn(3)) * time.Hour
	}
	p.end = p.start.Add(dur)
	p.upd = p.created
	switch p.status {
	case "done":
		p.done = minTime(p.end, now)
		p.upd = p.done
	case "cancelled":
		t := minTime(p.start.Add(-time.Hour), now)
		if t.Before(p.created) {
			t = p.created
		}
		p.cancelled, p.upd = t, t
	}
	subjects := activitySubjects[p.typ]
	p.subject = subjects[r.intn(len(subjects))]
	return p
}

var (
	actTypes   = []string{"call", "visit", "meeting", "demo", "email", "task"}
	actTypeCum = []float64{0.4, 0.55, 0.7, 0.75, 0.9, 1}
)

func (g *gen) activities(emit emitFunc) error {
	for a := 0; a < g.n.acts; a++ {
		p := g.activity(a)
		var relID string
		switch p.relType {
		case "lead":
			relID = makeID(tagLead, p.rel)
		case "opportunity":
			relID = makeID(tagOpp, p.rel)
		case "contact":
			relID = makeID(tagContact, p.rel*4)
		default:
			relID = makeID(tagCustomer, p.rel)
		}
		oid := g.userID(int(p.owner))
		if err := emit(makeID(tagAct, a), p.typ, p.subject, p.relType, relID, oid, p.status, p.start, p.end,
			nullTime(p.done), nullTime(p.cancelled), oid, p.created, p.upd, int64(1)); err != nil {
			return err
		}
	}
	return nil
}
