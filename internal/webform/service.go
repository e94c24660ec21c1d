package webform

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/redisx"
	"github.com/opencrm/crm/internal/platform/secret"
	"github.com/opencrm/crm/internal/platform/validate"
)

// Service manages web forms and takes their submissions.
type Service struct {
	db      *db.DB
	audit   *audit.Writer
	leads   *lead.Service
	redis   *redisx.Client
	limiter *redis_rate.Limiter
}

// NewService wires the service.
func NewService(d *db.DB, aw *audit.Writer, leads *lead.Service, r *redisx.Client) *Service {
	return &Service{db: d, audit: aw, leads: leads, redis: r, limiter: redis_rate.NewLimiter(r)}
}

// List lists every form, newest first.
func (s *Service) List(ctx context.Context) ([]Form, error) {
	if err := authz.Require(ctx, "web_forms:read"); err != nil {
		return nil, err
	}
	var out []Form
	if err := s.db.Conn(ctx).Order("created_at DESC, id DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("webform.list: %w", err)
	}
	return out, nil
}

// Get loads one form.
func (s *Service) Get(ctx context.Context, id string) (*Form, error) {
	if err := authz.Require(ctx, "web_forms:read"); err != nil {
		return nil, err
	}
	return s.load(ctx, "id", id)
}

func (s *Service) load(ctx context.Context, col, v string) (*Form, error) {
	if col == "id" {
		if _, err := uuid.Parse(v); err != nil {
			return nil, apperr.NotFound("web_form")
		}
	}
	var f Form
	err := s.db.Conn(ctx).Where(col+" = ?", v).Take(&f).Error
	if db.IsNotFound(err) {
		return nil, apperr.NotFound("web_form")
	}
	if err != nil {
		return nil, fmt.Errorf("webform.get: %w", err)
	}
	return &f, nil
}

