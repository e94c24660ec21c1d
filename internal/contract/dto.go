package contract

import (
	"time"

	"github.com/opencrm/crm/internal/approval"

	"github.com/opencrm/crm/internal/platform/money"
)

// ContractResponse is a contract as clients see it. Amounts are decimal
// strings in the contract's currency.
type ContractResponse struct {
	ID            string  `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b10"`
	Number        string  `json:"number" example:"HT-20261126-0001"`
	CustomerID    string  `json:"customer_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	OpportunityID *string `json:"opportunity_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	OrderID       *string `json:"order_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5aa0"`
	OwnerID       string  `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Title         string  `json:"title" example:"2027 年度数控机床采购合同"`
	Amount        string  `json:"amount" example:"1200000.00"`
	// ReceivedAmount is the sum of the payments received (voided ones
	// excluded); OutstandingAmount is amount − received_amount.
	ReceivedAmount    string     `json:"received_amount" example:"360000.00"`
	OutstandingAmount string     `json:"outstanding_amount" example:"840000.00"`
	Currency          string     `json:"currency" example:"CNY"`
	StartDate         string     `json:"start_date" example:"2027-01-01"`
	EndDate           string     `json:"end_date" example:"2027-12-31"`
	Terms             string     `json:"terms" example:"分三期付款：30% 预付款，60% 到货款，10% 质保金。"`
	Status            string     `json:"status" enums:"draft,pending_approval,approved,signed,executing,completed,terminated" example:"signed"`
	SubmittedAt       *time.Time `json:"submitted_at" extensions:"x-nullable"`
	ApprovedAt        *time.Time `json:"approved_at" extensions:"x-nullable"`
	// RejectedAt and RejectionComment show the last rejection; a rejected
	// contract is a draft again, to be edited and resubmitted.
	RejectedAt       *time.Time `json:"rejected_at" extensions:"x-nullable"`
	RejectionComment string     `json:"rejection_comment" example:""`
	SignedAt         *time.Time `json:"signed_at" extensions:"x-nullable"`
	StartedAt        *time.Time `json:"started_at" extensions:"x-nullable"`
	CompletedAt      *time.Time `json:"completed_at" extensions:"x-nullable"`
	TerminatedAt     *time.Time `json:"terminated_at" extensions:"x-nullable"`
	TerminatedReason string     `json:"terminated_reason" example:""`
	CreatedBy        string     `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	Version          int        `json:"version" example:"3"`
} // @name Contract

// View maps a contract to its response.
func View(c *Contract) ContractResponse {
	return ContractResponse{ID: c.ID, Number: c.Number, CustomerID: c.CustomerID, OpportunityID: c.OpportunityID,
		OrderID: c.OrderID, OwnerID: c.OwnerID, Title: c.Title, Amount: c.Amount.String(),
		ReceivedAmount: c.ReceivedAmount.String(), OutstandingAmount: c.Outstanding().String(), Currency: c.Currency,
		StartDate: c.StartDate, EndDate: c.EndDate, Terms: c.Terms, Status: c.Status, SubmittedAt: c.SubmittedAt,
		ApprovedAt: c.ApprovedAt, RejectedAt: c.RejectedAt, RejectionComment: c.RejectionComment,
		SignedAt: c.SignedAt, StartedAt: c.StartedAt, CompletedAt: c.CompletedAt, TerminatedAt: c.TerminatedAt,
		TerminatedReason: c.TerminatedReason, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Version: c.Version}
}

// ContractList is a page of contracts.
type ContractList struct {
	Data       []ContractResponse `json:"data"`
	NextCursor string             `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool               `json:"has_more"`
	Total      *int64             `json:"total,omitempty" extensions:"x-optional"`
} // @name ContractList

// CreateRequest is the body of POST /contracts.
type CreateRequest struct {
	CustomerID string `json:"customer_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	// An opportunity and an order of the same customer, in the caller's scope.
	OpportunityID *string `json:"opportunity_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	OrderID       *string `json:"order_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5aa0"`
	// Default: the customer's owner, else the caller.
	OwnerID  *string `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Title    string  `json:"title" validate:"required" example:"2027 年度数控机床采购合同"`
	Amount   *string `json:"amount" validate:"required" example:"1200000.00"`
	Currency string  `json:"currency" example:"CNY"`
	// Dates (2026-11-22); end_date not before start_date.
	StartDate string `json:"start_date" validate:"required" example:"2027-01-01"`
	EndDate   string `json:"end_date" validate:"required" example:"2027-12-31"`
	Terms     string `json:"terms" example:"分三期付款：30% 预付款，60% 到货款，10% 质保金。"`
} // @name ContractCreateRequest

