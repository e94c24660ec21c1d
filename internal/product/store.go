package product

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"gorm.io/gorm"
)

// Store reads and writes products. The catalogue has no data scope: every
// reader sees every product.
type Store struct{ db *db.DB }

// NewStore builds a Store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

func (s *Store) table(ctx context.Context) *gorm.DB { return s.db.Conn(ctx).Model(&Product{}) }

// Get loads one product.
func (s *Store) Get(ctx context.Context, id string) (*Product, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("product")
	}
	var p Product
	err := s.table(ctx).Where("products.id = ?", id).Take(&p).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("product")
	}
	if err != nil {
		return nil, fmt.Errorf("product.get: %w", err)
	}
	return &p, nil
}

// BySKUKey loads the product whose SKU has this key (SKUKey), or nil.
func (s *Store) BySKUKey(ctx context.Context, key string) (*Product, error) {
	var p Product
	err := s.table(ctx).Where("products.sku_key = ?", key).Take(&p).Error
	if db.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("product.by_sku: %w", err)
	}
	return &p, nil
}

// ByIDs loads the products with these ids; unknown ids are left out.
func (s *Store) ByIDs(ctx context.Context, ids []string) ([]Product, error) {
	var out []Product
	if err := s.table(ctx).Where("products.id IN ?", ids).Find(&out).Error; err != nil {
		return nil, fmt.Errorf("product.by_ids: %w", err)
	}
	return out, nil
}

// Filter narrows a product list.
type Filter struct {
	// Q searches name and SKU (case-insensitive substring).
	Q string
	// Category matches any of these, exactly.
	Category []string
	Active   *bool
	Currency string
}

// Query is the filtered base of GET /products and of product exports.
func (s *Store) Query(ctx context.Context, f Filter) *gorm.DB {
	q := s.table(ctx)
	if f.Q != "" {
		q = db.Contains(q, f.Q, "products.name", "products.sku")
	}
	if len(f.Category) > 0 {
		q = q.Where("products.category IN ?", f.Category)
	}
	if f.Active != nil {
		q = q.Where("products.active = ?", *f.Active)
	}
	if f.Currency != "" {
		q = q.Where("products.currency = ?", f.Currency)
	}
	return q
}

// Create inserts a product; a SKU taken meanwhile is a 409.
func (s *Store) Create(ctx context.Context, p *Product) error {
	p.SKUKey = SKUKey(p.SKU)
	if err := s.db.Conn(ctx).Create(p).Error; err != nil {
		if db.IsDuplicate(err) {
			return skuTaken(nil)
		}
		return fmt.Errorf("product.create: %w", err)
	}
	return nil
}

// mutable lists the columns a write may change.
var mutable = []string{"sku", "sku_key", "name", "category", "unit", "price", "cost", "currency", "active",
	"description", "updated_at", "version"}

// Save writes p back if it is still at version read (else 412).
// UpdateColumns keeps the updated_at the service set.
func (s *Store) Save(ctx context.Context, p *Product, read int) error {
	p.SKUKey = SKUKey(p.SKU)
	res := s.table(ctx).Where("id = ? AND version = ?", p.ID, read).Select(mutable).UpdateColumns(p)
	if db.IsDuplicate(res.Error) {
		return skuTaken(nil)
	}
	if res.Error != nil {
		return fmt.Errorf("product.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// Delete removes p if it is still at version read. A row elsewhere that
// references the product through a foreign key makes it in use (409).
func (s *Store) Delete(ctx context.Context, p *Product, read int) error {
	res := s.db.Conn(ctx).Where("id = ? AND version = ?", p.ID, read).Delete(&Product{})
	if errors.Is(res.Error, gorm.ErrForeignKeyViolated) {
		return inUse()
	}
	if res.Error != nil {
		return fmt.Errorf("product.delete: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// Categories counts the products of each non-empty category, by name.
func (s *Store) Categories(ctx context.Context) ([]CategoryResponse, error) {
	out := []CategoryResponse{}
	err := s.table(ctx).Select("category AS name, COUNT(*) AS count, " +
		"SUM(CASE WHEN active THEN 1 ELSE 0 END) AS active_count").
		Where("category <> ''").Group("category").Order("category").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("product.categories: %w", err)
	}
	return out, nil
}

// spec is what product lists sort by. SKUs sort by their key, so the
// order ignores case on both databases.
var spec = paging.Spec[Product]{
	Columns: map[string]paging.Column[Product]{
		"created_at": {Expr: "products.created_at", Time: true, Get: func(p *Product) any { return p.CreatedAt }},
		"name":       {Expr: "products.name", Get: func(p *Product) any { return p.Name }},
		"sku":        {Expr: "products.sku_key", Get: func(p *Product) any { return p.SKUKey }},
		"price":      {Expr: "products.price", Number: true, Get: func(p *Product) any { return p.Price }},
	},
	Default: "-created_at",
	IDExpr:  "products.id",
	ID:      func(p *Product) string { return p.ID },
}
