package app

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/opencrm/crm/docs"
	"github.com/opencrm/crm/internal/auth"
	"github.com/opencrm/crm/internal/contract"
	"github.com/opencrm/crm/internal/dataio"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	echoSwagger "github.com/swaggo/echo-swagger"
)

// mounter is a module's handler: it mounts its routes on the
// authenticated group.
type mounter interface{ Routes(g *echo.Group) }

func (a *App) routes(authH *auth.Handler, modules ...mounter) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// Believe X-Forwarded-For only from proxies on loopback or private
	// networks, and only well-formed IPs: echo's default takes any client's
	// header, so audit and session IPs could be forged (or made too long
	// for their column).
	e.IPExtractor = echo.ExtractIPFromXFFHeader()
	e.HTTPErrorHandler = httpx.ErrorHandler(a.Log)
	metrics := httpx.NewMetrics(a.Registry)

	e.Use(httpx.RequestIDMiddleware())
	e.Use(httpx.AccessLog(a.Log))
	e.Use(metrics.Middleware())
	e.Use(httpx.Recover(a.Log))
	if len(a.Cfg.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			// Web forms answer CORS themselves, from each form's allowed origins.
			Skipper: func(c echo.Context) bool {
				return strings.HasPrefix(c.Request().URL.Path, "/api/v1/public/")
			},
			AllowOrigins:  a.Cfg.CORSOrigins,
			AllowMethods:  []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete},
			AllowHeaders:  []string{"Authorization", "Content-Type", "If-Match", "X-API-Key", "X-Request-Id", "Accept-Language", "Idempotency-Key"},
			ExposeHeaders: []string{"ETag", "X-Request-Id", "Retry-After"},
			MaxAge:        600,
		}))
	}
	// Every body is held to the JSON limit except uploads, which their
	// handlers limit themselves: imports to dataio.MaxUpload, contract
	// attachments to contract.MaxUpload.
	jsonLimit := httpx.BodyLimit(httpx.MaxJSONBody)
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		limited := jsonLimit(next)
		return func(c echo.Context) error {
			r := c.Request()
			if strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) &&
				((r.Method == http.MethodPost && r.URL.Path == dataio.UploadPath) || contract.IsUpload(r)) {
				return next(c)
			}
			return limited(c)
		}
	})
	e.Use(httpx.SafeInput())
	e.Use(auditMeta)

	e.GET("/healthz", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.GET("/readyz", a.ready)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(a.Registry, promhttp.HandlerOpts{})))
	e.GET("/openapi.json", func(c echo.Context) error {
		return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, docs.OpenAPI)
	})
	e.GET("/swagger", redirectSwagger)
	e.GET("/swagger/", redirectSwagger)
	e.GET("/swagger/*", echoSwagger.EchoWrapHandler(echoSwagger.URL("/openapi.json"), echoSwagger.PersistAuthorization(true)))

	api := e.Group("/api/v1")
	authed := api.Group("", httpx.MatchedOnly(e, "/api/v1", a.Auth.Middleware()))
	authH.Routes(api, authed)
	for _, m := range modules {
		m.Routes(authed)
		// A module with endpoints open to anyone (web form submissions)
		// mounts them on the unauthenticated group.
		if p, ok := m.(interface{ PublicRoutes(g *echo.Group) }); ok {
			p.PublicRoutes(api)
		}
	}
	return e
}

func redirectSwagger(c echo.Context) error {
	return c.Redirect(http.StatusFound, "/swagger/index.html")
}

// auditMeta puts the request id and client IP where the audit writer finds them.
func auditMeta(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := audit.WithMeta(c.Request().Context(), audit.Meta{RequestID: httpx.RequestID(c), IP: c.RealIP()})
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// ready reports whether the database and Redis answer.
func (a *App) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok", "redis": "ok"}
	status := http.StatusOK
	if err := a.DB.Ping(ctx); err != nil {
		checks["database"], status = "unavailable", http.StatusServiceUnavailable
	}
	if err := a.Redis.Ping(ctx).Err(); err != nil {
		checks["redis"], status = "unavailable", http.StatusServiceUnavailable
	}
	return c.JSON(status, map[string]any{"status": map[bool]string{true: "ok", false: "unavailable"}[status == http.StatusOK], "checks": checks})
}
