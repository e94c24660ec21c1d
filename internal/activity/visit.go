package activity

import (
	"context"
	"errors"
	"math"
	"slices"
	"time"

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/validate"
)

// futureSkew tolerates client clocks slightly ahead of ours.
const futureSkew = time.Minute

// point is a checked check-in or check-out.
type point struct {
	lat, lng float64
	acc      *float64
	at       time.Time
}

func checkLocation(req LocationRequest, now time.Time) (point, error) {
	var v validate.V
	p := point{at: now, acc: req.Accuracy}
	switch {
	case req.Latitude == nil:
		v.Add("latitude", "required")
	case *req.Latitude < -90 || *req.Latitude > 90:
		v.Add("latitude", "between", "-90", "90")
	default:
		p.lat = *req.Latitude
	}
	switch {
	case req.Longitude == nil:
		v.Add("longitude", "required")
	case *req.Longitude < -180 || *req.Longitude > 180:
		v.Add("longitude", "between", "-180", "180")
	default:
		p.lng = *req.Longitude
	}
	if req.Accuracy != nil && *req.Accuracy < 0 {
		v.Add("accuracy", "negative")
	}
	if t, ok := v.Time("at", req.At); ok && t != nil {
		if t.After(now.Add(futureSkew)) {
			v.Add("at", "in_future")
		} else {
			p.at = *t
		}
	}
	return p, v.Err()
}

// CheckIn records where and when the owner or a participant arrived for
// an activity, and the distance to its customer's position when known.
func (s *Service) CheckIn(ctx context.Context, id string, req LocationRequest) (*Activity, error) {
	return s.visit(ctx, id, req, "check_in")
}

// CheckOut records the departure; it needs a check-in first, not after it.
func (s *Service) CheckOut(ctx context.Context, id string, req LocationRequest) (*Activity, error) {
	return s.visit(ctx, id, req, "check_out")
}

func (s *Service) visit(ctx context.Context, id string, req LocationRequest, action string) (*Activity, error) {
	if err := authz.Require(ctx, "activities:write"); err != nil {
		return nil, err
	}
	p, err := checkLocation(req, db.Now())
	if err != nil {
		return nil, err
	}
	return s.writes.Apply(ctx, func(ctx context.Context) (*Activity, error) {
		return s.store.get(ctx, s.visible(ctx), id)
	}, nil, action, func(ctx context.Context, a *Activity) error {
		actor := authz.ActorFrom(ctx)
		if a.OwnerID != actor.UserID && !slices.Contains(a.Participants, actor.UserID) {
			return apperr.New(apperr.ErrForbidden, "not_owner_or_participant", "not_owner_or_participant")
		}
		if a.Status == StatusCancelled {
			return apperr.Conflict("invalid_transition", "invalid_transition")
		}
		dist, err := s.distance(ctx, a, p)
		if err != nil {
			return err
		}
		if action == "check_in" {
			if a.CheckInAt != nil {
				return apperr.Conflict("already_checked", "already_checked")
			}
			a.CheckInAt, a.CheckInLat, a.CheckInLng, a.CheckInAcc, a.CheckInDist = &p.at, &p.lat, &p.lng, p.acc, dist
			return nil
		}
		switch {
		case a.CheckInAt == nil:
			return apperr.Conflict("not_checked_in", "not_checked_in")
		case a.CheckOutAt != nil:
			return apperr.Conflict("already_checked", "already_checked")
		case p.at.Before(*a.CheckInAt):
			return apperr.Invalid(apperr.FieldError{Field: "at", Message: "before_check_in"})
		}
		a.CheckOutAt, a.CheckOutLat, a.CheckOutLng, a.CheckOutAcc, a.CheckOutDist = &p.at, &p.lat, &p.lng, p.acc, dist
		return nil
	})
}

// distance is from p to the position of the activity's customer, when the
// target knows it. The record is looked up as the system: a participant
// may check in at a customer they do not own.
func (s *Service) distance(ctx context.Context, a *Activity, p point) (*float64, error) {
	t, ok := s.targets[a.RelatedType]
	if !ok {
		return nil, nil
	}
	r, err := t.Get(authz.WithActor(ctx, authz.System("field visit")), a.RelatedID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil
	}
	if err != nil || r.Latitude == nil || r.Longitude == nil {
		return nil, err
	}
	d := math.Round(haversine(p.lat, p.lng, *r.Latitude, *r.Longitude)*10) / 10
	return &d, nil
}

// haversine is the great-circle distance in metres between two WGS 84
// positions, on a sphere of the Earth's mean radius.
func haversine(lat1, lng1, lat2, lng2 float64) float64 {
	const earth = 6371008.8
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earth * math.Asin(math.Min(1, math.Sqrt(h)))
}
