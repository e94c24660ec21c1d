package redisx_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/opencrm/crm/internal/platform/db/dbtest"
	"github.com/opencrm/crm/internal/platform/redisx"
	"github.com/redis/go-redis/v9"
)

func randomPrefix(tag string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "crmtest:" + tag + hex.EncodeToString(b[:]) + ":"
}

func open(t *testing.T, url, prefix string) *redisx.Client {
	t.Helper()
	c, err := redisx.Open(context.Background(), url, prefix)
	if err != nil {
		t.Fatalf("open %q: %v", url, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// servers runs fn against a real Redis and a miniredis, each reached by
// URL; mini is the miniredis (nil for the real server).
func servers(t *testing.T, fn func(t *testing.T, url string, mini *miniredis.Miniredis)) {
	t.Run("redis", func(t *testing.T) { fn(t, dbtest.RedisURL(t), nil) })
	t.Run("miniredis", func(t *testing.T) {
		m := miniredis.RunT(t)
		fn(t, "redis://"+m.Addr(), m)
	})
}

// The in-process Redis must expire keys in real time: sessions, lockouts
// and revocations rely on it.
func TestEmbeddedTTLExpires(t *testing.T) {
	ctx := context.Background()
	c := open(t, "", "crm:")
	if !c.Embedded() {
		t.Fatal("Open with no URL is not the in-process Redis")
	}
	k := c.Key("ttl", "probe")
	if err := c.Set(ctx, k, "v", 300*time.Millisecond).Err(); err != nil {
		t.Fatal(err)
	}
	if n, _ := c.Exists(ctx, k).Result(); n != 1 {
		t.Fatal("key missing right after SET")
	}
	if ttl := c.PTTL(ctx, k).Val(); ttl <= 0 || ttl > 300*time.Millisecond {
		t.Fatalf("PTTL = %v, want (0, 300ms]", ttl)
	}
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if n, _ := c.Exists(ctx, k).Result(); n == 0 {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("key with a 300ms TTL still exists after 2s")
}

// The embedded server is private to its client: a second Open gets its own.
func TestEmbeddedIsPrivate(t *testing.T) {
	ctx := context.Background()
	a, b := open(t, "", "crm:"), open(t, "", "crm:")
	if err := a.Set(ctx, a.Key("k"), "a", 0).Err(); err != nil {
		t.Fatal(err)
	}
	if n := b.Exists(ctx, b.Key("k")).Val(); n != 0 {
		t.Fatal("two in-process Redis instances share keys")
	}
}

func TestTTLExpiresOnServers(t *testing.T) {
	servers(t, func(t *testing.T, url string, mini *miniredis.Miniredis) {
		ctx := context.Background()
		c := open(t, url, randomPrefix("ttl"))
		t.Cleanup(func() { _ = c.DeletePrefix(context.Background()) })
		k := c.Key("x")
		if err := c.Set(ctx, k, "v", 200*time.Millisecond).Err(); err != nil {
			t.Fatal(err)
		}
		if c.Embedded() {
			t.Fatal("URL client claims to be embedded")
		}
		// Plain miniredis (no clock) needs its time advanced; the real one
		// expires on its own. Either way the key must go.
		if mini != nil {
			mini.FastForward(time.Second)
		} else {
			time.Sleep(400 * time.Millisecond)
		}
		if n := c.Exists(ctx, k).Val(); n != 0 {
			t.Fatal("key outlived its TTL")
		}
	})
}

func TestDeletePrefixKeepsOtherKeys(t *testing.T) {
	servers(t, func(t *testing.T, url string, mini *miniredis.Miniredis) {
		ctx := context.Background()
		pa, pb := randomPrefix("a"), randomPrefix("b")
		a, b := open(t, url, pa), open(t, url, pb)
		t.Cleanup(func() { _ = b.DeletePrefix(context.Background()) })
		// More than one SCAN batch, so the loop's batching is exercised.
		for i := 0; i < 1200; i++ {
			if err := a.Set(ctx, a.Key("k", fmt.Sprint(i)), i, time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < 10; i++ {
			if err := b.Set(ctx, b.Key("k", fmt.Sprint(i)), i, time.Minute).Err(); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.DeletePrefix(ctx); err != nil {
			t.Fatal(err)
		}
		if keys := scanAll(t, a, pa+"*"); len(keys) != 0 {
			t.Fatalf("%d keys of prefix a left", len(keys))
		}
		if keys := scanAll(t, b, pb+"*"); len(keys) != 10 {
			t.Fatalf("prefix b has %d keys after deleting prefix a, want 10", len(keys))
		}
	})
}

// A prefix with glob characters matches only itself: "p[1]:" must not
// take "p1:" with it.
func TestDeletePrefixEscapesGlob(t *testing.T) {
	servers(t, func(t *testing.T, url string, mini *miniredis.Miniredis) {
		ctx := context.Background()
		base := randomPrefix("g")
		globby := open(t, url, base+"p[1]*?:")
		plain := open(t, url, base+"p1xx:")
		t.Cleanup(func() { _ = plain.DeletePrefix(context.Background()) })
		if err := globby.Set(ctx, globby.Key("k"), 1, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		if err := plain.Set(ctx, plain.Key("k"), 1, time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		if err := globby.DeletePrefix(ctx); err != nil {
			t.Fatal(err)
		}
		if n := plain.Exists(ctx, plain.Key("k")).Val(); n != 1 {
			t.Fatal("DeletePrefix with glob characters deleted another prefix's key")
		}
		if n := globby.Exists(ctx, globby.Key("k")).Val(); n != 0 {
			t.Fatal("DeletePrefix left its own key")
		}
	})
}

func TestDeletePrefixRefusesEmptyPrefix(t *testing.T) {
	m := miniredis.RunT(t)
	c := open(t, "redis://"+m.Addr(), "")
	if err := c.Set(context.Background(), "other", 1, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.DeletePrefix(context.Background()); err == nil {
		t.Fatal("DeletePrefix with an empty prefix succeeded")
	}
	if !m.Exists("other") {
		t.Fatal("DeletePrefix with an empty prefix deleted a key")
	}
}

func TestKey(t *testing.T) {
	m := miniredis.RunT(t)
	c := open(t, "redis://"+m.Addr(), "crm:")
	if got := c.Key("sess", "42"); got != "crm:sess:42" {
		t.Fatalf("Key = %q", got)
	}
	if c.Prefix() != "crm:" {
		t.Fatalf("Prefix = %q", c.Prefix())
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := redisx.Open(context.Background(), "not a url", "p:"); err == nil {
		t.Fatal("bad URL accepted")
	}
	m := miniredis.RunT(t)
	addr := m.Addr()
	m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := redisx.Open(ctx, "redis://"+addr, "p:"); err == nil {
		t.Fatal("Open against a stopped server succeeded")
	}
}

func scanAll(t *testing.T, c *redisx.Client, match string) []string {
	t.Helper()
	var out []string
	iter := c.Scan(context.Background(), 0, match, 1000).Iterator()
	for iter.Next(context.Background()) {
		out = append(out, iter.Val())
	}
	if err := iter.Err(); err != nil && err != redis.Nil {
		t.Fatal(err)
	}
	return out
}
