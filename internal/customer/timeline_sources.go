package customer

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/db"
)

// builtinSources are this module's own timeline events: ownership
// changes, creation and edits (from the audit log) and contacts added.
// Follow-ups are activities: the activity module adds them.
func builtinSources(d *db.DB) []TimelineSource {
	return []TimelineSource{
		ownershipSource(d), auditSource(d), contactSource(d),
	}
}

// ownershipTypes names the timeline type of each ownership action.
var ownershipTypes = map[string]string{ActionAssign: "assigned", ActionClaim: "claimed",
	ActionRelease: "released", ActionTransfer: "transferred", ActionRecycle: "recycled"}

func ownershipSource(d *db.DB) TimelineSource {
	return func(ctx context.Context, id string, before *TimelineCursor, limit int) ([]TimelineItem, error) {
		var rows []OwnershipEvent
		q := before.Before(d.Conn(ctx).Where("customer_id = ?", id), "created_at", "id")
		if err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
			return nil, err
		}
		out := make([]TimelineItem, len(rows))
		for i, e := range rows {
			var summary string
			ref := deref(e.ToUserID)
			switch e.Action {
			case ActionAssign:
				summary = "Assigned to a new owner"
			case ActionClaim:
				summary = "Claimed from the public pool"
			case ActionTransfer:
				summary = "Transferred to a new owner"
			case ActionRelease:
				summary, ref = "Released to the public pool", deref(e.FromUserID)
			case ActionRecycle:
				summary, ref = "Returned to the public pool by the recycling rule", deref(e.FromUserID)
			}
			if e.Reason != "" {
				summary += ": " + e.Reason
			}
			out[i] = TimelineItem{Type: ownershipTypes[e.Action], At: e.CreatedAt, ActorID: e.ActorID,
				Summary: summary, RefType: "user", RefID: ref, ID: e.ID}
		}
		return out, nil
	}
}

// auditSource shows the customer's creation and edits. Other audited
// actions on the customer (claim, release, follow_up…) have sources of
// their own.
func auditSource(d *db.DB) TimelineSource {
	return func(ctx context.Context, id string, before *TimelineCursor, limit int) ([]TimelineItem, error) {
		var rows []audit.Log
		q := d.Conn(ctx).Where("entity_type = ? AND entity_id = ? AND action IN ?", "customer", id,
			[]string{"create", "update", "merge"})
		q = before.Before(q, "created_at", "id")
		if err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
			return nil, err
		}
		out := make([]TimelineItem, len(rows))
		for i, l := range rows {
			it := TimelineItem{Type: "created", At: l.CreatedAt, ActorID: l.ActorID, Summary: "Customer created",
				RefType: "customer", RefID: id, ID: l.ID}
			switch l.Action {
			case "update":
				it.Type, it.Summary = "updated", "Updated "+strings.Join(changedFields(l.Before, l.After), ", ")
			case "merge":
				it.Type, it.Summary = "merged", mergeSummary(l.After)
			}
			out[i] = it
		}
		return out, nil
	}
}

// mergeSummary describes a merge from the target's audit row: who went
// in and what moved with them.
func mergeSummary(after *string) string {
	var m mergeAudit
	if after != nil {
		_ = json.Unmarshal([]byte(*after), &m)
	}
	names := make([]string, len(m.MergedFrom))
	for i, r := range m.MergedFrom {
		names[i] = r.Name
	}
	var moved []string
	for k, n := range m.Moved {
		if n > 0 {
			moved = append(moved, fmt.Sprintf("%d %s", n, strings.ReplaceAll(k, "_", " ")))
		}
	}
	sort.Strings(moved)
	out := "Merged in: " + strings.Join(names, ", ")
	if len(moved) > 0 {
		out += " (moved " + strings.Join(moved, ", ") + ")"
	}
	return out
}

// changedFields lists the fields whose values differ between two audit
// snapshots, bookkeeping left out.
func changedFields(before, after *string) []string {
	var b, a map[string]json.RawMessage
	if before != nil {
		_ = json.Unmarshal([]byte(*before), &b)
	}
	if after != nil {
		_ = json.Unmarshal([]byte(*after), &a)
	}
	var out []string
	for k, v := range a {
		switch k {
		case "updated_at", "version", "masked":
			continue
		}
		if string(b[k]) != string(v) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return []string{"nothing"}
	}
	return out
}

func contactSource(d *db.DB) TimelineSource {
	return func(ctx context.Context, id string, before *TimelineCursor, limit int) ([]TimelineItem, error) {
		var rows []Contact
		q := before.Before(d.Conn(ctx).Where("customer_id = ?", id), "created_at", "id")
		if err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
			return nil, err
		}
		out := make([]TimelineItem, len(rows))
		for i, c := range rows {
			summary := "Contact added: " + c.Name
			if c.Title != "" {
				summary += " (" + c.Title + ")"
			}
			out[i] = TimelineItem{Type: "contact_added", At: c.CreatedAt, ActorID: c.CreatedBy, Summary: summary,
				RefType: "contact", RefID: c.ID, ID: c.ID}
		}
		return out, nil
	}
}
