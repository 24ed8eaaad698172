/*
 * html: the console's bounded page buffers, its escapers (HTML, CSV, URL)
 * and its words in Simplified Chinese and English.
 *
 * Every value that comes from the database, a form, a URL or a station goes
 * into a page through page_text (or page_csv, page_url): page_raw is for the
 * templates written in this program only.  A page that would grow past
 * PAGE_MAX stops growing and is answered as an error, never cut short.
 *
 * The words are a table here rather than the gettext catalogue: a console
 * answers each request in the language that request asks for, while
 * gettext's language belongs to the whole process (docs/translations.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rulenames.h"
#include "termtext.h"
#include "web.h"

void
page_init(struct page *p)
{
	memset(p, 0, sizeof(*p));
}

void
page_free(struct page *p)
{
	free(p->buf);
	page_init(p);
}

static void
append(struct page *p, const char *s, size_t n)
{
	size_t cap;
	char *grown;

	if (p->failed)
		return;
	if (p->len + n + 1 > p->cap) {
		if (p->len + n + 1 > PAGE_MAX) {
			p->failed = 1;
			return;
		}
		cap = p->cap ? p->cap : 4096;
		while (cap < p->len + n + 1)
			cap *= 2;
		if (cap > PAGE_MAX)
			cap = PAGE_MAX;
		grown = realloc(p->buf, cap);
		if (grown == NULL) {
			p->failed = 1;
			return;
		}
		p->buf = grown;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

void
page_raw(struct page *p, const char *s)
{
	append(p, s, strlen(s));
}

void
page_rawf(struct page *p, const char *fmt, ...)
{
	char small[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(small)) {
		p->failed = 1; /* templates are short: a long one is a bug, not a page */
		return;
	}
	append(p, small, (size_t)n);
}

void
page_text(struct page *p, const char *s)
{
	const char *start = s, *end;
	size_t n;

	if (s == NULL)
		return;
	end = s + strlen(s);
	for (; *s != '\0'; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			/* a bidi control (gateway/lib/termtext.h): the browser
			 * obeys it, a U+202E drawing the rest of its line right to
			 * left ("fine 500" read as "fine 005"), an invisible RLM
			 * between two numbers swapping them */
			if ((n = termtext_bidi_len(s, (size_t)(end - s))) == 0)
				continue;
			/* shown as U+FFFD, in plain sight; its bytes go */
			append(p, start, (size_t)(s - start));
			page_raw(p, "&#xFFFD;");
			s += n - 1;
			start = s + 1;
			continue;
		}
		append(p, start, (size_t)(s - start));
		page_raw(p, rep);
		start = s + 1;
	}
	append(p, start, (size_t)(s - start));
}

void
page_csv(struct page *p, const char *s)
{
	const char *q;

	append(p, "\"", 1);
	if (s != NULL && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@'))
		append(p, "'", 1);
	for (q = s; q != NULL && *q != '\0'; q++) {
		if (*q == '"')
			append(p, "\"\"", 2);
		else
			append(p, q, 1);
	}
	append(p, "\"", 1);
}

void
page_url(struct page *p, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char enc[3];

	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			append(p, s, 1);
			continue;
		}
		enc[0] = '%';
		enc[1] = hex[c >> 4];
		enc[2] = hex[c & 15];
		append(p, enc, 3);
	}
}

enum lang
lang_of(const char *accept_language)
{
	const char *s = accept_language;

	/* The first of zh or en the browser names, in its order; Chinese when
	 * it names neither. */
	while (s != NULL && *s != '\0') {
		while (*s == ' ' || *s == ',')
			s++;
		if (strncasecmp(s, "en", 2) == 0 &&
		    (s[2] == '\0' || s[2] == '-' || s[2] == ';' || s[2] == ',' || s[2] == ' '))
			return LANG_EN;
		if (strncasecmp(s, "zh", 2) == 0)
			return LANG_ZH;
		s = strchr(s, ',');
	}
	return LANG_ZH;
}

