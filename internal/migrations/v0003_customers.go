package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0003Customers adds customers, their contacts and follow-ups, and the
// history of who owned each customer (claims, releases, transfers,
// recycling) that the pool rules and the timeline read.
func v0003Customers() *gormigrate.Migration {
	type user struct {
		ID string `gorm:"primaryKey;size:36"`
	}
	type customer struct {
		ID             string  `gorm:"primaryKey;size:36;index:idx_customers_created,priority:2"`
		Name           string  `gorm:"size:200;not null"`
		Industry       string  `gorm:"size:100;not null;default:'';index"`
		Size           string  `gorm:"size:20;not null;default:''"`
		Potential      string  `gorm:"size:20;not null;default:''"`
		Level          string  `gorm:"size:20;not null;default:''"`
		Region         string  `gorm:"size:100;not null;default:'';index"`
		Address        string  `gorm:"size:500;not null;default:''"`
		Phone          string  `gorm:"size:32;not null;default:''"`
		Email          string  `gorm:"size:254;not null;default:''"`
		Website        string  `gorm:"size:500;not null;default:''"`
		Source         string  `gorm:"size:50;not null;default:''"`
		Tags           string  `gorm:"type:text;not null;default:'[]'"`
		LifecycleStage string  `gorm:"size:20;not null;default:'prospect';index"`
		OwnerID        *string `gorm:"size:36;index"`
		Owner          *user   `gorm:"foreignKey:OwnerID;constraint:OnDelete:RESTRICT"`
		Locked         bool    `gorm:"not null;default:false"`
		OwnedSince     *time.Time
		LastFollowedAt *time.Time
		// RecycleWarnedAt: when the owner was last warned of recycling, so
		// one idle period gets one warning.
		RecycleWarnedAt *time.Time
		CreatedBy       string    `gorm:"size:36;not null;default:''"`
		CreatedAt       time.Time `gorm:"not null;index:idx_customers_created,priority:1"`
		UpdatedAt       time.Time
		DeletedAt       gorm.DeletedAt `gorm:"index"`
		Version         int            `gorm:"not null;default:1"`
	}
	type contact struct {
		ID           string    `gorm:"primaryKey;size:36;index:idx_contacts_created,priority:2"`
		CustomerID   string    `gorm:"size:36;not null;index"`
		Customer     *customer `gorm:"foreignKey:CustomerID;constraint:OnDelete:RESTRICT"`
		Name         string    `gorm:"size:100;not null"`
		Title        string    `gorm:"size:100;not null;default:''"`
		Phone        string    `gorm:"size:32;not null;default:''"`
		Mobile       string    `gorm:"size:32;not null;default:''"`
		Email        string    `gorm:"size:254;not null;default:''"`
		Wechat       string    `gorm:"size:100;not null;default:''"`
		Birthday     *string   `gorm:"size:10"`
		DecisionRole string    `gorm:"size:30;not null;default:''"`
		Notes        string    `gorm:"type:text;not null;default:''"`
		CreatedBy    string    `gorm:"size:36;not null;default:''"`
		CreatedAt    time.Time `gorm:"not null;index:idx_contacts_created,priority:1"`
		UpdatedAt    time.Time
		DeletedAt    gorm.DeletedAt `gorm:"index"`
		Version      int            `gorm:"not null;default:1"`
	}
	type customerFollowUp struct {
		ID             string    `gorm:"primaryKey;size:36"`
		CustomerID     string    `gorm:"size:36;not null;index:idx_customer_follow_ups,priority:1"`
		Customer       *customer `gorm:"foreignKey:CustomerID;constraint:OnDelete:CASCADE"`
		UserID         string    `gorm:"size:36;not null"`
		Channel        string    `gorm:"size:20;not null"`
		Content        string    `gorm:"type:text;not null"`
		Feedback       string    `gorm:"type:text;not null;default:''"`
		NextStep       string    `gorm:"size:500;not null;default:''"`
		NextFollowUpAt *time.Time
		FollowedAt     time.Time `gorm:"not null;index:idx_customer_follow_ups,priority:2"`
		CreatedAt      time.Time
	}
	type customerOwnershipEvent struct {
		ID         string    `gorm:"primaryKey;size:36"`
		CustomerID string    `gorm:"size:36;not null;index:idx_ownership_customer,priority:1"`
		Customer   *customer `gorm:"foreignKey:CustomerID;constraint:OnDelete:CASCADE"`
		Action     string    `gorm:"size:20;not null"`
		FromUserID *string   `gorm:"size:36;index:idx_ownership_from,priority:1"`
		ToUserID   *string   `gorm:"size:36"`
		Reason     string    `gorm:"size:500;not null;default:''"`
		ActorType  string    `gorm:"size:20;not null"`
		ActorID    string    `gorm:"size:36;not null"`
		CreatedAt  time.Time `gorm:"not null;index:idx_ownership_customer,priority:2;index:idx_ownership_from,priority:2"`
	}
	tables := []any{&customer{}, &contact{}, &customerFollowUp{}, &customerOwnershipEvent{}}
	return &gormigrate.Migration{
		ID: "0003_customers",
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
