package contract

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/reminder"
)

// PlanList is a contract's instalments with the organisation's today, to
// judge which are overdue.
type PlanList struct {
	Plans []Plan
	Today string
}

// today is the current date on the organisation's calendar.
func (s *Service) today(ctx context.Context) (string, *time.Location, error) {
	set, err := s.settings.Current(ctx)
	if err != nil {
		return "", nil, err
	}
	loc := set.Timezone.Location()
	return time.Now().In(loc).Format(time.DateOnly), loc, nil
}

// Plans lists the instalments of a contract in the caller's scope, by due
// date.
func (s *Service) Plans(ctx context.Context, contractID string) (PlanList, error) {
	if _, err := s.Get(ctx, contractID); err != nil {
		return PlanList{}, err
	}
	plans, err := s.store.Plans(ctx, contractID)
	if err != nil {
		return PlanList{}, err
	}
	today, _, err := s.today(ctx)
	return PlanList{Plans: plans, Today: today}, err
}

// CreatePlan adds an instalment to a contract that is not closed; the
// instalments may not total more than the contract amount (422).
func (s *Service) CreatePlan(ctx context.Context, contractID string, req PlanRequest) (*Plan, string, error) {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
		return nil, "", err
	}
	now := db.Now()
	p := &Plan{ID: uuid.Must(uuid.NewV7()).String(), ContractID: contractID, CreatedAt: now, UpdatedAt: now, Version: 1}
	var v validate.V
	if v.Required("due_date", deref(req.DueDate)) {
		p.DueDate = strings.TrimSpace(*req.DueDate)
	}
	if req.Amount == nil {
		v.Add("amount", "required")
	}
	if err := applyPlan(&v, p, req); err != nil {
		return nil, "", err
	}
	var today string
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.planContract(ctx, contractID)
		if err != nil {
			return err
		}
		if err := s.checkPlanTotal(ctx, c, p); err != nil {
			return err
		}
		if err := s.store.CreatePlan(ctx, p); err != nil {
			return err
		}
		if today, err = s.schedulePlan(ctx, c, p); err != nil {
			return err
		}
		return s.audit.Record(ctx, "create", "payment_plan", p.ID, nil, PlanView(p, today))
	})
	if err != nil {
		return nil, "", err
	}
	return p, today, nil
}

// UpdatePlan changes an instalment's due date, amount or note; the amount
// may not fall below what it has received. Its reminders move with it.
func (s *Service) UpdatePlan(ctx context.Context, contractID, id string, ifMatch *int, req PlanRequest) (*Plan, string, error) {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
		return nil, "", err
	}
	var today string
	var out *Plan
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.planContract(ctx, contractID)
		if err != nil {
			return err
		}
		load := func(ctx context.Context) (*Plan, error) { return s.store.Plan(ctx, c.ID, id) }
		p, err := s.planW.Apply(ctx, load, ifMatch, "update", func(ctx context.Context, p *Plan) error {
			var v validate.V
			if req.DueDate != nil {
				p.DueDate = strings.TrimSpace(*req.DueDate)
				v.Required("due_date", p.DueDate)
			}
			if err := applyPlan(&v, p, req); err != nil {
				return err
			}
			if p.Amount < p.Received {
				return apperr.Invalid(apperr.FieldError{Field: "amount", Message: "below_received",
					Params: []any{p.Received.String()}})
			}
			return s.checkPlanTotal(ctx, c, p)
		})
		if err != nil {
			return err
		}
		out = p
		today, err = s.schedulePlan(ctx, c, p)
		return err
	})
	return out, today, err
}

// DeletePlan removes an instalment no payment has been applied to.
func (s *Service) DeletePlan(ctx context.Context, contractID, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.planContract(ctx, contractID)
		if err != nil {
			return err
		}
		p, err := s.store.Plan(ctx, c.ID, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != p.Version {
			return apperr.VersionMismatch()
		}
		if p.Received > 0 {
			return apperr.Conflict("plan_has_payments", "plan_has_payments")
		}
		if err := s.store.DeletePlan(ctx, p, p.Version); err != nil {
			return err
		}
		if err := s.reminders.Cancel(ctx, dueKey(p.ID), overdueKey(p.ID)); err != nil {
			return err
		}
		return s.audit.Record(ctx, "delete", "payment_plan", p.ID, PlanView(p, ""), nil)
	})
}

// planContract locks a contract in the caller's scope whose plan may
// change: not completed or terminated.
func (s *Service) planContract(ctx context.Context, id string) (*Contract, error) {
	c, err := s.store.Lock(ctx, authz.ActorFrom(ctx), id)
	if err != nil {
		return nil, err
	}
	if c.Closed() {
		return nil, apperr.Conflict("contract_closed", "contract_closed")
	}
	return c, nil
}

// applyPlan validates and applies the amount and note of req to p.
func applyPlan(v *validate.V, p *Plan, req PlanRequest) error {
	checkDate(v, "due_date", p.DueDate)
	if req.Amount != nil {
		if amt, ok := v.Money("amount", req.Amount, false); ok {
			if amt == 0 {
				v.Add("amount", "must_be_positive")
			}
			p.Amount = amt
		}
	}
	if req.Note != nil {
		p.Note = strings.TrimSpace(*req.Note)
		v.MaxLen("note", p.Note, maxNote)
	}
	return v.Err()
}

