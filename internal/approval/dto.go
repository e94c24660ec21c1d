package approval

import (
	"time"
)

// RequestView is an approval request as clients see it: the document it
// is about, the chain with each step's approvers and decisions, and the
// trail. Document modules embed a list of them (Trail) in their responses.
type RequestView struct {
	ID     string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a80"`
	Entity string `json:"entity" enums:"contract,order,quote" example:"contract"`
	DocID  string `json:"doc_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a81"`
	Title  string `json:"title" example:"HT-20261126-0001 恒达精密 年度框架合同"`
	// Amount is the document's amount at submission, which picked the rule.
	Amount     string  `json:"amount" example:"1200000.00"`
	CustomerID *string `json:"customer_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a82"`
	// RuleID is the rule that applied; null for the default chain (one
	// manager step).
	RuleID   *string `json:"rule_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a83"`
	RuleName string  `json:"rule_name" example:"百万以上合同"`
	Status   string  `json:"status" enums:"pending,approved,rejected,cancelled" example:"pending"`
	// CurrentStep is the open step while pending (from 1), else the step
	// the request ended on.
	CurrentStep int        `json:"current_step" example:"1"`
	Steps       []StepView `json:"steps"`
	// Actions is the trail, oldest first.
	Actions     []ActionView `json:"actions"`
	SubmittedBy string       `json:"submitted_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	// CreatedAt is when it was submitted.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// DecidedAt is when it was approved, rejected or withdrawn.
	DecidedAt *time.Time `json:"decided_at" extensions:"x-nullable"`
	Version   int        `json:"version" example:"2"`
} // @name Approval

// StepView is one step of a request's chain.
type StepView struct {
	Step         int    `json:"step" example:"1"`
	ApproverType string `json:"approver_type" enums:"manager,role,user" example:"role"`
	// Role is the role of a role step, else "".
	Role string `json:"role" example:"manager"`
	Mode string `json:"mode" enums:"any,all" example:"any"`
	// Fallback: nobody the step names could approve (the submitter is
	// never an approver), so the admins decide it, any one of them.
	Fallback bool `json:"fallback" example:"false"`
	// Status: waiting (not open yet), pending (open), approved, rejected,
	// cancelled (open when the request was withdrawn) or skipped (never
	// reached: the request ended before it).
	Status    string         `json:"status" enums:"waiting,pending,approved,rejected,cancelled,skipped" example:"pending"`
	Approvers []ApproverView `json:"approvers"`
} // @name ApprovalStep

// ApproverView is one approver of a step, as resolved at submission.
type ApproverView struct {
	UserID string `json:"user_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	// Decision is null until this approver decides; an any step closes
	// for the others once one approves.
	Decision  *string    `json:"decision" enums:"approved,rejected" extensions:"x-nullable" example:"approved"`
	DecidedAt *time.Time `json:"decided_at" extensions:"x-nullable"`
} // @name ApprovalApprover

// ActionView is one entry of the trail.
type ActionView struct {
	ID     string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a84"`
	Action string `json:"action" enums:"submitted,approved,rejected,withdrawn" example:"approved"`
	// Step is the step decided; null for submitted and withdrawn.
	Step *int `json:"step" extensions:"x-nullable" example:"1"`
	// UserID is who acted (an API key id for integrations).
	UserID  string    `json:"user_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Comment string    `json:"comment" example:"价格已确认，同意。"`
	At      time.Time `json:"at"`
} // @name ApprovalAction

// View maps a request, its seats (by step) and its trail (oldest first)
// to the response.
func View(r *Request, seats []Approver, acts []Action) RequestView {
	v := RequestView{ID: r.ID, Entity: r.Entity, DocID: r.DocID, Title: r.Title, Amount: r.Amount.String(),
		CustomerID: r.CustomerID, RuleID: r.RuleID, RuleName: r.RuleName, Status: r.Status,
		CurrentStep: r.CurrentStep, SubmittedBy: r.SubmittedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		DecidedAt: r.DecidedAt, Version: r.Version,
		Steps: make([]StepView, len(r.Steps)), Actions: make([]ActionView, len(acts))}
	for i, st := range r.Steps {
		v.Steps[i] = StepView{Step: i + 1, ApproverType: st.ApproverType, Role: st.Role, Mode: st.Mode,
			Fallback: st.Fallback, Status: stepStatus(r, i+1), Approvers: []ApproverView{}}
	}
	for _, s := range seats {
		if s.Step < 1 || s.Step > len(v.Steps) {
			continue
		}
		av := ApproverView{UserID: s.UserID, DecidedAt: s.DecidedAt}
		if s.Decision != "" {
			d := s.Decision
			av.Decision = &d
		}
		v.Steps[s.Step-1].Approvers = append(v.Steps[s.Step-1].Approvers, av)
	}
	for i, a := range acts {
		v.Actions[i] = ActionView{ID: a.ID, Action: a.Action, Step: a.Step, UserID: a.UserID, Comment: a.Comment,
			At: a.CreatedAt}
	}
	return v
}

// stepStatus derives a step's status from where the request stands.
func stepStatus(r *Request, step int) string {
	switch {
	case step < r.CurrentStep:
		return StatusApproved
	case step == r.CurrentStep:
		return r.Status
	case r.Status == StatusPending:
		return "waiting"
	default:
		return "skipped"
	}
}
