package paging

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/db/dbtest"
	"gorm.io/gorm"
)

type item struct {
	ID    string `gorm:"primaryKey;size:36"`
	Grp   int    `gorm:"not null"`
	Name  string `gorm:"size:20;not null"`
	At    time.Time
	Score *int64 `gorm:"not null"` // a pointer Get, never NULL
}

var spec = Spec[item]{
	Columns: map[string]Column[item]{
		"grp":   {Expr: "grp", Number: true, Get: func(i *item) any { return i.Grp }},
		"name":  {Expr: "name", Get: func(i *item) any { return i.Name }},
		"at":    {Expr: "at", Time: true, Get: func(i *item) any { return i.At }},
		"score": {Expr: "score", Number: true, Get: func(i *item) any { return i.Score }},
	},
	Default: "-at",
	IDExpr:  "id",
	ID:      func(i *item) string { return i.ID },
}

func eachDB(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	setup := func(t *testing.T, d *db.DB) {
		t.Cleanup(func() { _ = d.Close() })
		if err := d.Gorm().AutoMigrate(&item{}); err != nil {
			t.Fatal(err)
		}
		fn(t, d)
	}
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		d, err := db.Open(context.Background(), "", t.TempDir(), db.Options{MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		setup(t, d)
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		d, err := db.Open(context.Background(), dbtest.PostgresURL(t), "", db.Options{MaxOpenConns: 2})
		if err != nil {
			t.Fatal(err)
		}
		setup(t, d)
	})
}

// seed inserts n rows with many ties: three groups, three names, and times
// that share seconds and differ in sub-second digits (1s, 1.5s, 1.25s, 1.000001s),
// which is where a text-stored timestamp would compare wrongly.
func seed(t *testing.T, d *db.DB, n int, r *rand.Rand) []item {
	t.Helper()
	base := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	fracs := []time.Duration{0, 500 * time.Millisecond, 250 * time.Millisecond, time.Microsecond}
	var out []item
	for i := 0; i < n; i++ {
		score := int64(r.IntN(4) - 2)
		it := item{
			ID:    fmt.Sprintf("%08x-%04d", r.Uint32(), i),
			Grp:   r.IntN(3),
			Name:  []string{"a", "b", "c"}[r.IntN(3)],
			At:    base.Add(time.Duration(r.IntN(3))*time.Second + fracs[r.IntN(len(fracs))]),
			Score: &score,
		}
		out = append(out, it)
	}
	if err := d.Gorm().Create(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// expected sorts rows as the spec promises: the keys in order, then the id
// in the first key's direction.
func expected(rows []item, sortParam string) []string {
	keys := strings.Split(sortParam, ",")
	cmp := func(a, b *item) int {
		for _, k := range keys {
			desc := strings.HasPrefix(k, "-")
			var c int
			switch strings.TrimPrefix(k, "-") {
			case "grp":
				c = a.Grp - b.Grp
			case "name":
				c = strings.Compare(a.Name, b.Name)
			case "at":
				c = a.At.Compare(b.At)
			case "score":
				c = int(*a.Score - *b.Score)
			}
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		c := strings.Compare(a.ID, b.ID)
		if strings.HasPrefix(keys[0], "-") {
			c = -c
		}
		return c
	}
	s := append([]item(nil), rows...)
	sort.Slice(s, func(i, j int) bool { return cmp(&s[i], &s[j]) < 0 })
	ids := make([]string, len(s))
	for i := range s {
		ids[i] = s[i].ID
	}
	return ids
}

func fetchAll(t *testing.T, d *db.DB, sortParam string, limit int) []string {
	return fetchAllWith(t, d.Gorm().Model(&item{}), sortParam, limit, false)
}

// fetchAllWith walks every page of base, with FetchByID when byID.
func fetchAllWith(t *testing.T, base *gorm.DB, sortParam string, limit int, byID bool) []string {
	t.Helper()
	var ids []string
	cur := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("pagination does not end")
		}
		q, err := spec.Parse(Request{Limit: limit, Cursor: cur, Sort: sortParam, IncludeTotal: pages == 0})
		if err != nil {
			t.Fatalf("parse page %d: %v", pages, err)
		}
		fetch := q.Fetch
		if byID {
			fetch = q.FetchByID
		}
		p, err := fetch(base)
		if err != nil {
			t.Fatalf("fetch page %d: %v", pages, err)
		}
		if pages == 0 && (p.Total == nil || *p.Total == 0) {
			t.Fatal("include_total gave no total")
		}
		if len(p.Data) > limit {
			t.Fatalf("page of %d rows, limit %d", len(p.Data), limit)
		}
		for _, it := range p.Data {
			ids = append(ids, it.ID)
		}
		if !p.HasMore {
			if p.NextCursor != "" {
				t.Fatal("last page has a cursor")
			}
			return ids
		}
		if p.NextCursor == "" || len(p.Data) != limit {
			t.Fatalf("has_more with cursor %q and %d rows", p.NextCursor, len(p.Data))
		}
		cur = p.NextCursor
	}
}

func TestKeysetMixedDirectionsWithTies(t *testing.T) {
	eachDB(t, func(t *testing.T, d *db.DB) {
		rows := seed(t, d, 60, rand.New(rand.NewPCG(1, 2)))
		for _, s := range []string{"-at", "at", "grp,-name", "-grp,name,-at", "name,-at,grp", "-name,at", "at,-grp", "-score,name", "score,-at"} {
			for _, limit := range []int{1, 7, 60, 200} {
				got := fetchAll(t, d, s, limit)
				want := expected(rows, s)
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Fatalf("sort=%s limit=%d:\n got %v\nwant %v", s, limit, got, want)
				}
			}
		}
	})
}

