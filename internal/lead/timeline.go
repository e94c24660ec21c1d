package lead

import (
	"context"
	"unicode/utf8"

	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/platform/db"
)

// followUpTimeline shows the follow-ups of leads converted into a customer
// on that customer's timeline: the history before conversion stays with
// the lead and is seen from the customer too.
func followUpTimeline(d *db.DB) customer.TimelineSource {
	return func(ctx context.Context, id string, before *customer.TimelineCursor, limit int) ([]customer.TimelineItem, error) {
		var rows []FollowUp
		q := d.Conn(ctx).Model(&FollowUp{}).Select("lead_follow_ups.*").
			Joins("JOIN leads ON leads.id = lead_follow_ups.lead_id").
			Where("leads.customer_id = ? AND leads.deleted_at IS NULL", id)
		q = before.Before(q, "lead_follow_ups.followed_at", "lead_follow_ups.id")
		if err := q.Order("lead_follow_ups.followed_at DESC, lead_follow_ups.id DESC").Limit(limit).
			Find(&rows).Error; err != nil {
			return nil, err
		}
		out := make([]customer.TimelineItem, len(rows))
		for i, f := range rows {
			out[i] = customer.TimelineItem{Type: "lead_follow_up", At: f.FollowedAt, ActorID: f.UserID,
				Summary: f.Channel + ": " + clip(f.Content, 200), RefType: "lead_follow_up", RefID: f.ID, ID: f.ID}
		}
		return out, nil
	}
}

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

// clip shortens s to n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