// checkPlanTotal refuses a plan whose instalments would total more than
// the contract amount.
func (s *Service) checkPlanTotal(ctx context.Context, c *Contract, p *Plan) error {
	others, err := s.store.PlanTotal(ctx, c.ID, p.ID)
	if err != nil {
		return err
	}
	if total := others + p.Amount; total > c.Amount {
		return apperr.Invalid(apperr.FieldError{Field: "amount", Message: "plans_exceed_amount",
			Params: []any{total.String(), c.Amount.String()}})
	}
	return nil
}

// schedulePlan keeps an instalment's two reminders in step with it: due
// (PaymentDueReminderDays before the due date) and overdue (the day
// after), both at 09:00 organisation time to the contract owner, and
// neither once it is paid or its contract closed. It returns today's date.
func (s *Service) schedulePlan(ctx context.Context, c *Contract, p *Plan) (string, error) {
	set, err := s.settings.Current(ctx)
	if err != nil {
		return "", err
	}
	loc := set.Timezone.Location()
	today := time.Now().In(loc).Format(time.DateOnly)
	if p.Paid() || c.Closed() {
		return today, s.reminders.Cancel(ctx, dueKey(p.ID), overdueKey(p.ID))
	}
	title := c.Number + " " + p.DueDate + " " + p.Outstanding().String() + " " + c.Currency
	r := reminder.Reminder{UserID: c.OwnerID, RefType: "contract", RefID: c.ID, Body: c.Title}
	r.Key, r.Kind, r.Title, r.DueAt = dueKey(p.ID), KindPaymentDue, "回款即将到期 Payment due: "+title,
		at9(p.DueDate, -set.PaymentDueReminderDays, loc)
	if err := s.reminders.Schedule(ctx, r); err != nil {
		return "", err
	}
	r.Key, r.Kind, r.Title, r.DueAt = overdueKey(p.ID), KindOverdue, "回款已逾期 Payment overdue: "+title,
		at9(p.DueDate, 1, loc)
	return today, s.reminders.Schedule(ctx, r)
}

// Allocation is the part of a payment applied to one instalment.
type Allocation struct {
	PlanID string
	Amount money.Amount
}

// Lock loads a contract in the caller's scope and locks its row until the
// transaction ends, for a payment, void or invoice against it: those on
// one contract queue here, so two cannot both pass a ceiling check.
func (s *Service) Lock(ctx context.Context, id string) (*Contract, error) {
	if err := authz.Require(ctx, "contracts:read"); err != nil {
		return nil, err
	}
	return s.store.Lock(ctx, authz.ActorFrom(ctx), id)
}

// Receive applies a payment of amount to a contract locked by Lock: to
// planID if given (at most its outstanding), else to the open instalments
// oldest due date first; what no instalment takes stays on the contract.
// More than the contract's outstanding amount is a 422 overpayment.
// Instalments paid in full lose their reminders.
func (s *Service) Receive(ctx context.Context, c *Contract, planID string, amount money.Amount) ([]Allocation, error) {
	if amount > c.Outstanding() {
		return nil, &apperr.Error{Kind: apperr.ErrInvalid, Code: "overpayment", Msg: "overpayment",
			Params: []any{c.Outstanding().String()},
			Fields: []apperr.FieldError{{Field: "amount", Message: "exceeds_outstanding", Params: []any{c.Outstanding().String()}}}}
	}
	plans, err := s.store.Plans(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if planID != "" {
		var only []Plan
		for _, p := range plans {
			if p.ID == planID {
				only = append(only, p)
			}
		}
		if len(only) == 0 {
			return nil, apperr.Invalid(apperr.FieldError{Field: "payment_plan_id", Message: "unknown_ref",
				Params: []any{"payment plan"}})
		}
		if amount > only[0].Outstanding() {
			return nil, apperr.Invalid(apperr.FieldError{Field: "amount", Message: "exceeds_outstanding",
				Params: []any{only[0].Outstanding().String()}})
		}
		plans = only
	}
	var out []Allocation
	left := amount
	for i := range plans {
		p := &plans[i]
		if left == 0 {
			break
		}
		take := min(left, p.Outstanding())
		if take <= 0 {
			continue
		}
		left -= take
		out = append(out, Allocation{PlanID: p.ID, Amount: take})
		if err := s.movePlan(ctx, c, p, take); err != nil {
			return nil, err
		}
	}
	return out, s.store.AddReceived(ctx, c.ID, amount, db.Now())
}

// Release takes a voided payment of amount back off a contract locked by
// Lock, re-opening the instalments it had been applied to.
func (s *Service) Release(ctx context.Context, c *Contract, amount money.Amount, allocs []Allocation) error {
	for _, a := range allocs {
		p, err := s.store.Plan(ctx, c.ID, a.PlanID)
		if err != nil {
			return err
		}
		if err := s.movePlan(ctx, c, p, -a.Amount); err != nil {
			return err
		}
	}
	return s.store.AddReceived(ctx, c.ID, -amount, db.Now())
}

// movePlan changes an instalment's received amount by delta and keeps its
// reminders in step.
func (s *Service) movePlan(ctx context.Context, c *Contract, p *Plan, delta money.Amount) error {
	read := p.Version
	p.Received += delta
	p.Touch(db.Now())
	if err := s.store.SavePlan(ctx, p, read); err != nil {
		return err
	}
	_, err := s.schedulePlan(ctx, c, p)
	return err
}
