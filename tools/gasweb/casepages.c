/*
 * casepages: the cases in the console (docs/county.md, "The console's
 * cases").  What a case shows comes from the county library's one function
 * (casedetail.h), the list from cases_list, every step from cases_step and
 * a report from cases_report: whether this person may see or change a case
 * is decided there, with the scope access.h gave the route (http.c).
 *
 *   /cases                      the list, with filters, most urgent first;
 *                               its rows are asked for again every poll_s
 *                               (/cases/rows, cases.js) so a new case
 *                               appears without reloading
 *   /cases/ID                   one case: timeline, the fill's weight curve
 *                               (SVG drawn here), the cylinder's fills and
 *                               registry history, station, buyer masked
 *   /cases/ID/step (POST)       accept, on site, attach, decide, close,
 *                               dismiss, comment; a photo from the phone's
 *                               camera, bounded, its type read from its bytes
 *   /cases/ID/evidence/HASH     a photo of the case
 *   /cases/reassign (POST)      a regulator moves an open case to another
 *                               township (id, township, note: cases_reassign)
 *   /report (GET, POST)         a grid worker's report, one thumb, with the
 *                               phone's location when the person allows it
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "casedetail.h"
#include "cases.h"
#include "cborread.h"
#include "log.h"
#include "rulenames.h"
#include "timetext.h"
#include "util.h"
#include "web.h"
#include "writequota.h"

#define LIST_MAX 500 /* cases on the list at most */

/* ---- words ------------------------------------------------------------------------ */

enum cword {
	C_CASES,
	C_CASE,
	C_REPORT,
	C_VIEW,
	C_OPEN,
	C_MINE,
	C_OVERDUE,
	C_ALL,
	C_SEVERITY,
	C_ANY,
	C_RULE,
	C_FILTER,
	C_NO_CASES,
	C_STATE,
	C_TITLE,
	C_DUE,
	C_OVERDUE_BY,
	C_TIMELINE,
	C_JOINS_FOLDED,
	C_STEPS_FOLDED,
	C_STEPS_READ,
	C_STEPS_TITLE,
	C_STEPS_MORE,
	C_STEPS_BACK,
	C_STEPS_NONE,
	C_TOO_MANY_NOTES,
	C_CURVE,
	C_NO_CURVE,
	C_FILLS,
	C_HISTORY,
	C_HISTORY_FOLDED,
	C_EVIDENCE,
	C_OFFICER,
	C_REPORTER,
	C_PLACE,
	C_VILLAGE,
	C_NOTE,
	C_PHOTO,
	C_ACCEPT,
	C_ONSITE,
	C_ATTACH,
	C_DECIDE,
	C_CLOSE,
	C_DISMISS,
	C_COMMENT,
	C_OUTCOME,
	C_POWER,
	C_FINE,
	C_SEND,
	C_LOCATION,
	C_LOCATION_WAIT,
	C_CODE,
	C_BUYER_TOWNSHIP,
	C_BUYER_ADDRESS,
	C_ADDRESS_VIEWS,
	C_BUYER_ADDRESS_TITLE,
	C_ADDRESS_ERASED,
	C_LIVE,
	C_BAD_PHOTO,
	C_TOO_MANY_REPORTS,
	C_DAY_WRITES,
	C_DAY_EVIDENCE,
	C_RID_REUSED,
	C_REFUSED,
	C_ALERT,
	C_CRITICAL,
	C_STATION_NAME,
	C_ADDRESS,
	C_UNREGISTERED,
	C_REASSIGN,
	C_TO_TOWNSHIP,
	C_REASSIGN_UNKNOWN,
	C_REASSIGN_SAME,
	C_CODE_SHOWN,
	C_CODE_SIGNED,
	C_CODE_INVALID,
	C_CODE_UNCHECKED,
	C_CODE_SERIAL,
	C_CODE_UNREAD,
	C_PERSON_NUMBER,
	C_PHOTO_TOO_BIG,
	C_DEC_NO_OUTCOMES,
	C_DEC_UNKNOWN_OUTCOME,
	C_DEC_NEEDS_FINE,
	C_DEC_TAKES_NO_FINE,
	C_DEC_NEEDS_POWER,
	C_DEC_UNKNOWN_POWER,
	C_DEC_POWER_MISMATCH,
	C_STEP_STALE,
	C_ROUTE_OUTSIDE_MAP,
	C_ROUTE_NO_VILLAGE,
	C_ROUTE_UNKNOWN_VILLAGE,
	C_KIND_UNKNOWN,
	C_KIND_NEEDED,
	C_YUAN,
	C_BACK,
	C_FINE_NUMBER,
	C_THE_COUNTY,
	C_NOTE_NEEDED,
	C_FILE_NEEDED,
	C_STEP_ROUTED,
	C_STEP_CODE,
	C_STEP_LATE_ACCEPT,
	C_STEP_LATE_ONSITE,
	C_STEP_LATE_CLOSE,
	C_STEP_SET_ASIDE,
	C_NO_POWER,
	C_COUNT
};

static const char *const cwords[C_COUNT][2] = {
	[C_CASES] = { "案件", "Cases" },
	[C_CASE] = { "案件", "Case" },
	[C_REPORT] = { "上报", "Report" },
	[C_VIEW] = { "范围", "Show" },
	[C_OPEN] = { "未办结", "open" },
	[C_MINE] = { "我的", "mine" },
	[C_OVERDUE] = { "已超期", "overdue" },
	[C_ALL] = { "全部", "all" },
	[C_SEVERITY] = { "级别", "Severity" },
	[C_ANY] = { "不限", "any" },
	[C_RULE] = { "规则或类型", "Rule or kind" },
	[C_FILTER] = { "筛选", "Filter" },
	[C_NO_CASES] = { "没有符合条件的案件。", "No case matches." },
	[C_STATE] = { "状态", "State" },
	[C_TITLE] = { "事由", "What" },
	[C_DUE] = { "期限", "Due" },
	[C_OVERDUE_BY] = { "已超期", "overdue by" },
	[C_TIMELINE] = { "办理经过", "Timeline" },
	[C_JOINS_FOLDED] = { "条告警在此期间并入本案，未在此列出",
	    "more alerts joined this case in between, not listed here" },
	[C_STEPS_FOLDED] = { "条备注和附件在此期间添加，未在此列出（办理状态的变更均已列出）",
	    "more comments and attachments were added in between, not listed here (every change "
	    "of state is)" },
	[C_STEPS_READ] = { "查看这些记录", "read them" },
	[C_STEPS_TITLE] = { "办理经过（全部记录）", "Timeline, every step" },
	[C_STEPS_MORE] = { "后续记录", "the next steps" },
	[C_STEPS_BACK] = { "返回案件", "back to the case" },
	[C_STEPS_NONE] = { "此后没有更多记录。", "No steps after this one." },
	[C_TOO_MANY_NOTES] = { "您一小时内对本案的备注和附件已达上限（每小时 %d 条），本条未保存。请稍后再试。",
	    "You have added as many comments and attachments to this case as one hour allows "
	    "(%d); this one was not saved. Send it again later." },
	[C_CURVE] = { "充装重量曲线", "Weight during the fill" },
	[C_NO_CURVE] = { "该次充装没有重量曲线。", "This fill has no weight curve." },
	[C_FILLS] = { "该气瓶最近充装", "The cylinder's latest fills" },
	[C_HISTORY] = { "气瓶登记变更", "The cylinder's registry history" },
	[C_HISTORY_FOLDED] = { "条更早的登记变更未在此列出（以下为最近的变更）",
	    "older changes not listed here (the newest follow)" },
	[C_EVIDENCE] = { "证据", "Evidence" },
	[C_OFFICER] = { "承办人", "Officer" },
	[C_REPORTER] = { "上报人", "Reported by" },
	[C_PLACE] = { "地点", "Place" },
	[C_VILLAGE] = { "村（社区）", "Village" },
	[C_NOTE] = { "说明", "Note" },
	[C_PHOTO] = { "拍照", "Photo" },
	[C_ACCEPT] = { "受理", "Accept" },
	[C_ONSITE] = { "到达现场", "On site" },
	[C_ATTACH] = { "上传照片", "Attach photo" },
	[C_DECIDE] = { "作出处理决定", "Decide" },
	[C_CLOSE] = { "办结", "Close" },
	[C_DISMISS] = { "不予立案", "Dismiss" },
	[C_COMMENT] = { "备注", "Comment" },
	[C_OUTCOME] = { "处理结果", "Outcome" },
	[C_POWER] = { "处罚事项", "Penalty power" },
	[C_FINE] = { "罚款金额（元）", "Fine (yuan)" },
	[C_SEND] = { "提交", "Send" },
	[C_LOCATION] = { "位置", "Location" },
	[C_LOCATION_WAIT] = { "允许定位后自动填入。", "Filled in when you allow location." },
	[C_STATION_NAME] = { "站名", "Station name" },
	[C_ADDRESS] = { "地址", "Address" },
	[C_UNREGISTERED] = { "未在县登记册中（乡镇取自首次联系）",
	    "not in the county's register (township from its first contact)" },
	[C_REASSIGN] = { "改派至其他乡镇", "Reassign to another township" },
	[C_TO_TOWNSHIP] = { "改派至", "To township" },
	[C_REASSIGN_UNKNOWN] = { "该乡镇不在县乡镇图或村（社区）名录中。",
	    "That township is neither on the county's map nor in its village list." },
	[C_REASSIGN_SAME] = { "案件已在%s，无需改派。本次未保存。",
	    "The case is in %s already: nothing was changed." },
	[C_CODE] = { "气瓶二维码（如有）", "Cylinder code (if any)" },
	[C_CODE_SHOWN] = { "上报的气瓶码", "Cylinder code reported" },
	[C_CODE_SIGNED] = { "本县签发，核验通过", "signed by the county, checked" },
	[C_CODE_INVALID] = { "不是本县签发的气瓶码（伪造、篡改或损坏）",
	    "not a code the county signed (forged, altered or damaged)" },
	[C_CODE_UNCHECKED] = { "未核验：平台未配置验码公钥",
	    "not checked: the county holds no code key" },
	[C_CODE_SERIAL] = { "手工录入的钢印编号，未核验",
	    "a serial typed from the steel, not checked" },
	[C_DEC_NO_OUTCOMES] = { "县级平台未加载处理结果目录，暂不能作出决定。",
	    "The county has loaded no catalogue of outcomes: no decision can be taken yet." },
	[C_DEC_UNKNOWN_OUTCOME] = { "请从目录中选择处理结果。",
	    "Choose an outcome of the catalogue." },
	[C_DEC_NEEDS_FINE] = { "“%s”需要填写罚款金额（元）。",
	    "\"%s\" needs the amount of the fine (yuan)." },
	[C_DEC_TAKES_NO_FINE] = { "“%s”不是罚款，请不要填写罚款金额。",
	    "\"%s\" is not a fine: leave the amount empty." },
	[C_DEC_NEEDS_POWER] = { "“%s”需要选择所依据的处罚权力。",
	    "\"%s\" needs the penalty power it rests on." },
	[C_DEC_UNKNOWN_POWER] = { "请从目录中选择处罚权力。",
	    "Choose a penalty power of the catalogue." },
	[C_DEC_POWER_MISMATCH] = { "处罚权力“%s”不能作出“%s”的决定。",
	    "The penalty power \"%s\" does not end in \"%s\"." },
	[C_STEP_STALE] = { "案件现为“%s”，不能再“%s”（可能已有他人处理）。本次未保存，请查看案件的当前状态。",
	    "The case is now \"%s\": it cannot be \"%s\" (someone may have acted on it meanwhile). "
	    "Nothing was saved; see the case as it is now." },
	[C_ROUTE_OUTSIDE_MAP] = { "所在位置（%.6f，%.6f）不在本县乡镇地图范围内。请核对手机定位，或不带位置、按村（社区）上报。本次未保存。",
	    "The place %.6f, %.6f lies in no township of the county's map. Check the phone's "
	    "location, or report by village without it. Nothing was saved." },
	[C_ROUTE_NO_VILLAGE] = { "请选择所在村（社区）。本次未保存。",
	    "Choose the village. Nothing was saved." },
	[C_ROUTE_UNKNOWN_VILLAGE] = { "“%s”不在本县村（社区）名录中，请从列表中选择。本次未保存。",
	    "\"%s\" is not in the county's village list: choose one from the list. Nothing was "
	    "saved." },
	[C_NOTE_NEEDED] = { "请填写“说明”，写明理由后再提交。本次未保存。",
	    "Fill in the note: say why, then send it again. Nothing was saved." },
	[C_FILE_NEEDED] = { "请选择要上传的照片。本次未保存。",
	    "Choose the photo to send. Nothing was saved." },
	[C_KIND_UNKNOWN] = { "“%s”不是本县目录中的上报类别，请从列表中选择。本次未保存。",
	    "\"%s\" is not a report kind of the county's catalogue: choose one from the list. "
	    "Nothing was saved." },
	[C_KIND_NEEDED] = { "请选择“类型”后再提交。本次未保存。",
	    "Choose the kind, then send it again. Nothing was saved." },
	[C_YUAN] = { "%" PRId64 " 元", "%" PRId64 " yuan" },
	[C_BACK] = { "返回", "Back" },
	[C_THE_COUNTY] = { "县级平台", "the county" },
	[C_STEP_ROUTED] = { "按上报坐标派至%s（%.6f, %.6f）；所报村庄“%s”在村庄名录中属%s。",
	    "Routed to %s by its coordinates %.6f, %.6f; the village named, %s, is listed under "
	    "%s." },
	[C_STEP_CODE] = { "上报的气瓶码不是本县签发的码：%s",
	    "The cylinder code reported is not one the county signed: %s" },
	[C_STEP_LATE_ACCEPT] = { "受理已超期 %" PRId64 " 分钟",
	    "acceptance overdue by %" PRId64 " min" },
	[C_STEP_LATE_ONSITE] = { "到场已超期 %" PRId64 " 分钟",
	    "arrival on site overdue by %" PRId64 " min" },
	[C_STEP_LATE_CLOSE] = { "办结已超期 %" PRId64 " 分钟",
	    "closing overdue by %" PRId64 " min" },
	[C_STEP_SET_ASIDE] = { "（%s作出的决定已撤销：%s，处罚事项 %s，罚款 %" PRId64 " 元）",
	    " (the decision of %s set aside: %s, penalty power %s, fine %" PRId64 " yuan)" },
	[C_NO_POWER] = { "无", "none" },
	[C_FINE_NUMBER] = { "“罚款金额（元）”须为整数元，如 500（至多 9 位）。本次未保存。",
	    "The fine is a whole number of yuan, as 500 (at most 9 digits). Nothing was saved." },
	[C_PHOTO_TOO_BIG] = { "照片超过 %d KB 的上限，本次未保存。请换一张较小的照片，或在相机设置中降低分辨率后重拍。",
	    "The photo is over the %d KB limit; nothing was saved. Send a smaller photo, or lower "
	    "the camera's resolution and take it again." },
	[C_PERSON_NUMBER] = { "“%s”中有疑似身份证号或统一社会信用代码，本次未保存。"
	                      "请用购气人的脱敏号码（如 1101**********002X），不要写完整号码。",
	    "\"%s\" holds what looks like a resident ID or credit code; nothing was saved. Name "
	    "a buyer by the masked form (such as 1101**********002X), never the whole number." },
	[C_CODE_UNREAD] = { "既不是气瓶码，也不是钢印编号",
	    "neither a cylinder code nor a serial" },
	[C_BUYER_TOWNSHIP] = { "购气人所属乡镇", "Buyer's township" },
	[C_BUYER_ADDRESS] = { "购气人地址（查看已记录）",
	    "Buyer's address (this viewing is logged)" },
	[C_ADDRESS_VIEWS] = { "购气人地址查看记录", "Buyer's address viewed by" },
	[C_BUYER_ADDRESS_TITLE] = { "购气人地址", "Buyer's address" },
	[C_ADDRESS_ERASED] = { "保存期满，已删除", "erased after its keep time" },
	[C_LIVE] = { "新案件自动出现，无需刷新。", "New cases appear here without reloading." },
	[C_BAD_PHOTO] = { "所选文件不是 JPEG 或 PNG 照片，本次未保存。请选择相机拍摄的照片。",
	    "The file chosen is not a JPEG or PNG photo; nothing was saved. Choose a photo from "
	    "the camera." },
	[C_TOO_MANY_REPORTS] = { "您一小时内的上报已达上限（每小时 %d 条），本条未保存。请稍后再报。",
	    "You have sent as many reports as one hour allows (%d); this one was not saved. "
	    "Send it again later." },
	[C_DAY_WRITES] = { "您 24 小时内写入的案件步骤和处置已达上限（%d 条，person_writes_day_max），本条未保存。请在 %s 之后再试。",
	    "You have written as many case steps and dispositions as 24 hours allow (%d, "
	    "person_writes_day_max); this one was not saved. Try again after %s." },
	[C_DAY_EVIDENCE] = { "您 24 小时内上传的证据已达上限（%d MB，person_evidence_day_mb），本次未保存。请在 %s 之后再试。",
	    "You have attached as much evidence as 24 hours allow (%d MB, "
	    "person_evidence_day_mb); this was not saved. Try again after %s." },
	[C_RID_REUSED] = { "这份表单已经提交过另一份内容（例如返回上一页后改了决定或备注），本次未保存。"
	                   "请回到案件页面，刷新后重新填写提交。",
	    "This form was already sent with something else in it (changed after going Back, "
	    "perhaps); this was not saved. Go back to the case, reload it and send the form "
	    "again." },
	[C_REFUSED] = { "无法执行", "Not done" },
	[C_ALERT] = { "一般", "alert" },
	[C_CRITICAL] = { "紧急", "critical" },
};

