package customer

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/notification"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/mask"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Pool pages through the public pool: every live customer without an
// owner, for anyone who may read customers.
func (s *Service) Pool(ctx context.Context, f Filter, r paging.Request) (paging.Page[Customer], error) {
	if err := authz.Require(ctx, "customers:read"); err != nil {
		return paging.Page[Customer]{}, err
	}
	return s.page(f, r, s.store.PoolQuery(ctx, authz.ActorFrom(ctx), f))
}

// Claim takes a customer from the pool for the caller. Refusals, all 409:
// already_owned (someone has it, including the winner of a concurrent
// claim; said to anyone, with no detail, since the caller may have seen it
// in the pool a moment ago), cooldown (the caller gave it back within pool_reclaim_cooldown),
// limit_reached (the caller owns max_customers_per_rep already; the cap
// applies to whoever claims, manager or admin too, not to transfers).
func (s *Service) Claim(ctx context.Context, id string) (*Customer, error) {
	if err := authz.Require(ctx, "customers:claim"); err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	if a.IsAPIKey() {
		return nil, &apperr.Error{Kind: apperr.ErrForbidden, Code: "forbidden", Msg: "customer_api_key_owner"}
	}
	vals, err := s.settings.Current(ctx)
	if err != nil {
		return nil, err
	}
	var out *Customer
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.store.GetLive(ctx, id)
		if err != nil {
			return err
		}
		if !c.InPool() {
			return apperr.Conflict("already_owned", "customer_already_owned")
		}
		if err := s.store.LockOwner(ctx, a.UserID); err != nil {
			return err
		}
		now := db.Now()
		if cool := vals.PoolReclaimCooldown.Std(); cool > 0 {
			last, err := s.store.LastRelease(ctx, c.ID, a.UserID)
			if err != nil {
				return err
			}
			if last != nil && now.Before(last.Add(cool)) {
				return apperr.Conflict("cooldown", "customer_cooldown", last.Add(cool).Format(time.RFC3339))
			}
		}
		n, err := s.store.CountOwned(ctx, a.UserID)
		if err != nil {
			return err
		}
		if n >= int64(vals.MaxCustomersPerRep) {
			return apperr.Conflict("limit_reached", "customer_limit_reached", vals.MaxCustomersPerRep)
		}
		won, err := s.store.Claim(ctx, c.ID, a.UserID, now)
		if err != nil {
			return err
		}
		if !won {
			return apperr.Conflict("already_owned", "customer_already_owned")
		}
		before := View(c)
		owner := a.UserID
		c.setOwner(&owner, now)
		c.Version++
		c.UpdatedAt = now
		if err := s.ownershipChanged(ctx, c, ActionClaim, nil, &owner, ""); err != nil {
			return err
		}
		out = c
		return s.audit.Record(ctx, "claim", "customer", c.ID, before, View(c))
	})
	return out, err
}

// Release gives a customer in the caller's scope back to the pool: its
// owner, or a manager or admin over it. The reason is kept in the history.
func (s *Service) Release(ctx context.Context, id string, ifMatch *int, reason string) (*Customer, error) {
	if err := authz.Require(ctx, "customers:write"); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason, true); err != nil {
		return nil, err
	}
	return s.mutate(ctx, id, ifMatch, "release", func(ctx context.Context, c *Customer) error {
		if c.InPool() {
			return apperr.Conflict("in_pool", "customer_in_pool")
		}
		from := *c.OwnerID
		c.setOwner(nil, db.Now())
		return s.ownershipChanged(ctx, c, ActionRelease, &from, nil, reason)
	})
}

// Transfer gives a customer to another active owner: a manager within
// their teams (for customers in their scope or in the pool), an admin to
// anyone. Transfers are not capped by max_customers_per_rep.
func (s *Service) Transfer(ctx context.Context, id string, ifMatch *int, req TransferRequest) (*Customer, error) {
	if err := authz.Require(ctx, "customers:transfer"); err != nil {
		return nil, err
	}
	target := strings.TrimSpace(req.OwnerID)
	reason := strings.TrimSpace(req.Reason)
	if target == "" {
		return nil, apperr.Invalid(apperr.FieldError{Field: "owner_id", Message: "required"})
	}
	if err := checkReason(reason, false); err != nil {
		return nil, err
	}
	return s.mutateFrom(ctx, id, ifMatch, "transfer", s.store.GetVisible, func(ctx context.Context, c *Customer) error {
		if err := s.checkOwner(ctx, authz.ActorFrom(ctx), target); err != nil {
			return err
		}
		if c.OwnerID != nil && *c.OwnerID == target {
			return apperr.Invalid(apperr.FieldError{Field: "owner_id", Message: "customer_same_owner"})
		}
		from := c.OwnerID
		c.setOwner(&target, db.Now())
		return s.ownershipChanged(ctx, c, ActionTransfer, from, &target, reason)
	})
}

func checkReason(reason string, required bool) error {
	switch {
	case required && reason == "":
		return apperr.Invalid(apperr.FieldError{Field: "reason", Message: "required"})
	case utf8.RuneCountInString(reason) > maxReason:
		return apperr.Invalid(apperr.FieldError{Field: "reason", Message: "too_long", Params: []any{maxReason}})
	}
	return nil
}

// ownershipChanged records an owner change in the history and tells the
// people it affects who did not do it themselves, in the caller's
// transaction.
func (s *Service) ownershipChanged(ctx context.Context, c *Customer, action string, from, to *string,
	reason string) error {
	a := authz.ActorFrom(ctx)
	e := &OwnershipEvent{ID: uuid.Must(uuid.NewV7()).String(), CustomerID: c.ID, Action: action,
		FromUserID: from, ToUserID: to, Reason: reason, ActorType: "system", ActorID: "system", CreatedAt: db.Now()}
	if a != nil {
		e.ActorType, e.ActorID = a.Kind(), a.ID()
	}
	if err := s.store.RecordOwnership(ctx, e); err != nil {
		return err
	}
	type note struct{ user, kind, title string }
	var notes []note
	switch action {
	case ActionAssign:
		notes = append(notes, note{deref(to), "customer_assigned", "Customer assigned to you: " + c.Name})
	case ActionTransfer:
		notes = append(notes, note{deref(to), "customer_transferred", "Customer transferred to you: " + c.Name},
			note{deref(from), "customer_transferred", "Customer transferred away from you: " + c.Name})
	case ActionRelease:
		notes = append(notes, note{deref(from), "customer_released", "Customer released to the pool: " + c.Name})
	case ActionRecycle:
		notes = append(notes, note{deref(from), "customer_recycled", "Customer returned to the pool: " + c.Name})
	}
	for _, n := range notes {
		if n.user == "" || (a != nil && n.user == a.UserID) {
			continue
		}
		if err := s.notify.Notify(ctx, notification.Notification{UserID: n.user, Kind: n.kind, Title: n.title,
			Body: reason, RefType: "customer", RefID: c.ID}); err != nil {
			return err
		}
	}
	return nil
}

// masked reports whether the actor sees c's contact details masked: a
// pool customer, for anyone without admin scope.
func masked(a *authz.Actor, c *Customer) bool {
	return c.InPool() && (a == nil || !a.SeesAll())
}

// Present is the customer as the actor may see it.
func Present(a *authz.Actor, c *Customer) CustomerResponse {
	v := View(c)
	if masked(a, c) {
		v.Phone, v.Email, v.Masked = mask.Phone(v.Phone), mask.Email(v.Email), true
	}
	return v
}
