package customer_test

import (
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

// A contact added to a source while it is being merged either lands
// before the merge (and moves with it) or is refused after it; it is never
// left behind on the merged, deleted source.
func TestMergeVsConcurrentContact(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		for round := 0; round < 4; round++ {
			target := createDuplicate(t, env.Admin, map[string]any{"name": fmt.Sprintf("Target %d", round)})
			src := createDuplicate(t, env.Admin, map[string]any{"name": fmt.Sprintf("Source %d", round)})
			const n = 6
			ids := make([]string, n)
			codes := make([]int, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					<-start
					r := env.Admin.Post("/contacts", map[string]any{"customer_id": src.ID, "name": fmt.Sprintf("C%d", i)})
					codes[i] = r.Code
					if r.Code == http.StatusCreated {
						var out struct{ ID string }
						r.Decode(&out)
						ids[i] = out.ID
					}
				}(i)
			}
			var mergeCode int
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				mergeCode = env.Admin.Post("/customers/"+target.ID+"/merge",
					map[string]any{"source_ids": []string{src.ID}}).Code
			}()
			close(start)
			wg.Wait()
			if mergeCode != http.StatusOK {
				t.Fatalf("merge: %d", mergeCode)
			}
			for i, code := range codes {
				switch code {
				case http.StatusCreated:
					var ct struct {
						CustomerID string `json:"customer_id"`
					}
					env.Admin.Get("/contacts/" + ids[i]).Status(http.StatusOK).Decode(&ct)
					if ct.CustomerID != target.ID {
						t.Errorf("round %d: contact %d on %s, want the target", round, i, ct.CustomerID)
					}
				case http.StatusUnprocessableEntity:
				default:
					t.Errorf("round %d: contact %d: status %d", round, i, code)
				}
			}
		}
	})
}

// Two managers merging the same pair in opposite directions at once: one
// wins, the other is refused cleanly (never a deadlock 500).
func TestCrossedMerges(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		for round := 0; round < 4; round++ {
			x := createDuplicate(t, env.Admin, map[string]any{"name": fmt.Sprintf("X %d", round)})
			y := createDuplicate(t, env.Admin, map[string]any{"name": fmt.Sprintf("Y %d", round)})
			codes := make([]int, 2)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, pair := range [][2]string{{x.ID, y.ID}, {y.ID, x.ID}} {
				wg.Add(1)
				go func(i int, to, from string) {
					defer wg.Done()
					<-start
					codes[i] = env.Admin.Post("/customers/"+to+"/merge", map[string]any{"source_ids": []string{from}}).Code
				}(i, pair[0], pair[1])
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, c := range codes {
				switch c {
				case http.StatusOK:
					ok++
				case http.StatusNotFound, http.StatusUnprocessableEntity, http.StatusPreconditionFailed:
				default:
					t.Errorf("round %d: merge status %d", round, c)
				}
			}
			if ok != 1 {
				t.Errorf("round %d: %d merges succeeded (%v)", round, ok, codes)
			}
		}
	})
}
