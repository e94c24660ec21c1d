// Package team is sales team management (销售团队管理, DOMAIN.md module 6):
// targets per user or team and period, commission plans, reps' training
// records and stage playbooks. One package because the four share the
// team tree, its scope rules and their wiring; reports that measure
// against targets and plans live in their own module and use ParsePeriod
// and Commission from here.
package team

import (
	"context"

	"github.com/opencrm/crm/internal/opportunity"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/i18n"
	"github.com/opencrm/crm/internal/settings"
)

func init() {
	all := []string{authz.RoleAdmin, authz.RoleManager, authz.RoleRep}
	authz.Grant("targets:read", all...)
	authz.Grant("targets:write", authz.RoleAdmin, authz.RoleManager)
	authz.Grant("commission_plans:read", all...)
	authz.Grant("commission_plans:write", authz.RoleAdmin)
	authz.Grant("training_records:read", all...)
	authz.Grant("training_records:write", authz.RoleAdmin, authz.RoleManager)
	authz.Grant("playbooks:read", all...)
	authz.Grant("playbooks:write", authz.RoleAdmin, authz.RoleManager)

	i18n.Register(map[string]map[i18n.Lang]string{
		"invalid_period": {i18n.EN: "must be a month (2026-11), a quarter (2026-Q4) or a year (2026)",
			i18n.ZhCN: "必须是月份（2026-11）、季度（2026-Q4）或年份（2026）"},
		"invalid_date": {i18n.EN: "must be a date (2026-11-22)", i18n.ZhCN: "必须是日期（2026-11-22）"},
		"subject_out_of_scope": {i18n.EN: "You may set targets only for your team, its sub-teams and their members.",
			i18n.ZhCN: "您只能为本团队、下级团队及其成员设置目标。"},
		"tiers_first_from":      {i18n.EN: "the first tier must start at 0.00", i18n.ZhCN: "第一档必须从 0.00 开始"},
		"tiers_contiguous":      {i18n.EN: "must equal the previous tier's to", i18n.ZhCN: "必须等于上一档的上限"},
		"tiers_ascending":       {i18n.EN: "must be greater than from", i18n.ZhCN: "必须大于下限"},
		"tiers_open_last":       {i18n.EN: "only the last tier is open-ended (to null)", i18n.ZhCN: "只有最后一档可以没有上限（null）"},
		"tiers_last_closed":     {i18n.EN: "the last tier must be open-ended (to null)", i18n.ZhCN: "最后一档必须没有上限（null）"},
		"before_from":           {i18n.EN: "must not be before effective_from", i18n.ZhCN: "不能早于生效日期"},
		"stage_not_in_pipeline": {i18n.EN: "is not a stage of this pipeline", i18n.ZhCN: "不是该销售流程的阶段"},
		"no_subjects": {i18n.EN: "name at least one user or team the plan applies to",
			i18n.ZhCN: "至少指定一个适用的用户或团队"},
	})
	i18n.RegisterWords(map[string]string{"target": "业绩目标", "commission_plan": "提成方案",
		"training_record": "培训记录", "playbook": "销售手册", "opportunity": "商机", "pipeline": "销售流程"})
}

// Directory is what the module reads of the organisation.
type Directory interface {
	UserByID(ctx context.Context, id string) (*org.User, error)
	AllTeams(ctx context.Context) ([]org.Team, error)
	TeamSubtree(ctx context.Context, teamID string) ([]string, error)
}

// Settings gives the organisation's time zone, in which periods are cut.
type Settings interface {
	Current(ctx context.Context) (settings.Values, error)
}

// Opportunities is what playbooks need of the opportunity module.
type Opportunities interface {
	GetVisible(ctx context.Context, id string) (*opportunity.Opportunity, error)
	Pipeline(ctx context.Context, id string) (*opportunity.Pipeline, error)
}

// Service holds the team management use cases.
type Service struct {
	db       *db.DB
	store    *Store
	audit    *audit.Writer
	dir      Directory
	settings Settings
	opps     Opportunities
}

// NewService wires the module.
func NewService(d *db.DB, aw *audit.Writer, dir Directory, st Settings, opps Opportunities) *Service {
	return &Service{db: d, store: &Store{db: d}, audit: aw, dir: dir, settings: st, opps: opps}
}

// Store reads and writes the module's tables.
type Store struct{ db *db.DB }
