package customer

import (
	"context"

	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/platform/authz"
)

// checkDuplicates looks for live leads and customers c duplicates: its
// name against companies, its phone and email against leads, customers
// and contacts. Found and not allowed: the 409 duplicate problem.
func (s *Service) checkDuplicates(ctx context.Context, c *Customer, opts CreateOptions) ([]dedupe.Match, error) {
	k := dedupe.Keys(c.Phone, c.Email, c.Name)
	ms, err := s.dups.Find(ctx, authz.ActorFrom(ctx), k,
		dedupe.Exclude{LeadIDs: opts.ExcludeLeadIDs, CustomerIDs: []string{c.ID}})
	if err != nil {
		return nil, err
	}
	if len(ms) > 0 && !opts.AllowDuplicate {
		return nil, dedupe.Conflict(ms)
	}
	return ms, nil
}

// recordOverride audits a customer created although it duplicates others
// (allow_duplicate=true), with the records it matched.
func (s *Service) recordOverride(ctx context.Context, id string, ms []dedupe.Match) error {
	if len(ms) == 0 {
		return nil
	}
	return s.audit.Record(ctx, "duplicate_override", "customer", id, nil,
		map[string]any{"duplicate_override": true, "matches": dedupe.Refs(ms)})
}
