package lead

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/opencrm/crm/internal/dedupe"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/db"
	"github.com/opencrm/crm/internal/platform/validate"
)

// FormLead is a lead submitted through a public web form.
type FormLead struct {
	// FormID and FormName identify the form: the lead's creator and the
	// audit actor (type web_form).
	FormID, FormName string
	// Source is the form's lead source.
	Source string
	// RequestID and IP go into the audit row.
	RequestID, IP string

	Name, Company, Phone, Email, Title, Region, ProductInterest, Message string
}

// maxFormMessage caps a web form's free text, in characters.
const maxFormMessage = 5000

// CreateFromForm creates a lead from a web form submission and routes it
// like any lead that arrives without an owner. There is no caller to
// authorise: the public endpoint has already checked the form.
func (s *Service) CreateFromForm(ctx context.Context, f FormLead) error {
	now := db.Now()
	l := &Lead{ID: uuid.Must(uuid.NewV7()).String(), Name: f.Name, Company: f.Company, Title: f.Title,
		Phone: f.Phone, Email: f.Email, Source: f.Source, Region: f.Region, ProductInterest: f.ProductInterest,
		Description: f.Message, Status: StatusNew, Tags: db.StringList{}, CreatedBy: f.FormID,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	var v validate.V
	v.MaxLen("message", l.Description, maxFormMessage)
	if err := Check(&v, l); err != nil {
		return err
	}
	by := actorRef{"web_form", f.FormID}
	return s.db.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.route(ctx, l); err != nil {
			return err
		}
		if err := s.store.Create(ctx, l); err != nil {
			return err
		}
		if l.OwnerID != nil {
			if err := s.recordAssignment(ctx, l, nil, ReasonRule, by); err != nil {
				return err
			}
		}
		// The audit writer names the actor from an authz.Actor, and a form
		// is none: write the row with the form as the actor.
		after, err := json.Marshal(View(l))
		if err != nil {
			return fmt.Errorf("lead.form_audit: %w", err)
		}
		a := string(after)
		row := audit.Log{ID: uuid.Must(uuid.NewV7()).String(), CreatedAt: db.Now(), ActorType: "web_form",
			ActorID: f.FormID, ActorName: f.FormName, Action: "create", EntityType: "lead", EntityID: l.ID,
			After: &a, RequestID: f.RequestID, IP: f.IP}
		if err := s.db.Conn(ctx).Create(&row).Error; err != nil {
			return fmt.Errorf("lead.form_audit: %w", err)
		}
		return s.flagFormDuplicate(ctx, l, row)
	})
}

// flagFormDuplicate records, for staff, that a form lead duplicates
// existing records. A public form still creates the lead and answers
// exactly as for any other submission: refusing it, or answering
// differently, would tell anyone on the internet which phones and emails
// are already customers.
func (s *Service) flagFormDuplicate(ctx context.Context, l *Lead, created audit.Log) error {
	ms, err := s.dups.Find(ctx, nil, dedupe.Keys(l.Phone, l.Email, l.Company), dedupe.Exclude{LeadIDs: []string{l.ID}})
	if err != nil || len(ms) == 0 {
		return err
	}
	b, err := json.Marshal(map[string]any{"duplicate": true, "matches": dedupe.Refs(ms)})
	if err != nil {
		return fmt.Errorf("lead.form_duplicate: %w", err)
	}
	after := string(b)
	row := created
	row.ID, row.Action, row.After = uuid.Must(uuid.NewV7()).String(), "duplicate_detected", &after
	if err := s.db.Conn(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("lead.form_duplicate: %w", err)
	}
	return nil
}
