package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/redisx"
	"github.com/opencrm/crm/internal/platform/secret"
)

// Users is what auth needs from the organisation.
type Users interface {
	UserByID(ctx context.Context, id string) (*org.User, error)
	UserByEmail(ctx context.Context, email string) (*org.User, error)
	TeamSubtree(ctx context.Context, teamID string) ([]string, error)
}

// Settings are the auth knobs from the configuration.
type Settings struct {
	RefreshTTL    time.Duration
	AccessTTL     time.Duration
	LoginMaxFails int
	LoginLockout  time.Duration
	BcryptCost    int
	// SessionCacheTTL is how long a session found live may serve later
	// requests without asking Redis (see nearSessions); 0 asks every time.
	SessionCacheTTL time.Duration
}

// Service runs logins, sessions and API keys.
type Service struct {
	db     *db.DB
	redis  *redisx.Client
	users  Users
	audit  *audit.Writer
	tokens *Tokens
	set    Settings
	near   nearSessions
	actors actorCache
}

// NewService wires the auth service.
func NewService(d *db.DB, r *redisx.Client, users Users, aw *audit.Writer, tokens *Tokens, s Settings) *Service {
	return &Service{db: d, redis: r, users: users, audit: aw, tokens: tokens, set: s, near: nearSessions{ttl: s.SessionCacheTTL}}
}

// TokenPair is what login and refresh return.
type TokenPair struct {
	AccessToken  string `json:"access_token" example:"eyJhbGciOiJIUzI1NiIs..."`
	RefreshToken string `json:"refresh_token" example:"0193a2b4-....Xy9q"`
	TokenType    string `json:"token_type" example:"Bearer"`
	ExpiresIn    int    `json:"expires_in" example:"900"`
} // @name TokenPair

// Client describes where a login comes from, kept on the session.
type Client struct{ UserAgent, IP string }

func (s *Service) sessionKey(id string) string { return s.redis.Key("sess", id) }

func (s *Service) failKey(email string) string {
	return s.redis.Key("loginfail", secret.SHA256(email))
}

// Login checks the password and opens a session. Every attempt for one
// email is counted before the password is checked, atomically, so parallel
// guesses cannot slip past the limit; after LoginMaxFails attempts the
// email is locked until LoginLockout after the first one (429 with
// Retry-After), even with the right password, so guessing gains nothing.
// Success clears the count. Unknown emails count and cost the same as
// known ones, so neither the answer nor its timing tells which exist.
func (s *Service) Login(ctx context.Context, email, password string, cl Client) (*TokenPair, error) {
	email = org.NormaliseEmail(email)
	fk := s.failKey(email)
	n, err := s.countAttempt(ctx, fk)
	if err != nil {
		return nil, err
	}
	if n > int64(s.set.LoginMaxFails) {
		return nil, s.lockedError(ctx, fk)
	}
	u, err := s.users.UserByEmail(ctx, email)
	if errors.Is(err, apperr.ErrNotFound) {
		secret.BurnPasswordCheck(s.set.BcryptCost)
		return nil, s.failure(ctx, fk, n)
	}
	if err != nil {
		return nil, err
	}
	if !secret.CheckPassword(u.PasswordHash, password) {
		return nil, s.failure(ctx, fk, n)
	}
	if !u.Active {
		return nil, apperr.Unauthenticated("user_disabled")
	}
	if err := s.redis.Del(ctx, fk).Err(); err != nil {
		return nil, fmt.Errorf("auth.login: %w", err)
	}
	var pair *TokenPair
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		ctx = authz.WithActor(ctx, &authz.Actor{UserID: u.ID, Name: u.Name, Role: u.Role})
		var err error
		if pair, err = s.openSession(ctx, u, cl); err != nil {
			return err
		}
		now := db.Now()
		if err := s.db.Conn(ctx).Model(&org.User{}).Where("id = ?", u.ID).
			UpdateColumn("last_login_at", now).Error; err != nil {
			return fmt.Errorf("auth.login: %w", err)
		}
		return s.audit.Record(ctx, "login", "user", u.ID, nil, nil)
	})
	return pair, err
}

// countAttempt counts one login attempt and returns the count in the
// current window. The window starts with the first attempt (SET NX with
// the lockout TTL) and INCR keeps that TTL; both run in one MULTI so a
// crash between them cannot leave a counter that never expires.
func (s *Service) countAttempt(ctx context.Context, key string) (int64, error) {
	pipe := s.redis.TxPipeline()
	pipe.SetNX(ctx, key, 0, s.set.LoginLockout)
	incr := pipe.Incr(ctx, key)
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("auth.login: %w", err)
	}
	return incr.Val(), nil
}

