package dataio

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
)

// Customers and contacts import row by row through their services, each
// row in its own transaction: the lists are short next to lead lists,
// and the services keep every rule (owner, pool, scope, validation). A
// dry run runs the same call in a transaction it then rolls back.

// errDryRun rolls a dry-run row back.
var errDryRun = errors.New("dry run")

// attempt runs fn for one row; in a dry run its writes are rolled back.
func (s *Service) attempt(ctx context.Context, dry bool, fn func(context.Context) error) error {
	if !dry {
		return fn(ctx)
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		return errDryRun
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

type customerImporter struct {
	s    *Service
	job  *Job
	seen map[string]int
}

func (ci *customerImporter) batch(ctx context.Context, rows []rowIn, p *progress) error {
	for _, r := range rows {
		req := customer.CustomerCreateRequest{Name: r.get("name"), Industry: r.get("industry"),
			Size: enumValue("size", r.get("size")), Potential: enumValue("potential", r.get("potential")),
			Level: strings.ToUpper(r.get("level")), Region: r.get("region"), Address: r.get("address"),
			Phone: r.get("phone"), Email: r.get("email"), Website: r.get("website"),
			Source: enumValue("source", r.get("source")), Tags: splitTags(r.get("tags")),
			LifecycleStage: enumValue("lifecycle_stage", r.get("lifecycle_stage"))}
		if req.Source == "" {
			req.Source = importSource
		}
		dup := ""
		if ci.job.OnDuplicate != DupCreate {
			k := dedupe.Keys(req.Phone, req.Email, req.Name)
			keys := []string{"n:" + k.Company}
			if k.Phone != "" {
				keys = append(keys, "p:"+k.Phone)
			}
			if k.Email != "" {
				keys = append(keys, "e:"+k.Email)
			}
			inFile := false
			for _, k := range keys {
				inFile = inFile || ci.seen[k] != 0
			}
			if inFile {
				p.skipped++
				continue
			}
			for _, k := range keys {
				ci.seen[k] = r.n
			}
			if ci.job.OnDuplicate == DupUpdate {
				var err error
				if dup, err = ci.s.customerDuplicate(ctx, k); err != nil {
					return err
				}
			}
		}
		var err error
		switch {
		case dup != "":
			err = ci.s.attempt(ctx, ci.job.DryRun, func(ctx context.Context) error {
				_, err := ci.s.customers.Update(ctx, dup, nil, customerUpdate(r, req))
				return err
			})
			if errors.Is(err, apperr.ErrNotFound) {
				p.fail(r.n, "", "import_duplicate_scope")
				continue
			}
		default:
			// The service's duplicate check (leads and customers) decides
			// skip; create overrides it.
			err = ci.s.attempt(ctx, ci.job.DryRun, func(ctx context.Context) error {
				_, err := ci.s.customers.CreateWith(ctx, req,
					customer.CreateOptions{AllowDuplicate: ci.job.OnDuplicate == DupCreate})
				return err
			})
		}
		switch {
		case isDuplicate(err):
			p.skipped++
		case err != nil:
			p.failErr(r.n, err)
		case dup != "":
			p.updated++
		default:
			p.created++
		}
	}
	return nil
}

// customerUpdate is the PATCH of a duplicate: the row's non-empty cells.
func customerUpdate(r rowIn, c customer.CustomerCreateRequest) customer.CustomerUpdateRequest {
	u := customer.CustomerUpdateRequest{Industry: opt(c.Industry), Size: opt(c.Size), Potential: opt(c.Potential),
		Level: opt(c.Level), Region: opt(c.Region), Address: opt(c.Address), Phone: opt(c.Phone),
		Email: opt(c.Email), Website: opt(c.Website), LifecycleStage: opt(c.LifecycleStage)}
	if r.get("source") != "" {
		u.Source = &c.Source
	}
	if len(c.Tags) > 0 {
		u.Tags = &c.Tags
	}
	return u
}

// customerDuplicate finds a live customer with the same normalised name,
// phone or email, anywhere: the scope applies when it is updated.
func (s *Service) customerDuplicate(ctx context.Context, k dedupe.Key) (string, error) {
	cond, args := "name_norm = ?", []any{k.Company}
	if k.Phone != "" {
		cond, args = cond+" OR phone_norm = ?", append(args, k.Phone)
	}
	if k.Email != "" {
		cond, args = cond+" OR email_norm = ?", append(args, k.Email)
	}
	var ids []string
	err := s.db.Conn(ctx).Model(&customer.Customer{}).Where("("+cond+")", args...).
		Order("created_at, id").Limit(1).Pluck("id", &ids).Error
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// isDuplicate reports the services' 409 duplicate.
func isDuplicate(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && ae.Code == "duplicate"
}

func (ci *customerImporter) done(context.Context, *progress) error { return nil }

func (ci *contactImporter) done(context.Context, *progress) error { return nil }

type contactImporter struct {
	s     *Service
	job   *Job
	actor *authz.Actor
	ids   map[string]string // customer cell -> id ("" unknown)
}

func (ci *contactImporter) batch(ctx context.Context, rows []rowIn, p *progress) error {
	for _, r := range rows {
		custID, err := ci.customer(ctx, r.get("customer"))
		if err != nil {
			return err
		}
		if custID == "" {
			p.fail(r.n, "customer", "unknown_ref", "customer")
			continue
		}
		req := customer.ContactCreateRequest{CustomerID: custID, Name: r.get("name"), Title: r.get("title"),
			Phone: r.get("phone"), Mobile: r.get("mobile"), Email: r.get("email"), Wechat: r.get("wechat"),
			DecisionRole: enumValue("decision_role", r.get("decision_role")), Notes: r.get("notes")}
		if b := r.get("birthday"); b != "" {
			req.Birthday = &b
		}
		if ci.job.OnDuplicate != DupCreate {
			var n int64
			if err := ci.s.db.Conn(ctx).Model(&customer.Contact{}).
				Where("customer_id = ? AND name = ?", custID, req.Name).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				// Contacts are matched by customer and name; update is
				// treated as skip for them.
				p.skipped++
				continue
			}
		}
		err = ci.s.attempt(ctx, ci.job.DryRun, func(ctx context.Context) error {
			_, err := ci.s.customers.CreateContact(ctx, req)
			return err
		})
		if err != nil {
			p.failErr(r.n, err)
			continue
		}
		p.created++
	}
	return nil
}

// customer resolves a customer cell, an id or an exact name, within the
// importer's scope; "" when it names no customer they can see (or several).
func (ci *contactImporter) customer(ctx context.Context, cell string) (string, error) {
	if cell == "" {
		return "", nil
	}
	if id, ok := ci.ids[cell]; ok {
		return id, nil
	}
	q := ci.s.custStore.Query(ctx, ci.actor, customer.Filter{})
	if _, err := uuid.Parse(cell); err == nil {
		q = q.Where("customers.id = ?", cell)
	} else {
		q = q.Where("customers.name = ?", cell)
	}
	var ids []string
	if err := q.Limit(2).Pluck("customers.id", &ids).Error; err != nil {
		return "", err
	}
	id := ""
	if len(ids) == 1 {
		id = ids[0]
	}
	if len(ci.ids) < 10000 {
		ci.ids[cell] = id
	}
	return id, nil
}
