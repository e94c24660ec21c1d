package dataio

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/validate"
)

// importSource is the source of an imported lead whose file names none.
const importSource = "import"

// leadImporter is the batch path of lead imports: rows are validated in
// Go, checked for duplicates a batch at a time (one query per key), and
// inserted together with their audit rows in one statement each.
type leadImporter struct {
	s     *Service
	job   *Job
	actor *authz.Actor
	// owner is who owns the rows: a rep imports their own leads.
	owner *string
	// owners caches the owner column's values: the user id, or the error.
	owners map[string]ownerResult
	// route sends unowned rows through the lead service one by one, so the
	// assignment rules apply; only when an active rule exists.
	route bool
	// results, slots and pending track the background inserts.
	results chan inserted
	slots   chan struct{}
	pending int
	// grown counts rows inserted since the table's statistics were last
	// refreshed, est the table's size then (see analyze).
	grown int
	est   float64
	// seen maps each key seen in this file to its row, for duplicates
	// inside the file.
	seen map[string]int
}

func (s *Service) newLeadImporter(ctx context.Context, j *Job, a *authz.Actor) (*leadImporter, error) {
	li := &leadImporter{s: s, job: j, actor: a, seen: map[string]int{}, owners: map[string]ownerResult{}}
	// As on POST /leads: a rep owns what they create; an admin, manager or
	// API key leaves it to the rules.
	if !a.IsAPIKey() && a.Role == authz.RoleRep {
		id := a.UserID
		li.owner = &id
	} else {
		var n int64
		if err := s.db.Conn(ctx).Model(&lead.Rule{}).Where("active = ?", true).Count(&n).Error; err != nil {
			return nil, err
		}
		li.route = n > 0
	}
	return li, nil
}

// pending is a valid row on its way in.
type pending struct {
	row  rowIn
	lead *lead.Lead
	dup  *match // an existing lead it duplicates
	keys map[string]string
}

func (li *leadImporter) batch(ctx context.Context, rows []rowIn, p *progress) error {
	now := db.Now()
	var ok []*pending
	for _, r := range rows {
		l := li.build(r, now)
		var v validate.V
		if err := lead.Check(&v, l); err != nil {
			p.failErr(r.n, err)
			continue
		}
		if name := r.get("owner"); name != "" {
			id, err := li.namedOwner(ctx, name)
			if err != nil {
				p.failErr(r.n, err)
				continue
			}
			l.OwnerID = &id
		}
		l.SetNorms() // after Check, which trims and folds what the keys are made of
		pd := &pending{row: r, lead: l, keys: map[string]string{}}
		for _, k := range leadKeys {
			if n := k.get(l); n != "" {
				pd.keys[k.name] = n
			}
		}
		ok = append(ok, pd)
	}
	if li.job.OnDuplicate != DupCreate {
		var err error
		if ok, err = li.dedupe(ctx, ok, p); err != nil {
			return err
		}
	}
	defer li.analyze(ctx)
	var fresh, routed []*pending
	for _, pd := range ok {
		switch {
		case pd.dup != nil:
			li.update(ctx, pd, p)
		case li.route && pd.lead.OwnerID == nil:
			routed = append(routed, pd)
		default:
			fresh = append(fresh, pd)
		}
	}
	if li.job.DryRun {
		p.created += len(fresh) + len(routed)
		return nil
	}
	li.insert(ctx, fresh, p)
	li.grown += len(fresh)
	for _, pd := range routed {
		li.createRouted(ctx, pd, p)
	}
	return nil
}

// build makes the lead a row describes.
func (li *leadImporter) build(r rowIn, now time.Time) *lead.Lead {
	l := &lead.Lead{ID: uuid.Must(uuid.NewV7()).String(), Name: r.get("name"), Company: r.get("company"),
		Title: r.get("title"), Phone: r.get("phone"), Email: r.get("email"),
		Source: enumValue("source", r.get("source")), Region: r.get("region"),
		ProductInterest: r.get("product_interest"), Description: r.get("description"), Status: lead.StatusNew,
		Tags: splitTags(r.get("tags")), OwnerID: li.owner, CreatedBy: li.actor.ID(), CreatedAt: now,
		UpdatedAt: now, Version: 1}
	if l.Source == "" {
		l.Source = importSource
	}
	return l
}

