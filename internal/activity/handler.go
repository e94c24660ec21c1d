package activity

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/httpx"
	"github.com/opencrm/crm/internal/platform/paging"
)

// Handler serves /activities and /calendar.
type Handler struct{ svc *Service }

// NewHandler builds the handler.
func NewHandler(s *Service) *Handler { return &Handler{svc: s} }

// Routes mounts the endpoints on the authenticated group.
func (h *Handler) Routes(g *echo.Group) {
	g.GET("/activities", h.list)
	g.POST("/activities", h.create)
	g.GET("/activities/:id", h.get)
	g.PATCH("/activities/:id", h.update)
	g.DELETE("/activities/:id", h.delete)
	g.POST("/activities/:id/cancel", h.cancel)
	g.POST("/activities/:id/complete", h.complete)
	g.POST("/activities/:id/check-in", h.checkIn)
	g.POST("/activities/:id/check-out", h.checkOut)
	g.GET("/calendar", h.calendar)
	g.POST("/calendar/feed-token", h.newFeedToken)
	g.DELETE("/calendar/feed-token", h.revokeFeedToken)
}

// PublicRoutes mounts the iCalendar feed on the unauthenticated /api/v1
// group: calendar apps cannot log in, the secret in the path is the key.
func (h *Handler) PublicRoutes(g *echo.Group) {
	g.GET("/calendar/feed/:file", h.feed)
}

func render(c echo.Context, status int, a *Activity) error {
	httpx.SetETag(c, a.Version)
	return c.JSON(status, View(a))
}

// list pages through the activities the caller may see.
//
//	@Summary		List activities
//	@Description	Activities the caller may see: owned by someone in their data scope (a rep: their own; a manager: their team's and sub-teams'; an admin: all), or with the caller as a participant, or about a lead, customer, contact or opportunity the caller sees. Filters combine with AND. Follow-ups recorded on leads and customers are done activities and are listed here too.
//	@ID				listActivities
//	@Tags			activities
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			related_type	query		string	false	"lead, customer, contact or opportunity (with related_id)"
//	@Param			related_id		query		string	false	"Id of the related record"
//	@Param			owner_id		query		string	false	"Owner user id"
//	@Param			team_id			query		string	false	"Owned by members of this team or its sub-teams (in the caller's reach; else 422)"
//	@Param			type			query		string	false	"call, visit, meeting, demo, email, task"
//	@Param			status			query		string	false	"planned, done, cancelled"
//	@Param			participant_id	query		string	false	"A user id, or me: activities they take part in"
//	@Param			from			query		string	false	"start_at at or after (RFC 3339 or date)"
//	@Param			to				query		string	false	"start_at before (RFC 3339, exclusive; a date includes that whole day)"
//	@Param			limit			query		int		false	"Page size (1–200)"	default(20)
//	@Param			cursor			query		string	false	"Cursor from next_cursor"
//	@Param			sort			query		string	false	"Sort: start_at, created_at; prefix - for descending"	default(-start_at)
//	@Param			include_total	query		bool	false	"Add total"
//	@Success		200				{object}	ActivityList
//	@Failure		400				{object}	httpx.Problem
//	@Failure		401				{object}	httpx.Problem
//	@Failure		403				{object}	httpx.Problem
//	@Failure		422				{object}	httpx.Problem
//	@Router			/activities [get]
func (h *Handler) list(c echo.Context) error {
	r, err := httpx.PageRequest(c)
	if err != nil {
		return err
	}
	f := Filter{RelatedType: c.QueryParam("related_type"), RelatedID: c.QueryParam("related_id"),
		OwnerID: c.QueryParam("owner_id"), Type: c.QueryParam("type"), Status: c.QueryParam("status"),
		ParticipantID: c.QueryParam("participant_id")}
	if f.ParticipantID == "me" {
		f.ParticipantID = actorID(c)
	}
	if f.From, err = httpx.QueryTime(c, "from", false); err != nil {
		return err
	}
	if f.To, err = httpx.QueryTime(c, "to", true); err != nil {
		return err
	}
	page, err := h.svc.List(c.Request().Context(), f, c.QueryParam("team_id"), r)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, paging.Map(page, View))
}

