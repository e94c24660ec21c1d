package org_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/opencrm/crm/internal/app"
	"github.com/opencrm/crm/internal/apptest"
)

// emptyApp empties the env's user table and builds a second server on the
// same database and Redis with the first-admin settings given, as a fresh
// install would start. Logins go through env's router, which shares both.
func emptyApp(t *testing.T, env *apptest.Env, email, password string) (*app.App, *bytes.Buffer) {
	t.Helper()
	g := env.App.DB.Gorm()
	for _, table := range []string{"auth_sessions", "users"} {
		if err := g.Exec("DELETE FROM " + table).Error; err != nil {
			t.Fatal(err)
		}
	}
	return buildApp(t, env, email, password)
}

func buildApp(t *testing.T, env *apptest.Env, email, password string) (*app.App, *bytes.Buffer) {
	t.Helper()
	cfg := env.App.Cfg
	cfg.AdminEmail, cfg.AdminPassword = email, password
	logs := &bytes.Buffer{}
	a, err := app.Build(cfg, slog.New(slog.NewJSONHandler(logs, nil)), env.App.DB, env.App.Redis)
	if err != nil {
		t.Fatal(err)
	}
	return a, logs
}

func TestBootstrapFromConfig(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		const pw = "Boss-Passw0rd-9"
		a, logs := emptyApp(t, env, "  Boss@Example.com ", pw)
		var out bytes.Buffer
		if err := a.Bootstrap(context.Background(), &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "boss@example.com") || strings.Contains(out.String()+logs.String(), pw) {
			t.Fatalf("start-up output = %q", out.String())
		}
		var m me
		env.Login("boss@example.com", pw).Get("/me").Status(http.StatusOK).Decode(&m)
		if m.Role != "admin" || m.Email != "boss@example.com" {
			t.Fatalf("first admin = %+v", m)
		}
		login(env, apptest.AdminEmail, apptest.AdminPassword).Status(http.StatusUnauthorized)

		// Once there is a user, start-up creates and prints nothing, and
		// does not even look at the settings.
		for _, cfg := range [][2]string{{"", ""}, {"other@example.com", "Other-Passw0rd-1"}, {"bad", "weak"}} {
			a, _ := buildApp(t, env, cfg[0], cfg[1])
			out.Reset()
			if err := a.Bootstrap(context.Background(), &out); err != nil || out.Len() != 0 {
				t.Fatalf("second bootstrap %v: err %v, output %q", cfg, err, out.String())
			}
		}
		var l userList
		env.Login("boss@example.com", pw).Get("/users?include_total=true").Status(http.StatusOK).Decode(&l)
		if *l.Total != 1 {
			t.Fatalf("%d users after repeated bootstraps", *l.Total)
		}

		// Bad settings on an empty database stop the start.
		a, _ = emptyApp(t, env, "admin@example.com", "weak")
		if err := a.Bootstrap(context.Background(), io.Discard); err == nil {
			t.Fatal("weak CRM_ADMIN_PASSWORD accepted")
		}
	})
}

var printedPassword = regexp.MustCompile(`password:\s+(\S+)`)

func TestBootstrapGeneratesPassword(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		a, logs := emptyApp(t, env, "", "")
		var out bytes.Buffer
		if err := a.Bootstrap(context.Background(), &out); err != nil {
			t.Fatal(err)
		}
		m := printedPassword.FindStringSubmatch(out.String())
		if m == nil || !strings.Contains(out.String(), "admin@example.com") {
			t.Fatalf("start-up output = %q", out.String())
		}
		pw := m[1]
		if strings.Contains(logs.String(), pw) || strings.Contains(env.Logs.String(), pw) {
			t.Fatal("the generated password went to the log")
		}
		var who me
		env.Login("admin@example.com", pw).Get("/me").Status(http.StatusOK).Decode(&who)
		if who.Role != "admin" {
			t.Fatalf("generated admin = %+v", who)
		}
		out.Reset()
		if err := a.Bootstrap(context.Background(), &out); err != nil || out.Len() != 0 {
			t.Fatalf("second bootstrap: err %v, output %q", err, out.String())
		}
		login(env, "admin@example.com", pw).Status(http.StatusOK)
	})
}

// Two servers starting at once on an empty database: one creates the
// admin, the other starts without error and prints nothing.
func TestBootstrapConcurrent(t *testing.T) {
	apptest.Each(t, func(t *testing.T, b apptest.Backend) {
		env := apptest.New(t, b)
		for round := range 3 {
			a1, _ := emptyApp(t, env, "", "")
			a2, _ := buildApp(t, env, "", "")
			var outs [2]bytes.Buffer
			var errs [2]error
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i, a := range []*app.App{a1, a2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = a.Bootstrap(context.Background(), &outs[i])
				}()
			}
			close(start)
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("round %d: bootstrap errors %v, %v", round, errs[0], errs[1])
			}
			if (outs[0].Len() == 0) == (outs[1].Len() == 0) {
				t.Fatalf("round %d: outputs %q and %q, want exactly one", round, outs[0].String(), outs[1].String())
			}
			printed := outs[0].String() + outs[1].String()
			env.Login("admin@example.com", printedPassword.FindStringSubmatch(printed)[1]).Get("/me").Status(http.StatusOK)
		}
	})
}
