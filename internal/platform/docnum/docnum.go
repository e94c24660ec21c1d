// Package docnum hands out business numbers such as QT-20261126-0001:
// a prefix, the business day in the organisation's time zone, and a counter
// that restarts each day. Numbers are unique and gap-free: the counter row
// is incremented inside the caller's transaction (an upsert that locks the
// row until commit), so concurrent creators on any number of servers queue
// on it, and a rolled-back document gives its number back.
package docnum

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/opencrm/crm/internal/platform/db"
)

var prefixRe = regexp.MustCompile(`^[A-Z]{1,10}$`)

// Generator issues numbers.
type Generator struct{ db *db.DB }

// New builds a generator.
func New(d *db.DB) *Generator { return &Generator{db: d} }

// Next returns the next number for prefix on the business day of now in
// loc. Call it inside the transaction that stores the document.
func (g *Generator) Next(ctx context.Context, prefix string, now time.Time, loc *time.Location) (string, error) {
	if !prefixRe.MatchString(prefix) {
		return "", fmt.Errorf("docnum: bad prefix %q", prefix)
	}
	day := now.In(loc).Format("20060102")
	var last int64
	// One statement on both databases: insert the day's first number or bump
	// the counter, and read it back. PostgreSQL holds the row lock until
	// commit; SQLite serialises writers anyway.
	err := g.db.Conn(ctx).Raw(`INSERT INTO doc_sequences (prefix, day, counter) VALUES (?, ?, 1)
ON CONFLICT (prefix, day) DO UPDATE SET counter = doc_sequences.counter + 1
RETURNING counter`, prefix, day).Scan(&last).Error
	if err != nil {
		return "", fmt.Errorf("docnum.next: %w", err)
	}
	return Format(prefix, day, last), nil
}

// Format writes PREFIX-YYYYMMDD-NNNN (more digits past 9999 a day).
func Format(prefix, day string, n int64) string { return fmt.Sprintf("%s-%s-%04d", prefix, day, n) }
