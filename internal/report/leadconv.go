package report

import (
	"context"
	"sort"

	"github.com/opencrm/crm/internal/platform/authz"
)

// Lead conversion groupings.
const (
	GroupSource = "source"
	GroupRegion = "region"
	GroupOwner  = "owner"
)

// LeadGroups lists the lead conversion groupings.
var LeadGroups = []string{GroupSource, GroupRegion, GroupOwner}

// LeadConversion reports the leads created in the period (in the caller's
// scope, by their owner) grouped by source, region or owner: how many,
// how many of them were converted, the opportunities opened from those
// conversions and how many of those are won.
//
// A lead is not linked to an opportunity directly, but a conversion always
// creates a new contact (leads.contact_id) and the opportunity it opens
// names that contact: so a converted lead's opportunities are those of its
// contact, which includes ones opened for that contact later.
func (s *FunnelService) LeadConversion(ctx context.Context, groupBy string, q FunnelQuery) (*LeadConversionReport, error) {
	if err := authz.Require(ctx, "reports:read"); err != nil {
		return nil, err
	}
	if groupBy == "" {
		groupBy = GroupSource
	}
	if _, ok := leadGroupColumn[groupBy]; !ok {
		return nil, badQuery("group_by", "invalid_value")
	}
	w, err := s.resolve(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := funnelStore{db: s.db}.leadGroups(ctx, authz.ActorFrom(ctx), w, groupBy)
	if err != nil {
		return nil, err
	}
	out := &LeadConversionReport{GroupBy: groupBy, From: w.Start, To: w.End, Groups: []LeadConversionRow{}}
	for _, r := range rows {
		g := LeadConversionRow{Key: r.GrpKey, Label: r.GrpLabel, Leads: r.Leads, Converted: r.Converted,
			Opportunities: r.Opps, Won: r.Won}
		out.Total.Leads += r.Leads
		out.Total.Converted += r.Converted
		out.Total.Opportunities += r.Opps
		out.Total.Won += r.Won
		out.Groups = append(out.Groups, g.withRates())
	}
	out.Total = out.Total.withRates()
	sort.Slice(out.Groups, func(i, j int) bool {
		if out.Groups[i].Leads != out.Groups[j].Leads {
			return out.Groups[i].Leads > out.Groups[j].Leads
		}
		return out.Groups[i].Key < out.Groups[j].Key
	})
	return out, nil
}

func (r LeadConversionRow) withRates() LeadConversionRow {
	r.ConversionRate, r.WinRate = ratio(r.Converted, r.Leads), ratio(r.Won, r.Opportunities)
	return r
}
