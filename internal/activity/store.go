package activity

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"gorm.io/gorm"
)

// Store reads and writes activities. Reads start from visible, so the
// visibility rule cannot be forgotten on one path.
type Store struct{ db *db.DB }

// NewStore builds a Store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// visible is the activities the actor may see: owned by someone in their
// data scope, or with them as a participant, or about a record they see
// (one subquery per registered target).
func (s *Store) visible(ctx context.Context, a *authz.Actor, related map[string]*gorm.DB) *gorm.DB {
	q := s.db.Conn(ctx).Model(&Activity{})
	if a == nil {
		return q.Where("1 = 0")
	}
	if a.SeesAll() {
		return q
	}
	fresh := func() *gorm.DB { return s.db.Conn(ctx).Session(&gorm.Session{NewDB: true}) }
	cond := authz.Scope(a, "activities.owner_id")(fresh()).
		Or("activities.id IN (?)", fresh().Model(&Participant{}).Select("activity_id").Where("user_id = ?", a.UserID))
	// Sorted for a stable statement (prepared-statement caches).
	types := make([]string, 0, len(related))
	for t := range related {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		// A correlated EXISTS (one primary-key probe per candidate row), not
		// IN (subquery): IN builds the whole set of records in scope, a
		// hash of hundreds of thousands of ids, before the first row of a
		// 20-row page.
		cond = cond.Or(fresh().Where("activities.related_type = ? AND EXISTS (SELECT 1 FROM (?) AS v WHERE v.id = activities.related_id)",
			t, related[t]))
	}
	return q.Where(cond)
}

// get loads one activity from base with its participants.
func (s *Store) get(ctx context.Context, base *gorm.DB, id string) (*Activity, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("activity")
	}
	var a Activity
	err := base.Where("activities.id = ?", id).Take(&a).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("activity")
	}
	if err != nil {
		return nil, fmt.Errorf("activity.get: %w", err)
	}
	if err := s.loadParticipants(ctx, []*Activity{&a}); err != nil {
		return nil, err
	}
	return &a, nil
}

// loadParticipants fills in the participants of the activities.
func (s *Store) loadParticipants(ctx context.Context, as []*Activity) error {
	if len(as) == 0 {
		return nil
	}
	ids := make([]string, len(as))
	byID := make(map[string]*Activity, len(as))
	for i, a := range as {
		ids[i], byID[a.ID] = a.ID, a
		a.Participants = []string{}
	}
	var ps []Participant
	if err := s.db.Conn(ctx).Where("activity_id IN ?", ids).Order("user_id").Find(&ps).Error; err != nil {
		return fmt.Errorf("activity.participants: %w", err)
	}
	for _, p := range ps {
		byID[p.ActivityID].Participants = append(byID[p.ActivityID].Participants, p.UserID)
	}
	return nil
}

// Filter narrows an activity list.
type Filter struct {
	RelatedType, RelatedID, OwnerID, Type, Status string
	// OwnerTeams limits owners to the members of these teams (team_id and
	// its sub-teams).
	OwnerTeams []string
	// ParticipantID lists activities the user takes part in.
	ParticipantID string
	From, To      *time.Time // on start_at, To exclusive
}

