package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0014ContractsPayments adds contracts with their attachments and payment
// plans, payments with their allocations to instalments, and invoices.
// Money columns hold minor units (BIGINT). Dates without a time
// (start_date, due_date) are ISO text, which sorts and compares the same on
// both databases. received_amount and payment_plans.received are kept up
// to date under the contract's row lock by every payment and void, so the
// overpayment check reads one row instead of summing.
func v0014ContractsPayments() *gormigrate.Migration {
	type contract struct {
		ID               string  `gorm:"primaryKey;size:36"`
		Number           string  `gorm:"size:30;not null;uniqueIndex"`
		CustomerID       string  `gorm:"size:36;not null;index"`
		OpportunityID    *string `gorm:"size:36;index"`
		OrderID          *string `gorm:"size:36;index"`
		OwnerID          string  `gorm:"size:36;not null;index"`
		Title            string  `gorm:"size:200;not null"`
		Amount           int64   `gorm:"not null"`
		ReceivedAmount   int64   `gorm:"not null;default:0"`
		Currency         string  `gorm:"size:3;not null;default:'CNY'"`
		StartDate        string  `gorm:"size:10;not null"`
		EndDate          string  `gorm:"size:10;not null"`
		Terms            string  `gorm:"type:text;not null;default:''"`
		Status           string  `gorm:"size:20;not null;index"`
		SubmittedAt      *time.Time
		ApprovedAt       *time.Time
		RejectedAt       *time.Time
		RejectionComment string `gorm:"size:1000;not null;default:''"`
		SignedAt         *time.Time
		StartedAt        *time.Time
		CompletedAt      *time.Time
		TerminatedAt     *time.Time
		TerminatedReason string    `gorm:"size:500;not null;default:''"`
		CreatedBy        string    `gorm:"size:36;not null;default:''"`
		CreatedAt        time.Time `gorm:"not null;index"`
		UpdatedAt        time.Time `gorm:"not null"`
		Version          int       `gorm:"not null;default:1"`
	}
	type contractAttachment struct {
		ID          string    `gorm:"primaryKey;size:36"`
		ContractID  string    `gorm:"size:36;not null;index"`
		FileName    string    `gorm:"size:255;not null"`
		ContentType string    `gorm:"size:100;not null"`
		Size        int64     `gorm:"not null"`
		SHA256      string    `gorm:"column:sha256;size:64;not null"`
		StorageKey  string    `gorm:"size:200;not null"`
		CreatedBy   string    `gorm:"size:36;not null;default:''"`
		CreatedAt   time.Time `gorm:"not null"`
	}
	type paymentPlan struct {
		ID         string    `gorm:"primaryKey;size:36"`
		ContractID string    `gorm:"size:36;not null;index"`
		DueDate    string    `gorm:"size:10;not null"`
		Amount     int64     `gorm:"not null"`
		Received   int64     `gorm:"not null;default:0"`
		Note       string    `gorm:"size:500;not null;default:''"`
		CreatedAt  time.Time `gorm:"not null"`
		UpdatedAt  time.Time `gorm:"not null"`
		Version    int       `gorm:"not null;default:1"`
	}
	type payment struct {
		ID            string    `gorm:"primaryKey;size:36"`
		ContractID    string    `gorm:"size:36;not null;index"`
		PaymentPlanID *string   `gorm:"size:36"`
		CustomerID    string    `gorm:"size:36;not null;index"`
		OwnerID       string    `gorm:"size:36;not null;index"`
		Amount        int64     `gorm:"not null"`
		Currency      string    `gorm:"size:3;not null"`
		ReceivedAt    time.Time `gorm:"not null;index"`
		Method        string    `gorm:"size:20;not null"`
		Reference     string    `gorm:"size:100;not null;default:''"`
		Status        string    `gorm:"size:20;not null;index"`
		VoidReason    string    `gorm:"size:500;not null;default:''"`
		VoidedAt      *time.Time
		CreatedBy     string    `gorm:"size:36;not null;default:''"`
		CreatedAt     time.Time `gorm:"not null;index"`
		UpdatedAt     time.Time `gorm:"not null"`
		Version       int       `gorm:"not null;default:1"`
	}
	type paymentAllocation struct {
		ID            string    `gorm:"primaryKey;size:36"`
		PaymentID     string    `gorm:"size:36;not null;index"`
		PaymentPlanID string    `gorm:"size:36;not null;index"`
		Amount        int64     `gorm:"not null"`
		CreatedAt     time.Time `gorm:"not null"`
	}
	type invoice struct {
		ID            string  `gorm:"primaryKey;size:36"`
		ContractID    *string `gorm:"size:36;index"`
		OrderID       *string `gorm:"size:36;index"`
		CustomerID    string  `gorm:"size:36;not null;index"`
		OwnerID       string  `gorm:"size:36;not null;index"`
		Amount        int64   `gorm:"not null"`
		Currency      string  `gorm:"size:3;not null"`
		TaxRate       string  `gorm:"size:10;not null"`
		InvoiceType   string  `gorm:"size:20;not null"`
		Title         string  `gorm:"size:200;not null"`
		TaxNumber     string  `gorm:"size:30;not null;default:''"`
		BankName      string  `gorm:"size:200;not null;default:''"`
		BankAccount   string  `gorm:"size:50;not null;default:''"`
		Address       string  `gorm:"size:500;not null;default:''"`
		Phone         string  `gorm:"size:30;not null;default:''"`
		Status        string  `gorm:"size:20;not null;index"`
		InvoiceNumber *string `gorm:"size:50;uniqueIndex"`
		IssuedAt      *time.Time
		VoidReason    string `gorm:"size:500;not null;default:''"`
		VoidedAt      *time.Time
		CreatedBy     string    `gorm:"size:36;not null;default:''"`
		CreatedAt     time.Time `gorm:"not null;index"`
		UpdatedAt     time.Time `gorm:"not null"`
		Version       int       `gorm:"not null;default:1"`
	}
	tables := []any{&contract{}, &contractAttachment{}, &paymentPlan{}, &payment{}, &paymentAllocation{}, &invoice{}}
	return &gormigrate.Migration{
		ID: "0014_contracts_payments",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(tables...)
		},
	}
}
