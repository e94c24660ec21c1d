// Package i18n resolves message keys into English or Simplified Chinese,
// following the request's Accept-Language.
package i18n

import (
	"fmt"
	"strconv"
	"strings"
)

// Lang is a supported language tag.
type Lang string

const (
	EN   Lang = "en"
	ZhCN Lang = "zh-CN"
)

// FromAcceptLanguage picks the supported language the client prefers
// most: the highest q-value wins, ties go to the earlier entry, q=0 means
// "not this one". Any zh-* tag maps to zh-CN, any en-* to en. English is
// the default.
func FromAcceptLanguage(h string) Lang {
	best, bestQ := EN, 0.0
	for _, part := range strings.Split(h, ",") {
		fields := strings.Split(part, ";")
		tag := strings.ToLower(strings.TrimSpace(fields[0]))
		var lang Lang
		switch {
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			lang = ZhCN
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			lang = EN
		default:
			continue
		}
		q := 1.0
		for _, p := range fields[1:] {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 {
					f = 0
				}
				q = f
			}
		}
		if q > bestQ {
			best, bestQ = lang, q
		}
	}
	return best
}

// T renders key in lang with fmt-style params. Unknown keys fall back to
// English, then to the key itself, so a missing translation never breaks a
// response.
func T(lang Lang, key string, params ...any) string {
	m, ok := catalog[key]
	if !ok {
		return key
	}
	tmpl := m[lang]
	if tmpl == "" {
		tmpl = m[EN]
	}
	if len(params) == 0 {
		return tmpl
	}
	// A copy: the caller's slice may belong to an error value that is
	// rendered again later, in another language.
	args := make([]any, len(params))
	for i, p := range params {
		if s, ok := p.(string); ok {
			p = translateWord(lang, s)
		}
		args[i] = p
	}
	return fmt.Sprintf(tmpl, args...)
}

// Register adds messages; later modules call it from init. A key registered
// twice keeps the last one.
func Register(msgs map[string]map[Lang]string) {
	for k, v := range msgs {
		catalog[k] = v
	}
}

// words translates entity names used as params ("lead" → "线索").
var words = map[string]string{
	"lead": "线索", "user": "用户", "team": "团队", "api_key": "API 密钥",
	"follow_up": "跟进记录", "audit_log": "审计日志", "session": "会话",
}

// RegisterWords adds entity-name translations for params.
func RegisterWords(w map[string]string) {
	for k, v := range w {
		words[k] = v
	}
}

func translateWord(lang Lang, s string) string {
	if lang == ZhCN {
		if w, ok := words[s]; ok {
			return w
		}
	}
	return s
}

