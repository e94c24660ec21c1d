package lead

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/followup"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
)

// Directory finds users and teams, to check who may own a lead and whom a
// rule routes to (org.Store).
type Directory interface {
	UserByID(ctx context.Context, id string) (*org.User, error)
	TeamSubtree(ctx context.Context, teamID string) ([]string, error)
	AssignableOwner(ctx context.Context, a *authz.Actor, field, id string) (*org.User, error)
}

// Service holds the lead use cases.
type Service struct {
	db    *db.DB
	store *Store
	users Directory
	audit *audit.Writer
	// settings and notify are set by UseRouting.
	settings SettingsSource
	notify   Notifier
	dups     *dedupe.Finder
	// customers is set by UseCustomers (conversion).
	customers Customers
	// opportunities is set by UseOpportunities (conversion).
	opportunities Opportunities
	// followUps and reminders are set by UseFollowUps.
	followUps followup.Log
	reminders followup.Reminders
	// writes is the versioned, audited write every change goes through.
	writes record.Mutation[*Lead]
}

// NewService wires the lead service.
func NewService(d *db.DB, st *Store, users Directory, aw *audit.Writer) *Service {
	return &Service{db: d, store: st, users: users, audit: aw, dups: dedupe.NewFinder(d),
		writes: record.Mutation[*Lead]{DB: d, Audit: aw, Entity: "lead", Save: st.Save,
			ID: func(l *Lead) string { return l.ID }, View: func(l *Lead) any { return View(l) }}}
}

// Get loads one lead in the caller's scope.
func (s *Service) Get(ctx context.Context, id string) (*Lead, error) {
	if err := authz.Require(ctx, "leads:read"); err != nil {
		return nil, err
	}
	return s.store.Get(ctx, authz.ActorFrom(ctx), id)
}

// View is a lead in the caller's scope as GET /leads/{id} shows it.
func (s *Service) View(ctx context.Context, id string) (LeadResponse, error) {
	if err := authz.Require(ctx, "leads:read"); err != nil {
		return LeadResponse{}, err
	}
	l, err := s.store.View(ctx, authz.ActorFrom(ctx), id)
	if err != nil {
		return LeadResponse{}, err
	}
	return View(l), nil
}

// List pages through the leads in the caller's scope.
func (s *Service) List(ctx context.Context, f Filter, r paging.Request) (paging.Page[Lead], error) {
	if err := authz.Require(ctx, "leads:read"); err != nil {
		return paging.Page[Lead]{}, err
	}
	q, err := leadSpec.Parse(r)
	if err != nil {
		return paging.Page[Lead]{}, err
	}
	var v validate.V
	if f.Check(&v); v.Err() != nil {
		return paging.Page[Lead]{}, v.Err()
	}
	page, err := q.Fetch(s.store.Query(ctx, authz.ActorFrom(ctx), f))
	if err != nil {
		return page, fmt.Errorf("lead.list: %w", err)
	}
	return page, nil
}

// CreateOptions tune Create.
type CreateOptions struct {
	// AllowDuplicate creates the lead even when it matches existing leads
	// or customers; the override is audited.
	AllowDuplicate bool
}

// Create adds a lead after the duplicate check (CreateWith with no
// options): a lead whose phone, email or company matches a live lead or
// customer is a 409 duplicate listing the matches.
func (s *Service) Create(ctx context.Context, req LeadCreateRequest) (*Lead, error) {
	return s.CreateWith(ctx, req, CreateOptions{})
}

// CreateWith adds a lead. A rep owns what they create unless they name an
// owner they may give it to. A lead an admin, manager or API key creates
// without owner_id goes through the assignment rules, and stays unowned in
// the pool when none matches.
func (s *Service) CreateWith(ctx context.Context, req LeadCreateRequest, opts CreateOptions) (*Lead, error) {
	if err := authz.Require(ctx, "leads:write"); err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	now := db.Now()
	l := &Lead{ID: uuid.Must(uuid.NewV7()).String(), Name: req.Name, Company: req.Company, Title: req.Title,
		Phone: req.Phone, Email: req.Email, Source: req.Source, Region: req.Region,
		ProductInterest: req.ProductInterest, Description: req.Description, Status: req.Status,
		Tags: req.Tags, CreatedBy: a.ID(), CreatedAt: now, UpdatedAt: now, Version: 1}
	if l.Source == "" {
		l.Source = DefaultSource
	}
	if l.Status == "" {
		l.Status = StatusNew
	}
	var v validate.V
	checkStatus(&v, l.Status)
	if err := Check(&v, l); err != nil {
		return nil, err
	}
	owner := strings.TrimSpace(deref(req.OwnerID))
	routed := owner == "" && (a.IsAPIKey() || a.Role == authz.RoleAdmin || a.Role == authz.RoleManager)
	if owner == "" && !routed {
		owner = a.UserID
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		dups, err := s.checkDuplicates(ctx, l, opts.AllowDuplicate)
		if err != nil {
			return err
		}
		reason := ReasonManual
		switch {
		case owner != "" && owner == a.UserID:
			l.OwnerID = &owner
		case owner != "":
			if err := s.checkOwner(ctx, a, owner); err != nil {
				return err
			}
			l.giveTo(owner, nil)
		case routed:
			if _, err := s.route(ctx, l); err != nil {
				return err
			}
			reason = ReasonRule
		}
		if err := s.store.Create(ctx, l); err != nil {
			return err
		}
		if l.OwnerID != nil && *l.OwnerID != a.UserID {
			if err := s.recordAssignment(ctx, l, nil, reason, actorOf(ctx)); err != nil {
				return err
			}
		}
		if err := s.audit.Record(ctx, "create", "lead", l.ID, nil, View(l)); err != nil {
			return err
		}
		return s.recordOverride(ctx, l.ID, dups)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Update changes the given fields of a lead in the caller's scope.
func (s *Service) Update(ctx context.Context, id string, ifMatch *int, req LeadUpdateRequest) (*Lead, error) {
	if err := authz.Require(ctx, "leads:write"); err != nil {
		return nil, err
	}
	return s.mutate(ctx, id, ifMatch, "update", func(ctx context.Context, l *Lead) error {
		var v validate.V
		set := func(dst *string, src *string) {
			if src != nil {
				*dst = *src
			}
		}
		set(&l.Name, req.Name)
		set(&l.Company, req.Company)
		set(&l.Title, req.Title)
		set(&l.Phone, req.Phone)
		set(&l.Email, req.Email)
		set(&l.Source, req.Source)
		set(&l.Region, req.Region)
		set(&l.ProductInterest, req.ProductInterest)
		set(&l.Description, req.Description)
		if req.Status != nil {
			checkStatus(&v, *req.Status)
			// A closed lead stays closed: reopening it would put it back
			// in the pool and let it convert a second time.
			if v.Err() == nil && slices.Contains(closed, l.Status) {
				return apperr.Conflict("invalid_transition", "invalid_transition")
			}
			l.Status = *req.Status
		}
		if req.Tags != nil {
			l.Tags = *req.Tags
		}
		return Check(&v, l)
	})
}

// Delete soft-deletes a lead in the caller's scope; it is gone from every
// read afterwards but kept for the audit trail.
func (s *Service) Delete(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "leads:delete"); err != nil {
		return err
	}
	a := authz.ActorFrom(ctx)
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		l, err := s.store.Get(ctx, a, id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != l.Version {
			return apperr.VersionMismatch()
		}
		if err := s.store.SoftDelete(ctx, l, l.Version); err != nil {
			return err
		}
		return s.audit.Record(ctx, "delete", "lead", l.ID, View(l), nil)
	})
}

