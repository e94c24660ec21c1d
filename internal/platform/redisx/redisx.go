// Package redisx connects to Redis, or starts an in-process one for the
// embedded default, behind the same go-redis client so code paths match.
package redisx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Client is a go-redis client plus the key namespace this process owns.
// Every key goes through Key so tests and tenants never collide.
type Client struct {
	redis.UniversalClient
	prefix   string
	embedded *miniredis.Miniredis
	stop     func()
}

// Open dials url, or with an empty url starts an in-process Redis on a
// loopback port.
func Open(ctx context.Context, url, prefix string) (*Client, error) {
	c := &Client{prefix: prefix, stop: func() {}}
	var opts *redis.Options
	if url == "" {
		m := miniredis.NewMiniRedis()
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("redis: start in-process: %w", err)
		}
		c.embedded = m
		c.stop = runClock(m)
		opts = &redis.Options{Addr: m.Addr()}
	} else {
		var err error
		if opts, err = redis.ParseURL(url); err != nil {
			return nil, fmt.Errorf("redis: url: %w", err)
		}
	}
	c.UniversalClient = redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("redis: ping: %w", err)
	}
	return c, nil
}

// runClock advances the in-process Redis in real time. miniredis only
// expires keys when told time has passed; without this a TTL would never
// run out and revocations, lockouts and limits would behave unlike Redis.
func runClock(m *miniredis.Miniredis) func() {
	done := make(chan struct{})
	var once sync.Once
	go func() {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		last := time.Now()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				m.FastForward(now.Sub(last))
				last = now
			}
		}
	}()
	return func() { once.Do(func() { close(done) }) }
}

// Embedded reports whether this is the in-process Redis.
func (c *Client) Embedded() bool { return c.embedded != nil }

// Key joins parts under the client's prefix: Key("sess", id) → "crm:sess:id".
func (c *Client) Key(parts ...string) string {
	k := c.prefix
	for i, p := range parts {
		if i > 0 {
			k += ":"
		}
		k += p
	}
	return k
}

// Prefix is the namespace every key of this client starts with.
func (c *Client) Prefix() string { return c.prefix }

// DeletePrefix removes every key in the namespace with SCAN, never FLUSH,
// so a shared Redis keeps other tenants' keys. Tests use it for cleanup.
// An empty prefix is refused: it would match every key in the server.
func (c *Client) DeletePrefix(ctx context.Context) error {
	if c.prefix == "" {
		return errors.New("redis: DeletePrefix needs a non-empty prefix")
	}
	iter := c.Scan(ctx, 0, globEscape(c.prefix)+"*", 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := c.Del(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		if err := c.Del(ctx, batch...).Err(); err != nil {
			return err
		}
	}
	return iter.Err()
}

// globEscape quotes SCAN MATCH metacharacters so a prefix such as
// "crm[1]:" matches only itself.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '*', '?', '[', ']', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Close closes the client and stops the in-process server.
func (c *Client) Close() error {
	err := c.UniversalClient.Close()
	c.stop()
	if c.embedded != nil {
		c.embedded.Close()
	}
	return err
}
