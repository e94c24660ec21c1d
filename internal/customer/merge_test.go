package customer_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/customer"
)

// counted is how many contacts, follow-ups and leads hang off a customer.
func counted(t *testing.T, env *apptest.Env, id string) (contacts, followUps, leads int) {
	t.Helper()
	var l struct {
		Data []map[string]any `json:"data"`
	}
	env.Admin.Get("/customers/" + id + "/contacts?limit=200").Status(http.StatusOK).Decode(&l)
	contacts = len(l.Data)
	env.Admin.Get("/customers/" + id + "/follow-ups?limit=200").Status(http.StatusOK).Decode(&l)
	followUps = len(l.Data)
	env.Admin.Get("/leads?limit=200&status=converted").Status(http.StatusOK).Decode(&l)
	for _, x := range l.Data {
		if x["customer_id"] == id {
			leads++
		}
	}
	return
}

func TestMergeKeepsEverything(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("East", "")
		mgr, rep := env.User("manager", team), env.User("rep", team)
		target := createCustomer(t, rep.Client, map[string]any{"name": "恒达精密", "tags": []string{"老客户"}})
		srcA := createCustomer(t, rep.Client, map[string]any{"name": "恒达机械（苏州）", "industry": "机械制造",
			"tags": []string{"重点关注客户"}})
		srcB := createCustomer(t, mgr.Client, map[string]any{"name": "Hengda Precision", "owner_id": mgr.ID})
		want := [3]int{}
		for i, c := range []customer.CustomerResponse{target, srcA, srcB} {
			for j := 0; j <= i; j++ {
				createContact(t, env.Admin, map[string]any{"customer_id": c.ID, "name": "联系人" + c.Name + string(rune('A'+j))})
				env.Admin.Post("/customers/"+c.ID+"/follow-ups", map[string]any{"channel": "call", "content": "跟进"}).
					Status(http.StatusCreated)
			}
			var l struct{ ID string }
			env.Admin.Post("/leads", map[string]any{"name": "线索" + c.Name}).Status(http.StatusCreated).Decode(&l)
			env.Admin.Post("/leads/"+l.ID+"/convert", map[string]any{"customer_id": c.ID}).Status(http.StatusOK)
			ct, fu, ld := counted(t, env, c.ID)
			want[0], want[1], want[2] = want[0]+ct, want[1]+fu, want[2]+ld
		}
		if want != [3]int{6 + 3, 6, 3} { // a conversion adds a contact too
			t.Fatalf("setup counts %v", want)
		}

		// Reps may not merge; bad input is 422 and changes nothing.
		rep.Post("/customers/"+target.ID+"/merge", map[string]any{"source_ids": []string{srcA.ID}}).
			Status(http.StatusForbidden)
		for _, ids := range [][]string{{}, {target.ID}, {srcA.ID, "0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a73"}} {
			p := mgr.Post("/customers/"+target.ID+"/merge", map[string]any{"source_ids": ids}).
				Status(http.StatusUnprocessableEntity).Problem()
			problemCode(t, p, "validation_failed", "source_ids")
		}
		// Out of scope: another team's customer as source (422) or target (404).
		west := env.User("manager", env.Team("West", ""))
		foreign := createCustomer(t, west.Client, map[string]any{"name": "西部客户", "owner_id": west.ID})
		mgr.Post("/customers/"+target.ID+"/merge", map[string]any{"source_ids": []string{foreign.ID}}).
			Status(http.StatusUnprocessableEntity)
		mgr.Post("/customers/"+foreign.ID+"/merge", map[string]any{"source_ids": []string{srcA.ID}}).
			Status(http.StatusNotFound)
		if ct, _, _ := counted(t, env, srcA.ID); ct != 3 {
			t.Fatalf("a refused merge moved contacts: %d", ct)
		}

		before := getCustomer(t, mgr.Client, target.ID)
		var merged customer.CustomerResponse
		mgr.Post("/customers/"+target.ID+"/merge", map[string]any{"source_ids": []string{srcA.ID, srcB.ID}}).
			Status(http.StatusOK).Decode(&merged)
		if merged.Industry != "机械制造" || !sameSet(merged.Tags, []string{"老客户", "重点关注客户"}) ||
			merged.Version != before.Version+1 {
			t.Errorf("target after merge: %+v", merged)
		}
		ct, fu, ld := counted(t, env, target.ID)
		if [3]int{ct, fu, ld} != want {
			t.Errorf("after merge: contacts %d, follow-ups %d, leads %d; want %v", ct, fu, ld, want)
		}
		for _, src := range []string{srcA.ID, srcB.ID} {
			env.Admin.Get("/customers/" + src).Status(http.StatusNotFound)
			if acts := auditActions(t, env, "customer", src); acts[len(acts)-1] != "merge" {
				t.Errorf("source audit %v", acts)
			}
		}
		if acts := auditActions(t, env, "customer", target.ID); acts[len(acts)-1] != "merge" {
			t.Errorf("target audit %v", acts)
		}
		// Already merged: gone, so 422.
		mgr.Post("/customers/"+target.ID+"/merge", map[string]any{"source_ids": []string{srcA.ID}}).
			Status(http.StatusUnprocessableEntity)

		var tl timeline
		mgr.Get("/customers/" + target.ID + "/timeline?limit=200").Status(http.StatusOK).Decode(&tl)
		counts := map[string]int{}
		var summary string
		for _, it := range tl.Data {
			counts[it.Type]++
			if it.Type == "merged" {
				summary = it.Summary
			}
		}
		if counts["merged"] != 1 || !strings.Contains(summary, "Hengda Precision") || counts["follow_up"] != 6 ||
			counts["contact_added"] != 9 || counts["lead_converted"] != 3 {
			t.Errorf("timeline %v %q", counts, summary)
		}
	})
}
