// Package notification is the in-app inbox: rules and reminders write
// notifications for a user inside their own transaction; the user reads
// and marks them.
package notification

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
)

func init() {
	all := []string{authz.RoleAdmin, authz.RoleManager, authz.RoleRep}
	authz.Grant("notifications:read", all...)
	authz.Grant("notifications:write", all...)
}

// Notification is one inbox item.
type Notification struct {
	ID        string
	UserID    string
	Kind      string
	Title     string
	Body      string
	RefType   string
	RefID     string
	ReadAt    *time.Time
	CreatedAt time.Time
	// DedupeKey is set on notifications delivered from a reminder: unique,
	// so a delivery retried after a crash cannot write a second copy.
	DedupeKey *string
}

// Service writes and reads inboxes.
type Service struct{ db *db.DB }

// NewService builds the service.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// Notify writes a notification for a user. Call it inside the transaction
// of the change it reports, so both commit or neither does.
func (s *Service) Notify(ctx context.Context, n Notification) error {
	if n.UserID == "" {
		return nil
	}
	n.DedupeKey = nil
	return s.insert(ctx, &n)
}

func (s *Service) insert(ctx context.Context, n *Notification) error {
	n.ID = uuid.Must(uuid.NewV7()).String()
	n.CreatedAt = db.Now()
	n.ReadAt = nil
	if len([]rune(n.Title)) > 200 {
		n.Title = string([]rune(n.Title)[:200])
	}
	if err := s.db.Conn(ctx).Create(n).Error; err != nil {
		return fmt.Errorf("notification.notify: %w", err)
	}
	return nil
}

// NotifyOnce writes n unless a notification with dedupeKey exists, and
// returns the id of the one that stands. Call it inside a transaction that
// has locked whatever the key stands for; the unique key is the backstop.
func (s *Service) NotifyOnce(ctx context.Context, n Notification, dedupeKey string) (string, error) {
	var existing Notification
	err := s.db.Conn(ctx).Select("id").Where("dedupe_key = ?", dedupeKey).Take(&existing).Error
	if err == nil {
		return existing.ID, nil
	}
	if !db.IsNotFound(err) {
		return "", fmt.Errorf("notification.notify_once: %w", err)
	}
	n.DedupeKey = &dedupeKey
	if err := s.insert(ctx, &n); err != nil {
		return "", err
	}
	return n.ID, nil
}

// UnreadCount counts the caller's unread notifications.
func (s *Service) UnreadCount(ctx context.Context) (int64, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Require(ctx, "notifications:read"); err != nil {
		return 0, err
	}
	var n int64
	if err := s.db.Conn(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", a.UserID).Count(&n).Error; err != nil {
		return 0, fmt.Errorf("notification.unread_count: %w", err)
	}
	return n, nil
}

var spec = paging.Spec[Notification]{
	Columns: map[string]paging.Column[Notification]{
		"created_at": {Expr: "created_at", Time: true, Get: func(n *Notification) any { return n.CreatedAt }},
	},
	Default: "-created_at",
	IDExpr:  "id",
	ID:      func(n *Notification) string { return n.ID },
}

// List pages through the caller's own inbox; unread narrows it.
func (s *Service) List(ctx context.Context, unread *bool, kind string, r paging.Request) (paging.Page[Notification], error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Require(ctx, "notifications:read"); err != nil {
		return paging.Page[Notification]{}, err
	}
	q, err := spec.Parse(r)
	if err != nil {
		return paging.Page[Notification]{}, err
	}
	base := s.db.Conn(ctx).Model(&Notification{}).Where("user_id = ?", a.UserID)
	if unread != nil {
		if *unread {
			base = base.Where("read_at IS NULL")
		} else {
			base = base.Where("read_at IS NOT NULL")
		}
	}
	if kind != "" {
		base = base.Where("kind = ?", kind)
	}
	page, err := q.Fetch(base)
	if err != nil {
		return page, fmt.Errorf("notification.list: %w", err)
	}
	return page, nil
}

// MarkRead marks one of the caller's notifications read (idempotent).
func (s *Service) MarkRead(ctx context.Context, id string) (*Notification, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Require(ctx, "notifications:write"); err != nil {
		return nil, err
	}
	var n Notification
	err := s.db.Conn(ctx).Where("id = ? AND user_id = ?", id, a.UserID).Take(&n).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("notification")
	}
	if err != nil {
		return nil, fmt.Errorf("notification.read: %w", err)
	}
	if n.ReadAt == nil {
		now := db.Now()
		if err := s.db.Conn(ctx).Model(&Notification{}).Where("id = ? AND read_at IS NULL", id).
			UpdateColumn("read_at", now).Error; err != nil {
			return nil, fmt.Errorf("notification.read: %w", err)
		}
		n.ReadAt = &now
	}
	return &n, nil
}

// MarkAllRead marks every unread notification of the caller read and
// returns how many changed.
func (s *Service) MarkAllRead(ctx context.Context) (int64, error) {
	a := authz.ActorFrom(ctx)
	if err := authz.Require(ctx, "notifications:write"); err != nil {
		return 0, err
	}
	res := s.db.Conn(ctx).Model(&Notification{}).Where("user_id = ? AND read_at IS NULL", a.UserID).
		UpdateColumn("read_at", db.Now())
	if res.Error != nil {
		return 0, fmt.Errorf("notification.read_all: %w", res.Error)
	}
	return res.RowsAffected, nil
}
