package report

import (
	"context"
	"fmt"

	"github.com/opencrm/crm/internal/platform/authz"
	"gorm.io/gorm"
)

// leadGroupColumn is the SQL expression of each grouping.
var leadGroupColumn = map[string]string{
	GroupSource: "l.source",
	GroupRegion: "l.region",
	GroupOwner:  "COALESCE(l.owner_id, '')",
}

// leadGroupRow is one group's counts as summed by the database.
type leadGroupRow struct {
	GrpKey, GrpLabel            string
	Leads, Converted, Opps, Won int64
}

// leadGroups counts the leads created in the window in scope by group,
// with their conversions and the opportunities of the contacts those
// conversions created. Two queries: the leads alone (an index-only scan),
// then only the converted ones joined to their contacts' deals (DISTINCT:
// leads sharing a contact repeat its deals) — one join over every lead
// with four COUNT(DISTINCT) was the slow part.
func (s funnelStore) leadGroups(ctx context.Context, a *authz.Actor, w window, groupBy string) ([]leadGroupRow, error) {
	col := leadGroupColumn[groupBy]
	label := col
	if groupBy == GroupOwner {
		label = "COALESCE(MAX(u.name), '')"
	}
	leads := func() *gorm.DB {
		return s.db.Conn(ctx).Table("leads AS l").
			Where("l.deleted_at IS NULL AND l.created_at >= ? AND l.created_at < ?", w.Start, w.End).
			Scopes(w.owners(a, "l.owner_id"))
	}
	var rows []leadGroupRow
	q := leads()
	if groupBy == GroupOwner {
		q = q.Joins("LEFT JOIN users u ON u.id = l.owner_id")
	}
	err := q.Select(col + " AS grp_key, " + label + " AS grp_label, COUNT(*) AS leads, " +
		"COUNT(l.converted_at) AS converted").Group(col).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("report.lead conversion: %w", err)
	}
	var deals []struct {
		GrpKey    string
		Opps, Won int64
	}
	err = leads().Joins("JOIN opportunities o ON o.contact_id = l.contact_id AND o.deleted_at IS NULL").
		Where("l.contact_id IS NOT NULL").
		Select(col + " AS grp_key, COUNT(DISTINCT o.id) AS opps, " +
			"COUNT(DISTINCT CASE WHEN o.status = 'won' THEN o.id END) AS won").
		Group(col).Scan(&deals).Error
	if err != nil {
		return nil, fmt.Errorf("report.lead conversion deals: %w", err)
	}
	byKey := make(map[string]int, len(rows))
	for i, r := range rows {
		byKey[r.GrpKey] = i
	}
	for _, d := range deals {
		if i, ok := byKey[d.GrpKey]; ok {
			rows[i].Opps, rows[i].Won = d.Opps, d.Won
		}
	}
	return rows, nil
}
