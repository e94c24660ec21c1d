package lead_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/lead"
)

// rawPost posts JSON to a server directly (no OpenAPI check: goroutines
// only count outcomes).
func rawPost(h http.Handler, token, path string, body any) (int, []byte) {
	b, _ := json.Marshal(body)
	r := httptest.NewRequest(http.MethodPost, "/api/v1"+path, bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.Bytes()
}

// Thirty leads arriving at once on two servers are dealt out exactly ten
// each: the cursor is in the rule's row, advanced under its row lock.
func TestRoundRobinConcurrent(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("并发", "")
		users := []*apptest.User{env.User("rep", team), env.User("rep", team), env.User("rep", team)}
		rule(t, env, map[string]any{"name": "并发轮询", "strategy": "round_robin",
			"user_ids": []string{users[0].ID, users[1].ID, users[2].ID}})
		other := env.SecondServer()
		servers := []http.Handler{env.App.Echo, other.Echo}

		var wg sync.WaitGroup
		var mu sync.Mutex
		count := map[string]int{}
		failures := 0
		for i := 0; i < 30; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				code, body := rawPost(servers[i%2], env.Admin.Token, "/leads", map[string]any{"name": "并发" + itoa(i)})
				var l lead.LeadResponse
				_ = json.Unmarshal(body, &l)
				mu.Lock()
				defer mu.Unlock()
				if code != http.StatusCreated {
					failures++
					t.Errorf("create %d: %d %s", i, code, body)
					return
				}
				count[deref(l.OwnerID)]++
			}(i)
		}
		wg.Wait()
		if failures > 0 {
			t.FailNow()
		}
		for _, u := range users {
			if count[u.ID] != 10 {
				t.Fatalf("round-robin under concurrency: %v, want 10 each", count)
			}
		}
	})
}

// Several reps claiming one pool lead at once: exactly one wins, on both
// servers.
func TestConcurrentClaim(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		team := env.Team("抢单", "")
		var reps []*apptest.User
		for i := 0; i < 6; i++ {
			reps = append(reps, env.User("rep", team))
		}
		other := env.SecondServer()
		servers := []http.Handler{env.App.Echo, other.Echo}
		for round := 0; round < 3; round++ {
			l := create(t, env.Admin, map[string]any{"name": "公海线索" + itoa(round)})
			var wg sync.WaitGroup
			codes := make([]int, len(reps))
			for i, r := range reps {
				wg.Add(1)
				go func(i int, r *apptest.User) {
					defer wg.Done()
					codes[i], _ = rawPost(servers[i%2], r.Token, "/leads/"+l.ID+"/claim", nil)
				}(i, r)
			}
			wg.Wait()
			winner := ""
			for i, c := range codes {
				switch c {
				case http.StatusOK:
					if winner != "" {
						t.Fatalf("two winners: %v", codes)
					}
					winner = reps[i].ID
				case http.StatusConflict:
				default:
					t.Fatalf("claim codes %v", codes)
				}
			}
			if winner == "" {
				t.Fatalf("no winner: %v", codes)
			}
			g := get(t, env.Admin, l.ID)
			if deref(g.OwnerID) != winner || g.Status != "assigned" || g.Version != 2 {
				t.Fatalf("after the race: %+v", g)
			}
			if h := history(t, env.Admin, l.ID); len(h) != 1 || h[0].Reason != "claim" || deref(h[0].ToUser) != winner {
				t.Fatalf("claim history %+v", h)
			}
		}
	})
}
