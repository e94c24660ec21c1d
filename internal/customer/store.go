package customer

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"gorm.io/gorm"
)

// Store reads and writes customers. Every read starts from scoped (the
// actor's data scope) or visible (scope plus the public pool), so the
// data scope cannot be forgotten on one path.
type Store struct{ db *db.DB }

// NewStore builds a Store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// ownerCol is the column the data scope judges customers by.
const ownerCol = "customers.owner_id"

// scoped is the live customers the actor owns or manages: the base of
// lists, writes, follow-ups and the timeline.
func (s *Store) scoped(ctx context.Context, a *authz.Actor) *gorm.DB {
	return authz.Scope(a, ownerCol)(s.db.Conn(ctx).Model(&Customer{}))
}

// visible is scoped plus the public pool, which every user may look at
// (masked) before claiming: the base of single-customer reads.
func (s *Store) visible(ctx context.Context, a *authz.Actor) *gorm.DB {
	q := s.db.Conn(ctx).Model(&Customer{})
	if a == nil {
		return q.Where("1 = 0")
	}
	if a.SeesAll() {
		return q
	}
	fresh := func() *gorm.DB { return s.db.Conn(ctx).Session(&gorm.Session{NewDB: true}) }
	return q.Where(fresh().Where(ownerCol + " IS NULL").Or(authz.Scope(a, ownerCol)(fresh())))
}

// pool is the live customers without an owner.
func (s *Store) pool(ctx context.Context) *gorm.DB {
	return s.db.Conn(ctx).Model(&Customer{}).Where(ownerCol + " IS NULL")
}

func (s *Store) take(q *gorm.DB, id string) (*Customer, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("customer")
	}
	var c Customer
	err := q.Where("customers.id = ?", id).Take(&c).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("customer")
	}
	if err != nil {
		return nil, fmt.Errorf("customer.get: %w", err)
	}
	return &c, nil
}

// Get loads a customer in the actor's scope (not the pool).
func (s *Store) Get(ctx context.Context, a *authz.Actor, id string) (*Customer, error) {
	return s.take(s.scoped(ctx, a), id)
}

// GetVisible loads a customer in the actor's scope or in the pool.
func (s *Store) GetVisible(ctx context.Context, a *authz.Actor, id string) (*Customer, error) {
	return s.take(s.visible(ctx, a), id)
}

// GetLive loads any live customer, whatever the scope: only for claims,
// which must tell a caller that a pool customer they saw has meanwhile
// been claimed (409, without saying by whom) rather than 404.
func (s *Store) GetLive(ctx context.Context, id string) (*Customer, error) {
	return s.take(s.db.Conn(ctx).Model(&Customer{}), id)
}

// Filter narrows a customer list.
type Filter struct {
	Industry, Region, OwnerID, Q, Phone, Email string
	Size, Potential, Level, Lifecycle, Source  []string
	Tags                                       []string // all of them
	Locked                                     *bool
	CreatedFrom, CreatedTo                     *time.Time // To exclusive
	FollowedFrom, FollowedTo                   *time.Time // on last_followed_at, To exclusive
	// masked: the caller sees these customers' phone and email masked, so
	// q must not search them (a substring search would unmask them digit
	// by digit).
	masked bool
}

