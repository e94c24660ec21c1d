package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0011NumbersEvents adds the per-day counters behind business numbers
// (QT-20261126-0001) and the outbox of business events for integrations.
func v0011NumbersEvents() *gormigrate.Migration {
	type docSequence struct {
		Prefix  string `gorm:"primaryKey;size:10"`
		Day     string `gorm:"primaryKey;size:8"`
		Counter int64  `gorm:"not null"`
	}
	type event struct {
		Seq        int64     `gorm:"primaryKey;autoIncrement"`
		ID         string    `gorm:"size:36;not null;uniqueIndex"`
		Type       string    `gorm:"size:60;not null;index"`
		EntityType string    `gorm:"size:30;not null;index:idx_events_entity,priority:1"`
		EntityID   string    `gorm:"size:36;not null;index:idx_events_entity,priority:2"`
		ActorType  string    `gorm:"size:10;not null"`
		ActorID    string    `gorm:"size:36;not null;default:''"`
		Payload    string    `gorm:"type:text;not null"`
		OccurredAt time.Time `gorm:"not null"`
	}
	tables := []any{&docSequence{}, &event{}}
	return &gormigrate.Migration{
		ID: "0011_numbers_events",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(tables...)
		},
	}
}
