package contract

import (
	"context"
	"strings"
	"time"

	"github.com/opencrm/crm/internal/approval"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/reminder"
)

// eventTypes names the business event of each action.
var eventTypes = map[string]string{
	"submit": "contract.submitted", "approve": "contract.approved", "reject": "contract.rejected",
	"sign": "contract.signed", "start": "contract.started", "complete": "contract.completed",
	"terminate": "contract.terminated",
}

// invalidTransition is the 409 for an action the contract's status does
// not allow.
func invalidTransition() error { return apperr.Conflict("invalid_transition", "invalid_transition") }

// transition runs one action of the state machine on a contract loaded by
// load: it refuses a move the status does not allow (409), applies change,
// saves with the audit row and writes the action's event, in one
// transaction.
func (s *Service) transition(ctx context.Context, load func(context.Context) (*Contract, error), ifMatch *int,
	action string, change func(context.Context, *Contract, time.Time) error) (*Contract, error) {
	var out *Contract
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		now := db.Now()
		c, err := s.writes.Apply(ctx, load, ifMatch, action, func(ctx context.Context, c *Contract) error {
			if !c.can(action) {
				return invalidTransition()
			}
			c.Status = transitions[action].to
			if change == nil {
				return nil
			}
			return change(ctx, c, now)
		})
		if err != nil {
			return err
		}
		out = c
		return s.events.Record(ctx, eventTypes[action], "contract", c.ID, View(c))
	})
	return out, err
}

// Submit sends a draft contract for approval.
func (s *Service) Submit(ctx context.Context, id string, ifMatch *int) (*Contract, error) {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
		return nil, err
	}
	return s.transition(ctx, s.loader(id), ifMatch, "submit", func(ctx context.Context, c *Contract, now time.Time) error {
		c.SubmittedAt = &now
		_, err := s.approvals.Submit(ctx, approval.SubmitInput{Entity: Entity, DocID: c.ID,
			Title: c.Number + " " + c.Title, Amount: c.Amount, CustomerID: c.CustomerID})
		return err
	})
}

// Approved is the approval engine's callback when the last step approves.
// It acts for the approver, who need not own the contract.
func (s *Service) Approved(ctx context.Context, id string) error {
	_, err := s.transition(ctx, s.anyLoader(id), nil, "approve", func(_ context.Context, c *Contract, now time.Time) error {
		c.ApprovedAt = &now
		return nil
	})
	return err
}

// Rejected is the approval engine's callback on a rejection: the contract
// goes back to draft for edits, the rejection shown on it.
func (s *Service) Rejected(ctx context.Context, id, comment string) error {
	_, err := s.transition(ctx, s.anyLoader(id), nil, "reject", func(_ context.Context, c *Contract, now time.Time) error {
		c.RejectedAt, c.RejectionComment, c.SubmittedAt = &now, truncate(strings.TrimSpace(comment), maxComment), nil
		return nil
	})
	return err
}

func (s *Service) anyLoader(id string) func(context.Context) (*Contract, error) {
	return func(ctx context.Context) (*Contract, error) { return s.store.GetAny(ctx, id) }
}

// Sign records an approved contract as signed (at signed_at, default now,
// not in the future). The customer's first signed contract makes the
// customer active; win_opportunity closes the linked opportunity as won
// at the contract amount; the owner is reminded before the end date.
func (s *Service) Sign(ctx context.Context, id string, ifMatch *int, req SignRequest) (*Contract, error) {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
		return nil, err
	}
	var v validate.V
	at, _ := v.Time("signed_at", req.SignedAt)
	if at != nil && at.After(db.Now()) {
		v.Add("signed_at", "in_future")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.transition(ctx, s.loader(id), ifMatch, "sign", func(ctx context.Context, c *Contract, now time.Time) error {
		if at == nil {
			at = &now
		}
		if req.WinOpportunity {
			if c.OpportunityID == nil || s.opps == nil {
				return apperr.Invalid(apperr.FieldError{Field: "win_opportunity", Message: "no_linked_opportunity"})
			}
			if err := s.opps.Win(ctx, *c.OpportunityID, c.Amount, "合同签订 "+c.Number); err != nil {
				return err
			}
		}
		n, err := s.store.CountSigned(ctx, c.CustomerID, c.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			if err := s.customers.Activate(ctx, c.CustomerID); err != nil {
				return err
			}
		}
		c.SignedAt = at
		return s.scheduleExpiry(ctx, c)
	})
}

