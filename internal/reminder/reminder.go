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
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/jobs"
	"github.com/opencrm/crm/internal/notification"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/queue"
	"gorm.io/gorm"
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
	db     *db.DB
	notify Notifier
	queue  Enqueuer
	// lookahead is how far ahead the dispatch sweep queues reminders; it
	// must exceed the sweep's period so nothing due slips between passes.
	lookahead time.Duration
}

// NewService builds the service; SetQueue attaches the queue once built.
func NewService(d *db.DB, n Notifier) *Service {
	return &Service{db: d, notify: n, lookahead: 2 * time.Minute}
}

// taskDeliver is the queue task that delivers one reminder.
const taskDeliver = "reminder:deliver"

type deliverPayload struct {
	ID  string    `json:"id"`
	Due time.Time `json:"due"`
}

// queued sends reminders through the Redis queue. The task id names the
// reminder and its due time, so queueing twice is refused while the task
// is waiting, and a moved reminder gets a task of its own.
type queued struct{ q *queue.Queue }

func (e queued) EnqueueReminder(ctx context.Context, id string, due time.Time) error {
	b, err := json.Marshal(deliverPayload{ID: id, Due: due})
	if err != nil {
		return err
	}
	// asynq keeps due times in whole seconds (truncated): round up, so a
	// reminder is never delivered before it is due.
	at := due.Truncate(time.Second)
	if at.Before(due) {
		at = at.Add(time.Second)
	}
	return e.q.Enqueue(ctx, taskDeliver, b, queue.EnqueueOptions{
		ID: "reminder:" + id + ":" + due.UTC().Format(time.RFC3339Nano), At: at, Retention: 24 * time.Hour,
	})
}

// UseQueue sends reminders through q and registers their delivery task.
func (s *Service) UseQueue(q *queue.Queue) {
	s.queue = queued{q}
	q.Handle(taskDeliver, func(ctx context.Context, b []byte) error {
		var p deliverPayload
		if err := json.Unmarshal(b, &p); err != nil || p.ID == "" {
			return fmt.Errorf("reminder: bad task payload: %w", queue.SkipRetry)
		}
		return s.Deliver(ctx, p.ID, p.Due)
	})
}

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

// Notifier writes the inbox item of a delivered reminder, once per dedupe key.
type Notifier interface {
	NotifyOnce(ctx context.Context, n notification.Notification, dedupeKey string) (string, error)
}

// Deliver turns a due reminder into a notification and marks it delivered,
// in one transaction. A task for a reminder since moved (due differs),
// cancelled or already delivered does nothing, so re-queued and retried
// tasks are harmless.
func (s *Service) Deliver(ctx context.Context, id string, due time.Time) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		var r Reminder
		err := s.db.ForUpdate(s.db.Conn(ctx)).Where("id = ?", id).Take(&r).Error
		if db.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reminder.deliver: %w", err)
		}
		if r.Status != Pending || !r.DueAt.Equal(due.UTC().Truncate(time.Microsecond)) {
			return nil
		}
		nid, err := s.notify.NotifyOnce(ctx, notification.Notification{UserID: r.UserID, Kind: r.Kind, Title: r.Title,
			Body: r.Body, RefType: r.RefType, RefID: r.RefID}, r.ID+"@"+r.DueAt.Format(time.RFC3339Nano))
		if err != nil {
			return err
		}
		now := db.Now()
		return s.db.Conn(ctx).Model(&Reminder{}).Where("id = ?", r.ID).Updates(map[string]any{
			"status": Delivered, "notification_id": nid, "delivered_at": now,
			"attempts": gorm.Expr("attempts + 1"), "updated_at": now,
		}).Error
	})
}

// dispatchBatch bounds one dispatch pass; the next pass takes the rest.
const dispatchBatch = 2000

// DispatchSweep queues every pending reminder due within lookahead (or
// overdue). Queueing is idempotent per reminder and due time, so reminders
// still queued are left alone and those lost with Redis are queued again.
func (s *Service) DispatchSweep(ctx context.Context) (jobs.Result, error) {
	res := jobs.Result{Details: map[string]int{}}
	if s.queue == nil {
		return res, nil
	}
	var due []Reminder
	err := s.db.Conn(ctx).Select("id", "due_at").Where("status = ? AND due_at <= ?", Pending, db.Now().Add(s.lookahead)).
		Order("due_at").Limit(dispatchBatch).Find(&due).Error
	if err != nil {
		return res, fmt.Errorf("reminder.dispatch: %w", err)
	}
	for _, r := range due {
		err := s.queue.EnqueueReminder(ctx, r.ID, r.DueAt)
		switch {
		case errors.Is(err, queue.ErrDuplicate):
			res.Details["already_queued"]++
		case err != nil:
			return res, err
		default:
			res.Processed++
			res.Details["requeued"]++
		}
	}
	return res, nil
}
