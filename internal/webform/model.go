// Package webform lets websites send leads in: an admin sets up a form
// (its lead source, the origins allowed to post it) and gets a form key;
// anyone may then post submissions to the public endpoint, which are rate
// limited per client address, screened for bots and turned into routed
// leads.
package webform

import (
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/i18n"
)

func init() {
	authz.Grant("web_forms:read", authz.RoleAdmin)
	authz.Grant("web_forms:write", authz.RoleAdmin)
	i18n.Register(map[string]map[i18n.Lang]string{
		"origin_not_allowed": {i18n.EN: "This form does not accept submissions from this site.",
			i18n.ZhCN: "该表单不接受来自此网站的提交。"},
		"invalid_origin": {i18n.EN: "must be an origin such as https://www.example.com",
			i18n.ZhCN: "必须是形如 https://www.example.com 的来源"},
	})
	i18n.RegisterWords(map[string]string{"web_form": "网页表单"})
}

// Limits.
const (
	maxName    = 100
	maxOrigins = 20
	maxOrigin  = 200
	// keyBytes of randomness make a 32-character URL-safe form key.
	keyBytes = 24
	// PerMinute is how many submissions one client address may send to
	// one form per minute.
	PerMinute = 5
)

// Form is a web form a website posts leads to.
type Form struct {
	ID             string
	Name           string
	Source         string
	AllowedOrigins db.StringList
	FormKey        string
	Active         bool
	CreatedBy      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

// TableName pins the table.
func (Form) TableName() string { return "web_forms" }
