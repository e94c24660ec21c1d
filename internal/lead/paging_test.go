package lead_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
)

// walk pages through query with limit, calling between after each page,
// and returns the ids seen in order.
func walk(t *testing.T, c *apptest.Client, query string, limit int, between func()) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for i := 0; i < 100; i++ {
		q := fmt.Sprintf("%s&limit=%d", query, limit)
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		page := list(t, c, q)
		if len(page.Data) > limit {
			t.Fatalf("page of %d rows with limit %d", len(page.Data), limit)
		}
		for _, l := range page.Data {
			ids = append(ids, l.ID)
		}
		if !page.HasMore {
			if page.NextCursor != "" {
				t.Fatalf("last page has a cursor")
			}
			return ids
		}
		between()
		cursor = page.NextCursor
	}
	t.Fatal("walk: too many pages")
	return nil
}

func TestPaginationUnderConcurrentInserts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", env.Team("East", ""))
		// Repeated names and companies make the sort keys tie, so the id
		// tie-breaker is exercised.
		for i := range 23 {
			rep.Post("/leads?allow_duplicate=true", map[string]any{"name": fmt.Sprintf("客户%d", i%4),
				"company": fmt.Sprintf("公司%d", i%3), "status": []string{"new", "contacted", "qualified"}[i%3]}).
				Status(http.StatusCreated)
		}
		for _, sort := range []string{"", "name", "-name,created_at", "company,-updated_at", "status,name", "-updated_at"} {
			query := "sort=" + url.QueryEscape(sort)
			want := listAll(t, rep.Client, query)
			if len(want) != 23 {
				t.Fatalf("sort %q: %d rows", sort, len(want))
			}
			n := 0
			got := walk(t, rep.Client, query, 4, func() {
				// A newer row (and one that sorts first by name) arrives
				// between pages.
				n++
				for _, l := range []map[string]any{{"name": fmt.Sprintf("客户%d", n%4), "company": "公司0"},
					{"name": "0-first", "company": "0-first"}} {
					rep.Post("/leads?allow_duplicate=true", l).Status(http.StatusCreated)
				}
			})
			var originals []string
			seen := map[string]bool{}
			for _, id := range got {
				if seen[id] {
					t.Fatalf("sort %q: %s returned twice", sort, id)
				}
				seen[id] = true
				if slices.Contains(want, id) {
					originals = append(originals, id)
				}
			}
			if !slices.Equal(originals, want) {
				t.Fatalf("sort %q: walk saw originals\n%v\nwant\n%v", sort, originals, want)
			}
			// The default sort is newest first: nothing inserted during the
			// walk shows up in it.
			if sort == "" && len(got) != len(want) {
				t.Fatalf("default sort walk returned %d rows, want %d", len(got), len(want))
			}
			// Clean up the inserted rows so every sort starts from 23.
			for _, id := range listAll(t, rep.Client, "") {
				if !slices.Contains(want, id) {
					rep.Delete("/leads/" + id).Status(http.StatusNoContent)
				}
			}
		}
		// Walking the newest-first list, each page is ordered.
		var prev time.Time
		for i, id := range listAll(t, rep.Client, "") {
			l := get(t, rep.Client, id)
			if i > 0 && l.CreatedAt.After(prev) {
				t.Fatalf("default order is not newest first at %d", i)
			}
			prev = l.CreatedAt
		}
	})
}

