// Package contract owns contracts (合同): their state machine from draft
// through approval, signing and execution to completion or termination,
// their attachments and their payment plans (回款计划). Payments and
// invoices live in package payment, which moves a contract's received
// amounts through Allocate and Release here, under the contract's row lock.
package contract

import (
	"slices"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/money"
)

func init() {
	all := []string{authz.RoleAdmin, authz.RoleManager, authz.RoleRep}
	authz.Grant("contracts:read", all...)
	authz.Grant("contracts:write", all...)

	i18n.Register(map[string]map[i18n.Lang]string{
		"contract_not_editable": {i18n.EN: "A contract can be edited only before it is signed.",
			i18n.ZhCN: "合同签署后不能再修改。"},
		"contract_closed": {i18n.EN: "The contract is completed or terminated.", i18n.ZhCN: "合同已完成或已终止。"},
		"plan_has_payments": {i18n.EN: "Payments have been applied to this instalment; void them first.",
			i18n.ZhCN: "该期回款计划已有回款，请先作废回款。"},
		"invalid_date":          {i18n.EN: "must be a date (2026-11-22)", i18n.ZhCN: "必须是日期（2026-11-22）"},
		"before_start_date":     {i18n.EN: "must not be before start_date", i18n.ZhCN: "不能早于开始日期"},
		"plans_exceed_amount":   {i18n.EN: "the payment plans would total %s, more than the contract amount %s", i18n.ZhCN: "回款计划合计 %s 将超过合同金额 %s"},
		"below_plans":           {i18n.EN: "must not be below the payment plans' total %s", i18n.ZhCN: "不能低于回款计划合计 %s"},
		"below_received":        {i18n.EN: "must not be below the amount already received %s", i18n.ZhCN: "不能低于已回款金额 %s"},
		"must_be_positive":      {i18n.EN: "must be greater than zero", i18n.ZhCN: "必须大于零"},
		"other_customer":        {i18n.EN: "belongs to another customer", i18n.ZhCN: "属于其他客户"},
		"no_linked_opportunity": {i18n.EN: "the contract has no linked opportunity", i18n.ZhCN: "合同未关联商机"},
		"file_required":         {i18n.EN: "a file is required", i18n.ZhCN: "请上传文件"},
		"file_type":             {i18n.EN: "must be a PDF, PNG, JPEG, DOCX or XLSX file", i18n.ZhCN: "必须是 PDF、PNG、JPEG、DOCX 或 XLSX 文件"},
		"contract_not_signed":   {i18n.EN: "Payments and invoices need a signed contract.", i18n.ZhCN: "回款和开票需要已签署的合同。"},
		"overpayment":           {i18n.EN: "The payment exceeds the contract's outstanding amount %s.", i18n.ZhCN: "回款金额超过合同未回款金额 %s。"},
		"exceeds_outstanding":   {i18n.EN: "must not exceed the outstanding amount %s", i18n.ZhCN: "不能超过未回款金额 %s"},
		"file_empty":            {i18n.EN: "is empty", i18n.ZhCN: "文件为空"},
	})
	i18n.RegisterWords(map[string]string{"contract": "合同", "payment plan": "回款计划", "attachment": "附件",
		"opportunity": "商机", "order": "订单"})
}

// Statuses of a contract. A rejected contract goes back to draft with the
// rejection kept (RejectedAt, RejectionComment), so it can be edited and
// submitted again.
const (
	Draft           = "draft"
	PendingApproval = "pending_approval"
	Approved        = "approved"
	Signed          = "signed"
	Executing       = "executing"
	Completed       = "completed"
	Terminated      = "terminated"
)

// Statuses lists every status, in lifecycle order.
var Statuses = []string{Draft, PendingApproval, Approved, Signed, Executing, Completed, Terminated}

// transitions is the state machine: action → the statuses it may start
// from and the status it leads to. approve and reject are driven by the
// approval engine, withdraw by an edit while pending.
var transitions = map[string]struct {
	from []string
	to   string
}{
	"submit":    {[]string{Draft}, PendingApproval},
	"approve":   {[]string{PendingApproval}, Approved},
	"reject":    {[]string{PendingApproval}, Draft},
	"withdraw":  {[]string{PendingApproval}, Draft},
	"sign":      {[]string{Approved}, Signed},
	"start":     {[]string{Signed}, Executing},
	"complete":  {[]string{Executing}, Completed},
	"terminate": {[]string{Signed, Executing}, Terminated},
}

