package auth_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/config"
)

// pair is the token response of login and refresh.
type pair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

func login(env *apptest.Env, email, password string) *apptest.Response {
	return env.Anonymous().Post("/auth/login", map[string]string{"email": email, "password": password})
}

func refresh(env *apptest.Env, token string) *apptest.Response {
	return env.Anonymous().Post("/auth/refresh", map[string]string{"refresh_token": token})
}

// bearer is a client sending an access token of our choosing.
func bearer(env *apptest.Env, token string) *apptest.Client {
	c := env.Anonymous()
	c.Token = token
	return c
}

// wantProblem checks a problem response's status and code.
func wantProblem(t *testing.T, r *apptest.Response, status int, code string) apptest.Problem {
	t.Helper()
	p := r.Status(status).Problem()
	if p.Code != code {
		t.Fatalf("%d problem code = %q, want %q (detail %q)", status, p.Code, code, p.Detail)
	}
	return p
}

func lockout(maxFails int, d time.Duration) apptest.Option {
	return func(c *config.Config) { c.LoginMaxFails, c.LoginLockout = maxFails, d }
}

func retryAfter(t *testing.T, r *apptest.Response) int {
	t.Helper()
	n, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After = %q, want seconds", r.Header.Get("Retry-After"))
	}
	return n
}

// meStatus is the status of GET /me with an access token.
func meStatus(env *apptest.Env, token string) int { return bearer(env, token).Get("/me").Code }
