// Package reminder delivers notifications that fall due at a time: before
// an activity, when a follow-up is due, when a stage runs over its limit,
// when a contract expires or a payment falls due.
//
// A reminder is an outbox row written in the transaction of the change that
// causes it (Schedule), so it exists exactly when that change committed.
// After commit it is queued on the Redis queue for its due time; the worker
// delivers it into the owner's inbox in one transaction that also marks the
// row delivered, and the notification carries a unique dedupe key, so a
// retried, re-queued or doubled task cannot write it twice. A dispatch
// sweep re-queues pending reminders that are due soon, so a job lost with
// Redis (restart without persistence, flush, crash between commit and
// enqueue) still fires.
package reminder

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/db"
)

// Status of a reminder.
const (
	Pending   = "pending"
	Delivered = "delivered"
	Cancelled = "cancelled"
)

// Reminder is one due notification. Key names what it is about, so the
// change that moves or cancels it can find it again
// ("activity:<id>:start", "follow-up:lead:<id>", "stage:<opp>:<entry>").
type Reminder struct {
	ID             string
	Key            string
	UserID         string
	Kind           string
	Title          string
	Body           string
	RefType        string
	RefID          string
	DueAt          time.Time
	Status         string
	NotificationID *string
	DeliveredAt    *time.Time
	Attempts       int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Enqueuer puts a delivery task on the queue for a reminder's due time.
// It must be idempotent for the same (id, due).
type Enqueuer interface {
	EnqueueReminder(ctx context.Context, id string, due time.Time) error
}

// Service schedules, moves, cancels and delivers reminders.
type Service struct {
	db    *db.DB
	queue Enqueuer
}

// NewService builds the service; SetQueue attaches the queue once built.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// SetQueue attaches the queue reminders are sent through.
func (s *Service) SetQueue(q Enqueuer) { s.queue = q }

// Schedule creates the reminder named by r.Key, or moves and rewrites it if
// it exists, inside the caller's transaction. A reminder moved to a new
// time fires again even if it fired before; rescheduling at the same time
// does not repeat a delivered one. A zero UserID cancels instead (nobody
// to remind).
func (s *Service) Schedule(ctx context.Context, r Reminder) error {
	r.Key = strings.TrimSpace(r.Key)
	if r.Key == "" || r.DueAt.IsZero() {
		return fmt.Errorf("reminder.schedule: key and due time are required")
	}
	if r.UserID == "" {
		return s.Cancel(ctx, r.Key)
	}
	r.DueAt = r.DueAt.UTC().Truncate(time.Microsecond)
	if len([]rune(r.Title)) > 200 {
		r.Title = string([]rune(r.Title)[:200])
	}
	now := db.Now()
	conn := s.db.Conn(ctx)
	var cur Reminder
	err := conn.Where("key = ?", r.Key).Take(&cur).Error
	switch {
	case db.IsNotFound(err):
		r.ID = uuid.Must(uuid.NewV7()).String()
		r.Status, r.CreatedAt, r.UpdatedAt = Pending, now, now
		r.NotificationID, r.DeliveredAt, r.Attempts = nil, nil, 0
		if err := conn.Create(&r).Error; err != nil {
			return fmt.Errorf("reminder.schedule: %w", err)
		}
	case err != nil:
		return fmt.Errorf("reminder.schedule: %w", err)
	default:
		r.ID = cur.ID
		status := Pending
		if cur.Status == Delivered && cur.DueAt.Equal(r.DueAt) {
			status = Delivered
		}
		if err := conn.Model(&Reminder{}).Where("id = ?", cur.ID).Updates(map[string]any{
			"user_id": r.UserID, "kind": r.Kind, "title": r.Title, "body": r.Body,
			"ref_type": r.RefType, "ref_id": r.RefID, "due_at": r.DueAt, "status": status, "updated_at": now,
		}).Error; err != nil {
			return fmt.Errorf("reminder.schedule: %w", err)
		}
		if status != Pending {
			return nil
		}
	}
	s.enqueueAfterCommit(ctx, r.ID, r.DueAt)
	return nil
}

// Cancel stops the pending reminders with these keys, inside the caller's
// transaction. Unknown keys are ignored.
func (s *Service) Cancel(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	err := s.db.Conn(ctx).Model(&Reminder{}).Where("key IN ? AND status = ?", keys, Pending).
		Updates(map[string]any{"status": Cancelled, "updated_at": db.Now()}).Error
	if err != nil {
		return fmt.Errorf("reminder.cancel: %w", err)
	}
	return nil
}

// CancelPrefix stops every pending reminder whose key starts with prefix
// ("activity:<id>:"), inside the caller's transaction.
func (s *Service) CancelPrefix(ctx context.Context, prefix string) error {
	if prefix == "" {
		return fmt.Errorf("reminder.cancel_prefix: empty prefix")
	}
	err := s.db.Conn(ctx).Model(&Reminder{}).Where(`key LIKE ? ESCAPE '\' AND status = ?`, db.LikeEscape(prefix)+"%", Pending).
		Updates(map[string]any{"status": Cancelled, "updated_at": db.Now()}).Error
	if err != nil {
		return fmt.Errorf("reminder.cancel_prefix: %w", err)
	}
	return nil
}

// Get reads a reminder by key (for tests and diagnostics).
func (s *Service) Get(ctx context.Context, key string) (*Reminder, error) {
	var r Reminder
	if err := s.db.Conn(ctx).Where("key = ?", key).Take(&r).Error; err != nil {
		return nil, err
	}
	return &r, nil
}

func (s *Service) enqueueAfterCommit(ctx context.Context, id string, due time.Time) {
	if s.queue == nil {
		return
	}
	db.AfterCommit(ctx, func(ctx context.Context) {
		// Best effort: a failure here is repaired by the dispatch sweep.
		_ = s.queue.EnqueueReminder(ctx, id, due)
	})
}
