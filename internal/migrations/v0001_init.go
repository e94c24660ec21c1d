package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0001Init creates the foundation: organisation, auth, audit and leads.
func v0001Init() *gormigrate.Migration {
	type team struct {
		ID        string  `gorm:"primaryKey;size:36"`
		Name      string  `gorm:"size:100;not null"`
		ParentID  *string `gorm:"size:36;index"`
		Parent    *team   `gorm:"foreignKey:ParentID;constraint:OnDelete:RESTRICT"`
		CreatedAt time.Time
		UpdatedAt time.Time
		Version   int `gorm:"not null;default:1"`
	}
	type user struct {
		ID                string  `gorm:"primaryKey;size:36"`
		Email             string  `gorm:"size:254;not null;uniqueIndex"`
		Name              string  `gorm:"size:100;not null"`
		Phone             string  `gorm:"size:32;not null;default:''"`
		PasswordHash      string  `gorm:"size:100;not null"`
		Role              string  `gorm:"size:20;not null"`
		TeamID            *string `gorm:"size:36;index"`
		Team              *team   `gorm:"foreignKey:TeamID;constraint:OnDelete:RESTRICT"`
		Active            bool    `gorm:"not null;default:true"`
		LastLoginAt       *time.Time
		PasswordChangedAt *time.Time
		CreatedAt         time.Time
		UpdatedAt         time.Time
		Version           int `gorm:"not null;default:1"`
	}
	type authSession struct {
		ID          string    `gorm:"primaryKey;size:36"`
		UserID      string    `gorm:"size:36;not null;index"`
		User        *user     `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
		RefreshHash string    `gorm:"size:64;not null"`
		ExpiresAt   time.Time `gorm:"not null"`
		RevokedAt   *time.Time
		LastUsedAt  *time.Time
		UserAgent   string `gorm:"size:255;not null;default:''"`
		IP          string `gorm:"size:64;not null;default:''"`
		CreatedAt   time.Time
		UpdatedAt   time.Time
	}
	type apiKey struct {
		ID         string `gorm:"primaryKey;size:36"`
		Name       string `gorm:"size:100;not null"`
		Prefix     string `gorm:"size:16;not null;uniqueIndex"`
		KeyHash    string `gorm:"size:64;not null"`
		Scopes     string `gorm:"type:text;not null"`
		CreatedBy  string `gorm:"size:36;not null"`
		LastUsedAt *time.Time
		RevokedAt  *time.Time
		CreatedAt  time.Time
		UpdatedAt  time.Time
		Version    int `gorm:"not null;default:1"`
	}
	type auditLog struct {
		ID         string    `gorm:"primaryKey;size:36"`
		CreatedAt  time.Time `gorm:"not null;index:idx_audit_created,priority:1"`
		ActorType  string    `gorm:"size:20;not null"`
		ActorID    string    `gorm:"size:36;not null;index"`
		ActorName  string    `gorm:"size:100;not null;default:''"`
		Action     string    `gorm:"size:50;not null"`
		EntityType string    `gorm:"size:50;not null;index:idx_audit_entity,priority:1"`
		EntityID   string    `gorm:"size:36;not null;index:idx_audit_entity,priority:2"`
		Before     *string   `gorm:"type:text"`
		After      *string   `gorm:"type:text"`
		RequestID  string    `gorm:"size:64;not null;default:''"`
		IP         string    `gorm:"size:64;not null;default:''"`
	}
	type lead struct {
		ID              string  `gorm:"primaryKey;size:36;index:idx_leads_created,priority:2"`
		Name            string  `gorm:"size:200;not null"`
		Company         string  `gorm:"size:200;not null;default:''"`
		Title           string  `gorm:"size:100;not null;default:''"`
		Phone           string  `gorm:"size:32;not null;default:''"`
		Email           string  `gorm:"size:254;not null;default:''"`
		Source          string  `gorm:"size:50;not null;default:'';index"`
		Region          string  `gorm:"size:100;not null;default:'';index"`
		ProductInterest string  `gorm:"size:200;not null;default:''"`
		Description     string  `gorm:"type:text;not null;default:''"`
		Status          string  `gorm:"size:20;not null;index"`
		OwnerID         *string `gorm:"size:36;index"`
		Owner           *user   `gorm:"foreignKey:OwnerID;constraint:OnDelete:RESTRICT"`
		Tags            string  `gorm:"type:text;not null;default:'[]'"`
		LastFollowedAt  *time.Time
		NextFollowUpAt  *time.Time `gorm:"index"`
		CreatedBy       string     `gorm:"size:36;not null;default:''"`
		CreatedAt       time.Time  `gorm:"not null;index:idx_leads_created,priority:1"`
		UpdatedAt       time.Time
		DeletedAt       gorm.DeletedAt `gorm:"index"`
		Version         int            `gorm:"not null;default:1"`
	}
	type leadFollowUp struct {
		ID             string `gorm:"primaryKey;size:36"`
		LeadID         string `gorm:"size:36;not null;index:idx_follow_ups_lead,priority:1"`
		Lead           *lead  `gorm:"foreignKey:LeadID;constraint:OnDelete:CASCADE"`
		UserID         string `gorm:"size:36;not null"`
		Channel        string `gorm:"size:20;not null"`
		Content        string `gorm:"type:text;not null"`
		Feedback       string `gorm:"type:text;not null;default:''"`
		NextStep       string `gorm:"size:500;not null;default:''"`
		NextFollowUpAt *time.Time
		FollowedAt     time.Time `gorm:"not null;index:idx_follow_ups_lead,priority:2"`
		CreatedAt      time.Time
	}
	tables := []any{&team{}, &user{}, &authSession{}, &apiKey{}, &auditLog{}, &lead{}, &leadFollowUp{}}
	return &gormigrate.Migration{
		ID: "0001_init",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			for i := len(tables) - 1; i >= 0; i-- {
				if err := tx.Migrator().DropTable(tables[i]); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