// FetchByID pages exactly like Fetch, filters included: the same rows in
// the same order, the same totals and cursors' walk.
func TestFetchByIDMatchesFetch(t *testing.T) {
	eachDB(t, func(t *testing.T, d *db.DB) {
		seed(t, d, 60, rand.New(rand.NewPCG(5, 6)))
		for _, s := range []string{"-at", "grp,-name", "-score,name"} {
			for _, limit := range []int{1, 7, 200} {
				base := func() *gorm.DB { return d.Gorm().Model(&item{}).Where("grp <> ?", 1) }
				got := fetchAllWith(t, base(), s, limit, true)
				want := fetchAllWith(t, base(), s, limit, false)
				if len(want) == 0 || strings.Join(got, " ") != strings.Join(want, " ") {
					t.Fatalf("sort=%s limit=%d:\n by id %v\n plain %v", s, limit, got, want)
				}
			}
		}
	})
}

// Rows inserted between pages never make a page repeat or skip a row that
// was there before: new rows before the cursor are simply not seen.
func TestStableUnderInserts(t *testing.T) {
	eachDB(t, func(t *testing.T, d *db.DB) {
		r := rand.New(rand.NewPCG(3, 4))
		rows := seed(t, d, 30, r)
		const s = "-grp,name"
		var seen []string
		cur := ""
		for {
			q, err := spec.Parse(Request{Limit: 4, Cursor: cur, Sort: s})
			if err != nil {
				t.Fatal(err)
			}
			p, err := q.Fetch(d.Gorm().Model(&item{}))
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Data {
				seen = append(seen, it.ID)
			}
			if !p.HasMore {
				break
			}
			cur = p.NextCursor
			rows = append(rows, seed(t, d, 3, r)...) // concurrent writers
		}
		counts := map[string]int{}
		for _, id := range seen {
			counts[id]++
			if counts[id] > 1 {
				t.Fatalf("row %s listed twice", id)
			}
		}
		for _, id := range expected(rows[:30], s) {
			if counts[id] == 0 {
				t.Fatalf("original row %s skipped", id)
			}
		}
	})
}

func wantBadRequest(t *testing.T, err error, code, field string) {
	t.Helper()
	var ae *apperr.Error
	if !errors.As(err, &ae) || !errors.Is(err, apperr.ErrBadRequest) || ae.Code != code {
		t.Fatalf("error %v, want 400 %s", err, code)
	}
	if len(ae.Fields) != 1 || ae.Fields[0].Field != field {
		t.Fatalf("fields %+v, want %s", ae.Fields, field)
	}
}

func firstCursor(t *testing.T, d *db.DB, s string) string {
	t.Helper()
	q, err := spec.Parse(Request{Limit: 2, Sort: s})
	if err != nil {
		t.Fatal(err)
	}
	p, err := q.Fetch(d.Gorm().Model(&item{}))
	if err != nil || p.NextCursor == "" {
		t.Fatalf("first page: %v %+v", err, p)
	}
	return p.NextCursor
}

func TestCursorTamperAndSortChange(t *testing.T) {
	eachDB(t, func(t *testing.T, d *db.DB) {
		seed(t, d, 10, rand.New(rand.NewPCG(5, 6)))
		cur := firstCursor(t, d, "-at,grp")
		if _, err := spec.Parse(Request{Cursor: cur, Sort: "-at,grp"}); err != nil {
			t.Fatalf("own cursor refused: %v", err)
		}
		raw, _ := base64.RawURLEncoding.DecodeString(cur)
		payload := raw[:len(raw)-8]

		edited := strings.Replace(string(payload), `"s":"-at,grp"`, `"s":"-at,grp"`, 1)
		edited = strings.Replace(edited, `2026-11-22`, `2027-11-22`, 1)
		forgedNoMAC := base64.RawURLEncoding.EncodeToString(append([]byte(edited), raw[len(raw)-8:]...))

		flipped := []byte(cur)
		flipped[len(flipped)/2] ^= 0x01
		if flipped[len(flipped)/2] == cur[len(cur)/2] {
			t.Fatal("flip did nothing")
		}
		bad := map[string]string{
			"garbage":             "!!!not-base64",
			"not json":            base64.RawURLEncoding.EncodeToString([]byte("hello world, not json")),
			"truncated":           cur[:len(cur)-3],
			"byte flipped":        string(flipped),
			"value edited":        forgedNoMAC,
			"payload without sum": base64.RawURLEncoding.EncodeToString(payload),
		}
		for name, c := range bad {
			_, err := spec.Parse(Request{Cursor: c, Sort: "-at,grp"})
			t.Run(name, func(t *testing.T) { wantBadRequest(t, err, "invalid_cursor", "cursor") })
		}
		// The same cursor with another sort, another direction or the
		// default sort: the positions mean something else there.
		for _, s := range []string{"at,grp", "-at", "grp,-at", "", "-at,grp,name"} {
			_, err := spec.Parse(Request{Cursor: cur, Sort: s})
			wantBadRequest(t, err, "invalid_cursor", "cursor")
		}
	})
}

