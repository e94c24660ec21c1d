package payment

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/money"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/shopspring/decimal"
)

// GetInvoice loads an invoice in the caller's scope.
func (s *Service) GetInvoice(ctx context.Context, id string) (*Invoice, error) {
	if err := authz.Require(ctx, "invoices:read"); err != nil {
		return nil, err
	}
	return s.store.Invoice(ctx, authz.ActorFrom(ctx), id)
}

// Invoices pages through the invoices in the caller's scope.
func (s *Service) Invoices(ctx context.Context, f Filter, r paging.Request) (paging.Page[Invoice], error) {
	if err := authz.Require(ctx, "invoices:read"); err != nil {
		return paging.Page[Invoice]{}, err
	}
	q, err := invoiceSpec.Parse(r)
	if err != nil {
		return paging.Page[Invoice]{}, err
	}
	var v validate.V
	for _, st := range f.Status {
		v.OneOf("status", st, Requested, Issued, Voided)
	}
	if err := v.Err(); err != nil {
		return paging.Page[Invoice]{}, err
	}
	page, err := q.Fetch(s.store.InvoiceQuery(ctx, authz.ActorFrom(ctx), f))
	if err != nil {
		return page, fmt.Errorf("invoice.list: %w", err)
	}
	return page, nil
}

// RequestInvoice asks for an invoice on a signed contract or an order in
// the caller's scope (exactly one). The live invoices of the contract or
// order may not total more than its amount (422 invoice_ceiling): the
// contract or order row is locked first, so concurrent requests queue.
// Event invoice.requested.
func (s *Service) RequestInvoice(ctx context.Context, req InvoiceRequest) (*Invoice, error) {
	if err := authz.Require(ctx, "invoices:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	inv := &Invoice{ID: uuid.Must(uuid.NewV7()).String(), ContractID: trimmed(req.ContractID),
		OrderID: trimmed(req.OrderID), InvoiceType: strings.TrimSpace(req.InvoiceType),
		Title: strings.TrimSpace(req.Title), TaxNumber: strings.ToUpper(strings.TrimSpace(req.TaxNumber)),
		BankName: strings.TrimSpace(req.BankName), BankAccount: strings.TrimSpace(req.BankAccount),
		Address: strings.TrimSpace(req.Address), Phone: strings.TrimSpace(req.Phone), Status: Requested,
		CreatedBy: authz.ActorFrom(ctx).ID(), CreatedAt: now, UpdatedAt: now, Version: 1}
	var v validate.V
	if (inv.ContractID == nil) == (inv.OrderID == nil) {
		v.Add("contract_id", "exactly_one_of")
	}
	if req.Amount == nil {
		v.Add("amount", "required")
	} else if amt, ok := v.Money("amount", req.Amount, false); ok {
		if amt == 0 {
			v.Add("amount", "must_be_positive")
		}
		inv.Amount = amt
	}
	if req.TaxRate == nil {
		v.Add("tax_rate", "required")
	} else if r, ok := v.Decimal("tax_rate", req.TaxRate, 4, decimal.Zero, decimal.NewFromInt(1)); ok {
		inv.TaxRate = r.String()
	}
	if v.Required("invoice_type", inv.InvoiceType) {
		v.OneOf("invoice_type", inv.InvoiceType, InvoiceTypes...)
	}
	if v.Required("title", inv.Title) {
		v.MaxLen("title", inv.Title, maxTitle)
	}
	// A special VAT invoice lets the buyer deduct input tax, so the tax
	// authority needs the buyer's taxpayer id on it.
	if inv.InvoiceType == "vat_special" {
		v.Required("tax_number", inv.TaxNumber)
	}
	if inv.TaxNumber != "" && !taxNumberRe.MatchString(inv.TaxNumber) {
		v.Add("tax_number", "invalid_tax_number")
	}
	v.MaxLen("bank_name", inv.BankName, maxBank)
	v.MaxLen("bank_account", inv.BankAccount, maxAccount)
	v.MaxLen("address", inv.Address, maxAddress)
	v.Phone("phone", inv.Phone)
	v.MaxLen("phone", inv.Phone, maxPhone)
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		ceiling, col, id, err := s.invoiceTarget(ctx, inv)
		if err != nil {
			return err
		}
		done, err := s.store.Invoiced(ctx, col, id)
		if err != nil {
			return err
		}
		if total := done + inv.Amount; total > ceiling {
			return apperr.Invalid(apperr.FieldError{Field: "amount", Message: "invoice_ceiling",
				Params: []any{total.String(), ceiling.String()}})
		}
		if err := s.store.CreateInvoice(ctx, inv); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, "create", "invoice", inv.ID, nil, InvoiceView(inv)); err != nil {
			return err
		}
		return s.events.Record(ctx, "invoice.requested", "invoice", inv.ID, InvoiceView(inv))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// invoiceTarget locks the invoice's contract or order, copies its customer,