static const char *
cw(const struct request *r, enum cword w)
{
	return cwords[w][r->lang == LANG_EN ? 1 : 0];
}

/* The words of the steps and states the county writes. */
static const char *
action_word(const struct request *r, const char *action)
{
	static const struct {
		const char *code, *zh, *en;
	} names[] = {
		{ "open", "立案", "opened" },
		{ "join", "合并告警", "alert joined" },
		{ "new", "待受理", "new" },
		{ "accept", "受理", "accepted" },
		{ "accepted", "已受理", "accepted" },
		{ "onsite", "到达现场", "on site" },
		{ "decide", "作出决定", "decided" },
		{ "decided", "已决定", "decided" },
		{ "close", "办结", "closed" },
		{ "closed", "已办结", "closed" },
		{ "dismiss", "不予立案", "dismissed" },
		{ "dismissed", "不予立案", "dismissed" },
		{ "comment", "备注", "comment" },
		{ "attach", "上传证据", "evidence" },
		{ "escalate", "超期督办", "escalated to the county" },
		{ "reassign", "改派", "reassigned" },
		{ "report", "网格上报", "reported" },
		{ "route", "按位置分派", "routed" },
		{ "code", "气瓶码核验", "code checked" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].code, action) == 0)
			return r->lang == LANG_EN ? names[i].en : names[i].zh;
	return action;
}

/* ---- small helpers ----------------------------------------------------------------- */

static const char *
township_name(const struct request *r, const char *code)
{
	const struct geo_township *t = geo_township(&r->web->map, code);

	if (t == NULL)
		return code;
	return r->lang == LANG_EN ? t->name_en : t->name_zh;
}

static void
time_text(struct page *p, int64_t ms)
{
	char when[48];

	format_time(ms, when, sizeof(when));
	page_text(p, when);
}

static void
duration_text(const struct request *r, struct page *p, int64_t s)
{
	if (s >= 86400)
		page_rawf(p, "%" PRId64 "%s %" PRId64 "%s", s / 86400,
		    r->lang == LANG_EN ? "d" : "天", s % 86400 / 3600,
		    r->lang == LANG_EN ? "h" : "小时");
	else
		page_rawf(p, "%" PRId64 "%s %" PRId64 "%s", s / 3600,
		    r->lang == LANG_EN ? "h" : "小时", s % 3600 / 60,
		    r->lang == LANG_EN ? "min" : "分");
}

/* A case's deadline: how long it is overdue, else when it is due. */
static void
due_values(const struct request *r, struct page *p, int64_t overdue, int64_t overdue_s,
    int64_t due_ms)
{
	if (overdue) {
		page_raw(p, "<strong class=\"late\">");
		page_text(p, cw(r, C_OVERDUE_BY));
		page_raw(p, " ");
		duration_text(r, p, overdue_s);
		page_raw(p, "</strong>");
	} else if (due_ms > 0) {
		time_text(p, due_ms);
	} else {
		page_raw(p, "-");
	}
}

static void
due_text(const struct request *r, struct page *p, const cbor_item_t *c)
{
	due_values(r, p, cborread_int(c, "overdue", 0), cborread_int(c, "overdue_s", 0),
	    cborread_int(c, "due_ms", 0));
}

/* An item of an array, or NULL. */
static const cbor_item_t *
item_at(const cbor_item_t *arr, size_t i)
{
	if (arr == NULL || !cbor_isa_array(arr) || i >= cbor_array_size(arr))
		return NULL;
	return cbor_array_handle(arr)[i];
}

static size_t
count_of(const cbor_item_t *arr)
{
	return arr != NULL && cbor_isa_array(arr) ? cbor_array_size(arr) : 0;
}

/* A text field of map, escaped. */
static void
field_text(struct page *p, const cbor_item_t *map, const char *key)
{
	char buf[CASEMSG_NOTE];

	cborread_text(map, key, buf, sizeof(buf));
	page_text(p, buf);
}

/*
 * What a step says (its note, or for a step the county wrote itself its facts, cases.h:
 * cases_show) in the reader's language.  A step written before the county kept facts
 * (017) has none, and its note is shown as the county wrote it.
 */
static void
step_words(struct request *r, struct page *p, const cbor_item_t *s, const char *action)
{
	char note[CASEMSG_NOTE], a[CASEMSG_NAME], b[CASEMSG_NAME], v[CASEMSG_NAME], text[1024];
	char outcome[CASEMSG_WORD], power[CASEMSG_WORD];
	const struct catalogue_outcome *o;
	const struct catalogue_power *pw;

	cborread_text(s, "note", note, sizeof(note));
	cborread_text(s, "to_township", a, sizeof(a));
	text[0] = '\0';
	if (strcmp(action, "route") == 0 && a[0] != '\0') {
		cborread_text(s, "village", v, sizeof(v));
		cborread_text(s, "listed_under", b, sizeof(b));
		snprintf(text, sizeof(text), cw(r, C_STEP_ROUTED), township_name(r, a),
		    cborread_real(s, "lat", 0), cborread_real(s, "lon", 0), v, township_name(r, b));
	} else if (strcmp(action, "code") == 0 && cborread_find(s, "why") != NULL) {
		cborread_text(s, "why", note, sizeof(note)); /* the code library's, any length */
		snprintf(text, sizeof(text), cw(r, C_STEP_CODE), note);
	} else if (strcmp(action, "escalate") == 0 && cborread_find(s, "stage") != NULL) {
		cborread_text(s, "stage", v, sizeof(v));
		snprintf(text, sizeof(text),
		    cw(r, strcmp(v, "accept") == 0   ? C_STEP_LATE_ACCEPT
		          : strcmp(v, "onsite") == 0 ? C_STEP_LATE_ONSITE
		                                     : C_STEP_LATE_CLOSE),
		    cborread_int(s, "late_min", 0));
	} else if (strcmp(action, "reassign") == 0 && cborread_find(s, "from_township") != NULL) {
		cborread_text(s, "from_township", b, sizeof(b));
		/* the codes, as the regulator chose them; the note is the regulator's why */
		page_text(p, b);
		page_raw(p, " -&gt; ");
		page_text(p, a);
		page_raw(p, ": ");
		page_text(p, note);
		if (cborread_find(s, "set_aside_outcome") == NULL)
			return;
		cborread_text(s, "set_aside_outcome", outcome, sizeof(outcome));
		cborread_text(s, "set_aside_power", power, sizeof(power));
		o = catalogue_outcome(&r->set->catalogue, outcome);
		pw = power[0] != '\0' ? catalogue_power(&r->set->catalogue, power) : NULL;
		snprintf(text, sizeof(text), cw(r, C_STEP_SET_ASIDE), township_name(r, b),
		    o != NULL ? o->name : outcome,
		    pw != NULL         ? pw->name
		    : power[0] != '\0' ? power
		                       : cw(r, C_NO_POWER),
		    cborread_int(s, "set_aside_fine_yuan", 0));
	} else {
		page_text(p, note);
		return;
	}
	page_text(p, text);
}

/* 1 if s (a URL value) is short printable ASCII or UTF-8 without controls. */
static int
arg_ok(const char *s, size_t max)
{
	return s != NULL && strlen(s) < max && casemsg_text_ok(s, strlen(s), 0);
}

/* A page saying what was not done and why (text: the county's reason). */
static int case_id_of(const char *s, int64_t *id, const char **rest);

static void
refusal(struct request *r, struct reply *out, int status, const char *text)
{
	const char *id = request_field(r, "id"), *rest = NULL;
	int64_t n = 0;

	page_free(&out->body);
	out->status = status;
	frame_open(r, out, cw(r, C_REFUSED));
	page_raw(&out->body, "<h1>");
	page_text(&out->body, cw(r, C_REFUSED));
	page_rawf(&out->body, " <small>(%d)</small></h1><p class=\"error\" id=\"error\">", status);
	page_text(&out->body, text);
	/* the way back to where the form was: its case (a step, a reassignment), or the
	 * report form; the browser's Back keeps what was typed */
	page_raw(&out->body, "</p><p><a class=\"button\" id=\"back\" href=\"");
	if ((strncmp(r->path, "/cases/", 7) == 0 && case_id_of(r->path + 7, &n, &rest) == 0) ||
	    (id != NULL && case_id_of(id, &n, &rest) == 0 && rest[0] == '\0'))
		page_rawf(&out->body, "/cases/%" PRId64, n);
	else if (strcmp(r->path, "/report") == 0)
		page_raw(&out->body, "/report");
	else
		page_raw(&out->body, "/cases");
	page_raw(&out->body, "\">");
	page_text(&out->body, cw(r, C_BACK));
	page_raw(&out->body, "</a></p>");
	frame_close(r, out);
}

