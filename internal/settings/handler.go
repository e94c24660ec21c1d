package settings

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/i18n"
)

func init() {
	i18n.Register(map[string]map[i18n.Lang]string{
		"invalid_duration": {i18n.EN: `must be a duration such as "72h", "30m" or "3d"`, i18n.ZhCN: `必须是时长，例如 "72h"、"30m" 或 "3d"`},
		"invalid_timezone": {i18n.EN: `must be an IANA time zone such as "Asia/Shanghai"`, i18n.ZhCN: `必须是 IANA 时区，例如 "Asia/Shanghai"`},
		"invalid_percent":  {i18n.EN: `must be a percentage from "0" to "100" as a string, at most 2 decimal places`, i18n.ZhCN: `必须是 "0" 到 "100" 的百分比字符串，最多 2 位小数`},
	})
}

// Handler serves /settings.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/settings", h.get)
	g.PATCH("/settings", h.update)
}

// get shows the organisation settings.
//
//	@Summary		Get settings
//	@Description	Durations are strings such as "72h", "30m" or "3d"; "0" switches a rule off.
//	@ID				getSettings
//	@Tags			settings
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Success		200	{object}	Values
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Router			/settings [get]
func (h *Handler) get(c echo.Context) error {
	v, err := h.svc.Get(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// update changes some settings.
//
//	@Summary		Update settings
//	@Description	Admin only. Send any subset of the keys; nothing changes unless every value is valid.
//	@ID				updateSettings
//	@Tags			settings
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		UpdateRequest	true	"Changes"
//	@Success		200		{object}	Values
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/settings [patch]
func (h *Handler) update(c echo.Context) error {
	var changes map[string]json.RawMessage
	if err := httpx.Bind(c, &changes); err != nil {
		return err
	}
	v, err := h.svc.Update(c.Request().Context(), changes)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}