// create plans an activity.
//
//	@Summary		Create an activity
//	@Description	Plans a call, visit, meeting, demo, email or task about a lead, customer, contact or opportunity the caller sees (related_type and related_id together; a record out of scope or unknown is 422 on related_id; an opportunity only once that module is installed). The new activity is planned. owner_id defaults to the caller and may name a user the caller may give records to (a manager: their team and sub-teams). participant_ids are active users (any team, at most 50). end_at may not be before start_at. remind_before ("30m", "1h", "1d") or remind_at (not both): the owner and each participant get a reminder (activity_reminder) then, moved when the time moves and cancelled when the activity is cancelled, completed or deleted. Audited.
//	@ID				createActivity
//	@Tags			activities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			body	body		ActivityCreateRequest	true	"Activity"
//	@Success		201		{object}	ActivityResponse
//	@Header			201		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/activities [post]
func (h *Handler) create(c echo.Context) error {
	var req ActivityCreateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	a, err := h.svc.Create(c.Request().Context(), req)
	if err != nil {
		return err
	}
	return render(c, http.StatusCreated, a)
}

// get shows one activity.
//
//	@Summary		Get an activity
//	@Description	An activity the caller may not see is 404.
//	@ID				getActivity
//	@Tags			activities
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id	path		string	true	"Activity id"
//	@Success		200	{object}	ActivityResponse
//	@Header			200	{string}	ETag	"Version, for If-Match"
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/activities/{id} [get]
func (h *Handler) get(c echo.Context) error {
	a, err := h.svc.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, a)
}

// update changes an activity.
//
//	@Summary		Update an activity
//	@Description	Absent fields stay. Only whoever manages the owner may edit (the owner, their managers, admins; a participant gets 403). related_type and related_id do not change; status changes through cancel and complete. A cancelled activity is 409 invalid_transition. remind_before and remind_at replace each other (an empty string clears); moving start_at or the reminder moves the reminders. If-Match honoured (412). Audited.
//	@ID				updateActivity
//	@Tags			activities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string					true	"Activity id"
//	@Param			If-Match	header		string					false	"Version from the ETag"
//	@Param			body		body		ActivityUpdateRequest	true	"Changes"
//	@Success		200			{object}	ActivityResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/activities/{id} [patch]
func (h *Handler) update(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req ActivityUpdateRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	a, err := h.svc.Update(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, a)
}

// delete removes an activity.
//
//	@Summary		Delete an activity
//	@Description	Only the owner or an admin (403 for others who see it). Its reminders are cancelled. If-Match honoured (412). Audited with the activity as it was.
//	@ID				deleteActivity
//	@Tags			activities
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path	string	true	"Activity id"
//	@Param			If-Match	header	string	false	"Version from the ETag"
//	@Success		204
//	@Failure		400	{object}	httpx.Problem
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Failure		412	{object}	httpx.Problem
//	@Router			/activities/{id} [delete]
func (h *Handler) delete(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	if err := h.svc.Delete(c.Request().Context(), c.Param("id"), ifMatch); err != nil {
		return err
	}
	return httpx.NoContent(c)
}

// cancel calls an activity off.
//
//	@Summary		Cancel an activity
//	@Description	A planned activity becomes cancelled (cancelled_at set) and its reminders are cancelled; it shows as STATUS:CANCELLED in calendar feeds. Only whoever manages the owner (403). Anything but planned is 409 invalid_transition. If-Match honoured (412). Audited (cancel).
//	@ID				cancelActivity
//	@Tags			activities
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string	true	"Activity id"
//	@Param			If-Match	header		string	false	"Version from the ETag"
//	@Success		200			{object}	ActivityResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Router			/activities/{id}/cancel [post]
func (h *Handler) cancel(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	a, err := h.svc.Cancel(c.Request().Context(), c.Param("id"), ifMatch)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, a)
}

