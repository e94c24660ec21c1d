package auth

import (
	"errors"
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
	// parser is built once: its options are the same for every token.
	parser *jwt.Parser
}

// NewTokens builds a signer with the secret and access-token lifetime.
func NewTokens(secret []byte, ttl time.Duration) *Tokens {
	t := &Tokens{secret: secret, ttl: ttl, now: time.Now}
	t.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return t.now() }),
	)
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

// Parse verifies signature, algorithm, issuer and expiry.
func (t *Tokens) Parse(raw string) (*accessClaims, error) {
	var c accessClaims
	_, err := t.parser.ParseWithClaims(raw, &c, t.key)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, apperr.Unauthenticated("token_expired")
	case err != nil || c.Subject == "" || c.SessionID == "":
		return nil, apperr.Unauthenticated("invalid_token")
	}
	return &c, nil
}
