package auth

import "time"

// LoginRequest is the body of POST /auth/login.
type LoginRequest struct {
	Email    string `json:"email" example:"admin@example.com"`
	Password string `json:"password" example:"s3cret-Passw0rd"`
} // @name LoginRequest

// RefreshRequest is the body of POST /auth/refresh.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b.Xy9qLm..."`
} // @name RefreshRequest

// APIKeyCreateRequest is the body of POST /api-keys.
type APIKeyCreateRequest struct {
	Name   string   `json:"name" example:"Website form bridge"`
	Scopes []string `json:"scopes" example:"leads:read,leads:write"`
} // @name APIKeyCreateRequest

// APIKeyResponse is a key as listed; the secret is never shown again.
type APIKeyResponse struct {
	ID         string     `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Name       string     `json:"name" example:"Website form bridge"`
	Prefix     string     `json:"prefix" example:"3f9a0c1d"`
	Scopes     []string   `json:"scopes" example:"leads:read,leads:write"`
	CreatedBy  string     `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	LastUsedAt *time.Time `json:"last_used_at" extensions:"x-nullable"`
	RevokedAt  *time.Time `json:"revoked_at" extensions:"x-nullable"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	Version    int        `json:"version" example:"1"`
} // @name APIKey

// APIKeyCreatedResponse adds the plain key, shown once.
type APIKeyCreatedResponse struct {
	APIKeyResponse
	Key string `json:"key" example:"crm_3f9a0c1d_q2Vb..."`
} // @name APIKeyCreated

// APIKeyList is a page of keys.
type APIKeyList struct {
	Data       []APIKeyResponse `json:"data"`
	NextCursor string           `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool             `json:"has_more"`
	Total      *int64           `json:"total,omitempty" extensions:"x-optional"`
} // @name APIKeyList

// KeyView is the client (and audit) view of a key.
func KeyView(k *APIKey) APIKeyResponse {
	scopes := []string(k.Scopes)
	if scopes == nil {
		scopes = []string{}
	}
	return APIKeyResponse{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Scopes: scopes, CreatedBy: k.CreatedBy,
		LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt, CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt,
		Version: k.Version}
}
