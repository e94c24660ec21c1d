package apptest

import (
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// PrivateRedis is a redis-server of the test's own on a free port, without
// persistence, so a test may stop or restart it (never the shared one).
type PrivateRedis struct {
	t    testing.TB
	bin  string
	port int
	cmd  *exec.Cmd
	// URL is redis://127.0.0.1:<port>/0.
	URL string
}

// StartPrivateRedis starts one. Without a redis-server binary the test is
// skipped, or fails when CRM_TEST_REQUIRE_SERVICES=1.
func StartPrivateRedis(t testing.TB) *PrivateRedis {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if servicesRequired() {
			t.Fatal("redis-server binary not found (CRM_TEST_REQUIRE_SERVICES=1)")
		}
		t.Skip("redis-server binary not found")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	p := &PrivateRedis{t: t, bin: bin, port: port, URL: fmt.Sprintf("redis://127.0.0.1:%d/0", port)}
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

// Start starts the server (again), empty, on the same port.
func (p *PrivateRedis) Start() {
	p.t.Helper()
	p.cmd = exec.Command(p.bin, "--port", strconv.Itoa(p.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", p.t.TempDir())
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", p.port)
	if !Eventually(p.t, 5*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}) {
		p.t.Fatal("private redis-server did not start")
	}
}

// Stop kills the server; everything in it is lost.
func (p *PrivateRedis) Stop() {
	if p.cmd != nil && p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		_ = p.cmd.Wait()
	}
}
