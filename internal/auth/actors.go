package auth

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/authz"
)

// actorTTL bounds how long a user read from the database serves later
// requests even when no change was announced (a write made behind the
// services' back, or an announcement lost while Redis was down).
const actorTTL = 10 * time.Second

// actorCache keeps, per user, what Authenticate last read of them from the
// database (the user and, for a manager, the team subtree), stamped with
// the organisation generation it was read under. It caches no decision
// about the session (nearSessions does, briefly, and is told of every
// revocation), so logout and revocation act on the very next request.
// What it spares is
// the users (and teams) query, and it stays correct because every
// committed change to a user or the team tree increments the generation
// in Redis (org.Store.OnChange → OrgChanged) before the write's response
// is sent, and the generation is read in the same round trip as the
// session key: an entry read under an older generation is never used.
type actorCache struct {
	mu sync.Mutex
	m  map[string]cachedActor
}

type cachedActor struct {
	gen     string
	at      time.Time
	user    org.User
	subtree []string
}

func (s *Service) genKey() string { return s.redis.Key("authz", "gen") }

// OrgChanged announces a committed change to a user or the team tree: the
// generation moves on, so no process serves an actor read before it. The
// local entries go at once too. A failed increment leaves other
// processes at most actorTTL behind.
func (s *Service) OrgChanged(ctx context.Context) {
	s.actors.mu.Lock()
	clear(s.actors.m)
	s.actors.mu.Unlock()
	s.near.forget()
	_ = s.redis.Incr(ctx, s.genKey()).Err()
	s.announce(ctx, eventGen)
}

// sessionAndGen checks the session key and reads the generation in one
// command (MGET: one round trip and one reply to parse, cheaper than a
// pipeline of EXISTS and GET on every authenticated request).
// A session confirmed live in the last SessionCacheTTL is taken from the
// near cache (see nearSessions).
func (s *Service) sessionAndGen(ctx context.Context, sessionID string) (live bool, gen string, err error) {
	gen, ok, epoch := s.near.lookup(sessionID, time.Now())
	if ok {
		return true, gen, nil
	}
	vals, err := s.redis.MGet(ctx, s.sessionKey(sessionID), s.genKey()).Result()
	if err != nil {
		return false, "", err
	}
	gen = "0"
	if g, ok := vals[1].(string); ok {
		gen = g
	}
	if vals[0] != nil {
		s.near.keep(sessionID, gen, time.Now(), epoch)
	}
	return vals[0] != nil, gen, nil
}

// cachedActorFor is the actor of user id from an entry read under gen and
// younger than actorTTL.
func (s *Service) cachedActorFor(id, gen, sessionID string) *authz.Actor {
	s.actors.mu.Lock()
	e, ok := s.actors.m[id]
	s.actors.mu.Unlock()
	if !ok || e.gen != gen || time.Since(e.at) > actorTTL {
		return nil
	}
	u := e.user
	return &authz.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, TeamID: u.TeamIDValue(), SessionID: sessionID,
		TeamSubtree: slices.Clone(e.subtree)}
}

func (s *Service) keepActor(gen string, u *org.User, a *authz.Actor) {
	s.actors.mu.Lock()
	defer s.actors.mu.Unlock()
	if s.actors.m == nil {
		s.actors.m = map[string]cachedActor{}
	}
	s.actors.m[u.ID] = cachedActor{gen: gen, at: time.Now(), user: *u, subtree: slices.Clone(a.TeamSubtree)}
}
