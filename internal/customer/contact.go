package customer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/validate"
	"gorm.io/gorm"
)

// Contacts have no owner of their own: a contact is visible exactly to
// whoever sees its customer, so every query below judges the customer
// through the same scoped / visible bases as customers themselves.

// contactsIn is the live contacts of the customers in base.
func (s *Store) contactsIn(ctx context.Context, base *gorm.DB) *gorm.DB {
	return s.db.Conn(ctx).Model(&Contact{}).Where("contacts.customer_id IN (?)", base.Select("customers.id"))
}

// ContactFilter narrows the contact list.
type ContactFilter struct {
	CustomerID string
	Q          string
	// masked: the caller sees the contacts' handles masked (a pool
	// customer), so q must not search them.
	masked bool
}

func (f ContactFilter) apply(q *gorm.DB) *gorm.DB {
	if f.CustomerID != "" {
		q = q.Where("contacts.customer_id = ?", f.CustomerID)
	}
	if f.Q != "" {
		cols := []string{"contacts.name", "contacts.title"}
		if !f.masked {
			cols = append(cols, "contacts.phone", "contacts.mobile", "contacts.email", "contacts.wechat")
		}
		q = db.Contains(q, f.Q, cols...)
	}
	return q
}

// getContact loads a contact whose customer is in base.
func (s *Store) getContact(ctx context.Context, base *gorm.DB, id string) (*Contact, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, apperr.NotFound("contact")
	}
	var c Contact
	err := s.contactsIn(ctx, base).Where("contacts.id = ?", id).Take(&c).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("contact")
	}
	if err != nil {
		return nil, fmt.Errorf("contact.get: %w", err)
	}
	return &c, nil
}

var contactMutable = []string{"name", "title", "phone", "mobile", "email", "wechat", "birthday", "decision_role",
	"notes", "updated_at", "version", "deleted_at", "phone_norm", "mobile_norm", "email_norm"}

// saveContact writes c back if it is still at version read (else 412).
func (s *Store) saveContact(ctx context.Context, c *Contact, read int) error {
	c.SetNorms()
	res := s.db.Conn(ctx).Model(&Contact{}).Where("id = ? AND version = ?", c.ID, read).Select(contactMutable).
		UpdateColumns(c)
	if res.Error != nil {
		return fmt.Errorf("contact.save: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	return nil
}

var contactSpec = paging.Spec[Contact]{
	Columns: map[string]paging.Column[Contact]{
		"created_at": {Expr: "contacts.created_at", Time: true, Get: func(c *Contact) any { return c.CreatedAt }},
		"updated_at": {Expr: "contacts.updated_at", Time: true, Get: func(c *Contact) any { return c.UpdatedAt }},
		"name":       {Expr: "contacts.name", Get: func(c *Contact) any { return c.Name }},
	},
	Default: "-created_at",
	IDExpr:  "contacts.id",
	ID:      func(c *Contact) string { return c.ID },
}

// ListContacts pages through the contacts of the customers in the
// caller's scope (not the pool: those are under /customers/{id}/contacts).
func (s *Service) ListContacts(ctx context.Context, f ContactFilter, r paging.Request) (paging.Page[Contact], error) {
	if err := authz.Require(ctx, "contacts:read"); err != nil {
		return paging.Page[Contact]{}, err
	}
	return fetchContacts(r, f.apply(s.store.contactsIn(ctx, s.store.scoped(ctx, authz.ActorFrom(ctx)))))
}

// CustomerContacts pages through one customer's contacts; the customer
// may be in the caller's scope or in the pool. The customer comes back
// too, so the caller knows whether to mask.
func (s *Service) CustomerContacts(ctx context.Context, customerID string, f ContactFilter, r paging.Request) (
	paging.Page[Contact], *Customer, error) {
	if err := authz.Require(ctx, "contacts:read"); err != nil {
		return paging.Page[Contact]{}, nil, err
	}
	a := authz.ActorFrom(ctx)
	c, err := s.store.GetVisible(ctx, a, customerID)
	if err != nil {
		return paging.Page[Contact]{}, nil, err
	}
	f.CustomerID, f.masked = c.ID, masked(a, c)
	page, err := fetchContacts(r, f.apply(s.db.Conn(ctx).Model(&Contact{})))
	return page, c, err
}

func fetchContacts(r paging.Request, base *gorm.DB) (paging.Page[Contact], error) {
	q, err := contactSpec.Parse(r)
	if err != nil {
		return paging.Page[Contact]{}, err
	}
	page, err := q.Fetch(base)
	if err != nil {
		return page, fmt.Errorf("contact.list: %w", err)
	}
	return page, nil
}

// GetContact loads a contact whose customer the caller sees (scope or
// pool), with that customer.
func (s *Service) GetContact(ctx context.Context, id string) (*Contact, *Customer, error) {
	if err := authz.Require(ctx, "contacts:read"); err != nil {
		return nil, nil, err
	}
	a := authz.ActorFrom(ctx)
	ct, err := s.store.getContact(ctx, s.store.visible(ctx, a), id)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.store.GetVisible(ctx, a, ct.CustomerID)
	if err != nil {
		return nil, nil, err
	}
	return ct, c, nil
}

// CreateContact adds a contact to a customer in the caller's scope; a
// pool customer must be claimed first (admins excepted).
func (s *Service) CreateContact(ctx context.Context, req ContactCreateRequest) (*Contact, error) {
	if err := authz.Require(ctx, "contacts:write"); err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	now := db.Now()
	ct := &Contact{ID: uuid.Must(uuid.NewV7()).String(), CustomerID: strings.TrimSpace(req.CustomerID),
		Name: req.Name, Title: req.Title, Phone: req.Phone, Mobile: req.Mobile, Email: req.Email, Wechat: req.Wechat,
		Birthday: req.Birthday, DecisionRole: req.DecisionRole, Notes: req.Notes, CreatedBy: a.ID(),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	var v validate.V
	v.Required("customer_id", ct.CustomerID)
	if err := checkContact(&v, ct); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		// Locked, so a merge of this customer running now either moves the
		// new contact or has already made the customer disappear.
		if err := s.store.lockCustomers(ctx, []string{ct.CustomerID}); err != nil {
			return err
		}
		if _, err := s.store.Get(ctx, a, ct.CustomerID); errors.Is(err, apperr.ErrNotFound) {
			return apperr.Invalid(apperr.FieldError{Field: "customer_id", Message: "unknown_ref",
				Params: []any{"customer"}})
		} else if err != nil {
			return err
		}
		ct.SetNorms()
		if err := s.db.Conn(ctx).Create(ct).Error; err != nil {
			return fmt.Errorf("contact.create: %w", err)
		}
		return s.audit.Record(ctx, "create", "contact", ct.ID, nil, ContactView(ct))
	})
	if err != nil {
		return nil, err
	}
	return ct, nil
}

// UpdateContact changes the given fields of a contact whose customer is
// in the caller's scope.
func (s *Service) UpdateContact(ctx context.Context, id string, ifMatch *int, req ContactUpdateRequest) (*Contact, error) {
	if err := authz.Require(ctx, "contacts:write"); err != nil {
		return nil, err
	}
	return s.mutateContact(ctx, id, ifMatch, "update", func(ct *Contact) error {
		for _, p := range []struct{ dst, src *string }{{&ct.Name, req.Name}, {&ct.Title, req.Title},
			{&ct.Phone, req.Phone}, {&ct.Mobile, req.Mobile}, {&ct.Email, req.Email}, {&ct.Wechat, req.Wechat},
			{&ct.DecisionRole, req.DecisionRole}, {&ct.Notes, req.Notes}} {
			if p.src != nil {
				*p.dst = *p.src
			}
		}
		if req.Birthday != nil {
			ct.Birthday = req.Birthday
			if strings.TrimSpace(*req.Birthday) == "" {
				ct.Birthday = nil
			}
		}
		return checkContact(&validate.V{}, ct)
	})
}

// DeleteContact soft-deletes a contact whose customer is in the caller's
// scope.
func (s *Service) DeleteContact(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "contacts:delete"); err != nil {
		return err
	}
	_, err := s.mutateContact(ctx, id, ifMatch, "delete", func(ct *Contact) error {
		ct.DeletedAt = gorm.DeletedAt{Time: db.Now(), Valid: true}
		return nil
	})
	return err
}

