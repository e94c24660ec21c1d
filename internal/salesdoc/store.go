package salesdoc

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/db"
	"gorm.io/gorm"
)

// Store keeps document lines. It has no data scope of its own: callers load
// the lines of documents they have already loaded in scope.
type Store struct{ db *db.DB }

// NewStore builds a Store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Items loads the lines of documents of one type, by document id, in order.
func (s *Store) Items(ctx context.Context, docType string, ids ...string) (map[string][]Item, error) {
	out := make(map[string][]Item, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Item
	if err := s.db.Conn(ctx).Where("doc_type = ? AND doc_id IN ?", docType, ids).
		Order("doc_id, position").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("salesdoc.items: %w", err)
	}
	for _, it := range rows {
		out[it.DocID] = append(out[it.DocID], it)
	}
	return out, nil
}

// Replace makes items the lines of a document (new ids, positions 1…n).
func (s *Store) Replace(ctx context.Context, docType, docID string, items []Item) error {
	if err := s.db.Conn(ctx).Where("doc_type = ? AND doc_id = ?", docType, docID).Delete(&Item{}).Error; err != nil {
		return fmt.Errorf("salesdoc.replace: %w", err)
	}
	for i := range items {
		items[i].ID, items[i].DocType, items[i].DocID, items[i].Position =
			uuid.Must(uuid.NewV7()).String(), docType, docID, i+1
	}
	if len(items) == 0 {
		return nil
	}
	if err := s.db.Conn(ctx).Create(&items).Error; err != nil {
		return fmt.Errorf("salesdoc.replace: %w", err)
	}
	return nil
}

// Copy gives another document the same lines, figures and all: a revision
// or an order converted from a quote is priced exactly as its source was,
// even if a product has since been retired or repriced.
func Copy(items []Item) []Item {
	out := make([]Item, len(items))
	copy(out, items)
	return out
}

// UsesProduct reports whether any document line refers to the product (a
// product usage check).
func (s *Store) UsesProduct(ctx context.Context, productID string) (bool, error) {
	var n int64
	if err := s.db.Conn(ctx).Model(&Item{}).Where("product_id = ?", productID).Limit(1).Count(&n).Error; err != nil {
		return false, fmt.Errorf("salesdoc.uses_product: %w", err)
	}
	return n > 0, nil
}

// Lined is a document whose lines live in document_items.
type Lined interface {
	LineOwnerID() string
	AttachLines(items []Item)
}

// AttachLines loads the lines of docs (one document type) in one query.
func AttachLines[D Lined](ctx context.Context, s *Store, docType string, docs []D) error {
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.LineOwnerID()
	}
	items, err := s.Items(ctx, docType, ids...)
	if err != nil {
		return err
	}
	for _, d := range docs {
		d.AttachLines(items[d.LineOwnerID()])
	}
	return nil
}

// TakeDoc loads the document id through q (already scoped, or not, by the
// caller) with its lines; an id that is not a UUID or finds nothing is
// apperr.NotFound(word). table names the id column's table.
func TakeDoc[T any, P interface {
	*T
	Lined
}](ctx context.Context, s *Store, q *gorm.DB, docType, word, table, id string) (P, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound(word)
	}
	var out T
	err := q.Where(table+".id = ?", id).Take(&out).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound(word)
	}
	if err != nil {
		return nil, fmt.Errorf("%s.get: %w", word, err)
	}
	p := P(&out)
	if err := AttachLines(ctx, s, docType, []P{p}); err != nil {
		return nil, err
	}
	return p, nil
}
