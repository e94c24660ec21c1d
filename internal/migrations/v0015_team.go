package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0015Team adds sales team management: targets per user or team and
// period, commission plans with the users and teams they apply to,
// training records and stage playbooks.
func v0015Team() *gormigrate.Migration {
	type target struct {
		ID string `gorm:"primaryKey;size:36"`
		// SubjectType is user or team; SubjectID has no foreign key because
		// it points at either table (teams with members cannot be deleted).
		SubjectType string    `gorm:"size:10;not null;uniqueIndex:idx_targets_subject,priority:1"`
		SubjectID   string    `gorm:"size:36;not null;uniqueIndex:idx_targets_subject,priority:2"`
		Period      string    `gorm:"size:7;not null;uniqueIndex:idx_targets_subject,priority:3;index"`
		Metric      string    `gorm:"size:30;not null;uniqueIndex:idx_targets_subject,priority:4"`
		PeriodKind  string    `gorm:"size:10;not null"`
		StartsAt    time.Time `gorm:"not null"`
		EndsAt      time.Time `gorm:"not null"`
		// Value is minor units for amount metrics, a count otherwise.
		Value     int64     `gorm:"not null"`
		CreatedBy string    `gorm:"size:36;not null"`
		CreatedAt time.Time `gorm:"not null;index"`
		UpdatedAt time.Time `gorm:"not null"`
		Version   int       `gorm:"not null;default:1"`
	}
	type commissionPlan struct {
		ID            string    `gorm:"primaryKey;size:36"`
		Name          string    `gorm:"size:100;not null"`
		Basis         string    `gorm:"size:30;not null"`
		Tiers         string    `gorm:"type:text;not null"`
		Active        bool      `gorm:"not null;default:true"`
		EffectiveFrom string    `gorm:"size:10;not null"`
		EffectiveTo   *string   `gorm:"size:10"`
		CreatedBy     string    `gorm:"size:36;not null"`
		CreatedAt     time.Time `gorm:"not null;index"`
		UpdatedAt     time.Time `gorm:"not null"`
		Version       int       `gorm:"not null;default:1"`
	}
	// commissionPlanSubject is a user or team a plan applies to, a row each
	// so "the plans that apply to me" is an indexed query on both databases.
	type commissionPlanSubject struct {
		PlanID      string          `gorm:"primaryKey;size:36"`
		SubjectType string          `gorm:"primaryKey;size:10;index:idx_plan_subjects_subject,priority:1"`
		SubjectID   string          `gorm:"primaryKey;size:36;index:idx_plan_subjects_subject,priority:2"`
		Plan        *commissionPlan `gorm:"foreignKey:PlanID;constraint:OnDelete:CASCADE"`
	}
	type user struct {
		ID string `gorm:"primaryKey;size:36"`
	}
	type trainingRecord struct {
		ID          string    `gorm:"primaryKey;size:36"`
		UserID      string    `gorm:"size:36;not null;index"`
		User        *user     `gorm:"foreignKey:UserID;constraint:OnDelete:CASCADE"`
		Course      string    `gorm:"size:200;not null"`
		CompletedAt time.Time `gorm:"not null;index"`
		Score       *int
		Skills      string    `gorm:"type:text;not null;default:'[]'"`
		Notes       string    `gorm:"type:text;not null;default:''"`
		CreatedBy   string    `gorm:"size:36;not null"`
		CreatedAt   time.Time `gorm:"not null"`
		UpdatedAt   time.Time `gorm:"not null"`
		Version     int       `gorm:"not null;default:1"`
	}
	type pipeline struct {
		ID string `gorm:"primaryKey;size:36"`
	}
	type pipelineStage struct {
		ID string `gorm:"primaryKey;size:36"`
	}
	// A playbook belongs to its stage: removing the stage (or its pipeline)
	// removes its playbooks rather than leaving them pointing nowhere.
	type playbook struct {
		ID         string         `gorm:"primaryKey;size:36"`
		PipelineID string         `gorm:"size:36;not null;index"`
		Pipeline   *pipeline      `gorm:"foreignKey:PipelineID;constraint:OnDelete:CASCADE"`
		StageID    string         `gorm:"size:36;not null;index:idx_playbooks_stage,priority:1"`
		Stage      *pipelineStage `gorm:"foreignKey:StageID;constraint:OnDelete:CASCADE"`
		Position   int            `gorm:"not null;default:0;index:idx_playbooks_stage,priority:2"`
		Title      string         `gorm:"size:200;not null"`
		Content    string         `gorm:"type:text;not null;default:''"`
		CreatedBy  string         `gorm:"size:36;not null"`
		CreatedAt  time.Time      `gorm:"not null"`
		UpdatedAt  time.Time      `gorm:"not null"`
		Version    int            `gorm:"not null;default:1"`
	}
	tables := []any{&target{}, &commissionPlan{}, &commissionPlanSubject{}, &trainingRecord{}, &playbook{}}
	return &gormigrate.Migration{
		ID: "0015_team",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(&playbook{}, &trainingRecord{}, &commissionPlanSubject{},
				&commissionPlan{}, &target{})
		},
	}
}
