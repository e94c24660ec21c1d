package team_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/team"
)

// The default pipeline's fixed ids (migration 0009).
const (
	defaultPipeline = "0193a2b4-0000-7000-8000-000000000001"
	stageResearch   = "0193a2b4-0000-7000-8000-000000000101"
	stageProposal   = "0193a2b4-0000-7000-8000-000000000102"
)

func createPlaybook(t *testing.T, c *apptest.Client, stage, title string, position int) team.PlaybookResponse {
	t.Helper()
	var out team.PlaybookResponse
	c.Post("/playbooks", map[string]any{"pipeline_id": defaultPipeline, "stage_id": stage, "title": title,
		"content": "# " + title, "position": position}).Status(http.StatusCreated).Decode(&out)
	return out
}

// newOpportunity creates a customer and an opportunity owned by c's user.
func newOpportunity(t *testing.T, c *apptest.Client, name string) string {
	t.Helper()
	var cust, opp struct{ ID string }
	c.Post("/customers?allow_duplicate=true", map[string]any{"name": name + " 客户"}).Status(http.StatusCreated).Decode(&cust)
	c.Post("/opportunities", map[string]any{"name": name, "customer_id": cust.ID}).Status(http.StatusCreated).Decode(&opp)
	return opp.ID
}

func TestPlaybooks(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east := env.Team("华东", "")
		mgr, rep, other := env.User("manager", east), env.User("rep", east), env.User("rep", env.Team("华北", ""))

		second := createPlaybook(t, mgr.Client, stageResearch, "第二步", 2)
		first := createPlaybook(t, env.Admin, stageResearch, "第一步", 1)
		proposal := createPlaybook(t, mgr.Client, stageProposal, "方案", 0)

		// Everyone reads every playbook; reps write none.
		l := list[team.PlaybookResponse](t, other.Client, "/playbooks?stage_id="+stageResearch)
		if len(l.Data) != 2 || l.Data[0].ID != first.ID || l.Data[1].ID != second.ID {
			t.Errorf("by position: %+v", l.Data)
		}
		if l := list[team.PlaybookResponse](t, rep.Client, "/playbooks?pipeline_id="+defaultPipeline+"&include_total=true"); *l.Total != 3 {
			t.Errorf("pipeline filter total %d", *l.Total)
		}
		rep.Get("/playbooks/" + proposal.ID).Status(http.StatusOK)
		rep.Post("/playbooks", map[string]any{"pipeline_id": defaultPipeline, "stage_id": stageResearch, "title": "x"}).
			Status(http.StatusForbidden).Problem()
		rep.Patch("/playbooks/"+first.ID, map[string]any{"title": "x"}).Status(http.StatusForbidden)
		rep.Delete("/playbooks/" + first.ID).Status(http.StatusForbidden)

		// An opportunity shows its current stage's playbooks, in scope only.
		opp := newOpportunity(t, rep.Client, "机床采购")
		var shown team.OpportunityPlaybooks
		rep.Get("/opportunities/" + opp + "/playbooks").Status(http.StatusOK).Decode(&shown)
		if shown.StageID != stageResearch || len(shown.Data) != 2 || shown.Data[0].ID != first.ID {
			t.Errorf("opportunity playbooks %+v", shown)
		}
		rep.Post("/opportunities/"+opp+"/stage", map[string]any{"stage_id": stageProposal}).Status(http.StatusOK)
		rep.Get("/opportunities/" + opp + "/playbooks").Status(http.StatusOK).Decode(&shown)
		if shown.StageID != stageProposal || len(shown.Data) != 1 || shown.Data[0].ID != proposal.ID {
			t.Errorf("after the move %+v", shown)
		}
		other.Get("/opportunities/" + opp + "/playbooks").Status(http.StatusNotFound).Problem()
		mgr.Get("/opportunities/" + opp + "/playbooks").Status(http.StatusOK)
		rep.Get("/opportunities/00000000-0000-0000-0000-000000000000/playbooks").Status(http.StatusNotFound)

		// Update with If-Match; moving to a stage checks the pipeline.
		up := mgr.Req("PATCH", "/playbooks/"+second.ID, map[string]any{"stage_id": stageProposal, "position": 5}).
			Header("If-Match", `"1"`).Send().Status(http.StatusOK).Map()
		if up["stage_id"] != stageProposal || up["position"] != float64(5) || up["title"] != "第二步" || up["version"] != float64(2) {
			t.Errorf("updated %v", up)
		}
		mgr.Req("PATCH", "/playbooks/"+second.ID, map[string]any{"title": "y"}).Header("If-Match", `"1"`).Send().
			Status(http.StatusPreconditionFailed).Problem()
		mgr.Req("DELETE", "/playbooks/"+second.ID, nil).Header("If-Match", `"1"`).Send().Status(http.StatusPreconditionFailed)
		mgr.Delete("/playbooks/" + second.ID).Status(http.StatusNoContent)
		rep.Get("/playbooks/" + second.ID).Status(http.StatusNotFound)
		if acts := auditActions(t, env, "playbook", second.ID); !slices.Equal(acts, []string{"create", "update", "delete"}) {
			t.Errorf("audit %v", acts)
		}
	})
}

func TestPlaybookValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		// A second pipeline whose stage is not the default pipeline's.
		var pipe struct {
			ID     string
			Stages []struct{ ID string }
		}
		env.Admin.Post("/pipelines", map[string]any{"name": "续约", "stages": []map[string]any{
			{"name": "沟通", "kind": "open", "probability": 20}, {"name": "赢单", "kind": "won", "probability": 100},
			{"name": "输单", "kind": "lost", "probability": 0}}}).Status(http.StatusCreated).Decode(&pipe)
		ok := func(over map[string]any) map[string]any {
			body := map[string]any{"pipeline_id": defaultPipeline, "stage_id": stageResearch, "title": "手册"}
			for k, v := range over {
				if v == nil {
					delete(body, k)
				} else {
					body[k] = v
				}
			}
			return body
		}
		for field, bodies := range map[string][]map[string]any{
			"pipeline_id": {ok(map[string]any{"pipeline_id": nil}), ok(map[string]any{"pipeline_id": "x"}),
				ok(map[string]any{"pipeline_id": "00000000-0000-0000-0000-000000000000"})},
			"stage_id": {ok(map[string]any{"stage_id": nil}), ok(map[string]any{"stage_id": pipe.Stages[0].ID}),
				ok(map[string]any{"pipeline_id": pipe.ID})},
			"title":    {ok(map[string]any{"title": " "}), ok(map[string]any{"title": strings.Repeat("题", 201)})},
			"content":  {ok(map[string]any{"content": strings.Repeat("x", 20001)})},
			"position": {ok(map[string]any{"position": -1}), ok(map[string]any{"position": 10001})},
		} {
			for _, body := range bodies {
				p := env.Admin.Post("/playbooks", body).Status(http.StatusUnprocessableEntity).Problem()
				if !p.HasField(field) || len(p.Errors) != 1 {
					t.Errorf("%v: %+v, want only %s", body, p, field)
				}
			}
		}
		if l := list[team.PlaybookResponse](t, env.Admin, "/playbooks?include_total=true"); *l.Total != 0 {
			t.Fatalf("invalid input created playbooks: %d", *l.Total)
		}
		pb := createPlaybook(t, env.Admin, stageResearch, "手册", 0)
		env.Admin.Post("/playbooks", ok(map[string]any{"content": strings.Repeat("字", 20000)})).Status(http.StatusCreated)
		if p := env.Admin.Patch("/playbooks/"+pb.ID, map[string]any{"pipeline_id": pipe.ID}).
			Status(http.StatusUnprocessableEntity).Problem(); !p.HasField("stage_id") {
			t.Errorf("pipeline without its stage: %+v", p)
		}
		var g team.PlaybookResponse
		env.Admin.Get("/playbooks/" + pb.ID).Status(http.StatusOK).Decode(&g)
		if g.Version != 1 || g.PipelineID != defaultPipeline {
			t.Errorf("bad input changed the playbook: %+v", g)
		}
		env.Admin.Patch("/playbooks/"+pb.ID, map[string]any{"pipeline_id": pipe.ID, "stage_id": pipe.Stages[0].ID}).
			Status(http.StatusOK)

		// Removing the stage removes its playbooks.
		env.Admin.Delete("/pipelines/" + pipe.ID).Status(http.StatusNoContent)
		env.Admin.Get("/playbooks/" + pb.ID).Status(http.StatusNotFound)
	})
}