// failure answers a failed attempt: the one that uses up the allowance
// already says 429.
func (s *Service) failure(ctx context.Context, key string, n int64) error {
	if n >= int64(s.set.LoginMaxFails) {
		return s.lockedError(ctx, key)
	}
	return apperr.Unauthenticated("invalid_credentials")
}

func (s *Service) lockedError(ctx context.Context, key string) error {
	ttl, err := s.redis.PTTL(ctx, key).Result()
	secs := int(s.set.LoginLockout.Seconds())
	if err == nil && ttl > 0 {
		secs = int((ttl + time.Second - 1) / time.Second) // round up: never invite an early retry
	}
	if secs < 1 {
		secs = 1
	}
	e := apperr.New(apperr.ErrRateLimited, "too_many_attempts", "too_many_attempts", secs)
	e.RetryAfter = secs
	return e
}

// openSession stores a session with a fresh refresh secret and issues the
// pair. The refresh token is "<session id>.<secret>"; only the secret's
// hash is stored.
func (s *Service) openSession(ctx context.Context, u *org.User, cl Client) (*TokenPair, error) {
	now := db.Now()
	sess := Session{
		ID:        uuid.Must(uuid.NewV7()).String(),
		UserID:    u.ID,
		ExpiresAt: now.Add(s.set.RefreshTTL),
		UserAgent: truncate(cl.UserAgent, 255),
		IP:        truncate(cl.IP, 64),
		CreatedAt: now,
		UpdatedAt: now,
	}
	sec := secret.Token(32)
	sess.RefreshHash = secret.SHA256(sec)
	if err := s.db.Conn(ctx).Create(&sess).Error; err != nil {
		return nil, fmt.Errorf("auth.session: %w", err)
	}
	if err := s.redis.Set(ctx, s.sessionKey(sess.ID), u.ID, s.set.RefreshTTL).Err(); err != nil {
		return nil, fmt.Errorf("auth.session: %w", err)
	}
	return s.pair(u.ID, sess.ID, sess.ID+"."+sec)
}

func (s *Service) pair(userID, sessionID, refresh string) (*TokenPair, error) {
	access, err := s.tokens.Issue(userID, sessionID, secret.Token(12))
	if err != nil {
		return nil, fmt.Errorf("auth.issue: %w", err)
	}
	return &TokenPair{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		ExpiresIn: int(s.set.AccessTTL.Seconds())}, nil
}

