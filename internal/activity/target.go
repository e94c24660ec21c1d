package activity

import (
	"context"
	"time"

	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/opportunity"
	"gorm.io/gorm"
)

// Related is what an activity needs to know about the record it is about.
type Related struct {
	OwnerID, CustomerID, Name string
	// Latitude and Longitude locate the record's customer, when known:
	// check-ins measure their distance to it.
	Latitude, Longitude *float64
}

// Target is a kind of record activities may be about (lead, customer,
// contact, opportunity). Each module that owns one provides it.
type Target interface {
	// Get loads the record in the caller's scope; outside it, apperr
	// NotFound.
	Get(ctx context.Context, id string) (Related, error)
	// VisibleIDs is a subquery of the ids of the records in the caller's
	// scope: activities about them are visible to the caller.
	VisibleIDs(ctx context.Context) *gorm.DB
	// FollowedUp moves the record on after a contact at at (a follow-up or
	// a completed activity), with next the planned next contact, inside the
	// caller's transaction.
	FollowedUp(ctx context.Context, id string, at time.Time, next *time.Time) error
}

// RegisterTarget makes relatedType a kind of record activities may be
// about; call while wiring. An unregistered type is a 422 on related_type.
func (s *Service) RegisterTarget(relatedType string, t Target) { s.targets[relatedType] = t }

// UseBuiltinTargets registers leads, customers and contacts, and adds the
// activities to the customer timeline and customer merges. Call while
// wiring.
func (s *Service) UseBuiltinTargets(leads *lead.Service, customers *customer.Service) {
	s.RegisterTarget("lead", leadTarget{leads})
	s.RegisterTarget("customer", customerTarget{customers})
	s.RegisterTarget("contact", contactTarget{customers})
	customers.AddTimelineSource(s.timelineSource(StatusDone))
	customers.AddTimelineSource(s.timelineSource(StatusPlanned))
	customers.AddMergeHook("activities", s.store.moveCustomer)
}

type leadTarget struct{ svc *lead.Service }

func (t leadTarget) Get(ctx context.Context, id string) (Related, error) {
	l, err := t.svc.Get(ctx, id)
	if err != nil {
		return Related{}, err
	}
	return Related{OwnerID: deref(l.OwnerID), CustomerID: deref(l.CustomerID), Name: l.Name}, nil
}

func (t leadTarget) VisibleIDs(ctx context.Context) *gorm.DB { return t.svc.VisibleIDs(ctx) }

func (t leadTarget) FollowedUp(ctx context.Context, id string, at time.Time, next *time.Time) error {
	return t.svc.FollowedUp(ctx, id, at, next)
}

type customerTarget struct{ svc *customer.Service }

func (t customerTarget) Get(ctx context.Context, id string) (Related, error) {
	c, err := t.svc.GetInScope(ctx, id)
	if err != nil {
		return Related{}, err
	}
	return Related{OwnerID: deref(c.OwnerID), CustomerID: c.ID, Name: c.Name, Latitude: c.Latitude,
		Longitude: c.Longitude}, nil
}

func (t customerTarget) VisibleIDs(ctx context.Context) *gorm.DB { return t.svc.VisibleIDs(ctx) }

func (t customerTarget) FollowedUp(ctx context.Context, id string, at time.Time, next *time.Time) error {
	return t.svc.FollowedUp(ctx, id, at, next)
}

// contactTarget: a contact is seen by whoever sees its customer, and a
// contact with a person there follows the customer up.
type contactTarget struct{ svc *customer.Service }

func (t contactTarget) Get(ctx context.Context, id string) (Related, error) {
	ct, c, err := t.svc.ContactInScope(ctx, id)
	if err != nil {
		return Related{}, err
	}
	return Related{OwnerID: deref(c.OwnerID), CustomerID: c.ID, Name: ct.Name, Latitude: c.Latitude,
		Longitude: c.Longitude}, nil
}

func (t contactTarget) VisibleIDs(ctx context.Context) *gorm.DB { return t.svc.VisibleContactIDs(ctx) }

func (t contactTarget) FollowedUp(ctx context.Context, id string, at time.Time, next *time.Time) error {
	customerID, err := t.svc.ContactCustomerID(ctx, id)
	if err != nil {
		return err
	}
	return t.svc.FollowedUp(ctx, customerID, at, next)
}

// UseOpportunities registers opportunities: activities about one are
// visible to whoever sees it, check-ins measure against its customer's
// position, and completing one refreshes its engagement (and so its score).
func (s *Service) UseOpportunities(opps *opportunity.Service, customers *customer.Service) {
	s.RegisterTarget("opportunity", opportunityTarget{opps, customers})
}

type opportunityTarget struct {
	opps      *opportunity.Service
	customers *customer.Service
}

func (t opportunityTarget) Get(ctx context.Context, id string) (Related, error) {
	o, err := t.opps.GetVisible(ctx, id)
	if err != nil {
		return Related{}, err
	}
	r := Related{OwnerID: o.OwnerID, CustomerID: o.CustomerID, Name: o.Name}
	// The customer's position is only a bonus for check-ins: a customer
	// outside the caller's scope simply leaves it unknown.
	if c, err := t.customers.GetInScope(ctx, o.CustomerID); err == nil {
		r.Latitude, r.Longitude = c.Latitude, c.Longitude
	}
	return r, nil
}

func (t opportunityTarget) VisibleIDs(ctx context.Context) *gorm.DB { return t.opps.VisibleIDs(ctx) }

func (t opportunityTarget) FollowedUp(ctx context.Context, id string, at time.Time, _ *time.Time) error {
	return t.opps.TouchActivity(ctx, id, at)
}
