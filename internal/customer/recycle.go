package customer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/opencrm/crm/internal/jobs"
	"github.com/opencrm/crm/internal/notification"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/settings"
)

// recycleBatch is how many candidates one query of the sweep loads.
const recycleBatch = 200

// verdict is when an owned customer falls due for recycling, why, and
// when the idle period that leads there began (one warning per period).
type verdict struct {
	deadline, start time.Time
	reason          string
}

// RecycleSweep is the "pool-recycle" job: every owned, unlocked customer
// idle past pool_recycle_no_followup (since the later of its last
// follow-up and the owner getting it) or without a deal past
// pool_recycle_no_deal goes back to the pool, with the reason in its
// history and a notification to the owner; within pool_recycle_warning of
// that the owner is warned, once per idle period. "0" switches a rule off.
// Idempotent: a customer changed while the sweep runs (version moved) is
// left for the next run.
func (s *Service) RecycleSweep(ctx context.Context) (jobs.Result, error) {
	res := jobs.Result{Details: map[string]int{"recycled": 0, "warned": 0}}
	vals, err := s.settings.Current(ctx)
	if err != nil {
		return res, err
	}
	noFollow, noDeal, warn := vals.PoolRecycleNoFollowup.Std(), vals.PoolRecycleNoDeal.Std(), vals.PoolRecycleWarning.Std()
	if noFollow <= 0 && noDeal <= 0 {
		return res, nil
	}
	after := ""
	for {
		now := db.Now()
		q := s.db.Conn(ctx).Model(&Customer{}).Where("owner_id IS NOT NULL AND locked = ?", false)
		// Only rows that can be due or within the warning window: the
		// same test as verdict, in SQL, so the sweep reads few rows.
		cond, args := "1 = 0", []any{}
		if noFollow > 0 {
			cut := now.Add(warn - noFollow)
			cond += " OR (owned_since <= ? AND (last_followed_at IS NULL OR last_followed_at <= ?))"
			args = append(args, cut, cut)
		}
		if noDeal > 0 {
			cond += " OR owned_since <= ?"
			args = append(args, now.Add(warn-noDeal))
		}
		var batch []Customer
		if err := q.Where("("+cond+")", args...).Where("id > ?", after).Order("id").Limit(recycleBatch).
			Find(&batch).Error; err != nil {
			return res, fmt.Errorf("customer.recycle: %w", err)
		}
		for i := range batch {
			c := &batch[i]
			after = c.ID
			if s.exempt(ctx, c, vals) {
				continue
			}
			v, ok := due(c, noFollow, noDeal, s.lastDealAt(ctx, c))
			switch {
			case !ok:
			case !now.Before(v.deadline):
				err = s.recycle(ctx, c, v.reason)
				if err == nil {
					res.Details["recycled"]++
				}
			case warn > 0 && !now.Before(v.deadline.Add(-warn)) &&
				(c.RecycleWarnedAt == nil || c.RecycleWarnedAt.Before(v.start)):
				var sent bool
				sent, err = s.warnRecycle(ctx, c, v)
				if sent {
					res.Details["warned"]++
				}
			}
			if err != nil && !errors.Is(err, apperr.ErrPrecondition) {
				return res, err
			}
		}
		if len(batch) < recycleBatch {
			break
		}
	}
	res.Processed = res.Details["recycled"] + res.Details["warned"]
	return res, nil
}

// due is the earlier deadline of the rules that are on.
func due(c *Customer, noFollow, noDeal time.Duration, lastDeal *time.Time) (verdict, bool) {
	var v verdict
	ok := false
	if noFollow > 0 {
		start := c.idleSince()
		v, ok = verdict{start.Add(noFollow), start, "no follow-up for " + settings.Duration(noFollow).String()}, true
	}
	if noDeal > 0 {
		start := c.CreatedAt
		if c.OwnedSince != nil {
			start = *c.OwnedSince
		}
		if lastDeal != nil && lastDeal.After(start) {
			start = *lastDeal
		}
		if d := start.Add(noDeal); !ok || d.Before(v.deadline) {
			v, ok = verdict{d, start, "no deal for " + settings.Duration(noDeal).String()}, true
		}
	}
	return v, ok
}

// exempt keeps locked customers out of recycling. Hook: when contracts
// arrive, a customer with a signed contract is exempt too while
// pool_recycle_exempt_signed is on.
func (s *Service) exempt(_ context.Context, c *Customer, _ settings.Values) bool {
	return c.Locked
}

// lastDealAt is when the customer's last deal happened. Hook: there are no
// opportunities or contracts yet, so no-deal time counts from when the
// owner got the customer; the opportunity/contract modules return the
// latest won or signed date here.
func (s *Service) lastDealAt(_ context.Context, _ *Customer) *time.Time { return nil }

// recycle returns one customer to the pool, if it has not changed since
// the sweep read it.
func (s *Service) recycle(ctx context.Context, c *Customer, reason string) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		before := View(c)
		from := *c.OwnerID
		read := c.Version
		now := db.Now()
		c.setOwner(nil, now)
		c.Version++
		c.UpdatedAt = now
		if err := s.store.Save(ctx, c, read); err != nil {
			return err
		}
		if err := s.ownershipChanged(ctx, c, ActionRecycle, &from, nil, reason); err != nil {
			return err
		}
		return s.audit.Record(ctx, "recycle", "customer", c.ID, before, View(c))
	})
}

// warnRecycle tells the owner the customer is about to go back to the
// pool and notes it, so the same idle period is not warned twice. The
// note is bookkeeping: it does not change the customer's version.
func (s *Service) warnRecycle(ctx context.Context, c *Customer, v verdict) (bool, error) {
	sent := false
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		now := db.Now()
		r := s.db.Conn(ctx).Model(&Customer{}).
			Where("id = ? AND version = ? AND (recycle_warned_at IS NULL OR recycle_warned_at < ?)", c.ID, c.Version, v.start).
			UpdateColumn("recycle_warned_at", now)
		if r.Error != nil {
			return fmt.Errorf("customer.warn: %w", r.Error)
		}
		if r.RowsAffected == 0 {
			return nil
		}
		sent = true
		return s.notify.Notify(ctx, notification.Notification{UserID: *c.OwnerID, Kind: "customer_recycle_warning",
			Title:   "Customer will return to the pool: " + c.Name,
			Body:    fmt.Sprintf("%s will return to the public pool at %s (%s) unless followed up.", c.Name, v.deadline.Format(time.RFC3339), v.reason),
			RefType: "customer", RefID: c.ID})
	})
	return sent, err
}
