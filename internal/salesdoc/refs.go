package salesdoc

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/validate"
)

// Customers is the customer module as documents use it (customer.Service).
type Customers interface {
	GetInScope(ctx context.Context, id string) (*customer.Customer, error)
	GetContact(ctx context.Context, id string) (*customer.Contact, *customer.Customer, error)
}

// Opportunities loads an opportunity in the caller's data scope (apperr
// NotFound outside it): opportunity.Service.
type Opportunities interface {
	GetVisible(ctx context.Context, id string) (*opportunity.Opportunity, error)
}

// Refs checks what a document refers to: a customer in the caller's data
// scope, and a contact and an opportunity of that customer. Anything
// unknown or out of scope is a 422 unknown_ref, never a hint that it exists.
type Refs struct {
	Customers     Customers
	Opportunities Opportunities
}

// Check validates the references; empty optional ids are cleared to nil.
func (r *Refs) Check(ctx context.Context, customerID string, contactID, opportunityID **string) error {
	if strings.TrimSpace(customerID) == "" {
		return apperr.Invalid(apperr.FieldError{Field: "customer_id", Message: "required"})
	}
	if _, err := r.Customers.GetInScope(ctx, customerID); err != nil {
		return refErr(err, "customer_id", "customer")
	}
	if id := blankToNil(contactID); id != nil {
		ct, _, err := r.Customers.GetContact(ctx, *id)
		if err != nil {
			return refErr(err, "contact_id", "contact")
		}
		if ct.CustomerID != customerID {
			return apperr.Invalid(apperr.FieldError{Field: "contact_id", Message: "contact_not_of_customer"})
		}
	}
	if id := blankToNil(opportunityID); id != nil {
		o, err := r.Opportunities.GetVisible(ctx, *id)
		if err != nil {
			return refErr(err, "opportunity_id", "opportunity")
		}
		if o.CustomerID != customerID {
			return apperr.Invalid(apperr.FieldError{Field: "opportunity_id", Message: "opportunity_not_of_customer"})
		}
	}
	return nil
}

func blankToNil(p **string) *string {
	if *p != nil {
		if t := strings.TrimSpace(**p); t == "" {
			*p = nil
		} else {
			*p = &t
		}
	}
	return *p
}

// refErr turns a reference not found (or forbidden to read) into its 422.
func refErr(err error, field, entity string) error {
	if errors.Is(err, apperr.ErrNotFound) || errors.Is(err, apperr.ErrForbidden) {
		return unknownRef(field, entity)
	}
	return err
}

func unknownRef(field, entity string) error {
	return apperr.Invalid(apperr.FieldError{Field: field, Message: "unknown_ref", Params: []any{entity}})
}

// Date reads an optional calendar date (2026-11-22); empty is nil.
func Date(v *validate.V, field string, s *string) *string {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(*s))
	if err != nil {
		v.Add(field, "invalid_date")
		return nil
	}
	d := t.Format(time.DateOnly)
	return &d
}

// InvalidTransition is the 409 of an action the document's status does
// not allow.
func InvalidTransition() error { return apperr.Conflict("invalid_transition", "invalid_transition") }

// NotEditable is the 409 of an edit to a document past draft.
func NotEditable() error { return apperr.Conflict("not_editable", "not_editable") }
