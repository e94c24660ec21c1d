package org

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/record"
	"github.com/opencrm/crm/internal/platform/secret"
	"github.com/opencrm/crm/internal/platform/validate"
)

func init() {
	all := []string{authz.RoleAdmin, authz.RoleManager, authz.RoleRep}
	authz.Grant("users:read", all...)
	authz.Grant("teams:read", all...)
	authz.Grant("roles:read", all...)
	authz.Grant("users:write", authz.RoleAdmin)
	authz.Grant("teams:write", authz.RoleAdmin)
}

// SessionRevoker ends a user's sessions (implemented by auth).
type SessionRevoker interface {
	RevokeUser(ctx context.Context, userID string) error
}

// PasswordGuard throttles guesses at a signed-in user's current password
// (implemented by auth, over Redis): 429 once the allowance is used up;
// done reports whether the guess was right.
type PasswordGuard interface {
	PasswordAttempt(ctx context.Context, userID string) (done func(ok bool) error, err error)
}

// Service manages users and teams.
type Service struct {
	db         *db.DB
	store      *Store
	audit      *audit.Writer
	revoker    SessionRevoker
	guard      PasswordGuard
	bcryptCost int
	// userWrites and teamWrites are the versioned, audited writes.
	userWrites record.Mutation[*User]
	teamWrites record.Mutation[*Team]
}

// NewService wires the organisation service. The revoker is set later with
// SetRevoker because auth is built on top of org.
func NewService(d *db.DB, st *Store, aw *audit.Writer, bcryptCost int) *Service {
	return &Service{db: d, store: st, audit: aw, bcryptCost: bcryptCost,
		userWrites: record.Mutation[*User]{DB: d, Audit: aw, Entity: "user", Save: st.SaveUser,
			ID: func(u *User) string { return u.ID }, View: func(u *User) any { return UserView(u) }},
		teamWrites: record.Mutation[*Team]{DB: d, Audit: aw, Entity: "team", Save: st.SaveTeam,
			ID: func(t *Team) string { return t.ID }, View: func(t *Team) any { return TeamView(t) }},
	}
}

// SetRevoker connects session revocation, and the password-guess limit
// when the revoker (auth) provides it.
func (s *Service) SetRevoker(r SessionRevoker) {
	s.revoker = r
	s.guard, _ = r.(PasswordGuard)
}

// UserFilter narrows the user list.
type UserFilter struct {
	Q      string
	Role   string
	TeamID string
	Active *bool
}

var userSpec = paging.Spec[User]{
	Columns: map[string]paging.Column[User]{
		"created_at": {Expr: "created_at", Time: true, Get: func(u *User) any { return u.CreatedAt }},
		"name":       {Expr: "name", Get: func(u *User) any { return u.Name }},
		"email":      {Expr: "email", Get: func(u *User) any { return u.Email }},
	},
	Default: "name",
	IDExpr:  "id",
	ID:      func(u *User) string { return u.ID },
}

// ListUsers lists users. Every role may read the directory (to see who
// owns what); only admins change it.
func (s *Service) ListUsers(ctx context.Context, f UserFilter, r paging.Request) (paging.Page[User], error) {
	if err := authz.Require(ctx, "users:read"); err != nil {
		return paging.Page[User]{}, err
	}
	q, err := userSpec.Parse(r)
	if err != nil {
		return paging.Page[User]{}, err
	}
	var v validate.V
	v.OneOf("role", f.Role, authz.Roles...)
	if err := v.Err(); err != nil {
		return paging.Page[User]{}, err
	}
	base := s.db.Conn(ctx).Model(&User{})
	if f.Q != "" {
		base = db.Contains(base, f.Q, "name", "email", "phone")
	}
	if f.Role != "" {
		base = base.Where("role = ?", f.Role)
	}
	if f.TeamID != "" {
		base = base.Where("team_id = ?", f.TeamID)
	}
	if f.Active != nil {
		base = base.Where("active = ?", *f.Active)
	}
	page, err := q.Fetch(base)
	if err != nil {
		return page, fmt.Errorf("org.list_users: %w", err)
	}
	return page, nil
}

// GetUser loads one user.
func (s *Service) GetUser(ctx context.Context, id string) (*User, error) {
	if err := authz.Require(ctx, "users:read"); err != nil {
		return nil, err
	}
	return s.store.UserByID(ctx, id)
}

