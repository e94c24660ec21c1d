package dataio

import (
	"strings"

	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/platform/i18n"
)

// field is one column an entity imports or exports.
type field struct {
	Key string // the API field name, the English header
	Zh  string // the Chinese header of templates and zh-CN exports
	// Aliases are other headers accepted on import (matched after fold).
	Aliases []string
}

// Importable columns of each entity, in template order.
var fields = map[string][]field{
	EntityLeads: {
		{"name", "姓名", []string{"名称", "联系人", "客户姓名"}},
		{"company", "公司", []string{"公司名称", "单位", "企业"}},
		{"title", "职位", []string{"职务"}},
		{"phone", "电话", []string{"手机", "手机号", "联系电话", "mobile", "座机"}},
		{"email", "邮箱", []string{"电子邮件", "电子邮箱", "e-mail", "mail"}},
		{"source", "来源", []string{"线索来源"}},
		{"region", "区域", []string{"地区", "省份", "所在地区"}},
		{"product_interest", "意向产品", []string{"product interest", "产品"}},
		{"description", "备注", []string{"描述", "说明", "notes"}},
		{"tags", "标签", nil},
		{"owner", "负责人", []string{"owner_id", "owner_email", "所属销售", "销售"}},
	},
	EntityCustomers: {
		{"name", "名称", []string{"客户名称", "公司", "公司名称", "姓名", "company"}},
		{"industry", "行业", nil},
		{"size", "规模", []string{"企业规模"}},
		{"potential", "潜力", nil},
		{"level", "等级", []string{"级别", "客户等级"}},
		{"region", "区域", []string{"地区", "省份"}},
		{"address", "地址", nil},
		{"phone", "电话", []string{"手机", "联系电话"}},
		{"email", "邮箱", []string{"电子邮件", "电子邮箱", "e-mail"}},
		{"website", "网站", []string{"官网", "网址"}},
		{"source", "来源", nil},
		{"lifecycle_stage", "阶段", []string{"生命周期", "lifecycle"}},
		{"tags", "标签", nil},
	},
	EntityContacts: {
		{"customer", "客户", []string{"customer_id", "客户名称", "公司", "company"}},
		{"name", "姓名", []string{"名称", "联系人"}},
		{"title", "职位", []string{"职务"}},
		{"phone", "电话", []string{"座机", "联系电话"}},
		{"mobile", "手机", []string{"手机号"}},
		{"email", "邮箱", []string{"电子邮件", "电子邮箱", "e-mail"}},
		{"wechat", "微信", []string{"微信号"}},
		{"birthday", "生日", nil},
		{"decision_role", "决策角色", []string{"角色"}},
		{"notes", "备注", []string{"描述", "description"}},
	},
	EntityProducts: {
		{"sku", "产品编码", []string{"编码", "产品代码", "货号", "物料编码", "型号"}},
		{"name", "名称", []string{"产品名称", "品名"}},
		{"category", "分类", []string{"类别", "产品分类"}},
		{"unit", "单位", []string{"计量单位"}},
		{"price", "单价", []string{"价格", "售价", "标准价", "list_price"}},
		{"cost", "成本", []string{"成本价"}},
		{"currency", "币种", []string{"货币"}},
		{"active", "启用", []string{"是否启用", "状态"}},
		{"description", "描述", []string{"说明", "备注", "notes"}},
	},
}

// fold makes headers comparable: trimmed, lower case, spaces and
// underscores dropped, full-width letters narrowed.
func fold(s string) string {
	s = dedupe.Fold(strings.ToLower(strings.TrimSpace(s)))
	return strings.NewReplacer(" ", "", "_", "", "-", "", "\u3000", "").Replace(s)
}

// columnMap maps each header cell to a field key ("" for a column that is
// not imported). The first column that maps to a field wins.
func columnMap(entity string, header []string) []string {
	lookup := map[string]string{}
	for _, f := range fields[entity] {
		for _, a := range append([]string{f.Key, f.Zh}, f.Aliases...) {
			if _, ok := lookup[fold(a)]; !ok {
				lookup[fold(a)] = f.Key
			}
		}
	}
	out := make([]string, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		if k := lookup[fold(h)]; k != "" && !seen[k] {
			out[i], seen[k] = k, true
		}
	}
	return out
}

// headers are the column titles of a template or export in lang.
func headers(keys []string, entity string, lang i18n.Lang) []string {
	zh := map[string]string{"id": "编号", "owner_id": "负责人编号", "status": "状态", "created_at": "创建时间",
		"updated_at": "更新时间", "customer_id": "客户编号", "last_followed_at": "最后跟进时间"}
	for _, f := range fields[entity] {
		zh[f.Key] = f.Zh
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k
		if lang == i18n.ZhCN && zh[k] != "" {
			out[i] = zh[k]
		}
	}
	return out
}

// templateKeys are the columns of an entity's import template.
func templateKeys(entity string) []string {
	var out []string
	for _, f := range fields[entity] {
		out = append(out, f.Key)
	}
	return out
}

// enumAliases translate common Chinese values of enumerated fields.
var enumAliases = map[string]map[string]string{
	"source": {"网站表单": "web_form", "表单": "web_form", "电话": "phone", "导入": "import", "展会": "exhibition",
		"转介绍": "referral", "推荐": "referral", "接口": "api", "手工": "manual", "手动": "manual", "其他": "other"},
	"size":            {"大": "large", "大型": "large", "中": "medium", "中型": "medium", "小": "small", "小型": "small"},
	"potential":       {"高": "high", "中": "medium", "低": "low"},
	"lifecycle_stage": {"潜在": "prospect", "活跃": "active", "风险": "at_risk", "流失": "churned"},
	"decision_role": {"决策者": "decision_maker", "影响者": "influencer", "评估者": "evaluator", "使用者": "user",
		"把关者": "gatekeeper", "其他": "other"},
}

// enumValue maps a Chinese enum value to its code; others pass unchanged
// (lower-cased, as codes are).
func enumValue(key, v string) string {
	v = strings.TrimSpace(v)
	if m, ok := enumAliases[key]; ok {
		if c, ok := m[v]; ok {
			return c
		}
		return strings.ToLower(v)
	}
	return v
}

// splitTags splits a tag cell on commas and semicolons, ASCII or full width.
func splitTags(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ';' || r == '；' || r == '、' })
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
