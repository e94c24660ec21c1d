// Package authz holds who is calling (the Actor), what each role may do
// (the permission matrix) and which records they may see (data scope).
package authz

import (
	"context"
	"slices"
	"sort"
	"strings"
)

// Roles.
const (
	RoleAdmin   = "admin"
	RoleManager = "manager"
	RoleRep     = "rep"
)

// Roles lists the roles in order of power.
var Roles = []string{RoleAdmin, RoleManager, RoleRep}

// Actor is the authenticated caller: a user, or an API key acting with
// admin data scope and only its scopes' permissions.
type Actor struct {
	UserID    string
	Name      string
	Role      string
	TeamID    string
	APIKeyID  string
	SessionID string
	// Scopes of an API key; nil for users.
	Scopes []string
	// TeamSubtree is the manager's team and every team below it, resolved
	// once per request by the auth middleware.
	TeamSubtree []string
}

// IsAPIKey reports an integration caller.
func (a *Actor) IsAPIKey() bool { return a.APIKeyID != "" }

// SystemID is the id of the system actor: scheduled sweeps, bootstrap and
// seeding act as it.
const SystemID = "system"

// System is the actor the server itself acts as: admin data scope,
// recorded as actor type "system". name says which part of it ("pool
// recycling", "demo seed").
func System(name string) *Actor { return &Actor{UserID: SystemID, Name: name, Role: RoleAdmin} }

// Kind is "user", "api_key" or "system", as recorded in the audit log.
func (a *Actor) Kind() string {
	switch {
	case a.IsAPIKey():
		return "api_key"
	case a.UserID == SystemID:
		return "system"
	}
	return "user"
}

// ID is the user id, or the API key id for integrations.
func (a *Actor) ID() string {
	if a.IsAPIKey() {
		return a.APIKeyID
	}
	return a.UserID
}

// Can reports whether the actor holds a permission ("leads:assign").
// An API key needs "<resource>:read" for read permissions and
// "<resource>:write" for every other action on the resource.
func (a *Actor) Can(perm string) bool {
	if a == nil {
		return false
	}
	if a.IsAPIKey() {
		return slices.Contains(a.Scopes, ScopeFor(perm))
	}
	return slices.Contains(matrix[a.Role], perm)
}

// Permissions lists what the actor may do, sorted.
func (a *Actor) Permissions() []string {
	if a.IsAPIKey() {
		var out []string
		for _, p := range AllPermissions() {
			if a.Can(p) {
				out = append(out, p)
			}
		}
		return out
	}
	out := slices.Clone(matrix[a.Role])
	sort.Strings(out)
	return out
}

// SeesAll reports admin data scope (admins and API keys).
func (a *Actor) SeesAll() bool { return a.IsAPIKey() || a.Role == RoleAdmin }

// ScopeFor maps a permission to the API key scope that grants it.
func ScopeFor(perm string) string {
	res, action, _ := strings.Cut(perm, ":")
	if action == "read" {
		return res + ":read"
	}
	return res + ":write"
}

// matrix is role → permissions. Modules add theirs with Grant at init.
var matrix = map[string][]string{}

// Grant gives roles a permission. Call from a module's init.
func Grant(perm string, roles ...string) {
	for _, r := range roles {
		if !slices.Contains(matrix[r], perm) {
			matrix[r] = append(matrix[r], perm)
		}
	}
}

// AllPermissions lists every permission any role holds, sorted.
func AllPermissions() []string {
	set := map[string]bool{}
	for _, ps := range matrix {
		for _, p := range ps {
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// RolePermissions lists one role's permissions, sorted.
func RolePermissions(role string) []string {
	out := slices.Clone(matrix[role])
	sort.Strings(out)
	return out
}

// AllScopes lists the API key scopes that exist: read and write for every
// resource that has a permission.
func AllScopes() []string {
	set := map[string]bool{}
	for _, p := range AllPermissions() {
		res, _, _ := strings.Cut(p, ":")
		set[res+":read"], set[res+":write"] = true, true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

type actorKey struct{}

// WithActor stores the actor in ctx.
func WithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or nil.
func ActorFrom(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}
