package lead

import (
	"context"

	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/platform/db"
)

// conversionTimeline shows each lead converted into the customer.
func conversionTimeline(d *db.DB) customer.TimelineSource {
	return func(ctx context.Context, id string, before *customer.TimelineCursor, limit int) ([]customer.TimelineItem, error) {
		var rows []Lead
		q := d.Conn(ctx).Model(&Lead{}).Where("customer_id = ? AND converted_at IS NOT NULL", id)
		q = before.Before(q, "converted_at", "id")
		if err := q.Order("converted_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
			return nil, err
		}
		out := make([]customer.TimelineItem, len(rows))
		for i, l := range rows {
			summary := "Converted from lead: " + l.Name
			if l.Company != "" {
				summary += " (" + l.Company + ")"
			}
			out[i] = customer.TimelineItem{Type: "lead_converted", At: *l.ConvertedAt, ActorID: l.ConvertedBy,
				Summary: summary, RefType: "lead", RefID: l.ID, ID: l.ID}
		}
		return out, nil
	}
}
