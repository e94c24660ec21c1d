package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0013QuotesOrders adds quotes, orders and their line items. A quote's
// revisions are rows of their own sharing the number (unique with the
// revision); an order comes from at most one quote (unique quote_id, NULLs
// apart). Lines of both live in document_items keyed by (doc_type, doc_id)
// and keep the money figures computed when they were priced.
func v0013QuotesOrders() *gormigrate.Migration {
	type quote struct {
		ID               string  `gorm:"primaryKey;size:36;index:idx_quotes_created,priority:2"`
		Number           string  `gorm:"size:30;not null;uniqueIndex:idx_quotes_number_revision,priority:1"`
		Revision         int     `gorm:"not null;default:1;uniqueIndex:idx_quotes_number_revision,priority:2"`
		CustomerID       string  `gorm:"size:36;not null;index"`
		OpportunityID    *string `gorm:"size:36;index"`
		ContactID        *string `gorm:"size:36"`
		Currency         string  `gorm:"size:3;not null"`
		ValidUntil       *string `gorm:"size:10;index"`
		Notes            string  `gorm:"type:text;not null;default:''"`
		Status           string  `gorm:"size:20;not null;index"`
		Subtotal         int64   `gorm:"not null"`
		DiscountTotal    int64   `gorm:"not null"`
		TaxTotal         int64   `gorm:"not null"`
		Total            int64   `gorm:"not null"`
		OwnerID          string  `gorm:"size:36;not null;index"`
		CreatedBy        string  `gorm:"size:36;not null"`
		SubmittedAt      *time.Time
		ApprovedAt       *time.Time
		SentAt           *time.Time
		AcceptedAt       *time.Time
		RejectedAt       *time.Time
		RejectReason     string `gorm:"type:text;not null;default:''"`
		ExpiredAt        *time.Time
		ConvertedOrderID *string   `gorm:"size:36"`
		CreatedAt        time.Time `gorm:"not null;index:idx_quotes_created,priority:1"`
		UpdatedAt        time.Time `gorm:"not null"`
		Version          int       `gorm:"not null;default:1"`
	}
	type order struct {
		ID              string  `gorm:"primaryKey;size:36;index:idx_orders_created,priority:2"`
		Number          string  `gorm:"size:30;not null;uniqueIndex"`
		CustomerID      string  `gorm:"size:36;not null;index"`
		QuoteID         *string `gorm:"size:36;uniqueIndex"`
		OpportunityID   *string `gorm:"size:36;index"`
		ContractID      *string `gorm:"size:36;index"`
		Currency        string  `gorm:"size:3;not null"`
		DeliveryDate    *string `gorm:"size:10"`
		ShippingAddress string  `gorm:"type:text;not null;default:''"`
		Notes           string  `gorm:"type:text;not null;default:''"`
		Status          string  `gorm:"size:20;not null;index"`
		PaymentStatus   string  `gorm:"size:20;not null;default:'unpaid'"`
		Subtotal        int64   `gorm:"not null"`
		DiscountTotal   int64   `gorm:"not null"`
		TaxTotal        int64   `gorm:"not null"`
		Total           int64   `gorm:"not null"`
		Carrier         string  `gorm:"size:100;not null;default:''"`
		TrackingNumber  string  `gorm:"size:100;not null;default:''"`
		OwnerID         string  `gorm:"size:36;not null;index"`
		CreatedBy       string  `gorm:"size:36;not null"`
		SubmittedAt     *time.Time
		ApprovedAt      *time.Time
		ShippedAt       *time.Time
		DeliveredAt     *time.Time
		CompletedAt     *time.Time
		CancelledAt     *time.Time
		CancelReason    string    `gorm:"type:text;not null;default:''"`
		CreatedAt       time.Time `gorm:"not null;index:idx_orders_created,priority:1"`
		UpdatedAt       time.Time `gorm:"not null"`
		Version         int       `gorm:"not null;default:1"`
	}
	type documentItem struct {
		ID              string  `gorm:"primaryKey;size:36"`
		DocType         string  `gorm:"size:10;not null;index:idx_document_items_doc,priority:1"`
		DocID           string  `gorm:"size:36;not null;index:idx_document_items_doc,priority:2"`
		Position        int     `gorm:"not null"`
		ProductID       *string `gorm:"size:36;index"`
		Name            string  `gorm:"size:200;not null"`
		Description     string  `gorm:"type:text;not null;default:''"`
		Unit            string  `gorm:"size:20;not null;default:''"`
		Quantity        string  `gorm:"size:40;not null"`
		UnitPrice       int64   `gorm:"not null"`
		DiscountPercent string  `gorm:"size:10;not null"`
		TaxRate         string  `gorm:"size:10;not null"`
		Gross           int64   `gorm:"not null"`
		Discount        int64   `gorm:"not null"`
		Net             int64   `gorm:"not null"`
		Tax             int64   `gorm:"not null"`
		Total           int64   `gorm:"not null"`
	}
	tables := []any{&quote{}, &order{}, &documentItem{}}
	return &gormigrate.Migration{
		ID: "0013_quotes_orders",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(tables...)
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(tables...)
		},
	}
}
