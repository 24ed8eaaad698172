#!/bin/sh
# Operator messages in the operator's language (gettext, tools/po/zh_CN.po
# compiled into $BUILD/locale): with LANG=zh_CN.UTF-8 a refused fill
# through gasgw prints the rule code and the reason in Simplified Chinese,
# and gasctl's help, status and fills headers, watch, its operators and
# buyers commands' refusals and lists, a registry import's row rejections,
# gaswatch's help and gascounty's command line are Chinese; gasgw's
# replies follow each request's language (its reasons, written into the
# record, gasgw's own), and so are the words of a fill curve drawn as SVG by gasctl
# plot (the PNG stays English: its built-in font is ASCII); with LANG=C the
# same commands speak English.  Every message the sources mark with _() or
# N_() (gateway, gasctl, gaswatch, gastrace, gasprobe, gascounty) has a Chinese entry, and
# msgfmt --check passes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fill_lib.sh"

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	fail "locale zh_CN.UTF-8 exists (tools/deps.sh generates it)"
	finish
fi
check "the catalogue is in the build tree" test -f "$BUILD/locale/zh_CN/LC_MESSAGES/gasgw.mo"
check "msgfmt --check accepts tools/po/zh_CN.po" \
    msgfmt --check -o /dev/null "$PWD_TOP/tools/po/zh_CN.po"

# Every _() and N_() message of gasgw and every tool, the county's alert texts included (the
# curve picture's title; plot.c's words are in gateway/lib) has a translation.
(cd "$PWD_TOP" && xgettext --from-code=UTF-8 -k_ -kN_ --no-location -o "$T/all.pot" \
    gateway/*.c gateway/lib/*.c tools/*/*.c) 2>/dev/null
check "the plot's words are among the messages checked" \
    sh -c "grep -q '^msgid \"time (s)\"' '$T/all.pot' && grep -q 'station %s line %d' '$T/all.pot'"
check "the county's alert texts are among the messages checked (C03, C14)" \
    sh -c "grep -q '^msgid \"station %s silent since %s\"' '$T/all.pot' && grep -q 'its clock reads %s, %s behind' '$T/all.pot'"
msgmerge -q --no-fuzzy-matching -o "$T/merged.po" "$PWD_TOP/tools/po/zh_CN.po" "$T/all.pot"
msgattrib --untranslated --no-obsolete "$T/merged.po" | grep '^msgid "..*"' >"$T/untranslated"
if [ -s "$T/all.pot" ] && [ ! -s "$T/untranslated" ]; then
	ok "every operator message has a zh_CN translation"
else
	fail "every operator message has a zh_CN translation; missing:"
	sed 's/^/#   /' "$T/untranslated"
fi

ZH="LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR=$BUILD/locale"
EN="LANG=C LANGUAGE= LC_ALL= GAS_LOCALEDIR=$BUILD/locale"
zh() { env $ZH "$@"; }
en() { env $EN "$@"; }

# gasgw writes the rule reasons: start it in Chinese.
export LANG=zh_CN.UTF-8 LANGUAGE=zh_CN GAS_LOCALEDIR="$BUILD/locale"
fill_ready 1
unset LANGUAGE
export LANG=C

# Each request carries its operator's language ("lang", docs/control-protocol.md):
# gasgw speaks Chinese, an operator in the C locale is answered in English.
en "$BUILD/gasctl" -s "$T/gw.sock" stop 7 >"$T/en.noline" 2>&1
check "C gasctl, zh gasgw: no line 7, in English" grep -q '^gasctl: no line 7$' "$T/en.noline"
printf 'wrong-pin\n' | en "$BUILD/gasctl" -s "$T/gw.sock" login 1 OP-7 >"$T/en.pin" 2>&1
check "C gasctl, zh gasgw: a wrong PIN is refused in English" \
    grep -q '^gasctl: wrong PIN for operator OP-7 (4 more tries before a lock-out)$' "$T/en.pin"