/*
 * A form whose typed text holds a person's number (cases_field_with_number,
 * the rule every case request is held to) is refused here first, naming the
 * field as the person's form labels it, in their language: 1 when it was.
 * The log names the field, never the text.
 */
static int
refuse_number(struct request *r, struct reply *out, const struct case_request *rq)
{
	static const enum cword labels[CASES_FIELD_COUNT] = {
		[CASES_FIELD_NOTE] = C_NOTE,
		[CASES_FIELD_PLACE] = C_PLACE,
		[CASES_FIELD_VILLAGE] = C_VILLAGE,
		[CASES_FIELD_CODE] = C_CODE,
		[CASES_FIELD_KIND] = C_NOTE, /* not read: the kind's label is html.c's W_KIND */
		[CASES_FIELD_OUTCOME] = C_OUTCOME,
		[CASES_FIELD_POWER] = C_POWER,
		[CASES_FIELD_TOWNSHIP] = C_TO_TOWNSHIP,
	};
	enum cases_field field = cases_field_with_number(rq);
	char text[512];

	if (field == CASES_FIELD_NONE)
		return 0;
	log_info("refused %s to %s: %s holds what looks like a person's number", r->path,
	    r->who.identity, cases_field_key(field));
	snprintf(text, sizeof(text), cw(r, C_PERSON_NUMBER),
	    field == CASES_FIELD_KIND ? word(r->lang, W_KIND) : cw(r, labels[field]));
	refusal(r, out, MHD_HTTP_CONFLICT, text);
	return 1;
}

/* A step sent without what the county's rule says it needs (cases_step_needs): a note of
 * only spaces (the form's "required" lets them through), a file missing: said in the
 * person's language, 1 when it was. */
static int
refuse_missing(struct request *r, struct reply *out, const struct case_request *rq,
    const char *step)
{
	unsigned needs = cases_step_needs(step);

	if ((needs & CASES_NEEDS_NOTE) && cases_note_blank(rq->note)) {
		log_info("refused %s to %s: %s needs a note", r->path, r->who.identity, step);
		refusal(r, out, MHD_HTTP_CONFLICT, cw(r, C_NOTE_NEEDED));
		return 1;
	}
	if ((needs & CASES_NEEDS_FILE) && !CASEMSG_HAS(rq, CASEMSG_DATA)) {
		log_info("refused %s to %s: %s needs a file", r->path, r->who.identity, step);
		refusal(r, out, MHD_HTTP_CONFLICT, cw(r, C_FILE_NEEDED));
		return 1;
	}
	return 0;
}

/* A report the county could not route (cases_route, the rule cases_report routes by) or
 * whose kind is not in the catalogue (a form drawn before the county changed its files, a
 * phone's position outside the county's map): said in the person's language, 1 when it
 * was. */
static int
refuse_route(struct request *r, struct reply *out, const struct case_request *rq)
{
	const char *township, *by, *listed;
	char err[256], text[512];

	if (rq->kind[0] != '\0' && catalogue_kind(&r->set->catalogue, rq->kind) == NULL) {
		log_info("refused %s to %s: kind '%s' is not in the catalogue", r->path,
		    r->who.identity, rq->kind);
		snprintf(text, sizeof(text), cw(r, C_KIND_UNKNOWN), rq->kind);
		refusal(r, out, MHD_HTTP_CONFLICT, text);
		return 1;
	}
	switch (cases_route(&r->set->catalogue, rq, &township, &by, &listed, err, sizeof(err))) {
	case CASES_ROUTED:
		return 0;
	case CASES_ROUTE_OUTSIDE_MAP:
		snprintf(text, sizeof(text), cw(r, C_ROUTE_OUTSIDE_MAP), rq->lat, rq->lon);
		break;
	case CASES_ROUTE_NO_VILLAGE:
		snprintf(text, sizeof(text), "%s", cw(r, C_ROUTE_NO_VILLAGE));
		break;
	case CASES_ROUTE_UNKNOWN_VILLAGE:
		snprintf(text, sizeof(text), cw(r, C_ROUTE_UNKNOWN_VILLAGE), rq->village);
		break;
	}
	log_info("refused %s to %s: %s", r->path, r->who.identity, err);
	refusal(r, out, MHD_HTTP_CONFLICT, text);
	return 1;
}

/* A photo over the county's evidence_max_kb (the county library's own refusal, said
 * here in the person's language, with the limit): 1 when it was. */
static int
refuse_photo_size(struct request *r, struct reply *out, const struct case_request *rq)
{
	char text[512];
	int kb = r->set->county.evidence_max_kb;

	if (!CASEMSG_HAS(rq, CASEMSG_DATA) || rq->data_len <= (size_t)kb * 1024)
		return 0;
	log_info("refused %s to %s: a photo of %zu bytes, over evidence_max_kb %d", r->path,
	    r->who.identity, rq->data_len, kb);
	snprintf(text, sizeof(text), cw(r, C_PHOTO_TOO_BIG), kb);
	refusal(r, out, MHD_HTTP_CONFLICT, text);
	return 1;
}

/* A decision the catalogue does not allow (catalogue_check_decision, the rule cases_step
 * holds every door to), said in the person's language with the catalogue's own names of
 * the outcome and power chosen: 1 when it was. */
static int
refuse_decision(struct request *r, struct reply *out, const struct case_request *rq)
{
	static const enum cword words[] = {
		[CATALOGUE_NO_OUTCOMES] = C_DEC_NO_OUTCOMES,
		[CATALOGUE_UNKNOWN_OUTCOME] = C_DEC_UNKNOWN_OUTCOME,
		[CATALOGUE_NEEDS_FINE] = C_DEC_NEEDS_FINE,
		[CATALOGUE_TAKES_NO_FINE] = C_DEC_TAKES_NO_FINE,
		[CATALOGUE_NEEDS_POWER] = C_DEC_NEEDS_POWER,
		[CATALOGUE_UNKNOWN_POWER] = C_DEC_UNKNOWN_POWER,
		[CATALOGUE_POWER_MISMATCH] = C_DEC_POWER_MISMATCH,
	};
	const struct catalogue *cat = &r->set->catalogue;
	const struct catalogue_outcome *o = catalogue_outcome(cat, rq->outcome);
	const struct catalogue_power *pw = catalogue_power(cat, rq->power);
	enum catalogue_decision v;
	char err[256], text[512];

	if (strcmp(rq->step, "decide") != 0)
		return 0;
	v = catalogue_check_decision(cat, rq->outcome, rq->power,
	    CASEMSG_HAS(rq, CASEMSG_FINE) ? rq->fine : 0, err, sizeof(err));
	if (v == CATALOGUE_DECISION_OK)
		return 0;
	log_info("refused %s to %s: %s", r->path, r->who.identity, err);
	if (v == CATALOGUE_POWER_MISMATCH)
		snprintf(text, sizeof(text), cw(r, words[v]), pw != NULL ? pw->name : rq->power,
		    o != NULL ? o->name : rq->outcome);
	else
		snprintf(text, sizeof(text), cw(r, words[v]), o != NULL ? o->name : rq->outcome);
	refusal(r, out, MHD_HTTP_CONFLICT, text);
	return 1;
}

/* A step or report past the person's bound of 24 hours (writequota.h),
 * worded in their language: the setting and when to try again (the county's
 * English err when the bound cannot be read back). */
static void
day_bound_refusal(struct request *r, struct reply *out, const char *err)
{
	struct writequota_over over;
	struct county_db *db = web_db_take(r, 0);
	char text[512], until[TIMETEXT_MAX], why[256];

	if (writequota_refusal(db, r->who.identity, time_wall_ms(), &over, why, sizeof(why)) !=
	    COUNTY_BUSY) {
		county_pool_give(&r->web->pool, db);
		refusal(r, out, MHD_HTTP_TOO_MANY_REQUESTS, err);
		return;
	}
	county_pool_give(&r->web->pool, db);
	timetext_format(over.until_ms, TIMETEXT_PERSON, until);
	snprintf(text, sizeof(text),
	    cw(r,
	        strcmp(over.setting, "person_writes_day_max") == 0 ? C_DAY_WRITES : C_DAY_EVIDENCE),
	    over.bound, until);
	refusal(r, out, MHD_HTTP_TOO_MANY_REQUESTS, text);
}

/* The answer to a cases_result that is not CASES_DONE. */
static void
reply_result(struct request *r, struct reply *out, enum cases_result res, const char *err)
{
	char text[512];

	switch (res) {
	case CASES_NOT_FOUND:
		reply_error(r, out, MHD_HTTP_NOT_FOUND, W_NOT_FOUND, W_NOT_FOUND);
		return;
	case CASES_OUT_OF_SCOPE:
		log_info("refused %s %s to %s: a case outside the person's scope", "case", r->path,
		    r->who.identity);
		reply_error(r, out, MHD_HTTP_FORBIDDEN, W_FORBIDDEN, W_FORBIDDEN_TEXT);
		return;
	case CASES_REFUSED:
		refusal(r, out, MHD_HTTP_CONFLICT, err);
		return;
	case CASES_TOO_MANY: /* a report's limit, or a case's steps': said in the person's language
	                      */
		log_info("refused %s %s to %s: %s",
		    strcmp(r->path, "/report") == 0 ? "report" : "step", r->path, r->who.identity,
		    err);
		if (strcmp(r->path, "/report") == 0)
			snprintf(text, sizeof(text), cw(r, C_TOO_MANY_REPORTS),
			    r->set->county.report_max_per_hour);
		else
			snprintf(text, sizeof(text), cw(r, C_TOO_MANY_NOTES), CASES_NOTES_PER_HOUR);
		refusal(r, out, MHD_HTTP_TOO_MANY_REQUESTS, text);
		return;
	case CASES_DAY_BOUND:
		log_info("refused %s to %s: %s", r->path, r->who.identity, err);
		day_bound_refusal(r, out, err);
		return;
	case CASES_RID_REUSED: /* a form's key (form_rid) on what it said before, changed */
		log_info("refused %s to %s: %s", r->path, r->who.identity, err);
		refusal(r, out, MHD_HTTP_CONFLICT, cw(r, C_RID_REUSED));
		return;
	default:
		log_warnx("cases: %s", err);
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
		return;
	}
}

/* The case module's answer as CBOR, or NULL once the request has been
 * answered (its refusal, or a 500 for an answer that does not load).
 * Takes bytes, whatever comes. */
static cbor_item_t *
answer_of(struct request *r, struct reply *out, enum cases_result res, const char *err,
    uint8_t *bytes, size_t len)
{
	struct cbor_load_result lr;
	cbor_item_t *root;

	if (res != CASES_DONE) {
		free(bytes);
		reply_result(r, out, res, err);
		return NULL;
	}
	root = cbor_load(bytes, len, &lr);
	free(bytes);
	if (root == NULL)
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
	return root;
}

void
cases_nav(struct request *r, struct page *p)
{
	struct access_scope scope;

	if (access_decide(&r->who, ACCESS_CASES_READ, &scope)) {
		page_raw(p, "<a href=\"/cases\" id=\"nav-cases\">");
		page_text(p, cw(r, C_CASES));
		page_raw(p, "</a>");
	}
	if (access_decide(&r->who, ACCESS_CASES_REPORT, &scope)) {
		page_raw(p, "<a href=\"/report\" id=\"nav-report\">");
		page_text(p, cw(r, C_REPORT));
		page_raw(p, "</a>");
	}
}

/* ---- the list ---------------------------------------------------------------------- */

struct filter {
	enum cases_view view;
	const char *view_text, *severity, *township, *rule;
	const char *rule_code; /* rule, or the code of the report kind it names */
};

/* The filters in the URL; -1 when one cannot be read. */
static int
filter_of(const struct request *r, struct filter *f)
{
	memset(f, 0, sizeof(*f));
	f->view_text = request_arg(r, "view");
	f->severity = request_arg(r, "severity");
	f->township = request_arg(r, "township");
	f->rule = request_arg(r, "rule");
	if (f->view_text == NULL || f->view_text[0] == '\0')
		f->view_text = "open";
	if (cases_view_parse(f->view_text, &f->view) == -1)
		return -1;
	if (f->severity != NULL && f->severity[0] != '\0' && strcmp(f->severity, "alert") != 0 &&
	    strcmp(f->severity, "critical") != 0)
		return -1;
	if ((f->township != NULL && !arg_ok(f->township, CASEMSG_WORD)) ||
	    (f->rule != NULL && !arg_ok(f->rule, CASEMSG_NAME)))
		return -1;
	/* a report kind is found by the name people see as by its code */
	f->rule_code = f->rule;
	if (f->rule != NULL && f->rule[0] != '\0') {
		const struct catalogue_kind *k = catalogue_kind(&r->set->catalogue, f->rule);

		if (k != NULL)
			f->rule_code = k->code;
	}
	return 0;
}

