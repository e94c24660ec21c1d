// Package opportunity owns the sales pipeline: configurable pipelines and
// stages, opportunities (data-scoped like customers) with their stage and
// strategy history, win/loss, competitors, the scoring model and the board.
package opportunity

import (
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/platform/money"
	"gorm.io/gorm"
)

func init() {
	all := []string{authz.RoleAdmin, authz.RoleManager, authz.RoleRep}
	authz.Grant("pipelines:read", all...)
	// Pipelines shape every team's reports and forecasts: company settings.
	authz.Grant("pipelines:write", authz.RoleAdmin)
	authz.Grant("opportunities:read", all...)
	authz.Grant("opportunities:write", all...)
	authz.Grant("opportunities:delete", authz.RoleAdmin, authz.RoleManager)
	authz.Grant("competitors:read", all...)
	// Reps meet competitors in the field and record them; removing one
	// (and its history) is a manager's call.
	authz.Grant("competitors:write", all...)
	authz.Grant("competitors:delete", authz.RoleAdmin, authz.RoleManager)
	authz.Grant("scoring:read", all...)
	authz.Grant("scoring:write", authz.RoleAdmin)

	i18n.Register(map[string]map[i18n.Lang]string{
		"stage_kinds": {i18n.EN: "needs at least one open stage, exactly one won and exactly one lost stage",
			i18n.ZhCN: "至少需要一个进行中阶段，且赢单、输单阶段各恰好一个"},
		"stage_unknown": {i18n.EN: "is not a stage of this pipeline", i18n.ZhCN: "不是该销售流程的阶段"},
		"stage_not_open": {i18n.EN: "is a won or lost stage; use win or lose",
			i18n.ZhCN: "是赢单或输单阶段，请使用赢单或输单操作"},
		"default_pipeline": {i18n.EN: "The default pipeline cannot be deleted; make another one the default first.",
			i18n.ZhCN: "默认销售流程不能删除，请先将其他流程设为默认。"},
		"default_required": {i18n.EN: "there must be one default pipeline; make another one the default instead",
			i18n.ZhCN: "必须有一个默认销售流程，请改为将其他流程设为默认"},
		"contact_not_of_customer": {i18n.EN: "is not a contact of this customer", i18n.ZhCN: "不是该客户的联系人"},
		"product_inactive":        {i18n.EN: "refers to an inactive product", i18n.ZhCN: "引用的产品已停用"},
		"invalid_date":            {i18n.EN: "must be a date (2026-11-22)", i18n.ZhCN: "必须是日期（2026-11-22）"},
		"api_key_owner": {i18n.EN: "is required when an API key creates an opportunity",
			i18n.ZhCN: "使用 API 密钥创建商机时必填"},
		"bands_order": {i18n.EN: "bands must be in ascending order without repeats",
			i18n.ZhCN: "区间必须按升序排列且不能重复"},
		"weights_sum":   {i18n.EN: "the weights must add up to more than 0", i18n.ZhCN: "权重之和必须大于 0"},
		"duplicate_ids": {i18n.EN: "lists the same id twice", i18n.ZhCN: "包含重复的 ID"},
	})
	i18n.RegisterWords(map[string]string{"opportunity": "商机", "pipeline": "销售流程", "stage": "阶段",
		"competitor": "竞争对手", "product": "产品", "contact": "联系人", "customer": "客户"})
}

// Stage kinds, and the status an opportunity takes from its stage's kind.
const (
	KindOpen = "open"
	KindWon  = "won"
	KindLost = "lost"
)

// Kinds lists the stage kinds.
var Kinds = []string{KindOpen, KindWon, KindLost}

// Sources are the customer and lead sources, so a converted lead's fits.
var Sources = []string{"web_form", "phone", "import", "exhibition", "referral", "api", "manual", "other"}

// DefaultCurrency is the currency of an opportunity that names none.
const DefaultCurrency = "CNY"

// Field limits, in characters.
const (
	maxName   = 200
	maxStage  = 100
	maxLong   = 500
	maxText   = 10000
	maxStages = 30
	maxLines  = 100
	maxLinks  = 20
)

