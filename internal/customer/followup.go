package customer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/validate"
)

// AddFollowUp records a contact with a customer in the caller's scope and
// moves its last_followed_at forward (never back: a follow-up may be
// logged late) in the same transaction, which also restarts the idle time
// the recycling rule measures.
func (s *Service) AddFollowUp(ctx context.Context, customerID string, req FollowUpCreateRequest) (*FollowUp, error) {
	if err := authz.Require(ctx, "customers:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	f := &FollowUp{ID: uuid.Must(uuid.NewV7()).String(), CustomerID: customerID,
		UserID: authz.ActorFrom(ctx).ID(), Channel: strings.TrimSpace(req.Channel),
		Content: strings.TrimSpace(req.Content), Feedback: strings.TrimSpace(req.Feedback),
		NextStep: strings.TrimSpace(req.NextStep), FollowedAt: now, CreatedAt: now}
	var v validate.V
	if v.Required("channel", f.Channel) {
		v.OneOf("channel", f.Channel, Channels...)
	}
	if v.Required("content", f.Content) {
		v.MaxLen("content", f.Content, maxContent)
	}
	v.MaxLen("feedback", f.Feedback, maxContent)
	v.MaxLen("next_step", f.NextStep, maxNextStep)
	if t, ok := parseTime(&v, "followed_at", req.FollowedAt); ok && t != nil {
		if t.After(now.Add(futureSkew)) {
			v.Add("followed_at", "in_future")
		} else {
			f.FollowedAt = *t
		}
	}
	if t, ok := parseTime(&v, "next_follow_up_at", req.NextFollowUpAt); ok && t != nil {
		if !t.After(f.FollowedAt) {
			v.Add("next_follow_up_at", "before_followed_at")
		}
		f.NextFollowUpAt = t
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	_, err := s.mutate(ctx, customerID, nil, "follow_up", func(ctx context.Context, c *Customer) error {
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

// parseTime reads an optional RFC 3339 time (or a date, as 00:00 UTC) from
// a request field, as UTC at the database's precision; ok is false when it
// is malformed.
func parseTime(v *validate.V, field string, s *string) (*time.Time, bool) {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil, true
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*s))
	if err != nil {
		if t, err = time.Parse(time.DateOnly, strings.TrimSpace(*s)); err != nil {
			v.Add(field, "invalid_time")
			return nil, false
		}
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t, true
}
