package lead

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/i18n"
)

func init() {
	i18n.Register(map[string]map[i18n.Lang]string{
		"customer_id_or_customer": {i18n.EN: "give either customer_id or customer, not both",
			i18n.ZhCN: "customer_id 与 customer 只能二选一"},
	})
}

// Customers is what conversion needs from the customer module
// (customer.Service): it joins the conversion's transaction through ctx.
type Customers interface {
	GetInScope(ctx context.Context, id string) (*customer.Customer, error)
	CreateWith(ctx context.Context, req customer.CustomerCreateRequest, opts customer.CreateOptions) (*customer.Customer, error)
	CreateContact(ctx context.Context, req customer.ContactCreateRequest) (*customer.Contact, error)
	AddTimelineSource(src customer.TimelineSource)
	AddMergeHook(name string, h customer.MergeHook)
}

// UseCustomers enables conversion, shows converted leads on their
// customer's timeline (their activities are shown by the activity module), and makes a customer merge
// carry its leads along. Call while wiring.
func (s *Service) UseCustomers(c Customers) {
	s.customers = c
	c.AddTimelineSource(conversionTimeline(s.db))
	c.AddMergeHook("leads", s.moveLeads)
}

// Opportunities is what conversion needs from the opportunity module
// (opportunity.Service): it joins the conversion's transaction through ctx.
type Opportunities interface {
	Create(ctx context.Context, req opportunity.OpportunityCreateRequest) (*opportunity.Opportunity, error)
}

// UseOpportunities lets a conversion open an opportunity. Call while
// wiring.
func (s *Service) UseOpportunities(o Opportunities) { s.opportunities = o }

// Conversion is what converting a lead produced.
type Conversion struct {
	Lead        *Lead
	Customer    *customer.Customer
	Contact     *customer.Contact
	Opportunity *opportunity.Opportunity
}

