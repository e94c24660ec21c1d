package jobs

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/i18n"
)

func init() {
	i18n.Register(map[string]map[i18n.Lang]string{
		"job_running": {i18n.EN: "This job is already running; try again shortly.", i18n.ZhCN: "该任务正在运行，请稍后再试。"},
	})
	i18n.RegisterWords(map[string]string{"job": "任务"})
}

// RunResponse is the outcome of a run.
type RunResponse struct {
	Job string `json:"job" example:"lead-sla-sweep"`
	Result
} // @name JobRun

// Handler serves /admin/jobs.
type Handler struct{ runner *Runner }

// NewHandler builds the handler.
func NewHandler(r *Runner) *Handler { return &Handler{runner: r} }

// Routes mounts the endpoint.
func (h *Handler) Routes(g *echo.Group) { g.POST("/admin/jobs/:name/run", h.run) }

// run runs a scheduled sweep now.
//
//	@Summary		Run a scheduled job now
//	@Description	Admin only. Jobs: lead-sla-sweep (every minute: reassign leads past the follow-up SLA), pool-recycle (hourly: return idle customers to the public pool), import-recover (every minute: queue again imports whose queued task was lost, fail those a stopped worker left running). A job already running anywhere answers 409.
//	@ID				runJob
//	@Tags			admin
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			name	path		string	true	"Job name"
//	@Success		200		{object}	RunResponse
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		404		{object}	httpx.Problem
//	@Failure		409		{object}	httpx.Problem
//	@Router			/admin/jobs/{name}/run [post]
func (h *Handler) run(c echo.Context) error {
	if err := authz.Require(c.Request().Context(), "jobs:write"); err != nil {
		return err
	}
	name := c.Param("name")
	res, err := h.runner.Run(c.Request().Context(), name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, RunResponse{Job: name, Result: res})
}
