package docnum_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/docnum"
)

func TestMain(m *testing.M) { apptest.Main(m) }

// Forty documents created at once on two servers get the day's numbers
// 0001…0040, each once; a rolled-back one gives its number back; the
// counter restarts on the next business day in the organisation's zone.
func TestNumbersUniqueGapFreeAcrossServers(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		other := env.SecondServer()
		shanghai, _ := time.LoadLocation("Asia/Shanghai")
		// 2026-11-26 23:30 in Shanghai is 15:30 UTC: still the 26th there.
		now := time.Date(2026, 11, 26, 15, 30, 0, 0, time.UTC)
		var mu sync.Mutex
		var got []string
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			d := env.App.DB
			if i%2 == 1 {
				d = other.DB
			}
			wg.Add(1)
			go func(d *db.DB) {
				defer wg.Done()
				g := docnum.New(d)
				err := d.WithTx(context.Background(), func(ctx context.Context) error {
					n, err := g.Next(ctx, "QT", now, shanghai)
					if err != nil {
						return err
					}
					mu.Lock()
					got = append(got, n)
					mu.Unlock()
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}(d)
		}
		wg.Wait()
		sort.Strings(got)
		if len(got) != 40 {
			t.Fatalf("%d numbers", len(got))
		}
		for i, n := range got {
			if want := fmt.Sprintf("QT-20261126-%04d", i+1); n != want {
				t.Fatalf("number %d = %s, want %s (all: %v)", i, n, want, got)
			}
		}
		g := docnum.New(env.App.DB)
		boom := errors.New("boom")
		_ = env.App.DB.WithTx(context.Background(), func(ctx context.Context) error {
			if _, err := g.Next(ctx, "QT", now, shanghai); err != nil {
				t.Fatal(err)
			}
			return boom
		})
		next := func(prefix string, at time.Time) string {
			var n string
			if err := env.App.DB.WithTx(context.Background(), func(ctx context.Context) (err error) {
				n, err = g.Next(ctx, prefix, at, shanghai)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := next("QT", now); n != "QT-20261126-0041" {
			t.Fatalf("after a rollback: %s", n)
		}
		// 16:30 UTC is past midnight in Shanghai: a new day, a new counter.
		if n := next("QT", now.Add(time.Hour)); n != "QT-20261127-0001" {
			t.Fatalf("next day: %s", n)
		}
		if n := next("SO", now); n != "SO-20261126-0001" {
			t.Fatalf("other prefix: %s", n)
		}
		if _, err := g.Next(context.Background(), "qt-1", now, shanghai); err == nil {
			t.Fatal("bad prefix accepted")
		}
	})
}
