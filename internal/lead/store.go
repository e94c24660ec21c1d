package lead

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/validate"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Store reads and writes leads and their follow-ups. Every read of leads
// starts from scoped, so the data scope cannot be forgotten on one path.
type Store struct{ db *db.DB }

// NewStore builds a Store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// ownerCol is the column the data scope judges leads by.
const ownerCol = "leads.owner_id"

// scoped is the query over the live leads the actor may see.
func (s *Store) scoped(ctx context.Context, a *authz.Actor) *gorm.DB {
	return authz.Scope(a, ownerCol)(s.db.Conn(ctx).Model(&Lead{}))
}

// Get loads a lead in the actor's scope; anything else, a malformed id
// included, is apperr.ErrNotFound.
func (s *Store) Get(ctx context.Context, a *authz.Actor, id string) (*Lead, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("lead")
	}
	var l Lead
	err := s.scoped(ctx, a).Where("leads.id = ?", id).Take(&l).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("lead")
	}
	if err != nil {
		return nil, fmt.Errorf("lead.get: %w", err)
	}
	return &l, nil
}

// viewCols are the columns View reads, in the order it scans them: what
// GET /leads/{id} shows, without the duplicate-check keys. It goes in as
// a ready SELECT clause: GORM would otherwise look each name up in the
// schema and quote it again on every request.
var viewCols = clause.Select{Expression: clause.Expr{SQL: "leads.id, leads.name, leads.company, leads.title, " +
	"leads.phone, leads.email, leads.source, leads.region, leads.product_interest, leads.description, " +
	"leads.status, leads.owner_id, leads.assigned_at, leads.assignment_rule_id, leads.disqualify_reason, " +
	"leads.customer_id, leads.contact_id, leads.converted_at, leads.tags, leads.last_followed_at, " +
	"leads.next_follow_up_at, leads.created_by, leads.created_at, leads.updated_at, leads.version"}}

// View is Get for display, on the hot path of GET /leads/{id}: the same
// scoped GORM query (scope and soft delete in its one WHERE), but only
// the shown columns, scanned straight into their fields instead of
// through GORM's reflection. The Lead it returns lacks the
// duplicate-check keys, ConvertedBy and DeletedAt: never write it back.
func (s *Store) View(ctx context.Context, a *authz.Actor, id string) (*Lead, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("lead")
	}
	rows, err := s.scoped(ctx, a).Clauses(viewCols).Where("leads.id = ?", id).Limit(1).Rows()
	if err != nil {
		return nil, fmt.Errorf("lead.view: %w", err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("lead.view: %w", err)
		}
		return nil, apperr.NotFound("lead")
	}
	var l Lead
	if err := rows.Scan(&l.ID, &l.Name, &l.Company, &l.Title, &l.Phone, &l.Email, &l.Source,
		&l.Region, &l.ProductInterest, &l.Description, &l.Status, &l.OwnerID, &l.AssignedAt,
		&l.AssignmentRuleID, &l.DisqualifyReason, &l.CustomerID, &l.ContactID, &l.ConvertedAt,
		&l.Tags, &l.LastFollowedAt, &l.NextFollowUpAt, &l.CreatedBy, &l.CreatedAt,
		&l.UpdatedAt, &l.Version); err != nil {
		return nil, fmt.Errorf("lead.view: %w", err)
	}
	return &l, rows.Close()
}

// GetAssignable is Get widened to the pool: an assigner may hand out any
// open unowned lead as well as the ones in scope (a closed unowned lead
// is in no pool).
func (s *Store) GetAssignable(ctx context.Context, a *authz.Actor, id string) (*Lead, error) {
	l, err := s.Get(ctx, a, id)
	if !errors.Is(err, apperr.ErrNotFound) {
		return l, err
	}
	var p Lead
	err = s.db.Conn(ctx).Where("id = ? AND owner_id IS NULL AND status NOT IN ?", id, closed).Take(&p).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("lead")
	}
	if err != nil {
		return nil, fmt.Errorf("lead.get: %w", err)
	}
	return &p, nil
}

// Pool is the base query of the lead pool: live leads without an owner
// that are still open. Everyone with leads:read sees it, reps included:
// this is the one read of leads that does not go through scoped, on
// purpose, and it never shows an owned lead.
//
// masked is true for callers who see pool leads' phone and email masked:
// their q then searches name and company only, or a substring search
// would reveal a masked number digit by digit.
func (s *Store) Pool(ctx context.Context, f Filter, masked bool) *gorm.DB {
	q := s.db.Conn(ctx).Model(&Lead{}).
		Where("leads.owner_id IS NULL AND leads.status NOT IN ?", []string{StatusConverted, StatusDisqualified})
	f.OwnerID = ""
	if masked && f.Q != "" {
		q = db.Contains(q, f.Q, "leads.name", "leads.company")
		f.Q = ""
	}
	return filter(q, f)
}

