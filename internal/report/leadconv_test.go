package report_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/report"
)

// seedLeads gives each user leads of two sources and regions: some left
// alone, some converted with an opportunity (one of them won), one
// converted without; one lead is created just before November in
// Shanghai and one at its last second.
func seedLeads(t *testing.T, env *apptest.Env, p people) []string {
	var ids []string
	sources, regions := []string{"web_form", "exhibition"}, []string{"江苏", "=广东"}
	for ui, u := range []*apptest.User{p.mgr, p.r1, p.r2, p.r3} {
		for k := 0; k < 5; k++ {
			seq++
			var l lead.LeadResponse
			u.Client.Post("/leads", map[string]any{"name": fmt.Sprintf("联系人 %d", seq),
				"company": fmt.Sprintf("线索公司 %d", seq), "source": sources[(ui+k)%2], "region": regions[k%2],
				"owner_id": u.ID}).Status(http.StatusCreated).Decode(&l)
			ids = append(ids, l.ID)
			created := time.Date(2026, 11, 3+k, 2, 0, 0, 0, time.UTC)
			switch {
			case k == 4 && ui == 1:
				created = novStart.Add(-time.Second)
			case k == 4 && ui == 2:
				created = novEnd.Add(-time.Second)
			}
			setTimes(t, env, "leads", l.ID, map[string]any{"created_at": created})
			if k == 0 {
				continue
			}
			body := map[string]any{"opportunity": map[string]any{"amount": "5000.00"}}
			if k == 3 {
				body = map[string]any{}
			}
			var conv struct {
				Opportunity *opportunity.OpportunityResponse `json:"opportunity"`
			}
			u.Client.Post("/leads/"+l.ID+"/convert?allow_duplicate=true", body).Status(http.StatusOK).Decode(&conv)
			if k == 1 {
				u.Client.Post("/opportunities/"+conv.Opportunity.ID+"/win", map[string]any{}).Status(http.StatusOK)
			}
		}
	}
	return ids
}

// bruteLeads recomputes November's lead conversion of what the viewer sees.
func bruteLeads(env *apptest.Env, leads []lead.LeadResponse, opps []opportunity.OpportunityResponse,
	groupBy string, sees func(owner string) bool) map[string]report.LeadConversionRow {
	return bruteLeadsIn(leads, opps, groupBy, sees, novStart, novEnd)
}

// bruteLeadsIn is bruteLeads over the period [from, to).
func bruteLeadsIn(leads []lead.LeadResponse, opps []opportunity.OpportunityResponse,
	groupBy string, sees func(owner string) bool, from, to time.Time) map[string]report.LeadConversionRow {
	out := map[string]report.LeadConversionRow{}
	// A group counts a deal once however many of its leads share the
	// deal's contact.
	deals := map[string]map[string]bool{}
	for _, l := range leads {
		owner := ""
		if l.OwnerID != nil {
			owner = *l.OwnerID
		}
		if !sees(owner) || l.CreatedAt.Before(from) || !l.CreatedAt.Before(to) {
			continue
		}
		key := map[string]string{"source": l.Source, "region": l.Region, "owner": owner}[groupBy]
		r := out[key]
		r.Key = key
		r.Leads++
		if l.ConvertedAt != nil {
			r.Converted++
		}
		if deals[key] == nil {
			deals[key] = map[string]bool{}
		}
		for _, o := range opps {
			if l.ContactID != nil && o.ContactID != nil && *o.ContactID == *l.ContactID && !deals[key][o.ID] {
				deals[key][o.ID] = true
				r.Opportunities++
				if o.Status == "won" {
					r.Won++
				}
			}
		}
		r.ConversionRate, r.WinRate = rate(int(r.Converted), int(r.Leads)), rate(int(r.Won), int(r.Opportunities))
		out[key] = r
	}
	return out
}

func allOpps(env *apptest.Env) []opportunity.OpportunityResponse {
	var out []opportunity.OpportunityResponse
	cursor := ""
	for {
		var page struct {
			Data       []opportunity.OpportunityResponse `json:"data"`
			NextCursor string                            `json:"next_cursor"`
			HasMore    bool                              `json:"has_more"`
		}
		env.Admin.Get("/opportunities?limit=100&cursor=" + cursor).Status(http.StatusOK).Decode(&page)
		out = append(out, page.Data...)
		if !page.HasMore {
			return out
		}
		cursor = page.NextCursor
	}
}

