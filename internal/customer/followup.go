package customer

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/followup"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
)

// AddFollowUp records a contact with a customer in the caller's scope and
// moves its last_followed_at forward (never back: a follow-up may be
// logged late) in the same transaction, which also restarts the idle time
// the recycling rule measures.
func (s *Service) AddFollowUp(ctx context.Context, customerID string, req followup.CreateRequest) (*FollowUp, error) {
	if err := authz.Require(ctx, "customers:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	e, err := followup.Check(req, now)
	if err != nil {
		return nil, err
	}
	f := &FollowUp{ID: uuid.Must(uuid.NewV7()).String(), CustomerID: customerID, UserID: authz.ActorFrom(ctx).ID(),
		Channel: e.Channel, Content: e.Content, Feedback: e.Feedback, NextStep: e.NextStep,
		FollowedAt: e.FollowedAt, NextFollowUpAt: e.NextFollowUpAt, CreatedAt: now}
	_, err = s.mutate(ctx, customerID, nil, "follow_up", func(ctx context.Context, c *Customer) error {
		f.CustomerID = c.ID
		if err := s.store.CreateFollowUp(ctx, f); err != nil {
			return err
		}
		if c.LastFollowedAt == nil || f.FollowedAt.After(*c.LastFollowedAt) {
			t := f.FollowedAt
			c.LastFollowedAt = &t
		}
		return s.audit.Record(ctx, "create", "customer_follow_up", f.ID, nil, FollowUpView(f))
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ListFollowUps pages through a customer's follow-ups, newest first; the
// customer must be in the caller's scope.
func (s *Service) ListFollowUps(ctx context.Context, customerID string, r paging.Request) (paging.Page[FollowUp], error) {
	if err := authz.Require(ctx, "customers:read"); err != nil {
		return paging.Page[FollowUp]{}, err
	}
	q, err := followUpSpec.Parse(r)
	if err != nil {
		return paging.Page[FollowUp]{}, err
	}
	c, err := s.store.Get(ctx, authz.ActorFrom(ctx), customerID)
	if err != nil {
		return paging.Page[FollowUp]{}, err
	}
	page, err := q.Fetch(s.store.FollowUps(ctx, c.ID))
	if err != nil {
		return page, fmt.Errorf("customer.list_follow_ups: %w", err)
	}
	return page, nil
}
