package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/paging"
	"github.com/opencrm/crm/internal/platform/secret"
	"github.com/opencrm/crm/internal/platform/validate"
)

// keyPrefix marks CRM keys so secret scanners can find leaked ones.
const keyPrefix = "crm_"

// CreateKey makes an API key and returns it with the plain key, which is
// never stored or shown again.
func (s *Service) CreateKey(ctx context.Context, name string, scopes []string) (*APIKey, string, error) {
	if err := authz.Require(ctx, "api_keys:write"); err != nil {
		return nil, "", err
	}
	var v validate.V
	name = strings.TrimSpace(name)
	if v.Required("name", name) {
		v.MaxLen("name", name, 100)
	}
	allowed := keyScopes()
	if len(scopes) == 0 {
		v.Add("scopes", "required")
	}
	for _, sc := range scopes {
		if !slices.Contains(allowed, sc) {
			v.Add("scopes", "unknown_scope", sc)
			break
		}
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	var (
		k     *APIKey
		plain string
		err   error
	)
	// The 8-hex prefix is the lookup index, unique in the table: on the
	// rare collision draw another rather than fail with a 500.
	for range 4 {
		k, plain = newKey(name, scopes, authz.ActorFrom(ctx).ID())
		err = s.db.WithTx(ctx, func(ctx context.Context) error {
			if err := s.db.Conn(ctx).Create(k).Error; err != nil {
				return fmt.Errorf("auth.create_key: %w", err)
			}
			return s.audit.Record(ctx, "create", "api_key", k.ID, nil, KeyView(k))
		})
		if !db.IsDuplicate(err) {
			break
		}
	}
	if err != nil {
		return nil, "", err
	}
	return k, plain, nil
}

func newKey(name string, scopes []string, createdBy string) (*APIKey, string) {
	var p [4]byte
	_, _ = rand.Read(p[:])
	prefix := hex.EncodeToString(p[:])
	plain := keyPrefix + prefix + "_" + secret.Token(32)
	now := db.Now()
	return &APIKey{
		ID: uuid.Must(uuid.NewV7()).String(), Name: name, Prefix: prefix,
		KeyHash: secret.SHA256(plain), Scopes: dedupe(scopes),
		CreatedBy: createdBy, CreatedAt: now, UpdatedAt: now, Version: 1,
	}, plain
}

// ListKeys lists keys, newest first.
func (s *Service) ListKeys(ctx context.Context, r paging.Request) (paging.Page[APIKey], error) {
	if err := authz.Require(ctx, "api_keys:read"); err != nil {
		return paging.Page[APIKey]{}, err
	}
	q, err := keySpec.Parse(r)
	if err != nil {
		return paging.Page[APIKey]{}, err
	}
	page, err := q.Fetch(s.db.Conn(ctx).Model(&APIKey{}))
	if err != nil {
		return page, fmt.Errorf("auth.list_keys: %w", err)
	}
	return page, nil
}

// GetKey loads one key.
func (s *Service) GetKey(ctx context.Context, id string) (*APIKey, error) {
	if err := authz.Require(ctx, "api_keys:read"); err != nil {
		return nil, err
	}
	var k APIKey
	err := s.db.Conn(ctx).Where("id = ?", id).Take(&k).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("api_key")
	}
	if err != nil {
		return nil, fmt.Errorf("auth.get_key: %w", err)
	}
	return &k, nil
}

// RevokeKey stops a key working at once; the row stays for the audit trail.
// Revoking a revoked key is a no-op.
func (s *Service) RevokeKey(ctx context.Context, id string) error {
	if err := authz.Require(ctx, "api_keys:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		k, err := s.GetKey(ctx, id)
		if err != nil {
			return err
		}
		if k.RevokedAt != nil {
			return nil
		}
		before := KeyView(k)
		now := db.Now()
		if err := s.db.Conn(ctx).Model(k).Updates(map[string]any{
			"revoked_at": now, "updated_at": now, "version": k.Version + 1}).Error; err != nil {
			return fmt.Errorf("auth.revoke_key: %w", err)
		}
		k.RevokedAt, k.UpdatedAt, k.Version = &now, now, k.Version+1
		return s.audit.Record(ctx, "revoke", "api_key", k.ID, before, KeyView(k))
	})
}

// AuthenticateKey turns an X-API-Key into an Actor with admin data scope
// and the key's scopes as permissions.
func (s *Service) AuthenticateKey(ctx context.Context, plain string) (*authz.Actor, error) {
	rest, ok := strings.CutPrefix(plain, keyPrefix)
	prefix, _, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(prefix) != 8 {
		return nil, apperr.Unauthenticated("invalid_api_key")
	}
	var k APIKey
	err := s.db.Conn(ctx).Where("prefix = ?", prefix).Take(&k).Error
	if db.IsNotFound(err) {
		return nil, apperr.Unauthenticated("invalid_api_key")
	}
	if err != nil {
		return nil, fmt.Errorf("auth.key: %w", err)
	}
	if !secret.Equal(secret.SHA256(plain), k.KeyHash) || k.RevokedAt != nil {
		return nil, apperr.Unauthenticated("invalid_api_key")
	}
	// Touch last_used_at at most once a minute: integrations call often and
	// a write per request would cost more than the information is worth.
	now := db.Now()
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > time.Minute {
		if err := s.db.Conn(ctx).Model(&APIKey{}).Where("id = ?", k.ID).
			UpdateColumn("last_used_at", now).Error; err != nil {
			return nil, fmt.Errorf("auth.key: %w", err)
		}
	}
	return &authz.Actor{APIKeyID: k.ID, Name: k.Name, Scopes: k.Scopes}, nil
}

var keySpec = paging.Spec[APIKey]{
	Columns: map[string]paging.Column[APIKey]{
		"created_at": {Expr: "created_at", Time: true, Get: func(k *APIKey) any { return k.CreatedAt }},
		"name":       {Expr: "name", Get: func(k *APIKey) any { return k.Name }},
	},
	Default: "-created_at",
	IDExpr:  "id",
	ID:      func(k *APIKey) string { return k.ID },
}

func dedupe(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}
