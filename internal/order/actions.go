package order

import (
	"context"
	"strings"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/salesdoc"
)

// Entity is the approval engine's name for orders.
const Entity = "order"

// events names the event each action writes. An approval rejection (back
// to draft) is no business event: the approval trail keeps it.
var events = map[string]string{"submit": "order.submitted", "approve": "order.approved",
	"ship": "order.shipped", "deliver": "order.delivered", "complete": "order.completed", "cancel": "order.cancelled"}

// loader loads the order an action applies to.
type loader func(ctx context.Context, id string) (*Order, error)

// inScope loads in the caller's data scope: what client actions act on.
func (s *Service) inScope(ctx context.Context, id string) (*Order, error) {
	return s.store.Get(ctx, authz.ActorFrom(ctx), id)
}

// act runs one action in one transaction: load, If-Match, move the status
// (409 invalid_transition when the action may not start from it), apply
// change, save, audit, write the action's event with the order as it now
// is, then run after (which sees the saved order). change gets the status
// the order moved from.
func (s *Service) act(ctx context.Context, load loader, id string, ifMatch *int, action string,
	change func(ctx context.Context, o *Order, from string) error, after func(ctx context.Context, o *Order) error) (*Order, error) {
	var out *Order
	err := s.deps.DB.WithTx(ctx, func(ctx context.Context) error {
		o, err := s.writes.Apply(ctx, func(ctx context.Context) (*Order, error) { return load(ctx, id) }, ifMatch,
			action, func(ctx context.Context, o *Order) error {
				from := o.Status
				if err := o.move(action, db.Now()); err != nil {
					return err
				}
				if change != nil {
					return change(ctx, o, from)
				}
				return nil
			})
		if err != nil {
			return err
		}
		if typ, ok := events[action]; ok {
			if err := s.deps.Events.Record(ctx, typ, "order", o.ID, View(o)); err != nil {
				return err
			}
		}
		out = o
		if after != nil {
			return after(ctx, o)
		}
		return nil
	})
	return out, err
}

// Submit sends a draft order for approval: the engine picks the chain by
// the order's total and approves it (Approved) or sends it back (Rejected).
func (s *Service) Submit(ctx context.Context, id string, ifMatch *int) (*Order, error) {
	if err := authz.Require(ctx, "orders:write"); err != nil {
		return nil, err
	}
	var out *Order
	err := s.deps.DB.WithTx(ctx, func(ctx context.Context) error {
		_, err := s.act(ctx, s.inScope, id, ifMatch, "submit", nil, func(ctx context.Context, o *Order) error {
			return s.approvals.Submit(ctx, salesdoc.Submission{Entity: Entity, DocID: o.ID,
				Title: "Order " + o.Number, Amount: o.Total, CustomerID: o.CustomerID})
		})
		if err != nil {
			return err
		}
		// The engine may decide at once (no approver needed): read back.
		out, err = s.store.GetAny(ctx, id)
		return err
	})
	return out, err
}

// Approved is the approval engine's call when the last step approved.
func (s *Service) Approved(ctx context.Context, id string) error {
	_, err := s.act(ctx, s.store.GetAny, id, nil, "approve", nil, nil)
	return err
}

// Rejected is the approval engine's call when an approver rejected: the
// order goes back to draft.
func (s *Service) Rejected(ctx context.Context, id, _ string) error {
	_, err := s.act(ctx, s.store.GetAny, id, nil, "reject", nil, nil)
	return err
}

// Ship records that an approved order left with a carrier.
func (s *Service) Ship(ctx context.Context, id string, ifMatch *int, req ShipRequest) (*Order, error) {
	if err := authz.Require(ctx, "orders:write"); err != nil {
		return nil, err
	}
	carrier, tracking := strings.TrimSpace(req.Carrier), strings.TrimSpace(req.TrackingNumber)
	var v validate.V
	for f, val := range map[string]string{"carrier": carrier, "tracking_number": tracking} {
		if v.Required(f, val) {
			v.MaxLen(f, val, maxShipRef)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.act(ctx, s.inScope, id, ifMatch, "ship", func(_ context.Context, o *Order, _ string) error {
		o.Carrier, o.TrackingNumber = carrier, tracking
		return nil
	}, nil)
}

// Deliver records that a shipped order arrived.
func (s *Service) Deliver(ctx context.Context, id string, ifMatch *int) (*Order, error) {
	if err := authz.Require(ctx, "orders:write"); err != nil {
		return nil, err
	}
	return s.act(ctx, s.inScope, id, ifMatch, "deliver", nil, nil)
}

// Complete closes a delivered order.
func (s *Service) Complete(ctx context.Context, id string, ifMatch *int) (*Order, error) {
	if err := authz.Require(ctx, "orders:write"); err != nil {
		return nil, err
	}
	return s.act(ctx, s.inScope, id, ifMatch, "complete", nil, nil)
}

// Cancel calls off an order not yet shipped, withdrawing a pending
// approval.
func (s *Service) Cancel(ctx context.Context, id string, ifMatch *int, req CancelRequest) (*Order, error) {
	if err := authz.Require(ctx, "orders:write"); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(req.Reason)
	var v validate.V
	if v.Required("reason", reason) {
		v.MaxLen("reason", reason, maxReason)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.act(ctx, s.inScope, id, ifMatch, "cancel", func(ctx context.Context, o *Order, from string) error {
		o.CancelReason = reason
		if from == StatusSubmitted {
			return s.withdraw(ctx, o.ID, "cancelled: "+reason)
		}
		return nil
	}, nil)
}

// withdraw closes the pending approval request of an order.
func (s *Service) withdraw(ctx context.Context, id, reason string) error {
	return s.approvals.Withdraw(ctx, Entity, id, reason)
}