# gasgw was started with LANGUAGE=zh_CN, which glibc's gettext reads before any
# locale but C: it must not outvote an operator whose locale is C.UTF-8
printf 'wrong-pin\n' | env LANG=C.UTF-8 LANGUAGE= LC_ALL= GAS_LOCALEDIR="$BUILD/locale" \
    "$BUILD/gasctl" -s "$T/gw.sock" login 1 OP-7 >"$T/cutf8.pin" 2>&1
check "C.UTF-8 gasctl, zh gasgw started with LANGUAGE=zh_CN: English all the same" \
    grep -q '^gasctl: wrong PIN for operator OP-7 (3 more tries before a lock-out)$' "$T/cutf8.pin"
# an operator whose language has no catalogue (French here) reads gasctl's own words in
# English, so gasgw's reply is English too, not gasgw's Chinese beside them
env LANG=C.UTF-8 LANGUAGE=fr_FR LC_ALL= GAS_LOCALEDIR="$BUILD/locale" \
    "$BUILD/gasctl" -s "$T/gw.sock" stop 7 >"$T/fr.noline" 2>&1
check "fr gasctl (no catalogue), zh gasgw: no line 7, in English" \
    grep -q '^gasctl: no line 7$' "$T/fr.noline"
# LANGUAGE=fr_FR:zh_CN: gettext reads the first entry it has a catalogue for, so
# gasctl's own words are Chinese, and it asks gasgw for the same
env LANG=C.UTF-8 LANGUAGE=fr_FR:zh_CN LC_ALL= GAS_LOCALEDIR="$BUILD/locale" \
    "$BUILD/gasctl" -s "$T/gw.sock" stop 7 >"$T/frzh.noline" 2>&1
check "LANGUAGE=fr_FR:zh_CN gasctl: no line 7, in Chinese from gasgw" \
    grep -q '^gasctl: 没有充装线 7$' "$T/frzh.noline"
printf '%s\n' "$OP_PIN" | en "$BUILD/gasctl" -s "$T/gw.sock" login 1 OP-7 >/dev/null 2>&1 ||
    fail "OP-7 logs in again"
# a refusal at the counter is a record's words: gasgw's language, whoever asks
en "$BUILD/gasctl" -s "$T/gw.sock" buyer 1 "$BUYER_BAD" >"$T/en.r08" 2>&1
check "C gasctl, zh gasgw: R08 at the counter in gasgw's Chinese, as recorded" \
    grep -q '^R08 购气人证件号码被拒绝：校验码错误（号码是否输错？）$' "$T/en.r08"

zh "$BUILD/gasctl" -s "$T/gw.sock" fill 1 --cylinder "$(code C-OVERDUE)" --buyer "$BUYER1" \
    --operator OP-7 >"$T/zh.refused" 2>&1
rc=$?
check "zh: a refused fill exits 3" [ "$rc" -eq 3 ]
check "zh: the refusal is announced in Chinese" grep -q '^拒绝充装$' "$T/zh.refused"
check "zh: R05 with its Chinese reason and the dates" \
    grep -q '^R05 定期检验已过期：上次检验 2021-03-02，应于 2025-03-02 前检验$' "$T/zh.refused"
zh "$BUILD/gasctl" -s "$T/gw.sock" fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER_BAD" \
    --operator OP-7 >"$T/zh.r08" 2>&1
check "zh: R08 with the Chinese reason of the identity check" \
    grep -q '^R08 购气人证件号码被拒绝：校验码错误（号码是否输错？）$' "$T/zh.r08"
zh "$BUILD/gasctl" -s "$T/gw.sock" fill 1 --cylinder "$(code C-GOOD-1)" --buyer "$BUYER1" \
    --operator OP-7 >"$T/zh.ok" 2>&1
check "zh: a good fill reports 合格 with net and target" \
    grep -q '^合格：净重 [0-9.]* kg（目标 14.900 kg） 充装记录 ' "$T/zh.ok"

