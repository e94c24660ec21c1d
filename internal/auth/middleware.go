package auth

import (
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
)

// Middleware authenticates every request of the group: a Bearer access
// token or an X-API-Key. The Actor goes into the request context; anything
// else is a 401.
func (s *Service) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ctx := c.Request().Context()
			var (
				a   *authz.Actor
				err error
			)
			h := c.Request().Header
			switch key, bearer := h.Get("X-API-Key"), h.Get(echo.HeaderAuthorization); {
			case key != "":
				a, err = s.AuthenticateKey(ctx, key)
			case bearer != "":
				scheme, tok, ok := strings.Cut(bearer, " ")
				if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
					return apperr.Unauthenticated("invalid_token")
				}
				a, err = s.Authenticate(ctx, strings.TrimSpace(tok))
			default:
				return apperr.Unauthenticated("missing_credentials")
			}
			if err != nil {
				return err
			}
			c.Set("actor_id", a.ID())
			c.SetRequest(c.Request().WithContext(authz.WithActor(ctx, a)))
			return next(c)
		}
	}
}
