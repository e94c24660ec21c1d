package customer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/i18n"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

func init() {
	authz.Grant("customers:merge", authz.RoleAdmin, authz.RoleManager)
	i18n.Register(map[string]map[i18n.Lang]string{
		"merge_self": {i18n.EN: "must not include the customer merged into",
			i18n.ZhCN: "不能包含合并目标客户本身"},
	})
}

// maxMergeSources caps one merge.
const maxMergeSources = 50

// MergeHook moves another module's records (leads, opportunities…) from
// the merged customers to the target, inside the merge's transaction.
// It reports how many records it moved.
type MergeHook func(ctx context.Context, targetID string, sourceIDs []string) (moved int64, err error)

type namedHook struct {
	name string
	fn   MergeHook
}

// AddMergeHook adds a hook that moves the records called name (as the
// merge's audit counts them); call while wiring, before serving.
func (s *Service) AddMergeHook(name string, h MergeHook) {
	s.merge = append(s.merge, namedHook{name, h})
}

// MergedRef names a customer merged into another, in the target's audit.
type MergedRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// mergeAudit is the target's audit row of a merge: the customer after it,
// who went into it and how many records moved.
type mergeAudit struct {
	CustomerResponse
	MergedFrom []MergedRef      `json:"merged_from"`
	Moved      map[string]int64 `json:"moved"`
}

// Merge folds duplicate customers (sources) into the target, all in the
// caller's scope (customers:merge: admins and managers), in one
// transaction: the sources' contacts, follow-ups, ownership history and
// whatever the merge hooks move (leads) go to the target; the target
// keeps its own values and takes blank fields and tags from the sources;
// the sources end soft-deleted with merged_into_id set (404 afterwards).
func (s *Service) Merge(ctx context.Context, id string, ifMatch *int, sourceIDs []string) (*Customer, error) {
	if err := authz.Require(ctx, "customers:merge"); err != nil {
		return nil, err
	}
	var ids []string
	for _, sid := range sourceIDs {
		if sid = strings.TrimSpace(sid); !slices.Contains(ids, sid) {
			ids = append(ids, sid)
		}
	}
	bad := func(msg string, params ...any) error {
		return apperr.Invalid(apperr.FieldError{Field: "source_ids", Message: msg, Params: params})
	}
	switch {
	case len(ids) == 0:
		return nil, bad("required")
	case len(ids) > maxMergeSources:
		return nil, bad("too_many", maxMergeSources)
	}
	a := authz.ActorFrom(ctx)
	var out *Customer
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		// Lock every customer involved first, in one order: a contact or
		// lead added to a source meanwhile either lands before the move or
		// finds the source gone, and crossed merges queue, not deadlock.
		if err := s.store.lockCustomers(ctx, append([]string{id}, ids...)); err != nil {
			return err
		}
		t, err := s.store.Get(ctx, a, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != t.Version {
			return apperr.VersionMismatch()
		}
		if slices.Contains(ids, t.ID) {
			return bad("merge_self")
		}
		sources := make([]*Customer, 0, len(ids))
		for _, sid := range ids {
			src, err := s.store.Get(ctx, a, sid)
			if errors.Is(err, apperr.ErrNotFound) {
				return bad("unknown_ref", "customer")
			}
			if err != nil {
				return err
			}
			sources = append(sources, src)
		}
		moved, err := s.moveRecords(ctx, t.ID, ids)
		if err != nil {
			return err
		}
		before := View(t)
		refs := make([]MergedRef, len(sources))
		now := db.Now()
		for i, src := range sources {
			refs[i] = MergedRef{ID: src.ID, Name: src.Name}
			absorb(t, src)
			if err := s.store.markMerged(ctx, src, t.ID, now); err != nil {
				return err
			}
			if err := s.audit.Record(ctx, "merge", "customer", src.ID, View(src),
				map[string]any{"merged_into_id": t.ID}); err != nil {
				return err
			}
		}
		read := t.Version
		t.Version++
		t.UpdatedAt = now
		if err := s.store.Save(ctx, t, read); err != nil {
			return err
		}
		out = t
		return s.audit.Record(ctx, "merge", "customer", t.ID, before,
			mergeAudit{CustomerResponse: View(t), MergedFrom: refs, Moved: moved})
	})
	return out, err
}

