// Package lead owns sales leads: capture, data-scoped reading, updates,
// assignment and follow-ups.
package lead

import (
	"time"

	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/i18n"
	"gorm.io/gorm"
)

func init() {
	all := []string{authz.RoleAdmin, authz.RoleManager, authz.RoleRep}
	authz.Grant("leads:read", all...)
	authz.Grant("leads:write", all...)
	authz.Grant("leads:delete", all...)
	authz.Grant("leads:assign", authz.RoleAdmin, authz.RoleManager)

	i18n.Register(map[string]map[i18n.Lang]string{
		"status_via_action": {
			i18n.EN:   "converted and disqualified are set by the lead's convert and disqualify actions, not here",
			i18n.ZhCN: "“已转化”和“无效”状态只能通过线索的转化、作废操作设置",
		},
	})
}

// Statuses of a lead. PATCH may move between the open ones; assigned is
// set by routing and assignment, converted and disqualified only through
// their action endpoints.
const (
	StatusNew          = "new"
	StatusAssigned     = "assigned"
	StatusContacted    = "contacted"
	StatusQualified    = "qualified"
	StatusDisqualified = "disqualified"
	StatusConverted    = "converted"
)

var (
	// Statuses lists every status, for filters.
	Statuses = []string{StatusNew, StatusAssigned, StatusContacted, StatusQualified, StatusDisqualified, StatusConverted}
	// OpenStatuses are the ones that count towards a user's load.
	OpenStatuses = []string{StatusNew, StatusContacted, StatusAssigned, StatusQualified}
	// EditableStatuses are the ones a create or PATCH may set.
	EditableStatuses = []string{StatusNew, StatusContacted, StatusQualified}
	// Sources are where leads come from.
	Sources = []string{"web_form", "phone", "import", "exhibition", "referral", "api", "manual", "other"}
)

// DefaultSource is the source of a lead created without one.
const DefaultSource = "manual"

// Field limits, in characters.
const (
	maxName        = 200
	maxCompany     = 200
	maxTitle       = 100
	maxEmail       = 254
	maxRegion      = 100
	maxProduct     = 200
	maxDescription = 10000
	maxTags        = 20
)

// Lead is a prospect not yet qualified into a customer.
type Lead struct {
	ID              string
	Name            string
	Company         string
	Title           string
	Phone           string
	Email           string
	Source          string
	Region          string
	ProductInterest string
	Description     string
	Status          string
	OwnerID         *string
	// AssignedAt is when the current owner got the lead from someone else
	// (a rule, an assignment, a claim); the follow-up SLA counts from it.
	AssignedAt *time.Time
	// AssignmentRuleID is the rule that routed the lead to its owner.
	AssignmentRuleID *string
	DisqualifyReason string
	// CustomerID and ContactID are what the lead was converted into, at
	// ConvertedAt by ConvertedBy.
	CustomerID  *string
	ContactID   *string
	ConvertedAt *time.Time
	ConvertedBy string
	// PhoneNorm, EmailNorm and CompanyNorm are the duplicate-check keys
	// (package dedupe), kept up to date by the store on every write.
	PhoneNorm      string
	EmailNorm      string
	CompanyNorm    string
	Tags           db.StringList
	LastFollowedAt *time.Time
	NextFollowUpAt *time.Time
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	DeletedAt      gorm.DeletedAt
	Version        int
}

// TableName pins the table.
func (Lead) TableName() string { return "leads" }

// SetNorms recomputes the duplicate-check keys from the raw values; the
// store calls it before every write, and a bulk writer that bypasses the
// store (an import) must call it too.
func (l *Lead) SetNorms() {
	k := dedupe.Keys(l.Phone, l.Email, l.Company)
	l.PhoneNorm, l.EmailNorm, l.CompanyNorm = k.Phone, k.Email, k.Company
}

// applyFollowUp moves the lead's follow-up bookkeeping forward: the last
// contact never goes back in time (a follow-up may be logged late), a
// given next date replaces the planned one, and a plan that this contact
// fulfilled is cleared. A new or assigned lead becomes contacted.
func (l *Lead) applyFollowUp(at time.Time, next *time.Time) {
	if l.LastFollowedAt == nil || at.After(*l.LastFollowedAt) {
		t := at
		l.LastFollowedAt = &t
	}
	switch {
	case next != nil:
		t := *next
		l.NextFollowUpAt = &t
	case l.NextFollowUpAt != nil && !l.NextFollowUpAt.After(at):
		l.NextFollowUpAt = nil
	}
	if l.Status == StatusNew || l.Status == StatusAssigned {
		l.Status = StatusContacted
	}
}

// CurrentVersion is the version as read (record.Versioned).
func (l *Lead) CurrentVersion() int { return l.Version }

// Touch moves the lead to its next version, changed at now.
func (l *Lead) Touch(now time.Time) { l.Version++; l.UpdatedAt = now }
