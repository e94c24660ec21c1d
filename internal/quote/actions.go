package quote

import (
	"context"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/order"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/salesdoc"
)

// Entity is the approval engine's name for quotes.
const Entity = "quote"

type loader func(ctx context.Context, id string) (*Quote, error)

// inScope loads in the caller's data scope: what client actions act on.
func (s *Service) inScope(ctx context.Context, id string) (*Quote, error) {
	return s.store.Get(ctx, authz.ActorFrom(ctx), id)
}

// step is what an action does to a quote before it is saved: the status
// it moves to ("" for the action's usual one) and the events it writes.
type step func(ctx context.Context, q *Quote) (to string, events []string, err error)

// after runs once the moved quote is saved, in the same transaction.
type after func(ctx context.Context, q *Quote) error

// just moves the quote and writes one event.
func just(event string) step {
	return func(context.Context, *Quote) (string, []string, error) { return "", []string{event}, nil }
}

// act runs one action in one transaction: load, If-Match, move the status
// (409 invalid_transition when the action may not start from it), save,
// audit, write the events with the quote as it now is, then run then.
func (s *Service) act(ctx context.Context, load loader, id string, ifMatch *int, action string, change step,
	then after) (*Quote, error) {
	var out *Quote
	err := s.deps.DB.WithTx(ctx, func(ctx context.Context) error {
		var events []string
		q, err := s.writes.Apply(ctx, func(ctx context.Context) (*Quote, error) { return load(ctx, id) }, ifMatch,
			action, func(ctx context.Context, q *Quote) error {
				if err := q.allowed(action); err != nil {
					return err
				}
				to, evs, err := change(ctx, q)
				if err != nil {
					return err
				}
				if to == "" {
					to = transitions[action].to
				}
				events = evs
				q.moveTo(action, to, db.Now())
				return nil
			})
		if err != nil {
			return err
		}
		for _, typ := range events {
			if err := s.deps.Events.Record(ctx, typ, "quote", q.ID, View(q)); err != nil {
				return err
			}
		}
		out = q
		if then != nil {
			return then(ctx, q)
		}
		return nil
	})
	return out, err
}

// Submit approves a draft at once, or sends it for approval when a line's
// discount is above the quote_discount_approval_threshold setting.
func (s *Service) Submit(ctx context.Context, id string, ifMatch *int) (*Quote, error) {
	if err := authz.Require(ctx, "quotes:write"); err != nil {
		return nil, err
	}
	var out *Quote
	err := s.deps.DB.WithTx(ctx, func(ctx context.Context) error {
		q, err := s.act(ctx, s.inScope, id, ifMatch, "submit", func(ctx context.Context, q *Quote) (string, []string, error) {
			vals, err := s.deps.Settings.Current(ctx)
			if err != nil {
				return "", nil, err
			}
			if salesdoc.MaxDiscount(q.Items).GreaterThan(vals.QuoteDiscountApprovalThreshold.Decimal()) {
				return StatusPending, []string{"quote.submitted"}, nil
			}
			return StatusApproved, []string{"quote.submitted", "quote.approved"}, nil
		}, func(ctx context.Context, q *Quote) error {
			if q.Status != StatusPending {
				return nil
			}
			return s.approvals.Submit(ctx, salesdoc.Submission{Entity: Entity, DocID: q.ID,
				Title: q.Number + " r" + strconv.Itoa(q.Revision), Amount: q.Total, CustomerID: q.CustomerID})
		})
		if err != nil {
			return err
		}
		// The engine may decide at once: read the quote back.
		out, err = s.store.GetAny(ctx, q.ID)
		return err
	})
	return out, err
}

// Approved is the approval engine's call when the last step approved.
func (s *Service) Approved(ctx context.Context, id string) error {
	_, err := s.act(ctx, s.store.GetAny, id, nil, "approve", just("quote.approved"), nil)
	return err
}

