package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0002SettingsNotifications adds organisation settings and the in-app
// notification inbox.
func v0002SettingsNotifications() *gormigrate.Migration {
	type setting struct {
		Key       string `gorm:"primaryKey;size:64"`
		Value     string `gorm:"type:text;not null"`
		UpdatedAt time.Time
		UpdatedBy string `gorm:"size:36;not null;default:''"`
	}
	type notification struct {
		ID        string     `gorm:"primaryKey;size:36"`
		UserID    string     `gorm:"size:36;not null;index:idx_notifications_user,priority:1"`
		Kind      string     `gorm:"size:50;not null"`
		Title     string     `gorm:"size:200;not null"`
		Body      string     `gorm:"type:text;not null;default:''"`
		RefType   string     `gorm:"size:50;not null;default:''"`
		RefID     string     `gorm:"size:36;not null;default:''"`
		ReadAt    *time.Time `gorm:"index"`
		CreatedAt time.Time  `gorm:"not null;index:idx_notifications_user,priority:2"`
	}
	tables := []any{&setting{}, &notification{}}
	return &gormigrate.Migration{
		ID: "0002_settings_notifications",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(tables...)
		},
	}
}
