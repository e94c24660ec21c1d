package approval_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/approval"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/apperr"
)

// The manager step walks up the team tree to the nearest team with a
// manager other than the submitter; with none, the admins decide.
func TestManagerResolution(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		east := w.env.Team("华东大区", "")
		shanghai := w.env.Team("上海", east)
		pudong := w.env.Team("浦东", shanghai)
		director := w.user("manager", east)
		sm := w.user("manager", shanghai)
		rep := w.user("rep", pudong)                                                                   // 浦东 has no manager: 上海's decides
		repSH := w.user("rep", shanghai)                                                               // their own team's manager
		lone := w.user("rep", w.env.Team("西北", ""))                                                    // no manager up the tree
		w.user("manager", "")                                                                          // a manager without a team approves nobody's by team
		w.env.Admin.Post("/users/"+w.user("manager", pudong).ID+"/disable", nil).Status(http.StatusOK) // inactive managers don't count
		admin := w.admin()

		for _, c := range []struct {
			name     string
			who      member
			want     string
			fallback bool
		}{
			{"up one team", rep, sm.ID, false},
			{"own team", repSH, sm.ID, false},
			// A manager's submission goes past their own team to the one above.
			{"manager submits", sm, director.ID, false},
			{"top of the tree", director, admin.ID, true},
			{"no manager anywhere", lone, admin.ID, true},
		} {
			req := w.mustSubmit(c.who, approval.EntityContract, "1")
			v := get(t, w.env.Admin, req.ID)
			if got := approvers(v)[0]; !slices.Equal(got, []string{c.want}) || v.Steps[0].Fallback != c.fallback {
				t.Errorf("%s: approvers %v fallback %v, want %s %v", c.name, got, v.Steps[0].Fallback, c.want, c.fallback)
			}
		}

		// A team change after submission leaves the open request alone.
		req := w.mustSubmit(rep, approval.EntityContract, "1")
		w.env.Admin.Patch("/users/"+sm.ID, map[string]any{"team_id": east}).Status(http.StatusOK)
		if got := approvers(get(t, w.env.Admin, req.ID))[0]; !slices.Equal(got, []string{sm.ID}) {
			t.Errorf("snapshot moved: %v", got)
		}
		approve(sm.Client, req.ID, "").Status(http.StatusOK)
	})
}

// Role and user steps name active users; the submitter is never one of
// them; a step nobody is left for falls to the admins (any one of them),
// and with no admin either the submission is refused.
func TestRoleAndUserSteps(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		team := w.env.Team("华东", "")
		m1, m2 := w.user("manager", team), w.user("manager", "")
		rep, colleague := w.user("rep", team), w.user("rep", team)
		gone := w.user("rep", team)
		w.rule(map[string]any{"name": "链", "entity": "order", "steps": []map[string]any{
			{"approver_type": "role", "role": "manager", "mode": "all"},
			{"approver_type": "user", "user_ids": []string{rep.ID, colleague.ID, gone.ID}, "mode": "all"},
			{"approver_type": "user", "user_ids": []string{rep.ID}},
		}})
		w.env.Admin.Post("/users/"+gone.ID+"/disable", nil).Status(http.StatusOK)
		admin, second := w.admin(), w.user("admin", "")

		req := w.mustSubmit(rep, approval.EntityOrder, "1")
		v := get(t, rep.Client, req.ID)
		want := [][]string{sorted(m1.ID, m2.ID), {colleague.ID}, sorted(admin.ID, second.ID)}
		if got := approvers(v); !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("approvers %v, want %v", got, want)
		}
		if v.Steps[2].Fallback != true || v.Steps[2].Mode != "any" || v.Steps[1].Fallback {
			t.Errorf("steps %+v", v.Steps)
		}
		// The submitter, named in steps 2 and 3, is never asked.
		approve(m1.Client, req.ID, "").Status(http.StatusOK)
		approve(m2.Client, req.ID, "").Status(http.StatusOK)
		approve(rep.Client, req.ID, "").Status(http.StatusForbidden)
		if ids := inbox(t, rep.Client); len(ids) != 0 {
			t.Errorf("submitter's inbox %v", ids)
		}
		approve(colleague.Client, req.ID, "").Status(http.StatusOK)
		approve(second.Client, req.ID, "").Status(http.StatusOK)
		if w.doc.approvedTimes(req.DocID) != 1 {
			t.Fatal("not approved")
		}

		// An admin submitting a manager-step document with no other admin
		// and no manager above them: nobody can approve it.
		w.env.Admin.Post("/users/"+second.ID+"/disable", nil).Status(http.StatusOK)
		_, err := w.submitAs(admin, approval.EntityContract, "1")
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Code != "no_approver" || !errors.Is(err, apperr.ErrInvalid) {
			t.Fatalf("no approver: %v", err)
		}
		var total struct{ Total *int64 }
		w.env.Admin.Get("/approvals?entity=contract&include_total=true").Status(http.StatusOK).Decode(&total)
		if *total.Total != 0 {
			t.Errorf("a refused submission left %d requests", *total.Total)
		}
	})
}

