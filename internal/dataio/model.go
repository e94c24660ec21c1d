// Package dataio imports leads, customers, contacts and products from CSV
// and XLSX files in background jobs, and exports them, streamed, within
// the caller's data scope.
package dataio

import (
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
	"github.com/opencrm/crm/internal/platform/i18n"
)

func init() {
	all := []string{authz.RoleAdmin, authz.RoleManager, authz.RoleRep}
	authz.Grant("imports:read", all...)
	authz.Grant("imports:write", all...)

	i18n.Register(map[string]map[i18n.Lang]string{
		"import_unknown_entity": {i18n.EN: "Unknown entity; use leads, customers or contacts.",
			i18n.ZhCN: "未知的数据类型，请使用 leads、customers 或 contacts。"},
		"import_bad_file": {i18n.EN: "The file is not a readable CSV or XLSX file: %s",
			i18n.ZhCN: "文件不是可读取的 CSV 或 XLSX 文件：%s"},
		"import_no_name_column": {i18n.EN: "The file has no name column (name, 名称 or 姓名).",
			i18n.ZhCN: "文件缺少名称列（name、名称或姓名）。"},
		"import_file_required": {i18n.EN: "Upload the file as the multipart field file.",
			i18n.ZhCN: "请通过 multipart 字段 file 上传文件。"},
		"import_duplicate":       {i18n.EN: "duplicate of an existing %s", i18n.ZhCN: "与已有%s重复"},
		"import_duplicate_file":  {i18n.EN: "duplicate of row %d of this file", i18n.ZhCN: "与本文件第 %d 行重复"},
		"import_duplicate_scope": {i18n.EN: "duplicate of a record you cannot see", i18n.ZhCN: "与您无权查看的记录重复"},
		"import_row_failed":      {i18n.EN: "the row could not be saved", i18n.ZhCN: "该行保存失败"},
		"import_too_many_cols":   {i18n.EN: "too many columns", i18n.ZhCN: "列数过多"},
		"import_interrupted": {i18n.EN: "The server stopped during the import; the rows counted as processed were imported, the rest were not.",
			i18n.ZhCN: "导入过程中服务器停止：已处理的行已导入，其余未导入。"},
		"import_timed_out": {i18n.EN: "The import ran longer than %d minutes and was stopped; the rows counted as processed were imported, the rest were not.",
			i18n.ZhCN: "导入超过 %d 分钟被停止：已处理的行已导入，其余未导入。"},
	})
}

// Entities that can be imported and exported.
const (
	EntityLeads     = "leads"
	EntityCustomers = "customers"
	EntityContacts  = "contacts"
	EntityProducts  = "products"
)

// Entities lists them.
var Entities = []string{EntityLeads, EntityCustomers, EntityContacts, EntityProducts}

// Job statuses.
const (
	StatusQueued    = "queued"
	StatusRunning   = "running"
	StatusCompleted = "completed"
	StatusFailed    = "failed"
)

// What to do with a row that duplicates an existing record.
const (
	DupSkip   = "skip"
	DupUpdate = "update"
	DupCreate = "create"
)

// Limits.
const (
	// MaxUpload is the largest file POST /imports accepts.
	MaxUpload = 50 << 20
	// maxStoredErrors caps the row errors a job keeps; ErrorCount counts all.
	maxStoredErrors = 1000
	// chunkSize is how much of an uploaded file one database row holds.
	chunkSize = 1 << 20
	// batchSize is how many rows the lead import checks and inserts at once.
	batchSize = 1000
)

// Job is one import: its file, options, progress and outcome.
type Job struct {
	ID          string
	Entity      string
	Status      string
	Format      string
	FileName    string
	FileSize    int64
	DryRun      bool
	OnDuplicate string
	Lang        string
	Actor       string
	CreatedBy   string
	Total       int
	Processed   int
	Created     int
	Updated     int
	Skipped     int
	ErrorCount  int
	Errors      string
	Failure     string
	CreatedAt   time.Time
	StartedAt   *time.Time
	FinishedAt  *time.Time
	UpdatedAt   time.Time
}

// TableName pins the table.
func (Job) TableName() string { return "import_jobs" }

// chunk is one piece of an uploaded file.
type chunk struct {
	JobID string
	Seq   int
	Data  []byte
}

func (chunk) TableName() string { return "import_chunks" }

// RowError is one problem with one row of a file. Row counts data rows
// from 1 as a spreadsheet shows them: the header is row 1, so the first
// data row is 2. Message is an i18n key rendered when the job is read.
type RowError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
	Params  []any  `json:"params,omitempty"`
}
