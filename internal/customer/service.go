package customer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/followup"
	"github.com/opencrm/crm/internal/notification"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/validate"
	"github.com/opencrm/crm/internal/settings"
	"gorm.io/gorm"
)

// Directory finds users, to check who may own a customer (org.Store).
type Directory interface {
	UserByID(ctx context.Context, id string) (*org.User, error)
	AssignableOwner(ctx context.Context, a *authz.Actor, field, id string) (*org.User, error)
}

// Settings gives the pool rules their current values (settings.Service).
type Settings interface {
	Current(ctx context.Context) (settings.Values, error)
}

// Notifier writes inbox items inside the caller's transaction
// (notification.Service).
type Notifier interface {
	Notify(ctx context.Context, n notification.Notification) error
}

// Service holds the customer and contact use cases.
type Service struct {
	db       *db.DB
	store    *Store
	users    Directory
	audit    *audit.Writer
	settings Settings
	notify   Notifier
	timeline []TimelineSource
	// followUps and reminders are set by UseFollowUps.
	followUps followup.Log
	reminders followup.Reminders
	dups      *dedupe.Finder
	merge     []namedHook
	// profileHooks run when a customer's size or potential changes.
	profileHooks []func(ctx context.Context, customerID string) error
	// writes is the versioned, audited write every change goes through.
	writes record.Mutation[*Customer]
}

// NewService wires the customer service with the built-in timeline
// sources; later modules add theirs with AddTimelineSource.
func NewService(d *db.DB, st *Store, users Directory, aw *audit.Writer, set Settings, n Notifier) *Service {
	s := &Service{db: d, store: st, users: users, audit: aw, settings: set, notify: n, dups: dedupe.NewFinder(d),
		writes: record.Mutation[*Customer]{DB: d, Audit: aw, Entity: "customer", Save: st.Save,
			ID: func(c *Customer) string { return c.ID }, View: func(c *Customer) any { return View(c) }}}
	s.timeline = builtinSources(d)
	return s
}

// Get loads one customer in the caller's scope or in the public pool
// (masked for callers without admin scope).
func (s *Service) Get(ctx context.Context, id string) (*Customer, error) {
	if err := authz.Require(ctx, "customers:read"); err != nil {
		return nil, err
	}
	return s.store.GetVisible(ctx, authz.ActorFrom(ctx), id)
}

// GetInScope loads a customer in the caller's data scope (the pool
// excluded, admins aside): what a lead may be converted into.
func (s *Service) GetInScope(ctx context.Context, id string) (*Customer, error) {
	if err := authz.Require(ctx, "customers:read"); err != nil {
		return nil, err
	}
	return s.store.Get(ctx, authz.ActorFrom(ctx), id)
}

// List pages through the customers in the caller's scope.
func (s *Service) List(ctx context.Context, f Filter, r paging.Request) (paging.Page[Customer], error) {
	if err := authz.Require(ctx, "customers:read"); err != nil {
		return paging.Page[Customer]{}, err
	}
	return s.page(f, r, s.store.Query(ctx, authz.ActorFrom(ctx), f))
}

// page validates the list request and fetches one page of base.
func (s *Service) page(f Filter, r paging.Request, base *gorm.DB) (paging.Page[Customer], error) {
	q, err := customerSpec.Parse(r)
	if err != nil {
		return paging.Page[Customer]{}, err
	}
	if err := checkFilter(f); err != nil {
		return paging.Page[Customer]{}, err
	}
	page, err := q.Fetch(base)
	if err != nil {
		return page, fmt.Errorf("customer.list: %w", err)
	}
	return page, nil
}

// CreateOptions tune Create.
type CreateOptions struct {
	// AllowDuplicate creates the customer even when it matches existing
	// leads or customers; the override is audited.
	AllowDuplicate bool
	// ExcludeLeadIDs are leads not to count as duplicates: the lead being
	// converted into this customer.
	ExcludeLeadIDs []string
}

// Create adds a customer after the duplicate check (CreateWith with no
// options): a name, phone or email that matches a live lead or customer
// (or a contact's phone or email) is a 409 duplicate listing the matches.
func (s *Service) Create(ctx context.Context, req CustomerCreateRequest) (*Customer, error) {
	return s.CreateWith(ctx, req, CreateOptions{})
}

