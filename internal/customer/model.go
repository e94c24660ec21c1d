// Package customer owns customers and their contacts: data-scoped CRUD,
// the public pool (claim, release, transfer, recycling), customer
// follow-ups and the customer timeline.
package customer

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
	authz.Grant("customers:read", all...)
	authz.Grant("customers:write", all...)
	// Reps do not delete customers: a customer they no longer work goes
	// back to the public pool (release), where someone else may pick it
	// up; deleting would lose it for the whole company.
	authz.Grant("customers:delete", authz.RoleAdmin, authz.RoleManager)
	authz.Grant("customers:transfer", authz.RoleAdmin, authz.RoleManager)
	authz.Grant("customers:claim", all...)
	// Locking exempts a customer from recycling: a manager's decision.
	authz.Grant("customers:lock", authz.RoleAdmin, authz.RoleManager)
	authz.Grant("contacts:read", all...)
	authz.Grant("contacts:write", all...)
	authz.Grant("contacts:delete", all...)

	i18n.Register(map[string]map[i18n.Lang]string{
		"customer_already_owned": {i18n.EN: "This customer already has an owner.", i18n.ZhCN: "该客户已有负责人。"},
		"customer_limit_reached": {i18n.EN: "You already own the maximum of %d customers.", i18n.ZhCN: "您负责的客户已达上限 %d 个。"},
		"customer_cooldown": {i18n.EN: "You released this customer recently; you may claim it again after %s.",
			i18n.ZhCN: "您最近释放了该客户，%s 之后才能再次领取。"},
		"customer_in_pool":       {i18n.EN: "This customer is in the public pool.", i18n.ZhCN: "该客户已在公海中。"},
		"customer_same_owner":    {i18n.EN: "is already the owner", i18n.ZhCN: "已是当前负责人"},
		"customer_api_key_owner": {i18n.EN: "An API key cannot own customers.", i18n.ZhCN: "API 密钥不能成为客户负责人。"},
		"invalid_date":           {i18n.EN: "must be a date (2026-11-22)", i18n.ZhCN: "必须是日期（2026-11-22）"},
	})
	i18n.RegisterWords(map[string]string{"customer": "客户", "contact": "联系人"})
}

// Enumerations of customer and contact fields.
var (
	Sizes           = []string{"large", "medium", "small"}
	Potentials      = []string{"high", "medium", "low"}
	Levels          = []string{"A", "B", "C"}
	LifecycleStages = []string{"prospect", "active", "at_risk", "churned"}
	// Sources are the lead sources, so a converted lead's source fits.
	Sources       = []string{"web_form", "phone", "import", "exhibition", "referral", "api", "manual", "other"}
	DecisionRoles = []string{"decision_maker", "influencer", "evaluator", "user", "gatekeeper", "other"}
)

// Defaults of a new customer.
const (
	DefaultSource    = "manual"
	DefaultLifecycle = "prospect"
)

// Field limits, in characters.
const (
	maxName   = 200
	maxShort  = 100
	maxEmail  = 254
	maxLong   = 500
	maxTags   = 20
	maxNotes  = 10000
	maxReason = 500
)

// Customer is a company the team sells to.
type Customer struct {
	ID             string
	Name           string
	Industry       string
	Size           string
	Potential      string
	Level          string
	Region         string
	Address        string
	Phone          string
	Email          string
	Website        string
	Source         string
	Tags           db.StringList
	LifecycleStage string
	OwnerID        *string
	Locked         bool
	// OwnedSince is when the current owner got the customer (created for
	// them, claimed, transferred); nil in the pool. Idle time counts from
	// the later of it and LastFollowedAt.
	OwnedSince      *time.Time
	LastFollowedAt  *time.Time
	NextFollowUpAt  *time.Time
	RecycleWarnedAt *time.Time
	// Latitude and Longitude locate the address (WGS 84), both or
	// neither: field visits measure their check-in distance to them.
	Latitude  *float64
	Longitude *float64
	// MergedIntoID is the customer this one was merged into (it is then
	// soft-deleted).
	MergedIntoID *string
	// PhoneNorm, EmailNorm and NameNorm are the duplicate-check keys
	// (package dedupe), kept up to date by the store on every write.
	PhoneNorm string
	EmailNorm string
	NameNorm  string
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt gorm.DeletedAt
	Version   int
}

// TableName pins the table.
func (Customer) TableName() string { return "customers" }

// SetNorms recomputes the duplicate-check keys; the store calls it before
// every write, and a bulk writer that bypasses the store must too.
func (c *Customer) SetNorms() {
	k := dedupe.Keys(c.Phone, c.Email, c.Name)
	c.PhoneNorm, c.EmailNorm, c.NameNorm = k.Phone, k.Email, k.Company
}

// InPool reports a customer without an owner.
func (c *Customer) InPool() bool { return c.OwnerID == nil }

// Contact is a person at a customer.
type Contact struct {
	ID           string
	CustomerID   string
	Name         string
	Title        string
	Phone        string
	Mobile       string
	Email        string
	Wechat       string
	Birthday     *string
	DecisionRole string
	Notes        string
	// Duplicate-check keys (package dedupe): a new lead or customer whose
	// phone or email matches a contact matches the contact's customer.
	PhoneNorm  string
	MobileNorm string
	EmailNorm  string
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	DeletedAt  gorm.DeletedAt
	Version    int
}

// TableName pins the table.
func (Contact) TableName() string { return "contacts" }

// SetNorms recomputes the duplicate-check keys before a write.
func (c *Contact) SetNorms() {
	c.PhoneNorm, c.MobileNorm, c.EmailNorm = dedupe.Phone(c.Phone), dedupe.Phone(c.Mobile), dedupe.Email(c.Email)
}

// Ownership actions, as recorded in the history.
const (
	ActionAssign   = "assign"   // created for someone else
	ActionClaim    = "claim"    // taken from the pool
	ActionRelease  = "release"  // given back to the pool by a person
	ActionTransfer = "transfer" // moved to another owner
	ActionRecycle  = "recycle"  // returned to the pool by the recycling rule
)

// OwnershipEvent is one change of a customer's owner.
type OwnershipEvent struct {
	ID         string
	CustomerID string
	Action     string
	FromUserID *string
	ToUserID   *string
	Reason     string
	ActorType  string
	ActorID    string
	CreatedAt  time.Time
}

// TableName pins the table.
func (OwnershipEvent) TableName() string { return "customer_ownership_events" }

// setOwner gives the customer to owner (nil: the pool) from now on.
func (c *Customer) setOwner(owner *string, now time.Time) {
	c.OwnerID = owner
	c.RecycleWarnedAt = nil
	if owner == nil {
		c.OwnedSince = nil
		return
	}
	t := now
	c.OwnedSince = &t
}

// idleSince is when the current idle period began: the later of the last
// follow-up and the moment the owner got the customer.
func (c *Customer) idleSince() time.Time {
	t := c.CreatedAt
	if c.OwnedSince != nil {
		t = *c.OwnedSince
	}
	if c.LastFollowedAt != nil && c.LastFollowedAt.After(t) {
		t = *c.LastFollowedAt
	}
	return t
}

// CurrentVersion is the version as read (record.Versioned).
func (c *Customer) CurrentVersion() int { return c.Version }

// Touch moves the customer to its next version, changed at now.
func (c *Customer) Touch(now time.Time) { c.Version++; c.UpdatedAt = now }
