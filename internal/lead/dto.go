package lead

import (
	"github.com/opencrm/crm/internal/followup"
	"time"

	"github.com/opencrm/crm/internal/customer"
	"github.com/opencrm/crm/internal/opportunity"
)

// LeadResponse is a lead as clients see it.
type LeadResponse struct {
	ID              string     `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6d"`
	Name            string     `json:"name" example:"王建国"`
	Company         string     `json:"company" example:"苏州恒达精密机械有限公司"`
	Title           string     `json:"title" example:"采购经理"`
	Phone           string     `json:"phone" example:"+86 139 1234 5678"`
	Email           string     `json:"email" example:"wang.jianguo@hengda-jx.example.cn"`
	Source          string     `json:"source" enums:"web_form,phone,import,exhibition,referral,api,manual,other" example:"exhibition"`
	Region          string     `json:"region" example:"江苏"`
	ProductInterest string     `json:"product_interest" example:"五轴加工中心"`
	Description     string     `json:"description" example:"工博会现场咨询，计划三季度扩产。"`
	Status          string     `json:"status" enums:"new,assigned,contacted,qualified,disqualified,converted" example:"new"`
	OwnerID         *string    `json:"owner_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Tags            []string   `json:"tags" example:"重点客户,华东"`
	LastFollowedAt  *time.Time `json:"last_followed_at" extensions:"x-nullable"`
	NextFollowUpAt  *time.Time `json:"next_follow_up_at" extensions:"x-nullable"`
	CreatedBy       string     `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	Version         int        `json:"version" example:"1"`
	// Masked is true when phone and email are masked: a pool lead seen by
	// anyone but an admin, until claimed.
	Masked bool `json:"masked" example:"false"`

	// AssignedAt is when the owner got the lead from a rule, an assignment
	// or a claim; the follow-up SLA counts from it.
	AssignedAt *time.Time `json:"assigned_at" extensions:"x-nullable"`
	// AssignmentRuleID is the rule that routed the lead to its owner.
	AssignmentRuleID *string `json:"assignment_rule_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	// DisqualifyReason is set by POST /leads/{id}/disqualify.
	DisqualifyReason string `json:"disqualify_reason" example:"预算取消，项目终止"`
	// CustomerID and ContactID are what POST /leads/{id}/convert made of
	// the lead, at converted_at.
	CustomerID  *string    `json:"customer_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	ContactID   *string    `json:"contact_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a72"`
	ConvertedAt *time.Time `json:"converted_at" extensions:"x-nullable"`
} // @name Lead

// View maps a lead to its response.
func View(l *Lead) LeadResponse {
	tags := []string(l.Tags)
	if tags == nil {
		tags = []string{}
	}
	return LeadResponse{ID: l.ID, Name: l.Name, Company: l.Company, Title: l.Title, Phone: l.Phone, Email: l.Email,
		Source: l.Source, Region: l.Region, ProductInterest: l.ProductInterest, Description: l.Description,
		Status: l.Status, OwnerID: l.OwnerID, AssignedAt: l.AssignedAt, AssignmentRuleID: l.AssignmentRuleID,
		DisqualifyReason: l.DisqualifyReason, Tags: tags, LastFollowedAt: l.LastFollowedAt,
		NextFollowUpAt: l.NextFollowUpAt, CreatedBy: l.CreatedBy, CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt,
		Version: l.Version, CustomerID: l.CustomerID, ContactID: l.ContactID, ConvertedAt: l.ConvertedAt}
}

