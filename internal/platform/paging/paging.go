// Package paging implements the list contract of API.md: keyset cursors
// that stay stable under concurrent inserts, multi-field sort, limit and an
// optional total.
package paging

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/opencrm/crm/internal/platform/apperr"
	"gorm.io/gorm"
)

const (
	DefaultLimit = 20
	MaxLimit     = 200
)

// Column is one sortable field: its SQL expression and how to read the
// value of a row for the cursor. Time marks a timestamp column, Number a
// numeric one; anything else compares as text. The expression must never be
// NULL (wrap a nullable column in COALESCE, and have Get return the same
// fallback): the databases order NULLs differently and a keyset cannot
// step over them. Get may return a pointer; it is dereferenced.
type Column[T any] struct {
	Expr   string
	Time   bool
	Number bool
	Get    func(*T) any
}

// Spec lists the sortable fields of a resource. The tie-breaker is always
// the id column, so equal sort values never repeat or skip rows.
type Spec[T any] struct {
	Columns map[string]Column[T]
	Default string // e.g. "-created_at"
	IDExpr  string // e.g. "leads.id"
	ID      func(*T) string
}

// Request is what the client asked for.
type Request struct {
	Limit        int
	Cursor       string
	Sort         string
	IncludeTotal bool
}

// Page is a list response.
type Page[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor,omitempty"`
	HasMore    bool   `json:"has_more"`
	Total      *int64 `json:"total,omitempty"`
}

type sortKey struct {
	name string
	desc bool
}

// Query is a validated request ready to apply.
type Query[T any] struct {
	spec  Spec[T]
	keys  []sortKey
	sort  string
	limit int
	after *cursor
	Total bool
}

type cursor struct {
	Sort string `json:"s"`
	Vals []any  `json:"v"` // string for text and time, json.Number for numbers
	ID   string `json:"id"`
}

// Parse validates sort, limit and cursor. Errors are 400s naming the field.
func (s Spec[T]) Parse(r Request) (*Query[T], error) {
	q := &Query[T]{spec: s, limit: r.Limit, Total: r.IncludeTotal}
	if q.limit == 0 {
		q.limit = DefaultLimit
	}
	if q.limit < 1 || q.limit > MaxLimit {
		return nil, apperr.BadRequest("bad_query", "bad_query",
			apperr.FieldError{Field: "limit", Message: "out_of_range", Params: []any{1, MaxLimit}})
	}
	sort := r.Sort
	if sort == "" {
		sort = s.Default
	}
	seen := map[string]bool{}
	for _, part := range strings.Split(sort, ",") {
		part = strings.TrimSpace(part)
		k := sortKey{name: strings.TrimPrefix(part, "-"), desc: strings.HasPrefix(part, "-")}
		if _, ok := s.Columns[k.name]; !ok || seen[k.name] {
			return nil, apperr.BadRequest("bad_query", "bad_query",
				apperr.FieldError{Field: "sort", Message: "unknown_sort", Params: []any{k.name}})
		}
		seen[k.name] = true
		q.keys = append(q.keys, k)
	}
	q.sort = sort
	if r.Cursor != "" {
		c, err := decodeCursor(r.Cursor)
		if err != nil || !s.validCursor(c, sort, q.keys) {
			return nil, apperr.BadRequest("invalid_cursor", "invalid_cursor",
				apperr.FieldError{Field: "cursor", Message: "invalid_value"})
		}
		q.after = c
	}
	return q, nil
}

