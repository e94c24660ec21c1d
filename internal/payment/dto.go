package payment

import "time"

// AllocationResponse is the part of a payment applied to one instalment.
type AllocationResponse struct {
	PaymentPlanID string `json:"payment_plan_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b20"`
	Amount        string `json:"amount" example:"100000.00"`
} // @name PaymentAllocation

// PaymentResponse is a payment as clients see it.
type PaymentResponse struct {
	ID            string  `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5c10"`
	ContractID    string  `json:"contract_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b10"`
	PaymentPlanID *string `json:"payment_plan_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b20"`
	CustomerID    string  `json:"customer_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	OwnerID       string  `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Amount        string  `json:"amount" example:"100000.00"`
	Currency      string  `json:"currency" example:"CNY"`
	// Allocations: the instalments the payment was applied to; what none
	// took (the plan covers less than the contract) is unallocated_amount.
	Allocations       []AllocationResponse `json:"allocations"`
	UnallocatedAmount string               `json:"unallocated_amount" example:"0.00"`
	ReceivedAt        time.Time            `json:"received_at"`
	Method            string               `json:"method" enums:"bank_transfer,cash,cheque,online,other" example:"bank_transfer"`
	Reference         string               `json:"reference" example:"工行回单 20261126-0042"`
	Status            string               `json:"status" enums:"received,voided" example:"received"`
	VoidReason        string               `json:"void_reason" example:""`
	VoidedAt          *time.Time           `json:"voided_at" extensions:"x-nullable"`
	CreatedBy         string               `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt         time.Time            `json:"created_at"`
	UpdatedAt         time.Time            `json:"updated_at"`
	Version           int                  `json:"version" example:"1"`
} // @name Payment

// View maps a payment to its response.
func View(p *Payment) PaymentResponse {
	allocs := make([]AllocationResponse, len(p.Allocations))
	for i, a := range p.Allocations {
		allocs[i] = AllocationResponse{PaymentPlanID: a.PaymentPlanID, Amount: a.Amount.String()}
	}
	return PaymentResponse{ID: p.ID, ContractID: p.ContractID, PaymentPlanID: p.PaymentPlanID,
		CustomerID: p.CustomerID, OwnerID: p.OwnerID, Amount: p.Amount.String(), Currency: p.Currency,
		Allocations: allocs, UnallocatedAmount: p.Unallocated().String(), ReceivedAt: p.ReceivedAt,
		Method: p.Method, Reference: p.Reference, Status: p.Status, VoidReason: p.VoidReason, VoidedAt: p.VoidedAt,
		CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version}
}

// PaymentList is a page of payments.
type PaymentList struct {
	Data       []PaymentResponse `json:"data"`
	NextCursor string            `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool              `json:"has_more"`
	Total      *int64            `json:"total,omitempty" extensions:"x-optional"`
} // @name PaymentList

// PaymentRequest is the body of POST /payments.
type PaymentRequest struct {
	ContractID string `json:"contract_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b10"`
	// An instalment of the contract; without it the payment goes to the
	// open instalments, oldest due date first.
	PaymentPlanID *string `json:"payment_plan_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b20"`
	Amount        *string `json:"amount" validate:"required" example:"100000.00"`
	// When the money arrived (RFC 3339 or a date), not in the future;
	// default now.
	ReceivedAt *string `json:"received_at" example:"2026-11-26T09:30:00+08:00"`
	Method     string  `json:"method" validate:"required" enums:"bank_transfer,cash,cheque,online,other" example:"bank_transfer"`
	Reference  string  `json:"reference" example:"工行回单 20261126-0042"`
} // @name PaymentCreateRequest

// VoidRequest is the body of POST /payments/{id}/void and
// POST /invoices/{id}/void.
type VoidRequest struct {
	Reason string `json:"reason" validate:"required" example:"重复登记"`
} // @name VoidRequest

