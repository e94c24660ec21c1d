package activity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/reminder"
	"github.com/opencrm/crm/internal/settings"
	"gorm.io/gorm"
)

// Directory finds users and teams (org.Store).
type Directory interface {
	UserByID(ctx context.Context, id string) (*org.User, error)
	AssignableOwner(ctx context.Context, a *authz.Actor, field, id string) (*org.User, error)
	TeamSubtree(ctx context.Context, teamID string) ([]string, error)
}

// Reminders schedules and cancels due reminders in the caller's
// transaction (reminder.Service).
type Reminders interface {
	Schedule(ctx context.Context, r reminder.Reminder) error
	CancelPrefix(ctx context.Context, prefix string) error
}

// Service holds the activity use cases.
type Service struct {
	db        *db.DB
	store     *Store
	users     Directory
	audit     *audit.Writer
	reminders Reminders
	targets   map[string]Target
	writes    record.Mutation[*Activity]
}

// NewService wires the activity service; register what activities may be
// about with RegisterTarget (UseBuiltinTargets for leads, customers and
// contacts).
func NewService(d *db.DB, st *Store, users Directory, aw *audit.Writer, r Reminders) *Service {
	return &Service{db: d, store: st, users: users, audit: aw, reminders: r, targets: map[string]Target{},
		writes: record.Mutation[*Activity]{DB: d, Audit: aw, Entity: "activity", Save: st.save,
			ID: func(a *Activity) string { return a.ID }, View: func(a *Activity) any { return View(a) }}}
}

// visible is the base of every read: what the caller may see.
func (s *Service) visible(ctx context.Context) *gorm.DB {
	related := make(map[string]*gorm.DB, len(s.targets))
	for t, tg := range s.targets {
		related[t] = tg.VisibleIDs(ctx)
	}
	return s.store.visible(ctx, authz.ActorFrom(ctx), related)
}

// Get loads an activity the caller may see.
func (s *Service) Get(ctx context.Context, id string) (*Activity, error) {
	if err := authz.Require(ctx, "activities:read"); err != nil {
		return nil, err
	}
	return s.store.get(ctx, s.visible(ctx), id)
}

// List pages through the activities the caller may see.
func (s *Service) List(ctx context.Context, f Filter, teamID string, r paging.Request) (paging.Page[Activity], error) {
	if err := authz.Require(ctx, "activities:read"); err != nil {
		return paging.Page[Activity]{}, err
	}
	q, err := activitySpec.Parse(r)
	if err != nil {
		return paging.Page[Activity]{}, err
	}
	var v validate.V
	v.OneOf("type", f.Type, Types...)
	v.OneOf("status", f.Status, Statuses...)
	if f.RelatedType != "" {
		v.OneOf("related_type", f.RelatedType, s.relatedTypes()...)
	}
	if err := v.Err(); err != nil {
		return paging.Page[Activity]{}, err
	}
	if teamID != "" {
		if f.OwnerTeams, err = s.teamTree(ctx, "team_id", teamID); err != nil {
			return paging.Page[Activity]{}, err
		}
	}
	return s.store.fetch(ctx, q, s.store.filter(ctx, s.visible(ctx), f))
}

