package org

import (
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
)

// UserResponse is a user as clients see it (never the password hash).
type UserResponse struct {
	ID          string     `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Email       string     `json:"email" example:"li.lei@example.com"`
	Name        string     `json:"name" example:"李雷"`
	Phone       string     `json:"phone" example:"+86 138 0000 0000"`
	Role        string     `json:"role" enums:"admin,manager,rep" example:"rep"`
	TeamID      *string    `json:"team_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Active      bool       `json:"active" example:"true"`
	LastLoginAt *time.Time `json:"last_login_at" extensions:"x-nullable"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Version     int        `json:"version" example:"1"`
} // @name User

// UserView maps a user to its response.
func UserView(u *User) UserResponse {
	return UserResponse{ID: u.ID, Email: u.Email, Name: u.Name, Phone: u.Phone, Role: u.Role, TeamID: u.TeamID,
		Active: u.Active, LastLoginAt: u.LastLoginAt, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Version: u.Version}
}

// UserList is a page of users.
type UserList struct {
	Data       []UserResponse `json:"data"`
	NextCursor string         `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool           `json:"has_more"`
	Total      *int64         `json:"total,omitempty" extensions:"x-optional"`
} // @name UserList

// UserCreateRequest is the body of POST /users.
type UserCreateRequest struct {
	Email    string  `json:"email" example:"li.lei@example.com"`
	Name     string  `json:"name" example:"李雷"`
	Phone    string  `json:"phone" example:"+86 138 0000 0000"`
	Password string  `json:"password" example:"Welcome-2026"`
	Role     string  `json:"role" enums:"admin,manager,rep" example:"rep"`
	TeamID   *string `json:"team_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
} // @name UserCreateRequest

// UserUpdateRequest is the body of PATCH /users/{id}; absent fields stay.
// team_id "" takes the user out of any team.
type UserUpdateRequest struct {
	Name   *string `json:"name" example:"李雷"`
	Phone  *string `json:"phone" example:"+86 138 0000 0001"`
	Role   *string `json:"role" enums:"admin,manager,rep" example:"manager"`
	TeamID *string `json:"team_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
} // @name UserUpdateRequest

// PasswordResetRequest is the body of POST /users/{id}/reset-password.
type PasswordResetRequest struct {
	Password string `json:"password" example:"Temporary-2026"`
} // @name PasswordResetRequest

// PasswordChangeRequest is the body of POST /me/password.
type PasswordChangeRequest struct {
	CurrentPassword string `json:"current_password" example:"Welcome-2026"`
	NewPassword     string `json:"new_password" example:"Better-Secret-9"`
} // @name PasswordChangeRequest

// MeResponse is the caller: a user, or an integration key.
type MeResponse struct {
	Kind        string   `json:"kind" enums:"user,api_key" example:"user"`
	ID          string   `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Email       string   `json:"email,omitempty" extensions:"x-optional" example:"li.lei@example.com"`
	Name        string   `json:"name" example:"李雷"`
	Role        string   `json:"role,omitempty" extensions:"x-optional" enums:"admin,manager,rep" example:"rep"`
	TeamID      *string  `json:"team_id,omitempty" extensions:"x-optional" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Team        *TeamRef `json:"team,omitempty" extensions:"x-optional"`
	Scopes      []string `json:"scopes,omitempty" extensions:"x-optional" example:"leads:read"`
	Permissions []string `json:"permissions" example:"leads:read,leads:write"`
} // @name Me

// TeamRef names a team.
type TeamRef struct {
	ID   string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Name string `json:"name" example:"华东大区"`
} // @name TeamRef

// TeamResponse is a team node.
type TeamResponse struct {
	ID        string    `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6c"`
	Name      string    `json:"name" example:"华东大区"`
	ParentID  *string   `json:"parent_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6d"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version" example:"1"`
} // @name Team

// TeamView maps a team to its response.
func TeamView(t *Team) TeamResponse {
	return TeamResponse{ID: t.ID, Name: t.Name, ParentID: t.ParentID, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, Version: t.Version}
}

// TeamList is a page of teams.
type TeamList struct {
	Data       []TeamResponse `json:"data"`
	NextCursor string         `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool           `json:"has_more"`
	Total      *int64         `json:"total,omitempty" extensions:"x-optional"`
} // @name TeamList

// TeamCreateRequest is the body of POST /teams.
type TeamCreateRequest struct {
	Name     string  `json:"name" example:"华东大区"`
	ParentID *string `json:"parent_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6d"`
} // @name TeamCreateRequest

// TeamUpdateRequest is the body of PATCH /teams/{id}. parent_id "" makes
// the team a root.
type TeamUpdateRequest struct {
	Name     *string `json:"name" example:"华东大区"`
	ParentID *string `json:"parent_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6d"`
} // @name TeamUpdateRequest

// RoleResponse is a role and what it may do.
type RoleResponse struct {
	Name        string   `json:"name" enums:"admin,manager,rep" example:"manager"`
	DataScope   string   `json:"data_scope" enums:"all,team,own" example:"team"`
	Permissions []string `json:"permissions" example:"leads:read,leads:assign"`
} // @name Role

// RoleList lists the roles.
type RoleList struct {
	Data []RoleResponse `json:"data"`
} // @name RoleList

// Roles describes the fixed roles and their permissions.
func Roles() []RoleResponse {
	scope := map[string]string{authz.RoleAdmin: "all", authz.RoleManager: "team", authz.RoleRep: "own"}
	out := make([]RoleResponse, 0, len(authz.Roles))
	for _, r := range authz.Roles {
		out = append(out, RoleResponse{Name: r, DataScope: scope[r], Permissions: authz.RolePermissions(r)})
	}
	return out
}