static const char *const words[W_COUNT][2] = {
	[W_TITLE] = { "燃气瓶监管平台", "Gas cylinder console" },
	[W_SIGNIN] = { "登录", "Sign in" },
	[W_SIGNOUT] = { "退出", "Sign out" },
	[W_IDENTITY] = { "账号", "Account" },
	[W_PASSWORD] = { "密码", "Password" },
	[W_BAD_PASSWORD] = { "账号或密码错误。", "Wrong account or password." },
	[W_LOCKED] = { "密码错误次数过多，账号已暂时锁定，请稍后再试。",
	    "Too many wrong passwords: this account is locked for a while." },
	[W_FULL] = { "登录人数已满，请稍后再试。", "Too many people signed in; try again later." },
	[W_MAP] = { "一图管控", "Map" },
	[W_TRACE] = { "追溯查询", "Trace" },
	[W_FORBIDDEN] = { "无权访问", "Forbidden" },
	[W_FORBIDDEN_TEXT] = { "您的账号无权查看此页面。", "Your account may not see this page." },
	[W_NOT_FOUND] = { "页面不存在", "Not found" },
	[W_EXPIRED] = { "页面已过期，请重新提交。",
	    "This form has expired; please send it again." },
	[W_STATIONS] = { "充装站", "Stations" },
	[W_STATION] = { "充装站", "Station" },
	[W_TOWNSHIP] = { "乡镇", "Township" },
	[W_OPEN_CASES] = { "未办结案件", "Open cases" },
	[W_LAST_HEARTBEAT] = { "最近心跳", "Last heartbeat" },
	[W_BACKLOG] = { "待上传", "Backlog" },
	[W_GAP] = { "序号缺口", "Sequence gap" },
	[W_FILLS_TODAY] = { "今日充装", "Fills today" },
	[W_NEVER] = { "从未", "never" },
	[W_HEALTH_OK] = { "正常", "healthy" },
	[W_HEALTH_WARN] = { "需关注", "needs a look" },
	[W_HEALTH_BAD] = { "失联", "silent" },
	[W_NONE] = { "无", "none" },
	[W_CYLINDER] = { "气瓶", "Cylinder" },
	[W_BUYER] = { "购气人", "Buyer" },
	[W_BUYER_NUMBER] = { "身份证号或统一社会信用代码", "Resident ID or credit code" },
	[W_FROM] = { "起", "From" },
	[W_TO] = { "止", "To" },
	[W_SEARCH] = { "查询", "Search" },
	[W_NEXT_PAGE] = { "下一页", "Next page" },
	[W_CSV] = { "导出 CSV", "Export CSV" },
	[W_TIME] = { "时间", "Time" },
	[W_KIND] = { "类型", "Kind" },
	[W_NET_KG] = { "净重 (kg)", "Net (kg)" },
	[W_RESULT] = { "结果", "Result" },
	[W_RULES] = { "违规", "Rules" },
	[W_NO_RECORDS] = { "没有记录。", "No records." },
	[W_LIFE_OUTSIDE] = { "链外：县里未采信", "outside the chain: not taken by the county" },
	[W_LIFE_DEVICE_TIME] = { "设备时间 %s，县里已限定",
	    "device's time %s, bounded by the county" },
	[W_AUDITED] = { "每次查询都记入审计日志。", "Every query is written to the audit log." },
	[W_CHECK_TITLE] = { "气瓶查询", "Cylinder check" },
	[W_CODE_FACTS] = { "编号 %s · 型号 %s · %04d年%02d月制造 · 皮重 %.2f kg · 充装量 %.2f kg · 县代码 %06u",
	    "serial %s · model %s · made %04d-%02d · tare %.2f kg · fill %.2f kg · county %06u" },
	[W_SIG_VALID] = { "二维码真实有效（县级签名验证通过）",
	    "Genuine code (the county's signature is valid)" },
	[W_SIG_INVALID] = { "二维码无效或被篡改", "Invalid or altered code" },
	[W_STATUS] = { "状态", "Status" },
	[W_SET_ASIDE] = { "%lld 条已搁置", "%lld set aside" },
	[W_CLOCK] = { "时钟", "Clock" },
	[W_CLOCK_AHEAD] = { "快 %s（县平台判定不准）", "%s ahead (the county holds it wrong)" },
	[W_CLOCK_BEHIND] = { "慢 %s（县平台判定不准）", "%s behind (the county holds it wrong)" },
	[W_SPAN_D_H] = { "%lld 天 %lld 小时", "%lld d %lld h" },
	[W_SPAN_D] = { "%lld 天", "%lld d" },
	[W_SPAN_H_MIN] = { "%lld 小时 %lld 分钟", "%lld h %lld min" },
	[W_SPAN_H] = { "%lld 小时", "%lld h" },
	[W_SPAN_MIN_S] = { "%lld 分 %lld 秒", "%lld min %lld s" },
	[W_SPAN_MIN] = { "%lld 分钟", "%lld min" },
	[W_SPAN_S] = { "%lld 秒", "%lld s" },
	[W_OWNER] = { "产权单位", "Owner" },
	[W_NEXT_INSPECTION] = { "下次检验日期", "Next inspection" },
	[W_LAST_FILL] = { "最近充装", "Last fill" },
	[W_HOTLINE] = { "监管热线", "Hotline" },
	[W_NOT_REGISTERED] = { "未在县登记", "not in the county registry" },
	[W_NO_FILL] = { "无充装记录", "no fill recorded" },
	[W_TIMES_IN] = { "时间均为", "Times are in" },
	[W_SIGNED_IN_AS] = { "当前账号", "Signed in as" },
	[W_BAD_REQUEST] = { "请求无效", "Bad request" },
	[W_TOO_LARGE] = { "上传的内容太大，本次未保存。照片请换一张较小的，或在相机设置中降低分辨率后重拍。",
	    "What was sent is too large; nothing was saved. Send a smaller photo, or lower the "
	    "camera's resolution and take it again." },
	[W_FILE_REFUSED] = { "文件没有保存：这一步不收文件，或文件在表单其他内容之前送到。请刷新页面后重新提交。",
	    "The file was not saved: this step takes no file, or the file came before the "
	    "form's other fields. Reload the page and send it again." },
	[W_TEXT_TOO_LONG] = { "所填文字太长（说明至多 1300 字左右），本次未保存。请删短后再提交。",
	    "What was typed is too long (a note holds about 1,300 characters); nothing was "
	    "saved. Shorten it and send it again." },
	[W_TRACE_HINT] = { "按气瓶编号或充装站编号查询。",
	    "Search by a cylinder serial or a station id." },
	[W_TRACE_BUYER_HINT] = { "购气人请在下方按证件号查询（仅在本机哈希后查询，不存储、不记录）。",
	    "A buyer is searched by their number in the form below (hashed here before the query; "
	    "never stored or logged)." },
	[W_TRACE_BAD_KEY] = { "编号只能由字母、数字和符号组成，不能含空格或汉字。本次未查询。",
	    "A serial or station id is letters, digits and signs, without spaces or Chinese "
	    "characters. Nothing was searched." },
	[W_TRACE_NUMBER] = { "所填内容像是个人证件号：未查询，也未记入日志。气瓶请用气瓶编号，充装站请用站号；"
	                     "购气人只能用购气人查询（需开通）。",
	    "That looks like a person's ID number: it was not searched and not logged. Search a "
	    "cylinder by its serial and a station by its id; a buyer only with the buyer search "
	    "(where it is set up)." },
	[W_TRACE_BAD_FROM] = { "“起”不是日期（年-月-日）。本次未查询。",
	    "“From” is not a date (year-month-day). Nothing was searched." },
	[W_TRACE_BAD_TO] = { "“止”不是日期（年-月-日）。本次未查询。",
	    "“To” is not a date (year-month-day). Nothing was searched." },
	[W_TRACE_REVERSED] = { "“止”早于“起”：时段颠倒。本次未查询。",
	    "The period ends before it begins. Nothing was searched." },
	[W_TRACE_NO_STATION] = { "县级平台没有这个站号的充装站：从未登记、从未联系，也没有它的任何记录。请核对站号（地图上列有各站）。",
	    "The county knows no station of that id: never registered, never in contact, nothing "
	    "of it held. Check the id (the map lists the stations)." },
	[W_SERVER_ERROR] = { "服务器错误", "Server error" },
	[W_ACTIVE] = { "在用", "in use" },
	[W_SCRAPPED] = { "已报废", "scrapped" },
	[W_RETIRED] = { "已停用", "retired" },
};

const char *
word(enum lang lang, enum word w)
{
	if ((int)w < 0 || w >= W_COUNT || words[w][lang] == NULL)
		return "";
	return words[w][lang == LANG_EN ? 1 : 0];
}

const char *
rule_word(enum lang lang, const char *code)
{
	const struct rule_name *n = rule_name_find(code);

	return n == NULL ? NULL : lang == LANG_EN ? n->en : n->zh;
}
