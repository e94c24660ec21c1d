// Package event is the outbox of business events for integrations: every
// state change that matters outside (quote accepted, order shipped,
// contract signed, payment received…) is written here in the transaction
// of the change, so an event exists exactly when its change committed.
// Consumers read them in order with GET /events?after=<seq>; webhooks will
// deliver from the same table.
package event

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
)

func init() {
	authz.Grant("events:read", authz.RoleAdmin)
}

// Event is one business event.
type Event struct {
	Seq        int64 `gorm:"primaryKey;autoIncrement"`
	ID         string
	Type       string
	EntityType string
	EntityID   string
	ActorType  string
	ActorID    string
	Payload    string
	OccurredAt time.Time
}

// lockKey serialises event writers on PostgreSQL (see Record).
const lockKey = 7_200_011

// Writer records events.
type Writer struct{ db *db.DB }

// NewWriter builds a writer.
func NewWriter(d *db.DB) *Writer { return &Writer{db: d} }

// Record writes an event of typ ("quote.accepted") about an entity with a
// JSON payload, inside the caller's transaction (it must be in one).
//
// On PostgreSQL it first takes a transaction-scoped advisory lock, so
// event-writing transactions commit one at a time and sequence numbers
// become visible in order: a consumer that has read up to seq N never
// later finds a committed event below N. SQLite serialises writers anyway.
func (w *Writer) Record(ctx context.Context, typ, entityType, entityID string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("event.record: payload: %w", err)
	}
	conn := w.db.Conn(ctx)
	if w.db.Dialect() == db.Postgres {
		if err := conn.Exec("SELECT pg_advisory_xact_lock(?)", lockKey).Error; err != nil {
			return fmt.Errorf("event.record: lock: %w", err)
		}
	}
	e := Event{ID: uuid.Must(uuid.NewV7()).String(), Type: typ, EntityType: entityType, EntityID: entityID,
		ActorType: "system", ActorID: "system", Payload: string(b), OccurredAt: db.Now()}
	if a := authz.ActorFrom(ctx); a != nil {
		e.ActorType, e.ActorID = a.Kind(), a.ID()
	}
	if err := conn.Create(&e).Error; err != nil {
		return fmt.Errorf("event.record: %w", err)
	}
	return nil
}

// Service reads the outbox.
type Service struct{ db *db.DB }

// NewService builds the reader.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// List returns up to limit events after seq, oldest first, optionally of
// some types only (each type exact or a prefix ending in ".").
func (s *Service) List(ctx context.Context, after int64, limit int, types []string) ([]Event, bool, error) {
	if err := authz.Require(ctx, "events:read"); err != nil {
		return nil, false, err
	}
	q := s.db.Conn(ctx).Where("seq > ?", after)
	if len(types) > 0 {
		var exact []string
		cond := s.db.Conn(ctx)
		for _, t := range types {
			if len(t) > 1 && t[len(t)-1] == '.' {
				cond = cond.Or(`type LIKE ? ESCAPE '\'`, db.LikeEscape(t)+"%")
			} else {
				exact = append(exact, t)
			}
		}
		if len(exact) > 0 {
			cond = cond.Or("type IN ?", exact)
		}
		q = q.Where(cond)
	}
	var out []Event
	if err := q.Order("seq").Limit(limit + 1).Find(&out).Error; err != nil {
		return nil, false, fmt.Errorf("event.list: %w", err)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}
