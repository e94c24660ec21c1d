package auth

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Handler serves /auth and /api-keys.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the public and the authenticated endpoints.
func (h *Handler) Routes(public, authed *echo.Group) {
	public.POST("/auth/login", h.login)
	public.POST("/auth/refresh", h.refresh)
	authed.POST("/auth/logout", h.logout)
	authed.POST("/api-keys", h.createKey)
	authed.GET("/api-keys", h.listKeys)
	authed.GET("/api-keys/:id", h.getKey)
	authed.DELETE("/api-keys/:id", h.revokeKey)
}

// login checks email and password and opens a session.
//
//	@Summary		Log in
//	@Description	Returns a short-lived access token and a rotating refresh token. After repeated failures the account is locked for a while (429 with Retry-After).
//	@ID				login
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		LoginRequest	true	"Credentials"
//	@Success		200		{object}	TokenPair
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		429		{object}	httpx.Problem
//	@Router			/auth/login [post]
func (h *Handler) login(c echo.Context) error {
	var req LoginRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	pair, err := h.svc.Login(c.Request().Context(), req.Email, req.Password,
		Client{UserAgent: c.Request().UserAgent(), IP: c.RealIP()})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, pair)
}

// refresh rotates a refresh token.
//
//	@Summary		Refresh tokens
//	@Description	Exchanges a refresh token for a new pair. The old refresh token stops working; presenting it again revokes the whole session.
//	@ID				refreshTokens
//	@Tags			auth
//	@Accept			json
//	@Produce		json
//	@Param			body	body		RefreshRequest	true	"Refresh token"
//	@Success		200		{object}	TokenPair
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Router			/auth/refresh [post]
func (h *Handler) refresh(c echo.Context) error {
	var req RefreshRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	pair, err := h.svc.Refresh(c.Request().Context(), req.RefreshToken)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, pair)
}

// logout ends the caller's session.
//
//	@Summary		Log out
//	@Description	Revokes the session at once: its access and refresh tokens stop working.
//	@ID				logout
//	@Tags			auth
//	@Produce		json
//	@Security		BearerAuth
//	@Success		204
//	@Failure		401	{object}	httpx.Problem
//	@Router			/auth/logout [post]
func (h *Handler) logout(c echo.Context) error {
	if err := h.svc.Logout(c.Request().Context()); err != nil {
		return err
	}
	return httpx.NoContent(c)
}

// createKey makes an integration API key.
//
//	@Summary		Create an API key
//	@Description	Admin only. The key is in the response once, as `key`; only its hash is stored. Scopes are `<resource>:read` or `<resource>:write`; `api_keys:*` and `users:write` cannot be granted (a key must not mint keys or credentials). The key acts with admin data scope but only its scopes' permissions.
//	@ID				createApiKey
//	@Tags			api-keys
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body		APIKeyCreateRequest	true	"Key"
//	@Success		201		{object}	APIKeyCreatedResponse
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/api-keys [post]
func (h *Handler) createKey(c echo.Context) error {
	var req APIKeyCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	k, plain, err := h.svc.CreateKey(c.Request().Context(), req.Name, req.Scopes)
	if err != nil {
		return err
	}
	httpx.SetETag(c, k.Version)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, APIKeyCreatedResponse{APIKeyResponse: KeyView(k), Key: plain})
}

// listKeys lists API keys.
//
//	@Summary	List API keys
//	@ID			listApiKeys
//	@Tags		api-keys
//	@Produce	json
//	@Security	BearerAuth
//	@Param		limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param		cursor			query		string	false	"Cursor from next_cursor"
//	@Param		sort			query		string	false	"Sort: created_at, name; prefix - for descending"	default(-created_at)
//	@Param		include_total	query		bool	false	"Add total"
//	@Success	200				{object}	APIKeyList
//	@Failure	400				{object}	httpx.Problem
//	@Failure	401				{object}	httpx.Problem
//	@Failure	403				{object}	httpx.Problem
//	@Router		/api-keys [get]
func (h *Handler) listKeys(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	page, err := h.svc.ListKeys(c.Request().Context(), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, KeyView))
}

// getKey shows one API key (without the secret).
//
//	@Summary	Get an API key
//	@ID			getApiKey
//	@Tags		api-keys
//	@Produce	json
//	@Security	BearerAuth
//	@Param		id	path		string	true	"Key id"
//	@Success	200	{object}	APIKeyResponse
//	@Failure	401	{object}	httpx.Problem
//	@Failure	403	{object}	httpx.Problem
//	@Failure	404	{object}	httpx.Problem
//	@Router		/api-keys/{id} [get]
func (h *Handler) getKey(c echo.Context) error {
	k, err := h.svc.GetKey(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	httpx.SetETag(c, k.Version)
	return c.JSON(http.StatusOK, KeyView(k))
}

// revokeKey revokes an API key.
//
//	@Summary		Revoke an API key
//	@Description	The key stops working at once. The record stays for the audit trail.
//	@ID				revokeApiKey
//	@Tags			api-keys
//	@Produce		json
//	@Security		BearerAuth
//	@Param			id	path	string	true	"Key id"
//	@Success		204
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/api-keys/{id} [delete]
func (h *Handler) revokeKey(c echo.Context) error {
	if err := h.svc.RevokeKey(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return httpx.NoContent(c)
}
