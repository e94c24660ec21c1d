package customer

import (
	"time"

	"github.com/opencrm/crm/internal/followup"
)

// CustomerResponse is a customer as clients see it. In the public pool a
// caller without admin scope sees phone and email masked (masked: true)
// until they claim the customer.
type CustomerResponse struct {
	ID       string `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	Name     string `json:"name" example:"苏州恒达精密机械有限公司"`
	Industry string `json:"industry" example:"机械制造"`
	// large, medium, small, or empty
	Size string `json:"size" example:"medium"`
	// high, medium, low, or empty
	Potential string `json:"potential" example:"high"`
	// A, B, C, or empty
	Level          string     `json:"level" example:"A"`
	Region         string     `json:"region" example:"江苏"`
	Address        string     `json:"address" example:"苏州工业园区星湖街 328 号"`
	Phone          string     `json:"phone" example:"0512-6288 1234"`
	Email          string     `json:"email" example:"purchase@hengda-jx.example.cn"`
	Website        string     `json:"website" example:"https://hengda-jx.example.cn"`
	Source         string     `json:"source" enums:"web_form,phone,import,exhibition,referral,api,manual,other" example:"exhibition"`
	Tags           []string   `json:"tags" example:"重点关注客户,新客户"`
	LifecycleStage string     `json:"lifecycle_stage" enums:"prospect,active,at_risk,churned" example:"prospect"`
	OwnerID        *string    `json:"owner_id" extensions:"x-nullable" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	OwnedSince     *time.Time `json:"owned_since" extensions:"x-nullable"`
	Locked         bool       `json:"locked" example:"false"`
	Masked         bool       `json:"masked" example:"false"`
	LastFollowedAt *time.Time `json:"last_followed_at" extensions:"x-nullable"`
	// NextFollowUpAt is the next contact planned by the last follow-up or
	// completed activity; its owner is reminded then.
	NextFollowUpAt *time.Time `json:"next_follow_up_at" extensions:"x-nullable"`
	// Latitude and Longitude of the address (WGS 84), both or neither.
	Latitude  *float64  `json:"latitude" extensions:"x-nullable" example:"31.3236"`
	Longitude *float64  `json:"longitude" extensions:"x-nullable" example:"120.7226"`
	CreatedBy string    `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int       `json:"version" example:"1"`
} // @name Customer

// View maps a customer to its full response.
func View(c *Customer) CustomerResponse {
	tags := []string(c.Tags)
	if tags == nil {
		tags = []string{}
	}
	return CustomerResponse{ID: c.ID, Name: c.Name, Industry: c.Industry, Size: c.Size, Potential: c.Potential,
		Level: c.Level, Region: c.Region, Address: c.Address, Phone: c.Phone, Email: c.Email, Website: c.Website,
		Source: c.Source, Tags: tags, LifecycleStage: c.LifecycleStage, OwnerID: c.OwnerID, OwnedSince: c.OwnedSince,
		Locked: c.Locked, LastFollowedAt: c.LastFollowedAt, NextFollowUpAt: c.NextFollowUpAt, Latitude: c.Latitude,
		Longitude: c.Longitude, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt,
		UpdatedAt: c.UpdatedAt, Version: c.Version}
}

// CustomerList is a page of customers.
type CustomerList struct {
	Data       []CustomerResponse `json:"data"`
	NextCursor string             `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool               `json:"has_more"`
	Total      *int64             `json:"total,omitempty" extensions:"x-optional"`
} // @name CustomerList