// InvoiceResponse is an invoice as clients see it.
type InvoiceResponse struct {
	ID         string  `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5d10"`
	ContractID *string `json:"contract_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b10"`
	OrderID    *string `json:"order_id" extensions:"x-nullable"`
	CustomerID string  `json:"customer_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	OwnerID    string  `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	// Amount includes tax (价税合计); TaxAmount = amount × tax_rate ÷
	// (1 + tax_rate), rounded half-up to the cent.
	Amount        string     `json:"amount" example:"113000.00"`
	TaxRate       string     `json:"tax_rate" example:"0.13"`
	TaxAmount     string     `json:"tax_amount" example:"13000.00"`
	Currency      string     `json:"currency" example:"CNY"`
	InvoiceType   string     `json:"invoice_type" enums:"vat_special,vat_ordinary" example:"vat_special"`
	Title         string     `json:"title" example:"苏州恒达精密机械有限公司"`
	TaxNumber     string     `json:"tax_number" example:"91320594MA1XYZ1234"`
	BankName      string     `json:"bank_name" example:"中国工商银行苏州工业园区支行"`
	BankAccount   string     `json:"bank_account" example:"1102020109000123456"`
	Address       string     `json:"address" example:"苏州工业园区星湖街 328 号"`
	Phone         string     `json:"phone" example:"0512-6288 1234"`
	Status        string     `json:"status" enums:"requested,issued,voided" example:"issued"`
	InvoiceNumber *string    `json:"invoice_number" extensions:"x-nullable" example:"24322000000012345678"`
	IssuedAt      *time.Time `json:"issued_at" extensions:"x-nullable"`
	VoidReason    string     `json:"void_reason" example:""`
	VoidedAt      *time.Time `json:"voided_at" extensions:"x-nullable"`
	CreatedBy     string     `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	Version       int        `json:"version" example:"2"`
} // @name Invoice

// InvoiceView maps an invoice to its response.
func InvoiceView(i *Invoice) InvoiceResponse {
	return InvoiceResponse{ID: i.ID, ContractID: i.ContractID, OrderID: i.OrderID, CustomerID: i.CustomerID,
		OwnerID: i.OwnerID, Amount: i.Amount.String(), TaxRate: i.TaxRate, TaxAmount: i.Tax().String(),
		Currency: i.Currency, InvoiceType: i.InvoiceType, Title: i.Title, TaxNumber: i.TaxNumber,
		BankName: i.BankName, BankAccount: i.BankAccount, Address: i.Address, Phone: i.Phone, Status: i.Status,
		InvoiceNumber: i.InvoiceNumber, IssuedAt: i.IssuedAt, VoidReason: i.VoidReason, VoidedAt: i.VoidedAt,
		CreatedBy: i.CreatedBy, CreatedAt: i.CreatedAt, UpdatedAt: i.UpdatedAt, Version: i.Version}
}

// InvoiceList is a page of invoices.
type InvoiceList struct {
	Data       []InvoiceResponse `json:"data"`
	NextCursor string            `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool              `json:"has_more"`
	Total      *int64            `json:"total,omitempty" extensions:"x-optional"`
} // @name InvoiceList

// InvoiceRequest is the body of POST /invoices.
type InvoiceRequest struct {
	// Exactly one of contract_id (a signed contract) and order_id.
	ContractID *string `json:"contract_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5b10"`
	OrderID    *string `json:"order_id"`
	// Including tax, at most what is left to invoice on the contract or order.
	Amount *string `json:"amount" validate:"required" example:"113000.00"`
	// Between 0 and 1, at most 4 places.
	TaxRate     *string `json:"tax_rate" validate:"required" example:"0.13"`
	InvoiceType string  `json:"invoice_type" validate:"required" enums:"vat_special,vat_ordinary" example:"vat_special"`
	Title       string  `json:"title" validate:"required" example:"苏州恒达精密机械有限公司"`
	// Taxpayer id (15–20 letters and digits); required for vat_special.
	TaxNumber   string `json:"tax_number" example:"91320594MA1XYZ1234"`
	BankName    string `json:"bank_name" example:"中国工商银行苏州工业园区支行"`
	BankAccount string `json:"bank_account" example:"1102020109000123456"`
	Address     string `json:"address" example:"苏州工业园区星湖街 328 号"`
	Phone       string `json:"phone" example:"0512-6288 1234"`
} // @name InvoiceCreateRequest

// IssueRequest is the body of POST /invoices/{id}/issue.
type IssueRequest struct {
	InvoiceNumber string `json:"invoice_number" validate:"required" example:"24322000000012345678"`
	// When it was issued (RFC 3339 or a date), not in the future; default now.
	IssuedAt *string `json:"issued_at" example:"2026-11-26T14:00:00+08:00"`
} // @name InvoiceIssueRequest
