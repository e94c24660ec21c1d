package opportunity_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
)

// Two moves of the same opportunity at once: one wins, the other is a
// 412 that leaves no trace in the stage history.
func TestConcurrentStageMoves(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		cust := newCustomer(t, rep.Client, nil)
		for round := 0; round < 5; round++ {
			o := createOpp(t, rep.Client, map[string]any{"name": "A", "customer_id": cust})
			start := make(chan struct{})
			codes := make([]int, 2)
			var wg sync.WaitGroup
			for i, st := range []string{stageProposal, stageNegotiate} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					codes[i] = rep.Req("POST", "/opportunities/"+o.ID+"/stage", map[string]any{"stage_id": st}).
						Header("If-Match", `"1"`).Send().Code
				}()
			}
			close(start)
			wg.Wait()
			ok := 0
			for _, c := range codes {
				switch c {
				case http.StatusOK:
					ok++
				case http.StatusPreconditionFailed:
				default:
					t.Fatalf("status %d", c)
				}
			}
			var h history
			rep.Get("/opportunities/" + o.ID + "/stage-history").Status(http.StatusOK).Decode(&h)
			got := getOpp(t, rep.Client, o.ID)
			if ok != 1 || len(h.Data) != 2 || h.Data[1].StageID != got.StageID || got.Version != 2 {
				t.Fatalf("codes %v, history %d entries, now in %s v%d", codes, len(h.Data), got.StageID, got.Version)
			}
		}
	})
}
