package lead

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/mask"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/validate"
	"gorm.io/gorm"
)

func init() {
	authz.Grant("leads:claim", authz.RoleAdmin, authz.RoleManager, authz.RoleRep)
	i18n.Register(map[string]map[i18n.Lang]string{
		"already_owned": {i18n.EN: "The record already has an owner.", i18n.ZhCN: "该记录已有负责人。"},
		"claim_needs_user": {i18n.EN: "Only a user can claim a lead; an API key owns nothing.",
			i18n.ZhCN: "只有用户可以领取线索，API 密钥不能拥有记录。"},
	})
	i18n.RegisterWords(map[string]string{"lead_assignment_rule": "线索分配规则"})
}

// maxDisqualifyReason caps the reason, in characters.
const maxDisqualifyReason = 500

// closed are the statuses no action reopens.
var closed = []string{StatusConverted, StatusDisqualified}

// Pool pages through the lead pool: open leads without an owner. Every
// role with leads:read sees it, reps included; it never shows owned leads.
func (s *Service) Pool(ctx context.Context, f Filter, r paging.Request) (paging.Page[Lead], error) {
	if err := authz.Require(ctx, "leads:read"); err != nil {
		return paging.Page[Lead]{}, err
	}
	q, err := leadSpec.Parse(r)
	if err != nil {
		return paging.Page[Lead]{}, err
	}
	var v validate.V
	if f.Check(&v); v.Err() != nil {
		return paging.Page[Lead]{}, v.Err()
	}
	page, err := q.Fetch(s.store.Pool(ctx, f, PoolMasked(authz.ActorFrom(ctx))))
	if err != nil {
		return page, fmt.Errorf("lead.pool: %w", err)
	}
	return page, nil
}

// PoolMasked reports whether the actor sees pool leads' phone and email
// masked: everyone but admins and API keys, until they claim the lead
// (as with pool customers).
func PoolMasked(a *authz.Actor) bool { return a == nil || !a.SeesAll() }

// PoolView is a pool lead as the actor may see it.
func PoolView(a *authz.Actor, l *Lead) LeadResponse {
	v := View(l)
	if PoolMasked(a) {
		v.Phone, v.Email, v.Masked = mask.Phone(v.Phone), mask.Email(v.Email), true
	}
	return v
}

// Claim makes the caller the owner of a pool lead. The conditional UPDATE
// (owner still NULL) lets exactly one of several concurrent claims win on
// either database; the others see already_owned.
func (s *Service) Claim(ctx context.Context, id string) (*Lead, error) {
	if err := authz.Require(ctx, "leads:claim"); err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	if a.IsAPIKey() {
		return nil, apperr.New(apperr.ErrForbidden, "forbidden", "claim_needs_user")
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("lead")
	}
	var out *Lead
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		now := db.Now()
		res := s.db.Conn(ctx).Model(&Lead{}).
			Where("id = ? AND owner_id IS NULL AND status NOT IN ?", id, closed).
			UpdateColumns(map[string]any{"owner_id": a.UserID, "assigned_at": now, "assignment_rule_id": nil,
				"status":     gorm.Expr("CASE WHEN status = ? THEN ? ELSE status END", StatusNew, StatusAssigned),
				"updated_at": now, "version": gorm.Expr("version + 1")})
		if res.Error != nil {
			return fmt.Errorf("lead.claim: %w", res.Error)
		}
		var l Lead
		if err := s.db.Conn(ctx).Where("id = ?", id).Take(&l).Error; err != nil {
			if db.IsNotFound(err) {
				return apperr.NotFound("lead")
			}
			return fmt.Errorf("lead.claim: %w", err)
		}
		if res.RowsAffected == 0 {
			if l.OwnerID != nil {
				return apperr.Conflict("already_owned", "already_owned")
			}
			return apperr.Conflict("invalid_transition", "invalid_transition")
		}
		before := View(&l)
		before.OwnerID, before.Version = nil, l.Version-1
		if err := s.recordAssignment(ctx, &l, nil, ReasonClaim, actorOf(ctx)); err != nil {
			return err
		}
		out = &l
		return s.audit.Record(ctx, "claim", "lead", l.ID, before, View(&l))
	})
	return out, err
}

// Disqualify closes a lead in the caller's scope with a reason.
func (s *Service) Disqualify(ctx context.Context, id string, ifMatch *int, reason string) (*Lead, error) {
	if err := authz.Require(ctx, "leads:write"); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	var v validate.V
	if v.Required("reason", reason) {
		v.MaxLen("reason", reason, maxDisqualifyReason)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.mutate(ctx, id, ifMatch, "disqualify", func(ctx context.Context, l *Lead) error {
		if slices.Contains(closed, l.Status) {
			return apperr.Conflict("invalid_transition", "invalid_transition")
		}
		l.Status, l.DisqualifyReason = StatusDisqualified, reason
		return nil
	})
}

// assignmentSpec pages a lead's assignment history, oldest first.
var assignmentSpec = paging.Spec[Assignment]{
	Columns: map[string]paging.Column[Assignment]{
		"at": {Expr: "at", Time: true, Get: func(a *Assignment) any { return a.At }},
	},
	Default: "at",
	IDExpr:  "id",
	ID:      func(a *Assignment) string { return a.ID },
}

// Assignments pages through the owner changes of a lead in the caller's
// scope.
func (s *Service) Assignments(ctx context.Context, leadID string, r paging.Request) (paging.Page[Assignment], error) {
	if err := authz.Require(ctx, "leads:read"); err != nil {
		return paging.Page[Assignment]{}, err
	}
	q, err := assignmentSpec.Parse(r)
	if err != nil {
		return paging.Page[Assignment]{}, err
	}
	if _, err := s.store.Get(ctx, authz.ActorFrom(ctx), leadID); err != nil {
		return paging.Page[Assignment]{}, err
	}
	page, err := q.Fetch(s.db.Conn(ctx).Model(&Assignment{}).Where("lead_id = ?", leadID))
	if err != nil {
		return page, fmt.Errorf("lead.assignments: %w", err)
	}
	return page, nil
}
