package org

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
)

// Store reads and writes users and teams.
type Store struct {
	db      *db.DB
	changed func(context.Context)
}

// OnChange registers fn to run after every committed change to a user or
// the team tree (auth drops the actors it keeps between requests).
func (s *Store) OnChange(fn func(context.Context)) { s.changed = fn }

// notify runs the OnChange hook once the write in ctx commits.
func (s *Store) notify(ctx context.Context) {
	if s.changed != nil {
		db.AfterCommit(ctx, s.changed)
	}
}

// NewStore builds a Store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// UserByID loads a user, or apperr.ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id string) (*User, error) {
	var u User
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&u).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("org.user: %w", err)
	}
	return &u, nil
}

// UserByEmail loads a user by normalised email, or apperr.ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (*User, error) {
	var u User
	err := s.db.Conn(ctx).Where("email = ?", NormaliseEmail(email)).Take(&u).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("user")
	}
	if err != nil {
		return nil, fmt.Errorf("org.user_by_email: %w", err)
	}
	return &u, nil
}

// CountUsers counts all users.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Conn(ctx).Model(&User{}).Count(&n).Error
	return n, err
}

// AllTeams loads the whole team tree, flat.
func (s *Store) AllTeams(ctx context.Context) ([]Team, error) {
	var ts []Team
	if err := s.db.Conn(ctx).Order("name, id").Find(&ts).Error; err != nil {
		return nil, fmt.Errorf("org.teams: %w", err)
	}
	return ts, nil
}

// TeamSubtree returns the team and all teams below it.
func (s *Store) TeamSubtree(ctx context.Context, teamID string) ([]string, error) {
	all, err := s.AllTeams(ctx)
	if err != nil {
		return nil, err
	}
	return Subtree(all, teamID), nil
}

// AssignableOwner loads the user the actor wants to make owner of a record
// and checks the actor may: an active user inside the actor's reach
// (authz.Actor.CanOwn). Unknown, malformed and out-of-reach ids get the same
// 422 on field, so the check reveals nothing about who exists.
func (s *Store) AssignableOwner(ctx context.Context, a *authz.Actor, field, id string) (*User, error) {
	unknown := apperr.Invalid(apperr.FieldError{Field: field, Message: "unknown_ref", Params: []any{"user"}})
	if _, err := uuid.Parse(id); err != nil {
		return nil, unknown
	}
	u, err := s.UserByID(ctx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, unknown
	}
	if err != nil {
		return nil, err
	}
	if !a.CanOwn(u.ID, u.TeamIDValue()) {
		return nil, unknown
	}
	if !u.Active {
		return nil, apperr.Invalid(apperr.FieldError{Field: field, Message: "inactive_user"})
	}
	return u, nil
}

// SaveUser writes a user's changeable columns if it is still at version
// read (record.Mutation's Save).
func (s *Store) SaveUser(ctx context.Context, u *User, read int) error {
	res := s.db.Conn(ctx).Model(&User{}).Where("id = ? AND version = ?", u.ID, read).
		Select("name", "phone", "role", "team_id", "active", "password_hash", "password_changed_at", "updated_at", "version").
		UpdateColumns(u)
	if res.Error != nil {
		return fmt.Errorf("org.save_user: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	s.notify(ctx)
	return nil
}

// SaveTeam writes a team's changeable columns if it is still at version read.
func (s *Store) SaveTeam(ctx context.Context, t *Team, read int) error {
	res := s.db.Conn(ctx).Model(&Team{}).Where("id = ? AND version = ?", t.ID, read).
		Select("name", "parent_id", "updated_at", "version").UpdateColumns(t)
	if res.Error != nil {
		return fmt.Errorf("org.save_team: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return apperr.VersionMismatch()
	}
	s.notify(ctx)
	return nil
}
