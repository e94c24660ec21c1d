package dataio

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/platform/db"
)

// match is an existing record a row duplicates: a lead, or a customer
// (directly or through one of its contacts).
type match struct {
	ID      string
	OwnerID *string
	// Customer is true for a customer match, which a lead row can skip but
	// not update.
	Customer bool
}

// dupKey is one kind of duplicate key of a lead and its normalised
// column (package dedupe computes the keys; lead.SetNorms fills them).
type dupKey struct {
	name string // "phone", "email": also the field reported
	col  string
	get  func(*lead.Lead) string
}

// leadKeys are what a lead import checks for duplicates, against leads
// and against customers and their contacts. Company is left out on
// purpose: a lead list routinely holds several people of one company, and
// skipping them all would lose real leads (POST /leads does match on
// company; GET /leads/duplicates shows such matches).
var leadKeys = []dupKey{
	{name: "phone", col: "phone_norm", get: func(l *lead.Lead) string { return l.PhoneNorm }},
	{name: "email", col: "email_norm", get: func(l *lead.Lead) string { return l.EmailNorm }},
}

// findLeadDuplicates looks up, with one indexed query, the live leads
// whose key is one of vals. The result maps a key to its oldest match.
func (s *Service) findLeadDuplicates(ctx context.Context, k dupKey, vals []string) (map[string]match, error) {
	out := map[string]match{}
	if len(vals) == 0 {
		return out, nil
	}
	type hit struct {
		ID      string
		OwnerID *string
		Val     string
	}
	var hits []hit
	q := s.db.Conn(ctx).Model(&lead.Lead{}).Select("leads.id, leads.owner_id, leads." + k.col + " AS val")
	if s.db.Dialect() == db.Postgres {
		// One array parameter joined through unnest: a long IN list of
		// parameters gets a generic plan after a few batches that scans
		// the table once per value, and the import slows to a crawl.
		q = q.Joins("JOIN unnest(?::text[]) AS k(v) ON k.v = leads."+k.col, textArray(vals))
	} else {
		q = q.Where("leads."+k.col+" IN ?", vals)
	}
	err := q.Order("leads.created_at, leads.id").Scan(&hits).Error
	if err != nil {
		return nil, fmt.Errorf("import.dedupe: %w", err)
	}
	for _, h := range hits {
		if _, ok := out[h.Val]; !ok {
			out[h.Val] = match{ID: h.ID, OwnerID: h.OwnerID}
		}
	}
	return out, nil
}

// textArray is a PostgreSQL text[] parameter (GORM would expand a plain
// slice into a list of parameters).
type textArray []string

// Value encodes the array literal, every element quoted and escaped.
func (a textArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	for i, v := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(esc.Replace(v))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// customerKeyCols are, per lead key, the customer and contact columns the
// same normalised value is matched against.
var customerKeyCols = map[string]struct{ customer, contact []string }{
	"phone": {customer: []string{"phone_norm"}, contact: []string{"phone_norm", "mobile_norm"}},
	"email": {customer: []string{"email_norm"}, contact: []string{"email_norm"}},
}

// findCustomerDuplicates looks up the live customers whose key, or one of
// whose live contacts' keys, is one of vals: a few indexed queries a batch.
func (s *Service) findCustomerDuplicates(ctx context.Context, k dupKey, vals []string) (map[string]match, error) {
	out := map[string]match{}
	if len(vals) == 0 {
		return out, nil
	}
	type hit struct {
		ID      string
		OwnerID *string
		Val     string
	}
	cols := customerKeyCols[k.name]
	var queries []func() ([]hit, error)
	for _, col := range cols.customer {
		queries = append(queries, func() ([]hit, error) {
			var hits []hit
			err := s.db.Conn(ctx).Table("customers").Select("id, owner_id, "+col+" AS val").
				Where(col+" IN ? AND deleted_at IS NULL", vals).Order("created_at, id").Scan(&hits).Error
			return hits, err
		})
	}
	for _, col := range cols.contact {
		queries = append(queries, func() ([]hit, error) {
			var hits []hit
			err := s.db.Conn(ctx).Table("contacts").
				Select("customers.id, customers.owner_id, contacts."+col+" AS val").
				Joins("JOIN customers ON customers.id = contacts.customer_id AND customers.deleted_at IS NULL").
				Where("contacts."+col+" IN ? AND contacts.deleted_at IS NULL", vals).
				Order("customers.created_at, customers.id").Scan(&hits).Error
			return hits, err
		})
	}
	for _, q := range queries {
		hits, err := q()
		if err != nil {
			return nil, fmt.Errorf("import.dedupe_customers: %w", err)
		}
		for _, h := range hits {
			if _, ok := out[h.Val]; !ok {
				out[h.Val] = match{ID: h.ID, OwnerID: h.OwnerID, Customer: true}
			}
		}
	}
	return out, nil
}
