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
// conversions created. Two grouped queries: the leads alone (an index-only
// scan of the cohort), then only the leads with a contact joined to its
// deals (DISTINCT: leads sharing a contact repeat its deals). One join of
// every lead with four COUNT(DISTINCT) was the slow part; owner names are
// looked up for the few groups, not per lead.
func (s funnelStore) leadGroups(ctx context.Context, a *authz.Actor, w window, groupBy string) ([]leadGroupRow, error) {
	col := leadGroupColumn[groupBy]
	leads := func() *gorm.DB {
		return s.db.Conn(ctx).Table("leads AS l").
			Where("l.deleted_at IS NULL AND l.created_at >= ? AND l.created_at < ?", w.Start, w.End).
			Scopes(w.owners(a, "l.owner_id"))
	}
	grouped := leads().Select(col + " AS grp_key, COUNT(*) AS leads, COUNT(l.converted_at) AS converted").Group(col)
	label := "g.grp_key"
	if groupBy == GroupOwner {
		label = "COALESCE((SELECT u.name FROM users u WHERE u.id = g.grp_key), '')"
	}
	var rows []leadGroupRow
	var deals []struct {
		GrpKey    string
		Opps, Won int64
	}
	err := sideBySide(ctx, func() error {
		if err := s.db.Conn(ctx).Table("(?) AS g", grouped).
			Select("g.grp_key AS grp_key, " + label + " AS grp_label, g.leads AS leads, g.converted AS converted").
			Scan(&rows).Error; err != nil {
			return fmt.Errorf("report.lead conversion: %w", err)
		}
		return nil
	}, func() error {
		if err := leads().Joins("JOIN opportunities o ON o.contact_id = l.contact_id AND o.deleted_at IS NULL").
			Where("l.contact_id IS NOT NULL").
			Select(col + " AS grp_key, COUNT(DISTINCT o.id) AS opps, " +
				"COUNT(DISTINCT CASE WHEN o.status = 'won' THEN o.id END) AS won").
			Group(col).Scan(&deals).Error; err != nil {
			return fmt.Errorf("report.lead conversion deals: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
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
