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

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/report"
)

// TestFFReachedStagesMatchPlainQuery drives a random sequence of deal
// writes (creates, stage moves, wins, losses, reopens, deletions and owner
// changes through HTTP; stage entries deleted, bulk-inserted and
// re-pointed straight in SQL, as other writers would; closing times moved
// onto month edges in both zones, amounts changed several deals per
// statement and stage probabilities changed in SQL) and then checks that
// opportunities.reached_stages equals the mask recomputed from the stage
// history, that the funnel rollups (v0021) equal their sums recomputed
// deal by deal, and that GET /reports/funnel equals the brute-force funnel
// for an admin, a manager and a rep over periods whose ends fall before,
// on and after UTC month starts.
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
		for i := range 220 {
			op := rnd.IntN(15)
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
			case 12: // a closed deal's closing (and creation) time moved, in SQL
				edges := []time.Time{novStart.Add(-time.Second), novStart, utcNov.Add(-time.Second), utcNov,
					novEnd.Add(-time.Second), novEnd, utcDec.Add(-time.Second), utcDec,
					utcOct.Add(time.Duration(rnd.Int64N(int64(utcJan.Sub(utcOct)))))}
				closed := edges[rnd.IntN(len(edges))]
				if err := g.Exec("UPDATE opportunities SET closed_at = ?, created_at = ? WHERE id = ? AND status <> 'open'",
					closed, closed.Add(-time.Duration(rnd.Int64N(int64(40*24*time.Hour)))), pick()).Error; err != nil {
					t.Fatal(err)
				}
			case 13: // one statement re-valuing several deals
				if err := g.Exec("UPDATE opportunities SET amount = amount + ? WHERE id IN (?, ?, ?)",
					rnd.Int64N(10000), pick(), pick(), pick()).Error; err != nil {
					t.Fatal(err)
				}
			case 14: // a stage's probability changed
				all := append(slices.Clone(open), stageWon, stageLost, stageSigning)
				if err := g.Exec("UPDATE pipeline_stages SET probability = ? WHERE id = ?", rnd.IntN(101),
					all[rnd.IntN(len(all))]).Error; err != nil {
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
		compareFunnelRollups(t, env, facts)
		for _, tc := range []struct {
			label string
			c     *apptest.Client
			sees  func(string) bool
		}{
			{"admin", env.Admin, func(string) bool { return true }},
			{"manager", p.mgr.Client, func(o string) bool { return slices.Contains(teamA, o) }},
			{"rep", p.r3.Client, func(o string) bool { return o == p.r3.ID }},
		} {
			// November (each end 8 hours before a UTC month start), the
			// quarter, and ranges whose ends are nearer the next UTC month
			// start (read from the table with a minus sign) or within one
			// month (the table alone).
			for _, q := range []string{"period=2026-11", "period=2026-Q4", "from=2026-10-10&to=2026-11-25",
				"from=2026-10-20&to=2026-11-10", "from=2026-09-01&to=2026-12-31"} {
				var got report.FunnelReport
				tc.c.Get("/reports/funnel?" + q).Status(http.StatusOK).Decode(&got)
				compareFunnel(t, "ff "+tc.label+" "+q, got, bruteFunnelIn(t, env, facts, tc.sees, got.From, got.To))
			}
		}
	})
}

// The default pipeline's other stages (migration 0009).
const (
	stageSigning = "0193a2b4-0000-7000-8000-000000000104"
	stageWon     = "0193a2b4-0000-7000-8000-000000000105"
	stageLost    = "0193a2b4-0000-7000-8000-000000000106"
)

// UTC month starts around November 2026.
var (
	utcOct = time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	utcNov = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	utcDec = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	utcJan = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
)

// compareFunnelRollups recomputes the three funnel rollups deal by deal
// from the live deals (facts) and the stage probabilities, and compares
// them with their tables' rows; a key emptied by deletes stays as zeros.
func compareFunnelRollups(t *testing.T, env *apptest.Env, facts []oppFacts) {
	t.Helper()
	g := env.App.DB.Conn(context.Background())
	var stages []struct {
		ID          string
		Probability int64
	}
	if err := g.Table("pipeline_stages").Select("id, probability").Scan(&stages).Error; err != nil {
		t.Fatal(err)
	}
	prob := map[string]int64{}
	for _, s := range stages {
		prob[s.ID] = s.Probability
	}
	want := map[string]map[string][4]int64{"rollup_funnel_open": {}, "rollup_funnel_closed": {}, "rollup_funnel_cohort": {}}
	add := func(table, key string, v [4]int64) {
		w := want[table][key]
		for i := range v {
			w[i] += v[i]
		}
		want[table][key] = w
	}
	for _, f := range facts {
		o := f.opp
		var mask int64
		if err := g.Table("opportunities").Where("id = ?", o.ID).Pluck("reached_stages", &mask).Error; err != nil {
			t.Fatal(err)
		}
		cents := o.Amount.Decimal().Shift(2).IntPart()
		weighted := (cents*prob[o.StageID] + 50) / 100
		switch o.Status {
		case "open":
			add("rollup_funnel_open", fmt.Sprint(o.PipelineID, "|", o.StageID, "|", o.OwnerID), [4]int64{1, cents, weighted})
		default:
			add("rollup_funnel_closed", fmt.Sprint(o.ClosedAt.UTC().Format("2006-01"), "|", o.PipelineID, "|", o.OwnerID, "|",
				o.StageID, "|", o.Status), [4]int64{1, cents, weighted, o.ClosedAt.Unix() - o.CreatedAt.Unix()})
		}
		add("rollup_funnel_cohort", fmt.Sprint(o.CreatedAt.UTC().Format("2006-01"), "|", o.PipelineID, "|", o.OwnerID, "|", mask),
			[4]int64{1})
	}
	reads := map[string]string{
		"rollup_funnel_open": "SELECT pipeline_id || '|' || stage_id || '|' || owner_id AS k, n, amount AS a, weighted AS w, 0 AS s " +
			"FROM rollup_funnel_open",
		"rollup_funnel_closed": "SELECT month || '|' || pipeline_id || '|' || owner_id || '|' || stage_id || '|' || status AS k, " +
			"n, amount AS a, weighted AS w, secs AS s FROM rollup_funnel_closed",
		"rollup_funnel_cohort": "SELECT month || '|' || pipeline_id || '|' || owner_id || '|' || CAST(mask AS VARCHAR(20)) AS k, " +
			"n, 0 AS a, 0 AS w, 0 AS s FROM rollup_funnel_cohort",
	}
	for table, q := range reads {
		var rows []struct {
			K          string
			N, A, W, S int64
		}
		if err := g.Raw(q).Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		got := map[string][4]int64{}
		for _, r := range rows {
			if r.N == 0 {
				if r.A != 0 || r.W != 0 || r.S != 0 {
					t.Errorf("%s %s: no deals but sums %d %d %d", table, r.K, r.A, r.W, r.S)
				}
				continue
			}
			got[r.K] = [4]int64{r.N, r.A, r.W, r.S}
		}
		if !maps.Equal(got, want[table]) {
			t.Errorf("%s:\n got %v\nwant %v", table, got, want[table])
		}
	}
}
