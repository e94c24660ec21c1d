package dedupe

import (
	"context"
	"fmt"
	"slices"

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"gorm.io/gorm"
)

// What a match was found on.
const (
	OnPhone   = "phone"
	OnEmail   = "email"
	OnCompany = "company"
)

// maxPerKind caps the matches of each kind a check reports.
const maxPerKind = 20

// Match is one existing record a key collides with. Outside the caller's
// sight (InScope false) only Type and On are meant to be shown.
type Match struct {
	Type    string // "lead" or "customer"
	ID      string
	Name    string
	OwnerID *string
	InScope bool
	On      []string
}

// Exclude leaves records out of a check: the lead being converted must not
// count as a duplicate of the customer it becomes.
type Exclude struct{ LeadIDs, CustomerIDs []string }

// Finder looks keys up in the normalised columns of live leads, customers
// and contacts (a contact's phone, mobile or email matches its customer).
// It reads the tables by name so that both the lead and the customer
// modules can use it without importing each other.
type Finder struct{ db *db.DB }

// NewFinder builds a Finder.
func NewFinder(d *db.DB) *Finder { return &Finder{db: d} }

type row struct {
	ID, Name                   string
	OwnerID                    *string
	PhoneNorm, EmailNorm, Comp string
}

// Find lists the live leads and customers matching k, leads first. A
// record counts as in the caller's sight when it is in their data scope
// or in a pool (an open unowned lead, an unowned customer): the pools are
// open to everyone.
func (f *Finder) Find(ctx context.Context, a *authz.Actor, k Key, ex Exclude) ([]Match, error) {
	if k.Empty() {
		return nil, nil
	}
	leads, err := f.find(ctx, a, "lead", f.leadQuery(ctx, k, ex), "leads.owner_id", k)
	if err != nil {
		return nil, err
	}
	custs, err := f.find(ctx, a, "customer", f.customerQuery(ctx, k, ex), "customers.owner_id", k)
	if err != nil {
		return nil, err
	}
	return append(leads, custs...), nil
}

func (f *Finder) leadQuery(ctx context.Context, k Key, ex Exclude) *gorm.DB {
	q := f.db.Conn(ctx).Table("leads").Select("leads.id, leads.name, leads.owner_id, " +
		"leads.phone_norm, leads.email_norm, leads.company_norm AS comp").
		Where("leads.deleted_at IS NULL").Where(anyOf(f.db.Conn(ctx), k, "leads.phone_norm", "leads.email_norm",
		"leads.company_norm"))
	if len(ex.LeadIDs) > 0 {
		q = q.Where("leads.id NOT IN ?", ex.LeadIDs)
	}
	return q
}

// customerQuery matches customers on their own columns and through their
// live contacts; the contact's matching values stand in for the customer's.
func (f *Finder) customerQuery(ctx context.Context, k Key, ex Exclude) *gorm.DB {
	conn := f.db.Conn(ctx)
	own := conn.Table("customers").Select("customers.id, customers.name, customers.owner_id, " +
		"customers.phone_norm, customers.email_norm, customers.name_norm AS comp").
		Where("customers.deleted_at IS NULL").Where(anyOf(conn, k, "customers.phone_norm", "customers.email_norm",
		"customers.name_norm"))
	var via *gorm.DB
	if k.Phone != "" || k.Email != "" {
		cond := conn.Session(&gorm.Session{NewDB: true})
		if k.Phone != "" {
			cond = cond.Or("contacts.phone_norm = ?", k.Phone).Or("contacts.mobile_norm = ?", k.Phone)
		}
		if k.Email != "" {
			cond = cond.Or("contacts.email_norm = ?", k.Email)
		}
		via = conn.Table("contacts").Select("customers.id, customers.name, customers.owner_id, "+
			"CASE WHEN contacts.phone_norm = ? OR contacts.mobile_norm = ? THEN ? ELSE '' END AS phone_norm, "+
			"contacts.email_norm, '' AS comp", k.Phone, k.Phone, k.Phone).
			Joins("JOIN customers ON customers.id = contacts.customer_id").
			Where("contacts.deleted_at IS NULL AND customers.deleted_at IS NULL").Where(cond)
	}
	if len(ex.CustomerIDs) > 0 {
		own = own.Where("customers.id NOT IN ?", ex.CustomerIDs)
		if via != nil {
			via = via.Where("customers.id NOT IN ?", ex.CustomerIDs)
		}
	}
	if via == nil {
		return own
	}
	return conn.Table("(? UNION ALL ?) AS m", own, via).Select("*")
}

// anyOf is (phone = ? OR email = ? OR company = ?) over the non-empty
// parts of k.
func anyOf(conn *gorm.DB, k Key, phoneCol, emailCol, compCol string) *gorm.DB {
	q := conn.Session(&gorm.Session{NewDB: true})
	for _, p := range []struct{ col, v string }{{phoneCol, k.Phone}, {emailCol, k.Email}, {compCol, k.Company}} {
		if p.v != "" {
			q = q.Or(p.col+" = ?", p.v)
		}
	}
	return q
}

