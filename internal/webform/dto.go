package webform

import "time"

// FormResponse is a web form as admins see it.
type FormResponse struct {
	ID             string   `json:"id" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a80"`
	Name           string   `json:"name" example:"官网咨询表单"`
	Source         string   `json:"source" enums:"web_form,phone,import,exhibition,referral,api,manual,other" example:"web_form"`
	AllowedOrigins []string `json:"allowed_origins" example:"https://www.hengda-jx.example.cn"`
	// FormKey goes into the public submission URL.
	FormKey string `json:"form_key" example:"q3J9x0bYw1mZ2kQe7LrT5vNcA8sHdF4u"`
	// SubmitPath is where the website posts submissions.
	SubmitPath string    `json:"submit_path" example:"/api/v1/public/forms/q3J9x0bYw1mZ2kQe7LrT5vNcA8sHdF4u/submissions"`
	Active     bool      `json:"active" example:"true"`
	CreatedBy  string    `json:"created_by" example:"0193a2b4-7c1e-7d2f-9a8b-1c2d3e4f5a6b"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int       `json:"version" example:"1"`
} // @name WebForm

// View maps a form to its response.
func View(f *Form) FormResponse {
	origins := []string(f.AllowedOrigins)
	if origins == nil {
		origins = []string{}
	}
	return FormResponse{ID: f.ID, Name: f.Name, Source: f.Source, AllowedOrigins: origins, FormKey: f.FormKey,
		SubmitPath: "/api/v1/public/forms/" + f.FormKey + "/submissions", Active: f.Active, CreatedBy: f.CreatedBy,
		CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt, Version: f.Version}
}

// FormList is every web form, newest first.
type FormList struct {
	Data []FormResponse `json:"data"`
} // @name WebFormList

// FormCreateRequest is the body of POST /web-forms. source defaults to
// web_form, active to true; no allowed_origins accepts posts from anywhere.
type FormCreateRequest struct {
	Name           string   `json:"name" validate:"required" example:"官网咨询表单"`
	Source         string   `json:"source" enums:"web_form,phone,import,exhibition,referral,api,manual,other" example:"web_form"`
	AllowedOrigins []string `json:"allowed_origins" example:"https://www.hengda-jx.example.cn"`
	Active         *bool    `json:"active" example:"true"`
} // @name WebFormCreateRequest

// FormUpdateRequest is the body of PATCH /web-forms/{id}; absent fields
// stay, allowed_origins replaces the whole list.
type FormUpdateRequest struct {
	Name           *string   `json:"name" example:"官网咨询表单"`
	Source         *string   `json:"source" enums:"web_form,phone,import,exhibition,referral,api,manual,other" example:"exhibition"`
	AllowedOrigins *[]string `json:"allowed_origins" example:"https://www.hengda-jx.example.cn"`
	Active         *bool     `json:"active" example:"false"`
} // @name WebFormUpdateRequest

// SubmissionRequest is what a website posts. website is a honeypot: a
// field hidden from people that only bots fill in.
type SubmissionRequest struct {
	Name            string `json:"name" validate:"required" example:"王建国"`
	Company         string `json:"company" example:"苏州恒达精密机械有限公司"`
	Phone           string `json:"phone" example:"+86 139 1234 5678"`
	Email           string `json:"email" example:"wang.jianguo@hengda-jx.example.cn"`
	Title           string `json:"title" example:"采购经理"`
	Region          string `json:"region" example:"江苏"`
	ProductInterest string `json:"product_interest" example:"五轴加工中心"`
	Message         string `json:"message" example:"想了解五轴加工中心的报价和交期。"`
	Website         string `json:"website" example:""`
} // @name WebFormSubmission

// SubmissionResponse acknowledges a submission without saying what became
// of it.
type SubmissionResponse struct {
	Status string `json:"status" enums:"received" example:"received"`
} // @name WebFormSubmissionReceived
