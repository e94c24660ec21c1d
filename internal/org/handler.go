package org

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Handler serves /me, /users, /teams and /roles.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/me", h.me)
	g.POST("/me/password", h.changePassword)
	g.GET("/users", h.listUsers)
	g.POST("/users", h.createUser)
	g.GET("/users/:id", h.getUser)
	g.PATCH("/users/:id", h.updateUser)
	g.POST("/users/:id/disable", h.disableUser)
	g.POST("/users/:id/enable", h.enableUser)
	g.POST("/users/:id/reset-password", h.resetPassword)
	g.GET("/teams", h.listTeams)
	g.POST("/teams", h.createTeam)
	g.GET("/teams/:id", h.getTeam)
	g.PATCH("/teams/:id", h.updateTeam)
	g.DELETE("/teams/:id", h.deleteTeam)
	g.GET("/roles", h.listRoles)
}

// me describes the caller.
//
//	@Summary		Who am I
//	@Description	The caller with role, team and permissions; for an API key, its name and scopes.
//	@ID				getMe
//	@Tags			me
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	MeResponse
//	@Failure		401	{object}	httpx.Problem
//	@Router			/me [get]
func (h *Handler) me(c echo.Context) error {
	me, err := h.svc.Me(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, me)
}

// changePassword changes the caller's password.
//
//	@Summary		Change my password
//	@Description	Checks the current password, sets the new one and ends every session of the caller, this one included. Wrong current passwords are limited like logins (login_max_failures per login_lockout, counted per user): past the limit 429 with Retry-After, even with the right password.
//	@ID				changeMyPassword
//	@Tags			me
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Param			body	body	PasswordChangeRequest	true	"Passwords"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		422	{object}	httpx.Problem
//	@Failure		429	{object}	httpx.Problem
//	@Router			/me/password [post]
func (h *Handler) changePassword(c echo.Context) error {
	var req PasswordChangeRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	if err := h.svc.ChangeOwnPassword(c.Request().Context(), req.CurrentPassword, req.NewPassword); err != nil {
		return err
	}
	return httpx.NoContent(c)
}

// listUsers lists users.
//
//	@Summary	List users
//	@ID			listUsers
//	@Tags		users
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		q				query		string	false	"Search name, email, phone"
//	@Param		role			query		string	false	"Role"	Enums(admin,manager,rep)
//	@Param		team_id			query		string	false	"Team id"
//	@Param		active			query		bool	false	"Active or disabled"
//	@Param		limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param		cursor			query		string	false	"Cursor from next_cursor"
//	@Param		sort			query		string	false	"Sort: name, email, created_at; prefix - for descending"	default(name)
//	@Param		include_total	query		bool	false	"Add total"
//	@Success	200				{object}	UserList
//	@Failure	400				{object}	httpx.Problem
//	@Failure	401				{object}	httpx.Problem
//	@Failure	403				{object}	httpx.Problem
//	@Failure	422				{object}	httpx.Problem
//	@Router		/users [get]
func (h *Handler) listUsers(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f := UserFilter{Q: c.QueryParam("q"), Role: c.QueryParam("role"), TeamID: c.QueryParam("team_id")}
	if c.QueryParam("active") != "" {
		b, err := httpx.QueryBool(c, "active", true)
		if err != nil {
			return err
		}
		f.Active = &b
	}
	page, err := h.svc.ListUsers(c.Request().Context(), f, r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, UserView))
}

// createUser adds a user.
//
//	@Summary		Create a user
//	@Description	Admin only. Passwords are 8–72 characters and not only letters or only digits; they are stored as bcrypt hashes.
//	@ID				createUser
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		UserCreateRequest	true	"User"
//	@Success		201		{object}	UserResponse
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/users [post]
func (h *Handler) createUser(c echo.Context) error {
	var req UserCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	u, err := h.svc.CreateUser(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return h.renderUser(c, http.StatusCreated, u)
}

func (h *Handler) renderUser(c echo.Context, status int, u *User) error {
	httpx.SetETag(c, u.Version)
	return c.JSON(status, UserView(u))
}

// getUser shows one user.
//
//	@Summary	Get a user
//	@ID			getUser
//	@Tags		users
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		string	true	"User id"
//	@Success	200	{object}	UserResponse
//	@Failure	401	{object}	httpx.Problem
//	@Failure	403	{object}	httpx.Problem
//	@Failure	404	{object}	httpx.Problem
//	@Router		/users/{id} [get]
func (h *Handler) getUser(c echo.Context) error {
	u, err := h.svc.GetUser(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return h.renderUser(c, http.StatusOK, u)
}

// updateUser changes a user.
//
//	@Summary		Update a user
//	@Description	Admin only. Absent fields stay as they are; team_id "" removes the user from their team. Send If-Match with the ETag to guard against lost updates.
//	@ID				updateUser
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string				true	"User id"
//	@Param			If-Match	header		string				false	"ETag of the version you read"
//	@Param			body		body		UserUpdateRequest	true	"Changes"
//	@Success		200			{object}	UserResponse
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/users/{id} [patch]
func (h *Handler) updateUser(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req UserUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	u, err := h.svc.UpdateUser(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return h.renderUser(c, http.StatusOK, u)
}

// disableUser locks a user out.
//
//	@Summary		Disable a user
//	@Description	Admin only. Ends every session of the user at once; their tokens stop working on the next request.
//	@ID				disableUser
//	@Tags			users
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"User id"
//	@Success		200	{object}	UserResponse
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		409	{object}	httpx.Problem
//	@Router			/users/{id}/disable [post]
func (h *Handler) disableUser(c echo.Context) error {
	u, err := h.svc.SetActive(c.Request().Context(), c.Param("id"), false)
	if err != nil {
		return err
	}
	return h.renderUser(c, http.StatusOK, u)
}

// enableUser lets a disabled user log in again.
//
//	@Summary	Enable a user
//	@ID			enableUser
//	@Tags		users
//	@Produce	json
//	@Security	BearerAuth
//	@Security	ApiKeyAuth
//	@Param		id	path		string	true	"User id"
//	@Success	200	{object}	UserResponse
//	@Failure	401	{object}	httpx.Problem
//	@Failure	403	{object}	httpx.Problem
//	@Failure	404	{object}	httpx.Problem
//	@Router		/users/{id}/enable [post]
func (h *Handler) enableUser(c echo.Context) error {
	u, err := h.svc.SetActive(c.Request().Context(), c.Param("id"), true)
	if err != nil {
		return err
	}
	return h.renderUser(c, http.StatusOK, u)
}

// resetPassword sets a user's password.
//
//	@Summary		Reset a user's password
//	@Description	Admin only. Sets the given password and ends every session of the user.
//	@ID				resetUserPassword
//	@Tags			users
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path	string					true	"User id"
//	@Param			body	body	PasswordResetRequest	true	"New password"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		422	{object}	httpx.Problem
//	@Router			/users/{id}/reset-password [post]
func (h *Handler) resetPassword(c echo.Context) error {
	var req PasswordResetRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	if err := h.svc.ResetPassword(c.Request().Context(), c.Param("id"), req.Password); err != nil {
		return err
	}
	return httpx.NoContent(c)
}

// listRoles shows the permission matrix.
//
//	@Summary		List roles
//	@Description	The roles, their data scope (all, team, own) and permissions.
//	@ID				listRoles
//	@Tags			roles
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	RoleList
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Router			/roles [get]
func (h *Handler) listRoles(c echo.Context) error {
	roles, err := h.svc.Roles(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, RoleList{Data: roles})
}
