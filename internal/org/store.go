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
type Store struct{ db *db.DB }

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