func (s *Store) filter(ctx context.Context, q *gorm.DB, f Filter) *gorm.DB {
	for col, v := range map[string]string{"activities.related_type": f.RelatedType,
		"activities.related_id": f.RelatedID, "activities.owner_id": f.OwnerID, "activities.type": f.Type,
		"activities.status": f.Status} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	if f.OwnerTeams != nil {
		q = q.Where("activities.owner_id IN (SELECT id FROM users WHERE team_id IN ?)", f.OwnerTeams)
	}
	if f.ParticipantID != "" {
		q = q.Where("activities.id IN (?)", s.db.Conn(ctx).Model(&Participant{}).Select("activity_id").
			Where("user_id = ?", f.ParticipantID))
	}
	if f.From != nil {
		q = q.Where("activities.start_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("activities.start_at < ?", *f.To)
	}
	return q
}

// overlapping is the activities of users (ids, or a subquery of them),
// owned or taken part in, that overlap [from, to): the calendar.
func (s *Store) overlapping(ctx context.Context, q *gorm.DB, users any, from, to time.Time) *gorm.DB {
	fresh := s.db.Conn(ctx).Session(&gorm.Session{NewDB: true})
	return q.Where(fresh.Where("activities.owner_id IN (?)", users).
		Or("activities.id IN (?)", s.db.Conn(ctx).Model(&Participant{}).Select("activity_id").Where("user_id IN (?)", users))).
		Where("activities.start_at < ? AND COALESCE(activities.end_at, activities.start_at) >= ?", to, from)
}

// create inserts an activity and its participants.
func (s *Store) create(ctx context.Context, a *Activity) error {
	if err := s.db.Conn(ctx).Create(a).Error; err != nil {
		return fmt.Errorf("activity.create: %w", err)
	}
	return s.setParticipants(ctx, a.ID, a.Participants)
}

// setParticipants replaces an activity's participants.
func (s *Store) setParticipants(ctx context.Context, id string, users []string) error {
	conn := s.db.Conn(ctx)
	if err := conn.Where("activity_id = ?", id).Delete(&Participant{}).Error; err != nil {
		return fmt.Errorf("activity.participants: %w", err)
	}
	if len(users) == 0 {
		return nil
	}
	ps := make([]Participant, len(users))
	for i, u := range users {
		ps[i] = Participant{ActivityID: id, UserID: u}
	}
	if err := conn.Create(&ps).Error; err != nil {
		return fmt.Errorf("activity.participants: %w", err)
	}
	return nil
}

var mutable = []string{"type", "subject", "owner_id", "status", "start_at", "end_at", "remind_before", "remind_at",
	"location", "notes", "outcome", "next_follow_up_at", "done_at", "cancelled_at", "check_in_at", "check_in_lat",
	"check_in_lng", "check_in_acc", "check_in_dist", "check_out_at", "check_out_lat", "check_out_lng",
	"check_out_acc", "check_out_dist", "updated_at", "version"}

// save writes a back if it is still at version read (else 412).
func (s *Store) save(ctx context.Context, a *Activity, read int) error {
	res := s.db.Conn(ctx).Model(&Activity{}).Where("id = ? AND version = ?", a.ID, read).Select(mutable).
		UpdateColumns(a)
	if res.Error != nil {
		return fmt.Errorf("activity.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return s.setParticipants(ctx, a.ID, a.Participants)
}

// delete removes an activity (its participants go with it) if it is
// still at version read.
func (s *Store) delete(ctx context.Context, a *Activity, read int) error {
	conn := s.db.Conn(ctx)
	res := conn.Where("id = ? AND version = ?", a.ID, read).Delete(&Activity{})
	if res.Error != nil {
		return fmt.Errorf("activity.delete: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	if err := conn.Where("activity_id = ?", a.ID).Delete(&Participant{}).Error; err != nil {
		return fmt.Errorf("activity.delete: %w", err)
	}
	return nil
}

// moveCustomer is the customer merge hook: activities about a merged
// customer are about the one it went into.
func (s *Store) moveCustomer(ctx context.Context, target string, sources []string) (int64, error) {
	res := s.db.Conn(ctx).Model(&Activity{}).Where("related_type = ? AND related_id IN ?", "customer", sources).
		UpdateColumn("related_id", target)
	if res.Error != nil {
		return 0, fmt.Errorf("activity.merge_customers: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// fetch runs a paged list and loads the participants of the page.
func (s *Store) fetch(ctx context.Context, q *paging.Query[Activity], base *gorm.DB) (paging.Page[Activity], error) {
	page, err := q.FetchByID(base) // ids first: see paging.FetchByID
	if err != nil {
		return page, fmt.Errorf("activity.list: %w", err)
	}
	ptrs := make([]*Activity, len(page.Data))
	for i := range page.Data {
		ptrs[i] = &page.Data[i]
	}
	return page, s.loadParticipants(ctx, ptrs)
}

// activitySpec is what activity lists sort by.
var activitySpec = paging.Spec[Activity]{
	Columns: map[string]paging.Column[Activity]{
		"start_at":   {Expr: "activities.start_at", Time: true, Get: func(a *Activity) any { return a.StartAt }},
		"created_at": {Expr: "activities.created_at", Time: true, Get: func(a *Activity) any { return a.CreatedAt }},
	},
	Default: "-start_at",
	IDExpr:  "activities.id",
	ID:      func(a *Activity) string { return a.ID },
}

// followUpSpec pages done activities as follow-ups, newest contact first.
// done_at is set on every done activity.
var followUpSpec = paging.Spec[Activity]{
	Columns: map[string]paging.Column[Activity]{
		"followed_at": {Expr: "activities.done_at", Time: true, Get: func(a *Activity) any { return a.DoneAt }},
		"created_at":  {Expr: "activities.created_at", Time: true, Get: func(a *Activity) any { return a.CreatedAt }},
	},
	Default: "-followed_at",
	IDExpr:  "activities.id",
	ID:      func(a *Activity) string { return a.ID },
}

// aboutCustomer is the activities about a customer, its contacts and the
// leads converted into it.
func (s *Store) aboutCustomer(ctx context.Context, customerID string) *gorm.DB {
	conn := s.db.Conn(ctx)
	fresh := conn.Session(&gorm.Session{NewDB: true})
	return conn.Model(&Activity{}).Where(fresh.
		Where("activities.related_type = ? AND activities.related_id = ?", "customer", customerID).
		Or("activities.related_type = ? AND activities.related_id IN (SELECT id FROM contacts WHERE customer_id = ?)",
			"contact", customerID).
		Or("activities.related_type = ? AND activities.related_id IN (SELECT id FROM leads WHERE customer_id = ? AND deleted_at IS NULL)",
			"lead", customerID))
}

// overlappingTeams is overlapping for the members of teams.
func (s *Store) overlappingTeams(ctx context.Context, q *gorm.DB, teams []string, from, to time.Time) *gorm.DB {
	members := s.db.Conn(ctx).Table("users").Select("id").Where("team_id IN ?", teams)
	return s.overlapping(ctx, q, members, from, to)
}

// putFeedToken sets a user's feed token hash, replacing any other.
func (s *Store) putFeedToken(ctx context.Context, userID, hash string) error {
	conn := s.db.Conn(ctx)
	if err := conn.Where("user_id = ?", userID).Delete(&FeedToken{}).Error; err != nil {
		return fmt.Errorf("activity.feed_token: %w", err)
	}
	if err := conn.Create(&FeedToken{UserID: userID, TokenHash: hash, CreatedAt: db.Now()}).Error; err != nil {
		return fmt.Errorf("activity.feed_token: %w", err)
	}
	return nil
}

// deleteFeedToken removes a user's feed token; false when there was none.
func (s *Store) deleteFeedToken(ctx context.Context, userID string) (bool, error) {
	res := s.db.Conn(ctx).Where("user_id = ?", userID).Delete(&FeedToken{})
	if res.Error != nil {
		return false, fmt.Errorf("activity.feed_token: %w", res.Error)
	}
	return res.RowsAffected > 0, nil
}

// feedUser is the user whose token has this hash, or apperr NotFound.
func (s *Store) feedUser(ctx context.Context, hash string) (string, error) {
	var t FeedToken
	err := s.db.Conn(ctx).Where("token_hash = ?", hash).Take(&t).Error
	if db.IsNotFound(err) {
		return "", apperr.NotFound("calendar_feed")
	}
	if err != nil {
		return "", fmt.Errorf("activity.feed_user: %w", err)
	}
	return t.UserID, nil
}