// Convert turns a lead in the caller's scope into a customer (a new one,
// pre-filled from the lead, or an existing one in scope) and a contact
// under it, in one transaction with the lead's move to converted: any
// failure on the way leaves nothing behind. A closed lead is a 409.
func (s *Service) Convert(ctx context.Context, id string, ifMatch *int, req LeadConvertRequest,
	allowDuplicate bool) (*Conversion, error) {
	if err := authz.Require(ctx, "leads:write"); err != nil {
		return nil, err
	}
	if s.customers == nil {
		return nil, errors.New("lead.convert: customers not wired")
	}
	custID := strings.TrimSpace(deref(req.CustomerID))
	if custID != "" && req.Customer != nil {
		return nil, apperr.Invalid(apperr.FieldError{Field: "customer_id", Message: "customer_id_or_customer"})
	}
	out := &Conversion{}
	l, err := s.mutate(ctx, id, ifMatch, "convert", func(ctx context.Context, l *Lead) error {
		if slices.Contains(closed, l.Status) {
			return apperr.Conflict("invalid_transition", "invalid_transition")
		}
		var err error
		if custID != "" {
			out.Customer, err = s.customers.GetInScope(ctx, custID)
			if errors.Is(err, apperr.ErrNotFound) {
				return apperr.Invalid(apperr.FieldError{Field: "customer_id", Message: "unknown_ref",
					Params: []any{"customer"}})
			}
		} else {
			out.Customer, err = s.customers.CreateWith(ctx, customerFrom(ctx, l, req.Customer),
				customer.CreateOptions{AllowDuplicate: allowDuplicate, ExcludeLeadIDs: []string{l.ID}})
			err = prefixed(err, "customer")
		}
		if err != nil {
			return err
		}
		out.Contact, err = s.customers.CreateContact(ctx, contactFrom(l, out.Customer.ID, req.Contact))
		if err != nil {
			return prefixed(err, "contact")
		}
		if req.Opportunity != nil {
			if s.opportunities == nil {
				return errors.New("lead.convert: opportunities not wired")
			}
			out.Opportunity, err = s.opportunities.Create(ctx, opportunityFrom(ctx, l, out, req.Opportunity))
			if err != nil {
				return prefixed(err, "opportunity")
			}
		}
		now := db.Now()
		l.Status, l.ConvertedAt, l.ConvertedBy = StatusConverted, &now, authz.ActorFrom(ctx).ID()
		l.CustomerID, l.ContactID = &out.Customer.ID, &out.Contact.ID
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Lead = l
	return out, nil
}

// customerFrom is the new customer: the request's values, the lead's where
// the request leaves them blank. It goes to the lead's owner, or to the
// caller when the lead has none (an API key leaves it in the pool).
func customerFrom(ctx context.Context, l *Lead, in *ConvertCustomer) customer.CustomerCreateRequest {
	var c ConvertCustomer
	if in != nil {
		c = *in
	}
	or := func(v, def string) string {
		if strings.TrimSpace(v) == "" {
			return def
		}
		return v
	}
	name := l.Company
	if name == "" {
		name = l.Name
	}
	tags := c.Tags
	if tags == nil {
		tags = append([]string{}, l.Tags...)
	}
	req := customer.CustomerCreateRequest{Name: or(c.Name, name), Industry: c.Industry, Size: c.Size,
		Potential: c.Potential, Level: c.Level, Region: or(c.Region, l.Region), Address: c.Address, Phone: c.Phone,
		Email: c.Email, Website: c.Website, Source: or(c.Source, l.Source), Tags: tags,
		LifecycleStage: c.LifecycleStage}
	owner := deref(l.OwnerID)
	if a := authz.ActorFrom(ctx); owner == "" && a != nil && !a.IsAPIKey() {
		owner = a.UserID
	}
	if owner != "" {
		req.OwnerID = &owner
	}
	return req
}

// opportunityFrom is the new opportunity: for the customer and contact
// just made, named after the customer unless named, with the lead's source,
// owned by the lead's owner (or the caller, for an unowned lead).
func opportunityFrom(ctx context.Context, l *Lead, conv *Conversion, in *ConvertOpportunity) opportunity.OpportunityCreateRequest {
	name := in.Name
	if strings.TrimSpace(name) == "" {
		name = conv.Customer.Name
	}
	req := opportunity.OpportunityCreateRequest{Name: name, CustomerID: conv.Customer.ID, ContactID: &conv.Contact.ID,
		Amount: in.Amount, ExpectedCloseDate: in.ExpectedCloseDate, Source: l.Source}
	owner := deref(l.OwnerID)
	if a := authz.ActorFrom(ctx); owner == "" && a != nil && !a.IsAPIKey() {
		owner = a.UserID
	}
	if owner != "" {
		req.OwnerID = &owner
	}
	return req
}

// contactFrom is the new contact: the request's values, the lead's person
// where it leaves them blank (the lead's phone as mobile or landline).
func contactFrom(l *Lead, customerID string, in *ConvertContact) customer.ContactCreateRequest {
	var c ConvertContact
	if in != nil {
		c = *in
	}
	req := customer.ContactCreateRequest{CustomerID: customerID, Name: c.Name, Title: c.Title, Phone: c.Phone,
		Mobile: c.Mobile, Email: c.Email, Wechat: c.Wechat, Birthday: c.Birthday, DecisionRole: c.DecisionRole,
		Notes: c.Notes}
	if strings.TrimSpace(req.Name) == "" {
		req.Name = l.Name
	}
	if strings.TrimSpace(req.Title) == "" {
		req.Title = l.Title
	}
	if strings.TrimSpace(req.Email) == "" {
		req.Email = l.Email
	}
	if strings.TrimSpace(req.Phone) == "" && strings.TrimSpace(req.Mobile) == "" && l.Phone != "" {
		if dedupe.IsMobile(l.Phone) {
			req.Mobile = l.Phone
		} else {
			req.Phone = l.Phone
		}
	}
	return req
}

// prefixed names the fields of a validation error after the part of the
// request they came from ("contact.email").
func prefixed(err error, part string) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || !errors.Is(ae.Kind, apperr.ErrInvalid) {
		return err
	}
	cp := *ae
	cp.Fields = make([]apperr.FieldError, len(ae.Fields))
	for i, f := range ae.Fields {
		f.Field = part + "." + f.Field
		cp.Fields[i] = f
	}
	return &cp
}

// moveLeads is the customer merge hook: leads converted into a merged
// customer now point at the one it went into.
func (s *Service) moveLeads(ctx context.Context, target string, sources []string) (int64, error) {
	res := s.db.Conn(ctx).Unscoped().Model(&Lead{}).Where("customer_id IN ?", sources).
		UpdateColumns(map[string]any{"customer_id": target, "updated_at": db.Now()})
	if res.Error != nil {
		return 0, fmt.Errorf("lead.merge_customers: %w", res.Error)
	}
	return res.RowsAffected, nil
}