/* text, or "" when it would not fit in size bytes (as cborread_text reads a case's text
 * into a buffer of that size) */
static const char *
fit(const char *text, size_t size)
{
	return strlen(text) < size ? text : "";
}

static void
filter_query(struct page *p, const struct filter *f)
{
	page_raw(p, "view=");
	page_url(p, f->view_text);
	page_raw(p, "&amp;severity=");
	page_url(p, f->severity);
	page_raw(p, "&amp;township=");
	page_url(p, f->township);
	page_raw(p, "&amp;rule=");
	page_url(p, f->rule);
}

/* The list's rows (the table body), most urgent first as cases_list_brief gives
 * them; -1 when the database failed. */
static int
list_rows(struct request *r, struct page *p, const struct filter *f)
{
	/* in the query, so that the page holds the first LIST_MAX cases that match, not
	 * those that match among the scope's first LIST_MAX */
	const struct cases_filter only = { f->severity, f->township, f->rule_code };
	struct county_db *db;
	struct cases_brief *rows;
	size_t n, i, shown = 0;
	char err[256];
	int rc;

	db = web_db_take(r, 1);
	rc = cases_list_brief(db, &r->scope, r->who.identity, f->view, &only, time_wall_ms(),
	    LIST_MAX, &rows, &n, err, sizeof(err));
	county_pool_give(&r->web->pool, db);
	if (rc == -1) {
		log_warnx("cases: %s", err);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const struct cases_brief *c = &rows[i];
		int critical = strcmp(c->severity, "critical") == 0;

		page_rawf(p, "<tr class=\"case %s%s\" data-case=\"%" PRId64 "\"><td>",
		    critical ? "critical" : "alert", c->overdue ? " overdue" : "", c->id);
		page_rawf(p, "<a class=\"caselink\" href=\"/cases/%" PRId64 "\">#%" PRId64 "</a>",
		    c->id, c->id);
		page_raw(p, "</td><td>");
		page_text(p, cw(r, critical ? C_CRITICAL : C_ALERT));
		page_raw(p, "</td><td class=\"state\">");
		page_text(p, action_word(r, fit(c->state, 16)));
		page_raw(p, "</td><td class=\"title\">");
		page_text(p, fit(c->title, CASEMSG_NOTE));
		page_raw(p, "</td><td>");
		page_text(p, township_name(r, fit(c->township, CASEMSG_WORD * 2)));
		page_raw(p, "</td><td>");
		due_values(r, p, c->overdue, c->overdue_s, c->due_ms);
		page_raw(p, "</td></tr>");
		shown++;
	}
	if (shown == 0) {
		page_raw(p, "<tr><td colspan=\"6\" id=\"nocases\">");
		page_text(p, cw(r, C_NO_CASES));
		page_raw(p, "</td></tr>");
	}
	free(rows);
	return 0;
}

static void
option(struct page *p, const char *value, const char *label, const char *current)
{
	page_raw(p, "<option value=\"");
	page_text(p, value);
	page_raw(p, current != NULL && strcmp(current, value) == 0 ? "\" selected>" : "\">");
	page_text(p, label);
	page_raw(p, "</option>");
}

/* The rule filter: any, each rule by its code and name, each report kind of the
 * catalogue by its name; current (a code) selected, and shown as it is when it is
 * none of them (a link made before the county changed its catalogue). */
static void
rule_options(struct request *r, struct page *p, const char *current)
{
	const struct catalogue *cat = &r->set->catalogue;
	const struct rule_name *n;
	char label[160];
	size_t i;

	page_raw(p, "<select name=\"rule\" id=\"rule\">");
	option(p, "", cw(r, C_ANY), current);
	for (n = rule_names; n->code != NULL; n++) {
		snprintf(label, sizeof(label), "%s %s", n->code, rule_word(r->lang, n->code));
		option(p, n->code, label, current);
	}
	for (i = 0; i < cat->nkinds; i++)
		option(p, cat->kinds[i].code, cat->kinds[i].name, current);
	if (current[0] != '\0' && rule_name_find(current) == NULL &&
	    catalogue_kind(cat, current) == NULL)
		option(p, current, current, current);
	page_raw(p, "</select>");
}

void
page_cases(struct request *r, struct reply *out)
{
	struct page *p = &out->body;
	struct filter f;
	size_t i;

	if (filter_of(r, &f) == -1) {
		reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, W_BAD_REQUEST);
		return;
	}
	frame_open(r, out, cw(r, C_CASES));
	page_raw(p, "<h1>");
	page_text(p, cw(r, C_CASES));
	page_raw(p, "</h1><form class=\"card filters\" method=\"get\" action=\"/cases\" "
	            "id=\"filters\"><label>");
	page_text(p, cw(r, C_VIEW));
	page_raw(p, "<select name=\"view\" id=\"view\">");
	option(p, "open", cw(r, C_OPEN), f.view_text);
	option(p, "mine", cw(r, C_MINE), f.view_text);
	option(p, "overdue", cw(r, C_OVERDUE), f.view_text);
	option(p, "all", cw(r, C_ALL), f.view_text);
	page_raw(p, "</select></label><label>");
	page_text(p, cw(r, C_SEVERITY));
	page_raw(p, "<select name=\"severity\" id=\"severity\">");
	option(p, "", cw(r, C_ANY), f.severity != NULL ? f.severity : "");
	option(p, "critical", cw(r, C_CRITICAL), f.severity);
	option(p, "alert", cw(r, C_ALERT), f.severity);
	page_raw(p, "</select></label><label>");
	page_text(p, word(r->lang, W_TOWNSHIP));
	page_raw(p, "<select name=\"township\" id=\"township\">");
	option(p, "", cw(r, C_ANY), f.township != NULL ? f.township : "");
	for (i = 0; i < r->web->map.township_count; i++) {
		const struct geo_township *t = &r->web->map.townships[i];

		if (access_scope_covers_case(&r->scope, t->code, NULL) ||
		    r->scope.reach == ACCESS_REACH_ALL)
			option(p, t->code, r->lang == LANG_EN ? t->name_en : t->name_zh,
			    f.township);
	}
	page_raw(p, "</select></label><label>");
	page_text(p, cw(r, C_RULE));
	rule_options(r, p, f.rule_code != NULL ? f.rule_code : "");
	page_raw(p, "</label><button type=\"submit\" id=\"filter\">");
	page_text(p, cw(r, C_FILTER));
	page_raw(p, "</button></form><section class=\"card\"><p class=\"hint\">");
	page_text(p, cw(r, C_LIVE));
	page_raw(p, "</p><div class=\"scroll\"><table class=\"cases\" id=\"cases\"><thead><tr><th>#"
	            "</th><th>");
	page_text(p, cw(r, C_SEVERITY));
	page_raw(p, "</th><th>");
	page_text(p, cw(r, C_STATE));
	page_raw(p, "</th><th>");
	page_text(p, cw(r, C_TITLE));
	page_raw(p, "</th><th>");
	page_text(p, word(r->lang, W_TOWNSHIP));
	page_raw(p, "</th><th>");
	page_text(p, cw(r, C_DUE));
	page_rawf(p, "</th></tr></thead><tbody id=\"caserows\" data-poll=\"%d\" data-rows=\"",
	    r->web->config.poll_s);
	page_raw(p, "/cases/rows?");
	filter_query(p, &f);
	page_raw(p, "\">");
	if (list_rows(r, p, &f) == -1) {
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
		return;
	}
	page_raw(p, "</tbody></table></div></section>");
	frame_close(r, out);
}

static void
page_rows(struct request *r, struct reply *out)
{
	struct filter f;

	if (filter_of(r, &f) == -1) {
		reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, W_BAD_REQUEST);
		return;
	}
	if (list_rows(r, &out->body, &f) == -1)
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
}

/* ---- one case ---------------------------------------------------------------------- */

/* The fill's weight over time as SVG: grams against seconds, the target
 * dashed, the moment the close was commanded marked. */
