// Package auth logs people in, issues and rotates tokens, revokes sessions,
// manages integration API keys and turns credentials into an authz.Actor.
package auth

import (
	"slices"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
)

func init() {
	authz.Grant("api_keys:read", authz.RoleAdmin)
	authz.Grant("api_keys:write", authz.RoleAdmin)
}

// Session is one login: the refresh token family. Access tokens name it
// (sid) so revoking the session ends them at once.
type Session struct {
	ID          string
	UserID      string
	RefreshHash string
	ExpiresAt   time.Time
	RevokedAt   *time.Time
	LastUsedAt  *time.Time
	UserAgent   string
	IP          string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName pins the table.
func (Session) TableName() string { return "auth_sessions" }

// APIKey is an integration credential. Only its SHA-256 is stored; the key
// itself is shown once, at creation.
type APIKey struct {
	ID         string
	Name       string
	Prefix     string
	KeyHash    string
	Scopes     db.StringList `gorm:"type:text"`
	CreatedBy  string
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Version    int
}

// TableName pins the table.
func (APIKey) TableName() string { return "api_keys" }

// keyScopes lists the scopes a key may hold: every resource's read and
// write, except managing keys and users. A leaked key must not mint more
// keys, nor create a user or set a password it could then log in with and
// so gain the permissions of a role instead of its own scopes.
func keyScopes() []string {
	var out []string
	for _, s := range authz.AllScopes() {
		if !slices.Contains(unkeyedScopes, s) {
			out = append(out, s)
		}
	}
	return out
}

var unkeyedScopes = []string{"api_keys:read", "api_keys:write", "users:write"}
