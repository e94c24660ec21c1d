package migrations

import (
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// v0008Products adds the product catalogue. SKUs are unique whatever
// their case: sku keeps the spelling given, sku_key its lower-case form
// under the unique index. Money columns hold minor units (BIGINT); a NULL
// cost is an unknown cost, which is not the same as a free product.
func v0008Products() *gormigrate.Migration {
	type product struct {
		ID          string `gorm:"primaryKey;size:36;index:idx_products_created,priority:2"`
		SKU         string `gorm:"column:sku;size:64;not null"`
		SKUKey      string `gorm:"column:sku_key;size:64;not null;uniqueIndex"`
		Name        string `gorm:"size:200;not null"`
		Category    string `gorm:"size:100;not null;default:'';index"`
		Unit        string `gorm:"size:20;not null;default:''"`
		Price       int64  `gorm:"not null"`
		Cost        *int64
		Currency    string    `gorm:"size:3;not null;default:'CNY'"`
		Active      bool      `gorm:"not null;default:true;index"`
		Description string    `gorm:"type:text;not null;default:''"`
		CreatedBy   string    `gorm:"size:36;not null;default:''"`
		CreatedAt   time.Time `gorm:"not null;index:idx_products_created,priority:1"`
		UpdatedAt   time.Time `gorm:"not null"`
		Version     int       `gorm:"not null;default:1"`
	}
	return &gormigrate.Migration{
		ID: "0008_products",
		Migrate: func(tx *gorm.DB) error {
			return tx.Migrator().AutoMigrate(&product{})
		},
		Rollback: func(tx *gorm.DB) error {
			return tx.Migrator().DropTable(&product{})
		},
	}
}
