package auth_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opencrm/crm/internal/apptest"
)

func TestMain(m *testing.M) { apptest.Main(m) }

func TestLoginAndMe(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		me := env.Admin.Get("/me").Status(http.StatusOK).Map()
		if me["role"] != "admin" || me["email"] != apptest.AdminEmail {
			t.Fatalf("me = %v", me)
		}
		team := env.Team("East", "")
		rep := env.User("rep", team)
		m := rep.Get("/me").Status(http.StatusOK).Map()
		if m["role"] != "rep" || m["team_id"] != team {
			t.Fatalf("rep me = %v", m)
		}
	})
}

func TestLogin(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		rep := env.User("rep", "")

		var p pair
		r := login(env, rep.Email, apptest.Password).Status(http.StatusOK).Decode(&p)
		if p.TokenType != "Bearer" || p.ExpiresIn != 900 || p.AccessToken == "" || p.RefreshToken == "" {
			t.Fatalf("token pair = %+v", p)
		}
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", cc)
		}
		if meStatus(env, p.AccessToken) != http.StatusOK {
			t.Fatal("fresh access token refused")
		}
		// Email is matched case- and space-insensitively.
		login(env, "  "+strings.ToUpper(rep.Email)+" ", apptest.Password).Status(http.StatusOK)

		wrong := wantProblem(t, login(env, rep.Email, "Wrong-Passw0rd"), http.StatusUnauthorized, "invalid_credentials")
		unknown := wantProblem(t, login(env, "nobody@example.com", apptest.Password), http.StatusUnauthorized, "invalid_credentials")
		if wrong.Detail != unknown.Detail {
			t.Errorf("unknown email answers differently: %q vs %q", unknown.Detail, wrong.Detail)
		}
		wantProblem(t, login(env, rep.Email, ""), http.StatusUnauthorized, "invalid_credentials")
		env.Anonymous().Post("/auth/login", `{"email":`).Status(http.StatusBadRequest).Problem()
		env.Anonymous().Post("/auth/login", `{"email":"a@b.c","password":"x","extra":1}`).Status(http.StatusBadRequest).Problem()

		env.Admin.Post("/users/"+rep.ID+"/disable", nil).Status(http.StatusOK)
		wantProblem(t, login(env, rep.Email, apptest.Password), http.StatusUnauthorized, "user_disabled")
		wantProblem(t, login(env, rep.Email, "Wrong-Passw0rd"), http.StatusUnauthorized, "invalid_credentials")
	})
}

func TestLoginLockout(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, lockout(3, 1500*time.Millisecond))
		rep := env.User("rep", "")

		wantProblem(t, login(env, rep.Email, "Wrong-Passw0rd"), http.StatusUnauthorized, "invalid_credentials")
		wantProblem(t, login(env, rep.Email, "Wrong-Passw0rd"), http.StatusUnauthorized, "invalid_credentials")
		r := login(env, rep.Email, "Wrong-Passw0rd")
		wantProblem(t, r, http.StatusTooManyRequests, "too_many_attempts")
		if s := retryAfter(t, r); s < 1 || s > 2 {
			t.Errorf("Retry-After = %d, want 1..2", s)
		}
		// Locked even with the right password.
		r = login(env, rep.Email, apptest.Password)
		wantProblem(t, r, http.StatusTooManyRequests, "too_many_attempts")
		retryAfter(t, r)
		// The lock is per email: others log in.
		login(env, apptest.AdminEmail, apptest.AdminPassword).Status(http.StatusOK)

		// The lock's TTL really runs out, on the in-process Redis too.
		if !apptest.Eventually(t, 5*time.Second, func() bool {
			return login(env, rep.Email, apptest.Password).Code == http.StatusOK
		}) {
			t.Fatal("still locked after the lockout expired")
		}
		// Success cleared the count: two more failures are not a lock.
		wantProblem(t, login(env, rep.Email, "Wrong-Passw0rd"), http.StatusUnauthorized, "invalid_credentials")
		wantProblem(t, login(env, rep.Email, "Wrong-Passw0rd"), http.StatusUnauthorized, "invalid_credentials")
	})
}

func TestLoginSuccessResetsFailures(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, lockout(3, time.Minute))
		rep := env.User("rep", "")
		for range 2 {
			for range 2 {
				wantProblem(t, login(env, rep.Email, "Wrong-Passw0rd"), http.StatusUnauthorized, "invalid_credentials")
			}
			login(env, rep.Email, apptest.Password).Status(http.StatusOK)
		}
		// Unknown emails lock the same way, so a lock reveals nothing.
		for range 2 {
			wantProblem(t, login(env, "ghost@example.com", "Wrong-Passw0rd"), http.StatusUnauthorized, "invalid_credentials")
		}
		wantProblem(t, login(env, "ghost@example.com", "Wrong-Passw0rd"), http.StatusTooManyRequests, "too_many_attempts")
	})
}

// Parallel guesses must not get past the limit: every attempt is counted
// before its password is checked.
func TestLoginLockoutParallel(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b, lockout(3, time.Minute))
		rep := env.User("rep", "")
		const n = 12
		codes := make([]int, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes[i] = login(env, rep.Email, "Wrong-Passw0rd").Code
			}()
		}
		close(start)
		wg.Wait()
		var unauthorized, limited int
		for _, c := range codes {
			switch c {
			case http.StatusUnauthorized:
				unauthorized++
			case http.StatusTooManyRequests:
				limited++
			}
		}
		// Attempts 1 and 2 may be told "wrong"; the 3rd on are locked.
		if unauthorized != 2 || limited != n-2 {
			t.Fatalf("codes = %v: %d×401, %d×429, want 2×401 and %d×429", codes, unauthorized, limited, n-2)
		}
		wantProblem(t, login(env, rep.Email, apptest.Password), http.StatusTooManyRequests, "too_many_attempts")
	})
}