func (s *Service) mutateContact(ctx context.Context, id string, ifMatch *int, action string,
	change func(*Contact) error) (*Contact, error) {
	var out *Contact
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		ct, err := s.store.getContact(ctx, s.store.scoped(ctx, authz.ActorFrom(ctx)), id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != ct.Version {
			return apperr.VersionMismatch()
		}
		before := ContactView(ct)
		if err := change(ct); err != nil {
			return err
		}
		read := ct.Version
		ct.Version++
		ct.UpdatedAt = db.Now()
		if err := s.store.saveContact(ctx, ct, read); err != nil {
			return err
		}
		out = ct
		var after any = ContactView(ct)
		if action == "delete" {
			after = nil
		}
		return s.audit.Record(ctx, action, "contact", ct.ID, before, after)
	})
	return out, err
}

// checkContact normalises a contact's fields in place and validates them.
func checkContact(v *validate.V, c *Contact) error {
	for _, p := range []*string{&c.Name, &c.Title, &c.Phone, &c.Mobile, &c.Email, &c.Wechat, &c.DecisionRole} {
		*p = strings.TrimSpace(*p)
	}
	// Full-width digits and ＠ (typed with a Chinese IME) are kept as ASCII.
	c.Phone, c.Mobile, c.Email = dedupe.Fold(c.Phone), dedupe.Fold(c.Mobile), dedupe.Fold(c.Email)
	if v.Required("name", c.Name) {
		v.MaxLen("name", c.Name, maxShort)
	}
	v.MaxLen("title", c.Title, maxShort)
	v.Phone("phone", c.Phone)
	v.Phone("mobile", c.Mobile)
	v.MaxLen("email", c.Email, maxEmail)
	v.Email("email", c.Email)
	v.MaxLen("wechat", c.Wechat, maxShort)
	v.OneOf("decision_role", c.DecisionRole, DecisionRoles...)
	v.MaxLen("notes", c.Notes, maxNotes)
	if c.Birthday != nil {
		b := strings.TrimSpace(*c.Birthday)
		c.Birthday = &b
		if t, err := time.Parse(time.DateOnly, b); b == "" {
			c.Birthday = nil
		} else if err != nil {
			v.Add("birthday", "invalid_date")
		} else if t.After(time.Now()) {
			v.Add("birthday", "in_future")
		}
	}
	return v.Err()
}