// CreateWith adds a customer. Owner: a rep always owns what they create (a rep
// may not fill the pool with records nobody owns, nor hand work to
// others); an admin, manager or API key gives it to owner_id when given
// (someone they may give records to) and otherwise leaves it in the pool.
func (s *Service) CreateWith(ctx context.Context, req CustomerCreateRequest, opts CreateOptions) (*Customer, error) {
	if err := authz.Require(ctx, "customers:write"); err != nil {
		return nil, err
	}
	a := authz.ActorFrom(ctx)
	if req.Locked {
		if err := authz.Require(ctx, "customers:lock"); err != nil {
			return nil, err
		}
	}
	now := db.Now()
	c := &Customer{ID: uuid.Must(uuid.NewV7()).String(), Name: req.Name, Industry: req.Industry, Size: req.Size,
		Potential: req.Potential, Level: req.Level, Region: req.Region, Address: req.Address, Phone: req.Phone,
		Email: req.Email, Website: req.Website, Source: req.Source, Tags: req.Tags,
		LifecycleStage: req.LifecycleStage, Locked: req.Locked, Latitude: req.Latitude, Longitude: req.Longitude, CreatedBy: a.ID(), CreatedAt: now, UpdatedAt: now,
		Version: 1}
	if strings.TrimSpace(c.Source) == "" {
		c.Source = DefaultSource
	}
	if strings.TrimSpace(c.LifecycleStage) == "" {
		c.LifecycleStage = DefaultLifecycle
	}
	if err := check(&validate.V{}, c); err != nil {
		return nil, err
	}
	owner := strings.TrimSpace(deref(req.OwnerID))
	if a.Role == authz.RoleRep && !a.IsAPIKey() && owner == "" {
		owner = a.UserID
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		dups, err := s.checkDuplicates(ctx, c, opts)
		if err != nil {
			return err
		}
		if owner != "" {
			if owner != a.UserID {
				if err := s.checkOwner(ctx, a, owner); err != nil {
					return err
				}
			}
			c.setOwner(&owner, now)
		}
		if err := s.store.Create(ctx, c); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, "create", "customer", c.ID, nil, View(c)); err != nil {
			return err
		}
		if err := s.recordOverride(ctx, c.ID, dups); err != nil {
			return err
		}
		if owner == "" || owner == a.UserID {
			return nil
		}
		return s.ownershipChanged(ctx, c, ActionAssign, nil, &owner, "created for you")
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Update changes the given fields of a customer in the caller's scope.
func (s *Service) Update(ctx context.Context, id string, ifMatch *int, req CustomerUpdateRequest) (*Customer, error) {
	if err := authz.Require(ctx, "customers:write"); err != nil {
		return nil, err
	}
	if req.Locked != nil {
		if err := authz.Require(ctx, "customers:lock"); err != nil {
			return nil, err
		}
	}
	var out *Customer
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		profileChanged := false
		var err error
		out, err = s.mutate(ctx, id, ifMatch, "update", func(ctx context.Context, c *Customer) error {
			sizeBefore, potentialBefore := c.Size, c.Potential
			set := func(dst *string, src *string) {
				if src != nil {
					*dst = *src
				}
			}
			set(&c.Name, req.Name)
			set(&c.Industry, req.Industry)
			set(&c.Size, req.Size)
			set(&c.Potential, req.Potential)
			set(&c.Level, req.Level)
			set(&c.Region, req.Region)
			set(&c.Address, req.Address)
			set(&c.Phone, req.Phone)
			set(&c.Email, req.Email)
			set(&c.Website, req.Website)
			set(&c.Source, req.Source)
			set(&c.LifecycleStage, req.LifecycleStage)
			if req.Tags != nil {
				c.Tags = *req.Tags
			}
			if req.Locked != nil {
				c.Locked = *req.Locked
			}
			if req.Latitude != nil {
				c.Latitude = req.Latitude
			}
			if req.Longitude != nil {
				c.Longitude = req.Longitude
			}
			profileChanged = c.Size != sizeBefore || c.Potential != potentialBefore
			return check(&validate.V{}, c)
		})
		if err != nil || !profileChanged {
			return err
		}
		// After the save, in the same transaction: hooks read the new values.
		for _, h := range s.profileHooks {
			if err := h(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// OnProfileChange runs h inside the update's transaction whenever a
// customer's size or potential changes (opportunity scores depend on
// them). Call while wiring.
func (s *Service) OnProfileChange(h func(ctx context.Context, customerID string) error) {
	s.profileHooks = append(s.profileHooks, h)
}

// Delete soft-deletes a customer in the caller's scope (customers:delete:
// admins and managers). Its contacts and history stay for the audit trail
// but disappear with it from every read.
func (s *Service) Delete(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "customers:delete"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		c, err := s.store.Get(ctx, authz.ActorFrom(ctx), id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != c.Version {
			return apperr.VersionMismatch()
		}
		if err := s.store.SoftDelete(ctx, c, c.Version); err != nil {
			return err
		}
		return s.audit.Record(ctx, "delete", "customer", c.ID, View(c), nil)
	})
}

// mutate loads a customer in scope, checks If-Match, applies change and
// saves it with its audit row, all in one transaction.
func (s *Service) mutate(ctx context.Context, id string, ifMatch *int, action string,
	change func(context.Context, *Customer) error) (*Customer, error) {
	return s.mutateFrom(ctx, id, ifMatch, action, s.store.Get, change)
}

// mutateFrom is mutate with the loader chosen (scoped, or scope+pool for
// transfers).
func (s *Service) mutateFrom(ctx context.Context, id string, ifMatch *int, action string,
	load func(context.Context, *authz.Actor, string) (*Customer, error),
	change func(context.Context, *Customer) error) (*Customer, error) {
	return s.writes.Apply(ctx, func(ctx context.Context) (*Customer, error) { return load(ctx, authz.ActorFrom(ctx), id) },
		ifMatch, action, change)
}

// checkOwner refuses an owner the actor may not give records to
// (org.Store.AssignableOwner: same answer for unknown and out-of-reach).
func (s *Service) checkOwner(ctx context.Context, a *authz.Actor, id string) error {
	_, err := s.users.AssignableOwner(ctx, a, "owner_id", id)
	return err
}

// check normalises a customer's fields in place and validates them all.
func check(v *validate.V, c *Customer) error {
	for _, p := range []*string{&c.Name, &c.Industry, &c.Size, &c.Potential, &c.Level, &c.Region, &c.Address,
		&c.Phone, &c.Email, &c.Website, &c.Source, &c.LifecycleStage} {
		*p = strings.TrimSpace(*p)
	}
	// Full-width digits and ＠ (typed with a Chinese IME) are kept as ASCII.
	c.Phone, c.Email = dedupe.Fold(c.Phone), dedupe.Fold(c.Email)
	if v.Required("name", c.Name) {
		v.MaxLen("name", c.Name, maxName)
	}
	v.MaxLen("industry", c.Industry, maxShort)
	v.OneOf("size", c.Size, Sizes...)
	v.OneOf("potential", c.Potential, Potentials...)
	v.OneOf("level", c.Level, Levels...)
	v.MaxLen("region", c.Region, maxShort)
	v.MaxLen("address", c.Address, maxLong)
	v.Phone("phone", c.Phone)
	v.MaxLen("email", c.Email, maxEmail)
	v.Email("email", c.Email)
	v.MaxLen("website", c.Website, maxLong)
	if v.Required("source", c.Source) {
		v.OneOf("source", c.Source, Sources...)
	}
	if v.Required("lifecycle_stage", c.LifecycleStage) {
		v.OneOf("lifecycle_stage", c.LifecycleStage, LifecycleStages...)
	}
	c.Tags = cleanTags(v, c.Tags)
	checkPosition(v, c.Latitude, c.Longitude)
	return v.Err()
}

// checkPosition holds a position to its ranges, both parts or neither.
func checkPosition(v *validate.V, lat, lng *float64) {
	switch {
	case lat == nil && lng != nil:
		v.Add("latitude", "required")
	case lat != nil && lng == nil:
		v.Add("longitude", "required")
	}
	if lat != nil && (*lat < -90 || *lat > 90) {
		v.Add("latitude", "between", "-90", "90")
	}
	if lng != nil && (*lng < -180 || *lng > 180) {
		v.Add("longitude", "between", "-180", "180")
	}
}

func cleanTags(v *validate.V, in []string) []string {
	tags := make([]string, 0, len(in))
	for _, t := range in {
		if t = strings.TrimSpace(t); !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	v.Tags("tags", tags, maxTags)
	return tags
}

// checkFilter refuses enum filter values that can match nothing (422).
func checkFilter(f Filter) error {
	var v validate.V
	for _, e := range []struct {
		field         string
		vals, allowed []string
	}{{"size", f.Size, Sizes}, {"potential", f.Potential, Potentials}, {"level", f.Level, Levels},
		{"lifecycle_stage", f.Lifecycle, LifecycleStages}, {"source", f.Source, Sources}} {
		for _, x := range e.vals {
			v.OneOf(e.field, x, e.allowed...)
		}
	}
	return v.Err()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
