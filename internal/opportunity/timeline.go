package opportunity

import (
	"context"

	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/platform/db"
)

// timelineSource shows on the customer timeline each opportunity created
// for the customer and each one won or lost.
func timelineSource(d *db.DB) customer.TimelineSource {
	return func(ctx context.Context, customerID string, before *customer.TimelineCursor, limit int) ([]customer.TimelineItem, error) {
		var created []Opportunity
		q := before.Before(d.Conn(ctx).Where("customer_id = ?", customerID), "created_at", "id")
		if err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&created).Error; err != nil {
			return nil, err
		}
		var closed []struct {
			StageEntry
			Name    string
			OwnerID string
		}
		q = d.Conn(ctx).Table("opportunity_stage_entries e").
			Select("e.*, opportunities.name, opportunities.owner_id").
			Joins("JOIN opportunities ON opportunities.id = e.opportunity_id AND opportunities.deleted_at IS NULL").
			Where("opportunities.customer_id = ? AND e.kind IN ?", customerID, []string{KindWon, KindLost})
		q = before.Before(q, "e.entered_at", "e.id")
		if err := q.Order("e.entered_at DESC, e.id DESC").Limit(limit).Scan(&closed).Error; err != nil {
			return nil, err
		}
		out := make([]customer.TimelineItem, 0, len(created)+len(closed))
		for _, o := range created {
			out = append(out, customer.TimelineItem{Type: "opportunity_created", At: o.CreatedAt, ActorID: o.CreatedBy,
				Summary: "Opportunity created: " + o.Name, RefType: "opportunity", RefID: o.ID, ID: o.ID})
		}
		for _, e := range closed {
			typ, summary := "opportunity_won", "Opportunity won: "
			if e.Kind == KindLost {
				typ, summary = "opportunity_lost", "Opportunity lost: "
			}
			if e.Note != "" {
				summary = summary + e.Name + " (" + e.Note + ")"
			} else {
				summary += e.Name
			}
			out = append(out, customer.TimelineItem{Type: typ, At: e.EnteredAt, ActorID: e.EnteredBy, Summary: summary,
				RefType: "opportunity", RefID: e.OpportunityID, ID: e.ID})
		}
		return out, nil
	}
}