// Create plans an activity about a record the caller sees. The owner is
// the caller unless owner_id names someone they may give records to.
func (s *Service) Create(ctx context.Context, req ActivityCreateRequest) (*Activity, error) {
	if err := authz.Require(ctx, "activities:write"); err != nil {
		return nil, err
	}
	actor := authz.ActorFrom(ctx)
	now := db.Now()
	a := &Activity{ID: uuid.Must(uuid.NewV7()).String(), Type: strings.TrimSpace(req.Type),
		Subject: strings.TrimSpace(req.Subject), RelatedType: strings.TrimSpace(req.RelatedType),
		RelatedID: strings.TrimSpace(req.RelatedID), OwnerID: actor.ID(), Status: StatusPlanned,
		Location: strings.TrimSpace(req.Location), Notes: strings.TrimSpace(req.Notes), CreatedBy: actor.ID(),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	var v validate.V
	if t, ok := v.Time("start_at", &req.StartAt); ok && v.Required("start_at", req.StartAt) && t != nil {
		a.StartAt = *t
	}
	a.EndAt, _ = v.Time("end_at", req.EndAt)
	s.setRemind(&v, a, req.RemindBefore, req.RemindAt)
	target := s.checkRelated(&v, a.RelatedType, a.RelatedID)
	check(&v, a)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.relatedIn(ctx, target, a.RelatedID); err != nil {
			return err
		}
		if owner := strings.TrimSpace(deref(req.OwnerID)); owner != "" && owner != actor.UserID {
			if _, err := s.users.AssignableOwner(ctx, actor, "owner_id", owner); err != nil {
				return err
			}
			a.OwnerID = owner
		}
		var err error
		if a.Participants, err = s.checkParticipants(ctx, req.ParticipantIDs); err != nil {
			return err
		}
		if err := s.store.create(ctx, a); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, "create", "activity", a.ID, nil, View(a)); err != nil {
			return err
		}
		return s.scheduleReminders(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Update changes the given fields of an activity the caller manages
// (owner in their data scope). A cancelled activity is closed (409).
// Moving start_at or the reminder moves the reminders.
func (s *Service) Update(ctx context.Context, id string, ifMatch *int, req ActivityUpdateRequest) (*Activity, error) {
	if err := authz.Require(ctx, "activities:write"); err != nil {
		return nil, err
	}
	return s.mutate(ctx, id, ifMatch, "update", func(ctx context.Context, a *Activity) error {
		if a.Status == StatusCancelled {
			return apperr.Conflict("invalid_transition", "invalid_transition")
		}
		var v validate.V
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = strings.TrimSpace(*src)
			}
		}
		set(&a.Type, req.Type)
		set(&a.Subject, req.Subject)
		set(&a.Location, req.Location)
		set(&a.Notes, req.Notes)
		set(&a.Outcome, req.Outcome)
		if req.StartAt != nil {
			if v.Required("start_at", *req.StartAt) {
				if t, ok := v.Time("start_at", req.StartAt); ok && t != nil {
					a.StartAt = *t
				}
			}
		}
		if req.EndAt != nil {
			a.EndAt, _ = v.Time("end_at", req.EndAt)
		}
		if req.RemindBefore != nil || req.RemindAt != nil {
			a.RemindBefore, a.RemindAt = nil, nil
			s.setRemind(&v, a, req.RemindBefore, req.RemindAt)
		}
		if check(&v, a); v.Err() != nil {
			return v.Err()
		}
		actor := authz.ActorFrom(ctx)
		if owner := strings.TrimSpace(deref(req.OwnerID)); owner != "" && owner != a.OwnerID {
			if _, err := s.users.AssignableOwner(ctx, actor, "owner_id", owner); err != nil {
				return err
			}
			a.OwnerID = owner
		}
		if req.ParticipantIDs != nil {
			ps, err := s.checkParticipants(ctx, *req.ParticipantIDs)
			if err != nil {
				return err
			}
			a.Participants = ps
		}
		return s.scheduleReminders(ctx, a)
	})
}

// Cancel calls a planned activity off and cancels its reminders; anything
// but planned is a 409.
func (s *Service) Cancel(ctx context.Context, id string, ifMatch *int) (*Activity, error) {
	if err := authz.Require(ctx, "activities:write"); err != nil {
		return nil, err
	}
	return s.mutate(ctx, id, ifMatch, "cancel", func(ctx context.Context, a *Activity) error {
		if a.Status != StatusPlanned {
			return apperr.Conflict("invalid_transition", "invalid_transition")
		}
		now := db.Now()
		a.Status, a.CancelledAt = StatusCancelled, &now
		return s.reminders.CancelPrefix(ctx, remindPrefix(a.ID))
	})
}

