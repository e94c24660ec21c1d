package auth

import (
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/opencrm/crm/internal/platform/apperr"
)

const issuer = "crm"

// accessClaims are the claims of an access token.
type accessClaims struct {
	SessionID string `json:"sid"`
	jwt.RegisteredClaims
}

// Tokens signs and verifies access tokens (HS256).
type Tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
	// parser and validator are built once: their options are the same for
	// every token.
	parser    *jwt.Parser
	validator *jwt.Validator
	// verified keeps the claims of tokens that passed a full parse, by the
	// whole token, so a client's next requests skip decoding the JSON again.
	// It spares no check: every use verifies the signature and validates
	// the claims (expiry, issuer) again.
	verified struct {
		mu sync.Mutex
		m  map[string]accessClaims
	}
}

// maxVerified bounds the claims cache; when full it starts afresh.
const maxVerified = 8192

// NewTokens builds a signer with the secret and access-token lifetime.
func NewTokens(secret []byte, ttl time.Duration) *Tokens {
	t := &Tokens{secret: secret, ttl: ttl, now: time.Now}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return t.now() }),
	}
	t.parser, t.validator = jwt.NewParser(opts...), jwt.NewValidator(opts...)
	t.verified.m = map[string]accessClaims{}
	return t
}

func (t *Tokens) key(*jwt.Token) (any, error) { return t.secret, nil }

// Issue signs an access token for a user's session.
func (t *Tokens) Issue(userID, sessionID, jti string) (string, error) {
	now := t.now()
	c := accessClaims{
		SessionID: sessionID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   userID,
			ID:        jti,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
		},
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.secret)
}

// Parse verifies signature, algorithm, issuer and expiry, on every call.
func (t *Tokens) Parse(raw string) (*accessClaims, error) {
	c, err := t.reverify(raw)
	if c == nil && err == nil {
		c = &accessClaims{}
		if _, err = t.parser.ParseWithClaims(raw, c, t.key); err == nil {
			t.verified.mu.Lock()
			if len(t.verified.m) >= maxVerified {
				clear(t.verified.m)
			}
			t.verified.m[raw] = *c
			t.verified.mu.Unlock()
		}
	}
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, apperr.Unauthenticated("token_expired")
	case err != nil || c.Subject == "" || c.SessionID == "":
		return nil, apperr.Unauthenticated("invalid_token")
	}
	return c, nil
}

// reverify checks a token whose claims are cached: the signature over
// its header and claims again (HS256, the only method a cached token can
// have passed with) and the claims' validity now. It returns nil, nil
// when the token is not cached.
func (t *Tokens) reverify(raw string) (*accessClaims, error) {
	t.verified.mu.Lock()
	c, ok := t.verified.m[raw]
	t.verified.mu.Unlock()
	if !ok {
		return nil, nil
	}
	i := strings.LastIndexByte(raw, '.')
	sig, err := t.parser.DecodeSegment(raw[i+1:])
	if err == nil {
		err = jwt.SigningMethodHS256.Verify(raw[:i], sig, t.secret)
	}
	if err == nil {
		err = t.validator.Validate(&c)
	}
	if err != nil {
		t.verified.mu.Lock()
		delete(t.verified.m, raw)
		t.verified.mu.Unlock()
		return &c, err
	}
	return &c, nil
}
