package report_test

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/report"
)

// TestLeadRollupsMatchPlainQuery drives a random sequence of lead writes
// (creates, conversions with and without a deal, wins, deletions, edits of
// source and region through HTTP; owners moved to other users and to the
// pool, several leads per statement, sources and regions rewritten,
// conversions undone, creation times moved onto the month edges of both
// zones, and two leads made to share a contact, in plain SQL as other
// writers would) and then checks that the lead rollups (v0022) equal
// their sums recomputed lead by lead, and that GET /reports/lead-conversion
// equals the brute force for an admin, a manager and a rep, by every
// grouping, over periods whose ends fall before, on and after UTC month
// starts.
func TestLeadRollupsMatchPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		p := newPeople(env)
		users := []*apptest.User{p.mgr, p.r1, p.r2, p.r3}
		g := env.App.DB.Conn(context.Background())
		rnd := rand.New(rand.NewPCG(22, 6))
		sources, regions := []string{"web_form", "exhibition", "referral"}, []string{"江苏", "广东", "上海"}
		edges := []time.Time{novStart.Add(-time.Second), novStart, utcNov.Add(-time.Second), utcNov,
			novEnd.Add(-time.Second), novEnd, utcDec.Add(-time.Second), utcDec}
		when := func() time.Time {
			if rnd.IntN(2) == 0 {
				return edges[rnd.IntN(len(edges))]
			}
			return utcOct.Add(time.Duration(rnd.Int64N(int64(utcJan.Sub(utcOct)))))
		}
		var ids, deals []string
		pick := func() string { return ids[rnd.IntN(len(ids))] }
		exec := func(q string, args ...any) {
			t.Helper()
			if err := g.Exec(q, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		for i := range 200 {
			op := rnd.IntN(13) % 11 // creates twice as often as the rest
			if len(ids) < 6 {
				op = 0
			}
			switch op {
			case 0, 1: // create for a random user, at a random or edge time
				var l lead.LeadResponse
				env.Admin.Post("/leads", map[string]any{"name": fmt.Sprint("滚动线索 ", i), "company": fmt.Sprint("滚动公司 ", i),
					"source": sources[rnd.IntN(len(sources))], "region": regions[rnd.IntN(len(regions))],
					"owner_id": users[rnd.IntN(len(users))].ID}).Status(http.StatusCreated).Decode(&l)
				setTimes(t, env, "leads", l.ID, map[string]any{"created_at": when()})
				ids = append(ids, l.ID)
			case 2: // convert, with a deal or without (409 once converted)
				body := map[string]any{"opportunity": map[string]any{"amount": "800.00"}}
				if rnd.IntN(3) == 0 {
					body = map[string]any{}
				}
				var conv struct {
					Opportunity *struct {
						ID string `json:"id"`
					} `json:"opportunity"`
				}
				if env.Admin.Post("/leads/"+pick()+"/convert?allow_duplicate=true", body).
					Status(http.StatusOK, http.StatusConflict).Decode(&conv); conv.Opportunity != nil {
					deals = append(deals, conv.Opportunity.ID)
				}
			case 3: // a deal won
				if len(deals) > 0 {
					env.Admin.Post("/opportunities/"+deals[rnd.IntN(len(deals))]+"/win", map[string]any{}).
						Status(http.StatusOK, http.StatusConflict)
				}
			case 4: // delete
				k := rnd.IntN(len(ids))
				env.Admin.Delete("/leads/"+ids[k]).Status(http.StatusNoContent, http.StatusConflict)
				var n int64
				if err := g.Table("leads").Where("id = ? AND deleted_at IS NOT NULL", ids[k]).Count(&n).Error; err != nil {
					t.Fatal(err)
				}
				if n == 1 {
					ids = append(ids[:k], ids[k+1:]...)
				}
			case 5: // source and region through HTTP (409 once converted)
				env.Admin.Patch("/leads/"+pick(), map[string]any{"source": sources[rnd.IntN(len(sources))],
					"region": regions[rnd.IntN(len(regions))]}).Status(http.StatusOK, http.StatusConflict)
			case 6: // owners moved in one statement, one of them to the pool
				exec("UPDATE leads SET owner_id = ? WHERE id IN (?, ?)", users[rnd.IntN(len(users))].ID, pick(), pick())
				if rnd.IntN(3) == 0 {
					exec("UPDATE leads SET owner_id = NULL WHERE id = ?", pick())
				}
			case 7: // sources and regions rewritten, several leads per statement
				exec("UPDATE leads SET source = ?, region = ? WHERE id IN (?, ?, ?)", sources[rnd.IntN(len(sources))],
					regions[rnd.IntN(len(regions))], pick(), pick(), pick())
			case 8: // a conversion undone, or a conversion time set, in SQL
				if rnd.IntN(2) == 0 {
					exec("UPDATE leads SET converted_at = NULL WHERE id = ?", pick())
				} else {
					exec("UPDATE leads SET converted_at = ? WHERE id = ? AND converted_at IS NULL", when(), pick())
				}
			case 9: // creation times moved, several per statement
				exec("UPDATE leads SET created_at = ? WHERE id IN (?, ?)", when(), pick(), pick())
			case 10: // two leads share one contact (and so its deals)
				var contacts []string
				if err := g.Table("leads").Where("id = ? AND contact_id IS NOT NULL", pick()).
					Pluck("contact_id", &contacts).Error; err != nil {
					t.Fatal(err)
				}
				if len(contacts) == 1 {
					exec("UPDATE leads SET contact_id = ? WHERE id = ?", contacts[0], pick())
				}
			}
		}

		var leads []lead.LeadResponse
		for _, id := range ids {
			var l lead.LeadResponse
			env.Admin.Get("/leads/" + id).Status(http.StatusOK).Decode(&l)
			leads = append(leads, l)
		}
		converted, withDeals := 0, 0
		for _, l := range leads {
			if l.ConvertedAt != nil {
				converted++
			}
			if l.ContactID != nil {
				withDeals++
			}
		}
		if len(leads) < 20 || converted < 5 || withDeals < 5 || len(deals) < 3 {
			t.Fatalf("the sequence left %d leads, %d converted, %d with a contact, %d deals; too few to test",
				len(leads), converted, withDeals, len(deals))
		}
		compareLeadRollups(t, env, leads)
		opps := allOpps(env)
		teamA := []string{p.mgr.ID, p.r1.ID, p.r2.ID}
		for _, tc := range []struct {
			label string
			c     *apptest.Client
			sees  func(string) bool
		}{
			{"admin", env.Admin, func(string) bool { return true }},
			{"manager", p.mgr.Client, func(o string) bool { return slices.Contains(teamA, o) }},
			{"rep", p.r3.Client, func(o string) bool { return o == p.r3.ID }},
		} {
			for _, q := range []string{"period=2026-11", "period=2026-Q4", "from=2026-10-10&to=2026-11-25",
				"from=2026-10-20&to=2026-11-10", "from=2026-09-01&to=2026-12-31"} {
				for _, by := range report.LeadGroups {
					var got report.LeadConversionReport
					tc.c.Get("/reports/lead-conversion?group_by=" + by + "&" + q).Status(http.StatusOK).Decode(&got)
					want := bruteLeadsIn(leads, opps, by, tc.sees, got.From, got.To)
					gotBy := map[string]report.LeadConversionRow{}
					for _, r := range got.Groups {
						r.Label = ""
						gotBy[r.Key] = r
					}
					if !maps.EqualFunc(gotBy, want, func(a, b report.LeadConversionRow) bool {
						return a.Key == b.Key && a.Leads == b.Leads && a.Converted == b.Converted &&
							a.Opportunities == b.Opportunities && a.Won == b.Won &&
							str(a.ConversionRate) == str(b.ConversionRate) && str(a.WinRate) == str(b.WinRate)
					}) {
						t.Errorf("%s %s by %s:\n got %+v\nwant %+v", tc.label, q, by, gotBy, want)
					}
				}
			}
		}
	})
}