// dedupe drops rows that repeat an earlier row of the file and marks the
// ones that match an existing lead.
func (li *leadImporter) dedupe(ctx context.Context, rows []*pending, p *progress) ([]*pending, error) {
	out := rows[:0]
	for _, pd := range rows {
		first := 0
		for _, k := range leadKeys {
			if v, ok := pd.keys[k.name]; ok && first == 0 {
				first = li.seen[k.name+":"+v]
			}
		}
		if first != 0 {
			p.skipped++
			continue
		}
		for _, k := range leadKeys {
			if v, ok := pd.keys[k.name]; ok {
				li.seen[k.name+":"+v] = pd.row.n
			}
		}
		out = append(out, pd)
	}
	for _, k := range leadKeys {
		var vals []string
		for _, pd := range out {
			if v, ok := pd.keys[k.name]; ok && pd.dup == nil {
				vals = append(vals, v)
			}
		}
		found, err := li.s.findLeadDuplicates(ctx, k, vals)
		if err != nil {
			return nil, err
		}
		for _, pd := range out {
			if m, ok := found[pd.keys[k.name]]; ok && pd.dup == nil {
				pd.dup = &m
			}
		}
	}
	// Then customers and their contacts, for the rows no lead matched.
	for _, k := range leadKeys {
		var vals []string
		for _, pd := range out {
			if v, ok := pd.keys[k.name]; ok && pd.dup == nil {
				vals = append(vals, v)
			}
		}
		found, err := li.s.findCustomerDuplicates(ctx, k, vals)
		if err != nil {
			return nil, err
		}
		for _, pd := range out {
			if m, ok := found[pd.keys[k.name]]; ok && pd.dup == nil {
				pd.dup = &m
			}
		}
	}
	return out, nil
}

// update applies on_duplicate to a row matching an existing lead: skip it,
// or (update) write its non-empty fields through the lead service, which
// checks the scope: a match the importer cannot see is reported, not
// touched.
func (li *leadImporter) update(ctx context.Context, pd *pending, p *progress) {
	if li.job.OnDuplicate != DupUpdate {
		p.skipped++
		return
	}
	if pd.dup.Customer {
		// A lead row cannot update a customer: it stays out, and says why.
		p.fail(pd.row.n, "", "import_duplicate", "customer")
		return
	}
	if li.job.DryRun {
		if _, err := li.s.leads.Get(ctx, pd.dup.ID); err != nil {
			p.fail(pd.row.n, "", "import_duplicate_scope")
			return
		}
		p.updated++
		return
	}
	l := pd.lead
	req := lead.LeadUpdateRequest{Name: &l.Name, Company: opt(l.Company), Title: opt(l.Title),
		Phone: opt(l.Phone), Email: opt(l.Email), Region: opt(l.Region), ProductInterest: opt(l.ProductInterest),
		Description: opt(l.Description)}
	if pd.row.get("source") != "" {
		req.Source = &l.Source
	}
	if len(l.Tags) > 0 {
		tags := []string(l.Tags)
		req.Tags = &tags
	}
	_, err := li.s.leads.Update(ctx, pd.dup.ID, nil, req)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		p.fail(pd.row.n, "", "import_duplicate_scope")
	case err != nil:
		p.failErr(pd.row.n, err)
	default:
		p.updated++
	}
}

// createRouted creates an unowned lead through the lead service, so the
// assignment rules route it, in its own transaction.
func (li *leadImporter) createRouted(ctx context.Context, pd *pending, p *progress) {
	l := pd.lead
	_, err := li.s.leads.CreateWith(ctx, lead.LeadCreateRequest{Name: l.Name, Company: l.Company, Title: l.Title,
		Phone: l.Phone, Email: l.Email, Source: l.Source, Region: l.Region, ProductInterest: l.ProductInterest,
		Description: l.Description, Tags: l.Tags}, lead.CreateOptions{AllowDuplicate: li.job.OnDuplicate == DupCreate})
	if err != nil {
		if isDuplicate(err) {
			p.skipped++
			return
		}
		p.failErr(pd.row.n, err)
		return
	}
	p.created++
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// analyze refreshes the planner's statistics of leads (PostgreSQL) once
// the import has grown the table by half its size since the last time.
// On a new or small table autovacuum lags far behind a bulk load: with
// statistics that say "empty", the duplicate lookups of later batches
// turn into full scans and the import slows down quadratically.
func (li *leadImporter) analyze(ctx context.Context) {
	if li.s.db.Dialect() != db.Postgres || float64(li.grown) < max(batchSize, li.est/2) {
		return
	}
	conn := li.s.db.Conn(ctx)
	if err := conn.Exec("ANALYZE leads").Error; err != nil {
		li.s.log.Warn("import analyze", "err", err)
	}
	_ = conn.Raw("SELECT reltuples FROM pg_class WHERE oid = 'leads'::regclass").Scan(&li.est).Error
	li.grown = 0
}

type ownerResult struct {
	id  string
	err error
}

// namedOwner resolves the owner column (a user's email or id) with the same
// rule as owner_id on POST /leads: an active user the importer may give
// records to. Each distinct value is looked up once per import.
func (li *leadImporter) namedOwner(ctx context.Context, name string) (string, error) {
	if r, ok := li.owners[name]; ok {
		return r.id, r.err
	}
	id := name
	if strings.Contains(name, "@") {
		if u, err := li.s.users.UserByEmail(ctx, name); err == nil {
			id = u.ID
		}
	}
	u, err := li.s.users.AssignableOwner(ctx, li.actor, "owner", id)
	r := ownerResult{err: err}
	if err == nil {
		r.id = u.ID
	}
	li.owners[name] = r
	return r.id, r.err
}
