// Package audit writes the audit log: who changed what, when, with the
// values before and after, in the same transaction as the change itself.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
)

// Log is one audit row.
type Log struct {
	ID         string
	CreatedAt  time.Time
	ActorType  string
	ActorID    string
	ActorName  string
	Action     string
	EntityType string
	EntityID   string
	Before     *string
	After      *string
	RequestID  string
	IP         string
}

// TableName pins the table.
func (Log) TableName() string { return "audit_logs" }

type metaKey struct{}

// Meta is what the request contributes to every audit row.
type Meta struct{ RequestID, IP string }

// WithMeta stores request metadata in ctx (set by the HTTP middleware).
func WithMeta(ctx context.Context, m Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// Writer records audit rows through the context's transaction.
type Writer struct{ db *db.DB }

// NewWriter builds a Writer.
func NewWriter(d *db.DB) *Writer { return &Writer{db: d} }

// Record writes one row. Call it inside the service's transaction
// (db.WithTx) so the change and its audit commit or roll back together.
// before and after are the record as clients see it (DTOs), nil when absent.
func (w *Writer) Record(ctx context.Context, action, entityType, entityID string, before, after any) error {
	row := Log{
		ID:         uuid.Must(uuid.NewV7()).String(),
		CreatedAt:  db.Now(),
		Action:     action,
		EntityType: entityType,
		EntityID:   entityID,
		ActorType:  "system",
		ActorID:    "system",
	}
	if a := authz.ActorFrom(ctx); a != nil {
		row.ActorType, row.ActorID, row.ActorName = a.Kind(), a.ID(), a.Name
	}
	if m, ok := ctx.Value(metaKey{}).(Meta); ok {
		row.RequestID, row.IP = m.RequestID, m.IP
	}
	var err error
	if row.Before, err = encode(before); err != nil {
		return err
	}
	if row.After, err = encode(after); err != nil {
		return err
	}
	if err := w.db.Conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("audit.record: %w", err)
	}
	return nil
}

func encode(v any) (*string, error) {
	if v == nil {
		return nil, nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit.encode: %w", err)
	}
	s := string(b)
	return &s, nil
}