// Pipeline is an ordered set of stages opportunities move through.
type Pipeline struct {
	ID        string
	Name      string
	IsDefault bool
	Stages    []Stage `gorm:"-"`
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// TableName pins the table.
func (Pipeline) TableName() string { return "pipelines" }

// CurrentVersion is the version as read (record.Versioned).
func (p *Pipeline) CurrentVersion() int { return p.Version }

// Touch moves the pipeline to its next version, changed at now.
func (p *Pipeline) Touch(now time.Time) { p.Version++; p.UpdatedAt = now }

// Stage is one step of a pipeline. TimeLimitSeconds 0 means no limit.
type Stage struct {
	ID               string
	PipelineID       string
	Name             string
	Position         int
	Probability      int
	TimeLimitSeconds int64
	Kind             string
	ExitCriteria     string
}

// TableName pins the table.
func (Stage) TableName() string { return "pipeline_stages" }

// TimeLimit is the stage's limit, or 0.
func (s *Stage) TimeLimit() time.Duration { return time.Duration(s.TimeLimitSeconds) * time.Second }

// stageByID finds a stage of the pipeline.
func (p *Pipeline) stageByID(id string) *Stage {
	for i := range p.Stages {
		if p.Stages[i].ID == id {
			return &p.Stages[i]
		}
	}
	return nil
}

// stageOfKind is the pipeline's first stage of a kind (by position).
func (p *Pipeline) stageOfKind(kind string) *Stage {
	for i := range p.Stages {
		if p.Stages[i].Kind == kind {
			return &p.Stages[i]
		}
	}
	return nil
}

// Opportunity is a possible sale to a customer.
type Opportunity struct {
	ID                string
	Name              string
	CustomerID        string
	ContactID         *string
	PipelineID        string
	StageID           string
	Amount            money.Amount
	Currency          string
	ExpectedCloseDate *string
	Source            string
	Strategy          string
	OwnerID           string
	Score             int
	// Status follows the stage's kind: open, won or lost.
	Status         string
	StageEnteredAt time.Time
	// StageEntryID is the current stage history entry: what a stage-overdue
	// reminder is keyed by, so it fires once per stage entry.
	StageEntryID     string
	StageOverdue     bool
	ClosedAt         *time.Time
	LostReason       string
	LostCompetitorID *string
	LastActivityAt   *time.Time
	CreatedBy        string
	CreatedAt        time.Time
	UpdatedAt        time.Time
	DeletedAt        gorm.DeletedAt
	Version          int

	// Loaded with the opportunity, saved by the store when set.
	CompetitorIDs []string `gorm:"-"`
	Lines         []Line   `gorm:"-"`
}

// TableName pins the table.
func (Opportunity) TableName() string { return "opportunities" }

// CurrentVersion is the version as read (record.Versioned).
func (o *Opportunity) CurrentVersion() int { return o.Version }

// Touch moves the opportunity to its next version, changed at now.
func (o *Opportunity) Touch(now time.Time) { o.Version++; o.UpdatedAt = now }

// Closed reports a won or lost opportunity.
func (o *Opportunity) Closed() bool { return o.Status != KindOpen }

// Line is a product on an opportunity. Quantity and DiscountPercent are
// decimal strings; LineTotal = quantity × unit price × (1 − discount/100),
// rounded half-up to the cent.
type Line struct {
	ID              string
	OpportunityID   string
	ProductID       string
	Position        int
	Quantity        string
	UnitPrice       money.Amount
	DiscountPercent string
	LineTotal       money.Amount
}

// TableName pins the table.
func (Line) TableName() string { return "opportunity_products" }

// competitorLink ties an opportunity to a competitor involved in it.
type competitorLink struct {
	OpportunityID string
	CompetitorID  string
}

// TableName pins the table.
func (competitorLink) TableName() string { return "opportunity_competitors" }

// StageEntry is one stay of an opportunity in a stage.
type StageEntry struct {
	ID            string
	OpportunityID string
	StageID       string
	StageName     string
	Kind          string
	EnteredAt     time.Time
	LeftAt        *time.Time
	EnteredBy     string
	Note          string
}

// TableName pins the table.
func (StageEntry) TableName() string { return "opportunity_stage_entries" }

// StrategyChange is one version of an opportunity's strategy notes.
type StrategyChange struct {
	ID            string
	OpportunityID string
	Strategy      string
	ChangedBy     string
	ChangedAt     time.Time
}

// TableName pins the table.
func (StrategyChange) TableName() string { return "opportunity_strategy_changes" }

// Competitor is a company the team competes with for deals.
type Competitor struct {
	ID         string
	Name       string
	NameKey    string
	Website    string
	Strengths  string
	Weaknesses string
	Notes      string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// TableName pins the table.
func (Competitor) TableName() string { return "competitors" }

// CurrentVersion is the version as read (record.Versioned).
func (c *Competitor) CurrentVersion() int { return c.Version }

// Touch moves the competitor to its next version, changed at now.
func (c *Competitor) Touch(now time.Time) { c.Version++; c.UpdatedAt = now }