// Rejected is the approval engine's call when an approver rejected: the
// quote goes back to draft, to be edited and submitted again.
func (s *Service) Rejected(ctx context.Context, id, _ string) error {
	_, err := s.act(ctx, s.store.GetAny, id, nil, "approval_reject",
		func(context.Context, *Quote) (string, []string, error) { return "", nil, nil }, nil)
	return err
}

// Send records that an approved quote went to the customer.
func (s *Service) Send(ctx context.Context, id string, ifMatch *int) (*Quote, error) {
	if err := authz.Require(ctx, "quotes:write"); err != nil {
		return nil, err
	}
	return s.act(ctx, s.inScope, id, ifMatch, "send", just("quote.sent"), nil)
}

// Accept records that the customer accepted a sent quote.
func (s *Service) Accept(ctx context.Context, id string, ifMatch *int) (*Quote, error) {
	if err := authz.Require(ctx, "quotes:write"); err != nil {
		return nil, err
	}
	return s.act(ctx, s.inScope, id, ifMatch, "accept", just("quote.accepted"), nil)
}

// Reject records that the customer declined a sent quote, and why.
func (s *Service) Reject(ctx context.Context, id string, ifMatch *int, req RejectRequest) (*Quote, error) {
	if err := authz.Require(ctx, "quotes:write"); err != nil {
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
	return s.act(ctx, s.inScope, id, ifMatch, "reject", func(_ context.Context, q *Quote) (string, []string, error) {
		q.RejectReason = reason
		return "", []string{"quote.rejected"}, nil
	}, nil)
}

// Convert makes the order of an accepted quote, line for line, in the
// same transaction; a second conversion is 409 already_converted.
func (s *Service) Convert(ctx context.Context, id string, ifMatch *int) (*order.Order, error) {
	if err := authz.Require(ctx, "quotes:write"); err != nil {
		return nil, err
	}
	var made *order.Order
	_, err := s.act(ctx, s.inScope, id, ifMatch, "convert", func(ctx context.Context, q *Quote) (string, []string, error) {
		if q.ConvertedOrderID != nil {
			return "", nil, apperr.Conflict("already_converted", "already_converted")
		}
		o, err := s.orders.CreateFromQuote(ctx, order.FromQuote{QuoteID: q.ID, CustomerID: q.CustomerID,
			OwnerID: q.OwnerID, Currency: q.Currency, OpportunityID: q.OpportunityID, Notes: q.Notes, Items: q.Items})
		if err != nil {
			return "", nil, err
		}
		made, q.ConvertedOrderID = o, &o.ID
		return "", []string{"quote.converted"}, nil
	}, nil)
	return made, err
}

// Revise makes the next revision of a quote that left draft (approved,
// sent, rejected or expired): a draft copy, lines and all, under the same
// number; the quote itself becomes superseded and stays readable.
func (s *Service) Revise(ctx context.Context, id string, ifMatch *int) (*Quote, error) {
	if err := authz.Require(ctx, "quotes:write"); err != nil {
		return nil, err
	}
	var next *Quote
	_, err := s.act(ctx, s.inScope, id, ifMatch, "revise", func(context.Context, *Quote) (string, []string, error) {
		return "", nil, nil
	}, func(ctx context.Context, q *Quote) error {
		now := db.Now()
		next = &Quote{ID: uuid.Must(uuid.NewV7()).String(), Number: q.Number, Revision: q.Revision + 1,
			CustomerID: q.CustomerID, OpportunityID: q.OpportunityID, ContactID: q.ContactID, Currency: q.Currency,
			ValidUntil: q.ValidUntil, Notes: q.Notes, Status: StatusDraft, OwnerID: q.OwnerID,
			CreatedBy: authz.ActorFrom(ctx).ID(), CreatedAt: now, UpdatedAt: now, Version: 1}
		next.setItems(salesdoc.Copy(q.Items))
		if err := s.store.Create(ctx, next); err != nil {
			return err
		}
		return s.deps.Audit.Record(ctx, "create", "quote", next.ID, nil, View(next))
	})
	return next, err
}
