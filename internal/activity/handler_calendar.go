package activity

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
)

func actorID(c echo.Context) string {
	if a := authz.ActorFrom(c.Request().Context()); a != nil {
		return a.UserID
	}
	return ""
}

// optional returns nil for an absent query parameter.
func optional(c echo.Context, name string) *string {
	if !c.QueryParams().Has(name) {
		return nil
	}
	v := c.QueryParam(name)
	return &v
}

// calendar lists activities in a time range.
//
//	@Summary		Calendar
//	@Description	Planned and done activities overlapping [from, to) (required; to after from; at most 92 days, else 422), of the caller by default, or of user_id (the caller, or a user they may give records to: a manager's team and sub-teams, anyone for an admin; else 422) or team_id (a team in the caller's reach and its sub-teams; else 422) — not both. An activity counts for a user they own or take part in; only activities the caller may see are listed. Sorted by start_at; at most 2000 (truncated true beyond).
//	@ID				getCalendar
//	@Tags			activities
//	@Produce		json
//	@Security		BearerAuth
//	@Security		ApiKeyAuth
//	@Param			from	query		string	true	"Range start (RFC 3339 or date)"
//	@Param			to		query		string	true	"Range end, exclusive (RFC 3339 or date)"
//	@Param			user_id	query		string	false	"Whose calendar"
//	@Param			team_id	query		string	false	"A team's calendar (with its sub-teams)"
//	@Success		200		{object}	CalendarResponse
//	@Failure		401		{object}	httpx.Problem
//	@Failure		403		{object}	httpx.Problem
//	@Failure		422		{object}	httpx.Problem
//	@Router			/calendar [get]
func (h *Handler) calendar(c echo.Context) error {
	rows, truncated, err := h.svc.Calendar(c.Request().Context(), CalendarQuery{From: optional(c, "from"),
		To: optional(c, "to"), UserID: c.QueryParam("user_id"), TeamID: c.QueryParam("team_id")})
	if err != nil {
		return err
	}
	out := CalendarResponse{Data: make([]ActivityResponse, len(rows)), Truncated: truncated}
	for i := range rows {
		out.Data[i] = View(&rows[i])
	}
	return c.JSON(http.StatusOK, out)
}

// newFeedToken makes the caller's calendar feed secret.
//
//	@Summary		Create a calendar feed token
//	@Description	Subscribing a calendar app (Outlook, Google Calendar, Apple/phone calendars: "subscribe from URL" / "add calendar by URL") to the caller's activities. Answers a new secret token and the feed url (GET /calendar/feed/<token>.ics, no login needed), shown only now; the server keeps only its SHA-256 hash. A new token replaces the old one, which stops working at once. Users only (API keys 403). Audited.
//	@ID				createCalendarFeedToken
//	@Tags			activities
//	@Produce		json
//	@Security		BearerAuth
//	@Success		201	{object}	FeedTokenResponse
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Router			/calendar/feed-token [post]
func (h *Handler) newFeedToken(c echo.Context) error {
	token, err := h.svc.NewFeedToken(c.Request().Context())
	if err != nil {
		return err
	}
	url := c.Scheme() + "://" + c.Request().Host + "/api/v1" + FeedPath(token)
	return c.JSON(http.StatusCreated, FeedTokenResponse{Token: token, URL: url})
}

// revokeFeedToken stops the caller's calendar feed.
//
//	@Summary		Revoke the calendar feed token
//	@Description	The feed URL answers 404 from now on. 404 when the caller has no token. Audited.
//	@ID				revokeCalendarFeedToken
//	@Tags			activities
//	@Security		BearerAuth
//	@Success		204
//	@Failure		401	{object}	httpx.Problem
//	@Failure		403	{object}	httpx.Problem
//	@Failure		404	{object}	httpx.Problem
//	@Router			/calendar/feed-token [delete]
func (h *Handler) revokeFeedToken(c echo.Context) error {
	if err := h.svc.RevokeFeedToken(c.Request().Context()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// feed serves a user's iCalendar feed.
//
//	@Summary		iCalendar feed
//	@Description	No authentication: the secret token in the path (from POST /calendar/feed-token) is the key. An RFC 5545 calendar (text/calendar; METHOD PUBLISH, X-WR-CALNAME) of the token owner's activities, owned or taken part in, from 30 days back to 180 days ahead: one VEVENT per activity with a stable UID (<activity id>@opencrm), DTSTART/DTEND in UTC (30 minutes when it has no end), SUMMARY, LOCATION, DESCRIPTION, STATUS CONFIRMED or CANCELLED, SEQUENCE growing with each change, and a VALARM when a reminder is set. Calendar apps poll it. An unknown or revoked token, or a disabled user, is 404.
//	@ID				getCalendarFeed
//	@Tags			activities
//	@Produce		text/calendar
//	@Param			file	path		string	true	"<token>.ics: the feed token with the .ics suffix calendar apps expect"
//	@Success		200		{string}	string	"iCalendar"
//	@Failure		404		{object}	httpx.Problem
//	@Router			/calendar/feed/{file} [get]
func (h *Handler) feed(c echo.Context) error {
	token, ok := TokenFromFile(c.Param("file"))
	if !ok {
		return apperr.NotFound("calendar_feed")
	}
	body, err := h.svc.Feed(c.Request().Context(), token)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=300")
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", []byte(body))
}