// Entity names contracts in the approval engine, events and the audit log.
const Entity = "contract"

// DefaultCurrency is the currency of a contract created without one.
const DefaultCurrency = "CNY"

// Field limits, in characters.
const (
	maxTitle   = 200
	maxTerms   = 20000
	maxReason  = 500
	maxComment = 1000
	maxNote    = 500
)

// Contract is an agreement with a customer.
type Contract struct {
	ID            string
	Number        string
	CustomerID    string
	OpportunityID *string
	OrderID       *string
	OwnerID       string
	Title         string
	Amount        money.Amount
	// ReceivedAmount is the sum of the live payments on the contract.
	ReceivedAmount   money.Amount
	Currency         string
	StartDate        string
	EndDate          string
	Terms            string
	Status           string
	SubmittedAt      *time.Time
	ApprovedAt       *time.Time
	RejectedAt       *time.Time
	RejectionComment string
	SignedAt         *time.Time
	StartedAt        *time.Time
	CompletedAt      *time.Time
	TerminatedAt     *time.Time
	TerminatedReason string
	CreatedBy        string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	Version          int
}

// TableName pins the table.
func (Contract) TableName() string { return "contracts" }

// Outstanding is what remains to be received.
func (c *Contract) Outstanding() money.Amount { return c.Amount - c.ReceivedAmount }

// Editable reports whether the contract's terms may still change: before
// signing. Editing an approved or pending contract sends it back to draft.
func (c *Contract) Editable() bool {
	return slices.Contains([]string{Draft, PendingApproval, Approved}, c.Status)
}

// Closed reports a completed or terminated contract: no more plans or
// payments.
func (c *Contract) Closed() bool { return c.Status == Completed || c.Status == Terminated }

// Live reports a signed contract in force: payments and invoices may be
// recorded against it.
func (c *Contract) Live() bool {
	return slices.Contains([]string{Signed, Executing, Completed}, c.Status)
}

// can reports whether action is allowed from the contract's status.
func (c *Contract) can(action string) bool {
	return slices.Contains(transitions[action].from, c.Status)
}

// CurrentVersion is the version as read (record.Versioned).
func (c *Contract) CurrentVersion() int { return c.Version }

// Touch moves the contract to its next version, changed at now.
func (c *Contract) Touch(now time.Time) { c.Version++; c.UpdatedAt = now }

// Attachment is a file kept with a contract (the signed scan, annexes).
type Attachment struct {
	ID          string
	ContractID  string
	FileName    string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	// StorageKey names the bytes in the Storage; never the client's path.
	StorageKey string
	CreatedBy  string
	CreatedAt  time.Time
}

// TableName pins the table.
func (Attachment) TableName() string { return "contract_attachments" }

// Plan statuses.
const (
	PlanPending       = "pending"
	PlanPartiallyPaid = "partially_paid"
	PlanPaid          = "paid"
	PlanOverdue       = "overdue"
)

// Plan is one instalment of a contract's payment plan.
type Plan struct {
	ID         string
	ContractID string
	DueDate    string
	Amount     money.Amount
	// Received is the sum of live payment allocations to the instalment.
	Received  money.Amount
	Note      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// TableName pins the table.
func (Plan) TableName() string { return "payment_plans" }

// Outstanding is what remains to be received on the instalment.
func (p *Plan) Outstanding() money.Amount { return p.Amount - p.Received }

// Paid reports an instalment received in full.
func (p *Plan) Paid() bool { return p.Received >= p.Amount }

// Status is paid, overdue (past its due date on the organisation's
// calendar, today being today, and not paid in full), partially_paid or
// pending.
func (p *Plan) Status(today string) string {
	switch {
	case p.Paid():
		return PlanPaid
	case p.DueDate < today:
		return PlanOverdue
	case p.Received > 0:
		return PlanPartiallyPaid
	}
	return PlanPending
}

// CurrentVersion is the version as read (record.Versioned).
func (p *Plan) CurrentVersion() int { return p.Version }

// Touch moves the instalment to its next version, changed at now.
func (p *Plan) Touch(now time.Time) { p.Version++; p.UpdatedAt = now }
