package event_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/event"
	"github.com/opencrm/crm/internal/platform/authz"
)

func TestMain(m *testing.M) { apptest.Main(m) }

func record(t *testing.T, env *apptest.Env, typ, id string, fail bool) {
	t.Helper()
	boom := errors.New("boom")
	ctx := authz.WithActor(context.Background(), authz.System("test"))
	err := env.App.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := env.App.Events.Record(ctx, typ, "contract", id, map[string]any{"id": id, "amount": "1200.00"}); err != nil {
			return err
		}
		if fail {
			return boom
		}
		return nil
	})
	if fail != errors.Is(err, boom) || (!fail && err != nil) {
		t.Fatalf("record: %v", err)
	}
}

func TestEventsInOrderOnlyCommitted(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		record(t, env, "contract.signed", "c1", false)
		record(t, env, "contract.signed", "rolled-back", true)
		record(t, env, "payment.received", "c1", false)
		record(t, env, "contract.completed", "c1", false)

		var l event.List
		env.Admin.Get("/events").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 3 || l.HasMore {
			t.Fatalf("events %+v", l)
		}
		for i, want := range []string{"contract.signed", "payment.received", "contract.completed"} {
			e := l.Data[i]
			if e.Type != want || e.EntityID != "c1" || e.Actor.Type != "system" || string(e.Payload) != `{"amount":"1200.00","id":"c1"}` {
				t.Fatalf("event %d: %+v %s", i, e, e.Payload)
			}
			if i > 0 && e.Seq <= l.Data[i-1].Seq {
				t.Fatal("not in seq order")
			}
		}
		// Reading on from a position, in batches.
		var page event.List
		env.Admin.Get("/events?limit=1").Status(http.StatusOK).Decode(&page)
		if len(page.Data) != 1 || !page.HasMore || page.NextAfter != l.Data[0].Seq {
			t.Fatalf("batch %+v", page)
		}
		env.Admin.Get("/events?after=" + itoa(page.NextAfter)).Status(http.StatusOK).Decode(&page)
		if len(page.Data) != 2 || page.Data[0].Type != "payment.received" {
			t.Fatalf("after: %+v", page)
		}
		env.Admin.Get("/events?after=" + itoa(page.NextAfter)).Status(http.StatusOK).Decode(&page)
		if len(page.Data) != 0 || page.NextAfter != l.Data[2].Seq {
			t.Fatalf("nothing new: %+v", page)
		}
		// Type filters: exact and prefix.
		env.Admin.Get("/events?type=contract.").Status(http.StatusOK).Decode(&page)
		if len(page.Data) != 2 {
			t.Fatalf("prefix: %d", len(page.Data))
		}
		env.Admin.Get("/events?type=payment.received,contract.completed").Status(http.StatusOK).Decode(&page)
		if len(page.Data) != 2 {
			t.Fatalf("exact: %d", len(page.Data))
		}
		// Reps cannot read the firehose; bad parameters are 400.
		env.User("rep", "").Get("/events").Status(http.StatusForbidden)
		env.Admin.Get("/events?after=x").Status(http.StatusBadRequest)
		env.Admin.Get("/events?limit=501").Status(http.StatusBadRequest)
		env.Admin.Get("/events?after=-1").Status(http.StatusBadRequest)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// A consumer polling while many transactions write events never skips
// one: seq numbers become visible in order.
func TestPollingConsumerMissesNothing(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		other := env.SecondServer()
		done := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				a := env.App
				if w%2 == 1 {
					a = other
				}
				ctx := authz.WithActor(context.Background(), authz.System("test"))
				for i := 0; i < 25; i++ {
					err := a.DB.WithTx(ctx, func(ctx context.Context) error {
						return a.Events.Record(ctx, "payment.received", "payment", strconv.Itoa(w*100+i), map[string]int{"n": i})
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			}(w)
		}
		go func() { wg.Wait(); close(done) }()
		seen := map[string]bool{}
		var after int64
		poll := func() {
			var page event.List
			env.Admin.Get("/events?limit=500&after=" + strconv.FormatInt(after, 10)).Status(http.StatusOK).Decode(&page)
			for _, e := range page.Data {
				seen[e.EntityID] = true
			}
			after = page.NextAfter
		}
		for running := true; running; {
			select {
			case <-done:
				running = false
			default:
				poll()
			}
		}
		poll()
		if len(seen) != 100 {
			t.Fatalf("consumer saw %d of 100 events", len(seen))
		}
	})
}