// apply adds the filter to q.
func (f Filter) apply(q *gorm.DB) *gorm.DB {
	eq := map[string]string{"customers.industry": f.Industry, "customers.region": f.Region,
		"customers.owner_id": f.OwnerID, "customers.phone": f.Phone, "customers.email": f.Email}
	for col, v := range eq {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	in := map[string][]string{"customers.size": f.Size, "customers.potential": f.Potential,
		"customers.level": f.Level, "customers.lifecycle_stage": f.Lifecycle, "customers.source": f.Source}
	for col, v := range in {
		if len(v) > 0 {
			q = q.Where(col+" IN ?", v)
		}
	}
	for _, t := range f.Tags {
		// Tags are a JSON array in text: match the encoded, quoted element.
		enc, _ := json.Marshal(t)
		q = q.Where(`customers.tags LIKE ? ESCAPE '\'`, "%"+db.LikeEscape(string(enc))+"%")
	}
	if f.Locked != nil {
		q = q.Where("customers.locked = ?", *f.Locked)
	}
	if f.Q != "" {
		cols := []string{"customers.name", "customers.website", "customers.address"}
		if !f.masked {
			cols = append(cols, "customers.phone", "customers.email")
		}
		q = db.Contains(q, f.Q, cols...)
	}
	times := []struct {
		cond string
		t    *time.Time
	}{{"customers.created_at >= ?", f.CreatedFrom}, {"customers.created_at < ?", f.CreatedTo},
		{"customers.last_followed_at >= ?", f.FollowedFrom}, {"customers.last_followed_at < ?", f.FollowedTo}}
	for _, c := range times {
		if c.t != nil {
			q = q.Where(c.cond, *c.t)
		}
	}
	return q
}

// Query is the scoped, filtered base of GET /customers.
func (s *Store) Query(ctx context.Context, a *authz.Actor, f Filter) *gorm.DB {
	return f.apply(s.scoped(ctx, a))
}

// PoolQuery is the filtered base of GET /customers/pool as the actor may
// search it; owner_id does not apply there.
func (s *Store) PoolQuery(ctx context.Context, a *authz.Actor, f Filter) *gorm.DB {
	f.OwnerID = ""
	f.masked = a == nil || !a.SeesAll()
	return f.apply(s.pool(ctx))
}

// Create inserts a customer.
func (s *Store) Create(ctx context.Context, c *Customer) error {
	c.SetNorms()
	if err := s.db.Conn(ctx).Create(c).Error; err != nil {
		return fmt.Errorf("customer.create: %w", err)
	}
	return nil
}

// mutable lists the columns a write may change.
var mutable = []string{"name", "industry", "size", "potential", "level", "region", "address", "phone", "email",
	"website", "source", "tags", "lifecycle_stage", "owner_id", "locked", "owned_since", "last_followed_at",
	"recycle_warned_at", "updated_at", "version", "phone_norm", "email_norm", "name_norm", "next_follow_up_at",
	"latitude", "longitude"}

// Save writes c back if it is still at version read (else 412), so a
// concurrent writer is never silently overwritten. UpdateColumns keeps
// the updated_at the service set.
func (s *Store) Save(ctx context.Context, c *Customer, read int) error {
	c.SetNorms()
	res := s.db.Conn(ctx).Model(&Customer{}).Where("id = ? AND version = ?", c.ID, read).Select(mutable).
		UpdateColumns(c)
	if res.Error != nil {
		return fmt.Errorf("customer.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// Claim gives a pool customer to owner, but only while it is still in the
// pool: of several concurrent claims exactly one changes the row (the
// others see owner_id set once the winner commits) and reports true.
func (s *Store) Claim(ctx context.Context, id, owner string, now time.Time) (bool, error) {
	res := s.db.Conn(ctx).Model(&Customer{}).Where("id = ? AND owner_id IS NULL", id).
		UpdateColumns(map[string]any{"owner_id": owner, "owned_since": now, "recycle_warned_at": nil,
			"updated_at": now, "version": gorm.Expr("version + 1")})
	if res.Error != nil {
		return false, fmt.Errorf("customer.claim: %w", res.Error)
	}
	return res.RowsAffected == 1, nil
}

// SoftDelete marks c deleted if it is still at version read.
func (s *Store) SoftDelete(ctx context.Context, c *Customer, read int) error {
	now := db.Now()
	res := s.db.Conn(ctx).Model(&Customer{}).Where("id = ? AND version = ?", c.ID, read).
		UpdateColumns(map[string]any{"deleted_at": now, "updated_at": now, "version": read + 1})
	if res.Error != nil {
		return fmt.Errorf("customer.delete: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// CountOwned counts the live customers a user owns.
func (s *Store) CountOwned(ctx context.Context, userID string) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&Customer{}).Where("owner_id = ?", userID).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("customer.count_owned: %w", err)
	}
	return n, nil
}

// LockOwner serialises the claims of one user inside the transaction, so
// two claims at once cannot both pass the per-rep limit. SQLite
// transactions already run one writer at a time (IMMEDIATE); PostgreSQL
// takes a transaction-scoped advisory lock on the user id.
func (s *Store) LockOwner(ctx context.Context, userID string) error {
	if s.db.Dialect() != db.Postgres {
		return nil
	}
	if err := s.db.Conn(ctx).Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))",
		"customer-owner:"+userID).Error; err != nil {
		return fmt.Errorf("customer.lock_owner: %w", err)
	}
	return nil
}

// RecordOwnership appends to the ownership history.
func (s *Store) RecordOwnership(ctx context.Context, e *OwnershipEvent) error {
	if err := s.db.Conn(ctx).Create(e).Error; err != nil {
		return fmt.Errorf("customer.ownership_event: %w", err)
	}
	return nil
}

// LastRelease is when userID last gave the customer back to the pool
// (released it, or had it recycled), or nil.
func (s *Store) LastRelease(ctx context.Context, customerID, userID string) (*time.Time, error) {
	var e OwnershipEvent
	err := s.db.Conn(ctx).Where("customer_id = ? AND from_user_id = ? AND action IN ?", customerID, userID,
		[]string{ActionRelease, ActionRecycle}).Order("created_at DESC").Take(&e).Error
	if db.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("customer.last_release: %w", err)
	}
	return &e.CreatedAt, nil
}

// customerSpec is what customer lists sort by.
var customerSpec = paging.Spec[Customer]{
	Columns: map[string]paging.Column[Customer]{
		"created_at": {Expr: "customers.created_at", Time: true, Get: func(c *Customer) any { return c.CreatedAt }},
		"updated_at": {Expr: "customers.updated_at", Time: true, Get: func(c *Customer) any { return c.UpdatedAt }},
		"name":       {Expr: "customers.name", Get: func(c *Customer) any { return c.Name }},
	},
	Default: "-created_at",
	IDExpr:  "customers.id",
	ID:      func(c *Customer) string { return c.ID },
}
