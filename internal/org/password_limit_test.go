package org_test

import (
	"net/http"
	"testing"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/config"
)

// A stolen access token must not be an unthrottled oracle for the user's
// password: wrong current passwords are limited like logins, and past the
// limit even the right one is refused until the window ends.
func TestChangeOwnPasswordIsRateLimited(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, func(c *config.Config) { c.LoginMaxFails = 3 })
		rep := env.User("rep", "")
		bystander := env.User("rep", "")
		const next = "Brand-New-Passw0rd"
		wrong := map[string]any{"current_password": "Wrong-Passw0rd", "new_password": next}

		for i := 0; i < 2; i++ {
			wantField(t, rep.Post("/me/password", wrong), "current_password")
		}
		r := rep.Post("/me/password", wrong).Status(http.StatusTooManyRequests)
		if r.Problem().Code != "too_many_attempts" || r.Header.Get("Retry-After") == "" {
			t.Fatalf("want too_many_attempts with Retry-After, got %s %v", r.Body, r.Header)
		}
		rep.Post("/me/password", map[string]any{"current_password": apptest.Password, "new_password": next}).
			Status(http.StatusTooManyRequests)
		// The session and the login are untouched; another user is not limited.
		rep.Get("/me").Status(http.StatusOK)
		env.Login(rep.Email, apptest.Password).Get("/me").Status(http.StatusOK)
		bystander.Post("/me/password", map[string]any{"current_password": apptest.Password, "new_password": next}).
			Status(http.StatusNoContent)
	})
}

// A right guess clears the count of earlier wrong ones.
func TestChangeOwnPasswordSuccessClearsCount(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, func(c *config.Config) { c.LoginMaxFails = 2 })
		rep := env.User("rep", "")
		const next = "Brand-New-Passw0rd"
		wantField(t, rep.Post("/me/password", map[string]any{"current_password": "Wrong-1", "new_password": next}), "current_password")
		rep.Post("/me/password", map[string]any{"current_password": apptest.Password, "new_password": next}).Status(http.StatusNoContent)
		again := env.Login(rep.Email, next)
		wantField(t, again.Post("/me/password", map[string]any{"current_password": "Wrong-1", "new_password": "Third-Passw0rd"}), "current_password")
	})
}