static void
curve_svg(struct request *r, struct page *p, const cbor_item_t *curve)
{
	const cbor_item_t *t = cborread_find(curve, "t_ms"), *g = cborread_find(curve, "grams");
	size_t n = count_of(t), i;
	double tmax = 1, gmax = (double)cborread_int(curve, "target_g", 0), x, y;
	int64_t cutoff = cborread_int(curve, "cutoff_ms", -1);
	const double W = 600, H = 260, L = 50, B = 30, T = 10, R = 10;

	if (n == 0 || count_of(g) != n) {
		page_raw(p, "<p id=\"nocurve\">");
		page_text(p, cw(r, C_NO_CURVE));
		page_raw(p, "</p>");
		return;
	}
	for (i = 0; i < n; i++) {
		const cbor_item_t *ti = item_at(t, i), *gi = item_at(g, i);
		double tv = cbor_isa_uint(ti) ? (double)cbor_get_int(ti) : 0;
		double gv = cbor_isa_uint(gi) ? (double)cbor_get_int(gi) : 0;

		tmax = fmax(tmax, tv);
		gmax = fmax(gmax, gv);
	}
	gmax = gmax <= 0 ? 1 : gmax * 1.1;
	page_rawf(p,
	    "<svg class=\"curve\" id=\"curve\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	    "xmlns=\"http://www.w3.org/2000/svg\"><title>",
	    W, H);
	page_text(p, cw(r, C_CURVE));
	page_rawf(p,
	    "</title><rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" class=\"frame\"/>",
	    L, T, W - L - R, H - T - B);
	for (i = 0; i <= 4; i++) { /* kg ticks */
		y = H - B - (H - T - B) * (double)i / 4;
		page_rawf(p,
		    "<line class=\"grid\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>"
		    "<text class=\"tick\" x=\"%.0f\" y=\"%.1f\">%.1f</text>",
		    L, W - R, y, y, L - 4, y + 4, gmax * (double)i / 4 / 1000);
	}
	page_rawf(p,
	    "<text class=\"tick\" x=\"%.0f\" y=\"%.0f\">0</text><text class=\"tick\" x=\"%.0f\" "
	    "y=\"%.0f\">%.0f s</text><text class=\"unit\" x=\"4\" y=\"%.0f\">kg</text>",
	    L, H - 10, W - R, H - 10, tmax / 1000, T + 10);
	if (cborread_int(curve, "target_g", 0) > 0) {
		y = H - B - (H - T - B) * (double)cborread_int(curve, "target_g", 0) / gmax;
		page_rawf(p,
		    "<line class=\"target\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>", L,
		    W - R, y, y);
	}
	if (cutoff >= 0) {
		x = L + (W - L - R) * (double)cutoff / tmax;
		page_rawf(p,
		    "<line class=\"cutoff\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\"/>", x,
		    x, T, H - B);
	}
	page_raw(p, "<polyline class=\"weight\" points=\"");
	for (i = 0; i < n; i++) {
		const cbor_item_t *ti = item_at(t, i), *gi = item_at(g, i);

		x = L + (W - L - R) * (cbor_isa_uint(ti) ? (double)cbor_get_int(ti) : 0) / tmax;
		y = H - B - (H - T - B) * (cbor_isa_uint(gi) ? (double)cbor_get_int(gi) : 0) / gmax;
		page_rawf(p, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
	page_raw(p, "\"/></svg>");
}

static void
dt(struct page *p, const char *label)
{
	page_raw(p, "<dt>");
	page_text(p, label);
	page_raw(p, "</dt><dd>");
}

/* The row label: map's key, when it has one, in a span of that id. */
static void
fact(struct page *p, const cbor_item_t *map, const char *key, const char *label, const char *id)
{
	char buf[CASEMSG_PLACE];

	cborread_text(map, key, buf, sizeof(buf));
	if (buf[0] == '\0')
		return;
	dt(p, label);
	page_rawf(p, "<span id=\"%s\">", id);
	page_text(p, buf);
	page_raw(p, "</span></dd>");
}

/* What the county made of a reported cylinder code (cases.h), and the code as kept. */
static void
code_fact(struct request *r, struct page *p, const cbor_item_t *c)
{
	static const struct {
		const char *check;
		enum cword verdict;
	} checks[] = {
		{ "signed", C_CODE_SIGNED },
		{ "invalid", C_CODE_INVALID },
		{ "unchecked", C_CODE_UNCHECKED },
		{ "serial", C_CODE_SERIAL },
		{ "unread", C_CODE_UNREAD },
	};
	char check[16], code[CASEMSG_CODE_TEXT];
	size_t i;

	cborread_text(c, "code_check", check, sizeof(check));
	cborread_text(c, "code", code, sizeof(code));
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (strcmp(checks[i].check, check) == 0)
			break;
	if (i == sizeof(checks) / sizeof(checks[0]) || code[0] == '\0')
		return;
	dt(p, cw(r, C_CODE_SHOWN));
	page_rawf(p, "<span id=\"code-check\" class=\"code-%s\">", check);
	page_text(p, cw(r, checks[i].verdict));
	page_raw(p, "</span><br><code id=\"code\" class=\"code\">");
	page_text(p, code);
	page_raw(p, "</code></dd>");
}

static void
case_facts(struct request *r, struct page *p, const cbor_item_t *root)
{
	const cbor_item_t *c = cborread_find(root, "case"), *st = cborread_find(root, "station");
	const cbor_item_t *buyer = cborread_find(root, "buyer");
	char buf[CASEMSG_PLACE], sev[16], state[16];
	int64_t overdue = cborread_int(c, "overdue", 0);

	cborread_text(c, "severity", sev, sizeof(sev));
	cborread_text(c, "state", state, sizeof(state));
	page_rawf(p, "<section class=\"card casehead %s%s\"><h1>",
	    strcmp(sev, "critical") == 0 ? "critical" : "alert", overdue ? " overdue" : "");
	page_rawf(p, "#%" PRId64 " ", cborread_int(c, "id", 0));
	page_raw(p, "<span id=\"title\">");
	field_text(p, c, "title");
	page_raw(p, "</span></h1><dl id=\"facts\">");
	dt(p, cw(r, C_STATE));
	page_raw(p, "<span id=\"state\" data-state=\"");
	page_text(p, state);
	page_raw(p, "\">");
	page_text(p, action_word(r, state));
	page_raw(p, "</span></dd>");
	dt(p, cw(r, C_SEVERITY));
	page_text(p, cw(r, strcmp(sev, "critical") == 0 ? C_CRITICAL : C_ALERT));
	page_raw(p, "</dd>");
	dt(p, word(r->lang, W_TOWNSHIP));
	cborread_text(c, "township", buf, sizeof(buf));
	page_text(p, township_name(r, buf));
	page_raw(p, "</dd>");
	dt(p, cw(r, C_DUE));
	due_text(r, p, c);
	page_raw(p, "</dd>");
	dt(p, cw(r, C_RULE));
	cborread_text(c, "kind", buf, sizeof(buf));
	{
		/* a report kind by the catalogue's name, its code beside it; a rule by its code
		 * and its name */
		const struct catalogue_kind *k = catalogue_kind(&r->set->catalogue, buf);
		const char *rule = rule_word(r->lang, buf);

		page_raw(p, "<span id=\"case-rule\">");
		if (k != NULL && strcmp(k->name, buf) != 0) {
			page_text(p, k->name);
			page_raw(p, " (");
			page_text(p, buf);
			page_raw(p, ")");
		} else {
			page_text(p, buf);
			if (rule != NULL) {
				page_raw(p, " ");
				page_text(p, rule);
			}
		}
		page_raw(p, "</span>");
	}
	page_raw(p, "</dd>");
	fact(p, c, "officer", cw(r, C_OFFICER), "officer");
	fact(p, c, "reporter", cw(r, C_REPORTER), "reporter");
	fact(p, c, "village", cw(r, C_VILLAGE), "village");
	fact(p, c, "place", cw(r, C_PLACE), "place");
	cborread_text(c, "lat", buf, sizeof(buf));
	if (buf[0] != '\0') {
		dt(p, cw(r, C_LOCATION));
		page_raw(p, "<span id=\"latlon\">");
		page_text(p, buf);
		cborread_text(c, "lon", buf, sizeof(buf));
		page_raw(p, ", ");
		page_text(p, buf);
		page_raw(p, "</span></dd>");
	}
	if (st != NULL && cbor_isa_map(st)) {
		dt(p, word(r->lang, W_STATION));
		page_raw(p, "<span id=\"station\">");
		field_text(p, st, "id");
		page_raw(p, "</span> · ");
		cborread_text(st, "township", buf, sizeof(buf));
		page_text(p, township_name(r, buf));
		page_raw(p, " · ");
		page_text(p, word(r->lang, W_LAST_HEARTBEAT));
		page_raw(p, " ");
		if (cborread_int(st, "last_seen_ms", 0) > 0)
			time_text(p, cborread_int(st, "last_seen_ms", 0));
		else
			page_text(p, word(r->lang, W_NEVER));
		page_raw(p, "</dd>");
		/* from the county's register (gascounty station set) */
		if (cborread_int(st, "registered", 0) == 0) {
			dt(p, cw(r, C_STATION_NAME));
			page_raw(p, "<span id=\"station-name\" class=\"note\">");
			page_text(p, cw(r, C_UNREGISTERED));
			page_raw(p, "</span></dd>");
		} else {
			fact(p, st, "name", cw(r, C_STATION_NAME), "station-name");
			fact(p, st, "address", cw(r, C_ADDRESS), "station-address");
		}
	}
	fact(p, c, "cylinder", word(r->lang, W_CYLINDER), "cylinder");
	code_fact(r, p, c);
	if (buyer != NULL && cbor_isa_map(buyer)) {
		dt(p, word(r->lang, W_BUYER));
		page_raw(p, "<span id=\"buyer\">");
		field_text(p, buyer, "masked");
		page_raw(p, "</span></dd>");
		cborread_text(buyer, "township", buf, sizeof(buf));
		if (buf[0] != '\0') {
			dt(p, cw(r, C_BUYER_TOWNSHIP));
			page_text(p, township_name(r, buf));
			page_raw(p, "</dd>");
		}
		/* only an officer of the buyer's township gets it (casedetail.h) */
		cborread_text(buyer, "address", buf, sizeof(buf));
		if (buf[0] != '\0') {
			dt(p, cw(r, C_BUYER_ADDRESS));
			page_raw(p, "<span id=\"buyer-address\">");
			page_text(p, buf);
			page_raw(p, "</span></dd>");
		} else if (cborread_bool(buyer, "address_erased", 0)) {
			/* erased after its keep time (buyeraddr.h): said, so none is looked for */
			dt(p, cw(r, C_BUYER_ADDRESS_TITLE));
			page_raw(p, "<span id=\"buyer-address-erased\" class=\"note\">");
			page_text(p, cw(r, C_ADDRESS_ERASED));
			page_raw(p, "</span></dd>");
		}
	}
	{
		/* a regulator's: every showing of the buyer's address */
		const cbor_item_t *views = cborread_find(root, "address_views");
		size_t i;

		if (views != NULL && cbor_isa_array(views) && cbor_array_size(views) > 0) {
			dt(p, cw(r, C_ADDRESS_VIEWS));
			page_raw(p, "<ul id=\"address-views\">");
			for (i = 0; i < cbor_array_size(views); i++) {
				const cbor_item_t *v = cbor_array_handle(views)[i];

				page_raw(p, "<li>");
				field_text(p, v, "identity");
				page_raw(p, " · ");
				time_text(p, cborread_int(v, "at_ms", 0));
				page_raw(p, "</li>");
			}
			page_raw(p, "</ul></dd>");
		}
	}
	cborread_text(c, "outcome", buf, sizeof(buf));
	if (buf[0] != '\0') {
		const struct catalogue_outcome *o = catalogue_outcome(&r->set->catalogue, buf);

		const struct catalogue_power *pw;
		char power[64], yuan[64];

		dt(p, cw(r, C_OUTCOME));
		page_raw(p, "<span id=\"outcome\">");
		page_text(p, o != NULL ? o->name : buf);
		if (cborread_int(c, "fine_yuan", 0) > 0) {
			snprintf(yuan, sizeof(yuan), cw(r, C_YUAN),
			    cborread_int(c, "fine_yuan", 0));
			page_raw(p, " · ");
			page_text(p, yuan);
		}
		page_raw(p, "</span></dd>");
		/* the power it was decided under: the township's own, named as the catalogue does
		 */
		cborread_text(c, "power", power, sizeof(power));
		if (power[0] != '\0') {
			pw = catalogue_power(&r->set->catalogue, power);
			dt(p, cw(r, C_POWER));
			page_raw(p, "<span id=\"decision-power\">");
			page_text(p, pw != NULL ? pw->name : power);
			page_raw(p, " (");
			page_text(p, power);
			page_raw(p, ")</span></dd>");
		}
	}
	page_raw(p, "</dl></section>");
}

/* One step of a case's timeline, with its evidence (of ev, the ones of this step). */
static void
step_item(struct request *r, struct page *p, const cbor_item_t *s, const cbor_item_t *ev,
    int64_t id)
{
	int64_t sid = cborread_int(s, "id", 0);
	char action[32], type[64], hash[72], who[ACCESS_MAX_IDENTITY];
	size_t j;

	cborread_text(s, "action", action, sizeof(action));
	page_rawf(p, "<li id=\"step-%" PRId64 "\" class=\"step step-", sid);
	page_url(p, action);
	page_raw(p, "\"><div class=\"when\">");
	time_text(p, cborread_int(s, "at_ms", 0));
	page_raw(p, " · ");
	/* the county's own steps (routing, escalation, joins) by the county's name */
	cborread_text(s, "identity", who, sizeof(who));
	page_text(p, strcmp(who, "county") == 0 ? cw(r, C_THE_COUNTY) : who);
	page_raw(p, "</div><div class=\"what\">");
	page_text(p, action_word(r, action));
	page_raw(p, "</div><div class=\"note\">");
	step_words(r, p, s, action);
	page_raw(p, "</div>");
	for (j = 0; j < count_of(ev); j++) {
		const cbor_item_t *e = item_at(ev, j);

		if (cborread_int(e, "step", -1) != sid)
			continue;
		cborread_text(e, "type", type, sizeof(type));
		cborread_text(e, "hash", hash, sizeof(hash));
		page_rawf(p, "<a class=\"evidence\" href=\"/cases/%" PRId64 "/evidence/", id);
		page_url(p, hash);
		page_raw(p, "\">");
		if (strncmp(type, "image/", 6) == 0) {
			page_rawf(p,
			    "<img class=\"photo\" alt=\"\" src=\"/cases/%" PRId64 "/evidence/", id);
			page_url(p, hash);
			page_raw(p, "\">");
		} else {
			field_text(p, e, "name");
		}
		page_raw(p, "</a>");
	}
	page_raw(p, "</li>");
}

/*
 * A case's timeline.  A station's alerts about one cylinder (or buyer, or the station
 * itself) join its open case for as long as they keep coming, each a step with its text:
 * listed all, one batch of a station's violations made the page larger than PAGE_MAX, and
 * the case could no longer be opened in the console at all.  So did one officer's 200
 * comments of 4,000 quote marks.  The county's answer (cases_show) lists every step that
 * moves the case, the first and newest CASES_SHOWN_JOINS joins and the first and newest
 * CASES_SHOWN_NOTES comments and attachments; those between are counted where they fall,
 * the comments with a link to read them (/cases/ID/steps).
 */
static void
timeline(struct request *r, struct page *p, const cbor_item_t *root, int64_t id)
{
	const cbor_item_t *steps = cborread_find(root, "steps"),
	                  *ev = cborread_find(root, "evidence");
	int64_t left = cborread_int(root, "joins_left_out", 0),
	        notes = cborread_int(root, "steps_left_out", 0),
	        after = cborread_int(root, "steps_left_out_after", 0);
	size_t i, join = 0;
	char action[32];

	page_raw(p, "<section class=\"card\"><h2>");
	page_text(p, cw(r, C_TIMELINE));
	page_raw(p, "</h2><ol class=\"timeline\" id=\"timeline\">");
	for (i = 0; i < count_of(steps); i++) {
		const cbor_item_t *s = item_at(steps, i);

		cborread_text(s, "action", action, sizeof(action));
		if (strcmp(action, "join") == 0 && ++join == CASES_SHOWN_JOINS + 1 && left > 0)
			page_rawf(p,
			    "<li class=\"step step-folded\" id=\"joins-folded\">"
			    "<div class=\"what\">%" PRId64 " %s</div></li>",
			    left, cw(r, C_JOINS_FOLDED));
		step_item(r, p, s, ev, id);
		if (notes > 0 && cborread_int(s, "id", 0) == after) {
			page_rawf(p,
			    "<li class=\"step step-folded\" id=\"steps-folded\">"
			    "<div class=\"what\">%" PRId64 " %s · <a id=\"steps-folded-link\" "
			    "href=\"/cases/%" PRId64 "/steps?after=%" PRId64 "\">",
			    notes, cw(r, C_STEPS_FOLDED), id, after);
			page_text(p, cw(r, C_STEPS_READ));
			page_raw(p, "</a></div></li>");
		}
	}
	page_raw(p, "</ol></section>");
}

/*
 * /cases/ID/steps?after=STEP: the case's steps after STEP (0: from the first), every kind,
 * CASES_STEPS_PAGE a page, with a link to the next page: what the case's page left out.
 * The county's cases_steps decides, as cases_show does, whether the case is the person's to
 * read; the route is the case page's (cases.read).
 */
static void
page_case_steps(struct request *r, struct reply *out, int64_t id)
{
	const char *arg = request_arg(r, "after");
	struct county_db *db;
	enum cases_result res;
	cbor_item_t *root;
	const cbor_item_t *steps, *ev;
	struct page *p = &out->body;
	uint8_t *bytes = NULL;
	char err[256], title[96], *end;
	int64_t after = 0, last;
	size_t len, i;

	if (arg != NULL && arg[0] != '\0') {
		errno = 0;
		after = strtoll(arg, &end, 10);
		if (*end != '\0' || errno != 0 || after < 0 || arg[0] == '-' || arg[0] == '+') {
			reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, W_BAD_REQUEST);
			return;
		}
	}
	db = web_db_take(r, 1);
	res = cases_steps(db, &r->scope, id, after, &bytes, &len, err, sizeof(err));
	county_pool_give(&r->web->pool, db);
	if ((root = answer_of(r, out, res, err, bytes, len)) == NULL)
		return;
	steps = cborread_find(root, "steps");
	ev = cborread_find(root, "evidence");
	snprintf(title, sizeof(title), "%s #%" PRId64 " · %s", cw(r, C_CASE), id,
	    cw(r, C_TIMELINE));
	frame_open(r, out, title);
	page_raw(p, "<div class=\"casepage\"><section class=\"card\"><h2>");
	page_text(p, cw(r, C_STEPS_TITLE));
	page_rawf(p, "</h2><p><a id=\"steps-back\" href=\"/cases/%" PRId64 "\">", id);
	page_text(p, cw(r, C_STEPS_BACK));
	page_rawf(p, " #%" PRId64 "</a></p><ol class=\"timeline\" id=\"steps\">", id);
	for (i = 0; i < count_of(steps); i++)
		step_item(r, p, item_at(steps, i), ev, id);
	page_raw(p, "</ol>");
	last = count_of(steps) > 0 ? cborread_int(item_at(steps, count_of(steps) - 1), "id", 0)
	                           : after;
	if (cborread_bool(root, "more", 0)) {
		page_rawf(p,
		    "<p><a id=\"steps-next\" href=\"/cases/%" PRId64 "/steps?after=%" PRId64 "\">",
		    id, last);
		page_text(p, cw(r, C_STEPS_MORE));
		page_raw(p, "</a></p>");
	} else {
		page_raw(p, "<p class=\"note\" id=\"steps-end\">");
		page_text(p, cw(r, C_STEPS_NONE));
		page_raw(p, "</p>");
	}
	page_raw(p, "</section></div>");
	frame_close(r, out);
	cbor_decref(&root);
}

static void
fill_tables(struct request *r, struct page *p, const cbor_item_t *root)
{
	const cbor_item_t *fill = cborread_find(root, "fill"),
	                  *fills = cborread_find(root, "fills"),
	                  *hist = cborread_find(root, "history");
	size_t i;

	if (fill != NULL && cbor_isa_map(fill)) {
		page_raw(p, "<section class=\"card\"><h2>");
		page_text(p, cw(r, C_CURVE));
		page_raw(p, "</h2><p>");
		time_text(p, cborread_int(fill, "started_ms", 0));
		page_rawf(p, " · %s %.2f / %.2f kg · ", word(r->lang, W_NET_KG),
		    cborread_real(fill, "net_kg", 0), cborread_real(fill, "target_kg", 0));
		field_text(p, fill, "result");
		page_raw(p, "</p>");
		curve_svg(r, p, cborread_find(fill, "curve"));
		page_raw(p, "</section>");
	}
	if (count_of(fills) > 0) {
		page_raw(p, "<section class=\"card\"><h2>");
		page_text(p, cw(r, C_FILLS));
		page_rawf(p,
		    "</h2><div class=\"scroll\"><table id=\"fills\"><thead><tr><th>%s</th><th>%s"
		    "</th><th>%s</th><th>%s</th></tr></thead><tbody>",
		    word(r->lang, W_TIME), word(r->lang, W_STATION), word(r->lang, W_NET_KG),
		    word(r->lang, W_RESULT));
		for (i = 0; i < count_of(fills); i++) {
			const cbor_item_t *f = item_at(fills, i);

			page_raw(p, "<tr><td>");
			time_text(p, cborread_int(f, "started_ms", 0));
			page_raw(p, "</td><td>");
			field_text(p, f, "station");
			page_rawf(p, "</td><td>%.2f</td><td>", cborread_real(f, "net_kg", 0));
			field_text(p, f, "result");
			page_raw(p, "</td></tr>");
		}
		page_raw(p, "</tbody></table></div></section>");
	}
	if (count_of(hist) > 0) {
		page_raw(p, "<section class=\"card\"><h2>");
		page_text(p, cw(r, C_HISTORY));
		page_rawf(p,
		    "</h2><div class=\"scroll\"><table id=\"history\"><thead><tr><th>%s</th>"
		    "<th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
		    word(r->lang, W_TIME), word(r->lang, W_STATUS),
		    word(r->lang, W_NEXT_INSPECTION), word(r->lang, W_OWNER));
		/* the newest changes are listed; those before them counted, where they fall */
		if (cborread_int(root, "history_left_out", 0) > 0)
			page_rawf(p,
			    "<tr id=\"history-folded\"><td colspan=\"4\">%" PRId64 " %s</td></tr>",
			    cborread_int(root, "history_left_out", 0), cw(r, C_HISTORY_FOLDED));
		for (i = 0; i < count_of(hist); i++) {
			const cbor_item_t *h = item_at(hist, i);

			page_raw(p, "<tr><td>");
			time_text(p, cborread_int(h, "changed_ms", 0));
			page_raw(p, "</td><td>");
			field_text(p, h, "status");
			page_raw(p, "</td><td>");
			field_text(p, h, "next_inspection");
			page_raw(p, "</td><td>");
			field_text(p, h, "owner");
			page_raw(p, "</td></tr>");
		}
		page_raw(p, "</tbody></table></div></section>");
	}
}

/*
 * A case form's request key: a fresh rid for each form drawn, sent back
 * with it, so that the form submitted twice (a double tap, a reload that
 * posts again, a retry after a lost answer) is taken once (cases.h).
 */
static void
form_rid(struct page *p)
{
	struct case_request k;

	memset(&k, 0, sizeof(k));
	if (casemsg_new_rid(&k) == -1)
		return; /* no key: the county's content checks still catch a plain resend */
	page_rawf(p, "<input type=\"hidden\" name=\"rid\" value=\"%s\">", k.rid);
}

/* The opening of one step's form. */
static void
step_form(struct request *r, struct page *p, int64_t id, const char *step, enum cword title)
{
	page_rawf(p,
	    "<form class=\"card step\" method=\"post\" enctype=\"multipart/form-data\" "
	    "action=\"/cases/%" PRId64 "/step\" id=\"form-%s\"><h3>",
	    id, step);
	page_text(p, cw(r, title));
	page_raw(p, "</h3><input type=\"hidden\" name=\"csrf\" value=\"");
	page_text(p, r->session.csrf);
	page_rawf(p, "\"><input type=\"hidden\" name=\"step\" value=\"%s\">", step);
	form_rid(p);
}

/* One labelled control of a step's form; control is a format taking the
 * step's name and " required" or "". */
static void
step_field(struct request *r, struct page *p, enum cword label, const char *control,
    const char *step, int required)
{
	page_raw(p, "<label>");
	page_text(p, cw(r, label));
	page_rawf(p, control, step, required ? " required" : "");
	page_raw(p, "</label>");
}

#define NOTE "<textarea name=\"note\" id=\"note-%s\" rows=\"3\" maxlength=\"1300\"%s></textarea>"
/* required as the county's rule says (cases_step_needs) */
#define step_note(r, p, step)                                                                      \
	step_field(r, p, C_NOTE, NOTE, step, (cases_step_needs(step) & CASES_NEEDS_NOTE) != 0)

/* A photo from the camera, with the county's limit (evidence_max_kb) for cases.js, which
 * sends a larger one as a JPEG scaled down to fit. */
static void
step_photo(struct request *r, struct page *p, const char *step)
{
	int required = (cases_step_needs(step) & CASES_NEEDS_FILE) != 0;

	page_raw(p, "<label>");
	page_text(p, cw(r, C_PHOTO));
	page_rawf(p,
	    "<input type=\"file\" name=\"photo\" id=\"photo-%s\" accept=\"image/jpeg,image/png\" "
	    "capture=\"environment\" data-max=\"%d\"%s>",
	    step, r->set->county.evidence_max_kb * 1024, required ? " required" : "");
	page_raw(p, "</label>");
}

static void
step_end(struct request *r, struct page *p, const char *step, enum cword label)
{
	page_rawf(p, "<button type=\"submit\" class=\"big\" id=\"do-%s\">", step);
	page_text(p, cw(r, label));
	page_raw(p, "</button></form>");
}

/* A regulator's form moving an open case to another township (the
 * county's decision, cases_reassign): shown only to whom access.h lets. */
static void
reassign_form(struct request *r, struct page *p, const cbor_item_t *root, int64_t id)
{
	struct access_scope all;
	char here[CASEMSG_WORD * 2];
	const char *t;
	size_t i;

	if (!access_decide(&r->who, ACCESS_CASES_REASSIGN, &all))
		return;
	cborread_text(cborread_find(root, "case"), "township", here, sizeof(here));
	page_raw(p, "<form class=\"card step\" method=\"post\" action=\"/cases/reassign\" "
	            "id=\"form-reassign\"><h3>");
	page_text(p, cw(r, C_REASSIGN));
	page_raw(p, "</h3><input type=\"hidden\" name=\"csrf\" value=\"");
	page_text(p, r->session.csrf);
	page_rawf(p, "\"><input type=\"hidden\" name=\"id\" value=\"%" PRId64 "\">", id);
	form_rid(p);
	page_raw(p, "<label>");
	page_text(p, cw(r, C_TO_TOWNSHIP));
	page_raw(p, "<select name=\"township\" id=\"reassign-township\" required>");
	for (i = 0; (t = catalogue_township(&r->set->catalogue, i)) != NULL; i++)
		if (strcmp(t, here) != 0)
			option(p, t, township_name(r, t), NULL);
	page_raw(p, "</select></label>");
	step_note(r, p, "reassign");
	step_end(r, p, "reassign", C_REASSIGN);
}

static void
step_forms(struct request *r, struct page *p, const cbor_item_t *root, int64_t id)
{
	const struct catalogue *cat = &r->set->catalogue;
	struct access_scope act;
	char state[16];
	size_t i;

	cborread_text(cborread_find(root, "case"), "state", state, sizeof(state));
	if (!access_decide(&r->who, ACCESS_CASES_ACT, &act) || strcmp(state, "closed") == 0 ||
	    strcmp(state, "dismissed") == 0)
		return;
	page_raw(p, "<div class=\"steps\" id=\"steps\">");
	if (strcmp(state, "new") == 0) {
		step_form(r, p, id, "accept", C_ACCEPT);
		step_note(r, p, "accept");
		step_end(r, p, "accept", C_ACCEPT);
	} else if (strcmp(state, "accepted") == 0) {
		step_form(r, p, id, "onsite", C_ONSITE);
		step_note(r, p, "onsite");
		step_photo(r, p, "onsite");
		step_end(r, p, "onsite", C_ONSITE);
	} else if (strcmp(state, "onsite") == 0) {
		step_form(r, p, id, "decide", C_DECIDE);
		page_raw(p, "<label>");
		page_text(p, cw(r, C_OUTCOME));
		page_raw(p, "<select name=\"outcome\" id=\"outcome\" required>");
		for (i = 0; i < cat->noutcomes; i++)
			option(p, cat->outcomes[i].code, cat->outcomes[i].name, NULL);
		page_raw(p, "</select></label><label>");
		page_text(p, cw(r, C_POWER));
		page_raw(p, "<select name=\"power\" id=\"power\">");
		option(p, "", "-", "");
		for (i = 0; i < cat->npowers; i++)
			option(p, cat->powers[i].code, cat->powers[i].name, NULL);
		page_raw(p, "</select></label><label>");
		page_text(p, cw(r, C_FINE));
		page_raw(p, "<input name=\"fine\" id=\"fine\" inputmode=\"numeric\" "
		            "pattern=\"[0-9]*\"></label>");
		step_note(r, p, "decide");
		step_end(r, p, "decide", C_DECIDE);
	} else if (strcmp(state, "decided") == 0) {
		step_form(r, p, id, "close", C_CLOSE);
		step_note(r, p, "close");
		step_end(r, p, "close", C_CLOSE);
	}
	step_form(r, p, id, "attach", C_ATTACH);
	step_photo(r, p, "attach");
	step_note(r, p, "attach");
	step_end(r, p, "attach", C_ATTACH);
	step_form(r, p, id, "comment", C_COMMENT);
	step_note(r, p, "comment");
	step_end(r, p, "comment", C_COMMENT);
	/* an escalated case is the county's to dismiss (cases_step) */
	if (strcmp(state, "decided") != 0 &&
	    (act.reach == ACCESS_REACH_ALL ||
	        cborread_int(cborread_find(root, "case"), "escalated_ms", 0) == 0)) {
		step_form(r, p, id, "dismiss", C_DISMISS);
		step_note(r, p, "dismiss");
		step_end(r, p, "dismiss", C_DISMISS);
	}
	reassign_form(r, p, root, id);
	page_raw(p, "</div>");
}

/* The number at the start of s (a case id), *rest after it; -1 if none. */
static int
case_id_of(const char *s, int64_t *id, const char **rest)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i >= 18)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || v <= 0)
		return -1;
	*id = v;
	*rest = s + i;
	return 0;
}

