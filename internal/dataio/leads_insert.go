package dataio

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/platform/audit"
	"github.com/opencrm/crm/internal/platform/db"
)

// inserted is what one background insert did.
type inserted struct {
	created int
	failed  []int // rows
}

// maxInflight is how many batch inserts run at once: two keep both of
// PostgreSQL's cores busy on a 2-core host while Go parses and checks
// the next batch. The duplicate check of later batches does not wait for
// them: duplicates inside the file are caught by the seen map.
const maxInflight = 2

// insert starts writing a batch of new leads in the background; collect
// adds what finished to p.
func (li *leadImporter) insert(ctx context.Context, rows []*pending, p *progress) {
	if len(rows) == 0 {
		return
	}
	if li.results == nil {
		li.results = make(chan inserted, 64)
		li.slots = make(chan struct{}, maxInflight)
	}
	li.collect(p, false)
	li.slots <- struct{}{}
	li.pending++
	go func() {
		defer func() { <-li.slots }()
		li.results <- li.insertNow(ctx, rows)
	}()
}

// collect merges finished inserts into p; all waits for every one.
func (li *leadImporter) collect(p *progress, all bool) {
	for li.pending > 0 {
		var r inserted
		if all {
			r = <-li.results
		} else {
			select {
			case r = <-li.results:
			default:
				return
			}
		}
		li.pending--
		p.created += r.created
		for _, n := range r.failed {
			p.fail(n, "", "import_row_failed")
		}
	}
}

func (li *leadImporter) done(_ context.Context, p *progress) error {
	li.collect(p, true)
	return nil
}

// insertNow writes a batch of new leads and one audit row each in a
// single transaction; when the batch fails, each row is retried alone, so
// one bad row costs only itself.
func (li *leadImporter) insertNow(ctx context.Context, rows []*pending) inserted {
	err := li.insertTx(ctx, rows)
	if err == nil {
		return inserted{created: len(rows)}
	}
	li.s.log.Warn("import batch failed; retrying row by row", "job", li.job.ID, "err", err)
	var out inserted
	for _, pd := range rows {
		if err := li.insertTx(ctx, []*pending{pd}); err != nil {
			li.s.log.Warn("import row failed", "job", li.job.ID, "row", pd.row.n, "err", err)
			out.failed = append(out.failed, pd.row.n)
			continue
		}
		out.created++
	}
	return out
}

// auditRows are the audit rows of created leads, as lead.Service.Create
// writes them.
func (li *leadImporter) auditRows(rows []*pending) ([]audit.Log, error) {
	now := db.Now()
	out := make([]audit.Log, len(rows))
	for i, pd := range rows {
		after, err := json.Marshal(lead.View(pd.lead))
		if err != nil {
			return nil, err
		}
		s := string(after)
		out[i] = audit.Log{ID: uuid.Must(uuid.NewV7()).String(), CreatedAt: now, ActorType: li.actor.Kind(),
			ActorID: li.actor.ID(), ActorName: li.actor.Name, Action: "create", EntityType: "lead",
			EntityID: pd.lead.ID, After: &s, RequestID: "import-" + li.job.ID}
	}
	return out, nil
}

func (li *leadImporter) insertTx(ctx context.Context, rows []*pending) error {
	logs, err := li.auditRows(rows)
	if err != nil {
		return err
	}
	if li.s.db.Dialect() == db.Postgres {
		return li.copyPG(ctx, rows, logs)
	}
	leads := make([]*lead.Lead, len(rows))
	for i, pd := range rows {
		leads[i] = pd.lead
	}
	return li.s.db.WithTx(ctx, func(ctx context.Context) error {
		if err := li.s.db.Conn(ctx).CreateInBatches(leads, 200).Error; err != nil {
			return fmt.Errorf("import.leads: %w", err)
		}
		if err := li.s.db.Conn(ctx).CreateInBatches(logs, 200).Error; err != nil {
			return fmt.Errorf("import.audit: %w", err)
		}
		return nil
	})
}

// leadCopyCols are the columns COPY fills; the rest take their defaults.
var leadCopyCols = []string{"id", "name", "company", "title", "phone", "email", "source", "region",
	"product_interest", "description", "status", "owner_id", "tags", "created_by", "created_at", "updated_at",
	"version", "phone_norm", "email_norm", "company_norm"}

var auditCopyCols = []string{"id", "created_at", "actor_type", "actor_id", "actor_name", "action",
	"entity_type", "entity_id", "before", "after", "request_id", "ip"}

// copyPG inserts with COPY on a connection of the pool, in one pgx
// transaction: far cheaper than INSERT for thousands of rows.
func (li *leadImporter) copyPG(ctx context.Context, rows []*pending, logs []audit.Log) error {
	leadRows := make([][]any, len(rows))
	for i, pd := range rows {
		l := pd.lead
		tags, err := l.Tags.Value()
		if err != nil {
			return err
		}
		r := []any{l.ID, l.Name, l.Company, l.Title, l.Phone, l.Email, l.Source, l.Region, l.ProductInterest,
			l.Description, l.Status, l.OwnerID, tags, l.CreatedBy, l.CreatedAt, l.UpdatedAt, l.Version,
			l.PhoneNorm, l.EmailNorm, l.CompanyNorm}
		leadRows[i] = r
	}
	auditRows := make([][]any, len(logs))
	for i, a := range logs {
		auditRows[i] = []any{a.ID, a.CreatedAt, a.ActorType, a.ActorID, a.ActorName, a.Action, a.EntityType,
			a.EntityID, a.Before, a.After, a.RequestID, a.IP}
	}
	return withPgx(ctx, li.s.db, func(tx pgx.Tx) error {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"leads"}, leadCopyCols, pgx.CopyFromRows(leadRows)); err != nil {
			return fmt.Errorf("import.copy leads: %w", err)
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_logs"}, auditCopyCols, pgx.CopyFromRows(auditRows)); err != nil {
			return fmt.Errorf("import.copy audit: %w", err)
		}
		return nil
	})
}

// withPgx runs fn in a pgx transaction on a connection taken from the
// database pool (PostgreSQL only).
func withPgx(ctx context.Context, d *db.DB, fn func(pgx.Tx) error) error {
	sqlDB, err := d.Gorm().DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("import: not a pgx connection: %T", dc)
		}
		return pgx.BeginFunc(ctx, sc.Conn(), fn)
	})
}
