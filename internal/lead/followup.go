package lead

import (
	"context"
	"errors"
	"time"

	"github.com/opencrm/crm/internal/followup"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"gorm.io/gorm"
)

// UseFollowUps gives the lead its follow-up log (activity.Service: a
// follow-up is a done activity) and the reminders that tell the owner when
// the next one is due. Call while wiring.
func (s *Service) UseFollowUps(log followup.Log, r followup.Reminders) {
	s.followUps, s.reminders = log, r
}

// AddFollowUp records a contact with a lead in the caller's scope, as a
// done activity, and moves the lead on (FollowedUp) in the same
// transaction, with audit rows for both.
func (s *Service) AddFollowUp(ctx context.Context, leadID string, req followup.CreateRequest) (*followup.Record, error) {
	if err := authz.Require(ctx, "leads:write"); err != nil {
		return nil, err
	}
	if s.followUps == nil {
		return nil, errors.New("lead.add_follow_up: follow-up log not wired")
	}
	e, err := followup.Check(req, db.Now())
	if err != nil {
		return nil, err
	}
	var rec *followup.Record
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.followedUp(ctx, s.store.Get, leadID, e.FollowedAt, e.NextFollowUpAt); err != nil {
			return err
		}
		rec, err = s.followUps.Record(ctx, "lead", leadID, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// FollowedUp moves a lead's follow-up bookkeeping on after a contact at
// at (a follow-up, or an activity about it marked done): last and next
// follow-up, new → contacted, the due reminder; versioned and audited, in
// the caller's transaction. The caller has already been allowed to act on
// the activity, so the lead is loaded whatever its scope (a participant
// completing a visit moves the lead on too).
func (s *Service) FollowedUp(ctx context.Context, leadID string, at time.Time, next *time.Time) error {
	return s.followedUp(ctx, s.store.GetLive, leadID, at, next)
}

func (s *Service) followedUp(ctx context.Context, load func(context.Context, *authz.Actor, string) (*Lead, error),
	leadID string, at time.Time, next *time.Time) error {
	_, err := s.mutateFrom(ctx, load, leadID, nil, "follow_up", func(ctx context.Context, l *Lead) error {
		before := l.NextFollowUpAt
		l.applyFollowUp(at, next)
		if s.reminders == nil || sameTime(before, l.NextFollowUpAt) {
			return nil
		}
		return followup.ScheduleDue(ctx, s.reminders, "lead", l.ID, l.Name, l.OwnerID, l.NextFollowUpAt)
	})
	return err
}

// ListFollowUps pages through a lead's follow-ups (its done activities),
// newest first; the lead must be in the caller's scope.
func (s *Service) ListFollowUps(ctx context.Context, leadID string, r paging.Request) (paging.Page[followup.Record], error) {
	if err := authz.Require(ctx, "leads:read"); err != nil {
		return paging.Page[followup.Record]{}, err
	}
	if s.followUps == nil {
		return paging.Page[followup.Record]{}, errors.New("lead.list_follow_ups: follow-up log not wired")
	}
	if _, err := s.store.Get(ctx, authz.ActorFrom(ctx), leadID); err != nil {
		return paging.Page[followup.Record]{}, err
	}
	return s.followUps.List(ctx, "lead", leadID, r)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// VisibleIDs is a subquery of the ids of the leads in the caller's scope:
// whose activities the caller sees.
func (s *Service) VisibleIDs(ctx context.Context) *gorm.DB {
	return s.store.VisibleIDs(ctx, authz.ActorFrom(ctx))
}
