package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0004LeadRouting adds lead assignment rules and their history, the
// routing and disqualification columns of leads, and public web forms.
func v0004LeadRouting() *gormigrate.Migration {
	// leadV4 holds only the columns this step adds to leads.
	type leadV4 struct {
		AssignedAt       *time.Time `gorm:"index:idx_leads_assigned_at"`
		AssignmentRuleID *string    `gorm:"size:36"`
		DisqualifyReason string     `gorm:"size:500;not null;default:''"`
	}
	type leadAssignmentRule struct {
		ID              string    `gorm:"primaryKey;size:36"`
		Name            string    `gorm:"size:100;not null"`
		Priority        int       `gorm:"not null;default:100;index:idx_lead_rules_order,priority:1"`
		Region          string    `gorm:"size:100;not null;default:''"`
		Source          string    `gorm:"size:50;not null;default:''"`
		ProductInterest string    `gorm:"size:200;not null;default:''"`
		Strategy        string    `gorm:"size:20;not null"`
		UserIDs         string    `gorm:"type:text;not null"`
		TeamID          *string   `gorm:"size:36"`
		Active          bool      `gorm:"not null;default:true"`
		RRCursor        int64     `gorm:"column:rr_cursor;not null;default:0"`
		CreatedBy       string    `gorm:"size:36;not null;default:''"`
		CreatedAt       time.Time `gorm:"not null;index:idx_lead_rules_order,priority:2"`
		UpdatedAt       time.Time
		Version         int `gorm:"not null;default:1"`
	}
	type leadAssignment struct {
		ID        string    `gorm:"primaryKey;size:36"`
		LeadID    string    `gorm:"size:36;not null;index:idx_lead_assignments_lead,priority:1"`
		FromUser  *string   `gorm:"size:36"`
		ToUser    *string   `gorm:"size:36"`
		RuleID    *string   `gorm:"size:36"`
		Reason    string    `gorm:"size:20;not null"`
		ActorType string    `gorm:"size:20;not null"`
		ActorID   string    `gorm:"size:36;not null"`
		At        time.Time `gorm:"not null;index:idx_lead_assignments_lead,priority:2"`
	}
	type webForm struct {
		ID             string `gorm:"primaryKey;size:36"`
		Name           string `gorm:"size:100;not null"`
		Source         string `gorm:"size:50;not null"`
		AllowedOrigins string `gorm:"type:text;not null"`
		FormKey        string `gorm:"size:64;not null;uniqueIndex"`
		Active         bool   `gorm:"not null;default:true"`
		CreatedBy      string `gorm:"size:36;not null;default:''"`
		CreatedAt      time.Time
		UpdatedAt      time.Time
		Version        int `gorm:"not null;default:1"`
	}
	tables := []any{&leadAssignmentRule{}, &leadAssignment{}, &webForm{}}
	leadCols := []string{"AssignedAt", "AssignmentRuleID", "DisqualifyReason"}
	leads := func(tx *gorm.DB) *gorm.DB { return tx.Table("leads") }
	return &gormigrate.Migration{
		ID: "0004_lead_routing",
		Migrate: func(tx *gorm.DB) error {
			m := leads(tx).Migrator()
			for _, c := range leadCols {
				if err := m.AddColumn(&leadV4{}, c); err != nil {
					return err
				}
			}
			if err := m.CreateIndex(&leadV4{}, "idx_leads_assigned_at"); err != nil {
				return err
			}
			return tx.Migrator().AutoMigrate(tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			if err := tx.Migrator().DropTable(tables...); err != nil {
				return err
			}
			m := leads(tx).Migrator()
			_ = m.DropIndex(&leadV4{}, "idx_leads_assigned_at")
			for _, c := range leadCols {
				if err := m.DropColumn(&leadV4{}, c); err != nil {
					return err
				}
			}
			return nil
		},
	}
}