// poolCond is what makes an unowned record visible to everyone: a pool
// customer, and a pool lead, i.e. one still open (a converted or
// disqualified lead without an owner is in no pool and no one's scope).
var poolCond = map[string]string{
	"lead":     "leads.owner_id IS NULL AND leads.status NOT IN ('converted', 'disqualified')",
	"customer": "customers.owner_id IS NULL",
}

// find runs q, merges rows of one record, and marks what the actor sees.
func (f *Finder) find(ctx context.Context, a *authz.Actor, typ string, q *gorm.DB, ownerCol string,
	k Key) ([]Match, error) {
	var rows []row
	if err := q.Limit(4 * maxPerKind).Scan(&rows).Error; err != nil {
		return nil, fmt.Errorf("dedupe.find_%s: %w", typ, err)
	}
	var out []Match
	at := map[string]int{}
	for _, r := range rows {
		i, seen := at[r.ID]
		if !seen {
			if len(out) == maxPerKind {
				continue
			}
			at[r.ID], i = len(out), len(out)
			out = append(out, Match{Type: typ, ID: r.ID, Name: r.Name, OwnerID: r.OwnerID})
		}
		m := &out[i]
		for _, on := range []struct {
			hit bool
			on  string
		}{{k.Phone != "" && r.PhoneNorm == k.Phone, OnPhone}, {k.Email != "" && r.EmailNorm == k.Email, OnEmail},
			{k.Company != "" && r.Comp == k.Company, OnCompany}} {
			if on.hit && !slices.Contains(m.On, on.on) {
				m.On = append(m.On, on.on)
			}
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	ids := make([]string, len(out))
	for i, m := range out {
		ids[i] = m.ID
	}
	table := map[string]string{"lead": "leads", "customer": "customers"}[typ]
	var visible []string
	vq := f.db.Conn(ctx).Table(table).Where(table+".id IN ?", ids)
	vq = vq.Where(f.db.Conn(ctx).Session(&gorm.Session{NewDB: true}).Where(poolCond[typ]).
		Or(authz.Scope(a, ownerCol)(f.db.Conn(ctx).Session(&gorm.Session{NewDB: true}))))
	if err := vq.Pluck(table+".id", &visible).Error; err != nil {
		return nil, fmt.Errorf("dedupe.scope_%s: %w", typ, err)
	}
	for i := range out {
		out[i].InScope = slices.Contains(visible, out[i].ID)
	}
	return out, nil
}

// MatchResponse is one existing record a new one would duplicate. Records
// outside the caller's data scope (in_scope false) come without id, name
// and owner; owner_id is also absent for an unowned (pool) record.
type MatchResponse struct {
	Type      string   `json:"type" enums:"lead,customer" example:"customer"`
	InScope   bool     `json:"in_scope" example:"true"`
	MatchedOn []string `json:"matched_on" enums:"phone,email,company" example:"phone,company"`
	ID        string   `json:"id,omitempty" extensions:"x-optional" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	Name      string   `json:"name,omitempty" extensions:"x-optional" example:"苏州恒达精密机械有限公司"`
	OwnerID   string   `json:"owner_id,omitempty" extensions:"x-optional" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
} // @name DuplicateMatch

// MatchList is the answer of a duplicate check.
type MatchList struct {
	Matches []MatchResponse `json:"matches"`
} // @name DuplicateMatchList

// Response is a match as the caller may see it.
func Response(m Match) MatchResponse {
	r := MatchResponse{Type: m.Type, InScope: m.InScope, MatchedOn: m.On}
	if r.MatchedOn == nil {
		r.MatchedOn = []string{}
	}
	if m.InScope {
		r.ID, r.Name = m.ID, m.Name
		if m.OwnerID != nil {
			r.OwnerID = *m.OwnerID
		}
	}
	return r
}

// List is the matches as the caller may see them.
func List(ms []Match) MatchList {
	out := MatchList{Matches: make([]MatchResponse, len(ms))}
	for i, m := range ms {
		out.Matches[i] = Response(m)
	}
	return out
}

// View is Response as a map, for the problem document's matches.
func View(m Match) map[string]any {
	r := Response(m)
	v := map[string]any{"type": r.Type, "in_scope": r.InScope, "matched_on": r.MatchedOn}
	for k, s := range map[string]string{"id": r.ID, "name": r.Name, "owner_id": r.OwnerID} {
		if s != "" {
			v[k] = s
		}
	}
	return v
}

// Views maps matches to what the caller may see.
func Views(ms []Match) []map[string]any {
	out := make([]map[string]any, len(ms))
	for i, m := range ms {
		out[i] = View(m)
	}
	return out
}

// Conflict is the 409 duplicate problem listing the matches.
func Conflict(ms []Match) error {
	return &apperr.Error{Kind: apperr.ErrConflict, Code: "duplicate", Msg: "duplicate",
		Extra: map[string]any{"matches": Views(ms)}}
}

// Refs are the matches as an audit row keeps them (ids included: the audit
// log is for administrators).
func Refs(ms []Match) []map[string]any {
	out := make([]map[string]any, len(ms))
	for i, m := range ms {
		out[i] = map[string]any{"type": m.Type, "id": m.ID, "matched_on": m.On}
	}
	return out
}