// compareLeadRollups recomputes both lead rollups lead by lead from the
// live leads and compares them with their tables; a key emptied by
// deletes or moves stays as zeros.
func compareLeadRollups(t *testing.T, env *apptest.Env, leads []lead.LeadResponse) {
	t.Helper()
	g := env.App.DB.Conn(context.Background())
	for _, rc := range []struct {
		table, col string
		of         func(lead.LeadResponse) string
	}{
		{"rollup_leads_source", "source", func(l lead.LeadResponse) string { return l.Source }},
		{"rollup_leads_region", "region", func(l lead.LeadResponse) string { return l.Region }},
	} {
		want := map[string][2]int64{}
		for _, l := range leads {
			owner := ""
			if l.OwnerID != nil {
				owner = *l.OwnerID
			}
			k := l.CreatedAt.UTC().Format("2006-01") + "|" + owner + "|" + rc.of(l)
			w := want[k]
			w[0]++
			if l.ConvertedAt != nil {
				w[1]++
			}
			want[k] = w
		}
		var rows []struct {
			K            string
			N, Converted int64
		}
		if err := g.Raw("SELECT month || '|' || owner_id || '|' || " + rc.col + " AS k, n, converted FROM " + rc.table).
			Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string][2]int64{}
		for _, r := range rows {
			if r.N == 0 {
				if r.Converted != 0 {
					t.Errorf("%s %s: no leads but %d converted", rc.table, r.K, r.Converted)
				}
				continue
			}
			got[r.K] = [2]int64{r.N, r.Converted}
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s:\n got %v\nwant %v", rc.table, got, want)
		}
	}
}
