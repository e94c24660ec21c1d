package migrations

import (
	"fmt"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Fixed ids of the default pipeline, so every installation starts with the
// same one and seeds and docs can name it.
const (
	defaultPipelineID = "0193a2b4-0000-7000-8000-000000000001"
	defaultStagePfx   = "0193a2b4-0000-7000-8000-0000000001"
)

// v0009Opportunities adds pipelines and their stages (with the default
// pipeline), opportunities with their competitors, product lines, stage and
// strategy history, competitors and the scoring model.
func v0009Opportunities() *gormigrate.Migration {
	type pipeline struct {
		ID        string    `gorm:"primaryKey;size:36"`
		Name      string    `gorm:"size:100;not null;uniqueIndex"`
		IsDefault bool      `gorm:"not null;default:false"`
		CreatedAt time.Time `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
		Version   int       `gorm:"not null;default:1"`
	}
	type pipelineStage struct {
		ID               string `gorm:"primaryKey;size:36"`
		PipelineID       string `gorm:"size:36;not null;index"`
		Name             string `gorm:"size:100;not null"`
		Position         int    `gorm:"not null"`
		Probability      int    `gorm:"not null"`
		TimeLimitSeconds int64  `gorm:"not null;default:0"`
		Kind             string `gorm:"size:10;not null"`
		ExitCriteria     string `gorm:"type:text;not null;default:''"`
	}
	type opportunity struct {
		ID                string         `gorm:"primaryKey;size:36"`
		Name              string         `gorm:"size:200;not null"`
		CustomerID        string         `gorm:"size:36;not null;index"`
		ContactID         *string        `gorm:"size:36"`
		PipelineID        string         `gorm:"size:36;not null;index"`
		StageID           string         `gorm:"size:36;not null;index"`
		Amount            int64          `gorm:"not null;default:0"`
		Currency          string         `gorm:"size:3;not null"`
		ExpectedCloseDate *string        `gorm:"size:10;index"`
		Source            string         `gorm:"size:30;not null;default:''"`
		Strategy          string         `gorm:"type:text;not null;default:''"`
		OwnerID           string         `gorm:"size:36;not null;index"`
		Score             int            `gorm:"not null;default:0;index"`
		Status            string         `gorm:"size:10;not null;index"`
		StageEnteredAt    time.Time      `gorm:"not null"`
		StageEntryID      string         `gorm:"size:36;not null"`
		StageOverdue      bool           `gorm:"not null;default:false"`
		ClosedAt          *time.Time     `gorm:""`
		LostReason        string         `gorm:"size:500;not null;default:''"`
		LostCompetitorID  *string        `gorm:"size:36;index"`
		LastActivityAt    *time.Time     `gorm:""`
		CreatedBy         string         `gorm:"size:36;not null"`
		CreatedAt         time.Time      `gorm:"not null;index"`
		UpdatedAt         time.Time      `gorm:"not null"`
		DeletedAt         gorm.DeletedAt `gorm:"index"`
		Version           int            `gorm:"not null;default:1"`
	}
	type opportunityCompetitor struct {
		OpportunityID string `gorm:"primaryKey;size:36"`
		CompetitorID  string `gorm:"primaryKey;size:36;index"`
	}
	type opportunityProduct struct {
		ID              string `gorm:"primaryKey;size:36"`
		OpportunityID   string `gorm:"size:36;not null;index"`
		ProductID       string `gorm:"size:36;not null;index"`
		Position        int    `gorm:"not null"`
		Quantity        string `gorm:"size:40;not null"`
		UnitPrice       int64  `gorm:"not null"`
		DiscountPercent string `gorm:"size:10;not null"`
		LineTotal       int64  `gorm:"not null"`
	}
	type opportunityStageEntry struct {
		ID            string     `gorm:"primaryKey;size:36"`
		OpportunityID string     `gorm:"size:36;not null;index"`
		StageID       string     `gorm:"size:36;not null;index"`
		StageName     string     `gorm:"size:100;not null"`
		Kind          string     `gorm:"size:10;not null"`
		EnteredAt     time.Time  `gorm:"not null"`
		LeftAt        *time.Time `gorm:""`
		EnteredBy     string     `gorm:"size:36;not null"`
		Note          string     `gorm:"type:text;not null;default:''"`
	}
	type opportunityStrategyChange struct {
		ID            string    `gorm:"primaryKey;size:36"`
		OpportunityID string    `gorm:"size:36;not null;index"`
		Strategy      string    `gorm:"type:text;not null"`
		ChangedBy     string    `gorm:"size:36;not null"`
		ChangedAt     time.Time `gorm:"not null"`
	}
	type competitor struct {
		ID         string    `gorm:"primaryKey;size:36"`
		Name       string    `gorm:"size:200;not null"`
		NameKey    string    `gorm:"size:200;not null;uniqueIndex"`
		Website    string    `gorm:"size:500;not null;default:''"`
		Strengths  string    `gorm:"type:text;not null;default:''"`
		Weaknesses string    `gorm:"type:text;not null;default:''"`
		Notes      string    `gorm:"type:text;not null;default:''"`
		CreatedAt  time.Time `gorm:"not null"`
		UpdatedAt  time.Time `gorm:"not null"`
		Version    int       `gorm:"not null;default:1"`
	}
	type scoringModel struct {
		ID        string    `gorm:"primaryKey;size:20"`
		Model     string    `gorm:"type:text;not null"`
		UpdatedAt time.Time `gorm:"not null"`
		Version   int       `gorm:"not null;default:1"`
	}
	return &gormigrate.Migration{
		ID: "0009_opportunities",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.Migrator().AutoMigrate(&pipeline{}, &pipelineStage{}, &opportunity{},
				&opportunityCompetitor{}, &opportunityProduct{}, &opportunityStageEntry{},
				&opportunityStrategyChange{}, &competitor{}, &scoringModel{}); err != nil {
				return err
			}
			now := time.Now().UTC().Truncate(time.Microsecond)
			if err := tx.Create(&pipeline{ID: defaultPipelineID, Name: "默认销售流程", IsDefault: true,
				CreatedAt: now, UpdatedAt: now, Version: 1}).Error; err != nil {
				return err
			}
			stages := []pipelineStage{
				{Name: "需求调研", Probability: 10, Kind: "open"},
				{Name: "方案制定", Probability: 30, Kind: "open"},
				{Name: "商务谈判", Probability: 60, Kind: "open"},
				{Name: "合同签订", Probability: 80, Kind: "open"},
				{Name: "赢单", Probability: 100, Kind: "won"},
				{Name: "输单", Probability: 0, Kind: "lost"},
			}
			for i := range stages {
				stages[i].ID = fmt.Sprintf("%s%02d", defaultStagePfx, i+1)
				stages[i].PipelineID, stages[i].Position = defaultPipelineID, i+1
			}
			if err := tx.Create(&stages).Error; err != nil {
				return err
			}
			// The scoring model starts empty: the service falls back to its
			// built-in default until an admin saves one.
			return nil
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(&scoringModel{}, &competitor{}, &opportunityStrategyChange{},
				&opportunityStageEntry{}, &opportunityProduct{}, &opportunityCompetitor{}, &opportunity{},
				&pipelineStage{}, &pipeline{})
		},
	}
}