var catalog = map[string]map[Lang]string{
	// problem titles and details
	"validation_failed":   {EN: "Some fields are invalid.", ZhCN: "部分字段无效。"},
	"not_found":           {EN: "The %s does not exist or is not visible to you.", ZhCN: "%s不存在或您无权查看。"},
	"route_not_found":     {EN: "No such endpoint.", ZhCN: "接口不存在。"},
	"method_not_allowed":  {EN: "This method is not allowed on this endpoint.", ZhCN: "该接口不支持此请求方法。"},
	"forbidden":           {EN: "Your role lacks the permission %s.", ZhCN: "您的角色没有权限 %s。"},
	"version_mismatch":    {EN: "The record was changed since you read it; reload and retry.", ZhCN: "记录已被他人修改，请刷新后重试。"},
	"malformed_json":      {EN: "The request body is not valid JSON.", ZhCN: "请求体不是合法的 JSON。"},
	"wrong_type":          {EN: "A field has the wrong type.", ZhCN: "字段类型错误。"},
	"unknown_field":       {EN: "The request contains an unknown field.", ZhCN: "请求包含未知字段。"},
	"body_required":       {EN: "A JSON request body is required.", ZhCN: "需要 JSON 请求体。"},
	"body_too_large":      {EN: "The request body is too large.", ZhCN: "请求体过大。"},
	"unsupported_media":   {EN: "Send the body as application/json.", ZhCN: "请以 application/json 格式发送请求体。"},
	"nul_character":       {EN: "Text must not contain the NUL character (\\u0000) or invalid UTF-8.", ZhCN: "文本不能包含 NUL 字符（\\u0000）或无效的 UTF-8。"},
	"bad_query":           {EN: "A query parameter is invalid.", ZhCN: "查询参数无效。"},
	"invalid_cursor":      {EN: "The cursor is invalid or belongs to another query.", ZhCN: "游标无效或不属于当前查询。"},
	"invalid_if_match":    {EN: "If-Match must be a version ETag such as \"3\".", ZhCN: "If-Match 必须是版本 ETag，例如 \"3\"。"},
	"internal_error":      {EN: "Internal error. Quote the request id when reporting it.", ZhCN: "服务器内部错误，反馈时请提供请求 ID。"},
	"missing_credentials": {EN: "Log in, or send a bearer token or API key.", ZhCN: "请登录，或提供 Bearer 令牌或 API 密钥。"},
	"invalid_token":       {EN: "The token is malformed or its signature is wrong.", ZhCN: "令牌格式错误或签名无效。"},
	"token_expired":       {EN: "The access token has expired; refresh it.", ZhCN: "访问令牌已过期，请刷新。"},
	"token_revoked":       {EN: "The session has ended; log in again.", ZhCN: "会话已结束，请重新登录。"},
	"invalid_api_key":     {EN: "The API key is unknown or revoked.", ZhCN: "API 密钥无效或已吊销。"},
	"invalid_credentials": {EN: "Wrong email or password.", ZhCN: "邮箱或密码错误。"},
	"user_disabled":       {EN: "This account is disabled.", ZhCN: "该账号已停用。"},
	"refresh_reused":      {EN: "This refresh token was already used; the session is revoked. Log in again.", ZhCN: "该刷新令牌已被使用，会话已吊销，请重新登录。"},
	"too_many_attempts":   {EN: "Too many failed logins; try again in %d seconds.", ZhCN: "登录失败次数过多，请 %d 秒后再试。"},
	"rate_limited":        {EN: "Too many requests; slow down.", ZhCN: "请求过于频繁，请稍后再试。"},
	"wrong_password":      {EN: "The current password is wrong.", ZhCN: "当前密码错误。"},
	"concurrent_update":   {EN: "The record was changed at the same time; retry.", ZhCN: "记录被同时修改，请重试。"},
	"duplicate":           {EN: "A record with the same values already exists.", ZhCN: "已存在相同的记录。"},
	"invalid_transition":  {EN: "This action is not allowed in the record's current state.", ZhCN: "当前状态下不允许该操作。"},
	"in_use":              {EN: "The %s is still in use.", ZhCN: "%s仍在使用中。"},

	// field messages
	"required":        {EN: "is required", ZhCN: "必填"},
	"too_long":        {EN: "must be at most %d characters", ZhCN: "不能超过 %d 个字符"},
	"too_short":       {EN: "must be at least %d characters", ZhCN: "至少需要 %d 个字符"},
	"invalid_email":   {EN: "is not a valid email address", ZhCN: "不是有效的邮箱地址"},
	"invalid_phone":   {EN: "is not a valid phone number", ZhCN: "不是有效的电话号码"},
	"invalid_enum":    {EN: "must be one of: %s", ZhCN: "必须是以下之一：%s"},
	"invalid_value":   {EN: "is invalid", ZhCN: "无效"},
	"invalid_time":    {EN: "must be an RFC 3339 time or a date (2026-11-22)", ZhCN: "必须是 RFC 3339 时间或日期（2026-11-22）"},
	"unknown_ref":     {EN: "refers to a %s that does not exist or is not visible to you", ZhCN: "引用的%s不存在或您无权查看"},
	"out_of_range":    {EN: "must be between %d and %d", ZhCN: "必须在 %d 到 %d 之间"},
	"taken":           {EN: "is already taken", ZhCN: "已被占用"},
	"cycle":           {EN: "would make the team tree a cycle", ZhCN: "会导致团队层级循环"},
	"not_allowed":     {EN: "cannot be set this way", ZhCN: "不能以此方式设置"},
	"too_many":        {EN: "must have at most %d items", ZhCN: "最多 %d 项"},
	"inactive_user":   {EN: "refers to a disabled user", ZhCN: "引用的用户已停用"},
	"unknown_sort":    {EN: "cannot sort by %s", ZhCN: "不能按 %s 排序"},
	"password_weak":   {EN: "must be 8 to 72 characters and not only letters or only digits", ZhCN: "须为 8 到 72 个字符，且不能只含字母或只含数字"},
	"unknown_scope":   {EN: "has an unknown scope %s", ZhCN: "包含未知权限范围 %s"},
	"must_be_integer": {EN: "must be an integer", ZhCN: "必须是整数"},
	"must_be_boolean": {EN: "must be true or false", ZhCN: "必须是 true 或 false"},
	"invalid_money":   {EN: "must be a decimal amount such as \"1234.50\"", ZhCN: "必须是金额，例如 \"1234.50\""},
	"money_scale":     {EN: "must have at most 2 decimal places", ZhCN: "最多 2 位小数"},
	"money_range":     {EN: "must be at most 999999999999.99", ZhCN: "不能超过 999999999999.99"},
	"negative":        {EN: "must not be negative", ZhCN: "不能为负数"},
	"invalid_decimal": {EN: "must be a decimal number as a string, such as \"12.5\"", ZhCN: "必须是字符串形式的小数，例如 \"12.5\""},
	"decimal_scale":   {EN: "must have at most %d decimal places", ZhCN: "最多 %d 位小数"},
	"between":         {EN: "must be between %s and %s", ZhCN: "必须在 %s 到 %s 之间"},
}
