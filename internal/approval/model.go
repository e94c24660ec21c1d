// Package approval is the approval engine (审批) shared by contracts,
// orders and high-discount quotes. A document module registers itself as a
// Document, submits a document for approval inside its own transaction and
// is called back, in the decider's transaction, when the chain ends.
//
// Rules (/approval-rules) pick a chain of steps by document type and
// amount. At submission every step's approvers are resolved and stored (a
// snapshot, so team changes never alter an open request); approvers decide
// through /approvals; each decision, the submission and any withdrawal are
// kept as the trail.
package approval

import (
	"context"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/money"
)

func init() {
	all := []string{authz.RoleAdmin, authz.RoleManager, authz.RoleRep}
	// Everyone may see the requests they submitted or are asked to decide,
	// and decide them: a rule may name any user as an approver.
	authz.Grant("approvals:read", all...)
	authz.Grant("approvals:decide", all...)
	// Rules are organisation-wide configuration: admins write them,
	// managers may read them to know where documents go.
	authz.Grant("approval_rules:read", authz.RoleAdmin, authz.RoleManager)
	authz.Grant("approval_rules:write", authz.RoleAdmin)

	i18n.Register(map[string]map[i18n.Lang]string{
		"no_approver": {i18n.EN: "Nobody can approve this: no approver other than the submitter was found, not even an admin.",
			i18n.ZhCN: "找不到审批人：除提交人外没有可审批的人（包括管理员）。"},
		"not_approver": {i18n.EN: "Only an approver of the current step may decide this request.",
			i18n.ZhCN: "只有当前审批步骤的审批人可以审批。"},
		"already_decided": {i18n.EN: "You have already decided, or your step has been decided.",
			i18n.ZhCN: "您已审批过，或您所在的审批步骤已有结果。"},
		"approval_pending": {i18n.EN: "This document is already waiting for approval.",
			i18n.ZhCN: "该单据已在审批中。"},
	})
	i18n.RegisterWords(map[string]string{"approval": "审批", "approval_rule": "审批规则"})
}

// Document types that can be approved.
const (
	EntityContract = "contract"
	EntityOrder    = "order"
	EntityQuote    = "quote"
)

// Entities lists the document types rules may be written for.
var Entities = []string{EntityContract, EntityOrder, EntityQuote}

// Who approves a step.
const (
	// ApproverManager is the submitter's team manager: the active managers
	// of the submitter's team, or of the nearest team above it that has one.
	ApproverManager = "manager"
	// ApproverRole is every active user with a role.
	ApproverRole = "role"
	// ApproverUser is the named active users.
	ApproverUser = "user"
)

// ApproverTypes lists the approver types.
var ApproverTypes = []string{ApproverManager, ApproverRole, ApproverUser}

// How a step is decided.
const (
	// ModeAny (或签): the first approval completes the step.
	ModeAny = "any"
	// ModeAll (会签): every approver of the step must approve.
	ModeAll = "all"
)

// Modes lists the step modes.
var Modes = []string{ModeAny, ModeAll}

// Status of a request.
const (
	StatusPending   = "pending"
	StatusApproved  = "approved"
	StatusRejected  = "rejected"
	StatusCancelled = "cancelled"
)

// Statuses lists the request statuses.
var Statuses = []string{StatusPending, StatusApproved, StatusRejected, StatusCancelled}

// Trail actions.
const (
	ActionSubmitted = "submitted"
	ActionApproved  = "approved"
	ActionRejected  = "rejected"
	ActionWithdrawn = "withdrawn"
)

// Document is a kind of record that can be approved (contract, order,
// quote). The engine calls these inside its transaction when a request
// finishes, so the document moves exactly when the decision commits. The
// actor in ctx is the deciding approver, who may be outside the document's
// data scope: load the document without scoping it to the actor.
type Document interface {
	// Approved is called when the last step is approved: move the document on.
	Approved(ctx context.Context, docID string) error
	// Rejected is called when any step is rejected: back to draft.
	Rejected(ctx context.Context, docID string, comment string) error
}

// Step is one step of a chain, as a rule defines it.
type Step struct {
	ApproverType string `json:"approver_type"`
	// Role is the role whose users approve a role step.
	Role string `json:"role,omitempty"`
	// UserIDs are the approvers of a user step.
	UserIDs []string `json:"user_ids,omitempty"`
	Mode    string   `json:"mode"`
}

// AppliedStep is a step as it applied to one request.
type AppliedStep struct {
	Step
	// Fallback marks a step nobody qualified for (once the submitter was
	// left out), which the admins decide instead, any one of them.
	Fallback bool `json:"fallback,omitempty"`
}

// Rule picks the chain for documents of an entity from min_amount up.
type Rule struct {
	ID        string
	Name      string
	Entity    string
	MinAmount money.Amount
	Steps     []Step `gorm:"serializer:json"`
	Active    bool
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// TableName pins the table.
func (Rule) TableName() string { return "approval_rules" }

// CurrentVersion is the version as read (record.Versioned).
func (r *Rule) CurrentVersion() int { return r.Version }

// Touch moves the rule to its next version, changed at now.
func (r *Rule) Touch(now time.Time) { r.Version++; r.UpdatedAt = now }

// Request is one submission of a document for approval.
type Request struct {
	ID         string
	Entity     string
	DocID      string
	Title      string
	Amount     money.Amount
	CustomerID *string
	// RuleID is the rule that applied; nil for the default chain (one
	// manager step).
	RuleID   *string
	RuleName string
	Steps    []AppliedStep `gorm:"serializer:json"`
	Status   string
	// CurrentStep counts from 1: the open step while pending, the step
	// that ended the request once decided.
	CurrentStep int
	SubmittedBy string
	// PendingKey is "<entity>:<doc_id>" while pending, else nil (unique).
	PendingKey *string
	DecidedAt  *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// TableName pins the table.
func (Request) TableName() string { return "approval_requests" }

// Touch moves the request to its next version, changed at now.
func (r *Request) Touch(now time.Time) { r.Version++; r.UpdatedAt = now }

// pendingKey is the key that keeps a document to one pending request.
func pendingKey(entity, docID string) *string {
	k := entity + ":" + docID
	return &k
}

// Approver is one user's seat on one step of a request.
type Approver struct {
	ID        string
	RequestID string
	Step      int
	UserID    string
	// Decision is "" until the user decides, then approved or rejected.
	Decision  string
	DecidedAt *time.Time
}

// TableName pins the table.
func (Approver) TableName() string { return "approval_approvers" }

// Action is one entry of the trail.
type Action struct {
	ID        string
	RequestID string
	// Step is the step decided; nil for submitted and withdrawn.
	Step      *int
	Action    string
	UserID    string
	Comment   string
	CreatedAt time.Time
}

// TableName pins the table.
func (Action) TableName() string { return "approval_actions" }
