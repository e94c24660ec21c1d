package activity

import (
	"context"

	"github.com/opencrm/crm/internal/customer"
)

// timelineSource shows on a customer's timeline its activities with the
// given status: those about the customer, its contacts and the leads
// converted into it (the lead's history stays with it). Done ones are
// follow-ups at the time they were done (type follow_up, lead_follow_up
// for a lead's); planned ones show when they were planned (type
// activity_planned).
func (s *Service) timelineSource(status string) customer.TimelineSource {
	atCol := "activities.done_at"
	if status == StatusPlanned {
		atCol = "activities.created_at"
	}
	return func(ctx context.Context, id string, before *customer.TimelineCursor, limit int) ([]customer.TimelineItem, error) {
		q := s.store.aboutCustomer(ctx, id).Where("activities.status = ?", status)
		var rows []Activity
		if err := before.Before(q, atCol, "activities.id").Order(atCol + " DESC, activities.id DESC").Limit(limit).
			Find(&rows).Error; err != nil {
			return nil, err
		}
		out := make([]customer.TimelineItem, len(rows))
		for i := range rows {
			a := &rows[i]
			it := customer.TimelineItem{ActorID: a.OwnerID, RefType: "activity", RefID: a.ID, ID: a.ID}
			if status == StatusDone {
				r := recordOf(a)
				it.Type, it.At, it.Summary = "follow_up", *a.DoneAt, r.Channel+": "+clip(r.Content, 200)
				if a.RelatedType == "lead" {
					it.Type = "lead_follow_up"
				}
			} else {
				it.Type, it.At = "activity_planned", a.CreatedAt
				it.Summary = "Planned " + a.Type + " for " + a.StartAt.UTC().Format("2006-01-02 15:04 UTC") + ": " +
					clip(a.Subject, 200)
			}
			out[i] = it
		}
		return out, nil
	}
}