// Refresh rotates a refresh token. Presenting a spent one (its hash no
// longer matches) means it was copied or replayed: the whole session is
// revoked and the caller must log in again.
func (s *Service) Refresh(ctx context.Context, token string) (*TokenPair, error) {
	sid, sec, ok := strings.Cut(token, ".")
	if !ok || sid == "" || sec == "" || len(token) > 200 {
		return nil, apperr.Unauthenticated("invalid_token")
	}
	var sess Session
	err := s.db.Conn(ctx).Where("id = ?", sid).Take(&sess).Error
	if db.IsNotFound(err) {
		return nil, apperr.Unauthenticated("invalid_token")
	}
	if err != nil {
		return nil, fmt.Errorf("auth.refresh: %w", err)
	}
	now := db.Now()
	if sess.RevokedAt != nil || now.After(sess.ExpiresAt) {
		return nil, apperr.Unauthenticated("token_revoked")
	}
	if !secret.Equal(secret.SHA256(sec), sess.RefreshHash) {
		if err := s.revokeSessions(ctx, []string{sess.ID}); err != nil {
			return nil, err
		}
		return nil, apperr.Unauthenticated("refresh_reused")
	}
	u, err := s.users.UserByID(ctx, sess.UserID)
	if err != nil {
		return nil, apperr.Unauthenticated("token_revoked")
	}
	if !u.Active {
		return nil, apperr.Unauthenticated("user_disabled")
	}
	next := secret.Token(32)
	rotated := false
	err = s.db.WithTx(ctx, func(ctx context.Context) error {
		// Compare-and-swap on the old hash: of two concurrent refreshes
		// with the same token exactly one rotates; the other is a reuse.
		res := s.db.Conn(ctx).Model(&Session{}).
			Where("id = ? AND refresh_hash = ? AND revoked_at IS NULL", sess.ID, sess.RefreshHash).
			Updates(map[string]any{"refresh_hash": secret.SHA256(next), "last_used_at": now,
				"expires_at": now.Add(s.set.RefreshTTL), "updated_at": now})
		if res.Error != nil {
			return fmt.Errorf("auth.refresh: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil
		}
		rotated = true
		// Re-arm the Redis entry (after a Redis restart this brings an
		// active session back without a new login) while the row is still
		// locked: a revocation updates the row before it deletes the key,
		// so its delete always lands after this set, never before.
		if err := s.redis.Set(ctx, s.sessionKey(sess.ID), u.ID, s.set.RefreshTTL).Err(); err != nil {
			return fmt.Errorf("auth.refresh: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !rotated {
		if err := s.revokeSessions(ctx, []string{sess.ID}); err != nil {
			return nil, err
		}
		return nil, apperr.Unauthenticated("refresh_reused")
	}
	return s.pair(u.ID, sess.ID, sess.ID+"."+next)
}

// Logout ends the caller's session at once.
func (s *Service) Logout(ctx context.Context) error {
	a := authz.ActorFrom(ctx)
	if a == nil || a.SessionID == "" {
		return apperr.Unauthenticated("invalid_token")
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.revokeSessions(ctx, []string{a.SessionID}); err != nil {
			return err
		}
		return s.audit.Record(ctx, "logout", "user", a.UserID, nil, nil)
	})
}

// RevokeUser ends every session of a user (disable, password change or
// reset). It runs inside the caller's transaction: if Redis fails the
// database change rolls back and the caller sees the error, never a user
// who stays logged in.
func (s *Service) RevokeUser(ctx context.Context, userID string) error {
	var ids []string
	if err := s.db.Conn(ctx).Model(&Session{}).
		Where("user_id = ? AND revoked_at IS NULL", userID).Pluck("id", &ids).Error; err != nil {
		return fmt.Errorf("auth.revoke_user: %w", err)
	}
	return s.revokeSessions(ctx, ids)
}

// revokeSessions marks the sessions revoked, then drops their Redis
// entries. The row goes first: the update locks it, so a refresh racing
// with us either finishes (and re-arms its key) before our delete, or
// waits and then finds the session revoked. Deleting the key first would
// let such a refresh put it back after the delete.
func (s *Service) revokeSessions(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	now := db.Now()
	if err := s.db.Conn(ctx).Model(&Session{}).Where("id IN ? AND revoked_at IS NULL", ids).
		Updates(map[string]any{"revoked_at": now, "updated_at": now}).Error; err != nil {
		return fmt.Errorf("auth.revoke: %w", err)
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.sessionKey(id)
	}
	if err := s.redis.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("auth.revoke: %w", err)
	}
	s.near.forget(ids...)
	s.announce(ctx, eventSessions+strings.Join(ids, ","))
	return nil
}

// Authenticate turns an access token into an Actor: valid signature and
// expiry, a live session in Redis and an active user, read fresh or from
// the actor cache when no user or team changed since (see actorCache), so
// role, team and disabling take effect on the next request.
func (s *Service) Authenticate(ctx context.Context, raw string) (*authz.Actor, error) {
	c, err := s.tokens.Parse(raw)
	if err != nil {
		return nil, err
	}
	live, gen, err := s.sessionAndGen(ctx, c.SessionID)
	if err != nil {
		return nil, fmt.Errorf("auth.authenticate: %w", err)
	}
	if !live {
		return nil, apperr.Unauthenticated("token_revoked")
	}
	if a := s.cachedActorFor(c.Subject, gen, c.SessionID); a != nil {
		return a, nil
	}
	u, err := s.users.UserByID(ctx, c.Subject)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, apperr.Unauthenticated("token_revoked")
	}
	if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, apperr.Unauthenticated("user_disabled")
	}
	a, err := s.actorFor(ctx, u, c.SessionID)
	if err != nil {
		return nil, err
	}
	s.keepActor(gen, u, a)
	return a, nil
}

func (s *Service) actorFor(ctx context.Context, u *org.User, sessionID string) (*authz.Actor, error) {
	a := &authz.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, TeamID: u.TeamIDValue(), SessionID: sessionID}
	if a.Role == authz.RoleManager && a.TeamID != "" {
		sub, err := s.users.TeamSubtree(ctx, a.TeamID)
		if err != nil {
			return nil, err
		}
		a.TeamSubtree = sub
	}
	return a, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
