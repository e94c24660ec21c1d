package org

import (
	"context"
	"errors"
	"fmt"

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/secret"
	"github.com/opencrm/crm/internal/platform/validate"
)

// EnsureFirstAdmin creates the first admin when there is no user yet. With
// no password given it generates one and returns it, so the caller can
// print it once; it returns "" when nothing was created. Two servers
// starting at once may both find no user: the one whose insert loses on the
// unique email reports nothing created instead of failing to start.
func (s *Service) EnsureFirstAdmin(ctx context.Context, email, password string) (created bool, generated string, err error) {
	if email == "" {
		email = "admin@example.com"
	}
	if password == "" {
		generated = firstAdminPassword()
		password = generated
	}
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		n, err := s.store.CountUsers(ctx)
		if err != nil || n > 0 {
			return err
		}
		var v validate.V
		v.Email("CRM_ADMIN_EMAIL", NormaliseEmail(email))
		v.Password("CRM_ADMIN_PASSWORD", password)
		if err := v.Err(); err != nil {
			return fmt.Errorf("first admin: CRM_ADMIN_EMAIL or CRM_ADMIN_PASSWORD is invalid (password: 8–72 characters, not only letters or digits): %w", err)
		}
		sys := authz.WithActor(ctx, authz.System("bootstrap"))
		if _, err := s.CreateUser(sys, UserCreateRequest{Email: email, Name: "Administrator", Password: password, Role: authz.RoleAdmin}); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		created = false
		if isEmailTaken(err) {
			return false, "", nil // another server made the admin first
		}
		return false, "", err
	}
	if !created {
		generated = ""
	}
	return created, generated, nil
}

// firstAdminPassword draws a random password that passes the password
// policy: base64url text can come out letters only, which the policy (and
// so CreateUser) would refuse, and the server would not start.
func firstAdminPassword() string {
	for {
		pw := secret.Token(12)
		var v validate.V
		if v.Password("p", pw); v.Err() == nil {
			return pw
		}
	}
}

func isEmailTaken(err error) bool {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return false
	}
	for _, f := range ae.Fields {
		if f.Field == "email" && f.Message == "taken" {
			return true
		}
	}
	return false
}
