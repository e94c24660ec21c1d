package approval

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"gorm.io/gorm"
)

// Store reads and writes rules, requests, their approvers and the trail.
// Every read of requests on behalf of a caller starts from visible, so the
// scope cannot be forgotten on one path.
type Store struct{ db *db.DB }

// NewStore builds a Store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// visible is the requests the actor may see: those they submitted (a
// manager: also their team subtree's, as with any record), those they sit
// on as an approver, and all of them for admins and API keys.
func (s *Store) visible(ctx context.Context, a *authz.Actor) *gorm.DB {
	q := s.db.Conn(ctx).Model(&Request{})
	switch {
	case a == nil:
		return q.Where("1 = 0")
	case a.SeesAll():
		return q
	}
	fresh := func() *gorm.DB { return s.db.Conn(ctx).Session(&gorm.Session{NewDB: true}) }
	return q.Where(authz.Scope(a, "approval_requests.submitted_by")(fresh()).
		Or("EXISTS (SELECT 1 FROM approval_approvers aa WHERE aa.request_id = approval_requests.id AND aa.user_id = ?)", a.UserID))
}

func take(q *gorm.DB, id string) (*Request, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("approval")
	}
	var r Request
	err := q.Where("approval_requests.id = ?", id).Take(&r).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("approval")
	}
	if err != nil {
		return nil, fmt.Errorf("approval.get: %w", err)
	}
	return &r, nil
}

// Get loads a request the actor may see.
func (s *Store) Get(ctx context.Context, a *authz.Actor, id string) (*Request, error) {
	return take(s.visible(ctx, a), id)
}

// Lock loads a request the actor may see and locks it until the
// transaction ends, so decisions on it happen one at a time.
func (s *Store) Lock(ctx context.Context, a *authz.Actor, id string) (*Request, error) {
	return take(s.db.ForUpdate(s.visible(ctx, a)), id)
}

// LockPending loads and locks the pending request of a document, or nil.
func (s *Store) LockPending(ctx context.Context, entity, docID string) (*Request, error) {
	var r Request
	err := s.db.ForUpdate(s.db.Conn(ctx).Model(&Request{})).Where("pending_key = ?", *pendingKey(entity, docID)).Take(&r).Error
	if db.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("approval.pending: %w", err)
	}
	return &r, nil
}

// HasPending reports whether a document has a pending request.
func (s *Store) HasPending(ctx context.Context, entity, docID string) (bool, error) {
	var n int64
	if err := s.db.Conn(ctx).Model(&Request{}).Where("pending_key = ?", *pendingKey(entity, docID)).Count(&n).Error; err != nil {
		return false, fmt.Errorf("approval.has_pending: %w", err)
	}
	return n > 0, nil
}

// OfDocument lists every request of a document, oldest first.
func (s *Store) OfDocument(ctx context.Context, entity, docID string) ([]Request, error) {
	var out []Request
	if err := s.db.Conn(ctx).Where("entity = ? AND doc_id = ?", entity, docID).Order("created_at, id").
		Find(&out).Error; err != nil {
		return nil, fmt.Errorf("approval.of_document: %w", err)
	}
	return out, nil
}

// Filter narrows the request list.
type Filter struct {
	Status []string
	Entity string
	// Assignee "me" keeps the pending requests whose current step
	// includes the caller, who has not decided yet: the inbox.
	Assignee string
}

// Query is the visible, filtered base of a list; the caller pages it.
func (s *Store) Query(ctx context.Context, a *authz.Actor, f Filter) *gorm.DB {
	q := s.visible(ctx, a)
	if len(f.Status) > 0 {
		q = q.Where("approval_requests.status IN ?", f.Status)
	}
	if f.Entity != "" {
		q = q.Where("approval_requests.entity = ?", f.Entity)
	}
	if f.Assignee == AssigneeMe {
		q = q.Where("approval_requests.status = ? AND EXISTS (SELECT 1 FROM approval_approvers aa "+
			"WHERE aa.request_id = approval_requests.id AND aa.step = approval_requests.current_step "+
			"AND aa.user_id = ? AND aa.decision = '')", StatusPending, a.UserID)
	}
	return q
}

