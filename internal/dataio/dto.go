package dataio

import (
	"encoding/json"
	"math"
	"time"

	"github.com/opencrm/crm/internal/platform/i18n"
)

// ImportRowError is one problem with one row of an imported file.
type ImportRowError struct {
	// Row is the spreadsheet row number: the header is row 1.
	Row     int    `json:"row" example:"7"`
	Field   string `json:"field" example:"email"`
	Message string `json:"message" example:"must be a valid email address"`
} // @name ImportRowError

// ImportJobResponse is an import job and its progress. In a dry run the
// counters say what the import would do; nothing is written.
type ImportJobResponse struct {
	ID          string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a80"`
	Entity      string `json:"entity" enums:"leads,customers,contacts,products" example:"leads"`
	Status      string `json:"status" enums:"queued,running,completed,failed" example:"completed"`
	Format      string `json:"format" enums:"csv,xlsx" example:"csv"`
	FileName    string `json:"file_name" example:"展会线索.csv"`
	FileSize    int64  `json:"file_size" example:"52311"`
	DryRun      bool   `json:"dry_run" example:"false"`
	OnDuplicate string `json:"on_duplicate" enums:"skip,update,create" example:"skip"`
	// Total is the number of data rows read so far; final once completed.
	Total     int `json:"total" example:"500"`
	Processed int `json:"processed" example:"500"`
	Created   int `json:"created" example:"480"`
	Updated   int `json:"updated" example:"0"`
	Skipped   int `json:"skipped" example:"12"`
	// ErrorCount counts every row error; errors keeps the first 1,000.
	ErrorCount int              `json:"error_count" example:"8"`
	Errors     []ImportRowError `json:"errors"`
	// Failure is why a failed job stopped (the file could not be read).
	Failure    *string    `json:"failure" extensions:"x-nullable" example:"The file has no name column (name, 名称 or 姓名)."`
	CreatedBy  string     `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at" extensions:"x-nullable"`
	FinishedAt *time.Time `json:"finished_at" extensions:"x-nullable"`
} // @name ImportJob

// ImportJobList is a page of import jobs.
type ImportJobList struct {
	Data       []ImportJobResponse `json:"data"`
	NextCursor string              `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool                `json:"has_more"`
	Total      *int64              `json:"total,omitempty" extensions:"x-optional"`
} // @name ImportJobList

// View renders a job with its messages in lang.
func View(j *Job, lang i18n.Lang) ImportJobResponse {
	out := ImportJobResponse{ID: j.ID, Entity: j.Entity, Status: j.Status, Format: j.Format, FileName: j.FileName,
		FileSize: j.FileSize, DryRun: j.DryRun, OnDuplicate: j.OnDuplicate, Total: j.Total, Processed: j.Processed,
		Created: j.Created, Updated: j.Updated, Skipped: j.Skipped, ErrorCount: j.ErrorCount,
		Errors: []ImportRowError{}, CreatedBy: j.CreatedBy, CreatedAt: j.CreatedAt.UTC(),
		StartedAt: utc(j.StartedAt), FinishedAt: utc(j.FinishedAt)}
	var errs []RowError
	_ = json.Unmarshal([]byte(j.Errors), &errs)
	for _, e := range errs {
		out.Errors = append(out.Errors, ImportRowError{Row: e.Row, Field: e.Field,
			Message: i18n.T(lang, e.Message, intParams(e.Params)...)})
	}
	if j.Failure != "" {
		var f RowError
		msg := j.Failure
		if json.Unmarshal([]byte(j.Failure), &f) == nil {
			msg = i18n.T(lang, f.Message, intParams(f.Params)...)
		}
		out.Failure = &msg
	}
	return out
}

// intParams restores the whole-number parameters of a stored message, which
// JSON gives back as float64 and %d would print as "%!d(float64=200)".
func intParams(ps []any) []any {
	for i, p := range ps {
		if f, ok := p.(float64); ok && f == math.Trunc(f) {
			ps[i] = int64(f)
		}
	}
	return ps
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
