package lead

import (
	"context"
	"errors"
	"fmt"

	"github.com/opencrm/crm/internal/jobs"
	"github.com/opencrm/crm/internal/notification"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/db"
	"gorm.io/gorm"
)

// slaBatch bounds one sweep; the next run takes the rest.
const slaBatch = 500

// errSkip abandons one lead's reassignment: it changed meanwhile.
var errSkip = errors.New("lead changed during the sweep")

// overdue narrows q to owned leads still waiting for their first contact
// since they were assigned at or before cutoff.
func overdue(q *gorm.DB, cutoff any) *gorm.DB {
	return q.Where("leads.owner_id IS NOT NULL AND leads.status IN ? AND leads.assigned_at IS NOT NULL AND "+
		"leads.assigned_at <= ? AND (leads.last_followed_at IS NULL OR leads.last_followed_at < leads.assigned_at)",
		[]string{StatusNew, StatusAssigned}, cutoff)
}

// SLASweep is the "lead-sla-sweep" job: an assigned lead nobody followed
// up within the lead_followup_sla setting goes, by its rule (the one that
// routed it, else the first matching one), to another eligible user, or
// back to the pool when there is none. Both owners are notified and the
// history says sla. A lead handled once is no longer overdue (it has a new
// assigned_at or no owner), so running again changes nothing; "0" turns
// the rule off.
func (s *Service) SLASweep(ctx context.Context) (jobs.Result, error) {
	res := jobs.Result{Details: map[string]int{"reassigned": 0, "to_pool": 0}}
	if s.settings == nil {
		return res, nil
	}
	set, err := s.settings.Current(ctx)
	if err != nil {
		return res, err
	}
	sla := set.LeadFollowupSLA
	if sla.Std() <= 0 {
		return res, nil
	}
	cutoff := db.Now().Add(-sla.Std())
	var ids []string
	if err := overdue(s.db.Conn(ctx).Model(&Lead{}), cutoff).Order("leads.assigned_at, leads.id").Limit(slaBatch).
		Pluck("leads.id", &ids).Error; err != nil {
		return res, fmt.Errorf("lead.sla: %w", err)
	}
	for _, id := range ids {
		toPool, err := s.slaOne(ctx, id, cutoff, sla.String())
		switch {
		case errors.Is(err, errSkip):
			continue
		case err != nil:
			return res, err
		case toPool:
			res.Details["to_pool"]++
		default:
			res.Details["reassigned"]++
		}
		res.Processed++
	}
	return res, nil
}

// slaOne moves one overdue lead in its own transaction.
func (s *Service) slaOne(ctx context.Context, id string, cutoff any, sla string) (bool, error) {
	toPool := false
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		var l Lead
		err := overdue(s.db.Conn(ctx).Model(&Lead{}), cutoff).Where("leads.id = ?", id).Take(&l).Error
		if db.IsNotFound(err) {
			return errSkip
		}
		if err != nil {
			return fmt.Errorf("lead.sla: %w", err)
		}
		before := View(&l)
		from := l.OwnerID
		rule, err := s.slaRule(ctx, &l)
		if err != nil {
			return err
		}
		uid := ""
		if rule != nil {
			if uid, err = s.pick(ctx, rule, *from); err != nil {
				return err
			}
		}
		if uid == "" {
			toPool = true
			l.OwnerID, l.AssignedAt, l.AssignmentRuleID, l.Status = nil, nil, nil, StatusNew
		} else {
			l.giveTo(uid, &rule.ID)
		}
		read := l.Version
		l.Version++
		l.UpdatedAt = db.Now()
		if err := s.store.Save(ctx, &l, read); err != nil {
			if errors.Is(err, apperr.ErrPrecondition) {
				return errSkip
			}
			return err
		}
		if err := s.recordAssignment(ctx, &l, from, ReasonSLA, actorRef{"system", "system"}); err != nil {
			return err
		}
		body := fmt.Sprintf("Lead %s (%s) was not followed up within %s and went back to the pool.", l.Name, l.Company, sla)
		if !toPool {
			body = fmt.Sprintf("Lead %s (%s) was not followed up within %s and was reassigned.", l.Name, l.Company, sla)
		}
		if s.notify != nil {
			if err := s.notify.Notify(ctx, notification.Notification{UserID: *from, Kind: "lead_reassigned",
				Title: "线索超时未跟进已收回：" + l.Name, Body: body, RefType: "lead", RefID: l.ID}); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, "sla_reassign", "lead", l.ID, before, View(&l))
	})
	return toPool, err
}

// slaRule is the rule that routed the lead if it is still active, else the
// first active rule it matches; nil when there is none.
func (s *Service) slaRule(ctx context.Context, l *Lead) (*Rule, error) {
	rules, err := s.activeRules(ctx)
	if err != nil {
		return nil, err
	}
	if l.AssignmentRuleID != nil {
		for i := range rules {
			if rules[i].ID == *l.AssignmentRuleID {
				return &rules[i], nil
			}
		}
	}
	for i := range rules {
		if rules[i].matches(l) {
			return &rules[i], nil
		}
	}
	return nil, nil
}