// Create inserts a request with its approvers and first trail entry. A
// document that got a pending request meanwhile is a 409.
func (s *Store) Create(ctx context.Context, r *Request, seats []Approver, first *Action) error {
	conn := s.db.Conn(ctx)
	if err := conn.Create(r).Error; err != nil {
		if db.IsDuplicate(err) {
			return alreadyPending()
		}
		return fmt.Errorf("approval.create: %w", err)
	}
	if err := conn.Create(&seats).Error; err != nil {
		return fmt.Errorf("approval.create_approvers: %w", err)
	}
	return s.AddAction(ctx, first)
}

// Save writes a request's changing columns if it is still at version read.
func (s *Store) Save(ctx context.Context, r *Request, read int) error {
	res := s.db.Conn(ctx).Model(&Request{}).Where("id = ? AND version = ?", r.ID, read).
		Select("status", "current_step", "pending_key", "decided_at", "updated_at", "version").UpdateColumns(r)
	if res.Error != nil {
		return fmt.Errorf("approval.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// Seats lists a user's seats on a request, by step.
func (s *Store) Seats(ctx context.Context, requestID, userID string) ([]Approver, error) {
	var out []Approver
	if err := s.db.Conn(ctx).Where("request_id = ? AND user_id = ?", requestID, userID).Order("step").
		Find(&out).Error; err != nil {
		return nil, fmt.Errorf("approval.seats: %w", err)
	}
	return out, nil
}

// Decide records a seat's decision unless it has one already.
func (s *Store) Decide(ctx context.Context, seat *Approver) error {
	res := s.db.Conn(ctx).Model(&Approver{}).Where("id = ? AND decision = ''", seat.ID).
		Updates(map[string]any{"decision": seat.Decision, "decided_at": seat.DecidedAt})
	if res.Error != nil {
		return fmt.Errorf("approval.decide: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return alreadyDecided()
	}
	return nil
}

// Undecided counts the seats of a step still waiting for a decision.
func (s *Store) Undecided(ctx context.Context, requestID string, step int) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&Approver{}).Where("request_id = ? AND step = ? AND decision = ''", requestID, step).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("approval.undecided: %w", err)
	}
	return n, nil
}

// StepApprovers lists the user ids seated on a step.
func (s *Store) StepApprovers(ctx context.Context, requestID string, step int) ([]string, error) {
	var ids []string
	if err := s.db.Conn(ctx).Model(&Approver{}).Where("request_id = ? AND step = ?", requestID, step).
		Order("user_id").Pluck("user_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("approval.step_approvers: %w", err)
	}
	return ids, nil
}

// AddAction appends to the trail.
func (s *Store) AddAction(ctx context.Context, a *Action) error {
	if err := s.db.Conn(ctx).Create(a).Error; err != nil {
		return fmt.Errorf("approval.action: %w", err)
	}
	return nil
}

// Details loads the seats and trail of some requests, keyed by request id;
// seats by step then user, the trail oldest first.
func (s *Store) Details(ctx context.Context, ids []string) (map[string][]Approver, map[string][]Action, error) {
	seats, acts := map[string][]Approver{}, map[string][]Action{}
	if len(ids) == 0 {
		return seats, acts, nil
	}
	var as []Approver
	if err := s.db.Conn(ctx).Where("request_id IN ?", ids).Order("step, user_id").Find(&as).Error; err != nil {
		return nil, nil, fmt.Errorf("approval.details: %w", err)
	}
	for _, a := range as {
		seats[a.RequestID] = append(seats[a.RequestID], a)
	}
	var xs []Action
	if err := s.db.Conn(ctx).Where("request_id IN ?", ids).Order("created_at, id").Find(&xs).Error; err != nil {
		return nil, nil, fmt.Errorf("approval.details: %w", err)
	}
	for _, x := range xs {
		acts[x.RequestID] = append(acts[x.RequestID], x)
	}
	return seats, acts, nil
}

// ---- rules ----

// Rules lists the rules, of one entity when given, in the order they are
// tried: entity, then highest min_amount, then newest.
func (s *Store) Rules(ctx context.Context, entity string) ([]Rule, error) {
	q := s.db.Conn(ctx).Model(&Rule{})
	if entity != "" {
		q = q.Where("entity = ?", entity)
	}
	var out []Rule
	if err := q.Order("entity, min_amount DESC, created_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("approval.rules: %w", err)
	}
	return out, nil
}

// Rule loads one rule.
func (s *Store) Rule(ctx context.Context, id string) (*Rule, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("approval_rule")
	}
	var r Rule
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&r).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("approval_rule")
	}
	if err != nil {
		return nil, fmt.Errorf("approval.rule: %w", err)
	}
	return &r, nil
}

