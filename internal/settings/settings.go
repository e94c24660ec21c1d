// Package settings keeps the organisation's settings: the durations and
// limits that drive automatic rules (follow-up SLA, public pool).
package settings

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
	_ "time/tzdata" // zones load on hosts and images without a tz database

	"github.com/opencrm/crm/internal/platform/apperr"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/shopspring/decimal"
	"gorm.io/gorm/clause"
)

func init() {
	authz.Grant("settings:read", authz.RoleAdmin, authz.RoleManager, authz.RoleRep)
	authz.Grant("settings:write", authz.RoleAdmin)
}

// Values are every setting with its current value. The json tag is the
// setting's key; a new setting is a new field here with its default below.
type Values struct {
	// LeadFollowupSLA: an assigned lead not followed up within it is
	// reassigned. "0" switches the rule off.
	LeadFollowupSLA Duration `json:"lead_followup_sla" swaggertype:"string" example:"3d"`
	// MaxCustomersPerRep caps how many customers one rep may own when
	// claiming from the public pool.
	MaxCustomersPerRep int `json:"max_customers_per_rep" example:"200"`
	// PoolReclaimCooldown: how long a rep must wait to re-claim a customer
	// they released.
	PoolReclaimCooldown Duration `json:"pool_reclaim_cooldown" swaggertype:"string" example:"7d"`
	// PoolRecycleNoFollowup returns an owned customer to the pool after this
	// long without a follow-up ("0" off).
	PoolRecycleNoFollowup Duration `json:"pool_recycle_no_followup" swaggertype:"string" example:"30d"`
	// PoolRecycleNoDeal returns an owned customer to the pool after this
	// long without a deal ("0" off).
	PoolRecycleNoDeal Duration `json:"pool_recycle_no_deal" swaggertype:"string" example:"90d"`
	// PoolRecycleWarning warns the owner this long before recycling.
	PoolRecycleWarning Duration `json:"pool_recycle_warning" swaggertype:"string" example:"3d"`
	// PoolRecycleExemptSigned keeps customers with a signed deal out of
	// recycling.
	PoolRecycleExemptSigned bool `json:"pool_recycle_exempt_signed" example:"true"`
	// Timezone is the organisation's IANA time zone: business days (document
	// numbers, due dates) and report periods follow it; timestamps are
	// stored in UTC.
	Timezone Timezone `json:"timezone" swaggertype:"string" example:"Asia/Shanghai"`
	// QuoteDiscountApprovalThreshold: a quote with any line discount above
	// this percentage needs approval when submitted.
	QuoteDiscountApprovalThreshold Percent `json:"quote_discount_approval_threshold" swaggertype:"string" example:"15"`
	// ContractExpiryReminderDays: the contract owner is reminded this many
	// days before a contract's end date ("0" off).
	ContractExpiryReminderDays int `json:"contract_expiry_reminder_days" example:"30"`
	// PaymentDueReminderDays: the contract owner is reminded this many days
	// before an instalment falls due, and again when it is overdue.
	PaymentDueReminderDays int `json:"payment_due_reminder_days" example:"3"`
} // @name Settings

// Defaults are the values before an admin changes anything.
func Defaults() Values {
	return Values{
		LeadFollowupSLA:         Duration(3 * 24 * time.Hour),
		MaxCustomersPerRep:      200,
		PoolReclaimCooldown:     Duration(7 * 24 * time.Hour),
		PoolRecycleNoFollowup:   Duration(30 * 24 * time.Hour),
		PoolRecycleNoDeal:       Duration(90 * 24 * time.Hour),
		PoolRecycleWarning:      Duration(3 * 24 * time.Hour),
		PoolRecycleExemptSigned: true,

		Timezone:                       Timezone("Asia/Shanghai"),
		QuoteDiscountApprovalThreshold: Percent(decimal.NewFromInt(15)),
		ContractExpiryReminderDays:     30,
		PaymentDueReminderDays:         3,
	}
}

// UpdateRequest documents PATCH /settings: any subset of the keys.
type UpdateRequest struct {
	LeadFollowupSLA         *string `json:"lead_followup_sla" example:"72h"`
	MaxCustomersPerRep      *int    `json:"max_customers_per_rep" example:"150"`
	PoolReclaimCooldown     *string `json:"pool_reclaim_cooldown" example:"7d"`
	PoolRecycleNoFollowup   *string `json:"pool_recycle_no_followup" example:"30d"`
	PoolRecycleNoDeal       *string `json:"pool_recycle_no_deal" example:"90d"`
	PoolRecycleWarning      *string `json:"pool_recycle_warning" example:"3d"`
	PoolRecycleExemptSigned *bool   `json:"pool_recycle_exempt_signed" example:"true"`

	Timezone                       *string `json:"timezone" example:"Asia/Shanghai"`
	QuoteDiscountApprovalThreshold *string `json:"quote_discount_approval_threshold" example:"20"`
	ContractExpiryReminderDays     *int    `json:"contract_expiry_reminder_days" example:"30"`
	PaymentDueReminderDays         *int    `json:"payment_due_reminder_days" example:"3"`
} // @name SettingsUpdateRequest

// row is one stored setting.
type row struct {
	Key       string
	Value     string
	UpdatedAt time.Time
	UpdatedBy string
}

func (row) TableName() string { return "settings" }

// Service reads and changes settings.
type Service struct {
	db    *db.DB
	audit *audit.Writer
}

// NewService builds the service.
func NewService(d *db.DB, aw *audit.Writer) *Service { return &Service{db: d, audit: aw} }

