package approval

import (
	"context"
	"strings"

	"github.com/opencrm/crm/internal/notification"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/validate"
)

// Approve records the caller's approval of the request's current step.
// An any step is then complete, an all step once every approver of it has
// approved; completing the last step approves the request and calls
// Document.Approved in the same transaction, completing another opens the
// next step and notifies its approvers.
func (s *Service) Approve(ctx context.Context, id string, ifMatch *int, comment string) (*RequestView, error) {
	return s.decide(ctx, id, ifMatch, ActionApproved, comment)
}

// Reject records the caller's rejection (comment required): the request
// is rejected and Document.Rejected sends the document back to draft, in
// the same transaction.
func (s *Service) Reject(ctx context.Context, id string, ifMatch *int, comment string) (*RequestView, error) {
	return s.decide(ctx, id, ifMatch, ActionRejected, comment)
}

// decide applies one approver's decision. The request row is locked first,
// so two approvers deciding at once take turns and the second sees the
// first one's outcome: on an any step exactly one decision counts.
func (s *Service) decide(ctx context.Context, id string, ifMatch *int, decision, comment string) (*RequestView, error) {
	if err := authz.Require(ctx, "approvals:decide"); err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	comment = strings.TrimSpace(comment)
	var v validate.V
	if decision == ActionRejected {
		v.Required("comment", comment)
	}
	v.MaxLen("comment", comment, maxComment)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out RequestView
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.store.Lock(ctx, a, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != r.Version {
			return apperr.VersionMismatch()
		}
		if r.Status != StatusPending {
			return invalidTransition()
		}
		seat, err := s.seat(ctx, r, a)
		if err != nil {
			return err
		}
		doc, err := s.document(r.Entity)
		if err != nil {
			return err
		}
		before, err := s.view(ctx, r)
		if err != nil {
			return err
		}

		now := db.Now()
		step := r.CurrentStep
		seat.Decision, seat.DecidedAt = decision, &now
		if err := s.store.Decide(ctx, seat); err != nil {
			return err
		}
		if err := s.store.AddAction(ctx, &Action{ID: newID(), RequestID: r.ID, Step: &step, Action: decision,
			UserID: a.ID(), Comment: comment, CreatedAt: now}); err != nil {
			return err
		}
		done, err := s.stepDone(ctx, r, decision)
		if err != nil {
			return err
		}
		read := r.Version
		switch {
		case decision == ActionRejected:
			r.Status = StatusRejected
		case done && step == len(r.Steps):
			r.Status = StatusApproved
		case done:
			r.CurrentStep++
		}
		if r.Status != StatusPending {
			r.PendingKey, r.DecidedAt = nil, &now
		}
		r.Touch(now)
		if err := s.store.Save(ctx, r, read); err != nil {
			return err
		}
		if out, err = s.view(ctx, r); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, auditActions[decision], "approval", r.ID, before, out); err != nil {
			return err
		}

		switch r.Status {
		case StatusPending:
			if done {
				return s.notifyStep(ctx, r)
			}
			return nil
		case StatusApproved:
			err = doc.Approved(ctx, r.DocID)
		default:
			err = doc.Rejected(ctx, r.DocID, comment)
		}
		if err != nil {
			return err
		}
		if err := s.notifySubmitter(ctx, r, comment); err != nil {
			return err
		}
		return s.events.Record(ctx, "approval."+r.Status, "approval", r.ID, out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// auditActions names the audit log's action for each decision.
var auditActions = map[string]string{ActionApproved: "approve", ActionRejected: "reject"}

// seat finds the caller's undecided seat on the current step. A caller
// without a seat there gets 403 (the submitter included: they have none);
// one whose seat there or on an earlier step is already decided (by them,
// or closed by another approver of an any step) gets 409.
func (s *Service) seat(ctx context.Context, r *Request, a *authz.Actor) (*Approver, error) {
	seats, err := s.store.Seats(ctx, r.ID, a.UserID)
	if err != nil {
		return nil, err
	}
	for i := range seats {
		if seats[i].Step == r.CurrentStep {
			if seats[i].Decision != "" {
				return nil, alreadyDecided()
			}
			return &seats[i], nil
		}
	}
	for _, st := range seats {
		if st.Step < r.CurrentStep {
			return nil, alreadyDecided()
		}
	}
	return nil, notApprover()
}

// stepDone reports whether the current step is complete after an
// approval: at once for an any step, once nobody is left for an all step.
func (s *Service) stepDone(ctx context.Context, r *Request, decision string) (bool, error) {
	if decision != ActionApproved {
		return false, nil
	}
	if r.Steps[r.CurrentStep-1].Mode != ModeAll {
		return true, nil
	}
	n, err := s.store.Undecided(ctx, r.ID, r.CurrentStep)
	return n == 0, err
}

// notifySubmitter tells the submitter, when a user, how their request
// ended.
func (s *Service) notifySubmitter(ctx context.Context, r *Request, comment string) error {
	exists, _, err := s.store.UserStatus(ctx, r.SubmittedBy)
	if err != nil || !exists {
		return err
	}
	n := notification.Notification{UserID: r.SubmittedBy, Kind: "approval_approved", Title: "审批通过：" + r.Title,
		Body: comment, RefType: "approval", RefID: r.ID}
	if r.Status == StatusRejected {
		n.Kind, n.Title = "approval_rejected", "审批驳回："+r.Title
	}
	return s.notify.Notify(ctx, n)
}
