package payment

import (
	"context"

	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/platform/db"
)

// TimelineSource shows a customer's payments on its timeline, at the time
// the money arrived; voided ones say so.
func TimelineSource(d *db.DB) customer.TimelineSource {
	return func(ctx context.Context, id string, before *customer.TimelineCursor, limit int) ([]customer.TimelineItem, error) {
		var rows []Payment
		q := before.Before(d.Conn(ctx).Where("customer_id = ?", id), "received_at", "id")
		if err := q.Order("received_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
			return nil, err
		}
		out := make([]customer.TimelineItem, len(rows))
		for i, p := range rows {
			summary := "Payment received: " + p.Amount.String() + " " + p.Currency + " (" + p.Method + ")"
			if p.Status == Voided {
				summary += ", voided: " + p.VoidReason
			}
			out[i] = customer.TimelineItem{Type: "payment_received", At: p.ReceivedAt, ActorID: p.CreatedBy,
				Summary: summary, RefType: "payment", RefID: p.ID, ID: p.ID}
		}
		return out, nil
	}
}
