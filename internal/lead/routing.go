package lead

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/notification"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/settings"
)

// Routing strategies.
const (
	StrategyRoundRobin  = "round_robin"
	StrategyLeastLoaded = "least_loaded"
	StrategyUser        = "user"
)

// Strategies lists the routing strategies.
var Strategies = []string{StrategyRoundRobin, StrategyLeastLoaded, StrategyUser}

// Why a lead changed hands, as kept in its assignment history.
const (
	ReasonManual = "manual"
	ReasonRule   = "rule"
	ReasonSLA    = "sla"
	ReasonClaim  = "claim"
)

// Rule routes leads that arrive without an owner. Empty conditions match
// anything; the users are UserIDs, or the active reps and managers of the
// team TeamID and the teams below it.
type Rule struct {
	ID              string
	Name            string
	Priority        int
	Region          string
	Source          string
	ProductInterest string
	Strategy        string
	UserIDs         db.StringList
	TeamID          *string
	Active          bool
	// RRCursor counts the picks of the rule: round-robin takes the next
	// user from it (see advance).
	RRCursor  int64 `gorm:"column:rr_cursor"`
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// TableName pins the table.
func (Rule) TableName() string { return "lead_assignment_rules" }

// Assignment is one change of a lead's owner.
type Assignment struct {
	ID        string
	LeadID    string
	FromUser  *string
	ToUser    *string
	RuleID    *string
	Reason    string
	ActorType string
	ActorID   string
	At        time.Time
}

// TableName pins the table.
func (Assignment) TableName() string { return "lead_assignments" }

// Notifier writes in-app notifications (notification.Service).
type Notifier interface {
	Notify(ctx context.Context, n notification.Notification) error
}

// SettingsSource gives the current settings (settings.Service).
type SettingsSource interface {
	Current(ctx context.Context) (settings.Values, error)
}

// UseRouting gives the service what routing and the SLA sweep need.
func (s *Service) UseRouting(st SettingsSource, n Notifier) {
	s.settings, s.notify = st, n
}

// matches reports whether every condition the rule sets equals the lead's
// value, trimmed and case-insensitively.
func (r *Rule) matches(l *Lead) bool {
	eq := func(cond, v string) bool {
		cond = strings.TrimSpace(cond)
		return cond == "" || strings.EqualFold(cond, strings.TrimSpace(v))
	}
	return eq(r.Region, l.Region) && eq(r.Source, l.Source) && eq(r.ProductInterest, l.ProductInterest)
}

// activeRules lists the active rules in the order they are tried.
func (s *Service) activeRules(ctx context.Context) ([]Rule, error) {
	var rules []Rule
	err := s.db.Conn(ctx).Where("active = ?", true).Order("priority, created_at, id").Find(&rules).Error
	if err != nil {
		return nil, fmt.Errorf("lead.rules: %w", err)
	}
	return rules, nil
}

// candidates lists the rule's eligible users in a stable order: the order
// of user_ids, or a team's members by id. Inactive users never qualify.
func (s *Service) candidates(ctx context.Context, r *Rule) ([]string, error) {
	q := s.db.Conn(ctx).Model(&org.User{}).Where("active = ?", true)
	if r.TeamID != nil {
		teams, err := s.users.TeamSubtree(ctx, *r.TeamID)
		if err != nil {
			return nil, err
		}
		q = q.Where("team_id IN ? AND role IN ?", teams, []string{authz.RoleRep, authz.RoleManager})
	} else {
		q = q.Where("id IN ?", []string(r.UserIDs))
	}
	var ids []string
	if err := q.Order("id").Pluck("id", &ids).Error; err != nil {
		return nil, fmt.Errorf("lead.candidates: %w", err)
	}
	if r.TeamID != nil {
		return ids, nil
	}
	out := make([]string, 0, len(ids))
	for _, id := range r.UserIDs {
		if slices.Contains(ids, id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// advance moves the rule's cursor on by one and returns its new value.
//
// The cursor lives in the rule's row, not in Redis: the increment is part
// of the routing transaction, so a lead that fails to save does not use up
// a turn, and the row lock the UPDATE takes (PostgreSQL; SQLite's IMMEDIATE
// transactions serialise all writers) orders concurrent routings through
// the same rule on every server, which keeps round-robin exact and lets
// least-loaded see the lead routed just before it.
func (s *Service) advance(ctx context.Context, ruleID string) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Raw("UPDATE lead_assignment_rules SET rr_cursor = rr_cursor + 1 WHERE id = ? RETURNING rr_cursor",
		ruleID).Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("lead.rule_cursor: %w", err)
	}
	return n, nil
}

// pick chooses the user a rule gives a lead to, never exclude; "" when the
// rule has nobody eligible.
func (s *Service) pick(ctx context.Context, r *Rule, exclude string) (string, error) {
	cands, err := s.candidates(ctx, r)
	if err != nil {
		return "", err
	}
	cands = slices.DeleteFunc(cands, func(id string) bool { return id == exclude })
	if len(cands) == 0 {
		return "", nil
	}
	switch r.Strategy {
	case StrategyRoundRobin:
		n, err := s.advance(ctx, r.ID)
		if err != nil {
			return "", err
		}
		return cands[int((n-1)%int64(len(cands)))], nil
	case StrategyLeastLoaded:
		// Take the rule's row lock first, so concurrent routings count
		// each other's leads.
		if _, err := s.advance(ctx, r.ID); err != nil {
			return "", err
		}
		return s.leastLoaded(ctx, cands)
	default:
		return cands[0], nil
	}
}

// leastLoaded is the candidate owning the fewest open leads, ties by id.
func (s *Service) leastLoaded(ctx context.Context, cands []string) (string, error) {
	var rows []struct {
		OwnerID string
		N       int
	}
	err := s.db.Conn(ctx).Model(&Lead{}).Select("owner_id, COUNT(*) AS n").
		Where("owner_id IN ? AND status IN ?", cands, OpenStatuses).Group("owner_id").Scan(&rows).Error
	if err != nil {
		return "", fmt.Errorf("lead.load: %w", err)
	}
	load := map[string]int{}
	for _, r := range rows {
		load[r.OwnerID] = r.N
	}
	sorted := slices.Clone(cands)
	slices.Sort(sorted)
	best := sorted[0]
	for _, id := range sorted[1:] {
		if load[id] < load[best] {
			best = id
		}
	}
	return best, nil
}

// route gives an unowned lead to the user of the first active rule that
// matches it and has someone eligible; false leaves it in the pool.
func (s *Service) route(ctx context.Context, l *Lead) (bool, error) {
	rules, err := s.activeRules(ctx)
	if err != nil {
		return false, err
	}
	for i := range rules {
		r := &rules[i]
		if !r.matches(l) {
			continue
		}
		uid, err := s.pick(ctx, r, "")
		if err != nil {
			return false, err
		}
		if uid == "" {
			continue
		}
		l.giveTo(uid, &r.ID)
		return true, nil
	}
	return false, nil
}

// giveTo makes uid the owner from now; a new lead becomes assigned.
func (l *Lead) giveTo(uid string, ruleID *string) {
	now := db.Now()
	l.OwnerID, l.AssignedAt, l.AssignmentRuleID = &uid, &now, ruleID
	if l.Status == StatusNew {
		l.Status = StatusAssigned
	}
}

// actorRef is who made a change, as the assignment history records it.
type actorRef struct{ Type, ID string }

// actorOf is the caller in ctx; scheduled sweeps are "system".
func actorOf(ctx context.Context) actorRef {
	a := authz.ActorFrom(ctx)
	switch {
	case a == nil:
		return actorRef{"system", authz.SystemID}
	default:
		return actorRef{a.Kind(), a.ID()}
	}
}

// recordAssignment writes the history row of l's owner change from from and
// tells the new owner, unless they made the change themselves.
func (s *Service) recordAssignment(ctx context.Context, l *Lead, from *string, reason string, by actorRef) error {
	row := Assignment{ID: uuid.Must(uuid.NewV7()).String(), LeadID: l.ID, FromUser: from, ToUser: l.OwnerID,
		RuleID: l.AssignmentRuleID, Reason: reason, ActorType: by.Type, ActorID: by.ID, At: db.Now()}
	if reason == ReasonManual || reason == ReasonClaim {
		row.RuleID = nil
	}
	if err := s.db.Conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("lead.assignment: %w", err)
	}
	if l.OwnerID == nil || *l.OwnerID == by.ID || s.notify == nil {
		return nil
	}
	return s.notify.Notify(ctx, notification.Notification{UserID: *l.OwnerID, Kind: "lead_assigned",
		Title: "新线索分配给您：" + l.Name, Body: fmt.Sprintf("Lead %s (%s) was assigned to you (%s).", l.Name, l.Company, reason),
		RefType: "lead", RefID: l.ID})
}