// The rule with the highest min_amount not above the amount applies, the
// newest on a tie; inactive rules and other entities' rules never do.
func TestRuleSelection(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		team := w.env.Team("华东", "")
		w.user("manager", team)
		rep := w.user("rep", team)
		step := []map[string]any{{"approver_type": "manager"}}
		base := w.rule(map[string]any{"name": "基础", "entity": "contract", "steps": step})
		w.rule(map[string]any{"name": "十万 旧", "entity": "contract", "min_amount": "100000", "steps": step})
		tie := w.rule(map[string]any{"name": "十万 新", "entity": "contract", "min_amount": "100000.00", "steps": step})
		w.rule(map[string]any{"name": "百万 停用", "entity": "contract", "min_amount": "1000000", "steps": step, "active": false})
		order := w.rule(map[string]any{"name": "订单", "entity": "order", "min_amount": "0", "steps": step})

		for _, c := range []struct {
			entity, amount string
			want           *approval.RuleResponse
		}{
			{"contract", "0", &base},
			{"contract", "99999.99", &base},
			{"contract", "100000", &tie},
			{"contract", "5000000", &tie},
			{"order", "100000000", &order},
			{"quote", "100000000", nil},
		} {
			req := w.mustSubmit(rep, c.entity, c.amount)
			v := get(t, rep.Client, req.ID)
			switch {
			case c.want == nil && v.RuleID != nil:
				t.Errorf("%s %s: rule %s, want the default", c.entity, c.amount, v.RuleName)
			case c.want != nil && (v.RuleID == nil || *v.RuleID != c.want.ID || v.RuleName != c.want.Name):
				t.Errorf("%s %s: rule %q, want %q", c.entity, c.amount, v.RuleName, c.want.Name)
			}
		}

		// A rule changed later leaves open requests with their chain.
		req := w.mustSubmit(rep, "order", "1")
		w.env.Admin.Patch("/approval-rules/"+order.ID, map[string]any{"steps": []map[string]any{
			{"approver_type": "manager"}, {"approver_type": "role", "role": "admin"}}}).Status(http.StatusOK)
		if v := get(t, rep.Client, req.ID); len(v.Steps) != 1 {
			t.Errorf("open request took the new chain: %+v", v.Steps)
		}
	})
}