// PickRule finds the active rule for an entity with the highest
// min_amount not above amount, the newest on a tie; nil when none.
func (s *Store) PickRule(ctx context.Context, entity string, amount money.Amount) (*Rule, error) {
	var r Rule
	err := s.db.Conn(ctx).Where("entity = ? AND active = ? AND min_amount <= ?", entity, true, amount).
		Order("min_amount DESC, created_at DESC, id DESC").Take(&r).Error
	if db.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("approval.pick_rule: %w", err)
	}
	return &r, nil
}

// CreateRule inserts a rule.
func (s *Store) CreateRule(ctx context.Context, r *Rule) error {
	if err := s.db.Conn(ctx).Create(r).Error; err != nil {
		return fmt.Errorf("approval.create_rule: %w", err)
	}
	return nil
}

// SaveRule writes a rule back if it is still at version read (else 412).
func (s *Store) SaveRule(ctx context.Context, r *Rule, read int) error {
	res := s.db.Conn(ctx).Model(&Rule{}).Where("id = ? AND version = ?", r.ID, read).
		Select("name", "entity", "min_amount", "steps", "active", "updated_at", "version").UpdateColumns(r)
	if res.Error != nil {
		return fmt.Errorf("approval.save_rule: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// DeleteRule removes a rule if it is still at version read. Requests it
// chose keep its name and their snapshot of its steps.
func (s *Store) DeleteRule(ctx context.Context, r *Rule, read int) error {
	res := s.db.Conn(ctx).Where("id = ? AND version = ?", r.ID, read).Delete(&Rule{})
	if res.Error != nil {
		return fmt.Errorf("approval.delete_rule: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// ---- the organisation, for resolving approvers ----

func (s *Store) activeUsers(ctx context.Context) *gorm.DB {
	return s.db.Conn(ctx).Model(&org.User{}).Where("active = ?", true).Order("id")
}

// WithRole lists the active users with a role.
func (s *Store) WithRole(ctx context.Context, role string) ([]string, error) {
	var ids []string
	if err := s.activeUsers(ctx).Where("role = ?", role).Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("approval.with_role: %w", err)
	}
	return ids, nil
}

// ActiveAmong keeps the ids of active users, in id order.
func (s *Store) ActiveAmong(ctx context.Context, ids []string) ([]string, error) {
	var out []string
	if len(ids) == 0 {
		return out, nil
	}
	if err := s.activeUsers(ctx).Where("id IN ?", ids).Pluck("id", &out).Error; err != nil {
		return nil, fmt.Errorf("approval.active_among: %w", err)
	}
	return out, nil
}

// ManagersAbove finds the active managers of team, other than exclude; a
// team with none hands over to its parent, up to the root. Nil when no
// team on the way has one.
func (s *Store) ManagersAbove(ctx context.Context, team, exclude string) ([]string, error) {
	var teams []org.Team
	if err := s.db.Conn(ctx).Select("id", "parent_id").Find(&teams).Error; err != nil {
		return nil, fmt.Errorf("approval.teams: %w", err)
	}
	parent := make(map[string]string, len(teams))
	for _, t := range teams {
		if t.ParentID != nil {
			parent[t.ID] = *t.ParentID
		}
	}
	// The tree has no cycles (team updates refuse them); seen guards anyway.
	var seen []string
	for ; team != "" && !slices.Contains(seen, team); team = parent[team] {
		seen = append(seen, team)
		var ids []string
		if err := s.activeUsers(ctx).Where("role = ? AND team_id = ? AND id <> ?", authz.RoleManager, team, exclude).
			Pluck("id", &ids).Error; err != nil {
			return nil, fmt.Errorf("approval.managers: %w", err)
		}
		if len(ids) > 0 {
			return ids, nil
		}
	}
	return nil, nil
}

// UserStatus reports whether a user exists and whether they are active.
func (s *Store) UserStatus(ctx context.Context, id string) (exists, active bool, err error) {
	var u org.User
	err = s.db.Conn(ctx).Select("id", "active").Where("id = ?", id).Take(&u).Error
	if db.IsNotFound(err) {
		return false, false, nil
	}
	if err != nil {
		return false, false, fmt.Errorf("approval.user: %w", err)
	}
	return true, u.Active, nil
}
