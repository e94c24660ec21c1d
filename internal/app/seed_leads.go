package app

import (
	"context"
	"fmt"
	"github.com/opencrm/crm/internal/followup"
	"time"

	"github.com/opencrm/crm/internal/lead"
	"github.com/opencrm/crm/internal/org"
	"github.com/opencrm/crm/internal/platform/authz"
)

type demoFollowUp struct {
	daysAgo   int
	channel   string
	content   string
	feedback  string
	nextStep  string
	nextInDay int // 0: no next date
}

type demoLead struct {
	owner                                 string // email of the owner
	name, company, title, phone, email    string
	source, region, product, desc, status string
	tags                                  []string
	followUps                             []demoFollowUp
	imported                              bool // created by the system import, assigned to owner
}

// demoLeads are realistic B2B prospects of an industrial-equipment seller.
var demoLeads = []demoLead{
	{owner: "li.na", name: "王建国", company: "苏州恒达精密机械有限公司", title: "采购经理", phone: "+86 139 1234 5678", email: "wang.jg@hengda.example.com", source: "exhibition", region: "江苏", product: "五轴加工中心", desc: "上海工博会现场咨询，计划三季度扩产两条产线。", status: "qualified", tags: []string{"重点客户", "华东"},
		followUps: []demoFollowUp{{9, "visit", "上门拜访，参观车间，了解现有设备情况。", "对国产五轴设备接受度高，关注售后响应。", "提供同行案例与报价", 0}, {3, "call", "电话确认技术参数与交期。", "希望 8 周内交货。", "约技术交流会", 4}}},
	{owner: "li.na", name: "陈晓燕", company: "无锡新锐汽车零部件有限公司", title: "设备部主管", phone: "+86 137 6543 2100", email: "chenxy@xinrui-auto.example.com", source: "web_form", region: "江苏", product: "数控车床", desc: "官网表单留言，询问卧式数控车床价格。", status: "new", tags: []string{"汽车零部件"}},
	{owner: "li.na", name: "周明", company: "南京宁华电子科技有限公司", title: "总经理", phone: "025-8456 7788", email: "zhouming@ninghua.example.com", source: "referral", region: "江苏", product: "SMT 贴片线", desc: "老客户推荐，新厂房年底投产。", status: "contacted", tags: []string{"转介绍"},
		followUps: []demoFollowUp{{5, "wechat", "微信发送公司介绍与产品手册。", "已转给技术负责人。", "等待技术负责人反馈", 2}}},
	{owner: "li.na", name: "吴丽华", company: "常州天合塑胶制品厂", title: "厂长", phone: "+86 136 1122 3344", source: "phone", region: "江苏", product: "注塑机", desc: "来电咨询 280 吨注塑机。", status: "new"},
	{owner: "li.na", name: "郑凯", company: "上海浦江医疗器械有限公司", title: "采购总监", phone: "+86 138 0013 8000", email: "zhengkai@pujiang-med.example.com", source: "exhibition", region: "上海", product: "洁净车间自动化方案", desc: "医疗器械展结识，对洁净车间改造有需求。", status: "qualified", tags: []string{"重点客户", "医疗"},
		followUps: []demoFollowUp{{14, "meeting", "线上会议介绍自动化改造方案。", "认可方案方向，需内部立项。", "提交立项所需资料", 0}, {2, "email", "发送方案书与初步报价。", "", "跟进立项进度", 7}}},
	{owner: "li.na", name: "孙伟", company: "昆山科达五金制品有限公司", title: "采购专员", phone: "0512-5788 1234", source: "import", region: "江苏", product: "冲压机", desc: "展会名单导入。", status: "new", imported: true},
	{owner: "liu.yang", name: "杭佳琪", company: "杭州云帆智能科技有限公司", title: "CTO", phone: "+86 135 8888 6666", email: "hangjq@yunfan.example.com", source: "web_form", region: "浙江", product: "工业机器人", desc: "希望采购六轴机器人用于装配线。", status: "contacted", tags: []string{"华东", "机器人"},
		followUps: []demoFollowUp{{4, "call", "电话了解装配节拍与负载要求。", "负载 10kg 以内，节拍 12 秒。", "出选型建议", 3}}},
	{owner: "liu.yang", name: "钱志强", company: "宁波海联物流装备有限公司", title: "副总经理", phone: "+86 139 5741 2233", email: "qianzq@hailian.example.com", source: "referral", region: "浙江", product: "激光切割机", desc: "供应商推荐，需求明确，预算已批。", status: "qualified", tags: []string{"重点客户", "预算已批"},
		followUps: []demoFollowUp{{6, "visit", "拜访客户，现场测量厂房。", "预算 120 万以内。", "出正式报价", 1}}},
	{owner: "liu.yang", name: "冯雪", company: "温州瓯江阀门有限公司", title: "采购经理", phone: "0577-8899 1100", source: "phone", region: "浙江", product: "数控车床", desc: "电话咨询，比较三家供应商。", status: "new"},
	{owner: "liu.yang", name: "许文博", company: "绍兴柯桥纺织机械厂", title: "技术科长", phone: "+86 133 5751 6789", email: "xuwb@kq-textile.example.com", source: "exhibition", region: "浙江", product: "伺服系统", desc: "纺机展名片，对伺服改造感兴趣。", status: "new", tags: []string{"纺织"}},
	{owner: "liu.yang", name: "何静", company: "合肥徽达新能源科技有限公司", title: "采购主管", phone: "+86 186 5512 3456", email: "hejing@huida-ne.example.com", source: "api", region: "安徽", product: "电池模组装配线", desc: "合作平台 API 推送。", status: "contacted", tags: []string{"新能源"},
		followUps: []demoFollowUp{{1, "email", "邮件发送装配线案例。", "", "电话跟进", 2}}},
	{owner: "liu.yang", name: "马超", company: "嘉兴禾丰食品有限公司", title: "厂长", phone: "+86 159 7300 1122", source: "import", region: "浙江", product: "包装流水线", desc: "行业名录导入。", status: "new", imported: true},
	{owner: "liu.yang", name: "罗斌", company: "台州精工模具有限公司", title: "总经理", phone: "0576-8123 4567", source: "other", region: "浙江", product: "电火花机床", desc: "行业协会活动结识。", status: "new"},
	{owner: "zhao.lei", name: "黄志伟", company: "深圳鹏程电子有限公司", title: "采购经理", phone: "+86 138 2345 6789", email: "huangzw@pengcheng-e.example.com", source: "exhibition", region: "广东", product: "SMT 贴片线", desc: "高交会现场咨询，拟替换旧线。", status: "qualified", tags: []string{"重点客户", "华南"},
		followUps: []demoFollowUp{{10, "visit", "拜访工厂，评估现有产线。", "希望分两期改造。", "出分期方案", 0}, {3, "meeting", "方案评审会。", "技术通过，等待商务谈判。", "商务谈判", 5}}},
	{owner: "zhao.lei", name: "梁嘉欣", company: "东莞华辉五金塑胶制品有限公司", title: "生产经理", phone: "0769-2233 4455", email: "liangjx@huahui.example.com", source: "web_form", region: "广东", product: "注塑机", desc: "官网询价 450 吨注塑机。", status: "contacted",
		followUps: []demoFollowUp{{2, "call", "电话确认吨位与模具尺寸。", "下月初决策。", "发报价", 6}}},
	{owner: "zhao.lei", name: "林国栋", company: "广州番禺永信包装有限公司", title: "老板", phone: "+86 137 2800 9988", source: "phone", region: "广东", product: "包装流水线", desc: "来电咨询。", status: "new"},
	{owner: "zhao.lei", name: "蔡少华", company: "佛山南海铝业有限公司", title: "设备总监", phone: "+86 139 2299 8877", email: "caish@nanhai-al.example.com", source: "referral", region: "广东", product: "激光切割机", desc: "合作伙伴推荐。", status: "contacted", tags: []string{"转介绍"},
		followUps: []demoFollowUp{{7, "wechat", "微信沟通切割板厚需求。", "需要切 20mm 铝板。", "确认功率选型", 0}}},
	{owner: "zhao.lei", name: "陈美玲", company: "厦门远航贸易有限公司", title: "采购", phone: "+86 150 5921 3344", email: "chenml@yuanhang.example.com", source: "web_form", region: "福建", product: "工业机器人", desc: "代理询价。", status: "new", tags: []string{"代理商"}},
	{owner: "zhao.lei", name: "潘毅", company: "南宁桂龙糖业机械厂", title: "副厂长", phone: "0771-5566 7788", source: "import", region: "广西", product: "伺服系统", desc: "行业名录导入。", status: "new", imported: true},
	{owner: "zhao.lei", name: "谢晓东", company: "珠海格瑞电器配件有限公司", title: "工程部经理", phone: "+86 136 3456 7890", email: "xiexd@gerui.example.com", source: "exhibition", region: "广东", product: "自动化检测设备", desc: "广交会名片。", status: "new"},
	{owner: "wang.fang", name: "沈建华", company: "上海申达重工股份有限公司", title: "副总裁", phone: "+86 139 0160 1234", email: "shenjh@shenda.example.com", source: "referral", region: "上海", product: "大型龙门加工中心", desc: "集团采购项目，金额较大，经理亲自跟进。", status: "qualified", tags: []string{"重点客户", "集团客户"},
		followUps: []demoFollowUp{{12, "meeting", "与采购委员会初次会面。", "进入短名单。", "准备投标文件", 10}}},
	{owner: "wang.fang", name: "姚丽", company: "苏州工业园区智造服务中心", title: "主任", phone: "0512-6288 0000", source: "other", region: "江苏", product: "智能制造咨询", desc: "园区合作项目。", status: "contacted",
		followUps: []demoFollowUp{{8, "visit", "园区拜访，介绍合作模式。", "有意向联合举办沙龙。", "策划活动方案", 0}}},
	{owner: "chen.jing", name: "邓浩然", company: "深圳前海云启科技有限公司", title: "COO", phone: "+86 135 1000 2000", email: "denghr@yunqi.example.com", source: "api", region: "广东", product: "仓储机器人", desc: "平台推送，需求较急。", status: "new", tags: []string{"华南", "急单"}},
	{owner: "chen.jing", name: "曾燕", company: "汕头潮宏玩具有限公司", title: "总经理", phone: "+86 138 2754 6677", source: "phone", region: "广东", product: "注塑机", desc: "来电咨询。", status: "contacted",
		followUps: []demoFollowUp{{3, "call", "电话介绍产品线。", "想先看样机。", "安排参观展厅", 5}}},
	{owner: "zhang.wei", name: "秦振华", company: "武汉江城汽车装备集团", title: "采购总监", phone: "+86 139 7100 8888", email: "qinzh@jiangcheng.example.com", source: "exhibition", region: "湖北", product: "焊装生产线", desc: "跨区域大客户，由销售总监跟进。", status: "qualified", tags: []string{"重点客户", "集团客户"},
		followUps: []demoFollowUp{{15, "meeting", "高层会谈。", "明年一季度招标。", "跟进招标计划", 20}}},
	{owner: "zhang.wei", name: "贺兰", company: "成都天府精密制造有限公司", title: "技术总监", phone: "028-8765 4321", email: "helan@tianfu-pm.example.com", source: "web_form", region: "四川", product: "五轴加工中心", desc: "西南区域新客户。", status: "new"},
	{owner: "li.na", name: "蒋涛", company: "扬州润扬船舶配件有限公司", title: "采购", phone: "+86 151 5270 1234", source: "manual", region: "江苏", product: "数控车床", desc: "", status: "new"},
	{owner: "liu.yang", name: "韩梅", company: "湖州南浔木业有限公司", title: "老板娘", phone: "+86 158 5720 3344", source: "manual", region: "浙江", product: "封边机", desc: "朋友介绍，需求尚不明确。", status: "new"},
	{owner: "zhao.lei", name: "邱明", company: "中山小榄灯饰有限公司", title: "厂长", phone: "0760-2211 3344", source: "manual", region: "广东", product: "自动化检测设备", desc: "", status: "contacted",
		followUps: []demoFollowUp{{1, "visit", "顺路拜访。", "暂无预算，明年再看。", "半年后回访", 180}}},
	{owner: "li.na", name: "白雪", company: "嘉善晶华光电有限公司", title: "采购经理", phone: "+86 139 5730 7788", email: "baixue@jinghua-oe.example.com", source: "import", region: "浙江", product: "洁净车间自动化方案", desc: "展会名单导入。", status: "new", imported: true},
}

