package customer

import (
	"github.com/opencrm/crm/internal/platform/mask"
	"time"

	"github.com/opencrm/crm/internal/platform/authz"
)

// ContactResponse is a contact as clients see it. Contacts of a customer
// in the public pool show phone, mobile, email and WeChat masked
// (masked: true) to callers without admin scope until it is claimed.
type ContactResponse struct {
	ID         string  `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a72"`
	CustomerID string  `json:"customer_id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	Name       string  `json:"name" example:"王建国"`
	Title      string  `json:"title" example:"采购经理"`
	Phone      string  `json:"phone" example:"0512-6288 1235"`
	Mobile     string  `json:"mobile" example:"13912345678"`
	Email      string  `json:"email" example:"wang.jianguo@hengda-jx.example.cn"`
	Wechat     string  `json:"wechat" example:"wjg_hengda"`
	Birthday   *string `json:"birthday" extensions:"x-nullable" format:"date" example:"1980-05-17"`
	// decision_maker, influencer, evaluator, user, gatekeeper, other, or empty
	DecisionRole string    `json:"decision_role" example:"decision_maker"`
	Notes        string    `json:"notes" example:"喜欢喝龙井；周三下午方便沟通。"`
	Masked       bool      `json:"masked" example:"false"`
	CreatedBy    string    `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Version      int       `json:"version" example:"1"`
} // @name Contact

// ContactView maps a contact to its full response.
func ContactView(c *Contact) ContactResponse {
	return ContactResponse{ID: c.ID, CustomerID: c.CustomerID, Name: c.Name, Title: c.Title, Phone: c.Phone,
		Mobile: c.Mobile, Email: c.Email, Wechat: c.Wechat, Birthday: c.Birthday,
		DecisionRole: c.DecisionRole, Notes: c.Notes, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt,
		UpdatedAt: c.UpdatedAt, Version: c.Version}
}

// PresentContact is the contact as the actor may see it, given its
// customer.
func PresentContact(a *authz.Actor, c *Contact, cust *Customer) ContactResponse {
	v := ContactView(c)
	if cust != nil && masked(a, cust) {
		v.Phone, v.Mobile, v.Email = mask.Phone(v.Phone), mask.Phone(v.Mobile), mask.Email(v.Email)
		v.Wechat, v.Masked = mask.Text(v.Wechat), true
	}
	return v
}

// ContactList is a page of contacts.
type ContactList struct {
	Data       []ContactResponse `json:"data"`
	NextCursor string            `json:"next_cursor,omitempty" extensions:"x-optional"`
	HasMore    bool              `json:"has_more"`
	Total      *int64            `json:"total,omitempty" extensions:"x-optional"`
} // @name ContactList

// ContactCreateRequest is the body of POST /contacts.
type ContactCreateRequest struct {
	CustomerID   string  `json:"customer_id" validate:"required" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a70"`
	Name         string  `json:"name" validate:"required" example:"王建国"`
	Title        string  `json:"title" example:"采购经理"`
	Phone        string  `json:"phone" example:"0512-6288 1235"`
	Mobile       string  `json:"mobile" example:"13912345678"`
	Email        string  `json:"email" example:"wang.jianguo@hengda-jx.example.cn"`
	Wechat       string  `json:"wechat" example:"wjg_hengda"`
	Birthday     *string `json:"birthday" format:"date" example:"1980-05-17"`
	DecisionRole string  `json:"decision_role" enums:"decision_maker,influencer,evaluator,user,gatekeeper,other" example:"decision_maker"`
	Notes        string  `json:"notes" example:"喜欢喝龙井；周三下午方便沟通。"`
} // @name ContactCreateRequest

// ContactUpdateRequest is the body of PATCH /contacts/{id}; absent fields
// stay, an empty birthday clears it. A contact stays with its customer.
type ContactUpdateRequest struct {
	Name         *string `json:"name" example:"王建国"`
	Title        *string `json:"title" example:"采购总监"`
	Phone        *string `json:"phone" example:"0512-6288 1235"`
	Mobile       *string `json:"mobile" example:"13912345678"`
	Email        *string `json:"email" example:"wang.jianguo@hengda-jx.example.cn"`
	Wechat       *string `json:"wechat" example:"wjg_hengda"`
	Birthday     *string `json:"birthday" format:"date" example:"1980-05-17"`
	DecisionRole *string `json:"decision_role" enums:"decision_maker,influencer,evaluator,user,gatekeeper,other" example:"influencer"`
	Notes        *string `json:"notes" example:"已升任采购总监。"`
} // @name ContactUpdateRequest
