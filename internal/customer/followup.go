package customer

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

// UseFollowUps gives customers their follow-up log (activity.Service: a
// follow-up is a done activity) and the reminders that tell the owner when
// the next one is due. Call while wiring.
func (s *Service) UseFollowUps(log followup.Log, r followup.Reminders) {
	s.followUps, s.reminders = log, r
}

// AddFollowUp records a contact with a customer in the caller's scope, as a
// done activity, and moves the customer on (FollowedUp) in the same
// transaction.
func (s *Service) AddFollowUp(ctx context.Context, customerID string, req followup.CreateRequest) (*followup.Record, error) {
	if err := authz.Require(ctx, "customers:write"); err != nil {
		return nil, err
	}
	if s.followUps == nil {
		return nil, errors.New("customer.add_follow_up: follow-up log not wired")
	}
	e, err := followup.Check(req, db.Now())
	if err != nil {
		return nil, err
	}
	var rec *followup.Record
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.followedUp(ctx, s.store.Get, customerID, e.FollowedAt, e.NextFollowUpAt)
		if err != nil {
			return err
		}
		rec, err = s.followUps.Record(ctx, "customer", c.ID, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// FollowedUp moves a customer's follow-up bookkeeping on after a contact at
// at (a follow-up, or an activity about it or its contacts marked done):
// last_followed_at forward (never back: a follow-up may be logged late,
// and it restarts the idle time the recycling rule measures), the next
// follow-up and its due reminder; versioned and audited, in the caller's
// transaction. The caller was allowed to act on the activity, so the
// customer is loaded whatever its scope.
func (s *Service) FollowedUp(ctx context.Context, customerID string, at time.Time, next *time.Time) error {
	_, err := s.followedUp(ctx, func(ctx context.Context, _ *authz.Actor, id string) (*Customer, error) {
		return s.store.GetLive(ctx, id)
	}, customerID, at, next)
	return err
}

func (s *Service) followedUp(ctx context.Context, load func(context.Context, *authz.Actor, string) (*Customer, error),
	id string, at time.Time, next *time.Time) (*Customer, error) {
	return s.mutateFrom(ctx, id, nil, "follow_up", load, func(ctx context.Context, c *Customer) error {
		if c.LastFollowedAt == nil || at.After(*c.LastFollowedAt) {
			t := at
			c.LastFollowedAt = &t
		}
		before := c.NextFollowUpAt
		switch {
		case next != nil:
			t := *next
			c.NextFollowUpAt = &t
		case c.NextFollowUpAt != nil && !c.NextFollowUpAt.After(at):
			// this contact fulfilled the plan
			c.NextFollowUpAt = nil
		}
		if s.reminders == nil || sameTime(before, c.NextFollowUpAt) {
			return nil
		}
		return followup.ScheduleDue(ctx, s.reminders, "customer", c.ID, c.Name, c.OwnerID, c.NextFollowUpAt)
	})
}

// ListFollowUps pages through a customer's follow-ups (its done
// activities), newest first; the customer must be in the caller's scope.
func (s *Service) ListFollowUps(ctx context.Context, customerID string, r paging.Request) (paging.Page[followup.Record], error) {
	if err := authz.Require(ctx, "customers:read"); err != nil {
		return paging.Page[followup.Record]{}, err
	}
	if s.followUps == nil {
		return paging.Page[followup.Record]{}, errors.New("customer.list_follow_ups: follow-up log not wired")
	}
	c, err := s.store.Get(ctx, authz.ActorFrom(ctx), customerID)
	if err != nil {
		return paging.Page[followup.Record]{}, err
	}
	return s.followUps.List(ctx, "customer", c.ID, r)
}

// VisibleIDs is a subquery of the ids of the customers in the caller's
// scope (the pool excluded): whose activities the caller sees.
func (s *Service) VisibleIDs(ctx context.Context) *gorm.DB {
	return s.store.scoped(ctx, authz.ActorFrom(ctx)).Select("customers.id")
}

// VisibleContactIDs is a subquery of the ids of the contacts of customers
// in the caller's scope.
func (s *Service) VisibleContactIDs(ctx context.Context) *gorm.DB {
	return s.store.contactsIn(ctx, s.store.scoped(ctx, authz.ActorFrom(ctx))).Select("contacts.id")
}

// ContactInScope loads a contact of a customer in the caller's scope, with
// its customer.
func (s *Service) ContactInScope(ctx context.Context, id string) (*Contact, *Customer, error) {
	if err := authz.Require(ctx, "contacts:read"); err != nil {
		return nil, nil, err
	}
	ct, err := s.store.getContact(ctx, s.store.scoped(ctx, authz.ActorFrom(ctx)), id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.store.GetLive(ctx, ct.CustomerID)
	if err != nil {
		return nil, nil, err
	}
	return ct, c, nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// ContactCustomerID is the customer of any live contact, whatever the
// scope: for bookkeeping the caller was allowed some other way.
func (s *Service) ContactCustomerID(ctx context.Context, contactID string) (string, error) {
	ct, err := s.store.getContact(ctx, s.db.Conn(ctx).Model(&Customer{}), contactID)
	if err != nil {
		return "", err
	}
	return ct.CustomerID, nil
}