// validCursor checks a cursor belongs to this sort and that each value has
// its column's type, so no client-made value reaches SQL as the wrong type.
func (s Spec[T]) validCursor(c *cursor, sort string, keys []sortKey) bool {
	// NUL is the one character PostgreSQL text refuses (a 500, not a 400).
	if c.Sort != sort || len(c.Vals) != len(keys) || c.ID == "" || strings.ContainsRune(c.ID, 0) {
		return false
	}
	for i, k := range keys {
		col := s.Columns[k.name]
		switch v := c.Vals[i].(type) {
		case string:
			if col.Number || strings.ContainsRune(v, 0) {
				return false
			}
			if col.Time {
				t, err := time.Parse(time.RFC3339Nano, v)
				if err != nil {
					return false
				}
				c.Vals[i] = t.UTC()
			}
		case json.Number:
			if !col.Number {
				return false
			}
			if n, err := v.Int64(); err == nil {
				c.Vals[i] = n
			} else if f, err := v.Float64(); err == nil {
				c.Vals[i] = f
			} else {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// Apply adds ORDER BY, the keyset condition after the cursor and
// LIMIT n+1 (the extra row tells whether there is more). Apply it after
// the filters, and count before it.
func (q *Query[T]) Apply(db *gorm.DB) *gorm.DB {
	db = db.Order(q.order())
	if q.after != nil {
		cond, args := q.keyset()
		db = db.Where(cond, args...)
	}
	return db.Limit(q.limit + 1)
}

// order is the ORDER BY of the page: the sort keys, then the id, which
// breaks ties in the direction of the first key.
func (q *Query[T]) order() string {
	var order []string
	for _, k := range q.keys {
		order = append(order, q.spec.Columns[k.name].Expr+dir(k.desc))
	}
	order = append(order, q.spec.IDExpr+dir(q.keys[0].desc))
	return strings.Join(order, ", ")
}

// keyset builds a >= x AND ((a > x) OR (a = x AND b > y) OR
// (a = x AND b = y AND id > z)), with < and <= for descending keys.
func (q *Query[T]) keyset() (string, []any) {
	type term struct {
		expr string
		desc bool
		val  any
	}
	var terms []term
	for i, k := range q.keys {
		terms = append(terms, term{q.spec.Columns[k.name].Expr, k.desc, q.after.Vals[i]})
	}
	terms = append(terms, term{q.spec.IDExpr, q.keys[0].desc, q.after.ID})

	var ors []string
	var args []any
	for i := range terms {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, terms[j].expr+" = ?")
			args = append(args, terms[j].val)
		}
		op := " > ?"
		if terms[i].desc {
			op = " < ?"
		}
		ands = append(ands, terms[i].expr+op)
		args = append(args, terms[i].val)
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	// The OR form alone is no index range, so a deep page would scan
	// every row before the cursor; the bound it implies on the first key
	// (a >= x, or a <= x descending) lets the index start at the cursor.
	first := terms[0].expr + " >= ?"
	if terms[0].desc {
		first = terms[0].expr + " <= ?"
	}
	return first + " AND (" + strings.Join(ors, " OR ") + ")", append([]any{terms[0].val}, args...)
}

func dir(desc bool) string {
	if desc {
		return " DESC"
	}
	return " ASC"
}

// Finish trims the extra row and builds the page and its next cursor.
func (q *Query[T]) Finish(rows []T, total *int64) Page[T] {
	p := Page[T]{Data: rows, Total: total}
	if p.Data == nil {
		p.Data = []T{}
	}
	if len(rows) > q.limit {
		p.Data = rows[:q.limit]
		p.HasMore = true
		last := &p.Data[len(p.Data)-1]
		c := cursor{Sort: q.sort, ID: q.spec.ID(last)}
		for _, k := range q.keys {
			c.Vals = append(c.Vals, cursorValue(q.spec.Columns[k.name].Get(last)))
		}
		p.NextCursor = encodeCursor(c)
	}
	return p
}

// cursorValue turns a sort value into its cursor form: times as RFC 3339
// in UTC, numbers as json.Number, everything else as text.
func cursorValue(v any) any {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil // a NULL sort value; Parse refuses such a cursor
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil
	}
	if t, ok := rv.Interface().(time.Time); ok {
		return t.UTC().Format(time.RFC3339Nano)
	}
	switch rv.Kind() {
	case reflect.String:
		return rv.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return json.Number(strconv.FormatInt(rv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return json.Number(strconv.FormatUint(rv.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		return json.Number(strconv.FormatFloat(rv.Float(), 'g', -1, 64))
	}
	return fmt.Sprint(rv.Interface())
}

// Map converts a page of models into a page of DTOs.
func Map[T, U any](p Page[T], f func(*T) U) Page[U] {
	out := Page[U]{NextCursor: p.NextCursor, HasMore: p.HasMore, Total: p.Total, Data: make([]U, len(p.Data))}
	for i := range p.Data {
		out.Data[i] = f(&p.Data[i])
	}
	return out
}

// cursorMAC lets Parse tell a cursor this code made from an edited or
// truncated one. It is a checksum, not a secret: cursors carry nothing
// the caller may not see, and a forged one only moves within their scope.
func cursorMAC(payload []byte) []byte {
	h := sha256.Sum256(append([]byte("crm-cursor-v1:"), payload...))
	return h[:8]
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(append(b, cursorMAC(b)...))
}

func decodeCursor(s string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if len(b) < 9 {
		return nil, errors.New("cursor too short")
	}
	payload, mac := b[:len(b)-8], b[len(b)-8:]
	if !bytes.Equal(mac, cursorMAC(payload)) {
		return nil, errors.New("cursor checksum")
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var c cursor
	if err := dec.Decode(&c); err != nil {
		return nil, err
	}
	return &c, nil
}

// Fetch runs the list: the count (when asked) over the filtered base, then
// the page. base is a filtered, scoped query on the model; it is not
// modified.
func (q *Query[T]) Fetch(base *gorm.DB) (Page[T], error) {
	var total *int64
	if q.Total {
		var n int64
		if err := base.Session(&gorm.Session{}).Count(&n).Error; err != nil {
			return Page[T]{}, err
		}
		total = &n
	}
	var rows []T
	if err := q.Apply(base.Session(&gorm.Session{})).Find(&rows).Error; err != nil {
		return Page[T]{}, err
	}
	return q.Finish(rows, total), nil
}

// FetchByID is Fetch in two steps: the page's ids (filters, order, keyset
// and limit on the id alone), then those rows by primary key in the same
// order. For a large table whose filters an index covers in the list's
// order, the first step is an index-only scan; in one step PostgreSQL may
// judge walking the sort column's index and filtering rows cheaper, and
// be wrong by orders of magnitude when the matching rows are not spread
// evenly (done activities behind a year of planned future ones).
func (q *Query[T]) FetchByID(base *gorm.DB) (Page[T], error) {
	var total *int64
	if q.Total {
		var n int64
		if err := base.Session(&gorm.Session{}).Count(&n).Error; err != nil {
			return Page[T]{}, err
		}
		total = &n
	}
	ids := q.Apply(base.Session(&gorm.Session{})).Select(q.spec.IDExpr)
	var rows []T
	err := base.Session(&gorm.Session{NewDB: true}).Model(new(T)).Where(q.spec.IDExpr+" IN (?)", ids).
		Order(q.order()).Find(&rows).Error
	if err != nil {
		return Page[T]{}, err
	}
	return q.Finish(rows, total), nil
}