// Complete marks a planned activity done now and moves its record on as a
// follow-up does (last and next follow-up, a new lead contacted), cancels
// its reminders, all in one transaction. Done twice or cancelled: 409.
func (s *Service) Complete(ctx context.Context, id string, ifMatch *int, req CompleteRequest) (*Activity, error) {
	if err := authz.Require(ctx, "activities:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	var v validate.V
	next, _ := v.Time("next_follow_up_at", req.NextFollowUpAt)
	if next != nil && !next.After(now) {
		v.Add("next_follow_up_at", "in_past")
	}
	outcome := strings.TrimSpace(req.Outcome)
	v.MaxLen("outcome", outcome, maxText)
	if req.Notes != nil {
		v.MaxLen("notes", strings.TrimSpace(*req.Notes), maxText)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.mutate(ctx, id, ifMatch, "complete", func(ctx context.Context, a *Activity) error {
		if a.Status != StatusPlanned {
			return apperr.Conflict("invalid_transition", "invalid_transition")
		}
		a.Status, a.DoneAt, a.Outcome, a.NextFollowUpAt = StatusDone, &now, outcome, next
		if req.Notes != nil {
			a.Notes = strings.TrimSpace(*req.Notes)
		}
		if err := s.reminders.CancelPrefix(ctx, remindPrefix(a.ID)); err != nil {
			return err
		}
		return s.followedUp(ctx, a.RelatedType, a.RelatedID, now, next)
	})
}

// Delete removes an activity; only its owner or an admin may.
func (s *Service) Delete(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "activities:delete"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		a, err := s.store.get(ctx, s.visible(ctx), id)
		if err != nil {
			return err
		}
		if actor := authz.ActorFrom(ctx); !actor.SeesAll() && a.OwnerID != actor.UserID {
			return apperr.Forbidden("activities:delete")
		}
		if ifMatch != nil && *ifMatch != a.Version {
			return apperr.VersionMismatch()
		}
		if err := s.store.delete(ctx, a, a.Version); err != nil {
			return err
		}
		if err := s.reminders.CancelPrefix(ctx, remindPrefix(a.ID)); err != nil {
			return err
		}
		return s.audit.Record(ctx, "delete", "activity", a.ID, View(a), nil)
	})
}

// mutate loads an activity the caller sees and may manage (its owner in
// their data scope: the owner, their managers, admins; others get 403),
// then applies change as one versioned, audited write.
func (s *Service) mutate(ctx context.Context, id string, ifMatch *int, action string,
	change func(context.Context, *Activity) error) (*Activity, error) {
	return s.writes.Apply(ctx, func(ctx context.Context) (*Activity, error) {
		a, err := s.store.get(ctx, s.visible(ctx), id)
		if err != nil {
			return nil, err
		}
		return a, s.checkManage(ctx, a)
	}, ifMatch, action, change)
}

// checkManage refuses a caller whose data scope does not hold the owner.
func (s *Service) checkManage(ctx context.Context, a *Activity) error {
	actor := authz.ActorFrom(ctx)
	if actor.SeesAll() || a.OwnerID == actor.UserID {
		return nil
	}
	if actor.Role == authz.RoleManager {
		if u, err := s.users.UserByID(ctx, a.OwnerID); err == nil && actor.CanOwn(u.ID, u.TeamIDValue()) {
			return nil
		}
	}
	return apperr.Forbidden("activities:write")
}

// followedUp moves the related record on through its target.
func (s *Service) followedUp(ctx context.Context, relatedType, relatedID string, at time.Time, next *time.Time) error {
	t, ok := s.targets[relatedType]
	if !ok {
		return fmt.Errorf("activity: no target %q", relatedType)
	}
	return t.FollowedUp(ctx, relatedID, at, next)
}

