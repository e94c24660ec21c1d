package approval

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/notification"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
)

// Notifier writes inbox items inside the caller's transaction
// (notification.Service).
type Notifier interface {
	Notify(ctx context.Context, n notification.Notification) error
}

// Events records business events inside the caller's transaction
// (event.Writer).
type Events interface {
	Record(ctx context.Context, typ, entityType, entityID string, payload any) error
}

// Limits, in characters.
const (
	maxTitle   = 200
	maxComment = 2000
)

// Service runs approval rules and requests.
type Service struct {
	db     *db.DB
	store  *Store
	audit  *audit.Writer
	notify Notifier
	events Events

	mu   sync.RWMutex
	docs map[string]Document
	// ruleWrites is the versioned, audited write of rules.
	ruleWrites record.Mutation[*Rule]
}

// NewService wires the approval service.
func NewService(d *db.DB, st *Store, aw *audit.Writer, n Notifier, ev Events) *Service {
	return &Service{db: d, store: st, audit: aw, notify: n, events: ev, docs: map[string]Document{},
		ruleWrites: record.Mutation[*Rule]{DB: d, Audit: aw, Entity: "approval_rule", Save: st.SaveRule,
			ID: func(r *Rule) string { return r.ID }, View: func(r *Rule) any { return RuleView(r) }}}
}

// Register makes entity ("contract", "order", "quote") approvable and names
// the Document the engine calls back when its requests finish. Call while
// wiring; a second call for the same entity replaces the first (tests swap
// in fakes).
func (s *Service) Register(entity string, d Document) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[entity] = d
}

func (s *Service) document(entity string) (Document, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.docs[entity]
	if !ok {
		return nil, fmt.Errorf("approval: no document registered for %q", entity)
	}
	return d, nil
}

// SubmitInput describes the document being submitted.
type SubmitInput struct {
	// Entity is the registered document type; DocID the document.
	Entity, DocID string
	// Title shows in the inbox ("HT-20261126-0001 恒达精密 年度框架合同");
	// longer than 200 characters it is cut.
	Title string
	// Amount picks the rule.
	Amount money.Amount
	// CustomerID puts the trail on the customer's timeline; "" for none.
	CustomerID string
}

// Submit opens an approval request for a document, inside the caller's
// transaction (the document changes state to pending in the same one).
// The submitter is the actor in ctx; the caller has authorised the
// submission, so Submit checks no permission. The rule for the entity with
// the highest min_amount not above Amount applies (the newest on a tie);
// without one, a single manager step. Every step's approvers are resolved
// now and stored; the submitter is left out of every step, and a step left
// empty falls to the admins. It returns the request (pending) and notifies
// the first step's approvers; a document already pending is 409
// approval_pending, and one nobody can approve is 422 no_approver.
func (s *Service) Submit(ctx context.Context, in SubmitInput) (*Request, error) {
	a := authz.ActorFrom(ctx)
	if a == nil {
		return nil, apperr.Unauthenticated("missing_credentials")
	}
	if _, err := s.document(in.Entity); err != nil {
		return nil, err
	}
	if in.DocID == "" {
		return nil, fmt.Errorf("approval: submit %s without a document id", in.Entity)
	}
	now := db.Now()
	r := &Request{ID: newID(), Entity: in.Entity, DocID: in.DocID, Title: clip(strings.TrimSpace(in.Title), maxTitle),
		Amount: in.Amount, Status: StatusPending, CurrentStep: 1, SubmittedBy: a.ID(),
		PendingKey: pendingKey(in.Entity, in.DocID), CreatedAt: now, UpdatedAt: now, Version: 1}
	if in.CustomerID != "" {
		r.CustomerID = &in.CustomerID
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		// The unique pending key settles a race; this answers the common case
		// before any work.
		pending, err := s.store.HasPending(ctx, in.Entity, in.DocID)
		if err != nil {
			return err
		}
		if pending {
			return alreadyPending()
		}
		steps := []Step{{ApproverType: ApproverManager, Mode: ModeAny}}
		rule, err := s.store.PickRule(ctx, in.Entity, in.Amount)
		if err != nil {
			return err
		}
		if rule != nil {
			r.RuleID, r.RuleName, steps = &rule.ID, rule.Name, rule.Steps
		}
		applied, seats, err := s.resolve(ctx, a, r.ID, steps)
		if err != nil {
			return err
		}
		r.Steps = applied
		if err := s.store.Create(ctx, r, seats, &Action{ID: newID(), RequestID: r.ID, Action: ActionSubmitted,
			UserID: a.ID(), CreatedAt: now}); err != nil {
			return err
		}
		if err := s.notifyStep(ctx, r); err != nil {
			return err
		}
		view, err := s.view(ctx, r)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, "submit", "approval", r.ID, nil, view)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Withdraw cancels the pending request of a document (status cancelled),
// inside the caller's transaction: a document edited while pending must be
// resubmitted. reason goes into the trail. No-op when none is pending.
func (s *Service) Withdraw(ctx context.Context, entity, docID, reason string) error {
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.store.LockPending(ctx, entity, docID)
		if err != nil || r == nil {
			return err
		}
		before, err := s.view(ctx, r)
		if err != nil {
			return err
		}
		now := db.Now()
		read := r.Version
		r.Status, r.PendingKey, r.DecidedAt = StatusCancelled, nil, &now
		r.Touch(now)
		if err := s.store.Save(ctx, r, read); err != nil {
			return err
		}
		if err := s.store.AddAction(ctx, &Action{ID: newID(), RequestID: r.ID, Action: ActionWithdrawn,
			UserID: actorID(ctx), Comment: clip(strings.TrimSpace(reason), maxComment), CreatedAt: now}); err != nil {
			return err
		}
		after, err := s.view(ctx, r)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, "withdraw", "approval", r.ID, before, after)
	})
}

