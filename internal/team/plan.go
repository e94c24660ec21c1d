package team

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Commission bases.
const (
	BasisReceived = "received_amount"
	BasisWon      = "won_amount"
)

const (
	maxPlanName     = 100
	maxTiers        = 20
	maxPlanSubjects = 500
)

// Plan is a commission plan: progressive tiers over a basis, for the users
// and teams (with their sub-teams) it names, between two dates.
type Plan struct {
	ID            string
	Name          string
	Basis         string
	Tiers         TierList
	Active        bool
	EffectiveFrom string
	EffectiveTo   *string
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int
	// UserIDs and TeamIDs live in commission_plan_subjects.
	UserIDs []string `gorm:"-"`
	TeamIDs []string `gorm:"-"`
}

// TableName pins the table.
func (Plan) TableName() string { return "commission_plans" }

// CurrentVersion is the version as read (record.Versioned).
func (p *Plan) CurrentVersion() int { return p.Version }

// Touch moves the plan to its next version, changed at now.
func (p *Plan) Touch(now time.Time) { p.Version++; p.UpdatedAt = now }

// planSubject is a user or team a plan applies to.
type planSubject struct {
	PlanID      string
	SubjectType string
	SubjectID   string
}

func (planSubject) TableName() string { return "commission_plan_subjects" }

// TierList is a plan's tiers, stored as JSON text on both databases.
type TierList []Tier

// Value implements driver.Valuer.
func (l TierList) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]Tier(l))
	return string(b), err
}

// Scan implements sql.Scanner.
func (l *TierList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("TierList: cannot scan %T", src)
	}
	var out []Tier
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("TierList: %w", err)
	}
	*l = out
	return nil
}