// LeadList is a page of leads.
type LeadList struct {
	Data       []LeadResponse `json:"data"`
	NextCursor string         `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool           `json:"has_more"`
	Total      *int64         `json:"total,omitempty" extensions:"x-optional"`
} // @name LeadList

// LeadCreateRequest is the body of POST /leads. A user creating a lead owns
// it unless owner_id names someone else they may give it to; an API key
// creates unowned leads unless owner_id is given.
type LeadCreateRequest struct {
	Name            string   `json:"name" validate:"required" example:"王建国"`
	Company         string   `json:"company" example:"苏州恒达精密机械有限公司"`
	Title           string   `json:"title" example:"采购经理"`
	Phone           string   `json:"phone" example:"+86 139 1234 5678"`
	Email           string   `json:"email" example:"wang.jianguo@hengda-jx.example.cn"`
	Source          string   `json:"source" enums:"web_form,phone,import,exhibition,referral,api,manual,other" example:"exhibition"`
	Region          string   `json:"region" example:"江苏"`
	ProductInterest string   `json:"product_interest" example:"五轴加工中心"`
	Description     string   `json:"description" example:"工博会现场咨询，计划三季度扩产。"`
	Status          string   `json:"status" enums:"new,contacted,qualified" example:"new"`
	OwnerID         *string  `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Tags            []string `json:"tags" example:"重点客户,华东"`
} // @name LeadCreateRequest

// LeadUpdateRequest is the body of PATCH /leads/{id}; absent fields stay.
// The owner changes through POST /leads/{id}/assign, and the converted and
// disqualified statuses through their own actions.
type LeadUpdateRequest struct {
	Name            *string   `json:"name" example:"王建国"`
	Company         *string   `json:"company" example:"苏州恒达精密机械有限公司"`
	Title           *string   `json:"title" example:"采购总监"`
	Phone           *string   `json:"phone" example:"+86 139 1234 5678"`
	Email           *string   `json:"email" example:"wang.jianguo@hengda-jx.example.cn"`
	Source          *string   `json:"source" enums:"web_form,phone,import,exhibition,referral,api,manual,other" example:"referral"`
	Region          *string   `json:"region" example:"江苏"`
	ProductInterest *string   `json:"product_interest" example:"五轴加工中心"`
	Description     *string   `json:"description" example:"已确认预算，下周安排技术交流。"`
	Status          *string   `json:"status" enums:"new,contacted,qualified" example:"qualified"`
	Tags            *[]string `json:"tags" example:"重点客户,华东"`
} // @name LeadUpdateRequest

// LeadAssignRequest is the body of POST /leads/{id}/assign.
type LeadAssignRequest struct {
	OwnerID string `json:"owner_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
} // @name LeadAssignRequest

// FollowUpResponse is one recorded follow-up: a done activity about the
// lead (id is the activity's).
type FollowUpResponse struct {
	ID             string     `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6e"`
	LeadID         string     `json:"lead_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6d"`
	UserID         string     `json:"user_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Channel        string     `json:"channel" enums:"call,visit,email,wechat,meeting,other" example:"call"`
	Content        string     `json:"content" example:"电话沟通设备参数，客户关注交期。"`
	Feedback       string     `json:"feedback" example:"对价格敏感，希望看到同行案例。"`
	NextStep       string     `json:"next_step" example:"发送案例资料并约技术交流"`
	NextFollowUpAt *time.Time `json:"next_follow_up_at" extensions:"x-nullable"`
	FollowedAt     time.Time  `json:"followed_at"`
	CreatedAt      time.Time  `json:"created_at"`
} // @name FollowUp

// FollowUpView maps a follow-up to its response.
func FollowUpView(f *followup.Record) FollowUpResponse {
	return FollowUpResponse{ID: f.ID, LeadID: f.RelatedID, UserID: f.UserID, Channel: f.Channel, Content: f.Content,
		Feedback: f.Feedback, NextStep: f.NextStep, NextFollowUpAt: f.NextFollowUpAt, FollowedAt: f.FollowedAt,
		CreatedAt: f.CreatedAt}
}

// FollowUpList is a page of follow-ups.
type FollowUpList struct {
	Data       []FollowUpResponse `json:"data"`
	NextCursor string             `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool               `json:"has_more"`
	Total      *int64             `json:"total,omitempty" extensions:"x-optional"`
} // @name FollowUpList

