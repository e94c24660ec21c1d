package report_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/report"
)

// TestFFReachedStagesMatchPlainQuery drives a random sequence of deal
// writes (creates, stage moves, wins, losses, reopens, deletions and owner
// changes through HTTP; stage entries deleted, bulk-inserted and
// re-pointed straight in SQL, as other writers would) and then checks that
// opportunities.reached_stages equals the mask recomputed from the stage
// history, and that GET /reports/funnel equals the brute-force funnel for
// an admin, a manager and a rep.
func TestFFReachedStagesMatchPlainQuery(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		p := newPeople(env)
		users := []*apptest.User{p.mgr, p.r1, p.r2, p.r3}
		var cust struct{ ID string }
		env.Admin.Post("/customers", map[string]any{"name": "漏斗掩码客户"}).Status(http.StatusCreated).Decode(&cust)
		g := env.App.DB.Conn(context.Background())
		rnd := rand.New(rand.NewPCG(19, 27))
		open := []string{stageResearch, stageProposal, stageNegotiate}

		var ids []string
		pick := func() string { return ids[rnd.IntN(len(ids))] }
		for i := range 120 {
			op := rnd.IntN(12)
			if len(ids) < 6 {
				op = 0
			}
			switch op {
			case 0, 1: // create for a random user, inside November or just outside
				var o opportunity.OpportunityResponse
				env.Admin.Post("/opportunities", map[string]any{"name": fmt.Sprint("掩码商机 ", i), "customer_id": cust.ID,
					"amount": fmt.Sprintf("%d.00", 100+i), "owner_id": users[rnd.IntN(len(users))].ID}).
					Status(http.StatusCreated).Decode(&o)
				created := novStart.Add(time.Duration(rnd.Int64N(int64(novEnd.Sub(novStart)))))
				switch rnd.IntN(8) {
				case 0:
					created = novStart.Add(-time.Second)
				case 1:
					created = novStart
				case 2:
					created = novEnd.Add(-time.Second)
				case 3:
					created = novEnd
				}
				setTimes(t, env, "opportunities", o.ID, map[string]any{"created_at": created})
				ids = append(ids, o.ID)
			case 2, 3, 4: // stage move (409 unless open)
				env.Admin.Post("/opportunities/"+pick()+"/stage", map[string]any{"stage_id": open[rnd.IntN(len(open))]}).
					Status(http.StatusOK, http.StatusConflict)
			case 5:
				env.Admin.Post("/opportunities/"+pick()+"/win", map[string]any{}).Status(http.StatusOK, http.StatusConflict)
			case 6:
				env.Admin.Post("/opportunities/"+pick()+"/lose", map[string]any{"reason": "价格"}).
					Status(http.StatusOK, http.StatusConflict)
			case 7: // reopen (409 unless closed)
				env.Admin.Post("/opportunities/"+pick()+"/reopen", map[string]any{}).Status(http.StatusOK, http.StatusConflict)
			case 8: // delete
				k := rnd.IntN(len(ids))
				env.Admin.Delete("/opportunities/" + ids[k]).Status(http.StatusNoContent)
				ids = append(ids[:k], ids[k+1:]...)
			case 9: // owner change: through HTTP (409 when closed), and in SQL
				id, owner := pick(), users[rnd.IntN(len(users))].ID
				env.Admin.Patch("/opportunities/"+id, map[string]any{"owner_id": owner}).Status(http.StatusOK, http.StatusConflict)
				if err := g.Exec("UPDATE opportunities SET owner_id = ? WHERE id = ?", users[rnd.IntN(len(users))].ID, pick()).Error; err != nil {
					t.Fatal(err)
				}
			case 10: // a history entry removed, another re-pointed to another stage
				var es []string
				if err := g.Table("opportunity_stage_entries").Where("opportunity_id = ?", pick()).Order("id").Pluck("id", &es).Error; err != nil {
					t.Fatal(err)
				}
				if len(es) > 1 {
					if err := g.Exec("DELETE FROM opportunity_stage_entries WHERE id = ?", es[0]).Error; err != nil {
						t.Fatal(err)
					}
					if err := g.Exec("UPDATE opportunity_stage_entries SET stage_id = ? WHERE id = ?",
						open[rnd.IntN(len(open))], es[len(es)-1]).Error; err != nil {
						t.Fatal(err)
					}
				}
			case 11: // one statement inserting entries for several deals
				a, c := pick(), pick()
				st := open[rnd.IntN(len(open))]
				if err := g.Exec(`INSERT INTO opportunity_stage_entries (id, opportunity_id, stage_id, stage_name, kind, entered_at, entered_by)
					SELECT ?, ?, s.id, s.name, s.kind, e.entered_at, '' FROM pipeline_stages s,
						(SELECT MAX(entered_at) AS entered_at FROM opportunity_stage_entries) e WHERE s.id = ?
					UNION ALL SELECT ?, ?, s.id, s.name, s.kind, e.entered_at, '' FROM pipeline_stages s,
						(SELECT MAX(entered_at) AS entered_at FROM opportunity_stage_entries) e WHERE s.id = ?`,
					uuid.NewString(), a, st, uuid.NewString(), c, stageNegotiate).Error; err != nil {
					t.Fatal(err)
				}
			}
		}

		// The masks against the history, bit by bit.
		var bits []struct {
			StageID string
			Bit     int
		}
		if err := g.Table("pipeline_stage_bits").Where("pipeline_id = ?", defaultPipeline).Scan(&bits).Error; err != nil {
			t.Fatal(err)
		}
		bitOf := map[string]int64{}
		for _, x := range bits {
			bitOf[x.StageID] = 1 << x.Bit
		}
		var masks []struct {
			ID            string
			ReachedStages int64
		}
		if err := g.Table("opportunities").Select("id, reached_stages").Scan(&masks).Error; err != nil {
			t.Fatal(err)
		}
		for _, m := range masks {
			var es []string
			if err := g.Table("opportunity_stage_entries").Where("opportunity_id = ?", m.ID).Pluck("stage_id", &es).Error; err != nil {
				t.Fatal(err)
			}
			var want int64
			for _, s := range es {
				want |= bitOf[s]
			}
			if m.ReachedStages != want {
				t.Errorf("opportunity %s: reached_stages %b, want %b from %v", m.ID, m.ReachedStages, want, es)
			}
		}

		facts := loadFacts(env, ids)
		reached := 0
		for _, f := range facts {
			if len(f.entered) > 1 {
				reached++
			}
		}
		if len(facts) < 15 || reached < 5 {
			t.Fatalf("the sequence left %d deals, %d past their first stage; too few to test", len(facts), reached)
		}
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
			var got report.FunnelReport
			tc.c.Get("/reports/funnel?period=2026-11").Status(http.StatusOK).Decode(&got)
			compareFunnel(t, "ff "+tc.label, got, bruteFunnel(t, env, facts, tc.sees))
		}
	})
}
