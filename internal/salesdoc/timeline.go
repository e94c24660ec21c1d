package salesdoc

import (
	"context"
	"time"

	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/platform/db"
)

// TimelineSource shows a customer's documents of one kind on its timeline:
// every audited change of them (created, submitted, sent, shipped…), read
// from the audit log joined to the document table, typed entity_action
// ("quote_sent") and summarised with the document number. table is the
// document table (quotes, orders) with id, number and customer_id columns.
func TimelineSource(d *db.DB, entity, table, label string) customer.TimelineSource {
	return func(ctx context.Context, id string, before *customer.TimelineCursor, limit int) ([]customer.TimelineItem, error) {
		var rows []struct {
			ID        string
			CreatedAt time.Time
			ActorID   string
			Action    string
			EntityID  string
			Number    string
		}
		q := d.Conn(ctx).Table("audit_logs").
			Select("audit_logs.id, audit_logs.created_at, audit_logs.actor_id, audit_logs.action, audit_logs.entity_id, "+
				table+".number").
			Joins("JOIN "+table+" ON "+table+".id = audit_logs.entity_id").
			Where("audit_logs.entity_type = ? AND "+table+".customer_id = ?", entity, id)
		q = before.Before(q, "audit_logs.created_at", "audit_logs.id")
		if err := q.Order("audit_logs.created_at DESC, audit_logs.id DESC").Limit(limit).Scan(&rows).Error; err != nil {
			return nil, err
		}
		out := make([]customer.TimelineItem, len(rows))
		for i, r := range rows {
			out[i] = customer.TimelineItem{Type: entity + "_" + r.Action, At: r.CreatedAt, ActorID: r.ActorID,
				Summary: label + " " + r.Number + ": " + r.Action, RefType: entity, RefID: r.EntityID, ID: r.ID}
		}
		return out, nil
	}
}

// MergeHook moves a merged customer's documents in table to the customer
// they were merged into.
func MergeHook(d *db.DB, table string) customer.MergeHook {
	return func(ctx context.Context, target string, sources []string) (int64, error) {
		res := d.Conn(ctx).Table(table).Where("customer_id IN ?", sources).Update("customer_id", target)
		return res.RowsAffected, res.Error
	}
}
