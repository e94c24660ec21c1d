package opportunity

import (
	"context"
	"fmt"

	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/product"
	"github.com/opencrm/crm/internal/reminder"
)

// Customers is what opportunities need from the customer module
// (customer.Service); calls join the caller's transaction through ctx.
type Customers interface {
	GetInScope(ctx context.Context, id string) (*customer.Customer, error)
	GetContact(ctx context.Context, id string) (*customer.Contact, *customer.Customer, error)
	AddTimelineSource(src customer.TimelineSource)
	AddMergeHook(name string, h customer.MergeHook)
}

// Directory finds users and teams (org.Store).
type Directory interface {
	AssignableOwner(ctx context.Context, a *authz.Actor, field, id string) (*org.User, error)
	TeamSubtree(ctx context.Context, teamID string) ([]string, error)
}

// Reminders schedules and cancels due notifications inside the caller's
// transaction (reminder.Service).
type Reminders interface {
	Schedule(ctx context.Context, r reminder.Reminder) error
	Cancel(ctx context.Context, keys ...string) error
}

// Products looks up catalogue products by id (product.Service); unknown
// ids are absent from the map.
type Products interface {
	Lookup(ctx context.Context, ids []string) (map[string]product.Product, error)
}

// Service holds the pipeline, opportunity, competitor and scoring use cases.
type Service struct {
	db        *db.DB
	audit     *audit.Writer
	customers Customers
	users     Directory
	reminders Reminders
	products  Products
	pipes     pipelines
	store     *Store
	// writes and pipeWrites are the versioned, audited writes.
	writes     record.Mutation[*Opportunity]
	pipeWrites record.Mutation[*Pipeline]
	compWrites record.Mutation[*Competitor]
}

// NewService wires the service, adds opportunities to the customer
// timeline and makes a customer merge carry its opportunities along.
func NewService(d *db.DB, aw *audit.Writer, c Customers, users Directory, r Reminders, p Products) *Service {
	s := &Service{db: d, audit: aw, customers: c, users: users, reminders: r, products: p, pipes: pipelines{db: d},
		store: &Store{db: d}}
	s.writes = record.Mutation[*Opportunity]{DB: d, Audit: aw, Entity: "opportunity", Save: s.store.Save,
		ID: func(o *Opportunity) string { return o.ID }, View: func(o *Opportunity) any { return View(o) }}
	s.pipeWrites = record.Mutation[*Pipeline]{DB: d, Audit: aw, Entity: "pipeline",
		Save: func(ctx context.Context, p *Pipeline, read int) error { return nameTaken(s.pipes.Save(ctx, p, read)) },
		ID:   func(p *Pipeline) string { return p.ID }, View: func(p *Pipeline) any { return PipelineView(p) }}
	s.compWrites = record.Mutation[*Competitor]{DB: d, Audit: aw, Entity: "competitor",
		Save: func(ctx context.Context, c *Competitor, read int) error {
			return nameTaken(s.store.SaveCompetitor(ctx, c, read))
		},
		ID: func(c *Competitor) string { return c.ID }, View: func(c *Competitor) any { return CompetitorView(c) }}
	c.AddTimelineSource(timelineSource(d))
	c.AddMergeHook("opportunities", s.moveOpportunities)
	return s
}

// moveOpportunities is the customer merge hook: opportunities of merged
// customers (their contacts move too) now belong to the one they went
// into, and are rescored there (its size, potential and purchase history
// apply now).
func (s *Service) moveOpportunities(ctx context.Context, target string, sources []string) (int64, error) {
	res := s.db.Conn(ctx).Unscoped().Model(&Opportunity{}).Where("customer_id IN ?", sources).
		UpdateColumns(map[string]any{"customer_id": target, "updated_at": db.Now()})
	if res.Error != nil {
		return 0, fmt.Errorf("opportunity.merge_customers: %w", res.Error)
	}
	if _, err := s.rescore(ctx, "opportunities.customer_id = ?", target); err != nil {
		return 0, err
	}
	return res.RowsAffected, nil
}
