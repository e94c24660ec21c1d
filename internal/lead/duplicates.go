package lead

import (
	"context"

	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/validate"
)

func init() {
	i18n.Register(map[string]map[i18n.Lang]string{
		"dedupe_needs_one": {i18n.EN: "give at least one of phone, email and company",
			i18n.ZhCN: "电话、邮箱、公司至少填写一项"},
	})
}

// checkDuplicates looks for live leads and customers l duplicates (the
// lead itself excluded, for re-checks). Found and not allowed: the 409
// duplicate problem; allowed: the matches, for the override's audit row.
func (s *Service) checkDuplicates(ctx context.Context, l *Lead, allow bool) ([]dedupe.Match, error) {
	k := dedupe.Keys(l.Phone, l.Email, l.Company)
	ms, err := s.dups.Find(ctx, authz.ActorFrom(ctx), k, dedupe.Exclude{LeadIDs: []string{l.ID}})
	if err != nil {
		return nil, err
	}
	if len(ms) > 0 && !allow {
		return nil, dedupe.Conflict(ms)
	}
	return ms, nil
}

// recordOverride audits a lead created although it duplicates others
// (allow_duplicate=true), with the records it matched.
func (s *Service) recordOverride(ctx context.Context, id string, ms []dedupe.Match) error {
	if len(ms) == 0 {
		return nil
	}
	return s.audit.Record(ctx, "duplicate_override", "lead", id, nil,
		map[string]any{"duplicate_override": true, "matches": dedupe.Refs(ms)})
}

// Duplicates checks ahead of a create which live leads and customers
// match the given phone, email or company; matches outside the caller's
// sight come without their details. At least one value is required.
func (s *Service) Duplicates(ctx context.Context, phone, email, company string) ([]dedupe.Match, error) {
	if err := authz.Require(ctx, "leads:read"); err != nil {
		return nil, err
	}
	var v validate.V
	v.MaxLen("phone", phone, maxEmail)
	v.MaxLen("email", email, maxEmail)
	v.MaxLen("company", company, maxCompany)
	k := dedupe.Keys(phone, email, company)
	if k.Empty() {
		for _, f := range []string{"phone", "email", "company"} {
			v.Add(f, "dedupe_needs_one")
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.dups.Find(ctx, authz.ActorFrom(ctx), k, dedupe.Exclude{})
}