// Trail lists every request of a document with its steps, approvers and
// actions (who, when, decision, comment), oldest first, for embedding in
// the document's response. The caller has authorised reading the
// document, so Trail checks no permission.
func (s *Service) Trail(ctx context.Context, entity, docID string) ([]RequestView, error) {
	rs, err := s.store.OfDocument(ctx, entity, docID)
	if err != nil {
		return nil, err
	}
	return s.views(ctx, rs)
}

// Pending reports whether a document has a pending request.
func (s *Service) Pending(ctx context.Context, entity, docID string) (bool, error) {
	return s.store.HasPending(ctx, entity, docID)
}

// Get loads one request the caller may see (404 otherwise).
func (s *Service) Get(ctx context.Context, id string) (*RequestView, error) {
	if err := authz.Require(ctx, "approvals:read"); err != nil {
		return nil, err
	}
	r, err := s.store.Get(ctx, authz.ActorFrom(ctx), id)
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, r)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

var spec = paging.Spec[Request]{
	Columns: map[string]paging.Column[Request]{
		"created_at": {Expr: "approval_requests.created_at", Time: true, Get: func(r *Request) any { return r.CreatedAt }},
		"updated_at": {Expr: "approval_requests.updated_at", Time: true, Get: func(r *Request) any { return r.UpdatedAt }},
		"amount":     {Expr: "approval_requests.amount", Number: true, Get: func(r *Request) any { return r.Amount }},
	},
	Default: "-created_at",
	IDExpr:  "approval_requests.id",
	ID:      func(r *Request) string { return r.ID },
}

// AssigneeMe is the assignee filter of the inbox.
const AssigneeMe = "me"

// CheckFilter refuses unknown statuses, entities and assignees (422).
func CheckFilter(f Filter) error {
	var v validate.V
	v.OneOf("assignee", f.Assignee, AssigneeMe)
	for _, st := range f.Status {
		v.OneOf("status", st, Statuses...)
	}
	v.OneOf("entity", f.Entity, Entities...)
	return v.Err()
}

// List pages through the requests the caller may see; assignee "me"
// makes it the caller's inbox.
func (s *Service) List(ctx context.Context, f Filter, r paging.Request) (paging.Page[RequestView], error) {
	if err := authz.Require(ctx, "approvals:read"); err != nil {
		return paging.Page[RequestView]{}, err
	}
	q, err := spec.Parse(r)
	if err != nil {
		return paging.Page[RequestView]{}, err
	}
	if err := CheckFilter(f); err != nil {
		return paging.Page[RequestView]{}, err
	}
	page, err := q.Fetch(s.store.Query(ctx, authz.ActorFrom(ctx), f))
	if err != nil {
		return paging.Page[RequestView]{}, fmt.Errorf("approval.list: %w", err)
	}
	views, err := s.views(ctx, page.Data)
	if err != nil {
		return paging.Page[RequestView]{}, err
	}
	return paging.Page[RequestView]{Data: views, NextCursor: page.NextCursor, HasMore: page.HasMore, Total: page.Total}, nil
}

// view is one request with its details.
func (s *Service) view(ctx context.Context, r *Request) (RequestView, error) {
	vs, err := s.views(ctx, []Request{*r})
	if err != nil {
		return RequestView{}, err
	}
	return vs[0], nil
}

// views are requests with their seats and trails, loaded in two queries.
func (s *Service) views(ctx context.Context, rs []Request) ([]RequestView, error) {
	ids := make([]string, len(rs))
	for i := range rs {
		ids[i] = rs[i].ID
	}
	seats, acts, err := s.store.Details(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]RequestView, len(rs))
	for i := range rs {
		out[i] = View(&rs[i], seats[rs[i].ID], acts[rs[i].ID])
	}
	return out, nil
}

// notifyStep tells the approvers of the request's current step that it
// waits for them.
func (s *Service) notifyStep(ctx context.Context, r *Request) error {
	ids, err := s.store.StepApprovers(ctx, r.ID, r.CurrentStep)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.notify.Notify(ctx, notification.Notification{UserID: id, Kind: "approval_requested",
			Title: "待审批：" + r.Title,
			Body: fmt.Sprintf("A %s of %s waits for your approval (step %d of %d).", r.Entity, r.Amount,
				r.CurrentStep, len(r.Steps)),
			RefType: "approval", RefID: r.ID}); err != nil {
			return err
		}
	}
	return nil
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// actorID is who acts in ctx, "system" when nobody does.
func actorID(ctx context.Context) string {
	if a := authz.ActorFrom(ctx); a != nil {
		return a.ID()
	}
	return authz.SystemID
}

// clip cuts s to n characters.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// Errors.
func alreadyPending() error { return apperr.Conflict("approval_pending", "approval_pending") }
func alreadyDecided() error { return apperr.Conflict("already_decided", "already_decided") }
func notApprover() error    { return apperr.New(apperr.ErrForbidden, "not_approver", "not_approver") }
func noApprover() error     { return apperr.New(apperr.ErrInvalid, "no_approver", "no_approver") }
func invalidTransition() error {
	return apperr.Conflict("invalid_transition", "invalid_transition")
}
