package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/apptest"
)

// Cancelling Serve's context (SIGTERM in main) stops new connections at
// once but lets a request in flight finish with its response.
func TestGracefulShutdown(t *testing.T) {
	env := apptest.New(t, apptest.Embedded)
	started := make(chan struct{})
	env.App.Echo.GET("/_test/slow", func(c echo.Context) error {
		close(started)
		time.Sleep(500 * time.Millisecond)
		return c.String(http.StatusOK, "finished")
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- env.App.Serve(ctx, ln) }()

	type result struct {
		code int
		body string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/_test/slow")
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{resp.StatusCode, string(b), err}
	}()

	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("slow request never reached the handler")
	}
	cancel()

	// While the request is still running, the listener is closed.
	refused := apptest.Eventually(t, 2*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
			return false
		}
		return true
	})
	if !refused {
		t.Fatal("new connections still accepted after shutdown began")
	}
	select {
	case r := <-done:
		if r.err != nil || r.code != http.StatusOK || r.body != "finished" {
			t.Fatalf("in-flight request: %d %q %v", r.code, r.body, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("in-flight request did not complete")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve returned %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return")
	}
	if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
		_ = c.Close()
		t.Fatal("connection accepted after Serve returned")
	}
}

// Serve returns the listener's error when it cannot serve at all.
func TestServeReportsListenerFailure(t *testing.T) {
	env := apptest.New(t, apptest.Embedded)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_ = ln.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := env.App.Serve(ctx, ln); err == nil {
		t.Fatal("Serve on a closed listener returned nil")
	}
}