# the good fill's curve: the SVG's words are Chinese, the PNG is drawn too
uuid=$(sql "SELECT uuid FROM fills WHERE cylinder = 'C-GOOD-1'")
TZ=Asia/Shanghai zh "$BUILD/gasctl" --db "$T/station.db" plot "$uuid" --out "$T/zh.svg" >"$T/zh.plot" 2>&1
check "zh: gasctl plot draws the SVG" grep -q '^<svg ' "$T/zh.svg"
check "zh: the SVG's legend is Chinese" sh -c "grep -q '>目标 14.90 kg<' '$T/zh.svg' &&
    grep -q '>关阀点 [0-9.]* kg（提前量 [0-9.]* kg）<' '$T/zh.svg' &&
    grep -q '>第 [0-9.]* 秒指令关阀<' '$T/zh.svg' && grep -q '>最终净重 [0-9.]* kg（[-+][0-9]* g）<' '$T/zh.svg'"
check "zh: the SVG's axes and zoom panel are Chinese" sh -c "grep -q '>时间（秒）<' '$T/zh.svg' &&
    grep -q '>净重（kg）<' '$T/zh.svg' && grep -q '>充装末段放大（净重 kg）<' '$T/zh.svg'"
check "zh: the SVG's title is Chinese, with the local time and the result word" \
    grep -Eq ">充装 $(printf '%.8s' "$uuid")，充装线 1，气瓶 C-GOOD-1，20[0-9-]+ [0-9:]+\+08:00，合格<" "$T/zh.svg"
check "zh: no English label left in the SVG" \
    sh -c "! grep -Eq '>(target|time|net|fill|final|cut-off|close|the end)[ (]' '$T/zh.svg'"
zh "$BUILD/gasctl" --db "$T/station.db" plot "$uuid" --out "$T/zh.png" >/dev/null 2>&1
check "zh: the PNG is drawn as well (its words stay English)" test -s "$T/zh.png"

zh "$BUILD/gasctl" --help >"$T/zh.help"
check "zh: gasctl --help is Chinese" grep -q '^用法：gasctl' "$T/zh.help"
check "zh: gasctl --help names the options in Chinese" grep -q '站点数据库' "$T/zh.help"
zh "$BUILD/gasctl" fill --help >"$T/zh.fillhelp"
check "zh: a command's help is Chinese" grep -q '退出码：0 合格或已标记' "$T/zh.fillhelp"
zh "$BUILD/gasctl" -s "$T/gw.sock" status >"$T/zh.status"
check "zh: status header in Chinese" grep -q '^站点 S1，已运行 [0-9]* 秒$' "$T/zh.status"
check "zh: status column headings in Chinese" grep -q '^线路 状态 *链路 *毛重 *净重 *目标 操作员' "$T/zh.status"
check "zh: status rows show the state and last result in Chinese, columns aligned" \
    grep -Eq '^1    (空闲  |已记录)        up +[0-9.-]+ +[0-9.-]+ +[0-9.-]+ OP-7 .* 合格$' "$T/zh.status"
zh "$BUILD/gasctl" -s "$T/gw.sock" fills >"$T/zh.fills"
check "zh: fills rows show the result in Chinese" grep -q ' 合格        $' "$T/zh.fills"
check "zh: fills column headings in Chinese" grep -q '^开始时间 *线路 气瓶 *购气人 *净重 结果 *规则$' "$T/zh.fills"
zh "$BUILD/gasctl" -s "$T/gw.sock" watch --once >"$T/zh.watch" </dev/null
check "zh: watch shows line states in Chinese" grep -Eq '^1 +(空闲|已记录)' "$T/zh.watch"
check "zh: watch shows the last result and who filled in Chinese" \
    grep -q '操作员 OP-7 .*上次： 合格 [0-9.]* kg' "$T/zh.watch"
