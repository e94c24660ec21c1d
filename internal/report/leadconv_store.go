package report

import (
	"context"
	"fmt"

	"github.com/opencrm/crm/internal/platform/authz"
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
// conversions created (DISTINCT: the join repeats a lead per opportunity).
func (s funnelStore) leadGroups(ctx context.Context, a *authz.Actor, w window, groupBy string) ([]leadGroupRow, error) {
	col := leadGroupColumn[groupBy]
	label := col
	if groupBy == GroupOwner {
		label = "COALESCE(MAX(u.name), '')"
	}
	var rows []leadGroupRow
	err := s.db.Conn(ctx).Table("leads AS l").
		Joins("LEFT JOIN opportunities o ON o.contact_id = l.contact_id AND o.deleted_at IS NULL").
		Joins("LEFT JOIN users u ON u.id = l.owner_id").
		Where("l.deleted_at IS NULL AND l.created_at >= ? AND l.created_at < ?", w.Start, w.End).
		Scopes(w.owners(a, "l.owner_id")).
		Select(col + " AS grp_key, " + label + " AS grp_label, COUNT(DISTINCT l.id) AS leads, " +
			"COUNT(DISTINCT CASE WHEN l.converted_at IS NOT NULL THEN l.id END) AS converted, " +
			"COUNT(DISTINCT o.id) AS opps, COUNT(DISTINCT CASE WHEN o.status = 'won' THEN o.id END) AS won").
		Group(col).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("report.lead conversion: %w", err)
	}
	return rows, nil
}