// moveRecords points every record of the sources at the target, deleted
// contacts included, so nothing is lost; it counts what moved.
func (s *Store) moveRecords(ctx context.Context, target string, sources []string) (map[string]int64, error) {
	moved := map[string]int64{}
	conn := s.db.Conn(ctx)
	for name, q := range map[string]*gorm.DB{
		"contacts":         conn.Unscoped().Model(&Contact{}),
		"ownership_events": conn.Model(&OwnershipEvent{}),
	} {
		res := q.Where("customer_id IN ?", sources).UpdateColumn("customer_id", target)
		if res.Error != nil {
			return nil, fmt.Errorf("customer.merge_%s: %w", name, res.Error)
		}
		moved[name] = res.RowsAffected
	}
	return moved, nil
}

// moveRecords moves the module's own records and runs the merge hooks.
func (s *Service) moveRecords(ctx context.Context, target string, sources []string) (map[string]int64, error) {
	moved, err := s.store.moveRecords(ctx, target, sources)
	if err != nil {
		return nil, err
	}
	for _, h := range s.merge {
		n, err := h.fn(ctx, target, sources)
		if err != nil {
			return nil, err
		}
		moved[h.name] += n
	}
	return moved, nil
}

// lockCustomers takes the row locks of the given customers, in id order so
// that two lockers never wait on each other, until the transaction ends
// (PostgreSQL; SQLite transactions already run one writer at a time).
// Ids that are not UUIDs are skipped: they match nothing.
func (s *Store) lockCustomers(ctx context.Context, ids []string) error {
	var valid []string
	for _, id := range ids {
		if _, err := uuid.Parse(id); err == nil {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 || s.db.Dialect() != db.Postgres {
		return nil
	}
	var got []string
	err := s.db.Conn(ctx).Model(&Customer{}).Where("id IN ?", valid).Order("id").
		Clauses(clause.Locking{Strength: clause.LockingStrengthUpdate}).Pluck("id", &got).Error
	if err != nil {
		return fmt.Errorf("customer.lock: %w", err)
	}
	return nil
}

// markMerged soft-deletes a merged source, if still at the version read.
func (s *Store) markMerged(ctx context.Context, c *Customer, into string, now time.Time) error {
	res := s.db.Conn(ctx).Model(&Customer{}).Where("id = ? AND version = ?", c.ID, c.Version).
		UpdateColumns(map[string]any{"merged_into_id": into, "deleted_at": now, "updated_at": now,
			"version": c.Version + 1})
	if res.Error != nil {
		return fmt.Errorf("customer.merge: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

// absorb fills the target's blank fields from a source, adds its tags (up
// to the limit) and keeps the later last follow-up.
func absorb(t, src *Customer) {
	for _, p := range []struct{ dst, src *string }{{&t.Industry, &src.Industry}, {&t.Size, &src.Size},
		{&t.Potential, &src.Potential}, {&t.Level, &src.Level}, {&t.Region, &src.Region},
		{&t.Address, &src.Address}, {&t.Phone, &src.Phone}, {&t.Email, &src.Email}, {&t.Website, &src.Website}} {
		if *p.dst == "" {
			*p.dst = *p.src
		}
	}
	for _, tag := range src.Tags {
		if len(t.Tags) < maxTags && !slices.Contains(t.Tags, tag) {
			t.Tags = append(t.Tags, tag)
		}
	}
	if src.LastFollowedAt != nil && (t.LastFollowedAt == nil || src.LastFollowedAt.After(*t.LastFollowedAt)) {
		l := *src.LastFollowedAt
		t.LastFollowedAt = &l
	}
}