zh "$BUILD/gasctl" frobnicate >/dev/null 2>"$T/zh.unknown"
check "zh: an unknown command is reported in Chinese" grep -q '^gasctl：未知命令“frobnicate”' "$T/zh.unknown"
zh "$BUILD/gasctl" -s "$T/nowhere.sock" status >/dev/null 2>"$T/zh.noconn"
check "zh: gasgw away is reported in Chinese" grep -q '^gasctl：无法连接 gasgw' "$T/zh.noconn"
zh "$BUILD/gaswatch" --help >"$T/zh.gaswatch"
check "zh: gaswatch --help is Chinese" grep -q '^用法：gaswatch' "$T/zh.gaswatch"
zh "$BUILD/gaswatch" --township 330825101 -k /dev/null ack x --note y >/dev/null 2>"$T/zh.gwbad"
check "zh: gaswatch's own errors are Chinese" grep -q '^gaswatch：告警编号必须是正整数$' "$T/zh.gwbad"
# gascounty's command line, for the county's administrator (its log stays English)
zh "$BUILD/gascounty" --help >"$T/zh.gascounty"
check "zh: gascounty --help is Chinese, its commands' summaries too" sh -c \
    "grep -q '^用法： gascounty \\[-c FILE\\] \\[-n\\]' '$T/zh.gascounty' &&
    grep -q '^  registry set       新增或修改县级登记档案中的一只气瓶$' '$T/zh.gascounty' &&
    grep -q '^退出状态：0 成功，1 出错，2 用法错误。$' '$T/zh.gascounty'"
check "... and its continued usage lines stay under the command, past the wider word" \
    grep -q '^                 \[--inspected YYYY-MM-DD\]' "$T/zh.gascounty"
printf 'township:330825101 %s\n' "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    >"$T/county.ids"
chmod 600 "$T/county.ids"
printf '[county]\ndatabase = %s\nidentities = %s\n' "$T/county.db" "$T/county.ids" \
    >"$T/county.conf"
zh "$BUILD/gascounty" -c "$T/county.conf" station set S9 --name '加油站' --address '龙游' \
    --township 330899999 >/dev/null 2>"$T/zh.stset"
check "zh: gascounty station set refuses a township not of the county in Chinese" \
    grep -q '^gascounty：station set S9：--township“330899999”：不是本县的乡镇' "$T/zh.stset"
zh "$BUILD/gascounty" -c "$T/county.conf" registry set C-GOOD-1 --inspected 2027-13-45 \
    >/dev/null 2>"$T/zh.regset"
check "zh: gascounty registry set refuses a date that is none in Chinese" \
    grep -q '^gascounty：日期格式为 YYYY-MM-DD$' "$T/zh.regset"
zh "$BUILD/gascounty" -c "$T/county.conf" -n >"$T/zh.check" 2>/dev/null
check "zh: gascounty -n says the configuration is good in Chinese" \
    grep -q '^配置无误（身份 1 个' "$T/zh.check"
en "$BUILD/gascounty" -c "$T/county.conf" station set S9 --name 'Station' --address 'Longyou' \
    --township 330899999 >/dev/null 2>"$T/en.stset"
check "C: the same refusal in English" \
    grep -q "^gascounty: station set S9: --township '330899999': not a township of this county" \
    "$T/en.stset"
zh "$BUILD/gasctl" --db "$T/station.db" operators add OP-X --name X --expires 2027-13-45 \
    >/dev/null 2>"$T/zh.opadd"
check "zh: operators add refuses an expiry that is no date in Chinese" \
    grep -q '^gasctl operators add: 有效期“2027-13-45”不是 YYYY-MM-DD 格式的日期$' "$T/zh.opadd"
zh "$BUILD/gasctl" --db "$T/station.db" buyers add - --township 330825101 </dev/null \
    >/dev/null 2>"$T/zh.nokey"
check "zh: buyers add without the county buyer key says so in Chinese" \
    grep -q '^gasctl buyers add：没有县级购气人密钥' "$T/zh.nokey"
