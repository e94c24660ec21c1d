package approval

import (
	"context"
	"fmt"
	"time"

	"github.com/opencrm/crm/internal/customer"
)

// timelineRow is a trail entry with the request it belongs to.
type timelineRow struct {
	ID        string
	RequestID string
	Step      *int
	Action    string
	UserID    string
	Comment   string
	CreatedAt time.Time
	Entity    string
	Title     string
}

// TimelineSource shows the approval trail of a customer's documents on
// its timeline: approval_submitted, approval_approved (one per approval,
// with its step), approval_rejected and approval_withdrawn. Register it
// with customer.Service.AddTimelineSource while wiring.
func (s *Service) TimelineSource() customer.TimelineSource {
	return func(ctx context.Context, customerID string, before *customer.TimelineCursor, limit int) ([]customer.TimelineItem, error) {
		q := s.db.Conn(ctx).Table("approval_actions").
			Select("approval_actions.id, approval_actions.request_id, approval_actions.step, approval_actions.action, "+
				"approval_actions.user_id, approval_actions.comment, approval_actions.created_at, "+
				"approval_requests.entity, approval_requests.title").
			Joins("JOIN approval_requests ON approval_requests.id = approval_actions.request_id").
			Where("approval_requests.customer_id = ?", customerID)
		var rows []timelineRow
		if err := before.Before(q, "approval_actions.created_at", "approval_actions.id").
			Order("approval_actions.created_at DESC, approval_actions.id DESC").Limit(limit).Scan(&rows).Error; err != nil {
			return nil, err
		}
		out := make([]customer.TimelineItem, len(rows))
		for i, r := range rows {
			out[i] = customer.TimelineItem{Type: "approval_" + r.Action, At: r.CreatedAt, ActorID: r.UserID,
				Summary: summary(&r), RefType: "approval", RefID: r.RequestID, ID: r.ID}
		}
		return out, nil
	}
}

// summary says what a trail entry did, to whom: "Approved at step 1:
// contract HT-20261126-0001 恒达精密 — 同意".
func summary(r *timelineRow) string {
	var out string
	switch r.Action {
	case ActionSubmitted:
		out = "Submitted for approval"
	case ActionWithdrawn:
		out = "Approval withdrawn"
	case ActionApproved:
		out = fmt.Sprintf("Approved at step %d", deref(r.Step))
	case ActionRejected:
		out = fmt.Sprintf("Rejected at step %d", deref(r.Step))
	}
	out += ": " + r.Entity + " " + r.Title
	if r.Comment != "" {
		out += " — " + r.Comment
	}
	return out
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
