package quote_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/quote"
)

// Reps see their own quotes, managers their team subtree's, admins all;
// outside scope a quote is 404 for every endpoint and never listed.
func TestQuoteScope(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		east, west := env.Team("华东", ""), env.Team("华西", "")
		sub := env.Team("苏州", east)
		rep, peer, subRep, westRep := env.User("rep", east), env.User("rep", east), env.User("rep", sub), env.User("rep", west)
		mgr := env.User("manager", east)
		q := createQuote(t, subRep.Client, customerOf(t, subRep.Client, "苏州客户"), line("1", "10", "0", "0"))
		createQuote(t, westRep.Client, customerOf(t, westRep.Client, "成都客户"), line("1", "10", "0", "0"))

		for _, c := range []struct {
			name string
			who  *apptest.Client
			sees bool
			n    int64
		}{{"owner", subRep.Client, true, 1}, {"manager above", mgr.Client, true, 1}, {"admin", env.Admin, true, 2},
			{"rep of parent team", rep.Client, false, 0}, {"peer", peer.Client, false, 0},
			{"other team", westRep.Client, false, 1}} {
			var l quoteList
			c.who.Get("/quotes?include_total=true").Status(http.StatusOK).Decode(&l)
			if *l.Total != c.n || len(l.Data) != int(c.n) {
				t.Errorf("%s lists %d", c.name, *l.Total)
			}
			want := http.StatusNotFound
			if c.sees {
				want = http.StatusOK
			}
			c.who.Get("/quotes/" + q.ID).Status(want)
			c.who.Get("/quotes/" + q.ID + "/revisions").Status(want)
			if !c.sees {
				c.who.Patch("/quotes/"+q.ID, map[string]any{"notes": "x"}).Status(http.StatusNotFound)
				for _, a := range quoteActions {
					c.who.Post("/quotes/"+q.ID+"/"+a, body(a)).Status(http.StatusNotFound)
				}
			}
		}
		// A manager acts on the team's quote.
		act(t, mgr.Client, q.ID, "submit", nil, http.StatusOK)
	})
}

// Revisions share the number and stay readable, each with its own lines.
func TestQuoteRevisions(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		setThreshold(t, env, "50")
		rep := env.User("rep", env.Team("华东", ""))
		q1 := createQuote(t, rep.Client, customerOf(t, rep.Client, "恒达精密"), line("1", "100", "0", "0"))
		act(t, rep.Client, q1.ID, "submit", nil, http.StatusOK)
		act(t, rep.Client, q1.ID, "send", nil, http.StatusOK)
		q2 := act(t, rep.Client, q1.ID, "revise", nil, http.StatusCreated)
		rep.Patch("/quotes/"+q2.ID, map[string]any{"items": []any{line("1", "90", "0", "0")}}).Status(http.StatusOK)
		// Revising a superseded revision again is refused.
		rep.Post("/quotes/"+q1.ID+"/revise", nil).Status(http.StatusConflict)

		var revs quote.RevisionList
		rep.Get("/quotes/" + q2.ID + "/revisions").Status(http.StatusOK).Decode(&revs)
		if len(revs.Data) != 2 || revs.Data[0].ID != q1.ID || revs.Data[1].ID != q2.ID ||
			revs.Data[0].Number != revs.Data[1].Number || revs.Data[0].Revision != 1 || revs.Data[1].Revision != 2 ||
			revs.Data[0].Status != "superseded" || revs.Data[0].Total != "100.00" || revs.Data[1].Total != "90.00" ||
			revs.Data[1].Status != "draft" {
			t.Fatalf("revisions %+v", revs.Data)
		}
		// Lists show the live revision; all_revisions shows both.
		var l quoteList
		rep.Get("/quotes").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 1 || l.Data[0].ID != q2.ID {
			t.Fatalf("list %+v", l.Data)
		}
		rep.Get("/quotes?all_revisions=true&number=" + q1.Number).Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 2 {
			t.Fatalf("all revisions %d", len(l.Data))
		}
		rep.Get("/quotes?status=superseded").Status(http.StatusOK).Decode(&l)
		if len(l.Data) != 1 || l.Data[0].ID != q1.ID {
			t.Fatalf("superseded %+v", l.Data)
		}
	})
}

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

// Quotes created at once on two servers get numbers 0001…0020 of the day:
// unique and without gaps, even with a failed creation among them.
func TestQuoteNumbersConcurrent(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("华东", ""))
		cust := customerOf(t, rep.Client, "恒达精密")
		servers := []http.Handler{env.App.Echo, env.SecondServer().Echo}
		const n = 20
		var wg sync.WaitGroup
		var mu sync.Mutex
		var numbers []string
		start := make(chan struct{})
		for i := 0; i < n+2; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				items := []any{line("1", "10", "0", "0")}
				if i >= n {
					items = []any{line("0", "10", "0", "0")} // refused: takes no number
				}
				code, body := rawPost(servers[i%2], rep.Token, "/quotes", map[string]any{"customer_id": cust, "items": items})
				mu.Lock()
				defer mu.Unlock()
				if i >= n {
					if code != http.StatusUnprocessableEntity {
						t.Errorf("bad create: %d %s", code, body)
					}
					return
				}
				var q quote.QuoteResponse
				_ = json.Unmarshal(body, &q)
				if code != http.StatusCreated {
					t.Errorf("create %d: %d %s", i, code, body)
					return
				}
				numbers = append(numbers, q.Number)
			}(i)
		}
		close(start)
		wg.Wait()
		if len(numbers) != n {
			t.FailNow()
		}
		slices.Sort(numbers)
		day := time.Now().In(time.FixedZone("CST", 8*3600)).Format("20060102")
		for i, num := range numbers {
			if want := "QT-" + day + "-" + pad4(i+1); num != want {
				t.Fatalf("numbers %v: #%d is %s, want %s", numbers, i, num, want)
			}
		}
	})
}

func pad4(n int) string { s := "000" + itoa(n); return s[len(s)-4:] }