// Create adds a form with a fresh random key.
func (s *Service) Create(ctx context.Context, req FormCreateRequest) (*Form, error) {
	if err := authz.Require(ctx, "web_forms:write"); err != nil {
		return nil, err
	}
	now := db.Now()
	f := &Form{ID: uuid.Must(uuid.NewV7()).String(), Name: req.Name, Source: req.Source,
		AllowedOrigins: req.AllowedOrigins, FormKey: secret.Token(keyBytes), Active: true,
		CreatedBy: authz.ActorFrom(ctx).ID(), CreatedAt: now, UpdatedAt: now, Version: 1}
	if f.Source == "" {
		f.Source = "web_form"
	}
	if req.Active != nil {
		f.Active = *req.Active
	}
	if err := check(f); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := s.db.Conn(ctx).Create(f).Error; err != nil {
			return fmt.Errorf("webform.create: %w", err)
		}
		return s.audit.Record(ctx, "create", "web_form", f.ID, nil, View(f))
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Update changes the given fields of a form.
func (s *Service) Update(ctx context.Context, id string, ifMatch *int, req FormUpdateRequest) (*Form, error) {
	if err := authz.Require(ctx, "web_forms:write"); err != nil {
		return nil, err
	}
	var out *Form
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		f, err := s.load(ctx, "id", id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != f.Version {
			return apperr.VersionMismatch()
		}
		before := View(f)
		if req.Name != nil {
			f.Name = *req.Name
		}
		if req.Source != nil {
			f.Source = *req.Source
		}
		if req.AllowedOrigins != nil {
			f.AllowedOrigins = *req.AllowedOrigins
		}
		if req.Active != nil {
			f.Active = *req.Active
		}
		if err := check(f); err != nil {
			return err
		}
		read := f.Version
		f.Version++
		f.UpdatedAt = db.Now()
		res := s.db.Conn(ctx).Model(&Form{}).Where("id = ? AND version = ?", f.ID, read).
			Select("name", "source", "allowed_origins", "active", "updated_at", "version").UpdateColumns(f)
		if res.Error != nil {
			return fmt.Errorf("webform.update: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return apperr.VersionMismatch()
		}
		out = f
		return s.audit.Record(ctx, "update", "web_form", f.ID, before, View(f))
	})
	return out, err
}

// Delete removes a form; its key stops working at once. Leads it created
// stay.
func (s *Service) Delete(ctx context.Context, id string, ifMatch *int) error {
	if err := authz.Require(ctx, "web_forms:write"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		f, err := s.load(ctx, "id", id)
		if err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != f.Version {
			return apperr.VersionMismatch()
		}
		res := s.db.Conn(ctx).Where("id = ? AND version = ?", f.ID, f.Version).Delete(&Form{})
		if res.Error != nil {
			return fmt.Errorf("webform.delete: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return apperr.VersionMismatch()
		}
		return s.audit.Record(ctx, "delete", "web_form", f.ID, View(f), nil)
	})
}

// Client is what the public endpoint knows about the caller.
type Client struct{ Origin, IP, RequestID string }

// Submit takes a public submission. In order: an unknown or inactive key
// is 404; a form with allowed origins refuses any other Origin (a missing
// one included) with 403; more than PerMinute submissions per client
// address and form are 429; a filled honeypot is accepted silently and
// creates nothing, so a bot learns nothing; bad fields are 422. Otherwise
// the lead is created with the form's source and routed.
func (s *Service) Submit(ctx context.Context, key string, cl Client, req SubmissionRequest) error {
	if len(key) > 64 {
		return apperr.NotFound("web_form")
	}
	f, err := s.load(ctx, "form_key", key)
	if err != nil {
		return err
	}
	if !f.Active {
		return apperr.NotFound("web_form")
	}
	if !originAllowed(f, cl.Origin) {
		return apperr.New(apperr.ErrForbidden, "origin_not_allowed", "origin_not_allowed")
	}
	res, err := s.limiter.Allow(ctx, s.redis.Key("webform", f.ID, cl.IP), redis_rate.PerMinute(PerMinute))
	if err != nil {
		return fmt.Errorf("webform.rate: %w", err)
	}
	if res.Allowed == 0 {
		secs := int((res.RetryAfter + time.Second - 1) / time.Second)
		e := apperr.New(apperr.ErrRateLimited, "rate_limited", "rate_limited")
		e.RetryAfter = max(secs, 1)
		return e
	}
	if strings.TrimSpace(req.Website) != "" {
		return nil
	}
	return s.leads.CreateFromForm(ctx, lead.FormLead{FormID: f.ID, FormName: f.Name, Source: f.Source,
		RequestID: cl.RequestID, IP: cl.IP, Name: req.Name, Company: req.Company, Phone: req.Phone,
		Email: req.Email, Title: req.Title, Region: req.Region, ProductInterest: req.ProductInterest,
		Message: strings.TrimSpace(req.Message)})
}

// originAllowed: a form without allowed origins takes any; otherwise the
// Origin must be one of them (a missing Origin is refused).
func originAllowed(f *Form, origin string) bool {
	return len(f.AllowedOrigins) == 0 || slices.Contains(f.AllowedOrigins, normOrigin(origin))
}

// CORSOrigin answers a browser's question "may this page post to the
// form?": the origin to echo in Access-Control-Allow-Origin, or 404 for an
// unknown or inactive form and 403 for an origin the form refuses.
func (s *Service) CORSOrigin(ctx context.Context, key, origin string) (string, error) {
	if len(key) > 64 || origin == "" {
		return "", apperr.NotFound("web_form")
	}
	f, err := s.load(ctx, "form_key", key)
	if err != nil {
		return "", err
	}
	if !f.Active {
		return "", apperr.NotFound("web_form")
	}
	if !originAllowed(f, origin) {
		return "", apperr.New(apperr.ErrForbidden, "origin_not_allowed", "origin_not_allowed")
	}
	return origin, nil
}

// check normalises a form in place and validates it.
func check(f *Form) error {
	f.Name, f.Source = strings.TrimSpace(f.Name), strings.TrimSpace(f.Source)
	var v validate.V
	if v.Required("name", f.Name) {
		v.MaxLen("name", f.Name, maxName)
	}
	if v.Required("source", f.Source) {
		v.OneOf("source", f.Source, lead.Sources...)
	}
	origins := make([]string, 0, len(f.AllowedOrigins))
	for _, o := range f.AllowedOrigins {
		n := normOrigin(o)
		if !validOrigin(n) {
			v.Add("allowed_origins", "invalid_origin")
			break
		}
		if !slices.Contains(origins, n) {
			origins = append(origins, n)
		}
	}
	if len(origins) > maxOrigins {
		v.Add("allowed_origins", "too_many", maxOrigins)
	}
	f.AllowedOrigins = origins
	return v.Err()
}

// normOrigin is an origin as browsers send it: lower case, no trailing
// slash.
func normOrigin(o string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(o)), "/")
}

// validOrigin accepts scheme://host[:port] with http or https and nothing
// after it.
func validOrigin(o string) bool {
	if o == "" || len(o) > maxOrigin {
		return false
	}
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Path == "" &&
		u.RawQuery == "" && u.Fragment == "" && u.User == nil
}
