package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0007Reminders adds the reminder outbox: a reminder is written with the
// change that causes it and delivered into the inbox by the queue worker;
// the notification it produced is unique per reminder and due time, so a
// retried or re-queued delivery cannot write it twice.
func v0007Reminders() *gormigrate.Migration {
	type reminder struct {
		ID      string    `gorm:"primaryKey;size:36"`
		Key     string    `gorm:"size:200;not null;uniqueIndex"`
		UserID  string    `gorm:"size:36;not null;index"`
		Kind    string    `gorm:"size:50;not null"`
		Title   string    `gorm:"size:200;not null"`
		Body    string    `gorm:"type:text;not null;default:''"`
		RefType string    `gorm:"size:30;not null;default:''"`
		RefID   string    `gorm:"size:36;not null;default:''"`
		DueAt   time.Time `gorm:"not null;index:idx_reminders_due,priority:2"`
		// Status is pending, delivered or cancelled.
		Status         string  `gorm:"size:12;not null;index:idx_reminders_due,priority:1"`
		NotificationID *string `gorm:"size:36"`
		DeliveredAt    *time.Time
		Attempts       int       `gorm:"not null;default:0"`
		CreatedAt      time.Time `gorm:"not null"`
		UpdatedAt      time.Time `gorm:"not null"`
	}
	type notification struct {
		// DedupeKey is the reminder id and due time it came from; empty for
		// notifications written directly by a rule.
		DedupeKey *string `gorm:"size:250"`
	}
	return &gormigrate.Migration{
		ID: "0007_reminders",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.Migrator().AutoMigrate(&reminder{}); err != nil {
				return err
			}
			if err := tx.Table("notifications").Migrator().AddColumn(&notification{}, "DedupeKey"); err != nil {
				return err
			}
			return tx.Exec("CREATE UNIQUE INDEX idx_notifications_dedupe_key ON notifications (dedupe_key)").Error
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(&reminder{})
		},
	}
}