// CustomerCreateRequest is the body of POST /customers. Who owns the new
// customer: a rep, always themselves; an admin or manager, owner_id if
// given, else nobody (the public pool); an API key likewise.
type CustomerCreateRequest struct {
	Name           string   `json:"name" validate:"required" example:"苏州恒达精密机械有限公司"`
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
	Tags           []string `json:"tags" example:"重点关注客户,新客户"`
	LifecycleStage string   `json:"lifecycle_stage" enums:"prospect,active,at_risk,churned" example:"prospect"`
	OwnerID        *string  `json:"owner_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Locked         bool     `json:"locked" example:"false"`
	// Latitude (−90..90) and Longitude (−180..180) of the address, both or
	// neither.
	Latitude  *float64 `json:"latitude" example:"31.3236"`
	Longitude *float64 `json:"longitude" example:"120.7226"`
} // @name CustomerCreateRequest

// CustomerUpdateRequest is the body of PATCH /customers/{id}; absent
// fields stay. The owner changes through claim, release and transfer;
// locked needs customers:lock (admins and managers).
type CustomerUpdateRequest struct {
	Name           *string   `json:"name" example:"苏州恒达精密机械有限公司"`
	Industry       *string   `json:"industry" example:"机械制造"`
	Size           *string   `json:"size" enums:"large,medium,small" example:"large"`
	Potential      *string   `json:"potential" enums:"high,medium,low" example:"high"`
	Level          *string   `json:"level" enums:"A,B,C" example:"A"`
	Region         *string   `json:"region" example:"江苏"`
	Address        *string   `json:"address" example:"苏州工业园区星湖街 328 号"`
	Phone          *string   `json:"phone" example:"0512-6288 1234"`
	Email          *string   `json:"email" example:"purchase@hengda-jx.example.cn"`
	Website        *string   `json:"website" example:"https://hengda-jx.example.cn"`
	Source         *string   `json:"source" enums:"web_form,phone,import,exhibition,referral,api,manual,other" example:"referral"`
	Tags           *[]string `json:"tags" example:"重点关注客户,老客户"`
	LifecycleStage *string   `json:"lifecycle_stage" enums:"prospect,active,at_risk,churned" example:"active"`
	Locked         *bool     `json:"locked" example:"true"`
	// Latitude and Longitude move the address's position; the customer
	// keeps both or neither.
	Latitude  *float64 `json:"latitude" example:"31.3236"`
	Longitude *float64 `json:"longitude" example:"120.7226"`
} // @name CustomerUpdateRequest

// ReleaseRequest is the body of POST /customers/{id}/release.
type ReleaseRequest struct {
	Reason string `json:"reason" validate:"required" example:"客户暂无采购计划"`
} // @name CustomerReleaseRequest

// TransferRequest is the body of POST /customers/{id}/transfer.
type TransferRequest struct {
	OwnerID string `json:"owner_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Reason  string `json:"reason" example:"区域调整"`
} // @name CustomerTransferRequest

// FollowUpResponse is one recorded customer follow-up: a done activity
// about the customer (id is the activity's).
type FollowUpResponse struct {
	ID             string     `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a71"`
	CustomerID     string     `json:"customer_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	UserID         string     `json:"user_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	Channel        string     `json:"channel" enums:"call,visit,email,wechat,meeting,other" example:"visit"`
	Content        string     `json:"content" example:"上门拜访，演示新一代控制系统。"`
	Feedback       string     `json:"feedback" example:"技术部认可，等待采购预算。"`
	NextStep       string     `json:"next_step" example:"下周提交正式报价"`
	NextFollowUpAt *time.Time `json:"next_follow_up_at" extensions:"x-nullable"`
	FollowedAt     time.Time  `json:"followed_at"`
	CreatedAt      time.Time  `json:"created_at"`
} // @name CustomerFollowUp

// FollowUpView maps a follow-up to its response.
func FollowUpView(f *followup.Record) FollowUpResponse {
	return FollowUpResponse{ID: f.ID, CustomerID: f.RelatedID, UserID: f.UserID, Channel: f.Channel,
		Content: f.Content, Feedback: f.Feedback, NextStep: f.NextStep, NextFollowUpAt: f.NextFollowUpAt,
		FollowedAt: f.FollowedAt, CreatedAt: f.CreatedAt}
}

// FollowUpList is a page of customer follow-ups.
type FollowUpList struct {
	Data       []FollowUpResponse `json:"data"`
	NextCursor string             `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool               `json:"has_more"`
	Total      *int64             `json:"total,omitempty" extensions:"x-optional"`
} // @name CustomerFollowUpList
