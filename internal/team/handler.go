package team

import (
	"github.com/labstack/echo/v4"
)

// Handler serves /targets, /commission-plans, /training-records,
// /playbooks and an opportunity's playbooks.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/targets", h.listTargets)
	g.POST("/targets", h.createTarget)
	g.GET("/targets/:id", h.getTarget)
	g.PATCH("/targets/:id", h.updateTarget)
	g.DELETE("/targets/:id", h.deleteTarget)
	g.GET("/commission-plans", h.listPlans)
	g.POST("/commission-plans", h.createPlan)
	g.GET("/commission-plans/:id", h.getPlan)
	g.PATCH("/commission-plans/:id", h.updatePlan)
	g.DELETE("/commission-plans/:id", h.deletePlan)
	g.GET("/training-records", h.listTraining)
	g.POST("/training-records", h.createTraining)
	g.GET("/training-records/:id", h.getTraining)
	g.PATCH("/training-records/:id", h.updateTraining)
	g.DELETE("/training-records/:id", h.deleteTraining)
	g.GET("/playbooks", h.listPlaybooks)
	g.POST("/playbooks", h.createPlaybook)
	g.GET("/playbooks/:id", h.getPlaybook)
	g.PATCH("/playbooks/:id", h.updatePlaybook)
	g.DELETE("/playbooks/:id", h.deletePlaybook)
	g.GET("/opportunities/:id/playbooks", h.opportunityPlaybooks)
}