// UpdateRequest is the body of PATCH /contracts/{id}; absent fields stay.
type UpdateRequest struct {
	OpportunityID *string `json:"opportunity_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a90"`
	OrderID       *string `json:"order_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5aa0"`
	Title         *string `json:"title" example:"2027 年度数控机床采购合同（修订）"`
	Amount        *string `json:"amount" example:"1150000.00"`
	Currency      *string `json:"currency" example:"CNY"`
	StartDate     *string `json:"start_date" example:"2027-01-01"`
	EndDate       *string `json:"end_date" example:"2027-12-31"`
	Terms         *string `json:"terms" example:"分两期付款。"`
} // @name ContractUpdateRequest

// SignRequest is the body of POST /contracts/{id}/sign (may be empty: {}).
type SignRequest struct {
	// When it was signed (RFC 3339 or a date), not in the future; default now.
	SignedAt *string `json:"signed_at" example:"2026-11-26T10:00:00+08:00"`
	// Close the linked opportunity as won at the contract amount.
	WinOpportunity bool `json:"win_opportunity" example:"true"`
} // @name ContractSignRequest

// TerminateRequest is the body of POST /contracts/{id}/terminate.
type TerminateRequest struct {
	Reason string `json:"reason" validate:"required" example:"客户经营困难，双方协商解除"`
} // @name ContractTerminateRequest

// PlanResponse is one instalment of a payment plan.
type PlanResponse struct {
	ID         string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b20"`
	ContractID string `json:"contract_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b10"`
	DueDate    string `json:"due_date" example:"2027-03-31"`
	Amount     string `json:"amount" example:"360000.00"`
	// Received is what payments have brought in against the instalment;
	// Outstanding is amount − received.
	Received    string `json:"received" example:"100000.00"`
	Outstanding string `json:"outstanding" example:"260000.00"`
	// Status: paid in full; overdue once the due date has passed on the
	// organisation's calendar without full payment; else partially_paid or
	// pending.
	Status    string    `json:"status" enums:"pending,partially_paid,paid,overdue" example:"partially_paid"`
	Note      string    `json:"note" example:"到货款"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version" example:"2"`
} // @name PaymentPlan

// PlanView maps an instalment to its response, its status judged on the
// date today.
func PlanView(p *Plan, today string) PlanResponse {
	return PlanResponse{ID: p.ID, ContractID: p.ContractID, DueDate: p.DueDate, Amount: p.Amount.String(),
		Received: p.Received.String(), Outstanding: p.Outstanding().String(), Status: p.Status(today), Note: p.Note,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

// PlanListResponse is a contract's whole payment plan, by due date.
type PlanListResponse struct {
	Data []PlanResponse `json:"data"`
	// Total of the instalments, at most the contract amount.
	Total string `json:"total" example:"1200000.00"`
} // @name PaymentPlanList

// PlanRequest is the body of POST (due_date and amount required) and
// PATCH (absent fields stay) /contracts/{id}/payment-plans.
type PlanRequest struct {
	DueDate *string `json:"due_date" example:"2027-03-31"`
	Amount  *string `json:"amount" example:"360000.00"`
	Note    *string `json:"note" example:"到货款"`
} // @name PaymentPlanRequest

// AttachmentResponse describes a contract attachment.
type AttachmentResponse struct {
	ID          string    `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b30"`
	ContractID  string    `json:"contract_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b10"`
	FileName    string    `json:"file_name" example:"合同扫描件.pdf"`
	ContentType string    `json:"content_type" example:"application/pdf"`
	Size        int64     `json:"size" example:"482133"`
	SHA256      string    `json:"sha256" example:"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"`
	CreatedBy   string    `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt   time.Time `json:"created_at"`
} // @name ContractAttachment

// AttachmentView maps an attachment to its response.
func AttachmentView(a *Attachment) AttachmentResponse {
	return AttachmentResponse{ID: a.ID, ContractID: a.ContractID, FileName: a.FileName, ContentType: a.ContentType,
		Size: a.Size, SHA256: a.SHA256, CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt}
}

// AttachmentList is a contract's attachments, oldest first.
type AttachmentList struct {
	Data []AttachmentResponse `json:"data"`
} // @name ContractAttachmentList

// planTotal sums instalments.
func planTotal(ps []Plan) money.Amount {
	var t money.Amount
	for _, p := range ps {
		t += p.Amount
	}
	return t
}

// TrailResponse is a contract's approval history, oldest request first.
type TrailResponse struct {
	Data []approval.RequestView `json:"data"`
} // @name ContractApprovalTrail