// Assign gives a lead in the caller's scope to an active user they may own
// records for.
func (s *Service) Assign(ctx context.Context, id string, ifMatch *int, ownerID string) (*Lead, error) {
	if err := authz.Require(ctx, "leads:assign"); err != nil {
		return nil, err
	}
	ownerID = strings.TrimSpace(ownerID)
	if ownerID == "" {
		return nil, apperr.Invalid(apperr.FieldError{Field: "owner_id", Message: "required"})
	}
	// Besides the leads in scope, an assigner may hand out pool leads.
	return s.mutateFrom(ctx, s.store.GetAssignable, id, ifMatch, "assign", func(ctx context.Context, l *Lead) error {
		if err := s.checkOwner(ctx, authz.ActorFrom(ctx), ownerID); err != nil {
			return err
		}
		from := l.OwnerID
		l.giveTo(ownerID, nil)
		return s.recordAssignment(ctx, l, from, ReasonManual, actorOf(ctx))
	})
}

// mutate loads a lead in scope, checks If-Match, applies change and saves
// it with its audit row, all in one transaction.
func (s *Service) mutate(ctx context.Context, id string, ifMatch *int, action string,
	change func(context.Context, *Lead) error) (*Lead, error) {
	return s.mutateFrom(ctx, s.store.Get, id, ifMatch, action, change)
}

// mutateFrom is mutate with the lead loaded by load.
func (s *Service) mutateFrom(ctx context.Context, load func(context.Context, *authz.Actor, string) (*Lead, error),
	id string, ifMatch *int, action string, change func(context.Context, *Lead) error) (*Lead, error) {
	return s.writes.Apply(ctx, func(ctx context.Context) (*Lead, error) { return load(ctx, authz.ActorFrom(ctx), id) },
		ifMatch, action, change)
}

// checkOwner refuses an owner the actor may not give records to
// (org.Store.AssignableOwner: same answer for unknown and out-of-reach).
func (s *Service) checkOwner(ctx context.Context, a *authz.Actor, id string) error {
	_, err := s.users.AssignableOwner(ctx, a, "owner_id", id)
	return err
}

// checkStatus allows the statuses a create or PATCH may set.
func checkStatus(v *validate.V, st string) {
	if st == StatusConverted || st == StatusDisqualified {
		v.Add("status", "status_via_action")
		return
	}
	if v.Required("status", st) {
		v.OneOf("status", st, EditableStatuses...)
	}
}

// Check trims, folds and validates a lead's fields into v, as every way
// of creating or changing a lead (API, form, import) must.
func Check(v *validate.V, l *Lead) error {
	for _, p := range []*string{&l.Name, &l.Company, &l.Title, &l.Phone, &l.Email, &l.Source, &l.Region,
		&l.ProductInterest} {
		*p = strings.TrimSpace(*p)
	}
	// Full-width digits and ＠ (typed with a Chinese IME) are kept as ASCII.
	l.Phone, l.Email = dedupe.Fold(l.Phone), dedupe.Fold(l.Email)
	if v.Required("name", l.Name) {
		v.MaxLen("name", l.Name, maxName)
	}
	v.MaxLen("company", l.Company, maxCompany)
	v.MaxLen("title", l.Title, maxTitle)
	v.Phone("phone", l.Phone)
	v.MaxLen("email", l.Email, maxEmail)
	v.Email("email", l.Email)
	if v.Required("source", l.Source) {
		v.OneOf("source", l.Source, Sources...)
	}
	v.MaxLen("region", l.Region, maxRegion)
	v.MaxLen("product_interest", l.ProductInterest, maxProduct)
	v.MaxLen("description", l.Description, maxDescription)
	tags := make(db.StringList, 0, len(l.Tags))
	for _, t := range l.Tags {
		if t = strings.TrimSpace(t); !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	v.Tags("tags", tags, maxTags)
	l.Tags = tags
	return v.Err()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
