// Package payment records money received against contracts (回款) and the
// invoices (发票) requested and issued for contracts and orders. A payment
// is applied to the contract's instalments (package contract moves the
// received amounts under the contract's row lock); a wrong payment is
// voided with a reason, never edited or deleted, so the books keep every
// movement: void it and record the right one.
package payment

import (
	"regexp"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/shopspring/decimal"
)

func init() {
	all := []string{authz.RoleAdmin, authz.RoleManager, authz.RoleRep}
	authz.Grant("payments:read", all...)
	authz.Grant("payments:write", all...)
	// Voiding money already booked is a manager's decision.
	authz.Grant("payments:void", authz.RoleAdmin, authz.RoleManager)
	authz.Grant("invoices:read", all...)
	authz.Grant("invoices:write", all...)
	// Issuing and voiding invoices is finance work, not a rep's.
	authz.Grant("invoices:issue", authz.RoleAdmin, authz.RoleManager)

	i18n.Register(map[string]map[i18n.Lang]string{
		"invoice_ceiling": {i18n.EN: "invoices would total %s, more than the amount %s",
			i18n.ZhCN: "开票合计 %s 将超过金额 %s"},
		"exactly_one_of": {i18n.EN: "give exactly one of contract_id and order_id",
			i18n.ZhCN: "contract_id 与 order_id 必须且只能填写一个"},
		"invalid_tax_number": {i18n.EN: "must be a taxpayer id of 15 to 20 letters and digits",
			i18n.ZhCN: "必须是 15 到 20 位字母或数字的纳税人识别号"},
		"order_not_invoiceable": {i18n.EN: "Invoices need an approved order that is not cancelled.",
			i18n.ZhCN: "开票需要已审批且未取消的订单。"},
	})
	i18n.RegisterWords(map[string]string{"payment": "回款", "invoice": "发票"})
}

// Payment methods.
var Methods = []string{"bank_transfer", "cash", "cheque", "online", "other"}

// Payment statuses.
const (
	Received = "received"
	Voided   = "voided"
)

// Field limits, in characters.
const (
	maxReference = 100
	maxReason    = 500
	maxTitle     = 200
	maxBank      = 200
	maxAccount   = 50
	maxAddress   = 500
	maxPhone     = 30
	maxNumber    = 50
)

// Payment is money received against a contract.
type Payment struct {
	ID            string
	ContractID    string
	PaymentPlanID *string
	// CustomerID and OwnerID are the contract's, copied so the customer
	// timeline and the data scope read the payment alone.
	CustomerID string
	OwnerID    string
	Amount     money.Amount
	Currency   string
	ReceivedAt time.Time
	Method     string
	Reference  string
	Status     string
	VoidReason string
	VoidedAt   *time.Time
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
	// Allocations are loaded with the payment, not a column.
	Allocations []Allocation `gorm:"-"`
}

// TableName pins the table.
func (Payment) TableName() string { return "payments" }

// Unallocated is the part of the payment no instalment took.
func (p *Payment) Unallocated() money.Amount {
	t := p.Amount
	for _, a := range p.Allocations {
		t -= a.Amount
	}
	return t
}

// CurrentVersion is the version as read (record.Versioned).
func (p *Payment) CurrentVersion() int { return p.Version }

// Touch moves the payment to its next version, changed at now.
func (p *Payment) Touch(now time.Time) { p.Version++; p.UpdatedAt = now }

// Allocation is the part of a payment applied to one instalment. It is
// kept when the payment is voided, as history; the instalment's received
// amount then no longer counts it.
type Allocation struct {
	ID            string
	PaymentID     string
	PaymentPlanID string
	Amount        money.Amount
	CreatedAt     time.Time
}

// TableName pins the table.
func (Allocation) TableName() string { return "payment_allocations" }

// Invoice types and statuses.
var InvoiceTypes = []string{"vat_special", "vat_ordinary"}

const (
	Requested = "requested"
	Issued    = "issued"
)

// invoiceMoves is the invoice state machine: action → from → to.
var invoiceMoves = map[string]struct {
	from []string
	to   string
}{
	"issue": {[]string{Requested}, Issued},
	"void":  {[]string{Requested, Issued}, Voided},
}

// Invoice is an invoice requested for a contract or an order.
type Invoice struct {
	ID         string
	ContractID *string
	OrderID    *string
	CustomerID string
	OwnerID    string
	// Amount is the total including tax (价税合计).
	Amount        money.Amount
	Currency      string
	TaxRate       string
	InvoiceType   string
	Title         string
	TaxNumber     string
	BankName      string
	BankAccount   string
	Address       string
	Phone         string
	Status        string
	InvoiceNumber *string
	IssuedAt      *time.Time
	VoidReason    string
	VoidedAt      *time.Time
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
}

// TableName pins the table.
func (Invoice) TableName() string { return "invoices" }

// Tax is the tax inside the amount: amount × rate / (1 + rate), rounded
// half-up to the cent.
func (i *Invoice) Tax() money.Amount {
	r, err := decimal.NewFromString(i.TaxRate)
	if err != nil {
		return 0
	}
	return money.FromDecimal(i.Amount.Decimal().Mul(r).Div(r.Add(decimal.NewFromInt(1))))
}

// CurrentVersion is the version as read (record.Versioned).
func (i *Invoice) CurrentVersion() int { return i.Version }

// Touch moves the invoice to its next version, changed at now.
func (i *Invoice) Touch(now time.Time) { i.Version++; i.UpdatedAt = now }

// taxNumberRe is a taxpayer id: the 18-character unified social credit
// code, or the older 15- and 20-character forms.
var taxNumberRe = regexp.MustCompile(`^[0-9A-Z]{15,20}$`)
