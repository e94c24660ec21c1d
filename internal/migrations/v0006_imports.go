package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0006Imports adds import jobs and the uploaded files they read, kept in
// the database in chunks so any node can run a job.
func v0006Imports() *gormigrate.Migration {
	type importJob struct {
		ID          string `gorm:"primaryKey;size:36"`
		Entity      string `gorm:"size:20;not null"`
		Status      string `gorm:"size:20;not null;index"`
		Format      string `gorm:"size:10;not null"`
		FileName    string `gorm:"size:255;not null;default:''"`
		FileSize    int64  `gorm:"not null;default:0"`
		DryRun      bool   `gorm:"not null;default:false"`
		OnDuplicate string `gorm:"size:10;not null"`
		Lang        string `gorm:"size:10;not null;default:'en'"`
		// Actor is the caller as JSON: the job runs with their scope.
		Actor      string    `gorm:"type:text;not null"`
		CreatedBy  string    `gorm:"size:36;not null;index:idx_import_jobs_owner,priority:1"`
		Total      int       `gorm:"not null;default:0"`
		Processed  int       `gorm:"not null;default:0"`
		Created    int       `gorm:"not null;default:0"`
		Updated    int       `gorm:"not null;default:0"`
		Skipped    int       `gorm:"not null;default:0"`
		ErrorCount int       `gorm:"not null;default:0"`
		Errors     string    `gorm:"type:text;not null;default:'[]'"`
		Failure    string    `gorm:"type:text;not null;default:''"`
		CreatedAt  time.Time `gorm:"not null;index:idx_import_jobs_owner,priority:2"`
		StartedAt  *time.Time
		FinishedAt *time.Time
		UpdatedAt  time.Time
	}
	type importChunk struct {
		JobID string `gorm:"primaryKey;size:36"`
		Seq   int    `gorm:"primaryKey;autoIncrement:false"`
		Data  []byte `gorm:"not null"`
	}
	tables := []any{&importJob{}, &importChunk{}}
	return &gormigrate.Migration{
		ID: "0006_imports",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(tables...)
		},
	}
}