func TestListQueryErrors(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		for range 3 {
			create(t, env.Admin, map[string]any{"name": "x"})
		}
		page := list(t, env.Admin, "limit=2")
		if !page.HasMore || page.NextCursor == "" {
			t.Fatalf("first page %+v", page)
		}
		bad400 := []struct{ query, code, field string }{
			{"cursor=abc!!", "invalid_cursor", "cursor"},
			{"cursor=eyJzIjoibmFtZSJ9", "invalid_cursor", "cursor"},
			{"sort=name&cursor=" + url.QueryEscape(page.NextCursor), "invalid_cursor", "cursor"}, // cursor of another sort
			{"limit=0", "bad_query", "limit"},
			{"limit=500", "bad_query", "limit"},
			{"limit=-1", "bad_query", "limit"},
			{"limit=abc", "bad_query", "limit"},
			{"sort=owner_id", "bad_query", "sort"},
			{"sort=name,name", "bad_query", "sort"},
			{"sort=", "", ""},
			{"include_total=maybe", "bad_query", "include_total"},
			{"created_from=yesterday", "bad_query", "created_from"},
			{"created_to=2026-13-01", "bad_query", "created_to"},
		}
		for _, c := range bad400 {
			if c.code == "" {
				env.Admin.Get("/leads?" + c.query).Status(http.StatusOK)
				continue
			}
			p := env.Admin.Get("/leads?" + c.query).Status(http.StatusBadRequest).Problem()
			problemField(t, p, c.code, c.field)
		}
		for _, q := range []string{"q=a%00b", "q=%FF", "region=%00"} {
			env.Admin.Get("/leads?" + q).Status(http.StatusBadRequest).Problem()
		}
		for _, q := range []string{"status=won", "status=new,won", "source=fax"} {
			p := env.Admin.Get("/leads?" + q).Status(http.StatusUnprocessableEntity).Problem()
			problemField(t, p, "validation_failed", "")
		}
		l := create(t, env.Admin, map[string]any{"name": "y"})
		for _, q := range []string{"limit=0", "limit=201", "sort=name", "cursor=zz"} {
			env.Admin.Get("/leads/" + l.ID + "/follow-ups?" + q).Status(http.StatusBadRequest).Problem()
		}
	})
}

func TestListFilters(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		a := create(t, env.Admin, map[string]any{"name": "Alpha 100%", "company": "Foo_Bar", "email": "alpha@x.example.com",
			"source": "web_form", "region": "江苏", "tags": []string{"vip", "华东"}})
		bb := create(t, env.Admin, map[string]any{"name": "Beta", "company": "FooXBar", "phone": "021-6688 1234",
			"source": "phone", "region": "浙江", "status": "contacted", "tags": []string{"vip2"}})
		c := create(t, env.Admin, map[string]any{"name": "Gamma", "status": "qualified", "region": "江苏"})
		cases := []struct {
			query string
			want  []string
		}{
			{"status=new", []string{a.ID}},
			{"status=new,qualified", []string{a.ID, c.ID}},
			{"status=new&status=contacted", []string{a.ID, bb.ID}},
			{"source=phone", []string{bb.ID}},
			{"region=" + url.QueryEscape("江苏"), []string{a.ID, c.ID}},
			{"tag=vip", []string{a.ID}},
			{"tag=" + url.QueryEscape("华东"), []string{a.ID}},
			{"tag=vi", nil},
			{"q=ALPHA", []string{a.ID}},
			{"q=" + url.QueryEscape("100%"), []string{a.ID}},
			{"q=" + url.QueryEscape("%"), []string{a.ID}},
			{"q=foo_bar", []string{a.ID}}, // _ is literal, not a wildcard
			{"q=6688", []string{bb.ID}},
			{"q=x.example", []string{a.ID}},
			{"q=nothing-like-this", nil},
			{"created_from=" + a.CreatedAt.Format(time.RFC3339Nano), []string{a.ID, bb.ID, c.ID}},
			{"created_from=" + url.QueryEscape(c.CreatedAt.Format(time.RFC3339Nano)), []string{c.ID}},
			{"created_to=" + url.QueryEscape(bb.CreatedAt.Format(time.RFC3339Nano)), []string{a.ID}}, // exclusive
			{"created_to=" + a.CreatedAt.Format(time.DateOnly), []string{a.ID, bb.ID, c.ID}},         // whole day
			{"created_from=" + a.CreatedAt.AddDate(0, 0, 1).Format(time.DateOnly), nil},
			{"created_to=" + a.CreatedAt.AddDate(0, 0, -1).Format(time.DateOnly), nil},
			{"owner_id=not-a-uuid", nil},
			{"q=" + url.QueryEscape(`\' OR 1=1 --`), nil},
			{"region=" + url.QueryEscape("江苏") + "&status=qualified&tag=vip", nil},
		}
		for _, tc := range cases {
			page := list(t, env.Admin, "include_total=true&"+tc.query)
			var got []string
			for _, l := range page.Data {
				got = append(got, l.ID)
			}
			if !sameSet(got, tc.want) || int(*page.Total) != len(tc.want) {
				t.Errorf("%s: got %v (total %d), want %v", tc.query, got, *page.Total, tc.want)
			}
		}
	})
}
