package auth_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/opencrm/crm/internal/apptest"
	"github.com/opencrm/crm/internal/platform/config"
)

// reSign takes a real access token's claims, lets edit change them and
// signs the result with method and key.
func reSign(t *testing.T, token string, method jwt.SigningMethod, key any, edit func(jwt.MapClaims)) string {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		t.Fatalf("parse own token: %v", err)
	}
	if edit != nil {
		edit(claims)
	}
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func TestAccessTokenChecks(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		tok := env.Admin.Token
		key := []byte(env.App.Cfg.JWTSecret)
		anon := env.Anonymous()

		wantProblem(t, anon.Get("/me"), http.StatusUnauthorized, "missing_credentials")
		if h := anon.Get("/me").Header.Get("WWW-Authenticate"); h == "" {
			t.Error("401 without WWW-Authenticate")
		}
		for _, h := range []string{"Basic xyz", "Bearer", "Bearer   ", "Token " + tok, "garbage"} {
			wantProblem(t, anon.Req("GET", "/me", nil).Header("Authorization", h).Send(), http.StatusUnauthorized, "invalid_token")
		}
		wantProblem(t, bearer(env, "garbage").Get("/me"), http.StatusUnauthorized, "invalid_token")
		wantProblem(t, bearer(env, tok+"x").Get("/me"), http.StatusUnauthorized, "invalid_token")

		// Control: the same claims signed with the server's key pass, so
		// each refusal below is for the one thing changed.
		bearer(env, reSign(t, tok, jwt.SigningMethodHS256, key, nil)).Get("/me").Status(http.StatusOK)
		// The scheme name is case-insensitive.
		anon.Req("GET", "/me", nil).Header("Authorization", "bearer "+tok).Send().Status(http.StatusOK)

		forged := map[string]string{
			"other secret": reSign(t, tok, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), nil),
			"alg none":     reSign(t, tok, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil),
			"alg HS512":    reSign(t, tok, jwt.SigningMethodHS512, key, nil),
			"issuer":       reSign(t, tok, jwt.SigningMethodHS256, key, func(c jwt.MapClaims) { c["iss"] = "evil" }),
			"no exp":       reSign(t, tok, jwt.SigningMethodHS256, key, func(c jwt.MapClaims) { delete(c, "exp") }),
			"no sid":       reSign(t, tok, jwt.SigningMethodHS256, key, func(c jwt.MapClaims) { delete(c, "sid") }),
		}
		for name, f := range forged {
			r := bearer(env, f).Get("/me")
			if r.Code != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", name, r.Code)
			}
		}
		// A validly signed token naming a session that does not exist.
		wantProblem(t, bearer(env, reSign(t, tok, jwt.SigningMethodHS256, key, func(c jwt.MapClaims) {
			c["sid"] = "0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"
		})).Get("/me"), http.StatusUnauthorized, "token_revoked")
		wantProblem(t, bearer(env, reSign(t, tok, jwt.SigningMethodHS256, key, func(c jwt.MapClaims) {
			c["exp"] = time.Now().Add(-time.Minute).Unix()
		})).Get("/me"), http.StatusUnauthorized, "token_expired")
	})
}

func TestAccessTokenExpires(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, func(c *config.Config) { c.AccessTokenTTL = time.Second })
		var p pair
		login(env, apptest.AdminEmail, apptest.AdminPassword).Status(http.StatusOK).Decode(&p)
		if p.ExpiresIn != 1 {
			t.Fatalf("expires_in = %d, want 1", p.ExpiresIn)
		}
		if !apptest.Eventually(t, 3*time.Second, func() bool {
			r := bearer(env, p.AccessToken).Get("/me")
			return r.Code == http.StatusUnauthorized && r.Problem().Code == "token_expired"
		}) {
			t.Fatal("access token did not expire with token_expired")
		}
		// The refresh token outlives it.
		refresh(env, p.RefreshToken).Status(http.StatusOK)
	})
}

func TestLogout(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", "")
		other := env.Login(rep.Email, apptest.Password)

		rep.Post("/auth/logout", nil).Status(http.StatusNoContent)
		wantProblem(t, rep.Get("/me"), http.StatusUnauthorized, "token_revoked")
		wantProblem(t, refresh(env, rep.Refresh), http.StatusUnauthorized, "token_revoked")
		wantProblem(t, rep.Post("/auth/logout", nil), http.StatusUnauthorized, "token_revoked")
		// Only that session ended.
		other.Get("/me").Status(http.StatusOK)
		refresh(env, other.Refresh).Status(http.StatusOK)

		// Logout belongs to sessions, not to API keys.
		var k struct{ Key string }
		env.Admin.Post("/api-keys", map[string]any{"name": "k", "scopes": []string{"teams:read"}}).
			Status(http.StatusCreated).Decode(&k)
		wantProblem(t, env.WithAPIKey(k.Key).Post("/auth/logout", nil), http.StatusUnauthorized, "invalid_token")
	})
}

func TestRefreshRotation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", "")

		var next pair
		r := refresh(env, rep.Refresh).Status(http.StatusOK).Decode(&next)
		if next.TokenType != "Bearer" || next.ExpiresIn != 900 || next.RefreshToken == rep.Refresh || next.AccessToken == rep.Token {
			t.Fatalf("refreshed pair = %+v", next)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Error("refresh response may be cached")
		}
		if meStatus(env, next.AccessToken) != http.StatusOK || meStatus(env, rep.Token) != http.StatusOK {
			t.Fatal("tokens of the live session refused")
		}
		// The new refresh token rotates again.
		var third pair
		refresh(env, next.RefreshToken).Status(http.StatusOK).Decode(&third)

		// Replaying a spent refresh token revokes the whole session.
		wantProblem(t, refresh(env, next.RefreshToken), http.StatusUnauthorized, "refresh_reused")
		for _, tok := range []string{rep.Token, next.AccessToken, third.AccessToken} {
			wantProblem(t, bearer(env, tok).Get("/me"), http.StatusUnauthorized, "token_revoked")
		}
		wantProblem(t, refresh(env, third.RefreshToken), http.StatusUnauthorized, "token_revoked")
		wantProblem(t, refresh(env, rep.Refresh), http.StatusUnauthorized, "token_revoked")
		// A new login is unaffected.
		env.Login(rep.Email, apptest.Password).Get("/me").Status(http.StatusOK)

		for _, bad := range []string{"", "nodot", ".x", "x.", "0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b.secret"} {
			wantProblem(t, refresh(env, bad), http.StatusUnauthorized, "invalid_token")
		}
		env.Anonymous().Post("/auth/refresh", `{"refresh_token":1}`).Status(http.StatusBadRequest).Problem()
	})
}

// Of N refreshes racing with one token exactly one wins; the rest are
// reuses.
func TestRefreshConcurrent(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", "")
		const n = 8
		codes := make([]int, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes[i] = refresh(env, rep.Refresh).Code
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, c := range codes {
			switch c {
			case http.StatusOK:
				ok++
			case http.StatusUnauthorized:
			default:
				t.Errorf("unexpected status %d", c)
			}
		}
		if ok != 1 {
			t.Fatalf("codes = %v: %d succeeded, want exactly 1", codes, ok)
		}
	})
}