// LeadConvertRequest is the body of POST /leads/{id}/convert: either
// customer_id (an existing customer in the caller's scope) or customer (a
// new one), not both; with neither, a new customer is made from the lead.
// The contact is always created; blank fields of customer and contact are
// filled from the lead.
type LeadConvertRequest struct {
	CustomerID *string          `json:"customer_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	Customer   *ConvertCustomer `json:"customer"`
	Contact    *ConvertContact  `json:"contact"`
	// An opportunity to open for the customer, in the same transaction.
	Opportunity *ConvertOpportunity `json:"opportunity"`
} // @name LeadConvertRequest

// ConvertOpportunity is the opportunity a conversion opens: in the default
// pipeline's first stage, for the customer and the new contact, owned by
// the lead's owner (or the caller), with the lead's source. A blank name
// is the customer's name.
type ConvertOpportunity struct {
	Name              string  `json:"name" example:"恒达精密 2027 年产线改造"`
	Amount            *string `json:"amount" example:"120000.00"`
	ExpectedCloseDate *string `json:"expected_close_date" example:"2026-12-31"`
} // @name LeadConvertOpportunity

// ConvertCustomer is the new customer of a conversion. Blank: name from the
// lead's company (or its name), region, source and tags from the lead.
type ConvertCustomer struct {
	Name           string   `json:"name" example:"苏州恒达精密机械有限公司"`
	Industry       string   `json:"industry" example:"机械制造"`
	Size           string   `json:"size" enums:"large,medium,small" example:"medium"`
	Potential      string   `json:"potential" enums:"high,medium,low" example:"high"`
	Level          string   `json:"level" enums:"A,B,C" example:"A"`
	Region         string   `json:"region" example:"江苏"`
	Address        string   `json:"address" example:"苏州工业园区星湖街 328 号"`
	Phone          string   `json:"phone" example:"0512-6288 1234"`
	Email          string   `json:"email" example:"purchase@hengda-jx.example.cn"`
	Website        string   `json:"website" example:"https://hengda-jx.example.cn"`
	Source         string   `json:"source" enums:"web_form,phone,import,exhibition,referral,api,manual,other" example:"exhibition"`
	Tags           []string `json:"tags" example:"新客户"`
	LifecycleStage string   `json:"lifecycle_stage" enums:"prospect,active,at_risk,churned" example:"prospect"`
} // @name LeadConvertCustomer

// ConvertContact is the new contact of a conversion. Blank: name, title,
// email from the lead, and its phone as mobile (a mobile number) or phone.
type ConvertContact struct {
	Name         string  `json:"name" example:"王建国"`
	Title        string  `json:"title" example:"采购经理"`
	Phone        string  `json:"phone" example:"0512-6288 1235"`
	Mobile       string  `json:"mobile" example:"13912345678"`
	Email        string  `json:"email" example:"wang.jianguo@hengda-jx.example.cn"`
	Wechat       string  `json:"wechat" example:"wjg_hengda"`
	Birthday     *string `json:"birthday" format:"date" example:"1980-05-17"`
	DecisionRole string  `json:"decision_role" enums:"decision_maker,influencer,evaluator,user,gatekeeper,other" example:"decision_maker"`
	Notes        string  `json:"notes" example:"展会结识"`
} // @name LeadConvertContact

// LeadConversionResponse is what a conversion made: the converted lead,
// its customer, the new contact and, when asked for, the new opportunity.
type LeadConversionResponse struct {
	Lead        LeadResponse                     `json:"lead"`
	Customer    customer.CustomerResponse        `json:"customer"`
	Contact     customer.ContactResponse         `json:"contact"`
	Opportunity *opportunity.OpportunityResponse `json:"opportunity,omitempty" extensions:"x-optional"`
} // @name LeadConversion
