package lead

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/followup"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
)

// AddFollowUp records a contact with a lead in the caller's scope and moves
// the lead on (last and next follow-up, new → contacted) in the same
// transaction, with audit rows for both.
func (s *Service) AddFollowUp(ctx context.Context, leadID string, req followup.CreateRequest) (*FollowUp, error) {
	if err := authz.Require(ctx, "leads:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	e, err := followup.Check(req, now)
	if err != nil {
		return nil, err
	}
	f := &FollowUp{ID: uuid.Must(uuid.NewV7()).String(), LeadID: leadID, UserID: authz.ActorFrom(ctx).ID(),
		Channel: e.Channel, Content: e.Content, Feedback: e.Feedback, NextStep: e.NextStep,
		FollowedAt: e.FollowedAt, NextFollowUpAt: e.NextFollowUpAt, CreatedAt: now}
	_, err = s.mutate(ctx, leadID, nil, "follow_up", func(ctx context.Context, l *Lead) error {
		if err := s.store.CreateFollowUp(ctx, f); err != nil {
			return err
		}
		l.applyFollowUp(f)
		return s.audit.Record(ctx, "create", "follow_up", f.ID, nil, FollowUpView(f))
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ListFollowUps pages through a lead's follow-ups, newest first; the lead
// must be in the caller's scope.
func (s *Service) ListFollowUps(ctx context.Context, leadID string, r paging.Request) (paging.Page[FollowUp], error) {
	if err := authz.Require(ctx, "leads:read"); err != nil {
		return paging.Page[FollowUp]{}, err
	}
	q, err := followUpSpec.Parse(r)
	if err != nil {
		return paging.Page[FollowUp]{}, err
	}
	if _, err := s.store.Get(ctx, authz.ActorFrom(ctx), leadID); err != nil {
		return paging.Page[FollowUp]{}, err
	}
	page, err := q.Fetch(s.store.FollowUps(ctx, leadID))
	if err != nil {
		return page, fmt.Errorf("lead.list_follow_ups: %w", err)
	}
	return page, nil
}