// Current is the settings as the rules see them (no permission check: the
// rules run for everyone, and for the scheduler).
func (s *Service) Current(ctx context.Context) (Values, error) {
	v := Defaults()
	var rows []row
	if err := s.db.Conn(ctx).Find(&rows).Error; err != nil {
		return v, fmt.Errorf("settings.load: %w", err)
	}
	stored := map[string]string{}
	for _, r := range rows {
		stored[r.Key] = r.Value
	}
	rv := reflect.ValueOf(&v).Elem()
	for i := 0; i < rv.NumField(); i++ {
		raw, ok := stored[key(rv.Type().Field(i))]
		if !ok {
			continue
		}
		// A value that no longer parses keeps the default rather than
		// stopping every rule that reads settings.
		_ = setField(rv.Field(i), json.RawMessage(raw))
	}
	return v, nil
}

// Get is Current for the API.
func (s *Service) Get(ctx context.Context) (Values, error) {
	if err := authz.Require(ctx, "settings:read"); err != nil {
		return Values{}, err
	}
	return s.Current(ctx)
}

// Update changes the given keys (admin). Unknown keys are 400, bad values 422;
// nothing is written unless every value is good.
func (s *Service) Update(ctx context.Context, changes map[string]json.RawMessage) (Values, error) {
	if err := authz.Require(ctx, "settings:write"); err != nil {
		return Values{}, err
	}
	var out Values
	err := s.db.WithTx(ctx, func(ctx context.Context) error {
		before, err := s.Current(ctx)
		if err != nil {
			return err
		}
		after := before
		rv := reflect.ValueOf(&after).Elem()
		fields := map[string]int{}
		for i := 0; i < rv.NumField(); i++ {
			fields[key(rv.Type().Field(i))] = i
		}
		var bad []apperr.FieldError
		for k, raw := range changes {
			i, ok := fields[k]
			if !ok {
				return apperr.BadRequest("unknown_field", "unknown_field", apperr.FieldError{Field: k, Message: "not_allowed"})
			}
			if err := setField(rv.Field(i), raw); err != nil {
				bad = append(bad, apperr.FieldError{Field: k, Message: err.Error()})
			}
		}
		if after.MaxCustomersPerRep < 1 && len(bad) == 0 {
			bad = append(bad, apperr.FieldError{Field: "max_customers_per_rep", Message: "out_of_range", Params: []any{1, 100000}})
		}
		if len(bad) > 0 {
			return apperr.Invalid(bad...)
		}
		now := db.Now()
		actor := authz.ActorFrom(ctx).ID()
		for k := range changes {
			enc, _ := json.Marshal(rv.Field(fields[k]).Interface())
			r := row{Key: k, Value: string(enc), UpdatedAt: now, UpdatedBy: actor}
			if err := s.db.Conn(ctx).Clauses(clause.OnConflict{
				Columns:   []clause.Column{{Name: "key"}},
				DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at", "updated_by"}),
			}).Create(&r).Error; err != nil {
				return fmt.Errorf("settings.update: %w", err)
			}
		}
		out = after
		return s.audit.Record(ctx, "update", "settings", "settings", before, after)
	})
	return out, err
}

func key(f reflect.StructField) string { return strings.Split(f.Tag.Get("json"), ",")[0] }

// setField parses one JSON value into a settings field by its type; the
// error text is an i18n key.
func setField(f reflect.Value, raw json.RawMessage) error {
	switch f.Interface().(type) {
	case Duration:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return fmt.Errorf("invalid_duration")
		}
		d, err := ParseDuration(s)
		if err != nil {
			return fmt.Errorf("invalid_duration")
		}
		f.SetInt(int64(d))
	case int:
		// An int64 refuses strings ("5") and fractions (1.5) alike.
		var i int64
		if json.Unmarshal(raw, &i) != nil || i < 0 {
			return fmt.Errorf("must_be_integer")
		}
		f.SetInt(i)
	case bool:
		var b bool
		if json.Unmarshal(raw, &b) != nil {
			return fmt.Errorf("must_be_boolean")
		}
		f.SetBool(b)
	case Timezone:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return fmt.Errorf("invalid_timezone")
		}
		if _, err := time.LoadLocation(s); err != nil || s == "" || s == "Local" {
			return fmt.Errorf("invalid_timezone")
		}
		f.Set(reflect.ValueOf(Timezone(s)))
	case Percent:
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return fmt.Errorf("invalid_percent")
		}
		d, err := decimal.NewFromString(strings.TrimSpace(s))
		if err != nil || d.IsNegative() || d.GreaterThan(decimal.NewFromInt(100)) || !d.Equal(d.Round(2)) {
			return fmt.Errorf("invalid_percent")
		}
		f.Set(reflect.ValueOf(Percent(d)))
	}
	return nil
}

// Timezone is an IANA zone name ("Asia/Shanghai").
type Timezone string

// Location is the zone; UTC if it no longer loads.
func (t Timezone) Location() *time.Location {
	if l, err := time.LoadLocation(string(t)); err == nil {
		return l
	}
	return time.UTC
}

// Percent is a percentage 0–100 with up to two places, as a JSON string.
type Percent decimal.Decimal

// Decimal is the value.
func (p Percent) Decimal() decimal.Decimal { return decimal.Decimal(p) }

// MarshalJSON writes "15" or "12.5".
func (p Percent) MarshalJSON() ([]byte, error) { return json.Marshal(decimal.Decimal(p).String()) }