// CreateUser adds a user (admin).
func (s *Service) CreateUser(ctx context.Context, req UserCreateRequest) (*User, error) {
	if err := authz.Require(ctx, "users:write"); err != nil {
		return nil, err
	}
	req.Email = NormaliseEmail(req.Email)
	req.Name = strings.TrimSpace(req.Name)
	var v validate.V
	if v.Required("email", req.Email) {
		v.MaxLen("email", req.Email, 254)
		v.Email("email", req.Email)
	}
	if v.Required("name", req.Name) {
		v.MaxLen("name", req.Name, 100)
	}
	v.Phone("phone", req.Phone)
	v.Password("password", req.Password)
	if v.Required("role", req.Role) {
		v.OneOf("role", req.Role, authz.Roles...)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	hash, err := secret.HashPassword(req.Password, s.bcryptCost)
	if err != nil {
		return nil, fmt.Errorf("org.create_user: %w", err)
	}
	now := db.Now()
	u := &User{ID: uuid.Must(uuid.NewV7()).String(), Email: req.Email, Name: req.Name, Phone: strings.TrimSpace(req.Phone),
		PasswordHash: hash, Role: req.Role, Active: true, PasswordChangedAt: &now, CreatedAt: now, UpdatedAt: now, Version: 1}
	if req.TeamID != nil && *req.TeamID != "" {
		u.TeamID = req.TeamID
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.checkTeam(ctx, "team_id", u.TeamID); err != nil {
			return err
		}
		if err := s.db.Conn(ctx).Create(u).Error; err != nil {
			if db.IsDuplicate(err) {
				return apperr.Invalid(apperr.FieldError{Field: "email", Message: "taken"})
			}
			return fmt.Errorf("org.create_user: %w", err)
		}
		return s.audit.Record(ctx, "create", "user", u.ID, nil, UserView(u))
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func (s *Service) checkTeam(ctx context.Context, field string, id *string) error {
	if id == nil {
		return nil
	}
	var n int64
	if err := s.db.Conn(ctx).Model(&Team{}).Where("id = ?", *id).Count(&n).Error; err != nil {
		return fmt.Errorf("org.check_team: %w", err)
	}
	if n == 0 {
		return apperr.Invalid(apperr.FieldError{Field: field, Message: "unknown_ref", Params: []any{"team"}})
	}
	return nil
}

// UpdateUser changes name, phone, role or team (admin). A role or team
// change narrows or widens the user's data scope on their next request.
func (s *Service) UpdateUser(ctx context.Context, id string, ifMatch *int, req UserUpdateRequest) (*User, error) {
	if err := authz.Require(ctx, "users:write"); err != nil {
		return nil, err
	}
	var v validate.V
	if req.Name != nil {
		*req.Name = strings.TrimSpace(*req.Name)
		if v.Required("name", *req.Name) {
			v.MaxLen("name", *req.Name, 100)
		}
	}
	if req.Phone != nil {
		v.Phone("phone", *req.Phone)
	}
	if req.Role != nil {
		if v.Required("role", *req.Role) {
			v.OneOf("role", *req.Role, authz.Roles...)
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.mutateUser(ctx, id, ifMatch, "update", func(ctx context.Context, u *User) error {
		if req.Name != nil {
			u.Name = *req.Name
		}
		if req.Phone != nil {
			u.Phone = strings.TrimSpace(*req.Phone)
		}
		if req.Role != nil {
			if u.ID == authz.ActorFrom(ctx).UserID && *req.Role != authz.RoleAdmin && u.Role == authz.RoleAdmin {
				return apperr.Conflict("invalid_transition", "invalid_transition")
			}
			u.Role = *req.Role
		}
		if req.TeamID != nil {
			if *req.TeamID == "" {
				u.TeamID = nil
			} else {
				if err := s.checkTeam(ctx, "team_id", req.TeamID); err != nil {
					return err
				}
				u.TeamID = req.TeamID
			}
		}
		return nil
	})
}

// SetActive disables or enables a user (admin). Disabling ends every
// session at once; an admin cannot disable themselves.
func (s *Service) SetActive(ctx context.Context, id string, active bool) (*User, error) {
	if err := authz.Require(ctx, "users:write"); err != nil {
		return nil, err
	}
	action := "enable"
	if !active {
		action = "disable"
	}
	return s.mutateUser(ctx, id, nil, action, func(ctx context.Context, u *User) error {
		if !active && u.ID == authz.ActorFrom(ctx).UserID {
			return apperr.Conflict("invalid_transition", "invalid_transition")
		}
		u.Active = active
		if !active {
			return s.revoker.RevokeUser(ctx, u.ID)
		}
		return nil
	})
}

// ResetPassword sets a new password for a user (admin) and ends their
// sessions.
func (s *Service) ResetPassword(ctx context.Context, id, password string) error {
	if err := authz.Require(ctx, "users:write"); err != nil {
		return err
	}
	var v validate.V
	v.Password("password", password)
	if err := v.Err(); err != nil {
		return err
	}
	_, err := s.mutateUser(ctx, id, nil, "reset_password", func(ctx context.Context, u *User) error {
		return s.setPassword(ctx, u, password)
	})
	return err
}

// ChangeOwnPassword checks the current password, sets the new one and ends
// all the caller's sessions, this one included: every device logs in again.
func (s *Service) ChangeOwnPassword(ctx context.Context, current, next string) error {
	a := authz.ActorFrom(ctx)
	if a == nil || a.IsAPIKey() {
		return apperr.Forbidden("users:password")
	}
	var v validate.V
	v.Required("current_password", current)
	v.Password("new_password", next)
	if err := v.Err(); err != nil {
		return err
	}
	done := func(bool) error { return nil }
	if s.guard != nil {
		var err error
		if done, err = s.guard.PasswordAttempt(ctx, a.UserID); err != nil {
			return err
		}
	}
	wrong := apperr.Invalid(apperr.FieldError{Field: "current_password", Message: "wrong_password"})
	_, err := s.mutateUser(ctx, a.UserID, nil, "change_password", func(ctx context.Context, u *User) error {
		if !secret.CheckPassword(u.PasswordHash, current) {
			return wrong
		}
		return s.setPassword(ctx, u, next)
	})
	switch {
	case errors.Is(err, wrong):
		if lerr := done(false); lerr != nil {
			return lerr
		}
		return err
	case err != nil:
		return err
	}
	return done(true)
}

func (s *Service) setPassword(ctx context.Context, u *User, pw string) error {
	hash, err := secret.HashPassword(pw, s.bcryptCost)
	if err != nil {
		return fmt.Errorf("org.password: %w", err)
	}
	now := db.Now()
	u.PasswordHash, u.PasswordChangedAt = hash, &now
	return s.revoker.RevokeUser(ctx, u.ID)
}

// mutateUser loads, changes and saves a user with its audit row in one
// transaction, guarded by the version (If-Match or the version read).
func (s *Service) mutateUser(ctx context.Context, id string, ifMatch *int, action string,
	change func(context.Context, *User) error) (*User, error) {
	return s.userWrites.Apply(ctx, func(ctx context.Context) (*User, error) { return s.store.UserByID(ctx, id) },
		ifMatch, action, change)
}

// Me describes the caller.
func (s *Service) Me(ctx context.Context) (*MeResponse, error) {
	a := authz.ActorFrom(ctx)
	if a.IsAPIKey() {
		return &MeResponse{Kind: "api_key", ID: a.APIKeyID, Name: a.Name, Scopes: a.Scopes, Permissions: a.Permissions()}, nil
	}
	u, err := s.store.UserByID(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	me := &MeResponse{Kind: "user", ID: u.ID, Email: u.Email, Name: u.Name, Role: u.Role, TeamID: u.TeamID,
		Permissions: a.Permissions()}
	if u.TeamID != nil {
		var t Team
		if err := s.db.Conn(ctx).Where("id = ?", *u.TeamID).Take(&t).Error; err == nil {
			me.Team = &TeamRef{ID: t.ID, Name: t.Name}
		}
	}
	return me, nil
}

// Roles is the permission matrix view.
func (s *Service) Roles(ctx context.Context) ([]RoleResponse, error) {
	if err := authz.Require(ctx, "roles:read"); err != nil {
		return nil, err
	}
	return Roles(), nil
}

// store exposes the store to the app wiring (seeding, bootstrap checks).
func (s *Service) Store() *Store { return s.store }

// generatePassword makes a random password that always meets the policy
// (a random token alone can be all letters).
func generatePassword() string {
	for {
		pw := secret.Token(12)
		var v validate.V
		if v.Password("password", pw); v.Err() == nil {
			return pw
		}
	}
}