// relatedTypes lists the registered targets, sorted.
func (s *Service) relatedTypes() []string {
	out := make([]string, 0, len(s.targets))
	for t := range s.targets {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// checkRelated validates related_type and related_id together and returns
// the target.
func (s *Service) checkRelated(v *validate.V, typ, id string) Target {
	if typ == "" || id == "" {
		v.Add("related_id", "related_required")
		return nil
	}
	t, ok := s.targets[typ]
	if !ok {
		v.OneOf("related_type", typ, s.relatedTypes()...)
	}
	return t
}

// relatedIn loads the related record in the caller's scope; one outside it
// (or unknown) is a 422 on related_id, like any reference.
func (s *Service) relatedIn(ctx context.Context, t Target, id string) (Related, error) {
	r, err := t.Get(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return r, apperr.Invalid(apperr.FieldError{Field: "related_id", Message: "unknown_ref", Params: []any{"record"}})
	}
	return r, err
}

// checkParticipants dedupes the participants and checks each is an active
// user (any team: meetings cross teams).
func (s *Service) checkParticipants(ctx context.Context, ids []string) ([]string, error) {
	out := []string{}
	for _, id := range ids {
		if id = strings.TrimSpace(id); !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) > maxParticipants {
		return nil, apperr.Invalid(apperr.FieldError{Field: "participant_ids", Message: "too_many", Params: []any{maxParticipants}})
	}
	for _, id := range out {
		unknown := apperr.Invalid(apperr.FieldError{Field: "participant_ids", Message: "unknown_ref", Params: []any{"user"}})
		if _, err := uuid.Parse(id); err != nil {
			return nil, unknown
		}
		u, err := s.users.UserByID(ctx, id)
		if errors.Is(err, apperr.ErrNotFound) || (err == nil && !u.Active) {
			return nil, unknown
		}
		if err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return out, nil
}

// setRemind reads remind_before or remind_at (one of them; empty clears).
func (s *Service) setRemind(v *validate.V, a *Activity, before, at *string) {
	b, t := strings.TrimSpace(deref(before)), strings.TrimSpace(deref(at))
	if b != "" && t != "" {
		v.Add("remind_at", "remind_before_or_at")
		return
	}
	if b != "" {
		d, err := settings.ParseDuration(b)
		if err != nil || d <= 0 {
			v.Add("remind_before", "invalid_duration")
			return
		}
		secs := int64(d.Std() / time.Second)
		a.RemindBefore = &secs
	}
	if t != "" {
		a.RemindAt, _ = v.Time("remind_at", &t)
	}
}

// check validates an activity's own fields.
func check(v *validate.V, a *Activity) {
	if v.Required("type", a.Type) {
		v.OneOf("type", a.Type, Types...)
	}
	if v.Required("subject", a.Subject) {
		v.MaxLen("subject", a.Subject, maxSubject)
	}
	v.MaxLen("location", a.Location, maxLocation)
	v.MaxLen("notes", a.Notes, maxText)
	v.MaxLen("outcome", a.Outcome, maxText)
	if a.EndAt != nil && !a.StartAt.IsZero() && a.EndAt.Before(a.StartAt) {
		v.Add("end_at", "before_start")
	}
}

// teamTree is a team and its sub-teams, if the team is in the caller's
// reach (a manager's subtree; any for admins).
func (s *Service) teamTree(ctx context.Context, field, teamID string) ([]string, error) {
	unknown := apperr.Invalid(apperr.FieldError{Field: field, Message: "unknown_ref", Params: []any{"team"}})
	actor := authz.ActorFrom(ctx)
	if !actor.SeesAll() && !slices.Contains(actor.TeamSubtree, teamID) {
		return nil, unknown
	}
	teams, err := s.users.TeamSubtree(ctx, teamID)
	if err != nil {
		return nil, err
	}
	if len(teams) == 0 {
		return nil, unknown
	}
	return teams, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
