/*
 * rulenames: the names of the station's and the county's rules
 * (rulenames.h).  A name says what the rule caught in a few words; the
 * sentence a record or alert carries says the rest.
 */
#include "rulenames.h"

#include <string.h>

#include "i18n.h"

const struct rule_name rule_names[] = {
	{ "R01", N_("cylinder code missing or not genuine"), "气瓶码缺失或验证不通过" },
	{ "R02", N_("cylinder not in the registry"), "气瓶未登记" },
	{ "R03", N_("another company's cylinder"), "非本企业气瓶" },
	{ "R04", N_("cylinder scrapped or retired"), "气瓶已报废或停用" },
	{ "R05", N_("inspection overdue"), "超期未检" },
	{ "R06", N_("past its service life"), "超过设计使用年限" },
	{ "R07", N_("no certified operator"), "无有效持证操作人员" },
	{ "R08", N_("no real-name buyer"), "未实名购气" },
	{ "R09", N_("empty weight differs from the tare"), "空瓶重量与皮重不符" },
	{ "R10", N_("filled again too soon"), "短时间内重复充装" },
	{ "R11", N_("buyer over the purchase limit"), "购气超量" },
	{ "R20", N_("overfilled"), "超量充装" },
	{ "R21", N_("short weight"), "充装量不足" },
	{ "R22", N_("fill took too long"), "充装超时" },
	{ "R23", N_("weight rose with the valve closed"), "关阀后重量上升" },
	{ "R24", N_("fill interrupted"), "充装中断" },
	{ "R25", N_("check-weigh failed"), "复称异常" },
	{ "C01", N_("cloned code: filled at two stations"), "疑似克隆码：两站充装" },
	{ "C02", N_("buyer over the limit across stations"), "跨站购气超量" },
	{ "C03", N_("station silent"), "充装站失联" },
	{ "C04", N_("records missing from a station"), "充装站记录缺失" },
	{ "C05", N_("cylinder not in the county registry"), "气瓶不在县级登记库" },
	{ "C06", N_("conflicting record resent"), "重发记录内容冲突" },
	{ "C07", N_("filled at a black point"), "黑气点充装" },
	{ "C08", N_("dispatched cylinder never delivered"), "配送气瓶去向不明" },
	{ "C09", N_("household over its limits"), "用户持瓶或购气超限" },
	{ "C10", N_("cylinder in use past its inspection"), "超期未检气瓶在用" },
	{ "C11", N_("scrapped cylinder in use"), "报废气瓶在用" },
	{ "C12", N_("inspection date beyond the cycle"), "下次检验日期超出检验周期" },
	{ "C13", N_("back from an inspection it was not sent to"), "未经送检的检验返回" },
	{ "C14", N_("station clock wrong"), "充装站时钟不准" },
	{ "C15", N_("more cylinders scrapped than the county's bound"), "报废气瓶超出县级限额" },
	{ "C16", N_("more records sent than the county's daily bound"), "上报记录超出每日限额" },
	{ "C17", N_("delivery device's event time out of order or too old"),
	    "配送终端事件时间倒序或过旧" },
	{ "C18", N_("more written by one person than the county's daily bound"),
	    "个人写入超出每日限额" },
	{ NULL, NULL, NULL },
};

const struct rule_name *
rule_name_find(const char *code)
{
	const struct rule_name *row;

	for (row = rule_names; code != NULL && row->code != NULL; row++)
		if (strcmp(row->code, code) == 0)
			return row;
	return NULL;
}