static void
page_evidence(struct request *r, struct reply *out, int64_t id, const char *hash)
{
	struct county_db *db;
	enum cases_result res;
	uint8_t *bytes = NULL;
	size_t len = 0, i;
	char type[64], err[256];

	for (i = 0; hash[i] != '\0'; i++)
		if (!((hash[i] >= '0' && hash[i] <= '9') || (hash[i] >= 'a' && hash[i] <= 'f')))
			break;
	if (i != 64 || hash[i] != '\0') {
		reply_error(r, out, MHD_HTTP_NOT_FOUND, W_NOT_FOUND, W_NOT_FOUND);
		return;
	}
	db = web_db_take(r, 1);
	res = cases_evidence(db, &r->scope, id, hash, &bytes, &len, type, sizeof(type), err,
	    sizeof(err));
	county_pool_give(&r->web->pool, db);
	if (res != CASES_DONE) {
		reply_result(r, out, res, err);
		return;
	}
	/* only what was checked to be a picture is shown as one */
	if (strcmp(type, "image/jpeg") == 0)
		out->content_type = "image/jpeg";
	else if (strcmp(type, "image/png") == 0)
		out->content_type = "image/png";
	else {
		out->content_type = "application/octet-stream";
		snprintf(out->disposition, sizeof(out->disposition),
		    "attachment; filename=\"evidence\"");
	}
	page_free(&out->body);
	out->body.buf = (char *)bytes;
	out->body.len = out->body.cap = len;
}

