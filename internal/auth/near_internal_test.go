package auth

import (
	"testing"
	"time"
)

// The near cache keeps nothing while its subscription is down, nothing
// older than its TTL, and nothing read before a revocation it raced.
func TestNearSessionsRules(t *testing.T) {
	now := time.Now()
	n := &nearSessions{ttl: time.Second}
	_, _, e := n.lookup("s1", now)
	n.keep("s1", "7", now, e)
	if _, ok, _ := n.lookup("s1", now); ok {
		t.Fatal("kept while the subscription is down")
	}
	n.setUp(true)
	_, _, e = n.lookup("s1", now)
	n.keep("s1", "7", now, e)
	if gen, ok, _ := n.lookup("s1", now.Add(999*time.Millisecond)); !ok || gen != "7" {
		t.Fatalf("lookup within the TTL: %q %v", gen, ok)
	}
	if _, ok, _ := n.lookup("s1", now.Add(time.Second)); ok {
		t.Fatal("served past the TTL")
	}
	// A read that began before a revocation is not kept after it.
	_, _, e = n.lookup("s2", now)
	n.forget("s2")
	n.keep("s2", "7", now, e)
	if _, ok, _ := n.lookup("s2", now); ok {
		t.Fatal("kept a read that raced a revocation")
	}
	// Revoked sessions and generation changes go at once.
	n.forget("s1")
	if _, ok, _ := n.lookup("s1", now); ok {
		t.Fatal("served a revoked session")
	}
	_, _, e = n.lookup("s3", now)
	n.keep("s3", "7", now, e)
	n.forget()
	if _, ok, _ := n.lookup("s3", now); ok {
		t.Fatal("served across a generation change")
	}
	// TTL 0: never kept.
	off := &nearSessions{}
	off.setUp(true)
	_, _, e = off.lookup("s1", now)
	off.keep("s1", "7", now, e)
	if _, ok, _ := off.lookup("s1", now); ok {
		t.Fatal("kept with the cache off")
	}
}
