package auth

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// nearSessions keeps, for at most Settings.SessionCacheTTL, the sessions
// this process found live in Redis and the organisation generation read
// with them, so a burst of requests on one token checks Redis once instead
// of on every request (that round trip was a ninth of a request's CPU).
//
// Revocation still acts at once: the process that revokes a session or
// changes a user or team forgets it here before it answers, and publishes
// the change on the auth events channel, from which every other process
// forgets it as soon as the message arrives (WatchSessions). Entries are
// kept only while that subscription is up (from its confirmation, which
// also empties the cache, so nothing survives a gap in it); a message lost
// while the connection drops unnoticed is bounded by the TTL. An epoch
// moves on every forget, so a Redis read that raced a revocation is not
// cached afterwards. SessionCacheTTL 0 turns all of this off: every
// request reads Redis.
type nearSessions struct {
	ttl   time.Duration
	mu    sync.Mutex
	up    bool
	epoch uint64
	live  map[string]time.Time // session id → when Redis said live
	gen   string
	genAt time.Time
}

// lookup is the generation cached with session id when both are younger
// than the TTL; epoch is to hand back to keep after a Redis read.
func (n *nearSessions) lookup(id string, now time.Time) (gen string, ok bool, epoch uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.up || n.ttl <= 0 {
		return "", false, n.epoch
	}
	at, found := n.live[id]
	if !found || now.Sub(at) >= n.ttl || now.Sub(n.genAt) >= n.ttl {
		return "", false, n.epoch
	}
	return n.gen, true, n.epoch
}

// keep records session id live under gen, unless anything was forgotten
// since lookup gave epoch.
func (n *nearSessions) keep(id, gen string, now time.Time, epoch uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.up || n.ttl <= 0 || n.epoch != epoch {
		return
	}
	if n.live == nil || len(n.live) > 100_000 { // stale entries go with the rest
		n.live = map[string]time.Time{}
	}
	n.live[id], n.gen, n.genAt = now, gen, now
}

// forget drops sessions ids, or everything for none (a generation change).
func (n *nearSessions) forget(ids ...string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.epoch++
	if len(ids) == 0 {
		clear(n.live)
		n.genAt = time.Time{}
		return
	}
	for _, id := range ids {
		delete(n.live, id)
	}
}

// setUp empties the cache and says whether entries may be kept.
func (n *nearSessions) setUp(up bool) {
	n.forget()
	n.mu.Lock()
	n.up = up
	n.mu.Unlock()
}

// Auth events on the channel: a generation change, or revoked sessions.
const (
	eventGen      = "gen"
	eventSessions = "sess:"
)

func (s *Service) eventsKey() string { return s.redis.Key("authz", "events") }

// announce publishes an auth event to the other processes. A failure is
// not the caller's: Redis was just written, and the TTL bounds how long
// another process can miss it.
func (s *Service) announce(ctx context.Context, event string) {
	if s.near.ttl > 0 {
		_ = s.redis.Publish(ctx, s.eventsKey(), event).Err()
	}
}

// WatchSessions applies the auth events of other processes to this one's
// cache until ctx ends or the Redis client closes.
func (s *Service) WatchSessions(ctx context.Context) {
	if s.near.ttl <= 0 {
		return
	}
	ps := s.redis.Subscribe(ctx, s.eventsKey())
	defer func() {
		s.near.setUp(false)
		_ = ps.Close()
	}()
	// Every (re)subscription arrives as a *redis.Subscription: the cache
	// starts empty from there.
	ch := ps.ChannelWithSubscriptions()
	for {
		select {
		case <-ctx.Done():
			return
		case m, ok := <-ch:
			if !ok {
				return
			}
			switch v := m.(type) {
			case *redis.Subscription:
				s.near.setUp(v.Kind == "subscribe")
			case *redis.Message:
				if ids, ok := strings.CutPrefix(v.Payload, eventSessions); ok {
					s.near.forget(strings.Split(ids, ",")...)
				} else {
					s.near.forget()
				}
			}
		}
	}
}