void
page_case(struct request *r, struct reply *out)
{
	struct county_db *db;
	const char *rest, *tail = r->path + strlen("/cases/");
	enum cases_result res;
	cbor_item_t *root;
	struct page *p = &out->body;
	uint8_t *bytes = NULL;
	char err[256], title[64];
	size_t len;
	int64_t id;

	if (strcmp(tail, "rows") == 0) {
		page_rows(r, out);
		return;
	}
	if (case_id_of(tail, &id, &rest) == -1) {
		reply_error(r, out, MHD_HTTP_NOT_FOUND, W_NOT_FOUND, W_NOT_FOUND);
		return;
	}
	if (strncmp(rest, "/evidence/", 10) == 0) {
		page_evidence(r, out, id, rest + 10);
		return;
	}
	if (strcmp(rest, "/steps") == 0) {
		page_case_steps(r, out, id);
		return;
	}
	if (rest[0] != '\0') {
		reply_error(r, out, MHD_HTTP_NOT_FOUND, W_NOT_FOUND, W_NOT_FOUND);
		return;
	}
	/* no snapshot: showing an officer a buyer's address writes its log row
	 * first (buyeraddr.h), committed before the page answers */
	db = web_db_take(r, 0);
	res = casedetail_get(db, &r->scope, &r->who, id, time_wall_ms(), &bytes, &len, err,
	    sizeof(err));
	county_pool_give(&r->web->pool, db);
	if ((root = answer_of(r, out, res, err, bytes, len)) == NULL)
		return;
	snprintf(title, sizeof(title), "%s #%" PRId64, cw(r, C_CASE), id);
	frame_open(r, out, title);
	page_raw(p, "<div class=\"casepage\">");
	case_facts(r, p, root);
	step_forms(r, p, root, id);
	timeline(r, p, root, id);
	fill_tables(r, p, root);
	page_raw(p, "</div>");
	frame_close(r, out);
	cbor_decref(&root);
}

/* ---- changes ------------------------------------------------------------------------ */

/* Copy form field name into out (size bytes) when present; -1 if it is
 * too long or not text of its kind (lines: a note). */
static int
take(const struct request *r, const char *name, char *out, size_t size, int lines,
    struct case_request *rq, enum casemsg_field f)
{
	const char *v = request_field(r, name);

	if (v == NULL || v[0] == '\0')
		return 0;
	if (strlen(v) >= size || !casemsg_text_ok(v, strlen(v), lines))
		return -1;
	str_copy(out, v, size);
	casemsg_set(rq, f);
	return 0;
}

/* The form's request key (form_rid) into rq when it has one: -1 when it is not
 * one (its text is the sender's: never logged nor shown). */
static int
take_rid(const struct request *r, struct case_request *rq)
{
	const char *v = request_field(r, "rid");

	if (v == NULL || v[0] == '\0')
		return 0;
	if (!casemsg_rid_ok(v, strlen(v)))
		return -1;
	str_copy(rq->rid, v, sizeof(rq->rid));
	casemsg_set(rq, CASEMSG_RID);
	return 0;
}

/* The photo sent with the form, its type read from its first bytes: 0 (or
 * no photo), -1 when it is not a JPEG or PNG. */
static int
take_photo(struct request *r, struct case_request *rq)
{
	static const uint8_t jpeg[] = { 0xff, 0xd8, 0xff },
	                     png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	const char *type;

	if (r->upload == NULL || r->upload_len == 0)
		return 0;
	if (r->upload_len > sizeof(png) && memcmp(r->upload, png, sizeof(png)) == 0)
		type = "image/png";
	else if (r->upload_len > sizeof(jpeg) && memcmp(r->upload, jpeg, sizeof(jpeg)) == 0)
		type = "image/jpeg";
	else
		return -1;
	str_copy(rq->type, type, sizeof(rq->type));
	/* the name is the person's phone's: kept as text, never used as a path (the county keeps
	 * one holding an ID number under a neutral name: store_evidence, cases.c) */
	str_copy(rq->file,
	    casemsg_text_ok(r->upload_name, strlen(r->upload_name), 0) && r->upload_name[0] != '\0'
	        ? r->upload_name
	        : (strcmp(type, "image/png") == 0 ? "photo.png" : "photo.jpg"),
	    sizeof(rq->file));
	rq->data = r->upload;
	rq->data_len = r->upload_len;
	casemsg_set(rq, CASEMSG_FILE);
	casemsg_set(rq, CASEMSG_TYPE);
	casemsg_set(rq, CASEMSG_DATA);
	return 0;
}

void
page_case_step(struct request *r, struct reply *out)
{
	struct county_db *db;
	const char *rest, *fine, *step = request_field(r, "step");
	struct case_request rq;
	enum cases_result res;
	char err[256], to[64], now[16], why[512];

	memset(&rq, 0, sizeof(rq));
	if (case_id_of(r->path + strlen("/cases/"), &rq.id, &rest) == -1 ||
	    strcmp(rest, "/step") != 0) {
		reply_error(r, out, MHD_HTTP_NOT_FOUND, W_NOT_FOUND, W_NOT_FOUND);
		return;
	}
	casemsg_set(&rq, CASEMSG_ID);
	if (step == NULL || !cases_step_known(step)) {
		reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, W_BAD_REQUEST);
		return;
	}
	str_copy(rq.step, step, sizeof(rq.step));
	casemsg_set(&rq, CASEMSG_STEP);
	fine = request_field(r, "fine");
	if (take(r, "note", rq.note, sizeof(rq.note), 1, &rq, CASEMSG_NOTE_F) == -1 ||
	    take(r, "outcome", rq.outcome, sizeof(rq.outcome), 0, &rq, CASEMSG_OUTCOME) == -1 ||
	    take(r, "power", rq.power, sizeof(rq.power), 0, &rq, CASEMSG_POWER) == -1 ||
	    take_rid(r, &rq) == -1) {
		reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, W_BAD_REQUEST);
		return;
	}
	/* what the field's pattern lets through on an old browser, or a client without it */
	if (fine != NULL && fine[0] != '\0' &&
	    (strspn(fine, "0123456789") != strlen(fine) || strlen(fine) > 9)) {
		log_info("refused %s to %s: a fine that is no whole number of yuan", r->path,
		    r->who.identity);
		refusal(r, out, MHD_HTTP_BAD_REQUEST, cw(r, C_FINE_NUMBER));
		return;
	}
	if (fine != NULL && fine[0] != '\0') {
		rq.fine = atoll(fine);
		casemsg_set(&rq, CASEMSG_FINE);
	}
	if (take_photo(r, &rq) == -1) {
		log_info("%s: case %" PRId64 ": a file that is not a JPEG or PNG refused",
		    r->who.identity, rq.id);
		refusal(r, out, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, cw(r, C_BAD_PHOTO));
		return;
	}
	if (refuse_missing(r, out, &rq, rq.step) || refuse_number(r, out, &rq) ||
	    refuse_decision(r, out, &rq) || refuse_photo_size(r, out, &rq))
		return;
	db = web_db_take(r, 0);
	res = cases_step(db, &r->set->catalogue, &r->scope, r->who.identity, &rq, time_wall_ms(),
	    err, sizeof(err));
	/* a page drawn before someone else moved the case on: say so, with its state now */
	if (res == CASES_REFUSED &&
	    cases_state(db, &r->scope, rq.id, now, sizeof(now), why, sizeof(why)) == CASES_DONE &&
	    !cases_step_fits(now, rq.step)) {
		county_pool_give(&r->web->pool, db);
		log_info("refused %s to %s: %s", r->path, r->who.identity, err);
		snprintf(why, sizeof(why), cw(r, C_STEP_STALE), action_word(r, now),
		    action_word(r, rq.step));
		refusal(r, out, MHD_HTTP_CONFLICT, why);
		return;
	}
	county_pool_give(&r->web->pool, db);
	if (res != CASES_DONE) {
		reply_result(r, out, res, err);
		return;
	}
	log_info("%s: case %" PRId64 ": %s%s", r->who.identity, rq.id, rq.step,
	    CASEMSG_HAS(&rq, CASEMSG_DATA) ? " (with a photo)" : "");
	snprintf(to, sizeof(to), "/cases/%" PRId64, rq.id);
	redirect(out, to);
}

void
page_case_reassign(struct request *r, struct reply *out)
{
	struct county_db *db;
	const char *id = request_field(r, "id"), *rest = NULL;
	struct case_request rq;
	enum cases_result res;
	char err[256], to[64], now[16], here[64], why[512];

	memset(&rq, 0, sizeof(rq));
	if (id == NULL || case_id_of(id, &rq.id, &rest) == -1 || rest[0] != '\0' ||
	    take(r, "township", rq.township, sizeof(rq.township), 0, &rq, CASEMSG_TOWNSHIP) == -1 ||
	    take(r, "note", rq.note, sizeof(rq.note), 1, &rq, CASEMSG_NOTE_F) == -1 ||
	    take_rid(r, &rq) == -1) {
		reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, W_BAD_REQUEST);
		return;
	}
	casemsg_set(&rq, CASEMSG_ID);
	/* only a township the county knows: a case sent nowhere is seen by no one */
	if (rq.township[0] != '\0' && !catalogue_township_listed(&r->set->catalogue, rq.township)) {
		refusal(r, out, MHD_HTTP_CONFLICT, cw(r, C_REASSIGN_UNKNOWN));
		return;
	}
	if (refuse_missing(r, out, &rq, "reassign") || refuse_number(r, out, &rq) ||
	    refuse_photo_size(r, out, &rq))
		return;
	db = web_db_take(r, 0);
	res = cases_reassign(db, &r->set->catalogue, r->who.identity, &rq, time_wall_ms(), err,
	    sizeof(err));
	/* a page drawn before the case was closed: say so, with its state now */
	if (res == CASES_REFUSED &&
	    cases_state(db, &r->scope, rq.id, now, sizeof(now), why, sizeof(why)) == CASES_DONE &&
	    !cases_step_fits(now, "reassign")) {
		county_pool_give(&r->web->pool, db);
		log_info("refused %s to %s: %s", r->path, r->who.identity, err);
		snprintf(why, sizeof(why), cw(r, C_STEP_STALE), action_word(r, now),
		    action_word(r, "reassign"));
		refusal(r, out, MHD_HTTP_CONFLICT, why);
		return;
	}
	/* a form drawn before another regulator moved it there */
	if (res == CASES_REFUSED &&
	    cases_township(db, &r->scope, rq.id, here, sizeof(here), why, sizeof(why)) ==
	        CASES_DONE &&
	    strcmp(here, rq.township) == 0) {
		county_pool_give(&r->web->pool, db);
		log_info("refused %s to %s: case %lld to %s: %s", r->path, r->who.identity,
		    (long long)rq.id, rq.township, err);
		snprintf(why, sizeof(why), cw(r, C_REASSIGN_SAME), township_name(r, rq.township));
		refusal(r, out, MHD_HTTP_CONFLICT, why);
		return;
	}
	county_pool_give(&r->web->pool, db);
	if (res != CASES_DONE) {
		reply_result(r, out, res, err);
		return;
	}
	log_info("%s: case %" PRId64 " reassigned to %s", r->who.identity, rq.id, rq.township);
	snprintf(to, sizeof(to), "/cases/%" PRId64, rq.id);
	redirect(out, to);
}

/* ---- the grid report --------------------------------------------------------------------- */

