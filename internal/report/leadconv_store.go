package report

import (
	"context"
	"fmt"
	"slices"

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

// leadRollup is the rollup (migration v0022) each grouping reads and its
// column of the group.
var leadRollup = map[string][2]string{
	GroupSource: {"rollup_leads_source", "source"},
	GroupRegion: {"rollup_leads_region", "region"},
	GroupOwner:  {"rollup_leads_source", "owner_id"},
}

// leadGroups counts the leads created in the window in scope by group,
// with their conversions and the opportunities of the contacts those
// conversions created. The leads and conversions come from the month
// rollups with the table's slices at the ends of the window (monthSpan);
// the deals from only the converted leads of the window, each joined to
// its contact's deals by one index-only probe (DISTINCT: leads sharing a
// contact repeat its deals). All side by side; owner names are looked up
// for the few groups, not per lead.
func (s funnelStore) leadGroups(ctx context.Context, a *authz.Actor, w window, groupBy string) ([]leadGroupRow, error) {
	col := leadGroupColumn[groupBy]
	leads := func() *gorm.DB {
		return s.db.Conn(ctx).Table("leads AS l").Where("l.deleted_at IS NULL").Scopes(w.owners(a, "l.owner_id"))
	}
	type counts struct {
		GrpKey           string
		Leads, Converted int64
	}
	sp := monthSpanOf(Range{Start: w.Start, End: w.End})
	parts := make([][]counts, len(sp.Slices)+1)
	signs := []int64{1}
	var deals []struct {
		GrpKey    string
		Opps, Won int64
	}
	reads := []func() error{func() error {
		if err := leads().Where("l.created_at >= ? AND l.created_at < ?", w.Start, w.End).
			Joins("JOIN opportunities o ON o.contact_id = l.contact_id AND o.deleted_at IS NULL").
			Where("l.contact_id IS NOT NULL").
			Select(col + " AS grp_key, COUNT(DISTINCT o.id) AS opps, " +
				"COUNT(DISTINCT CASE WHEN o.status = 'won' THEN o.id END) AS won").
			Group(col).Scan(&deals).Error; err != nil {
			return fmt.Errorf("report.lead conversion deals: %w", err)
		}
		return nil
	}}
	if sp.First != "" {
		ru := leadRollup[groupBy]
		reads = append(reads, func() error {
			if err := s.db.Conn(ctx).Table(ru[0]+" AS r").Where("r.month >= ? AND r.month < ?", sp.First, sp.Last).
				Scopes(w.owners(a, "r.owner_id")).
				Select("r." + ru[1] + " AS grp_key, SUM(r.n) AS leads, SUM(r.converted) AS converted").
				Group("r." + ru[1]).Scan(&parts[0]).Error; err != nil {
				return fmt.Errorf("report.lead conversion: %w", err)
			}
			return nil
		})
	}
	for i, sl := range sp.Slices {
		signs = append(signs, sl.Sign)
		reads = append(reads, func() error {
			if err := leads().Where("l.created_at >= ? AND l.created_at < ?", sl.Start, sl.End).
				Select(col + " AS grp_key, COUNT(*) AS leads, COUNT(l.converted_at) AS converted").
				Group(col).Scan(&parts[i+1]).Error; err != nil {
				return fmt.Errorf("report.lead conversion: %w", err)
			}
			return nil
		})
	}
	if err := sideBySide(ctx, reads...); err != nil {
		return nil, err
	}
	byKey := map[string]int{}
	var rows []leadGroupRow
	for i, part := range parts {
		for _, c := range part {
			k, ok := byKey[c.GrpKey]
			if !ok {
				k = len(rows)
				byKey[c.GrpKey] = k
				rows = append(rows, leadGroupRow{GrpKey: c.GrpKey, GrpLabel: c.GrpKey})
			}
			rows[k].Leads += signs[i] * c.Leads
			rows[k].Converted += signs[i] * c.Converted
		}
	}
	// Groups whose leads all left (deleted, re-owned, moved out of the
	// window) net to zero: the plain count would not list them.
	rows = slices.DeleteFunc(rows, func(r leadGroupRow) bool { return r.Leads == 0 })
	byKey = make(map[string]int, len(rows))
	for i, r := range rows {
		byKey[r.GrpKey] = i
	}
	for _, d := range deals {
		if i, ok := byKey[d.GrpKey]; ok {
			rows[i].Opps, rows[i].Won = d.Opps, d.Won
		}
	}
	if groupBy == GroupOwner {
		if err := s.ownerLabels(ctx, rows); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// ownerLabels names the owner groups (the pool's group, "", stays "").
func (s funnelStore) ownerLabels(ctx context.Context, rows []leadGroupRow) error {
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		if r.GrpKey != "" {
			ids = append(ids, r.GrpKey)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var users []struct{ ID, Name string }
	if err := s.db.Conn(ctx).Table("users").Select("id, name").Where("id IN ?", ids).Scan(&users).Error; err != nil {
		return fmt.Errorf("report.lead conversion owners: %w", err)
	}
	name := make(map[string]string, len(users))
	for _, u := range users {
		name[u.ID] = u.Name
	}
	for i := range rows {
		rows[i].GrpLabel = name[rows[i].GrpKey]
	}
	return nil
}