// seedDemoLeads gives the demo sales people leads through the lead
// service, acting as each owner (or as the system import), so the audit
// log and every rule apply.
func (a *App) seedDemoLeads(ctx context.Context, users map[string]*org.User) error {
	now := time.Now().UTC()
	at := func(t time.Time) *string { s := t.Format(time.RFC3339); return &s }
	for _, d := range demoLeads {
		u := users[d.owner+"@demo.example.com"]
		if u == nil {
			return fmt.Errorf("seed: no demo user %s", d.owner)
		}
		as := authz.WithActor(ctx, &authz.Actor{UserID: u.ID, Name: u.Name, Role: u.Role, TeamID: u.TeamIDValue()})
		creator := as
		if d.imported {
			creator = ctx // the seed's system admin, who may give leads to anyone
		}
		l, err := a.Lead.Create(creator, lead.LeadCreateRequest{Name: d.name, Company: d.company, Title: d.title,
			Phone: d.phone, Email: d.email, Source: d.source, Region: d.region, ProductInterest: d.product,
			Description: d.desc, Status: d.status, OwnerID: &u.ID, Tags: d.tags})
		if err != nil {
			return fmt.Errorf("seed lead %s: %w", d.name, err)
		}
		for _, f := range d.followUps {
			when := now.AddDate(0, 0, -f.daysAgo).Add(-2 * time.Hour)
			req := followup.CreateRequest{Channel: f.channel, Content: f.content, Feedback: f.feedback,
				NextStep: f.nextStep, FollowedAt: at(when)}
			if f.nextInDay > 0 {
				req.NextFollowUpAt = at(now.AddDate(0, 0, f.nextInDay))
			}
			if _, err := a.Lead.AddFollowUp(as, l.ID, req); err != nil {
				return fmt.Errorf("seed follow-up of %s: %w", d.name, err)
			}
		}
	}
	return nil
}