// Filter narrows the lead list.
type Filter struct {
	Status      []string
	OwnerID     string
	Source      string
	Region      string
	Q           string
	Tag         string
	CreatedFrom *time.Time
	CreatedTo   *time.Time // exclusive
}

// Check adds the errors of the enumerated filters to v (list, pool and
// export share it).
func (f Filter) Check(v *validate.V) {
	for _, st := range f.Status {
		v.OneOf("status", st, Statuses...)
	}
	v.OneOf("source", f.Source, Sources...)
}

// Query is the scoped, filtered base of a list; the caller pages it.
func (s *Store) Query(ctx context.Context, a *authz.Actor, f Filter) *gorm.DB {
	return filter(s.scoped(ctx, a), f)
}

// filter applies f to a query of leads.
func filter(q *gorm.DB, f Filter) *gorm.DB {
	if len(f.Status) > 0 {
		q = q.Where("leads.status IN ?", f.Status)
	}
	if f.OwnerID != "" {
		q = q.Where("leads.owner_id = ?", f.OwnerID)
	}
	if f.Source != "" {
		q = q.Where("leads.source = ?", f.Source)
	}
	if f.Region != "" {
		q = q.Where("leads.region = ?", f.Region)
	}
	if f.Q != "" {
		q = db.Contains(q, f.Q, "leads.name", "leads.company", "leads.phone", "leads.email")
	}
	if f.Tag != "" {
		// Tags are a JSON array in text: match the encoded, quoted element.
		enc, _ := json.Marshal(f.Tag)
		q = q.Where(`leads.tags LIKE ? ESCAPE '\'`, "%"+db.LikeEscape(string(enc))+"%")
	}
	if f.CreatedFrom != nil {
		q = q.Where("leads.created_at >= ?", *f.CreatedFrom)
	}
	if f.CreatedTo != nil {
		q = q.Where("leads.created_at < ?", *f.CreatedTo)
	}
	return q
}

// Create inserts a lead.
func (s *Store) Create(ctx context.Context, l *Lead) error {
	l.SetNorms()
	if err := s.db.Conn(ctx).Create(l).Error; err != nil {
		return fmt.Errorf("lead.create: %w", err)
	}
	return nil
}

// mutable lists the columns a write may change.
var mutable = []string{"name", "company", "title", "phone", "email", "source", "region", "product_interest",
	"description", "status", "owner_id", "assigned_at", "assignment_rule_id", "disqualify_reason", "tags", "last_followed_at", "next_follow_up_at", "updated_at", "version",
	"customer_id", "contact_id", "converted_at", "converted_by", "phone_norm", "email_norm", "company_norm"}

// Save writes l back if it is still at version read: a concurrent writer
// that got there first makes this a 412 instead of a lost update.
// UpdateColumns keeps GORM from stamping its own updated_at over the one
// the service set and returns to the client.
func (s *Store) Save(ctx context.Context, l *Lead, read int) error {
	l.SetNorms()
	res := s.db.Conn(ctx).Model(&Lead{}).Where("id = ? AND version = ?", l.ID, read).Select(mutable).UpdateColumns(l)
	if res.Error != nil {
		return fmt.Errorf("lead.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// SoftDelete marks l deleted if it is still at version read.
func (s *Store) SoftDelete(ctx context.Context, l *Lead, read int) error {
	now := db.Now()
	res := s.db.Conn(ctx).Model(&Lead{}).Where("id = ? AND version = ?", l.ID, read).
		UpdateColumns(map[string]any{"deleted_at": now, "updated_at": now, "version": read + 1})
	if res.Error != nil {
		return fmt.Errorf("lead.delete: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// GetLive loads any live lead, whatever the scope: for bookkeeping the
// caller was allowed some other way (an activity about the lead).
func (s *Store) GetLive(ctx context.Context, _ *authz.Actor, id string) (*Lead, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("lead")
	}
	var l Lead
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&l).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("lead")
	}
	if err != nil {
		return nil, fmt.Errorf("lead.get: %w", err)
	}
	return &l, nil
}

// VisibleIDs is a subquery of the ids of the leads in the actor's scope.
func (s *Store) VisibleIDs(ctx context.Context, a *authz.Actor) *gorm.DB {
	return s.scoped(ctx, a).Select("leads.id")
}

// leadSpec is what the lead list sorts by.
var leadSpec = paging.Spec[Lead]{
	Columns: map[string]paging.Column[Lead]{
		"created_at": {Expr: "leads.created_at", Time: true, Get: func(l *Lead) any { return l.CreatedAt }},
		"updated_at": {Expr: "leads.updated_at", Time: true, Get: func(l *Lead) any { return l.UpdatedAt }},
		"name":       {Expr: "leads.name", Get: func(l *Lead) any { return l.Name }},
		"company":    {Expr: "leads.company", Get: func(l *Lead) any { return l.Company }},
		"status":     {Expr: "leads.status", Get: func(l *Lead) any { return l.Status }},
	},
	Default: "-created_at",
	IDExpr:  "leads.id",
	ID:      func(l *Lead) string { return l.ID },
}