// owner and currency onto the invoice and returns its amount (the
// ceiling) with the column and id that find its other invoices.
func (s *Service) invoiceTarget(ctx context.Context, inv *Invoice) (money.Amount, string, string, error) {
	if inv.ContractID != nil {
		c, err := s.contracts.Lock(ctx, *inv.ContractID)
		if err != nil {
			return 0, "", "", refError(err, "contract_id", "contract")
		}
		if !c.Live() {
			return 0, "", "", apperr.Conflict("contract_not_signed", "contract_not_signed")
		}
		inv.CustomerID, inv.OwnerID, inv.Currency = c.CustomerID, c.OwnerID, c.Currency
		return c.Amount, "contract_id", c.ID, nil
	}
	if s.orders == nil {
		return 0, "", "", apperr.Invalid(apperr.FieldError{Field: "order_id", Message: "unknown_ref", Params: []any{"order"}})
	}
	o, err := s.orders.Lock(ctx, *inv.OrderID)
	if err != nil {
		return 0, "", "", refError(err, "order_id", "order")
	}
	if !o.Invoiceable {
		return 0, "", "", apperr.Conflict("order_not_invoiceable", "order_not_invoiceable")
	}
	inv.CustomerID, inv.OwnerID, inv.Currency = o.CustomerID, o.OwnerID, o.Currency
	return o.Total, "order_id", o.ID, nil
}

// IssueInvoice records a requested invoice as issued, with the number the
// tax system gave it (unique: 409 duplicate) and when. Event
// invoice.issued.
func (s *Service) IssueInvoice(ctx context.Context, id string, ifMatch *int, req IssueRequest) (*Invoice, error) {
	if err := authz.Require(ctx, "invoices:issue"); err != nil {
		return nil, err
	}
	number := strings.TrimSpace(req.InvoiceNumber)
	var v validate.V
	if v.Required("invoice_number", number) {
		v.MaxLen("invoice_number", number, maxNumber)
	}
	at, _ := v.Time("issued_at", req.IssuedAt)
	if at != nil && at.After(db.Now()) {
		v.Add("issued_at", "in_future")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.moveInvoice(ctx, id, ifMatch, "issue", func(i *Invoice) {
		if at == nil {
			now := db.Now()
			at = &now
		}
		i.InvoiceNumber, i.IssuedAt = &number, at
	})
}

// VoidInvoice cancels a requested or issued invoice with a reason; its
// amount no longer counts toward the ceiling. Event invoice.voided.
func (s *Service) VoidInvoice(ctx context.Context, id string, ifMatch *int, req VoidRequest) (*Invoice, error) {
	if err := authz.Require(ctx, "invoices:issue"); err != nil {
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
	return s.moveInvoice(ctx, id, ifMatch, "void", func(i *Invoice) {
		now := db.Now()
		i.VoidReason, i.VoidedAt = reason, &now
	})
}

// moveInvoice runs one action of the invoice state machine with its audit
// row and event, refusing a move the status does not allow (409).
func (s *Service) moveInvoice(ctx context.Context, id string, ifMatch *int, action string, change func(*Invoice)) (*Invoice, error) {
	var out *Invoice
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		load := func(ctx context.Context) (*Invoice, error) { return s.store.LockInvoice(ctx, authz.ActorFrom(ctx), id) }
		inv, err := s.invW.Apply(ctx, load, ifMatch, action, func(_ context.Context, i *Invoice) error {
			m := invoiceMoves[action]
			if !slices.Contains(m.from, i.Status) {
				return apperr.Conflict("invalid_transition", "invalid_transition")
			}
			i.Status = m.to
			change(i)
			return nil
		})
		if err != nil {
			return err
		}
		out = inv
		return s.events.Record(ctx, "invoice."+map[string]string{"issue": "issued", "void": "voided"}[action],
			"invoice", inv.ID, InvoiceView(inv))
	})
	return out, err
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	if t == "" {
		return nil
	}
	return &t
}