void
page_report_form(struct request *r, struct reply *out)
{
	const struct catalogue *cat = &r->set->catalogue;
	struct page *p = &out->body;
	size_t i;

	frame_open(r, out, cw(r, C_REPORT));
	page_raw(p, "<form class=\"card report\" method=\"post\" action=\"/report\" "
	            "enctype=\"multipart/form-data\" id=\"reportform\"><h1>");
	page_text(p, cw(r, C_REPORT));
	page_raw(p, "</h1><input type=\"hidden\" name=\"csrf\" value=\"");
	page_text(p, r->session.csrf);
	page_raw(p, "\">");
	form_rid(p);
	page_raw(p, "<label>");
	page_text(p, word(r->lang, W_KIND));
	page_raw(p, "<select name=\"kind\" id=\"kind\" required>");
	for (i = 0; i < cat->nkinds; i++) /* the county's report kinds (catalogue) */
		option(p, cat->kinds[i].code, cat->kinds[i].name, NULL);
	page_raw(p, "</select></label><label>");
	page_text(p, cw(r, C_VILLAGE));
	page_raw(p, "<select name=\"village\" id=\"village\" required>");
	for (i = 0; i < cat->nvillages; i++)
		option(p, cat->villages[i].village, cat->villages[i].village, NULL);
	page_raw(p, "</select></label><label>");
	page_text(p, cw(r, C_PLACE));
	page_raw(p, "<input name=\"place\" id=\"place\" maxlength=\"80\"></label><label>");
	page_text(p, cw(r, C_NOTE));
	page_raw(p, "<textarea name=\"note\" id=\"note\" rows=\"3\" maxlength=\"1300\" required>"
	            "</textarea></label><label>");
	page_text(p, cw(r, C_CODE));
	page_raw(p, "<input name=\"code\" id=\"code\" autocomplete=\"off\"></label>");
	step_photo(r, p, "report");
	page_raw(p, "<input type=\"hidden\" name=\"lat\" id=\"lat\"><input type=\"hidden\" "
	            "name=\"lon\" id=\"lon\"><p class=\"hint\" id=\"where\">");
	page_text(p, cw(r, C_LOCATION));
	page_raw(p, ": ");
	page_text(p, cw(r, C_LOCATION_WAIT));
	page_raw(p, "</p><button type=\"submit\" class=\"big\" id=\"send\">");
	page_text(p, cw(r, C_SEND));
	page_raw(p, "</button></form>");
	frame_close(r, out);
}

/* A coordinate field: 0 absent, 1 read into *v, -1 unreadable or off the globe. */
static int
coordinate(const struct request *r, const char *name, double limit, double *v)
{
	const char *s = request_field(r, name);
	char *end;

	if (s == NULL || s[0] == '\0')
		return 0;
	*v = strtod(s, &end);
	if (*end != '\0' || !isfinite(*v) || fabs(*v) > limit)
		return -1;
	return 1;
}

void
page_report_post(struct request *r, struct reply *out)
{
	struct county_db *db;
	struct case_request rq;
	enum cases_result res;
	char err[256], to[64];
	int64_t id = 0;
	int la, lo;

	memset(&rq, 0, sizeof(rq));
	la = coordinate(r, "lat", 90, &rq.lat);
	lo = coordinate(r, "lon", 180, &rq.lon);
	if (take(r, "kind", rq.kind, sizeof(rq.kind), 0, &rq, CASEMSG_KIND) == -1 ||
	    take(r, "village", rq.village, sizeof(rq.village), 0, &rq, CASEMSG_VILLAGE) == -1 ||
	    take(r, "place", rq.place, sizeof(rq.place), 0, &rq, CASEMSG_PLACE_F) == -1 ||
	    take(r, "note", rq.note, sizeof(rq.note), 1, &rq, CASEMSG_NOTE_F) == -1 ||
	    take(r, "code", rq.code, sizeof(rq.code), 0, &rq, CASEMSG_CODE) == -1 ||
	    take_rid(r, &rq) == -1 || la == -1 || lo == -1 || la != lo) {
		reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, W_BAD_REQUEST);
		return;
	}
	if (la == 1) {
		casemsg_set(&rq, CASEMSG_LAT);
		casemsg_set(&rq, CASEMSG_LON);
	}
	if (take_photo(r, &rq) == -1) {
		refusal(r, out, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, cw(r, C_BAD_PHOTO));
		return;
	}
	/* what the form's required marks let through (a note of spaces), or a client
	 * without them: said in the person's words, as for a step */
	if (rq.kind[0] == '\0') {
		log_info("refused %s to %s: a report needs its kind", r->path, r->who.identity);
		refusal(r, out, MHD_HTTP_CONFLICT, cw(r, C_KIND_NEEDED));
		return;
	}
	if (refuse_missing(r, out, &rq, "report") || refuse_number(r, out, &rq) ||
	    refuse_photo_size(r, out, &rq) || refuse_route(r, out, &rq))
		return;
	db = web_db_take(r, 0);
	res = cases_report(db, &r->set->catalogue, r->who.identity, &rq, time_wall_ms(), &id, err,
	    sizeof(err));
	county_pool_give(&r->web->pool, db);
	if (res != CASES_DONE) {
		reply_result(r, out, res, err);
		return;
	}
	log_info("%s: report: case %" PRId64, r->who.identity, id);
	snprintf(to, sizeof(to), "/cases/%" PRId64, id);
	redirect(out, to);
}

/* ---- assets ---------------------------------------------------------------------------- */

const char cases_style[] =
    ".filters{display:grid;grid-template-columns:1fr 1fr;gap:0 .8rem;align-items:end}\n"
    ".filters button{margin:.5rem 0}\n"
    "@media (min-width:700px){.filters{grid-template-columns:repeat(5,1fr)}}\n"
    "code.code{word-break:break-all;font-size:.85em}\n"
    ".code-invalid{color:#c5221f;font-weight:bold}\n"
    "tr.case.critical td:first-child{border-left:4px solid #c5221f}\n"
    "tr.case.alert td:first-child{border-left:4px solid #e49b0f}\n"
    "tr.case.fresh{background:#fff6d6}\n"
    /* a phone: each case a small card, the title on a line of its own */
    "@media (max-width:600px){table.cases thead{display:none}"
    "table.cases tr{display:grid;grid-template-columns:auto auto 1fr;gap:.15rem .7rem;"
    "padding:.55rem .4rem;border-bottom:1px solid #e3e6ea}"
    "table.cases td{border:0;padding:0}table.cases td.title{grid-column:1/-1;font-weight:600}"
    "tr.case.critical{border-left:4px solid #c5221f}tr.case.alert{border-left:4px solid "
    "#e49b0f}tr.case.alert td:first-child,tr.case.critical td:first-child{border-left:0}}\n"
    ".late{color:#a40e0e}\n"
    ".casehead.critical{border-top:5px solid #c5221f}.casehead.alert{border-top:5px solid "
    "#e49b0f}\n"
    "textarea{display:block;width:100%;font:inherit;padding:.55rem;margin-top:.2rem;"
    "border:1px solid #b8c2cc;border-radius:.4rem}\n"
    "button.big{width:100%;padding:.9rem;font-size:1.1rem;margin-top:.4rem}\n"
    ".steps{display:grid;grid-template-columns:1fr;gap:0 1rem}\n"
    "@media (min-width:900px){.steps{grid-template-columns:repeat(3,1fr)}}\n"
    ".step h3{margin:0 0 .3rem;font-size:1rem}\n"
    ".timeline{list-style:none;padding:0;margin:0}\n"
    ".timeline li{border-left:3px solid #0b4f8a;padding:.2rem 0 .6rem .8rem;margin-left:.3rem}\n"
    ".timeline .when{font-size:.8rem;color:#55606b}.timeline .what{font-weight:600}\n"
    ".timeline .note{white-space:pre-wrap}\n"
    "img.photo{display:block;max-width:100%;max-height:16rem;margin:.3rem 0;border-radius:.3rem}\n"
    "svg.curve{display:block;width:100%;height:auto}\n"
    "svg.curve .frame{fill:#fafbfc;stroke:#b8c2cc}svg.curve .grid{stroke:#e3e6ea}\n"
    "svg.curve .tick,svg.curve .unit{font-size:12px;fill:#55606b;text-anchor:end}\n"
    "svg.curve .weight{fill:none;stroke:#0b4f8a;stroke-width:2.5}\n"
    "svg.curve .target{stroke:#1e8e3e;stroke-dasharray:6 4;stroke-width:1.5}\n"
    "svg.curve .cutoff{stroke:#c5221f;stroke-width:1.5}\n";

const char cases_script[] =
    "/* gasweb cases: new cases appear on the list without reloading; a report\n"
    " * carries the phone's location when the person allows it; a photo larger\n"
    " * than the county takes is sent as a JPEG scaled down to fit. */\n"
    "'use strict';\n"
    "(function () {\n"
    "  function poll(body) {\n"
    "    var every = parseInt(body.getAttribute('data-poll'), 10) || 5;\n"
    "    var seen = {}, last = null; /* last: the rows as the console last sent them */\n"
    "    body.querySelectorAll('tr[data-case]').forEach(function (tr) {\n"
    "      seen[tr.getAttribute('data-case')] = 1;\n"
    "    });\n"
    "    setInterval(function () {\n"
    "      fetch(body.getAttribute('data-rows'), {credentials: 'same-origin',\n"
    "          cache: 'no-store'}).then(function (r) {\n"
    "        /* the session is over (idle, signed out, its password changed):\n"
    "         * the page itself goes to the sign-in, not its form into the list */\n"
    "        if (r.redirected) { location.reload(); return null; }\n"
    "        return r.ok ? r.text() : null;\n"
    "      }).then(function (html) {\n"
    "        /* redrawn only when the list changed: a tap on a row is not lost\n"
    "         * to a redraw of the same rows, and new rows stay marked */\n"
    "        if (html === null || html === last) return;\n"
    "        last = html;\n"
    "        body.innerHTML = html; /* the console escaped every value */\n"
    "        body.querySelectorAll('tr[data-case]').forEach(function (tr) {\n"
    "          if (!seen[tr.getAttribute('data-case')]) tr.classList.add('fresh');\n"
    "          seen[tr.getAttribute('data-case')] = 1;\n"
    "        });\n"
    "      }).catch(function () {});\n"
    "    }, every * 1000);\n"
    "  }\n"
    "  function locate(form) {\n"
    "    if (!navigator.geolocation) return;\n"
    "    navigator.geolocation.getCurrentPosition(function (pos) {\n"
    "      form.querySelector('#lat').value = pos.coords.latitude.toFixed(6);\n"
    "      form.querySelector('#lon').value = pos.coords.longitude.toFixed(6);\n"
    "      var w = form.querySelector('#where');\n"
    "      if (w) w.textContent = pos.coords.latitude.toFixed(5) + ', ' +\n"
    "          pos.coords.longitude.toFixed(5);\n"
    "    }, function () {}, {enableHighAccuracy: true, timeout: 15000});\n"
    "  }\n"
    "  /* A phone's camera makes photos of several MB, more than the county keeps\n"
    "   * (evidence_max_kb, the input's data-max): drawn again as a JPEG, at most\n"
    "   * 2048 px on its long side and smaller until it fits.  A file the browser\n"
    "   * cannot draw goes as it is, and the console says why it is refused. */\n"
    "  function shrink(input) {\n"
    "    var max = parseInt(input.getAttribute('data-max'), 10), file = input.files[0];\n"
    "    if (!file || !max || file.size <= max || !window.createImageBitmap ||\n"
    "        !window.DataTransfer) return Promise.resolve(false);\n"
    "    return createImageBitmap(file).then(function (img) {\n"
    "      var side = Math.min(1, 2048 / Math.max(img.width, img.height)), q = 0.85;\n"
    "      function attempt(n) {\n"
    "        var c = document.createElement('canvas');\n"
    "        c.width = Math.max(1, Math.round(img.width * side));\n"
    "        c.height = Math.max(1, Math.round(img.height * side));\n"
    "        c.getContext('2d').drawImage(img, 0, 0, c.width, c.height);\n"
    "        return new Promise(function (done) {\n"
    "          c.toBlob(done, 'image/jpeg', q);\n"
    "        }).then(function (blob) {\n"
    "          if (blob && blob.size <= max) {\n"
    "            var dt = new DataTransfer();\n"
    "            dt.items.add(new File([blob], file.name.replace(/\\.[^.]*$/, '') + '.jpg',\n"
    "                {type: 'image/jpeg'}));\n"
    "            input.files = dt.files;\n"
    "            return true;\n"
    "          }\n"
    "          if (n >= 6) return false;\n"
    "          side *= 0.7;\n"
    "          q = Math.max(0.5, q - 0.1);\n"
    "          return attempt(n + 1);\n"
    "        });\n"
    "      }\n"
    "      return attempt(0);\n"
    "    }).catch(function () { return false; });\n"
    "  }\n"
    "  document.addEventListener('submit', function (e) {\n"
    "    var form = e.target, input = form.querySelector('input[type=file][data-max]');\n"
    "    if (!input || !input.files.length || form.getAttribute('data-shrunk')) return;\n"
    "    e.preventDefault();\n"
    "    form.setAttribute('data-shrunk', '1');\n"
    "    shrink(input).then(function () { form.submit(); });\n"
    "  });\n"
    "  document.addEventListener('DOMContentLoaded', function () {\n"
    "    var body = document.getElementById('caserows');\n"
    "    if (body) poll(body);\n"
    "    var form = document.getElementById('reportform');\n"
    "    if (form) locate(form);\n"
    "  });\n"
    "})();\n";
