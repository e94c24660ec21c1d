package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0012Approvals adds the approval engine: the rules that pick a chain of
// steps by document type and amount, the requests (one per submission of a
// document), the approvers of each step as resolved at submission (a
// snapshot, so later team changes leave open requests alone) and the
// append-only log of what happened (the trail).
//
// A request's pending_key is "<entity>:<doc_id>" while it is pending and
// NULL afterwards; its unique index (NULLs are distinct on both databases)
// keeps a document from having two pending requests, even when two
// submissions race.
func v0012Approvals() *gormigrate.Migration {
	type approvalRule struct {
		ID        string    `gorm:"primaryKey;size:36"`
		Name      string    `gorm:"size:100;not null"`
		Entity    string    `gorm:"size:20;not null;index:idx_approval_rules_pick,priority:1"`
		MinAmount int64     `gorm:"not null;index:idx_approval_rules_pick,priority:2"`
		Steps     string    `gorm:"type:text;not null"`
		Active    bool      `gorm:"not null;default:true"`
		CreatedBy string    `gorm:"size:36;not null;default:''"`
		CreatedAt time.Time `gorm:"not null"`
		UpdatedAt time.Time `gorm:"not null"`
		Version   int       `gorm:"not null;default:1"`
	}
	type approvalRequest struct {
		ID         string  `gorm:"primaryKey;size:36;index:idx_approval_requests_created,priority:2"`
		Entity     string  `gorm:"size:20;not null;index:idx_approval_requests_doc,priority:1"`
		DocID      string  `gorm:"size:36;not null;index:idx_approval_requests_doc,priority:2"`
		Title      string  `gorm:"size:200;not null"`
		Amount     int64   `gorm:"not null"`
		CustomerID *string `gorm:"size:36;index"`
		RuleID     *string `gorm:"size:36"`
		RuleName   string  `gorm:"size:100;not null;default:''"`
		// Steps is the chain as it applied (JSON), approvers aside.
		Steps string `gorm:"type:text;not null"`
		// Status is pending, approved, rejected or cancelled.
		Status      string  `gorm:"size:12;not null;index"`
		CurrentStep int     `gorm:"not null"`
		SubmittedBy string  `gorm:"size:36;not null;index"`
		PendingKey  *string `gorm:"size:60;uniqueIndex"`
		DecidedAt   *time.Time
		CreatedAt   time.Time `gorm:"not null;index:idx_approval_requests_created,priority:1"`
		UpdatedAt   time.Time `gorm:"not null"`
		Version     int       `gorm:"not null;default:1"`
	}
	type approvalApprover struct {
		ID        string `gorm:"primaryKey;size:36"`
		RequestID string `gorm:"size:36;not null;uniqueIndex:idx_approval_approvers_seat,priority:1"`
		Step      int    `gorm:"not null;uniqueIndex:idx_approval_approvers_seat,priority:2"`
		UserID    string `gorm:"size:36;not null;uniqueIndex:idx_approval_approvers_seat,priority:3;index"`
		// Decision is "", approved or rejected.
		Decision  string `gorm:"size:10;not null;default:''"`
		DecidedAt *time.Time
	}
	type approvalAction struct {
		ID        string `gorm:"primaryKey;size:36"`
		RequestID string `gorm:"size:36;not null;index"`
		Step      *int
		// Action is submitted, approved, rejected or withdrawn.
		Action    string    `gorm:"size:12;not null"`
		UserID    string    `gorm:"size:36;not null"`
		Comment   string    `gorm:"type:text;not null;default:''"`
		CreatedAt time.Time `gorm:"not null;index"`
	}
	tables := []any{&approvalRule{}, &approvalRequest{}, &approvalApprover{}, &approvalAction{}}
	return &gormigrate.Migration{
		ID: "0012_approvals",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(tables...)
		},
	}
}