// Two approvers of an any step deciding at the same moment: exactly one
// decision counts, and the document moves once.
func TestConcurrentApproversOnAnyStep(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		team := w.env.Team("华东", "")
		m1, m2, rep := w.user("manager", team), w.user("manager", team), w.user("rep", team)
		for round := 0; round < 3; round++ {
			req := w.mustSubmit(rep, approval.EntityContract, "1")
			start := make(chan struct{})
			codes := make([]int, 2)
			var wg sync.WaitGroup
			for i, m := range []member{m1, m2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					// reject on one side too: whichever lands first decides.
					if i == 0 {
						codes[i] = approve(m.Client, req.ID, "").Code
					} else {
						codes[i] = reject(m.Client, req.ID, "不同意").Code
					}
				}()
			}
			close(start)
			wg.Wait()
			slices.Sort(codes)
			if !slices.Equal(codes, []int{http.StatusOK, http.StatusConflict}) {
				t.Fatalf("round %d: statuses %v, want one 200 and one 409", round, codes)
			}
			v := get(t, rep.Client, req.ID)
			_, rejected := w.doc.rejection(req.DocID)
			decided := 0
			for _, a := range v.Steps[0].Approvers {
				if a.Decision != nil {
					decided++
				}
			}
			if len(v.Actions) != 2 || decided != 1 || w.doc.approvedTimes(req.DocID)+btoi(rejected) != 1 ||
				(v.Status == "approved") == rejected {
				t.Fatalf("round %d: %+v, approved %d, rejected %v", round, v, w.doc.approvedTimes(req.DocID), rejected)
			}
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Who sees what: the submitter, the approvers, the submitter's managers
// and admins; anyone else gets 404 and never counts it.
func TestApprovalScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		east := w.env.Team("华东", "")
		sub := w.env.Team("苏州", east)
		boss := w.user("manager", east)
		rep, peer := w.user("rep", sub), w.user("rep", sub)
		other := w.user("manager", w.env.Team("华南", ""))
		approver := w.user("rep", "")
		w.rule(map[string]any{"name": "指定", "entity": "quote", "steps": []map[string]any{
			{"approver_type": "user", "user_ids": []string{approver.ID}}}})
		mine := w.mustSubmit(rep, approval.EntityQuote, "1")
		theirs := w.mustSubmit(peer, approval.EntityContract, "1") // goes to boss, the manager above 苏州

		for _, c := range []struct {
			who  *apptest.Client
			name string
			want []string
		}{
			{rep.Client, "submitter", []string{mine.ID}},
			{peer.Client, "peer", []string{theirs.ID}},
			{approver.Client, "approver", []string{mine.ID}},
			{boss.Client, "manager above", sorted(mine.ID, theirs.ID)},
			{other.Client, "other team's manager", nil},
			{w.env.Admin, "admin", sorted(mine.ID, theirs.ID)},
		} {
			l := list(t, c.who, "/approvals?include_total=true")
			var ids []string
			for _, r := range l.Data {
				ids = append(ids, r.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, c.want) || *l.Total != int64(len(c.want)) {
				t.Errorf("%s sees %v (total %d), want %v", c.name, ids, *l.Total, c.want)
			}
			for _, id := range []string{mine.ID, theirs.ID} {
				want := http.StatusNotFound
				if slices.Contains(c.want, id) {
					want = http.StatusOK
				}
				c.who.Get("/approvals/" + id).Status(want)
			}
		}
		// Out of scope is 404 on a decision too, not 403.
		approve(peer.Client, mine.ID, "").Status(http.StatusNotFound)
		approve(other.Client, theirs.ID, "").Status(http.StatusNotFound)
		if ids := inbox(t, boss.Client); !slices.Equal(ids, []string{theirs.ID}) {
			t.Errorf("boss's inbox %v: seeing a request is not being asked", ids)
		}
		if ids := inbox(t, w.env.Admin); len(ids) != 0 {
			t.Errorf("admin's inbox %v", ids)
		}

		// Filters and paging.
		approve(approver.Client, mine.ID, "").Status(http.StatusOK)
		for path, want := range map[string][]string{
			"/approvals?status=approved":         {mine.ID},
			"/approvals?status=pending,rejected": {theirs.ID},
			"/approvals?entity=quote":            {mine.ID},
			"/approvals?sort=amount,-created_at": sorted(mine.ID, theirs.ID),
		} {
			var ids []string
			for _, r := range list(t, w.env.Admin, path).Data {
				ids = append(ids, r.ID)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, want) {
				t.Errorf("%s: %v, want %v", path, ids, want)
			}
		}
		first := list(t, w.env.Admin, "/approvals?limit=1")
		if !first.HasMore || len(first.Data) != 1 || first.Data[0].ID != theirs.ID {
			t.Fatalf("first page %+v", first)
		}
		second := list(t, w.env.Admin, "/approvals?limit=1&cursor="+first.NextCursor)
		if second.HasMore || len(second.Data) != 1 || second.Data[0].ID != mine.ID {
			t.Fatalf("second page %+v", second)
		}
		for _, q := range []string{"status=done", "entity=invoice", "assignee=you"} {
			w.env.Admin.Get("/approvals?" + q).Status(http.StatusUnprocessableEntity).Problem()
		}
		w.env.Admin.Get("/approvals?sort=title").Status(http.StatusBadRequest)
		w.env.Admin.Get("/approvals?cursor=abc").Status(http.StatusBadRequest)
		w.env.Admin.Get("/approvals/not-a-uuid").Status(http.StatusNotFound)

		// An integration key with approvals:read sees everything, decides nothing.
		var key struct{ Key string }
		w.env.Admin.Post("/api-keys", map[string]any{"name": "bi", "scopes": []string{"approvals:read", "approvals:write"}}).
			Status(http.StatusCreated).Decode(&key)
		bi := w.env.WithAPIKey(key.Key)
		if l := list(t, bi, "/approvals?include_total=true"); *l.Total != 2 {
			t.Errorf("API key sees %d", *l.Total)
		}
		approve(bi, theirs.ID, "").Status(http.StatusForbidden)
	})
}

// Two submissions of one document racing: one request opens, the other is
// a 409, and the document has one pending request.
func TestConcurrentSubmissions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		w := newWorld(t, b)
		team := w.env.Team("华东", "")
		w.user("manager", team)
		rep := w.user("rep", team)
		docID := uuid.NewString()
		start := make(chan struct{})
		errs := make([]error, 4)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = w.submitDoc(rep, approval.SubmitInput{Entity: approval.EntityOrder, DocID: docID, Title: "SO-1", Amount: 1})
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, apperr.ErrConflict):
				t.Errorf("losing submission: %v", err)
			}
		}
		trail, err := w.env.App.Approvals.Trail(context.Background(), approval.EntityOrder, docID)
		if ok != 1 || err != nil || len(trail) != 1 {
			t.Fatalf("%d submissions succeeded; trail %d %v", ok, len(trail), err)
		}
	})
}