// Cursors with a valid checksum but values of the wrong type (a client who
// recomputed the checksum) are refused before they reach SQL.
func TestForgedCursorTypes(t *testing.T) {
	forge := func(c map[string]any) string {
		b, _ := json.Marshal(c)
		return base64.RawURLEncoding.EncodeToString(append(b, cursorMAC(b)...))
	}
	cases := map[string]map[string]any{
		"number for time":     {"s": "-at", "v": []any{12}, "id": "x"},
		"bad time":            {"s": "-at", "v": []any{"yesterday"}, "id": "x"},
		"text for number":     {"s": "grp", "v": []any{"1"}, "id": "x"},
		"number for text":     {"s": "name", "v": []any{1}, "id": "x"},
		"null value":          {"s": "name", "v": []any{nil}, "id": "x"},
		"object value":        {"s": "name", "v": []any{map[string]any{}}, "id": "x"},
		"too few values":      {"s": "grp,name", "v": []any{1}, "id": "x"},
		"too many values":     {"s": "grp", "v": []any{1, 2}, "id": "x"},
		"no id":               {"s": "grp", "v": []any{1}},
		"NUL in id":           {"s": "grp", "v": []any{1}, "id": "a\x00b"},
		"NUL in text":         {"s": "name", "v": []any{"a\x00"}, "id": "x"},
		"huge number for int": {"s": "grp", "v": []any{json.Number("1e400")}, "id": "x"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := spec.Parse(Request{Cursor: forge(c), Sort: c["s"].(string)})
			wantBadRequest(t, err, "invalid_cursor", "cursor")
		})
	}
	ok := forge(map[string]any{"s": "grp,-at", "v": []any{2, "2026-11-22T08:00:00.5Z"}, "id": "x"})
	if _, err := spec.Parse(Request{Cursor: ok, Sort: "grp,-at"}); err != nil {
		t.Fatalf("well-typed cursor refused: %v", err)
	}
}

func TestParseSortAndLimit(t *testing.T) {
	for _, s := range []string{"nope", "name,name", "name,-name", "-", "name,", "id"} {
		_, err := spec.Parse(Request{Sort: s})
		wantBadRequest(t, err, "bad_query", "sort")
	}
	for _, l := range []int{-1, MaxLimit + 1} {
		_, err := spec.Parse(Request{Limit: l})
		wantBadRequest(t, err, "bad_query", "limit")
	}
	q, err := spec.Parse(Request{Sort: " grp , -name "})
	if err != nil {
		t.Fatalf("spaces around keys: %v", err)
	}
	if q.limit != DefaultLimit {
		t.Fatalf("default limit %d", q.limit)
	}
	if _, err := spec.Parse(Request{Limit: MaxLimit}); err != nil {
		t.Fatalf("limit=%d refused: %v", MaxLimit, err)
	}
}

func TestFinishAndMap(t *testing.T) {
	q, _ := spec.Parse(Request{Limit: 2})
	empty := q.Finish(nil, nil)
	if empty.Data == nil || len(empty.Data) != 0 || empty.HasMore {
		t.Fatalf("empty page %+v: data must be [] not null", empty)
	}
	b, _ := json.Marshal(empty)
	if string(b) != `{"data":[],"has_more":false}` {
		t.Fatalf("empty page JSON %s", b)
	}
	one := int64(1)
	rows := []item{{ID: "a", Score: &one}, {ID: "b", Score: &one}, {ID: "c", Score: &one}}
	p := q.Finish(rows, nil)
	if len(p.Data) != 2 || !p.HasMore || p.NextCursor == "" {
		t.Fatalf("page %+v", p)
	}
	m := Map(p, func(i *item) string { return i.ID })
	if strings.Join(m.Data, ",") != "a,b" || m.NextCursor != p.NextCursor || !m.HasMore {
		t.Fatalf("Map = %+v", m)
	}
}

func TestCursorValue(t *testing.T) {
	type status string
	n := 7
	var nilTime *time.Time
	at := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))
	cases := []struct {
		in   any
		want any
	}{
		{"x", "x"},
		{status("new"), "new"},
		{&n, json.Number("7")},
		{int64(-3), json.Number("-3")},
		{uint8(3), json.Number("3")},
		{2.5, json.Number("2.5")},
		{at, "2026-01-02T02:04:05.0000006Z"},
		{&at, "2026-01-02T02:04:05.0000006Z"},
		{nilTime, nil},
		{nil, nil},
	}
	for _, c := range cases {
		if got := cursorValue(c.in); got != c.want {
			t.Errorf("cursorValue(%#v) = %#v, want %#v", c.in, got, c.want)
		}
	}
}