zh "$BUILD/gasctl" --db "$T/station.db" operators list >"$T/zh.oplist" 2>&1
check "zh: operators list's headings and states are Chinese" \
    all "grep -q '^证书编号 .*有效期至 .*状态 .*姓名\$' '$T/zh.oplist'" \
    "grep -Eq '^OP-7 +2099-01-01 有效 +Wang Wei\$' '$T/zh.oplist'" \
    "grep -Eq '^OP-OLD +2020-01-01 已过期 ' '$T/zh.oplist'"
# columns by what a terminal draws (two for a Chinese character): each heading starts
# where its column's values start
check "zh: operators list's headings stand over their columns" \
    /usr/bin/python3 -c '
import sys, unicodedata
def cols(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
head, row = lines[0], [l for l in lines if l.startswith("OP-7 ")][0]
for word, value in (("证书编号", "OP-7"), ("有效期至", "2099-01-01"), ("状态", "有效"),
                    ("姓名", "Wang Wei")):
    h, v = cols(head[:head.index(word)]), cols(row[:row.index(value)])
    if h != v:
        sys.exit("%s at %d, its value %s at %d" % (word, h, value, v))
' "$T/zh.oplist"
zh "$BUILD/gasctl" --db "$T/station.db" buyers list >"$T/zh.buyers" 2>&1
check "zh: buyers list's headings are Chinese" \
    grep -Eq '^编号 {60} 证件号 {12} 类别 {5} 乡镇 {8} 地址$' "$T/zh.buyers"
cat >"$T/zh.csv" <<'CSV'
serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status
ZH-1,YSP50,2019-05,15.2,14.9,Longyou Gas,,active
ZH-2,YSP12,2020-02-30,6.1,5,Longyou Gas,,active
ZH-3,YSP12,2020-02,6.1,5.5,Longyou Gas,,active
ZH-4,YSP4.7,2021-07,4.2,2,,,active
CSV
zh "$BUILD/gasctl" --db "$T/station.db" registry import "$T/zh.csv" >"$T/zh.import" \
    2>"$T/zh.import.err"
check "zh: registry import says each row's rejection in Chinese (exit 1)" \
    all "[ $? -eq 1 ]" \
    "grep -q '^$T/zh.csv:2: 型号“YSP50”不是 YSP4.7、YSP12、YSP26.2、YSP35.5、YSP118 之一\$' '$T/zh.import.err'" \
    "grep -q '^$T/zh.csv:3: 制造日期 manufactured“2020-02-30”不是日期（YYYY-MM-DD 或 YYYY-MM）\$' '$T/zh.import.err'" \
    "grep -q '^$T/zh.csv:4: 充装量 fill_kg 5.50 超过 5.0，即 YSP12 的最大充装量\$' '$T/zh.import.err'" \
    "grep -q '^$T/zh.csv:5: 产权单位为空\$' '$T/zh.import.err'" \
    "grep -q '：共 4 行：新增 0，更新 0，未变 0，拒收 4' '$T/zh.import'"

# English: gasgw again in the C locale; the same commands.
gw_stop
export LANG=C
gw_start || fail "gasgw restarted in the C locale"
en "$BUILD/gasctl" -s "$T/gw.sock" fill 1 --cylinder "$(code C-OVERDUE)" --buyer "$BUYER1" \
    --operator OP-7 >"$T/en.refused" 2>&1
check "C: the refusal reads refused / R05 in English" sh -c \
    "grep -q '^refused\$' '$T/en.refused' && grep -q '^R05 inspection overdue: last 2021-03-02, due 2025-03-02\$' '$T/en.refused'"
check "C: no Chinese in the refusal" sh -c "! grep -q '定期检验' '$T/en.refused'"
en "$BUILD/gasctl" --help >"$T/en.help"
check "C: gasctl --help is English" grep -q '^usage: gasctl' "$T/en.help"
en "$BUILD/gasctl" -s "$T/gw.sock" status >"$T/en.status"
check "C: status headings in English" grep -q '^LINE STATE *LINK *GROSS *NET *TARGET OPERATOR' "$T/en.status"
en "$BUILD/gasctl" -s "$T/gw.sock" watch --once >"$T/en.watch" </dev/null
check "C: watch in English" sh -c "grep -Eq '^1 +(refused|idle) ' '$T/en.watch' &&
    grep -q 'last: refused' '$T/en.watch' && grep -q '^q or Ctrl-C: quit' '$T/en.watch'"
en "$BUILD/gasctl" --db "$T/station.db" plot "$uuid" --out "$T/en.svg" >/dev/null 2>&1
check "C: the SVG's words are English" sh -c "grep -q '>target 14.90 kg<' '$T/en.svg' &&
    grep -q '>time (s)<' '$T/en.svg' && grep -Eq '>fill $(printf '%.8s' "$uuid"), line 1, cylinder C-GOOD-1, 20[0-9-]+ [0-9:]+[+-][0-9]{2}:[0-9]{2}, ok<' '$T/en.svg' &&
    ! grep -q '目标' '$T/en.svg'"
en "$BUILD/gaswatch" --help >"$T/en.gaswatch"
check "C: gaswatch --help is English" grep -q '^usage: gaswatch' "$T/en.gaswatch"
en "$BUILD/gascounty" --help >"$T/en.gascounty"
check "C: gascounty --help is English" sh -c "grep -q '^usage: gascounty' '$T/en.gascounty' &&
    grep -q '^  registry set       insert or change one cylinder' '$T/en.gascounty'"
# zh_CN messages for a gasgw run in English: the reason follows gasgw's
# locale (it is written once, into the record), the frame around it the
# operator's.
zh "$BUILD/gasctl" -s "$T/gw.sock" fill 1 --cylinder "$(code C-OVERDUE)" --buyer "$BUYER1" \
    --operator OP-7 >"$T/mixed.refused" 2>&1
check "zh gasctl, C gasgw: Chinese frame, recorded English reason" sh -c \
    "grep -q '^拒绝充装\$' '$T/mixed.refused' && grep -q '^R05 inspection overdue' '$T/mixed.refused'"
zh "$BUILD/gasctl" -s "$T/gw.sock" stop 7 >"$T/zh.noline" 2>&1
check "zh gasctl, C gasgw: no line 7, in Chinese" grep -q '^gasctl: 没有充装线 7$' "$T/zh.noline"
printf 'wrong-pin\n' | zh "$BUILD/gasctl" -s "$T/gw.sock" login 1 OP-7 >"$T/zh.pin" 2>&1
check "zh gasctl, C gasgw: a wrong PIN is refused in Chinese" \
    grep -q '^gasctl: 操作员 OP-7 的密码错误（再错 4 次将被锁定）$' "$T/zh.pin"
printf 'x\n' | zh "$BUILD/gasctl" -s "$T/gw.sock" login 1 OP-NOBODY >"$T/zh.nocert" 2>&1
check "zh gasctl, C gasgw: an unregistered certificate is refused in Chinese" \
    grep -q '^gasctl: 操作员证书 OP-NOBODY 未在本站登记$' "$T/zh.nocert"
zh "$BUILD/gasctl" -s "$T/gw.sock" buyer 1 "$BUYER_BAD" >"$T/zh.r08" 2>&1
check "zh gasctl, C gasgw: R08 at the counter in gasgw's English, as recorded" \
    grep -q '^R08 buyer number rejected: check digit wrong' "$T/zh.r08"
# the first R08 was a C operator's to the Chinese gasgw, the last a Chinese
# operator's to the English one
first=$(sql "SELECT details FROM violations WHERE rule = 'R08' ORDER BY at_ms LIMIT 1")
last=$(sql "SELECT details FROM violations WHERE rule = 'R08' ORDER BY at_ms DESC LIMIT 1")
check "... and so each is recorded, in the language gasgw spoke, not the operator's" \
    all "printf '%s' '$first' | grep -q '购气人证件号码被拒绝：校验码错误'" \
        "printf '%s' '$last' | grep -q 'buyer number rejected: check digit wrong'"
finish