func TestLeadConversionMatchesBruteForce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		p := newPeople(env)
		var leads []lead.LeadResponse
		for _, id := range seedLeads(t, env, p) {
			var l lead.LeadResponse
			env.Admin.Get("/leads/" + id).Status(http.StatusOK).Decode(&l)
			leads = append(leads, l)
		}
		opps := allOpps(env)
		teamA := []string{p.mgr.ID, p.r1.ID, p.r2.ID}
		cases := []struct {
			label string
			c     *apptest.Client
			query string
			sees  func(string) bool
		}{
			{"admin", env.Admin, "", func(string) bool { return true }},
			{"manager", p.mgr.Client, "", func(o string) bool { return slices.Contains(teamA, o) }},
			{"rep", p.r1.Client, "", func(o string) bool { return o == p.r1.ID }},
			{"admin team B", env.Admin, "&team_id=" + p.teamB, func(o string) bool { return o == p.r3.ID }},
			{"manager user r2", p.mgr.Client, "&user_id=" + p.r2.ID, func(o string) bool { return o == p.r2.ID }},
		}
		for _, tc := range cases {
			for _, g := range report.LeadGroups {
				var got report.LeadConversionReport
				tc.c.Get("/reports/lead-conversion?period=2026-11&group_by=" + g + tc.query).Status(http.StatusOK).Decode(&got)
				want := bruteLeads(env, leads, opps, g, tc.sees)
				if len(got.Groups) != len(want) {
					t.Errorf("%s by %s: %d groups, want %d", tc.label, g, len(got.Groups), len(want))
				}
				var total report.LeadConversionRow
				for _, r := range got.Groups {
					w := want[r.Key]
					if r.Leads != w.Leads || r.Converted != w.Converted || r.Opportunities != w.Opportunities ||
						r.Won != w.Won || str(r.ConversionRate) != str(w.ConversionRate) || str(r.WinRate) != str(w.WinRate) {
						t.Errorf("%s by %s: %+v, want %+v", tc.label, g, r, w)
					}
					total.Leads += w.Leads
					total.Won += w.Won
				}
				if got.Total.Leads != total.Leads || got.Total.Won != total.Won {
					t.Errorf("%s by %s: total %+v", tc.label, g, got.Total)
				}
			}
		}
		// The edges: r1's lead of 15:59:59 UTC on 31 October is October's
		// in Shanghai; r2's of 15:59:59 UTC on 30 November is November's.
		var r1, r2 report.LeadConversionReport
		p.r1.Client.Get("/reports/lead-conversion?period=2026-11").Status(http.StatusOK).Decode(&r1)
		p.r2.Client.Get("/reports/lead-conversion?period=2026-11").Status(http.StatusOK).Decode(&r2)
		if r1.Total.Leads != 4 || r2.Total.Leads != 5 || r1.Total.Opportunities != 2 || r1.Total.Won != 1 {
			t.Errorf("edges: r1 %+v, r2 %+v", r1.Total, r2.Total)
		}
		// The owner grouping names the owner.
		var byOwner report.LeadConversionReport
		p.r1.Client.Get("/reports/lead-conversion?period=2026-11&group_by=owner").Status(http.StatusOK).Decode(&byOwner)
		if len(byOwner.Groups) != 1 || byOwner.Groups[0].Key != p.r1.ID || byOwner.Groups[0].Label == "" {
			t.Errorf("by owner: %+v", byOwner.Groups)
		}
	})
}

func TestReportsCSV(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		p := newPeople(env)
		seedLeads(t, env, p)
		var js report.LeadConversionReport
		env.Admin.Get("/reports/lead-conversion?period=2026-11&group_by=region").Status(http.StatusOK).Decode(&js)
		rows := csvRows(t, env.Admin.Get("/reports/lead-conversion?period=2026-11&group_by=region&format=csv").Status(http.StatusOK))
		if len(rows) != len(js.Groups)+1 || rows[0][0] != "region" {
			t.Fatalf("csv rows %v for %+v", rows, js.Groups)
		}
		for i, g := range js.Groups {
			want := g.Key
			if strings.HasPrefix(want, "=") {
				want = "'" + want // a formula is never handed to a spreadsheet
			}
			if rows[i+1][0] != want || rows[i+1][2] != fmt.Sprint(g.Leads) || rows[i+1][6] != str(g.ConversionRate) {
				t.Errorf("csv row %v, want %+v", rows[i+1], g)
			}
		}
		var fj report.FunnelReport
		env.Admin.Get("/reports/funnel?period=2026-11").Status(http.StatusOK).Decode(&fj)
		rows = csvRows(t, env.Admin.Get("/reports/funnel?period=2026-11&format=csv").Status(http.StatusOK))
		if len(rows) != len(fj.Stages)+1 || rows[1][0] != fj.Stages[0].StageID || rows[1][6] != fj.Stages[0].Amount.String() {
			t.Errorf("funnel csv %v for %+v", rows, fj.Stages)
		}
		matchWorkbook(t, env.Admin, "/reports/lead-conversion?period=2026-11&group_by=region", true)
		matchWorkbook(t, env.Admin, "/reports/funnel?period=2026-11", true)
	})
}
