#!/bin/sh
# A township's escalations stay its own when its case is moved (review
# rev100 F3).  A station of TA overfills a cylinder: gascounty opens a case
# in TA; its deadline passes (brought forward in the file) and gascounty's
# own sweep escalates it.  The regulator then moves it to TB with gaswatch.
# TA's escalation is still counted in the county's figures (the console's
# /figures/cases.csv, TA listed though no case is left in it) and in TA's
# own (gaswatch figures --json, TA's officer); TB, given the case on time,
# has none.  Before, the figure counted the case's escalation mark under
# its township of today, which the reassignment cleared: moving the case
# away cleaned TA's record.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/county_lib.sh"
. "$(dirname "$0")/web_lib.sh"

county_keys officer:wang@TA officer:li@TB
COUNTY_EXTRA="timezone = Asia/Shanghai"
county_start || { fail "gascounty did not start"; finish; }

NOW=$(date +%s)000
"$BUILD/tests/batchgen" -s S01 -t TA "cyl=M-1,buyer=$(printf 'b1%062d' 0),start=$NOW,at=$NOW,rule=R20,vat=$NOW" \
    >"$T/s01.cbor"
"$BUILD/tests/coapreq" -p "$CPORT" -u station:S01 -k "$T/station_S01.key" -m POST -P records \
    -f "$T/s01.cbor" -j -t 8000 >"$T/s01.out" 2>"$T/coapreq.err"
check "the overfill opened a case in TA" \
    sql_eventually 10 "SELECT COUNT(*) FROM cases WHERE township = 'TA'" 1
ID=$(county_sql "SELECT id FROM cases WHERE township = 'TA'")
# its deadline a minute ago: the county's sweep (every check_s) finds it late
county_sql "UPDATE cases SET accept_due_ms = $NOW - 60000 WHERE id = $ID"
check "gascounty escalates it, in TA" \
    sql_eventually 10 "SELECT count(*) FROM case_steps WHERE case_id = $ID AND action = 'escalate'" 1

as_person() {
	who=$1; shift
	"$BUILD/gaswatch" --as "$who" -k "$T/$(echo "$who" | tr ':' '_').key" -p "$CPORT" "$@"
}
as_person regulator:alice reassign "$ID" --to TB --note "属乙镇辖区" >"$T/moved.out" 2>&1
check "the regulator moves it to TB" \
    sql_eventually 10 "SELECT township || ':' || state || ':' || escalated_ms FROM cases WHERE id = $ID" \
    "TB:new:0"

# --- TA's officer, gaswatch ----------------------------------------------------------
# TOWNSHIP KEY... of a figures answer: the township's open and escalated
figure() {
	/usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s:%s:%s" % (t["township"], t["open"], t["escalated"]) for t in d["townships"]))' "$1"
}
as_person officer:wang@TA figures --json >"$T/wang.json" 2>"$T/wang.err"
check "gaswatch figures: TA's officer still sees TA's escalation (TA: none open, one escalated)" \
    [ "$(figure "$T/wang.json")" = "TA:0:1" ]
as_person officer:li@TB figures --json >"$T/li.json" 2>"$T/li.err"
check "gaswatch figures: TB's officer has the case open, not TA's escalation" \
    [ "$(figure "$T/li.json")" = "TB:1:0" ]

# --- the county's figures in the console ---------------------------------------------
web_conf "timezone = Asia/Shanghai"
web_passwd regulator:alice alice-password-1
web_start
check "the regulator signs in" [ "$(signin "$T/alice.jar" regulator:alice alice-password-1)" = 303 ]
C -b "$T/alice.jar" -o "$T/cases.csv" "$U/figures/cases.csv"
tr -d '"\r' <"$T/cases.csv" >"$T/cases.plain"
# township,opened,closed,dismissed,open,overdue,escalated,median_accept_s,median_close_s
check "/figures/cases.csv: TA keeps its escalation though no case is left in it" \
    grep -qx "TA,0,0,0,0,0,1,," "$T/cases.plain"
check "/figures/cases.csv: TB has the case, open, on time, not escalated" \
    grep -qx "TB,1,0,0,1,0,0,," "$T/cases.plain"
check "gasweb still running" kill -0 "$PID_web"
finish