// Start puts a signed contract into execution.
func (s *Service) Start(ctx context.Context, id string, ifMatch *int) (*Contract, error) {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
		return nil, err
	}
	return s.transition(ctx, s.loader(id), ifMatch, "start", func(_ context.Context, c *Contract, now time.Time) error {
		c.StartedAt = &now
		return nil
	})
}

// Complete closes an executing contract as fulfilled.
func (s *Service) Complete(ctx context.Context, id string, ifMatch *int) (*Contract, error) {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
		return nil, err
	}
	return s.transition(ctx, s.loader(id), ifMatch, "complete", func(ctx context.Context, c *Contract, now time.Time) error {
		c.CompletedAt = &now
		return s.cancelReminders(ctx, c)
	})
}

// Terminate ends a signed or executing contract early, with a reason.
func (s *Service) Terminate(ctx context.Context, id string, ifMatch *int, req TerminateRequest) (*Contract, error) {
	if err := authz.Require(ctx, "contracts:write"); err != nil {
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
	return s.transition(ctx, s.loader(id), ifMatch, "terminate", func(ctx context.Context, c *Contract, now time.Time) error {
		c.TerminatedAt, c.TerminatedReason = &now, reason
		return s.cancelReminders(ctx, c)
	})
}

// Reminder kinds and keys.
const (
	KindExpiry     = "contract_expiry"
	KindPaymentDue = "payment_due"
	KindOverdue    = "payment_overdue"
)

func expiryKey(id string) string  { return "contract-expiry:" + id }
func dueKey(planID string) string { return "payment-due:" + planID }
func overdueKey(id string) string { return "payment-overdue:" + id }

// remindHour is the local hour reminders about a day fall due at.
const remindHour = 9

// at9 is 09:00 on date, moved by days, in loc.
func at9(date string, days int, loc *time.Location) time.Time {
	d, _ := time.ParseInLocation(time.DateOnly, date, loc)
	return time.Date(d.Year(), d.Month(), d.Day()+days, remindHour, 0, 0, 0, loc)
}

// scheduleExpiry reminds the owner ContractExpiryReminderDays before the
// end date (setting 0: no reminder).
func (s *Service) scheduleExpiry(ctx context.Context, c *Contract) error {
	set, err := s.settings.Current(ctx)
	if err != nil {
		return err
	}
	if set.ContractExpiryReminderDays <= 0 {
		return s.reminders.Cancel(ctx, expiryKey(c.ID))
	}
	return s.reminders.Schedule(ctx, reminder.Reminder{Key: expiryKey(c.ID), UserID: c.OwnerID, Kind: KindExpiry,
		Title: "合同即将到期 Contract expiring: " + c.Number + " " + c.Title, Body: "end date " + c.EndDate,
		RefType: "contract", RefID: c.ID, DueAt: at9(c.EndDate, -set.ContractExpiryReminderDays, set.Timezone.Location())})
}

// cancelReminders stops a closed contract's expiry and instalment
// reminders.
func (s *Service) cancelReminders(ctx context.Context, c *Contract) error {
	plans, err := s.store.Plans(ctx, c.ID)
	if err != nil {
		return err
	}
	keys := []string{expiryKey(c.ID)}
	for _, p := range plans {
		keys = append(keys, dueKey(p.ID), overdueKey(p.ID))
	}
	return s.reminders.Cancel(ctx, keys...)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