// complete marks an activity done.
//
//	@Summary		Complete an activity
//	@Description	A planned activity becomes done now (done_at) with its outcome (and notes, when given). In the same transaction, exactly as a follow-up: the related record's last_followed_at moves forward, next_follow_up_at is set (when given; it must be in the future) or cleared when this contact fulfilled it, a new or assigned lead becomes contacted, and the record's owner gets a follow_up_due reminder at the next date; a contact's customer is followed up. The activity's reminders are cancelled. Done twice or cancelled: 409 invalid_transition. Only whoever manages the owner (403). If-Match honoured (412). Audited (complete, and follow_up on the record).
//	@ID				completeActivity
//	@Tags			activities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id			path		string			true	"Activity id"
//	@Param			If-Match	header		string			false	"Version from the ETag"
//	@Param			body		body		CompleteRequest	true	"Outcome"
//	@Success		200			{object}	ActivityResponse
//	@Header			200			{string}	ETag	"Version, for If-Match"
//	@Failure		400			{object}	httpx.Problem
//	@Failure		401			{object}	httpx.Problem
//	@Failure		403			{object}	httpx.Problem
//	@Failure		404			{object}	httpx.Problem
//	@Failure		409			{object}	httpx.Problem
//	@Failure		412			{object}	httpx.Problem
//	@Failure		413			{object}	httpx.Problem
//	@Failure		415			{object}	httpx.Problem
//	@Failure		422			{object}	httpx.Problem
//	@Router			/activities/{id}/complete [post]
func (h *Handler) complete(c echo.Context) error {
	ifMatch, err := httpx.IfMatch(c)
	if err != nil {
		return err
	}
	var req CompleteRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	a, err := h.svc.Complete(c.Request().Context(), c.Param("id"), ifMatch, req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, a)
}

// checkIn records arrival at a field visit.
//
//	@Summary		Check in to an activity
//	@Description	Field visits: the owner or a participant (others 403) records where and when they arrived: latitude (−90..90), longitude (−180..180), accuracy in metres (≥ 0), at (default now, not in the future). When the related customer's position is known (a contact's or lead's customer counts), distance_meters is the great-circle distance to it. Once per activity (409); a cancelled activity is 409 invalid_transition. Audited (check_in).
//	@ID				checkInActivity
//	@Tags			activities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		string			true	"Activity id"
//	@Param			body	body		LocationRequest	true	"Position"
//	@Success		200		{object}	ActivityResponse
//	@Header			200		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		404		{object}	httpx.Problem
//	@Failure		409		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/activities/{id}/check-in [post]
func (h *Handler) checkIn(c echo.Context) error {
	var req LocationRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	a, err := h.svc.CheckIn(c.Request().Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, a)
}

// checkOut records departure from a field visit.
//
//	@Summary		Check out of an activity
//	@Description	As check-in, after it: without a check-in 409 not_checked_in; at before the check-in is 422; once per activity (409). Audited (check_out).
//	@ID				checkOutActivity
//	@Tags			activities
//	@Accept			json
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			id		path		string			true	"Activity id"
//	@Param			body	body		LocationRequest	true	"Position"
//	@Success		200		{object}	ActivityResponse
//	@Header			200		{string}	ETag	"Version, for If-Match"
//	@Failure		400		{object}	httpx.Problem
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		404		{object}	httpx.Problem
//	@Failure		409		{object}	httpx.Problem
//	@Failure		413		{object}	httpx.Problem
//	@Failure		415		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/activities/{id}/check-out [post]
func (h *Handler) checkOut(c echo.Context) error {
	var req LocationRequest
	if err := httpx.Bind(c, &req); err != nil {
		return err
	}
	a, err := h.svc.CheckOut(c.Request().Context(), c.Param("id"), req)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, a)
}
