/*
 * cases (tools/county/cases.c, casemsg.c, catalogue.c, the case rows of
 * access.c): alerts open or join cases, info alerts none, and running the
 * conversion again changes nothing; a case goes new -> accepted -> onsite
 * -> decided -> closed with one step row each and refuses a step out of
 * order without changing anything; a decision must fit the catalogue;
 * evidence is kept once per content; a caller outside the case's township
 * (or a grid worker not its reporter) is refused; a report is routed by
 * its village, or by the township boundary that holds its coordinates
 * (holes and islands included), and names a report kind of the
 * catalogue; deadlines come per kind and severity, in working days of the
 * county's calendar; a case past its deadline is overdue and escalated once,
 * by a sweep that reads only the cases it escalates (through 013's index) and
 * escalates what the sweep over the whole table did;
 * figures count per township, a township's escalations its own after the
 * case is moved, through an index; a township's or grid worker's list reads its
 * own cases through the indexes, whatever else the county holds, and every
 * list reads only the page it shows, in the order it always had.  The
 * catalogue's errors name FILE:LINE and a request's decoder names the bad
 * key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cbor.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "casedetail.h"
#include "cases.h"
#include "casemsg.h"
#include "catalogue.h"
#include "code.h"
#include "countydb_fixture.h"
#include "db.h"
#include "psk.h"
#include "store.h"
#include "timetext.h"
#include "util.h"
#include "wire.h"
#include "writequota.h"

static struct county_config config = {
	.case_join_min = 60,
	.case_alert_accept_min = 60,
	.case_alert_onsite_min = 120,
	.case_alert_close_min = 600,
	.case_critical_accept_min = 10,
	.case_critical_onsite_min = 30,
	.case_critical_close_min = 300,
	.evidence_max_kb = 1,
};

static const char catalogue_text[] = "# test catalogue\n"
                                     "kind,code,name,basis,applies\n"
                                     "outcome,none,未发现违法行为,,\n"
                                     "outcome,warning,警告,,\n"
                                     "outcome,fine,罚款,,amount\n"
                                     "power,P01,违规堆放气瓶,条例第四十九条,warning;fine\n"
                                     "report,stacked,违规堆放气瓶,,\n"
                                     "report,nocode,无码气瓶,,\n";
static const char villages_text[] = "village,township\n东村,TA\n南村,TB\n";

static char dir[64];
static struct county_db cdb;
static struct catalogue cat;
static const int64_t T0 = 1800000000000;

static const struct access_scope all = { .reach = ACCESS_REACH_ALL };
static const struct access_scope town_a = { .reach = ACCESS_REACH_OWN, .township = "TA" };
static const struct access_scope town_b = { .reach = ACCESS_REACH_OWN, .township = "TB" };
static const struct access_scope grid_dan = { .reach = ACCESS_REACH_OWN, .person = "grid:dan@TA" };

static int
setup(void **state)
{
	(void)state;
	if (countydb_catalogue(&cat, catalogue_text, villages_text) == -1)
		return -1;
	return countydb_setup(dir, sizeof(dir), "test_cases", &config, &cdb);
}

static int
teardown(void **state)
{
	(void)state;
	catalogue_free(&cat);
	return countydb_teardown(dir, &cdb);
}

static int64_t
sql_int(const char *sql)
{
	return store_query_int(cdb.db, sql, -1);
}

/* sql_int of a query made with printf's format. */
static int64_t __attribute__((format(printf, 1, 2))) sql_int_f(const char *fmt, ...)
{
	char sql[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return sql_int(sql);
}

static void
alert(const char *source, const char *rule, const char *severity, const char *town,
    const char *cylinder, int64_t at)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
	    "INSERT INTO alerts (source, rule, severity, township, station, cylinder, text, at_ms,"
	    " created_ms) VALUES ('%s', '%s', '%s', '%s', 'S01', '%s', 'overfilled', %lld, %lld)",
	    source, rule, severity, town, cylinder, (long long)at, (long long)at);
	assert_int_equal(store_exec(cdb.db, sql, NULL, 0), 0);
}

static struct case_request
step(int64_t id, const char *what, const char *note)
{
	struct case_request r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	casemsg_set(&r, CASEMSG_ID);
	str_copy(r.step, what, sizeof(r.step));
	casemsg_set(&r, CASEMSG_STEP);
	if (note != NULL) {
		str_copy(r.note, note, sizeof(r.note));
		casemsg_set(&r, CASEMSG_NOTE_F);
	}
	return r;
}

/* r carries a JPEG of n bytes (not owned) named file. */
static void
with_photo(struct case_request *r, uint8_t *data, size_t n, const char *file)
{
	r->data = data;
	r->data_len = n;
	str_copy(r->file, file, sizeof(r->file));
	str_copy(r->type, "image/jpeg", sizeof(r->type));
	casemsg_set(r, CASEMSG_DATA);
	casemsg_set(r, CASEMSG_FILE);
	casemsg_set(r, CASEMSG_TYPE);
}

/* The answer as JSON (the server's rendering), parsed. */
static json_t *
as_json(uint8_t *buf, size_t len)
{
	char *text = NULL, err[160];
	json_t *j;

	assert_int_equal(wire_cbor_to_json(buf, len, &text, err, sizeof(err)), 0);
	free(buf);
	j = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(j);
	return j;
}

static void
alerts_open_or_join_cases_once(void **state)
{
	struct cases_news news;
	char err[256];

	(void)state;
	alert("a1", "R05", "alert", "TA", "CY1", T0);
	alert("a2", "R05", "alert", "TA", "CY1", T0 + 60000);
	alert("a3", "R05", "critical", "TA", "CY1", T0 + 120000);
	alert("a4", "R05", "alert", "TA", "CY2", T0);
	alert("a5", "R01", "flag", "TA", "CY3", T0);
	alert("a6", "R05", "alert", "TB", "CY1", T0);
	assert_int_equal(cases_from_alerts(&cdb, &cat, T0, &news, err, sizeof(err)), 0);
	assert_int_equal(news.opened, 3);
	assert_int_equal(news.joined, 2);
	/* a3 made TA's case of CY1 critical: told at once, as a new one is */
	assert_int_equal(news.critical, 1);
	assert_int_equal(sql_int("SELECT count(*) FROM cases"), 3);
	assert_int_equal(sql_int("SELECT alerts FROM cases WHERE cylinder='CY1' AND township='TA'"),
	    3);
	/* a critical alert joining makes the case critical */
	assert_int_equal(sql_int("SELECT severity='critical' FROM cases WHERE cylinder='CY1' AND"
	                         " township='TA'"),
	    1);
	assert_int_equal(sql_int("SELECT count(*) FROM cases WHERE cylinder='CY3'"), 0);
	/* again: nothing new */
	assert_int_equal(cases_from_alerts(&cdb, &cat, T0, &news, err, sizeof(err)), 0);
	assert_int_equal(news.opened + news.joined, 0);
	assert_int_equal(sql_int("SELECT count(*) FROM case_alerts"), 5);
	/* outside the join window: a case of its own */
	alert("a7", "R05", "critical", "TA", "CY2", T0 + 61 * 60000);
	assert_int_equal(cases_from_alerts(&cdb, &cat, T0, &news, err, sizeof(err)), 0);
	assert_int_equal(news.opened, 1);
	assert_int_equal(news.critical, 1);
	assert_string_equal(news.critical_township, "TA");
}

/* How many rows of part (steps) of a shown case (JSON) have action. */
static size_t
shown_count(json_t *answer, const char *part, const char *action)
{
	size_t i, n = 0;
	json_t *v;

	json_array_foreach(json_object_get(answer, part), i, v) n +=
	    action == NULL || strcmp(json_string_value(json_object_get(v, "action")), action) == 0;
	return n;
}

/* A stream of alerts joining one case for as long as it lasts: its answer lists every
 * step a person took, the first and the newest CASES_SHOWN_JOINS joins and alerts, and
 * counts those between, so the answer stays the same size however long the stream ran. */
static void
a_long_stream_of_joins_is_listed_at_its_ends_and_counted(void **state)
{
	struct cases_news news;
	struct case_request r;
	uint8_t *out = NULL;
	size_t len, i, n;
	json_t *answer, *steps;
	char err[256], source[32];
	int64_t id = 0;

	(void)state;
	for (i = 0; i < 100; i++) {
		snprintf(source, sizeof(source), "stream%zu", i);
		alert(source, "R05", "alert", "TA", "CYSTREAM", T0 + (int64_t)i * 60000);
		/* an officer accepts it in the middle of the stream */
		if (i == 59) {
			assert_int_equal(cases_from_alerts(&cdb, &cat, T0, &news, err, sizeof(err)),
			    0);
			id = sql_int("SELECT id FROM cases WHERE cylinder = 'CYSTREAM'");
			r = step(id, "accept", NULL);
			assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r,
			                     T0 + 3600000, err, sizeof(err)),
			    CASES_DONE);
		}
	}
	assert_int_equal(cases_from_alerts(&cdb, &cat, T0, &news, err, sizeof(err)), 0);
	assert_int_equal(sql_int("SELECT alerts FROM cases WHERE cylinder = 'CYSTREAM'"), 100);
	assert_int_equal(cases_show(&cdb, &town_a, id, T0, &out, &len, err, sizeof(err)),
	    CASES_DONE);
	answer = as_json(out, len);
	assert_int_equal(shown_count(answer, "steps", "join"), 2 * CASES_SHOWN_JOINS);
	assert_int_equal(shown_count(answer, "steps", "open"), 1);
	assert_int_equal(shown_count(answer, "steps", "accept"), 1);
	assert_int_equal(json_array_size(json_object_get(answer, "alerts")), 2 * CASES_SHOWN_JOINS);
	/* 99 joins (the first alert opened it), 100 alerts */
	assert_int_equal(json_integer_value(json_object_get(answer, "joins_left_out")),
	    99 - 2 * CASES_SHOWN_JOINS);
	assert_int_equal(json_integer_value(json_object_get(answer, "alerts_left_out")),
	    100 - 2 * CASES_SHOWN_JOINS);
	/* the ends are the first and the newest: the first alert listed and the last */
	n = json_array_size(json_object_get(answer, "alerts"));
	assert_int_equal(json_integer_value(json_object_get(
	                     json_array_get(json_object_get(answer, "alerts"), 0), "at_ms")),
	    T0);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_array_get(json_object_get(answer, "alerts"), n - 1), "at_ms")),
	    T0 + 99 * 60000);
	/* the steps stay in their order: the accept after the first joins, before the newest */
	steps = json_object_get(answer, "steps");
	for (i = 0; i < json_array_size(steps); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(steps, i), "action")),
		        "accept") == 0)
			break;
	assert_int_equal(i, 1 + CASES_SHOWN_JOINS);
	json_decref(answer);

	/* a short stream is listed whole, nothing counted */
	for (i = 0; i < 10; i++) {
		snprintf(source, sizeof(source), "short%zu", i);
		alert(source, "R05", "alert", "TA", "CYSHORT", T0 + (int64_t)i * 60000);
	}
	assert_int_equal(cases_from_alerts(&cdb, &cat, T0, &news, err, sizeof(err)), 0);
	id = sql_int("SELECT id FROM cases WHERE cylinder = 'CYSHORT'");
	assert_int_equal(cases_show(&cdb, &town_a, id, T0, &out, &len, err, sizeof(err)),
	    CASES_DONE);
	answer = as_json(out, len);
	assert_int_equal(shown_count(answer, "steps", "join"), 9);
	assert_int_equal(json_array_size(json_object_get(answer, "alerts")), 10);
	assert_int_equal(json_integer_value(json_object_get(answer, "joins_left_out")), 0);
	assert_int_equal(json_integer_value(json_object_get(answer, "alerts_left_out")), 0);
	json_decref(answer);
}

static void
a_case_goes_from_new_to_closed_step_by_step(void **state)
{
	struct case_request r;
	char err[256];
	int64_t id = sql_int("SELECT id FROM cases WHERE cylinder='CY1' AND township='TA'");
	static uint8_t photo[] = "\xff\xd8 a tiny jpeg";

	(void)state;
	r = step(id, "close", NULL);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0, err, sizeof(err)),
	    CASES_REFUSED);
	assert_non_null(strstr(err, "is new"));
	r = step(id, "accept", NULL);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 1000, err, sizeof(err)),
	    CASES_DONE);
	/* the same accept resent: done, nothing added */
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 1000, err, sizeof(err)),
	    CASES_DONE);
	r = step(id, "onsite", "到达现场，气瓶已倒出至14.9公斤");
	with_photo(&r, photo, sizeof(photo), "site.jpg");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 2000, err, sizeof(err)),
	    CASES_DONE);
	/* the same photo again (attach, or a resend of it): still one file */
	r = step(id, "attach", NULL);
	with_photo(&r, photo, sizeof(photo), "again.jpg");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 2500, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM evidence"), 1);
	/* the case already held those bytes: done, and no step either */
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE action='attach'"), 0);
	/* the same photo with a note: the note is a step of its own (the file once) */
	r = step(id, "attach", "现场照片，补充说明");
	with_photo(&r, photo, sizeof(photo), "again.jpg");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 2600, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE action='attach' AND"
	                         " note = '现场照片，补充说明'"),
	    1);
	/* ... sent again (a retry): still one step */
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 2700, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE action='attach'"), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM evidence"), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM case_evidence"), 1);
	/* evidence over evidence_max_kb (1 KiB here): refused in fixed text, which gaswatch
	 * knows by its words, nothing stored */
	{
		static uint8_t big[1025];

		r = step(id, "attach", NULL);
		with_photo(&r, big, sizeof(big), "big.jpg");
		assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 2800,
		                     err, sizeof(err)),
		    CASES_REFUSED);
		assert_string_equal(err, cases_refusal_reason(CASES_REFUSAL_EVIDENCE_TOO_LARGE));
		assert_int_equal(sql_int("SELECT count(*) FROM evidence"), 1);
		assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE action='attach'"),
		    1);
	}
	/* a decision outside the catalogue changes nothing */
	r = step(id, "decide", NULL);
	str_copy(r.outcome, "fine", sizeof(r.outcome));
	casemsg_set(&r, CASEMSG_OUTCOME);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 3000, err, sizeof(err)),
	    CASES_REFUSED);
	assert_non_null(strstr(err, "fine amount"));
	r.fine = 2000;
	casemsg_set(&r, CASEMSG_FINE);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 3000, err, sizeof(err)),
	    CASES_REFUSED);
	assert_non_null(strstr(err, "penalty power"));
	str_copy(r.power, "P01", sizeof(r.power));
	casemsg_set(&r, CASEMSG_POWER);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 3000, err, sizeof(err)),
	    CASES_DONE);
	/* sent again (a retry): done, one decision */
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 3100, err, sizeof(err)),
	    CASES_DONE);
	/* the same person's corrected fine, just after, with the same note: no
	 * resend, refused, the decision held unchanged */
	r.fine = 1500;
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 3200, err, sizeof(err)),
	    CASES_REFUSED);
	assert_non_null(strstr(err, "is decided: decide is for a case that is"));
	assert_int_equal(sql_int("SELECT fine_yuan FROM cases WHERE cylinder='CY1' AND"
	                         " township='TA'"),
	    2000);
	assert_int_equal(sql_int(
	                     "SELECT count(*) FROM case_steps WHERE action='decide' AND case_id"
	                     " IN (SELECT id FROM cases WHERE cylinder='CY1' AND township='TA')"),
	    1);
	r.fine = 2000;
	r = step(id, "close", "已缴纳罚款");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 4000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE case_id IN (SELECT id FROM"
	                         " cases WHERE cylinder='CY1' AND township='TA') AND action IN"
	                         " ('accept','onsite','attach','decide','close')"),
	    5);
	assert_int_equal(sql_int(
	                     "SELECT fine_yuan FROM cases WHERE cylinder='CY1' AND township='TA'"
	                     " AND state='closed' AND officer='officer:wang@TA'"),
	    2000);
}

static void
a_step_outside_the_scope_is_refused(void **state)
{
	struct case_request r;
	char err[256], moves[160];
	int64_t id = sql_int("SELECT id FROM cases WHERE cylinder='CY2' AND township='TA' LIMIT 1");
	int64_t steps = sql_int("SELECT count(*) FROM case_steps");

	(void)state;
	r = step(id, "accept", NULL);
	assert_int_equal(cases_step(&cdb, &cat, &town_b, "officer:li@TB", &r, T0, err, sizeof(err)),
	    CASES_OUT_OF_SCOPE);
	assert_int_equal(cases_step(&cdb, &cat, &grid_dan, "grid:dan@TA", &r, T0, err, sizeof(err)),
	    CASES_OUT_OF_SCOPE);
	r = step(999999, "accept", NULL);
	assert_int_equal(cases_step(&cdb, &cat, &all, "regulator:alice", &r, T0, err, sizeof(err)),
	    CASES_NOT_FOUND);
	r = step(id, "dismiss", "  ");
	assert_int_equal(cases_step(&cdb, &cat, &all, "regulator:alice", &r, T0, err, sizeof(err)),
	    CASES_REFUSED);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps"), steps);
	/* the county's reassignment: a township code, a reason; back to new there */
	r = step(id, "accept", NULL);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0, err, sizeof(err)),
	    CASES_DONE);
	memset(&r, 0, sizeof(r));
	r.id = id;
	str_copy(r.township, "T B", sizeof(r.township));
	str_copy(r.note, "属乙镇辖区", sizeof(r.note));
	casemsg_set(&r, CASEMSG_ID);
	casemsg_set(&r, CASEMSG_TOWNSHIP);
	casemsg_set(&r, CASEMSG_NOTE_F);
	assert_int_equal(cases_reassign(&cdb, &cat, "regulator:alice", &r, T0, err, sizeof(err)),
	    CASES_REFUSED);
	/* a township this county does not know (its identities hold no township:CODE), or the
	 * county's own queue: refused, as the console refuses it (a case sent there is seen by
	 * no officer), and the case stays where it is */
	{
		static const char ids[] = "township:TA 00112233445566778899aabbccddeeff\n"
		                          "township:TB 00112233445566778899aabbccddeeff\n";
		static struct psk_table towns; /* outlives a failed assertion */

		assert_int_equal(
		    psk_parse_identities("ids", ids, strlen(ids), &towns, err, sizeof(err)), 0);
		cdb.identities = &towns;
		str_copy(r.township, "TZ", sizeof(r.township));
		assert_int_equal(
		    cases_reassign(&cdb, &cat, "regulator:alice", &r, T0, err, sizeof(err)),
		    CASES_REFUSED);
		/* fixed text, without the township sent: gaswatch knows it by its words */
		assert_string_equal(err, cases_refusal_reason(CASES_REFUSAL_UNKNOWN_TOWNSHIP));
		assert_null(strstr(err, "TZ"));
		str_copy(r.township, "county", sizeof(r.township));
		assert_int_equal(
		    cases_reassign(&cdb, &cat, "regulator:alice", &r, T0, err, sizeof(err)),
		    CASES_REFUSED);
		assert_int_equal(
		    sql_int("SELECT count(*) FROM cases WHERE township IN ('TZ', 'county')"), 0);
		str_copy(r.township, "TB", sizeof(r.township));
		assert_int_equal(
		    cases_reassign(&cdb, &cat, "regulator:alice", &r, T0, err, sizeof(err)),
		    CASES_DONE);
		cdb.identities = NULL;
		psk_table_free(&towns);
	}
	/* the same form sent again (a double tap): done, the case moved once */
	str_copy(r.township, "TB", sizeof(r.township));
	assert_int_equal(cases_reassign(&cdb, &cat, "regulator:alice", &r, T0, err, sizeof(err)),
	    CASES_DONE);
	snprintf(moves, sizeof(moves),
	    "SELECT count(*) FROM case_steps WHERE case_id = %lld AND action = 'reassign'",
	    (long long)id);
	assert_int_equal(sql_int(moves), 1);
	/* to where it is already, for another reason or by another person: refused (it would
	 * start the deadlines again and set the township's work aside), nothing stored */
	str_copy(r.note, "再次移交", sizeof(r.note));
	assert_int_equal(cases_reassign(&cdb, &cat, "regulator:alice", &r, T0, err, sizeof(err)),
	    CASES_REFUSED);
	assert_string_equal(err, cases_refusal_reason(CASES_REFUSAL_SAME_TOWNSHIP));
	str_copy(r.note, "属乙镇辖区", sizeof(r.note));
	assert_int_equal(cases_reassign(&cdb, &cat, "regulator:bob", &r, T0, err, sizeof(err)),
	    CASES_REFUSED);
	assert_int_equal(sql_int(moves), 1);
	assert_int_equal(sql_int(
	                     "SELECT count(*) FROM cases WHERE id IN (SELECT id FROM cases"
	                     " WHERE township='TB' AND state='new' AND officer='' AND kind='R05'"
	                     " AND cylinder='CY2')"),
	    1);
	/* and back, so that the tests after this one find it where they expect */
	str_copy(r.township, "TA", sizeof(r.township));
	assert_int_equal(cases_reassign(&cdb, &cat, "regulator:alice", &r, T0, err, sizeof(err)),
	    CASES_DONE);
}

/*
 * A grid worker's identity is one person's: it may file reports, not a
 * flood of them.  Each report opens a case a township must accept in time,
 * so a stolen phone or a careless script could bury a township's list.
 * Past report_max_per_hour in the last hour a report is refused as too
 * many (not as invalid: the doors answer 4.29 / 429), naming the setting,
 * and nothing is stored; the same report resent is still the
 * one case it was; an hour later the worker may file again.
 */
static void
a_grid_worker_files_at_most_the_hours_reports(void **state)
{
	struct case_request r;
	char err[256], note[64];
	int64_t id = 0, first = 0, cases, steps, t = T0 + 10 * 86400000LL;
	int i;

	(void)state;
	config.report_max_per_hour = 3;
	memset(&r, 0, sizeof(r));
	str_copy(r.kind, "stacked", sizeof(r.kind));
	str_copy(r.village, "南村", sizeof(r.village));
	casemsg_set(&r, CASEMSG_KIND);
	casemsg_set(&r, CASEMSG_VILLAGE);
	casemsg_set(&r, CASEMSG_NOTE_F);
	for (i = 0; i < 3; i++) {
		snprintf(note, sizeof(note), "路边堆放气瓶 第%d处", i + 1);
		str_copy(r.note, note, sizeof(r.note));
		assert_int_equal(cases_report(&cdb, &cat, "grid:fay@TA", &r, t + i * 60000, &id,
		                     err, sizeof(err)),
		    CASES_DONE);
		if (i == 0)
			first = id;
	}
	cases = sql_int("SELECT count(*) FROM cases");
	steps = sql_int("SELECT count(*) FROM case_steps");
	str_copy(r.note, "路边堆放气瓶 第4处", sizeof(r.note));
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:fay@TA", &r, t + 5 * 60000, &id, err, sizeof(err)),
	    CASES_TOO_MANY);
	assert_non_null(strstr(err, "report_max_per_hour"));
	assert_int_equal(id, 0);
	assert_int_equal(sql_int("SELECT count(*) FROM cases"), cases);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps"), steps);
	/* another worker is not held to fay's count */
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:dan@TA", &r, t + 5 * 60000, &id, err, sizeof(err)),
	    CASES_DONE);
	/* the first report resent is still its one case */
	str_copy(r.note, "路边堆放气瓶 第1处", sizeof(r.note));
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:fay@TA", &r, t + 6 * 60000, &id, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(id, first);
	/* an hour after the first, one more fits */
	str_copy(r.note, "路边堆放气瓶 第4处", sizeof(r.note));
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:fay@TA", &r, t + 3600000 + 1, &id, err, sizeof(err)),
	    CASES_DONE);
	assert_true(id > first);
	/* and 0 is no limit */
	config.report_max_per_hour = 0;
	str_copy(r.note, "路边堆放气瓶 第5处", sizeof(r.note));
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:fay@TA", &r, t + 3600000 + 2, &id, err, sizeof(err)),
	    CASES_DONE);
}

/* A case in TA for the write bounds, reported by grid:wq@TA at t. */
static int64_t
bounded_case(int64_t t)
{
	struct case_request r;
	char err[256];
	int64_t id = 0;

	memset(&r, 0, sizeof(r));
	str_copy(r.kind, "stacked", sizeof(r.kind));
	str_copy(r.village, "东村", sizeof(r.village));
	str_copy(r.note, "写入上限的案件", sizeof(r.note));
	casemsg_set(&r, CASEMSG_KIND);
	casemsg_set(&r, CASEMSG_VILLAGE);
	casemsg_set(&r, CASEMSG_NOTE_F);
	assert_int_equal(cases_report(&cdb, &cat, "grid:wq@TA", &r, t, &id, err, sizeof(err)),
	    CASES_DONE);
	return id;
}

/*
 * One person's key writes at most person_writes_day_max case steps (of
 * every kind) in 24 hours of the county's clock (review rev92: an officer's
 * alternating comments, each kept for years, filled the disk): the window
 * starts with the first write and counts what was stored; the write past
 * the bound is refused as CASES_DAY_BOUND naming the setting and when to
 * try again, and nothing of it is stored, until the window ends (its last
 * millisecond still refused, the next taken, in a new window).  Another
 * person's key is not held to this one's count.
 */
static void
a_persons_steps_of_24_hours_are_bounded(void **state)
{
	struct writequota_over over;
	struct case_request r;
	char err[256], note[64];
	int64_t id, steps, t = T0 + 40 * 86400000LL;
	int i;

	(void)state;
	config.person_writes_day_max = 3;
	id = bounded_case(t);
	for (i = 0; i < 3; i++) {
		snprintf(note, sizeof(note), "看过了 %d", i);
		r = step(id, "comment", note);
		assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:ann@TA", &r, t + i * 1000,
		                     err, sizeof(err)),
		    CASES_DONE);
	}
	steps = sql_int("SELECT count(*) FROM case_steps");
	r = step(id, "comment", "第四条");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:ann@TA", &r, t + 5000, err, sizeof(err)),
	    CASES_DAY_BOUND);
	assert_non_null(strstr(err, "person_writes_day_max"));
	assert_non_null(strstr(err, "try again after"));
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps"), steps);
	/* what the console words it by: the setting, and the window's end */
	assert_int_equal(
	    writequota_refusal(&cdb, "officer:ann@TA", t + 5000, &over, err, sizeof(err)),
	    COUNTY_BUSY);
	assert_string_equal(over.setting, "person_writes_day_max");
	assert_int_equal(over.bound, 3);
	assert_int_equal(over.until_ms, t + WRITEQUOTA_WINDOW_MS);
	/* the refusal raised C18 to the county's queue, naming her */
	assert_int_equal(sql_int("SELECT count(*) FROM alerts WHERE rule = 'C18' AND township ="
	                         " 'county' AND station = 'officer:ann@TA'"),
	    1);
	/* a resend of her last step is still done, storing nothing */
	r = step(id, "comment", "看过了 2");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:ann@TA", &r, t + 6000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps"), steps);
	/* another officer, and the reporter, are not held to ann's count */
	r = step(id, "comment", "我也看了");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:bob@TA", &r, t + 7000, err, sizeof(err)),
	    CASES_DONE);
	/* other kinds of step count too: a reassignment by ann is refused */
	r = step(id, "comment", NULL);
	str_copy(r.township, "TB", sizeof(r.township));
	casemsg_set(&r, CASEMSG_TOWNSHIP);
	str_copy(r.note, "属乙镇", sizeof(r.note));
	casemsg_set(&r, CASEMSG_NOTE_F);
	assert_int_equal(
	    cases_reassign(&cdb, &cat, "officer:ann@TA", &r, t + 8000, err, sizeof(err)),
	    CASES_DAY_BOUND);
	/* the window's last millisecond is in it; the next starts a new one */
	r = step(id, "comment", "第四条");
	assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:ann@TA", &r,
	                     t + WRITEQUOTA_WINDOW_MS - 1, err, sizeof(err)),
	    CASES_DAY_BOUND);
	/* however many refusals, one C18 a window */
	assert_int_equal(
	    sql_int(
	        "SELECT count(*) FROM alerts WHERE rule = 'C18' AND station = 'officer:ann@TA'"),
	    1);
	assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:ann@TA", &r,
	                     t + WRITEQUOTA_WINDOW_MS, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(
	    sql_int("SELECT writes FROM write_quota WHERE identity = 'officer:ann@TA'"), 1);
	assert_int_equal(
	    sql_int("SELECT since_ms FROM write_quota WHERE identity = 'officer:ann@TA'"),
	    t + WRITEQUOTA_WINDOW_MS);
	/* 0: no bound */
	config.person_writes_day_max = 0;
	for (i = 0; i < 5; i++) {
		snprintf(note, sizeof(note), "不设上限 %d", i);
		r = step(id, "comment", note);
		assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:ann@TA", &r,
		                     t + WRITEQUOTA_WINDOW_MS + 1000 + i, err, sizeof(err)),
		    CASES_DONE);
	}
}

/*
 * A township's key writes at most person_writes_day_max dispositions in 24
 * hours (review rev92: 3000 of one alert in 1.6 s), counted with its
 * other writes: the one past it is COUNTY_BUSY, nothing kept.
 */
static void
a_townships_dispositions_are_bounded(void **state)
{
	struct wire_disposition d;
	char err[256];
	int64_t a;
	int i;

	(void)state;
	config.person_writes_day_max = 4;
	alert("S01", "R20", "alert", "TA", "WQ-1", T0);
	a = sql_int("SELECT max(id) FROM alerts");
	memset(&d, 0, sizeof(d));
	d.id = a;
	str_copy(d.note, "已处置", sizeof(d.note));
	for (i = 0; i < 4; i++)
		assert_int_equal(county_dispose(&cdb, &town_a, "township:TA", &d, err, sizeof(err)),
		    COUNTY_DONE);
	assert_int_equal(county_dispose(&cdb, &town_a, "township:TA", &d, err, sizeof(err)),
	    COUNTY_BUSY);
	assert_non_null(strstr(err, "person_writes_day_max"));
	assert_int_equal(
	    sql_int("SELECT count(*) FROM dispositions WHERE identity = 'township:TA'"), 4);
	assert_int_equal(county_dispose(&cdb, &town_a, "township:TA", &d, err, sizeof(err)),
	    COUNTY_BUSY);
	assert_int_equal(
	    sql_int("SELECT count(*) FROM alerts WHERE rule = 'C18' AND station = 'township:TA'"),
	    1);
	/* another key is not held to TA's count */
	assert_int_equal(county_dispose(&cdb, &all, "regulator:wq", &d, err, sizeof(err)),
	    COUNTY_DONE);
	config.person_writes_day_max = 0;
}

/*
 * Evidence is bounded by its bytes, person_evidence_day_mb a day (review
 * rev92: new 2 MB files at 12 MB/s): a file that would pass it is refused,
 * step and file, while a file the county holds already adds no bytes and
 * is taken; the bound is each person's own.
 */
static void
a_persons_evidence_of_24_hours_is_bounded(void **state)
{
	static uint8_t data[3][400000];
	struct writequota_over over;
	struct case_request r;
	char err[256];
	int64_t id, files, t = T0 + 50 * 86400000LL;
	int i;

	(void)state;
	config.evidence_max_kb = 400;
	config.person_evidence_day_mb = 1;
	for (i = 0; i < 3; i++)
		memset(data[i], 'a' + i, sizeof(data[i]));
	id = bounded_case(t);
	for (i = 0; i < 2; i++) {
		r = step(id, "attach", NULL);
		with_photo(&r, data[i], sizeof(data[i]), "photo.jpg");
		assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:cy@TA", &r, t + i * 1000,
		                     err, sizeof(err)),
		    CASES_DONE);
	}
	files = sql_int("SELECT count(*) FROM evidence");
	r = step(id, "attach", NULL);
	with_photo(&r, data[2], sizeof(data[2]), "photo.jpg");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:cy@TA", &r, t + 3000, err, sizeof(err)),
	    CASES_DAY_BOUND);
	assert_non_null(strstr(err, "person_evidence_day_mb"));
	assert_int_equal(sql_int("SELECT count(*) FROM evidence"), files);
	assert_int_equal(
	    writequota_refusal(&cdb, "officer:cy@TA", t + 3000, &over, err, sizeof(err)),
	    COUNTY_BUSY);
	assert_string_equal(over.setting, "person_evidence_day_mb");
	/* a file the county holds, with a note: a step of its own, no new bytes */
	r = step(id, "attach", "同一张照片");
	with_photo(&r, data[0], sizeof(data[0]), "photo.jpg");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:cy@TA", &r, t + 4000, err, sizeof(err)),
	    CASES_DONE);
	/* another officer's file is hers to attach */
	r = step(id, "attach", NULL);
	with_photo(&r, data[2], sizeof(data[2]), "photo.jpg");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:dee@TA", &r, t + 5000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM evidence"), files + 1);
	config.person_evidence_day_mb = 0;
	config.evidence_max_kb = 1;
}

/*
 * A decided case the county moves to another township: the decision was
 * taken by a township the case did not belong to, on its own powers, so
 * it is set aside (outcome, power and fine cleared, and written into the
 * reassignment's step as they were), and the new township's deadlines run
 * from the reassignment, off the overdue list until it is late itself.
 * Before, the case went back to "new" with the old township's fine on it
 * (counted in the figures as the new township's decision) and with
 * deadlines long past.
 */
static void
a_reassigned_decision_is_set_aside_with_fresh_deadlines(void **state)
{
	struct case_request r;
	struct cases_news news;
	char err[256];
	int64_t id, later = T0 + 3 * 86400000LL, due[CATALOGUE_STAGES];

	(void)state;
	alert("re1", "R05", "alert", "TA", "CY8", T0);
	assert_int_equal(cases_from_alerts(&cdb, &cat, T0, &news, err, sizeof(err)), 0);
	id = sql_int("SELECT id FROM cases WHERE cylinder = 'CY8' AND township = 'TA'");
	assert_true(id > 0);
	r = step(id, "accept", NULL);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 1000, err, sizeof(err)),
	    CASES_DONE);
	r = step(id, "decide", "罚款两千元");
	str_copy(r.outcome, "fine", sizeof(r.outcome));
	str_copy(r.power, "P01", sizeof(r.power));
	r.fine = 2000;
	casemsg_set(&r, CASEMSG_OUTCOME);
	casemsg_set(&r, CASEMSG_POWER);
	casemsg_set(&r, CASEMSG_FINE);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0 + 2000, err, sizeof(err)),
	    CASES_DONE);
	/* overdue, as a case decided and never closed becomes */
	assert_int_equal(cases_escalate(&cdb, later - 1000, &(int){ 0 }, err, sizeof(err)), 0);
	assert_true(sql_int("SELECT escalated_ms FROM cases WHERE cylinder = 'CY8'") > 0);

	memset(&r, 0, sizeof(r));
	r.id = id;
	str_copy(r.township, "TB", sizeof(r.township));
	str_copy(r.note, "户籍在乙镇", sizeof(r.note));
	casemsg_set(&r, CASEMSG_ID);
	casemsg_set(&r, CASEMSG_TOWNSHIP);
	casemsg_set(&r, CASEMSG_NOTE_F);
	assert_int_equal(cases_reassign(&cdb, &cat, "regulator:alice", &r, later, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM cases WHERE cylinder = 'CY8' AND"
	                         " township = 'TB' AND state = 'new' AND officer = '' AND"
	                         " outcome = '' AND power = '' AND fine_yuan = 0 AND"
	                         " decided_ms = 0 AND escalated_ms = 0"),
	    1);
	/* the decision set aside is in the timeline as it was: facts each reader words
	 * (017), the regulator's why alone in the note */
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE action = 'reassign' AND"
	                         " note = '户籍在乙镇' AND facts = '{\"from\":\"TA\","
	                         "\"set_aside_fine_yuan\":2000,\"set_aside_outcome\":\"fine\","
	                         "\"set_aside_power\":\"P01\",\"to\":\"TB\"}'"),
	    1);
	/* and the case's answer gives them to its reader, a field each */
	{
		uint8_t *out = NULL;
		size_t len = 0, i;
		json_t *j, *st, *re = NULL;

		assert_int_equal(cases_show(&cdb, &all, id, later, &out, &len, err, sizeof(err)),
		    CASES_DONE);
		j = as_json(out, len);
		json_array_foreach(json_object_get(j, "steps"), i, st)
		{
			if (strcmp(json_string_value(json_object_get(st, "action")), "reassign") ==
			    0)
				re = st;
		}
		assert_non_null(re);
		assert_string_equal(json_string_value(json_object_get(re, "note")), "户籍在乙镇");
		assert_string_equal(json_string_value(json_object_get(re, "from_township")), "TA");
		assert_string_equal(json_string_value(json_object_get(re, "to_township")), "TB");
		assert_string_equal(json_string_value(json_object_get(re, "set_aside_outcome")),
		    "fine");
		assert_string_equal(json_string_value(json_object_get(re, "set_aside_power")),
		    "P01");
		assert_int_equal(json_integer_value(json_object_get(re, "set_aside_fine_yuan")),
		    2000);
		/* the escalation before it: the stage that was late and by how much */
		json_array_foreach(json_object_get(j, "steps"), i, st)
		{
			if (strcmp(json_string_value(json_object_get(st, "action")), "escalate") ==
			    0) {
				assert_string_equal(json_string_value(json_object_get(st, "stage")),
				    "close");
				assert_true(
				    json_integer_value(json_object_get(st, "late_min")) >= 0);
				assert_string_equal(json_string_value(json_object_get(st, "note")),
				    "");
				re = NULL;
			}
		}
		assert_null(re);
		json_decref(j);
	}
	/* the deadlines as if TB had been given the case now */
	catalogue_due(&cat, &config, "R05", "alert", later, due);
	assert_int_equal(sql_int("SELECT accept_due_ms FROM cases WHERE cylinder = 'CY8'"),
	    due[CATALOGUE_ACCEPT]);
	assert_int_equal(sql_int("SELECT close_due_ms FROM cases WHERE cylinder = 'CY8'"),
	    due[CATALOGUE_CLOSE]);
	assert_true(due[CATALOGUE_ACCEPT] > later);
	/* and so it is not overdue the moment it arrives */
	assert_int_equal(cases_escalate(&cdb, later + 1000, &(int){ 0 }, err, sizeof(err)), 0);
	assert_int_equal(sql_int("SELECT escalated_ms FROM cases WHERE cylinder = 'CY8'"), 0);
}

/*
 * Red team, wave 9: a person's number typed into a case.  The console's
 * forms and gaswatch take free text (a comment, a dismissal's reason, a
 * report's note and place, a reassignment's reason), which the county
 * stores and shows as it is; an officer who writes the buyer's resident ID
 * into a comment, or a grid worker who copies it into a report, put a raw
 * number in the county database, on every page of the case and in every
 * backup, where only the masked form may be.  Each is refused naming the
 * field, and nothing is stored.
 */
static void
a_typed_id_number_is_refused_and_stored_nowhere(void **state)
{
	static const char *const numbers[] = {
		"户主身份证 11010519491231002X 已核实",   /* a resident ID that passes its check */
		"credit code 91350100M000100Y43",         /* a credit code that passes its check */
		"电话 13800138000, 证件 110105194912310", /* an old 15-digit one */
	};
	static const char *const bare[] = { "11010519491231002X", "91350100M000100Y43",
		"110105194912310" };
	struct case_request r;
	char err[256];
	int64_t id = sql_int("SELECT id FROM cases WHERE township = 'TA' AND state IN ('new',"
	                     " 'accepted', 'onsite') ORDER BY id LIMIT 1"),
	        steps = sql_int("SELECT count(*) FROM case_steps"),
	        cases = sql_int("SELECT count(*) FROM cases"), got = 0;
	size_t i;

	(void)state;
	assert_true(id > 0);
	for (i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		r = step(id, "comment", numbers[i]);
		assert_int_equal(
		    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0, err, sizeof(err)),
		    CASES_REFUSED);
		assert_non_null(strstr(err, "note"));
		assert_null(strstr(err, "1101051949")); /* the refusal does not echo it */
		r = step(id, "dismiss", numbers[i]);
		assert_int_equal(
		    cases_step(&cdb, &cat, &all, "regulator:alice", &r, T0, err, sizeof(err)),
		    CASES_REFUSED);
		memset(&r, 0, sizeof(r));
		r.id = id;
		str_copy(r.township, "TB", sizeof(r.township));
		str_copy(r.note, numbers[i], sizeof(r.note));
		casemsg_set(&r, CASEMSG_ID);
		casemsg_set(&r, CASEMSG_TOWNSHIP);
		casemsg_set(&r, CASEMSG_NOTE_F);
		assert_int_equal(
		    cases_reassign(&cdb, &cat, "regulator:alice", &r, T0, err, sizeof(err)),
		    CASES_REFUSED);
		memset(&r, 0, sizeof(r));
		str_copy(r.kind, "stacked", sizeof(r.kind));
		str_copy(r.village, "南村", sizeof(r.village));
		str_copy(r.note, numbers[i], sizeof(r.note));
		casemsg_set(&r, CASEMSG_KIND);
		casemsg_set(&r, CASEMSG_VILLAGE);
		casemsg_set(&r, CASEMSG_NOTE_F);
		assert_int_equal(
		    cases_report(&cdb, &cat, "grid:dan@TA", &r, T0, &got, err, sizeof(err)),
		    CASES_REFUSED);
		assert_non_null(strstr(err, "note"));
		str_copy(r.note, "路边堆放气瓶", sizeof(r.note));
		str_copy(r.place, numbers[i], sizeof(r.place));
		casemsg_set(&r, CASEMSG_PLACE_F);
		assert_int_equal(
		    cases_report(&cdb, &cat, "grid:dan@TA", &r, T0, &got, err, sizeof(err)),
		    CASES_REFUSED);
		assert_non_null(strstr(err, "place"));
	}
	/* the words the county looks up, typed (gaswatch takes them as free text): refused
	 * before the refusal that names an unknown one (and gascounty's log line of it) could
	 * echo the number (review rev97) */
	for (i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		memset(&r, 0, sizeof(r));
		str_copy(r.kind, bare[i], sizeof(r.kind));
		str_copy(r.village, "南村", sizeof(r.village));
		str_copy(r.note, "路边堆放气瓶", sizeof(r.note));
		casemsg_set(&r, CASEMSG_KIND);
		casemsg_set(&r, CASEMSG_VILLAGE);
		casemsg_set(&r, CASEMSG_NOTE_F);
		assert_int_equal(
		    cases_report(&cdb, &cat, "grid:dan@TA", &r, T0, &got, err, sizeof(err)),
		    CASES_REFUSED);
		assert_true(strncmp(err, "kind holds", 10) == 0);
		assert_null(strstr(err, bare[i]));
		r = step(id, "decide", "查实");
		str_copy(r.outcome, bare[i], sizeof(r.outcome));
		casemsg_set(&r, CASEMSG_OUTCOME);
		assert_int_equal(
		    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0, err, sizeof(err)),
		    CASES_REFUSED);
		assert_true(strncmp(err, "outcome holds", 13) == 0);
		assert_null(strstr(err, bare[i]));
		str_copy(r.outcome, "fine", sizeof(r.outcome));
		str_copy(r.power, bare[i], sizeof(r.power));
		casemsg_set(&r, CASEMSG_POWER);
		r.fine = 100;
		casemsg_set(&r, CASEMSG_FINE);
		assert_int_equal(
		    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0, err, sizeof(err)),
		    CASES_REFUSED);
		assert_true(strncmp(err, "power holds", 11) == 0);
		assert_null(strstr(err, bare[i]));
		memset(&r, 0, sizeof(r));
		r.id = id;
		str_copy(r.township, bare[i], sizeof(r.township));
		str_copy(r.note, "由东村处理", sizeof(r.note));
		casemsg_set(&r, CASEMSG_ID);
		casemsg_set(&r, CASEMSG_TOWNSHIP);
		casemsg_set(&r, CASEMSG_NOTE_F);
		assert_int_equal(
		    cases_reassign(&cdb, &cat, "regulator:alice", &r, T0, err, sizeof(err)),
		    CASES_REFUSED);
		assert_true(strncmp(err, "township holds", 14) == 0);
		assert_null(strstr(err, bare[i]));
	}
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps"), steps);
	assert_int_equal(sql_int("SELECT count(*) FROM cases"), cases);
	/* the masked form, a phone number and a date are notes like any other */
	r = step(id, "comment", "购气人 1101**********002X, 电话 13800138000, 2026-12-05");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps"), steps + 1);
}

/* A report with code text as the worker sent it: the case it opened. */
static int64_t
report_code(const char *note, const char *code, enum cases_result want)
{
	struct case_request r;
	char err[256];
	int64_t id = 0;

	memset(&r, 0, sizeof(r));
	str_copy(r.kind, "nocode", sizeof(r.kind));
	str_copy(r.village, "东村", sizeof(r.village));
	str_copy(r.note, note, sizeof(r.note));
	str_copy(r.code, code, sizeof(r.code));
	casemsg_set(&r, CASEMSG_KIND);
	casemsg_set(&r, CASEMSG_VILLAGE);
	casemsg_set(&r, CASEMSG_NOTE_F);
	casemsg_set(&r, CASEMSG_CODE);
	assert_int_equal(cases_report(&cdb, &cat, "grid:eve@TA", &r, T0, &id, err, sizeof(err)),
	    want);
	if (want != CASES_DONE)
		assert_null(strstr(err, "1101051949")); /* a refusal does not echo the number */
	return id;
}

/* "check cylinder" of case id: what the county made of its code. */
static const char *
code_of_case(int64_t id, char *out, size_t outlen)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(cdb.db,
	                     "SELECT code_check || ' ' || cylinder, code FROM cases WHERE id = ?",
	                     -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	str_copy(out, (const char *)sqlite3_column_text(st, 0), outlen);
	sqlite3_finalize(st);
	return out;
}

/*
 * A grid worker's cylinder code is read as a scanner would: the label's URL
 * or the bare code names its cylinder (and so the fills the officer sees)
 * only when the county's signature holds; an altered or forged one names
 * none and says why in the timeline; a typed serial names its cylinder as
 * before; a code longer than the old 127-byte field is taken; without the
 * county's key nothing is vouched for.
 */
static void
a_reported_code_names_its_cylinder_only_when_signed(void **state)
{
	struct code_key *key, *forger;
	struct code_record rec = { .county = 330825,
		.serial = "ZJ-000123456789012345678",
		.year = 2023,
		.month = 4,
		.tare_g = 15200 };
	char err[256], code[CODE_MAX_LEN + 1], forged[CODE_MAX_LEN + 1], url[CODE_URL_MAX + 1],
	    altered[CODE_MAX_LEN + 1], got[128];
	int64_t id, cases, steps;
	uint8_t *out;
	size_t len;
	json_t *j;

	(void)state;
	config.report_max_per_hour = 0;
	rec.model = code_model_by_name("YSP35.5")->id;
	rec.fill_g = code_model_by_name("YSP35.5")->fill_g;
	assert_non_null(key = code_key_generate(err, sizeof(err)));
	assert_non_null(forger = code_key_generate(err, sizeof(err)));
	assert_int_equal(code_encode(&rec, key, code, sizeof(code), err, sizeof(err)), 0);
	assert_int_equal(code_encode(&rec, forger, forged, sizeof(forged), err, sizeof(err)), 0);
	assert_true(strlen(code) > 127); /* the field's old bound */
	assert_int_equal(
	    code_url("https://gas.longyou.gov.cn/c/", code, url, sizeof(url), err, sizeof(err)), 0);
	str_copy(altered, code, sizeof(altered));
	altered[20] = altered[20] == 'A' ? 'B' : 'A';
	cat.code_key = key;

	/* the label's URL, as a phone's camera gives it, and the bare code */
	id = report_code("院内一只气瓶，扫码", url, CASES_DONE);
	assert_string_equal(code_of_case(id, got, sizeof(got)), "signed ZJ-000123456789012345678");
	assert_int_equal(sql_int("SELECT count(*) FROM cases WHERE code LIKE 'GC1:%' AND"
	                         " code_check = 'signed' AND length(code) < 200"),
	    1); /* kept as the bare code, not the URL */
	id = report_code("另一只气瓶", code, CASES_DONE);
	assert_string_equal(code_of_case(id, got, sizeof(got)), "signed ZJ-000123456789012345678");
	/* an officer of the township sees that cylinder's fills; the reporter does not */
	assert_int_equal(
	    store_exec(cdb.db,
	        "INSERT INTO stations (id, township, last_seen_ms, created_ms)"
	        " VALUES ('S09', 'TA', 1799990000000, 1799990000000);"
	        "INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms)"
	        " VALUES ('S09', 1, 'F-ZJ', 'fill', 1799990000000, 1799990000000);"
	        "INSERT INTO fills (uuid, station, seq, line, cylinder, started_ms,"
	        " target_kg, net_kg, result) VALUES ('F-ZJ', 'S09', 1, 1,"
	        " 'ZJ-000123456789012345678', 1799990000000, 14.9, 14.9, 'ok')",
	        err, sizeof(err)),
	    0);
	assert_int_equal(casedetail_get(&cdb, &town_a, NULL, id, T0, &out, &len, err, sizeof(err)),
	    CASES_DONE);
	j = as_json(out, len);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(j, "case"), "code_check")), "signed");
	assert_int_equal(json_array_size(json_object_get(j, "fills")), 1);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(j, "fills"), 0), "uuid")),
	    "F-ZJ");
	json_decref(j);
	assert_int_equal(
	    casedetail_get(&cdb,
	        &(struct access_scope){ .reach = ACCESS_REACH_OWN, .person = "grid:eve@TA" }, NULL,
	        id, T0, &out, &len, err, sizeof(err)),
	    CASES_DONE);
	j = as_json(out, len);
	assert_null(json_object_get(j, "fills"));
	json_decref(j);

	/* altered by one character, or signed by another key: no cylinder, and why */
	steps = sql_int("SELECT count(*) FROM case_steps WHERE action = 'code'");
	id = report_code("标签可疑", altered, CASES_DONE);
	assert_string_equal(code_of_case(id, got, sizeof(got)), "invalid ");
	id = report_code("另一张可疑标签", forged, CASES_DONE);
	assert_string_equal(code_of_case(id, got, sizeof(got)), "invalid ");
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE action = 'code' AND"
	                         " identity = 'county' AND note = '' AND"
	                         " length(json_extract(facts, '$.why')) > 0"),
	    steps + 2);
	assert_int_equal(casedetail_get(&cdb, &town_a, NULL, id, T0, &out, &len, err, sizeof(err)),
	    CASES_DONE);
	j = as_json(out, len);
	assert_null(json_object_get(j, "fills"));
	json_decref(j);

	/* a serial typed from the steel (blanks around it trimmed), and a remark */
	id = report_code("钢印编号", "  ZJ-1 ", CASES_DONE);
	assert_string_equal(code_of_case(id, got, sizeof(got)), "serial ZJ-1");
	id = report_code("标签被撕", "标签已撕掉", CASES_DONE);
	assert_string_equal(code_of_case(id, got, sizeof(got)), "unread ");

	/* a person's number in the code field is refused, and stored nowhere; the console asks
	 * first which field holds it (a code itself is never taken for one) */
	cases = sql_int("SELECT count(*) FROM cases");
	report_code("身份证", "11010519491231002X", CASES_REFUSED);
	assert_int_equal(sql_int("SELECT count(*) FROM cases"), cases);
	{
		struct case_request q;

		memset(&q, 0, sizeof(q));
		str_copy(q.code, " 11010519491231002X", sizeof(q.code));
		casemsg_set(&q, CASEMSG_CODE);
		assert_int_equal(cases_field_with_number(&q), CASES_FIELD_CODE);
		assert_string_equal(cases_field_key(CASES_FIELD_CODE), "code");
		str_copy(q.code, code, sizeof(q.code));
		assert_int_equal(cases_field_with_number(&q), CASES_FIELD_NONE);
		str_copy(q.place, "户主 11010519491231002X", sizeof(q.place));
		casemsg_set(&q, CASEMSG_PLACE_F);
		assert_int_equal(cases_field_with_number(&q), CASES_FIELD_PLACE);
		assert_string_equal(cases_field_key(CASES_FIELD_PLACE), "place");
	}

	/* without the county's key: kept, not vouched for */
	cat.code_key = NULL;
	id = report_code("未配置公钥时", url, CASES_DONE);
	assert_string_equal(code_of_case(id, got, sizeof(got)), "unchecked ");
	code_key_free(key);
	code_key_free(forger);
}

/* catalogue_check_decision says which rule a decision breaks, and cases_step_fits which step
 * a state allows (the console words each). */
static void
a_decision_says_why_it_does_not_fit(void **state)
{
	struct catalogue none;
	char err[256];

	(void)state;
	assert_int_equal(catalogue_check_decision(&cat, "fine", "P01", 2000, err, sizeof(err)),
	    CATALOGUE_DECISION_OK);
	assert_int_equal(catalogue_check_decision(&cat, "none", "", 0, err, sizeof(err)),
	    CATALOGUE_DECISION_OK);
	assert_int_equal(catalogue_check_decision(&cat, "jail", "P01", 0, err, sizeof(err)),
	    CATALOGUE_UNKNOWN_OUTCOME);
	assert_int_equal(catalogue_check_decision(&cat, "fine", "P01", 0, err, sizeof(err)),
	    CATALOGUE_NEEDS_FINE);
	assert_non_null(strstr(err, "fine amount"));
	assert_int_equal(catalogue_check_decision(&cat, "warning", "P01", 50, err, sizeof(err)),
	    CATALOGUE_TAKES_NO_FINE);
	assert_int_equal(catalogue_check_decision(&cat, "warning", NULL, 0, err, sizeof(err)),
	    CATALOGUE_NEEDS_POWER);
	assert_int_equal(catalogue_check_decision(&cat, "warning", "P99", 0, err, sizeof(err)),
	    CATALOGUE_UNKNOWN_POWER);
	assert_int_equal(catalogue_check_decision(&cat, "none", "P01", 0, err, sizeof(err)),
	    CATALOGUE_POWER_MISMATCH);
	/* and which step a case's state allows (cases_step's own table) */
	assert_true(cases_step_fits("new", "accept"));
	assert_false(cases_step_fits("accepted", "accept"));
	assert_true(cases_step_fits("onsite", "decide"));
	assert_false(cases_step_fits("accepted", "close"));
	assert_true(cases_step_fits("closed", "comment"));
	assert_false(cases_step_fits("closed", "attach"));
	assert_false(cases_step_fits("new", "fly"));
	/* what each needs: the rule the console marks its fields required by */
	assert_int_equal(cases_step_needs("dismiss"), CASES_NEEDS_NOTE);
	assert_int_equal(cases_step_needs("comment"), CASES_NEEDS_NOTE);
	assert_int_equal(cases_step_needs("reassign"), CASES_NEEDS_NOTE);
	assert_int_equal(cases_step_needs("attach"), CASES_NEEDS_FILE);
	assert_int_equal(cases_step_needs("accept"), 0);
	assert_int_equal(cases_step_needs("fly"), 0);
	assert_true(cases_step_known("dismiss"));
	assert_false(cases_step_known("reassign")); /* its own door: cases_reassign */
	assert_false(cases_step_known("fly"));
	assert_true(cases_note_blank(" \t\r\n"));
	assert_false(cases_note_blank(" x "));
	/* a reassignment: an open case only (cases_reassign's rule) */
	assert_true(cases_step_fits("decided", "reassign"));
	assert_false(cases_step_fits("closed", "reassign"));
	assert_false(cases_step_fits("dismissed", "reassign"));
	memset(&none, 0, sizeof(none));
	assert_int_equal(catalogue_check_decision(&none, "fine", "P01", 1, err, sizeof(err)),
	    CATALOGUE_NO_OUTCOMES);
}

static void
a_report_goes_to_its_villages_township(void **state)
{
	struct case_request r;
	char err[256];
	int64_t id = 0, again = 0;
	uint8_t *out;
	size_t len;
	json_t *j;

	(void)state;
	memset(&r, 0, sizeof(r));
	str_copy(r.kind, "stacked", sizeof(r.kind));
	str_copy(r.village, "南村", sizeof(r.village));
	str_copy(r.note, "路边堆放二十多只气瓶", sizeof(r.note));
	r.lat = 30.123456;
	r.lon = 120.654321;
	casemsg_set(&r, CASEMSG_KIND);
	casemsg_set(&r, CASEMSG_VILLAGE);
	casemsg_set(&r, CASEMSG_NOTE_F);
	casemsg_set(&r, CASEMSG_LAT);
	casemsg_set(&r, CASEMSG_LON);
	assert_int_equal(cases_report(&cdb, &cat, "grid:dan@TA", &r, T0, &id, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM cases WHERE township='TB' AND"
	                         " reporter='grid:dan@TA'"),
	    1);
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:dan@TA", &r, T0 + 1000, &again, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(again, id);
	/* the reporter sees it; TA's officers do not, TB's do */
	assert_int_equal(cases_show(&cdb, &grid_dan, id, T0, &out, &len, err, sizeof(err)),
	    CASES_DONE);
	j = as_json(out, len);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "case"), "lat")),
	    "30.123456");
	json_decref(j);
	assert_int_equal(cases_show(&cdb, &town_a, id, T0, &out, &len, err, sizeof(err)),
	    CASES_OUT_OF_SCOPE);
	assert_int_equal(cases_show(&cdb, &town_b, id, T0, &out, &len, err, sizeof(err)),
	    CASES_DONE);
	free(out);
	/* a village not in the list: the county's fixed reason, which a client (gaswatch)
	 * knows and says with the village it sent */
	str_copy(r.village, "nowhere", sizeof(r.village));
	assert_int_equal(cases_report(&cdb, &cat, "grid:dan@TA", &r, T0, &id, err, sizeof(err)),
	    CASES_REFUSED);
	assert_string_equal(err, cases_route_reason(CASES_ROUTE_UNKNOWN_VILLAGE));
}

/* Township TA: a square with a square hole; TB: an island filling the
 * hole; TC: a MultiPolygon of two squares east of them. */
static const char map_text[] =
    "{\"type\": \"FeatureCollection\", \"features\": ["
    "{\"type\": \"Feature\", \"properties\": {\"code\": \"TA\", \"name\": \"甲镇\"},"
    " \"geometry\": {\"type\": \"Polygon\", \"coordinates\": ["
    "  [[120, 30], [122, 30], [122, 32], [120, 32], [120, 30]],"
    "  [[120.5, 30.5], [121.5, 30.5], [121.5, 31.5], [120.5, 31.5], [120.5, 30.5]]]}},"
    "{\"type\": \"Feature\", \"properties\": {\"code\": \"TB\", \"name\": \"乙镇\"},"
    " \"geometry\": {\"type\": \"Polygon\", \"coordinates\": ["
    "  [[120.5, 30.5], [121.5, 30.5], [121.5, 31.5], [120.5, 31.5], [120.5, 30.5]]]}},"
    "{\"type\": \"Feature\", \"properties\": {\"code\": \"TC\", \"name\": \"丙镇\"},"
    " \"geometry\": {\"type\": \"MultiPolygon\", \"coordinates\": ["
    "  [[[123, 30], [124, 30], [124, 31], [123, 31], [123, 30]]],"
    "  [[[125, 30], [126, 30], [126, 31], [125, 31], [125, 30]]]]}}"
    "]}";

static void
load_map(struct catalogue *c)
{
	char path[128], err[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/map.geojson", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(map_text, fp);
	fclose(fp);
	if (geo_load(path, &c->map, err, sizeof(err)) == -1)
		fail_msg("%s", err);
}

static void
a_point_lies_in_the_township_whose_boundary_holds_it(void **state)
{
	static const struct {
		double lat, lon;
		const char *township; /* NULL: none */
	} rows[] = {
		{ 30.2, 120.2, "TA" }, /* in TA, outside its hole */
		{ 31.0, 121.0, "TB" }, /* in TA's hole: TB's island */
		{ 31.9, 121.9, "TA" }, /* TA's far corner */
		{ 30.5, 123.5, "TC" }, /* TC's first part */
		{ 30.5, 125.5, "TC" }, /* TC's second part */
		{ 30.5, 124.5, NULL }, /* between TC's parts */
		{ 29.9, 120.2, NULL }, /* south of everything */
		{ 35.0, 110.0, NULL },
		{ 0, 0, NULL },
	};
	struct catalogue c;
	const struct geo_township *t;
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	load_map(&c);
	assert_int_equal(c.map.township_count, 3);
	for (i = 0; rows[i].lat != 0; i++) {
		t = geo_township_at(&c.map, rows[i].lat, rows[i].lon);
		if ((t == NULL) != (rows[i].township == NULL) ||
		    (t != NULL && strcmp(t->code, rows[i].township) != 0))
			fail_msg("row %d (%.2f, %.2f): expected %s, got %s", i, rows[i].lat,
			    rows[i].lon, rows[i].township != NULL ? rows[i].township : "none",
			    t != NULL ? t->code : "none");
	}
	/* a projected map is for drawing only */
	geo_project(&c.map, 1000.0);
	assert_null(geo_township_at(&c.map, 30.2, 120.2));
	catalogue_free(&c);
}

/* The townships the console offers and accepts (a reassignment, an
 * account): the map's in its order, then the village list's the map does
 * not draw, each once; nothing else. */
static void
the_townships_are_the_maps_then_the_village_lists(void **state)
{
	static const char villages[] = "village,township\n东村,TA\n北村,TD\n西村,TD\n"
	                               "南村,TE\n中村,TB\n";
	static const char *const want[] = { "TA", "TB", "TC", "TD", "TE" };
	struct catalogue c;
	char err[256];
	size_t i;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_null(catalogue_township(&c, 0)); /* no map, no villages: none */
	assert_false(catalogue_township_listed(&c, "TA"));
	load_map(&c);
	if (catalogue_parse_villages("v.csv", villages, strlen(villages), &c, err, sizeof(err)) ==
	    -1)
		fail_msg("%s", err);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_non_null(catalogue_township(&c, i));
		assert_string_equal(catalogue_township(&c, i), want[i]);
		assert_true(catalogue_township_listed(&c, want[i]));
	}
	assert_null(catalogue_township(&c, i));
	assert_null(catalogue_township(&c, 1000));
	assert_false(catalogue_township_listed(&c, "TX"));
	assert_false(catalogue_township_listed(&c, "ta"));
	assert_false(catalogue_township_listed(&c, ""));
	catalogue_free(&c);
	/* the village list alone */
	memset(&c, 0, sizeof(c));
	if (catalogue_parse_villages("v.csv", villages, strlen(villages), &c, err, sizeof(err)) ==
	    -1)
		fail_msg("%s", err);
	assert_string_equal(catalogue_township(&c, 0), "TA");
	assert_string_equal(catalogue_township(&c, 1), "TD");
	assert_string_equal(catalogue_township(&c, 2), "TE");
	assert_string_equal(catalogue_township(&c, 3), "TB");
	assert_null(catalogue_township(&c, 4));
	assert_false(catalogue_township_listed(&c, "TC"));
	catalogue_free(&c);
}

static struct case_request
report(const char *kind, const char *village, const char *note)
{
	struct case_request r;

	memset(&r, 0, sizeof(r));
	str_copy(r.kind, kind, sizeof(r.kind));
	str_copy(r.note, note, sizeof(r.note));
	casemsg_set(&r, CASEMSG_KIND);
	casemsg_set(&r, CASEMSG_NOTE_F);
	if (village != NULL) {
		str_copy(r.village, village, sizeof(r.village));
		casemsg_set(&r, CASEMSG_VILLAGE);
	}
	return r;
}

static void
at(struct case_request *r, double lat, double lon)
{
	r->lat = lat;
	r->lon = lon;
	casemsg_set(r, CASEMSG_LAT);
	casemsg_set(r, CASEMSG_LON);
}

/*
 * A report resent (a double tap, libcoap's retry) is one case, but only
 * when it is the same report in every field the county keeps: a grid
 * worker reporting a second site with the same short note, in another
 * township, at another place, with another code or photo, files a case of
 * its own.  Before, kind, village and note alone made a resend, and the
 * second site's report (its township's case, its photo) was dropped while
 * the worker was told it was taken (review rev91).
 */
static void
a_second_site_with_the_same_note_is_a_case_of_its_own(void **state)
{
	static uint8_t photo1[] = "\xff\xd8\xff\xe0 one", photo2[] = "\xff\xd8\xff\xe0 two";
	struct case_request r;
	char err[256];
	int64_t first = 0, id = 0, t = T0 + 20 * 86400000LL;
	int64_t cases;

	(void)state;
	config.report_max_per_hour = 0;
	load_map(&cat);
	r = report("违规堆放气瓶", "东村", "发现违规堆放");
	at(&r, 30.2, 120.2); /* in TA */
	str_copy(r.place, "东村口", sizeof(r.place));
	casemsg_set(&r, CASEMSG_PLACE_F);
	assert_int_equal(cases_report(&cdb, &cat, "grid:eve@TA", &r, t, &first, err, sizeof(err)),
	    CASES_DONE);
	cases = sql_int("SELECT count(*) FROM cases");
	/* the same report again: its one case */
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:eve@TA", &r, t + 1000, &id, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(id, first);
	assert_int_equal(sql_int("SELECT count(*) FROM cases"), cases);
	/* the same note at a point in TB: TB's case */
	at(&r, 31.0, 121.0);
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:eve@TA", &r, t + 2000, &id, err, sizeof(err)),
	    CASES_DONE);
	assert_true(id != first);
	assert_int_equal(sql_int("SELECT count(*) FROM cases WHERE township = 'TB'"
	                         " AND reporter = 'grid:eve@TA' AND abs(lat - 31.0) < 1e-9"),
	    1);
	/* another point of TA, another place, a code, a photo: each its own case */
	at(&r, 30.3, 120.3);
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:eve@TA", &r, t + 3000, &id, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM cases"), cases + 2);
	at(&r, 30.2, 120.2);
	str_copy(r.place, "东村桥头", sizeof(r.place));
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:eve@TA", &r, t + 4000, &id, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM cases"), cases + 3);
	str_copy(r.place, "东村口", sizeof(r.place));
	str_copy(r.code, "C-UNKNOWN-9", sizeof(r.code));
	casemsg_set(&r, CASEMSG_CODE);
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:eve@TA", &r, t + 5000, &id, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM cases"), cases + 4);
	with_photo(&r, photo1, sizeof(photo1), "1.jpg");
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:eve@TA", &r, t + 6000, &first, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM cases"), cases + 5);
	/* ... the same photo again is that case's resend, another photo a new case */
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:eve@TA", &r, t + 7000, &id, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(id, first);
	with_photo(&r, photo2, sizeof(photo2), "2.jpg");
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:eve@TA", &r, t + 8000, &id, err, sizeof(err)),
	    CASES_DONE);
	assert_true(id != first);
	assert_int_equal(sql_int("SELECT count(*) FROM cases"), cases + 6);
	assert_int_equal(sql_int("SELECT count(*) FROM case_evidence e JOIN cases c"
	                         " ON c.id = e.case_id WHERE c.reporter = 'grid:eve@TA'"),
	    2);
}

static void
a_report_with_coordinates_goes_where_they_lie(void **state)
{
	struct case_request r;
	char err[256], sql[512];
	int64_t id = 0, cases = sql_int("SELECT count(*) FROM cases");

	(void)state;
	load_map(&cat);
	/* 东村 is TA's by the village list, but the worker stands in TB */
	r = report("违规堆放气瓶", "东村", "岛上仓库堆放气瓶");
	at(&r, 31.0, 121.0);
	assert_int_equal(cases_report(&cdb, &cat, "grid:dan@TA", &r, T0, &id, err, sizeof(err)),
	    CASES_DONE);
	snprintf(sql, sizeof(sql),
	    "SELECT township = 'TB' AND routed_by = 'map' AND kind = 'stacked' AND village = '东村'"
	    " FROM cases WHERE id = %lld",
	    (long long)id);
	assert_int_equal(sql_int(sql), 1);
	/* and the timeline says so, naming the village and its listed township: as facts
	 * each reader words in their language (017), not an English sentence */
	snprintf(sql, sizeof(sql),
	    "SELECT count(*) FROM case_steps WHERE case_id = %lld AND action = 'route' AND"
	    " identity = 'county' AND note = '' AND json_extract(facts, '$.village') = '东村'"
	    " AND json_extract(facts, '$.listed') = 'TA' AND json_extract(facts, '$.to') = 'TB'"
	    " AND json_extract(facts, '$.lat') = 31.0 AND json_extract(facts, '$.lon') = 121.0",
	    (long long)id);
	assert_int_equal(sql_int(sql), 1);
	/* coordinates without a village are enough */
	r = report("nocode", NULL, "无码气瓶三只");
	at(&r, 30.2, 120.2);
	assert_int_equal(cases_report(&cdb, &cat, "grid:dan@TA", &r, T0, &id, err, sizeof(err)),
	    CASES_DONE);
	snprintf(sql, sizeof(sql), "SELECT township = 'TA' FROM cases WHERE id = %lld",
	    (long long)id);
	assert_int_equal(sql_int(sql), 1);
	/* a point in no township is refused, saying so */
	r = report("stacked", "东村", "在县外");
	at(&r, 30.5, 124.5);
	assert_int_equal(cases_report(&cdb, &cat, "grid:dan@TA", &r, T0, &id, err, sizeof(err)),
	    CASES_REFUSED);
	assert_non_null(strstr(err, "lies in no township"));
	/* the rule the console asks first, to word the refusal: each reason apart, each
	 * the county's fixed text (cases_route_reason), which gaswatch knows by its words */
	{
		const char *township = NULL, *by = NULL, *listed = NULL;

		assert_int_equal(cases_route(&cat, &r, &township, &by, &listed, err, sizeof(err)),
		    CASES_ROUTE_OUTSIDE_MAP);
		assert_string_equal(err, cases_route_reason(CASES_ROUTE_OUTSIDE_MAP));
		r = report("stacked", "西村", "x");
		assert_int_equal(cases_route(&cat, &r, &township, &by, &listed, err, sizeof(err)),
		    CASES_ROUTE_UNKNOWN_VILLAGE);
		assert_string_equal(err, cases_route_reason(CASES_ROUTE_UNKNOWN_VILLAGE));
		assert_null(strstr(err, "西村"));
		r = report("stacked", NULL, "x");
		assert_int_equal(cases_route(&cat, &r, &township, &by, &listed, err, sizeof(err)),
		    CASES_ROUTE_NO_VILLAGE);
		assert_string_equal(err, cases_route_reason(CASES_ROUTE_NO_VILLAGE));
		/* three reasons, none the same, none empty */
		assert_string_not_equal(cases_route_reason(CASES_ROUTE_OUTSIDE_MAP),
		    cases_route_reason(CASES_ROUTE_UNKNOWN_VILLAGE));
		assert_string_not_equal(cases_route_reason(CASES_ROUTE_NO_VILLAGE),
		    cases_route_reason(CASES_ROUTE_UNKNOWN_VILLAGE));
		assert_string_equal(cases_route_reason(CASES_ROUTED), "");
		r = report("stacked", "南村", "x");
		assert_int_equal(cases_route(&cat, &r, &township, &by, &listed, err, sizeof(err)),
		    CASES_ROUTED);
		assert_string_equal(township, "TB");
		assert_string_equal(by, "village");
		assert_null(listed);
		/* by coordinates where the village is listed under another township */
		r = report("stacked", "东村", "x");
		at(&r, 31.0, 121.0);
		assert_int_equal(cases_route(&cat, &r, &township, &by, &listed, err, sizeof(err)),
		    CASES_ROUTED);
		assert_string_equal(township, "TB");
		assert_string_equal(listed, "TA");
	}
	/* a kind the catalogue does not list is refused by name */
	r = report("colour", "东村", "x");
	assert_int_equal(cases_report(&cdb, &cat, "grid:dan@TA", &r, T0, &id, err, sizeof(err)),
	    CASES_REFUSED);
	assert_non_null(strstr(err, "'colour' is not a report kind"));
	/* without coordinates: the village list, as before */
	r = report("stacked", "南村", "村口");
	assert_int_equal(cases_report(&cdb, &cat, "grid:dan@TA", &r, T0, &id, err, sizeof(err)),
	    CASES_DONE);
	snprintf(sql, sizeof(sql),
	    "SELECT township = 'TB' AND routed_by = 'village' FROM cases WHERE id = %lld",
	    (long long)id);
	assert_int_equal(sql_int(sql), 1);
	assert_int_equal(sql_int("SELECT count(*) FROM cases"), cases + 3);
	geo_free(&cat.map);
}

/* Friday 2026-09-25 15:00 in Shanghai; the test calendar makes Monday 28
 * and Tuesday 29 holidays and Saturday 3 October a working day. */
static const int64_t FRIDAY = 1790319600000;
static const char deadlines_text[] = "kind,severity,accept,onsite,close\n"
                                     "*,alert,1wd,3wd,15wd\n"
                                     "*,critical,30m,2h,3wd\n"
                                     "stacked,alert,2h,3wd,5wd\n"
                                     "R20,*,1h,1d,2wd\n";
static const char calendar_text[] = "date,day,name\n"
                                    "# a test calendar, not the State Council's\n"
                                    "2026-09-29,holiday,假日二\n"
                                    "2026-09-28,holiday,假日一\n"
                                    "2026-10-03,workday,调休上班\n";

static void
deadlines_count_the_county_working_days(void **state)
{
	static const struct {
		const char *kind, *severity;
		int64_t accept, onsite, close; /* Unix ms */
	} rows[] = {
		/* 1wd: Saturday, Sunday, two holidays, Wednesday: midnight into Thursday */
		{ "R05", "alert", 1790784000000, 1790956800000, 0 },
		/* the kind's own row; 5wd counts the make-up Saturday */
		{ "stacked", "alert", 1790319600000 + 2 * 3600000, 1790956800000, 1791216000000 },
		{ "R05", "critical", 1790319600000 + 30 * 60000, 1790319600000 + 2 * 3600000,
		    1790956800000 },
		/* a kind's row (any severity) before the any-kind critical row */
		{ "R20", "critical", 1790319600000 + 3600000, 1790319600000 + 86400000,
		    1790870400000 },
		{ NULL, NULL, 0, 0, 0 },
	};
	struct catalogue c;
	int64_t due[CATALOGUE_STAGES];
	char err[256], sql[256];
	struct case_request r;
	int64_t id;
	int i;

	(void)state;
	assert_int_equal(timetext_set_zone("Asia/Shanghai", err, sizeof(err)), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(catalogue_parse_deadlines("deadlines.csv", deadlines_text,
	                     strlen(deadlines_text), &c, err, sizeof(err)),
	    0);
	assert_int_equal(catalogue_parse_calendar("calendar.csv", calendar_text,
	                     strlen(calendar_text), &c, err, sizeof(err)),
	    0);
	assert_int_equal(catalogue_workday(&c, timetext_day_number(FRIDAY)), 1);
	assert_int_equal(catalogue_workday(&c, timetext_day_number(FRIDAY + 86400000)), 0);
	assert_int_equal(catalogue_workday(&c, timetext_day_number(FRIDAY + 3 * 86400000)), 0);
	assert_int_equal(catalogue_workday(&c, timetext_day_number(FRIDAY + 8 * 86400000)), 1);
	for (i = 0; rows[i].kind != NULL; i++) {
		catalogue_due(&c, &config, rows[i].kind, rows[i].severity, FRIDAY, due);
		if (due[CATALOGUE_ACCEPT] != rows[i].accept ||
		    due[CATALOGUE_ONSITE] != rows[i].onsite ||
		    (rows[i].close != 0 && due[CATALOGUE_CLOSE] != rows[i].close))
			fail_msg("row %d (%s %s): got %lld %lld %lld", i, rows[i].kind,
			    rows[i].severity, (long long)due[0], (long long)due[1],
			    (long long)due[2]);
	}
	/* no deadlines file: the case_*_min settings */
	catalogue_due(NULL, &config, "R05", "alert", FRIDAY, due);
	assert_int_equal(due[CATALOGUE_ACCEPT], FRIDAY + 60 * 60000);
	/* a report opened that Friday carries the deadlines of its kind */
	c.kinds = cat.kinds;
	c.nkinds = cat.nkinds;
	c.villages = cat.villages;
	c.nvillages = cat.nvillages;
	r = report("stacked", "东村", "周五下午发现");
	assert_int_equal(cases_report(&cdb, &c, "grid:dan@TA", &r, FRIDAY, &id, err, sizeof(err)),
	    CASES_DONE);
	snprintf(sql, sizeof(sql),
	    "SELECT accept_due_ms = %lld AND onsite_due_ms = 1790956800000 AND close_due_ms ="
	    " 1791216000000 FROM cases WHERE id = %lld",
	    (long long)(FRIDAY + 2 * 3600000), (long long)id);
	assert_int_equal(sql_int(sql), 1);
	/* closed again, so that the overdue test after this one does not see it */
	r = step(id, "dismiss", "测试");
	assert_int_equal(
	    cases_step(&cdb, &cat, &all, "regulator:alice", &r, FRIDAY, err, sizeof(err)),
	    CASES_DONE);
	c.kinds = NULL;
	c.villages = NULL;
	c.nkinds = c.nvillages = 0;
	catalogue_free(&c);
}

static void
a_case_past_its_deadline_is_overdue_and_escalated_once(void **state)
{
	char err[256];
	uint8_t *out;
	size_t len, i;
	int n, found = 0;
	json_t *j, *list;
	int64_t late = T0 + 11 * 60000; /* the critical case of CY2 must be accepted in 10 min */

	(void)state;
	assert_int_equal(cases_escalate(&cdb, T0 + 60000, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cases_escalate(&cdb, late, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(cases_escalate(&cdb, late + 1000, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(cases_list(&cdb, &all, "regulator:alice", CASES_VIEW_OVERDUE, late, 100,
	                     &out, &len, err, sizeof(err)),
	    0);
	j = as_json(out, len);
	list = json_object_get(j, "cases");
	for (i = 0; i < json_array_size(list); i++) {
		json_t *c = json_array_get(list, i);

		assert_int_equal(json_integer_value(json_object_get(c, "overdue")), 1);
		if (strcmp(json_string_value(json_object_get(c, "severity")), "critical") == 0) {
			found++;
			assert_string_equal(json_string_value(json_object_get(c, "township")),
			    "TA");
			assert_int_equal(json_integer_value(json_object_get(c, "overdue_s")), 60);
		}
	}
	assert_int_equal(found, 1);
	/* the most urgent first */
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "severity")),
	    "critical");
	json_decref(j);
	/* TB's officer sees none of TA's */
	assert_int_equal(cases_list(&cdb, &town_b, "officer:li@TB", CASES_VIEW_OVERDUE, late, 100,
	                     &out, &len, err, sizeof(err)),
	    0);
	j = as_json(out, len);
	list = json_object_get(j, "cases");
	for (i = 0; i < json_array_size(list); i++)
		assert_string_equal(
		    json_string_value(json_object_get(json_array_get(list, i), "township")), "TB");
	json_decref(j);
}

static void
figures_count_per_township(void **state)
{
	char err[256];
	uint8_t *out;
	size_t len;
	json_t *j, *ta;

	(void)state;
	assert_int_equal(cases_figures(&cdb, &town_a, T0 - 1000, T0 + 3600000, T0 + 3600000, &out,
	                     &len, err, sizeof(err)),
	    0);
	j = as_json(out, len);
	assert_int_equal(json_array_size(json_object_get(j, "townships")), 1);
	ta = json_array_get(json_object_get(j, "townships"), 0);
	assert_string_equal(json_string_value(json_object_get(ta, "township")), "TA");
	assert_int_equal(json_integer_value(json_object_get(ta, "closed")), 1);
	assert_int_equal(json_integer_value(json_object_get(ta, "info_alerts")), 1);
	assert_int_equal(json_integer_value(json_object_get(ta, "median_accept_s")), 1);
	assert_int_equal(json_integer_value(json_object_get(ta, "median_close_s")), 4);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(ta, "outcomes"), "fine")), 1);
	json_decref(j);
}

static void
catalogue_errors_name_the_line(void **state)
{
	static const struct {
		const char *text, *error;
	} rows[] = {
		{ "kind,code,name\n", "cat.csv:1: the header must be" },
		{ "kind,code,name,basis,applies\noutcome,fine,罚款,,lots\n",
		    "cat.csv:2: an outcome" },
		{ "kind,code,name,basis,applies\n#c\npower,P1,x,basis,fine\n",
		    "cat.csv:3: outcome 'fine' is not defined" },
		{ "kind,code,name,basis,applies\npower,P1,x,,fine\n", "cat.csv:2: a power needs" },
		{ "kind,code,name,basis,applies\noutcome,a b,x,,\n", "cat.csv:2: code must be" },
		{ "kind,code,name,basis,applies\noutcome,a,x,,\noutcome,a,y,,\n",
		    "cat.csv:3: outcome a twice" },
		{ "kind,code,name,basis,applies\nthing,a,x,,\n", "cat.csv:2: kind must be" },
		{ "kind,code,name,basis,applies\nreport,a,x,,P01\n",
		    "cat.csv:2: a report kind's applies is empty" },
		{ "kind,code,name,basis,applies\nreport,a,x,,\nreport,b,x,,\n",
		    "cat.csv:3: report kind b twice" },
		{ NULL, NULL },
	};
	static const struct {
		int calendar;
		const char *text, *error;
	} more[] = {
		{ 0, "kind,severity,accept,onsite,close\n*,alert,1wd,3wd\n", "f.csv:2: 4 fields" },
		{ 0, "kind,severity,accept,onsite,close\n*,urgent,1wd,3wd,5wd\n",
		    "f.csv:2: severity is" },
		{ 0, "kind,severity,accept,onsite,close\n*,alert,1wd,3 wd,5wd\n",
		    "f.csv:2: onsite is N then" },
		{ 0, "kind,severity,accept,onsite,close\n*,alert,0m,3wd,5wd\n",
		    "f.csv:2: accept is N then" },
		{ 0, "kind,severity,accept,onsite,close\n*,alert,1wd,3wd,999wd\n",
		    "f.csv:2: close is N then" },
		{ 0, "kind,severity,accept,onsite,close\nR 1,alert,1m,1m,1m\n",
		    "f.csv:2: kind is" },
		{ 0, "kind,severity,accept,onsite,close\n*,*,1m,1m,1m\n#\n*,*,2m,2m,2m\n",
		    "f.csv:4: *,* twice" },
		{ 0, "kind,severity,accept,onsite,close\n*,alert,5wd,3wd,15wd\n",
		    "f.csv:2: onsite is due before accept (*,alert)" },
		{ 0, "kind,severity,accept,onsite,close\n*,*,30m,2h,1h\n",
		    "f.csv:2: close is due before onsite (*,*)" },
		{ 1, "date,day,name\n2026-02-30,holiday,x\n", "f.csv:2: date must be" },
		{ 1, "date,day,name\n2026-10-01,off,x\n", "f.csv:2: day is holiday" },
		{ 1, "date,day,name\n2026-10-01,holiday,x\n2026-10-01,workday,y\n",
		    "f.csv:3: 2026-10-01 twice" },
		{ 1, "date,day\n", "f.csv:1: the header must be date,day,name" },
		{ 0, NULL, NULL },
	};
	struct catalogue c;
	char err[256];
	int i;

	(void)state;
	for (i = 0; rows[i].text != NULL; i++) {
		err[0] = '\0';
		if (catalogue_parse("cat.csv", rows[i].text, strlen(rows[i].text), &c, err,
		        sizeof(err)) != -1 ||
		    strstr(err, rows[i].error) == NULL)
			fail_msg("row %d: expected '%s', got '%s'", i, rows[i].error, err);
		catalogue_free(&c);
	}
	assert_int_equal(catalogue_parse_villages("v.csv", "village,township\n东村,TA\n东村,TB\n",
	                     strlen("village,township\n东村,TA\n东村,TB\n"), &c, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "v.csv:3: village 东村 twice"));
	catalogue_free(&c);
	for (i = 0; more[i].text != NULL; i++) {
		memset(&c, 0, sizeof(c));
		err[0] = '\0';
		if ((more[i].calendar ? catalogue_parse_calendar("f.csv", more[i].text,
		                            strlen(more[i].text), &c, err, sizeof(err))
		                      : catalogue_parse_deadlines("f.csv", more[i].text,
		                            strlen(more[i].text), &c, err, sizeof(err))) != -1 ||
		    strstr(err, more[i].error) == NULL)
			fail_msg("deadlines/calendar row %d: expected '%s', got '%s'", i,
			    more[i].error, err);
		catalogue_free(&c);
	}
}

/* A CBOR map of one key to a catalogue-like array built by hand, for the decoder's
 * refusals. */
static size_t
catalogue_answer(const char *key, cbor_item_t *items, unsigned char **out)
{
	cbor_item_t *root = cbor_new_definite_map(1);
	size_t size = 0, len;

	assert_true(cbor_map_add(root, (struct cbor_pair){ .key = cbor_move(cbor_build_string(key)),
	                                   .value = cbor_move(items) }));
	len = cbor_serialize_alloc(root, out, &size);
	cbor_decref(&root);
	assert_true(len > 0);
	return len;
}

static cbor_item_t *
catalogue_item(const char *code, const char *name, const char *outcome)
{
	cbor_item_t *m = cbor_new_definite_map(3), *list = cbor_new_definite_array(1);

	assert_true(cbor_map_add(m, (struct cbor_pair){ .key = cbor_move(cbor_build_string("code")),
	                                .value = cbor_move(cbor_build_string(code)) }));
	assert_true(cbor_map_add(m, (struct cbor_pair){ .key = cbor_move(cbor_build_string("name")),
	                                .value = cbor_move(cbor_build_string(name)) }));
	if (outcome != NULL)
		assert_true(cbor_array_push(list, cbor_move(cbor_build_string(outcome))));
	assert_true(cbor_map_add(m,
	    (struct cbor_pair){ .key = cbor_move(cbor_build_string("outcomes")), .value = list }));
	cbor_decref(&list);
	return m;
}

/* What a client decodes from GET /cases/catalogue judges every decision as the county's
 * own catalogue does (gaswatch words a refused decision this way); an answer the county
 * would never send is refused whole. */
static void
the_catalogue_answer_judges_decisions_as_the_county_does(void **state)
{
	static const struct {
		const char *outcome, *power;
		long long fine;
	} decisions[] = {
		{ "none", NULL, 0 },
		{ "nosuch", NULL, 0 },
		{ "fine", "P01", 0 },
		{ "fine", "P01", 500 },
		{ "warning", "P01", 200 },
		{ "warning", NULL, 0 },
		{ "warning", "P99", 0 },
		{ "none", "P01", 0 },
		{ "warning", "P01", 0 },
	};
	unsigned char *bytes = NULL;
	struct catalogue back, empty;
	cbor_item_t *items;
	size_t len, i;
	char err[256], err2[256];

	(void)state;
	assert_int_equal(catalogue_encode(&cat, &bytes, &len), 0);
	assert_int_equal(catalogue_decode(bytes, len, &back, err, sizeof(err)), 0);
	free(bytes);
	assert_int_equal(back.noutcomes, cat.noutcomes);
	assert_int_equal(back.npowers, cat.npowers);
	assert_int_equal(back.nkinds, cat.nkinds);
	assert_string_equal(catalogue_outcome(&back, "fine")->name, "罚款");
	assert_string_equal(catalogue_power(&back, "P01")->name, "违规堆放气瓶");
	for (i = 0; i < sizeof(decisions) / sizeof(decisions[0]); i++)
		if (catalogue_check_decision(&back, decisions[i].outcome, decisions[i].power,
		        decisions[i].fine, err, sizeof(err)) !=
		    catalogue_check_decision(&cat, decisions[i].outcome, decisions[i].power,
		        decisions[i].fine, err2, sizeof(err2)))
			fail_msg("decision %zu judged otherwise: '%s' against '%s'", i, err, err2);
	/* the cases that tell the two apart: a power's outcome, a fine's amount */
	assert_int_equal(catalogue_check_decision(&back, "none", "P01", 0, err, sizeof(err)),
	    CATALOGUE_POWER_MISMATCH);
	assert_int_equal(catalogue_check_decision(&back, "fine", "P01", 0, err, sizeof(err)),
	    CATALOGUE_NEEDS_FINE);
	assert_int_equal(catalogue_check_decision(&back, "warning", NULL, 0, err, sizeof(err)),
	    CATALOGUE_NEEDS_POWER);
	catalogue_free(&back);

	/* not CBOR, not a map, a power ending in an outcome the answer does not list, a code
	 * that is no code, an outcome twice: each refused, nothing left */
	assert_int_equal(catalogue_decode((const uint8_t *)"\xff\x01", 2, &back, err, sizeof(err)),
	    -1);
	assert_int_equal(back.noutcomes + back.npowers + back.nkinds, 0);
	assert_int_equal(
	    catalogue_decode((const uint8_t *)"\x83\x01\x02\x03", 4, &back, err, sizeof(err)), -1);
	items = cbor_new_definite_array(1);
	assert_true(cbor_array_push(items, cbor_move(catalogue_item("P01", "x", "fine"))));
	len = catalogue_answer("powers", items, &bytes);
	assert_int_equal(catalogue_decode(bytes, len, &back, err, sizeof(err)), -1);
	assert_null(back.powers);
	free(bytes);
	items = cbor_new_definite_array(1);
	assert_true(cbor_array_push(items, cbor_move(catalogue_item("a b", "x", NULL))));
	len = catalogue_answer("outcomes", items, &bytes);
	assert_int_equal(catalogue_decode(bytes, len, &back, err, sizeof(err)), -1);
	free(bytes);
	items = cbor_new_definite_array(2);
	assert_true(cbor_array_push(items, cbor_move(catalogue_item("a", "x", NULL))));
	assert_true(cbor_array_push(items, cbor_move(catalogue_item("a", "y", NULL))));
	len = catalogue_answer("outcomes", items, &bytes);
	assert_int_equal(catalogue_decode(bytes, len, &back, err, sizeof(err)), -1);
	assert_null(back.outcomes);
	free(bytes);
	/* an amount that is a float, not a boolean (libcbor's cbor_is_bool aborts on one):
	 * read as no fine, nothing aborts */
	{
		cbor_item_t *m = cbor_new_definite_map(3);
		const char *keys[] = { "code", "name", "amount" };
		cbor_item_t *values[] = { cbor_build_string("half"), cbor_build_string("半"),
			cbor_build_float8(1.0) };

		for (i = 0; i < 3; i++)
			assert_true(cbor_map_add(m,
			    (struct cbor_pair){ .key = cbor_move(cbor_build_string(keys[i])),
			        .value = cbor_move(values[i]) }));
		items = cbor_new_definite_array(1);
		assert_true(cbor_array_push(items, cbor_move(m)));
		len = catalogue_answer("outcomes", items, &bytes);
		assert_int_equal(catalogue_decode(bytes, len, &back, err, sizeof(err)), 0);
		assert_int_equal(catalogue_outcome(&back, "half")->amount, 0);
		catalogue_free(&back);
		free(bytes);
	}
	/* an answer with no outcomes: the county has none, and says so */
	items = cbor_new_definite_array(0);
	len = catalogue_answer("outcomes", items, &bytes);
	assert_int_equal(catalogue_decode(bytes, len, &empty, err, sizeof(err)), 0);
	assert_int_equal(catalogue_check_decision(&empty, "fine", NULL, 1, err, sizeof(err)),
	    CATALOGUE_NO_OUTCOMES);
	catalogue_free(&empty);
	free(bytes);
}

static void
a_request_round_trips_and_bad_ones_name_the_key(void **state)
{
	struct case_request r, back;
	uint8_t *buf;
	size_t len;
	char err[160];
	/* {"id": 1, "colour": 2} / {"step": "a\nb"} / {"id": "x"} */
	static const uint8_t unknown[] = { 0xa2, 0x62, 'i', 'd', 0x01, 0x66, 'c', 'o', 'l', 'o',
		'u', 'r', 0x02 };
	static const uint8_t two_lines[] = { 0xa1, 0x64, 's', 't', 'e', 'p', 0x63, 'a', '\n', 'b' };
	static const uint8_t wrong_type[] = { 0xa1, 0x62, 'i', 'd', 0x61, 'x' };
	/* {"id": an array claiming 2^32-1 items}: refused before libcbor allocates */
	static const uint8_t huge[] = { 0xa1, 0x62, 'i', 'd', 0x9a, 0xff, 0xff, 0xff, 0xff };

	(void)state;
	r = step(42, "decide", "罚款两千元\n第二行");
	r.fine = 2000;
	casemsg_set(&r, CASEMSG_FINE);
	assert_int_equal(casemsg_encode(&r, &buf, &len), 0);
	assert_int_equal(casemsg_decode(buf, len, &back, err, sizeof(err)), 0);
	free(buf);
	assert_int_equal(back.id, 42);
	assert_int_equal(back.fine, 2000);
	assert_string_equal(back.note, r.note);
	assert_int_equal(back.present, r.present);
	casemsg_free(&back);
	assert_int_equal(casemsg_decode(unknown, sizeof(unknown), &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "colour"));
	assert_int_equal(casemsg_decode(two_lines, sizeof(two_lines), &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "step: not UTF-8 text on one line"));
	assert_int_equal(casemsg_decode(wrong_type, sizeof(wrong_type), &back, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "id"));
	assert_int_equal(casemsg_decode(huge, sizeof(huge), &back, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "flat CBOR map"));
	/* a request key: 16..64 of [A-Za-z0-9_-], else refused naming rid, never echoed */
	{
		static const char *const bad_rids[] = { "short", "has space in it 0123",
			"semi;colon-0123456789", "slash/0123456789012345",
			"0123456789012345678901234567890123456789012345678901234567890123X" };
		char json[160];
		size_t i;
		int n;

		n = snprintf(json, sizeof(json), "{\"rid\": \"%s\"}", "Ab0_-ab0_-Ab0_-ab");
		assert_int_equal(
		    casemsg_decode_json((const uint8_t *)json, (size_t)n, &back, err, sizeof(err)),
		    0);
		assert_string_equal(back.rid, "Ab0_-ab0_-Ab0_-ab");
		for (i = 0; i < sizeof(bad_rids) / sizeof(bad_rids[0]); i++) {
			n = snprintf(json, sizeof(json), "{\"rid\": \"%s\"}", bad_rids[i]);
			assert_int_equal(casemsg_decode_json((const uint8_t *)json, (size_t)n,
			                     &back, err, sizeof(err)),
			    -1);
			assert_non_null(strstr(err, "rid"));
			assert_null(strstr(err, bad_rids[i]));
		}
	}
	/* a code as long as the longest label URL a scanner reads is taken; one more is not */
	{
		char json[CODE_URL_MAX + 64];
		int n = snprintf(json, sizeof(json), "{\"code\": \"https://g.cn/c/%0*d\"}",
		    CODE_URL_MAX - (int)strlen("https://g.cn/c/"), 0);

		assert_int_equal(
		    casemsg_decode_json((const uint8_t *)json, (size_t)n, &back, err, sizeof(err)),
		    0);
		assert_int_equal(strlen(back.code), CODE_URL_MAX);
		casemsg_free(&back);
		n = snprintf(json, sizeof(json), "{\"code\": \"https://g.cn/c/%0*d\"}",
		    CODE_URL_MAX + 1 - (int)strlen("https://g.cn/c/"), 0);
		assert_int_equal(
		    casemsg_decode_json((const uint8_t *)json, (size_t)n, &back, err, sizeof(err)),
		    -1);
		assert_non_null(strstr(err, "code"));
	}
}

static void
a_json_request_reads_as_its_cbor_twin(void **state)
{
	static const char good[] =
	    "{\"id\": 7, \"step\": \"attach\", \"note\": \"罚款\\n两千\","
	    " \"fine\": 2000, \"lat\": 29.5, \"lon\": 119, \"file\": \"a.jpg\","
	    " \"type\": \"image/jpeg\", \"data\": \"/9j/4AA=\"}";
	static const struct {
		const char *json, *error;
	} bad[] = {
		{ "[1]", "not a JSON object" },
		{ "{\"id\": 1", "not JSON" },
		{ "{\"id\": 1, \"id\": 2}", "not JSON" },
		{ "{\"colour\": 1}", "unknown key 'colour'" },
		{ "{\"id\": \"7\"}", "id: not an integer" },
		{ "{\"id\": 1.5}", "id: not an integer" },
		{ "{\"id\": 0}", "id: 0 is outside" },
		{ "{\"lat\": 91}", "lat: 91 is outside" },
		{ "{\"step\": \"a\\nb\"}", "step: not UTF-8 text on one line" },
		{ "{\"note\": [\"x\"]}", "note: not a text string" },
		{ "{\"data\": \"not base64!\"}", "data: not base64" },
		{ "{\"data\": \"\"}", "data: not base64" },
		{ "{\"data\": 5}", "data: not a base64 text string" },
		{ NULL, NULL },
	};
	struct case_request r;
	char err[200];
	int i;

	(void)state;
	assert_int_equal(
	    casemsg_decode_json((const uint8_t *)good, strlen(good), &r, err, sizeof(err)), 0);
	assert_int_equal(r.id, 7);
	assert_string_equal(r.step, "attach");
	assert_string_equal(r.note, "罚款\n两千");
	assert_int_equal(r.fine, 2000);
	assert_true(r.lat == 29.5 && r.lon == 119.0);
	assert_int_equal(r.data_len, 5);
	assert_memory_equal(r.data, "\xff\xd8\xff\xe0\x00", 5);
	assert_true(CASEMSG_HAS(&r, CASEMSG_DATA) && CASEMSG_HAS(&r, CASEMSG_TYPE) &&
	            !CASEMSG_HAS(&r, CASEMSG_KIND));
	casemsg_free(&r);
	for (i = 0; bad[i].json != NULL; i++) {
		err[0] = '\0';
		if (casemsg_decode_json((const uint8_t *)bad[i].json, strlen(bad[i].json), &r, err,
		        sizeof(err)) != -1 ||
		    strstr(err, bad[i].error) == NULL)
			fail_msg("row %d (%s): expected '%s', got '%s'", i, bad[i].json,
			    bad[i].error, err);
		assert_null(r.data);
	}
}

static void
named_people_and_what_they_may_do(void **state)
{
	static const struct {
		const char *identity;
		enum access_action action;
		int allowed;
		const char *township, *person;
	} rows[] = {
		{ "officer:wang@TA", ACCESS_CASES_ACT, 1, "TA", "" },
		{ "officer:wang@TA", ACCESS_CASES_REPORT, 0, "", "" },
		{ "officer:wang@TA", ACCESS_CASES_REASSIGN, 0, "", "" },
		{ "grid:dan@TA", ACCESS_CASES_REPORT, 1, "", "grid:dan@TA" },
		{ "grid:dan@TA", ACCESS_CASES_READ, 1, "", "grid:dan@TA" },
		{ "grid:dan@TA", ACCESS_CASES_ACT, 0, "", "" },
		{ "township:TA", ACCESS_CASES_ACT, 0, "", "" },
		{ "township:TA", ACCESS_CASES_READ, 0, "", "" },
		{ "regulator:alice", ACCESS_CASES_REASSIGN, 1, "", "" },
		{ "regulator:alice", ACCESS_CASES_OVERDUE, 1, "", "" },
		{ "officer:wang", ACCESS_CASES_ACT, 0, "", "" },
		{ "officer:@TA", ACCESS_CASES_ACT, 0, "", "" },
		{ "officer:a@b@TA", ACCESS_CASES_ACT, 0, "", "" },
		{ "grid:dan@", ACCESS_CASES_REPORT, 0, "", "" },
		{ NULL, 0, 0, NULL, NULL },
	};
	struct access_identity who;
	struct access_scope scope;
	int i;

	(void)state;
	for (i = 0; rows[i].identity != NULL; i++) {
		access_identity_parse((const uint8_t *)rows[i].identity, strlen(rows[i].identity),
		    &who);
		if (access_decide(&who, rows[i].action, &scope) != rows[i].allowed ||
		    strcmp(scope.township, rows[i].township) != 0 ||
		    strcmp(scope.person, rows[i].person) != 0)
			fail_msg("row %d: %s %s", i, rows[i].identity,
			    access_action_name(rows[i].action));
	}
}

/*
 * The pages (SQLite's page cache hits and misses) one list of scope's open
 * cases takes; every case it gives is open and scope's (township or
 * reporter), and *n says how many it gave.
 */
static int
open_list_pages(const struct access_scope *scope, const char *who, size_t *n)
{
	int hit0, miss0, hit1, miss1, high;
	char err[256];
	uint8_t *out;
	size_t len, i;
	json_t *j, *list, *c;

	sqlite3_db_status(cdb.db, SQLITE_DBSTATUS_CACHE_HIT, &hit0, &high, 0);
	sqlite3_db_status(cdb.db, SQLITE_DBSTATUS_CACHE_MISS, &miss0, &high, 0);
	assert_int_equal(
	    cases_list(&cdb, scope, who, CASES_VIEW_OPEN, T0, 500, &out, &len, err, sizeof(err)),
	    0);
	sqlite3_db_status(cdb.db, SQLITE_DBSTATUS_CACHE_HIT, &hit1, &high, 0);
	sqlite3_db_status(cdb.db, SQLITE_DBSTATUS_CACHE_MISS, &miss1, &high, 0);
	j = as_json(out, len);
	list = json_object_get(j, "cases");
	*n = json_array_size(list);
	for (i = 0; i < *n; i++) {
		c = json_array_get(list, i);
		assert_string_not_equal(json_string_value(json_object_get(c, "state")), "closed");
		assert_string_not_equal(json_string_value(json_object_get(c, "state")),
		    "dismissed");
		if (scope->township[0] != '\0')
			assert_string_equal(json_string_value(json_object_get(c, "township")),
			    scope->township);
		else
			assert_string_equal(json_string_value(json_object_get(c, "reporter")),
			    scope->person);
	}
	json_decref(j);
	return (hit1 - hit0) + (miss1 - miss0);
}

/* count cases of township in state, reported by reporter, as one statement */
static void
many_cases(int count, const char *township, const char *state, const char *reporter)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
	    " INSERT INTO cases (township, severity, kind, title, state, reporter, opened_ms,"
	    " last_alert_ms, updated_ms, closed_ms) SELECT '%s', 'alert', 'R05', 'bulk', '%s',"
	    " '%s', %lld, %lld, %lld, 0 FROM n",
	    count, township, state, reporter, (long long)T0, (long long)T0, (long long)T0);
	assert_int_equal(store_exec(cdb.db, sql, NULL, 0), 0);
}

/*
 * A township's open cases, and a grid worker's, are found through their
 * indexes: the pages one list reads stay the same (but for a level more
 * per case listed, as the table grows deeper) while the county's other
 * cases (other townships', the township's closed ones, other reporters')
 * grow from a few thousand to 40,000.  A list that read the whole table
 * (an OR of bound parameters as its scope, "NOT IN" for open) read every
 * page of it.
 */
static void
a_list_reads_its_own_cases_only(void **state)
{
	size_t n_town, n_grid, n;
	int town0, grid0, town1, grid1;

	(void)state;
	many_cases(50, "TA", "accepted", "");
	many_cases(20, "TB", "new", "grid:eve@TB");
	many_cases(2000, "TZ", "new", "");
	many_cases(2000, "TA", "closed", "");
	open_list_pages(&town_a, "officer:wang@TA", &n); /* the first one reads the schema */
	town0 = open_list_pages(&town_a, "officer:wang@TA", &n_town);
	grid0 = open_list_pages(
	    &(struct access_scope){ .reach = ACCESS_REACH_OWN, .person = "grid:eve@TB" },
	    "grid:eve@TB", &n_grid);
	assert_true(n_town >= 50);
	assert_int_equal(n_grid, 20);
	many_cases(20000, "TZ", "new", "");
	many_cases(20000, "TA", "closed", "");
	town1 = open_list_pages(&town_a, "officer:wang@TA", &n);
	assert_int_equal(n, n_town);
	grid1 = open_list_pages(
	    &(struct access_scope){ .reach = ACCESS_REACH_OWN, .person = "grid:eve@TB" },
	    "grid:eve@TB", &n);
	assert_int_equal(n, 20);
	print_message("open list pages: township %d -> %d, grid worker %d -> %d\n", town0, town1,
	    grid0, grid1);
	/* an index level more at most, for each case listed (the list reads them in its order,
	 * newest first, each from the table's root: one level more once the table is deeper),
	 * never the tables' thousands of pages */
	assert_true(town1 <= town0 + (int)n_town + 8);
	assert_true(grid1 <= grid0 + (int)n_grid + 8);
}

/* The list's order as it was written before 011's indexes, each term computed per row: the
 * reference that the indexed order must give row for row. */
#define OLD_DUE                                                                                    \
	"(CASE state WHEN 'new' THEN accept_due_ms WHEN 'accepted' THEN onsite_due_ms"             \
	" WHEN 'closed' THEN 0 WHEN 'dismissed' THEN 0 ELSE close_due_ms END)"
#define OLD_OPEN "state IN ('new', 'accepted', 'onsite', 'decided')"
#define OLD_OVERDUE "(" OLD_OPEN " AND ?1 > " OLD_DUE ")"

static int
same_text(const json_t *c, const char *key, const char *text)
{
	return strcmp(json_string_value(json_object_get(c, key)), text) == 0;
}

/* cases_list_brief gives what list (cases_list's answer) holds, case for case. */
static void
same_brief(const json_t *list, const struct access_scope *scope, const char *who,
    enum cases_view view, int64_t now, size_t max)
{
	struct cases_brief *rows;
	char err[256];
	size_t n, i;

	assert_int_equal(
	    cases_list_brief(&cdb, scope, who, view, NULL, now, max, &rows, &n, err, sizeof(err)),
	    0);
	assert_non_null(rows);
	assert_int_equal(n, json_array_size(list));
	for (i = 0; i < n; i++) {
		const json_t *c = json_array_get(list, i);

		if (json_integer_value(json_object_get(c, "id")) != rows[i].id ||
		    json_integer_value(json_object_get(c, "due_ms")) != rows[i].due_ms ||
		    json_integer_value(json_object_get(c, "overdue")) != rows[i].overdue ||
		    json_integer_value(json_object_get(c, "overdue_s")) != rows[i].overdue_s ||
		    !same_text(c, "township", rows[i].township) ||
		    !same_text(c, "severity", rows[i].severity) ||
		    !same_text(c, "kind", rows[i].kind) || !same_text(c, "state", rows[i].state) ||
		    !same_text(c, "title", rows[i].title))
			fail_msg("brief row %zu is not case %lld as the list has it", i,
			    (long long)json_integer_value(json_object_get(c, "id")));
	}
	free(rows);
}

/*
 * The list of scope (as SQL over cases) in view (the same), at most max, by cases_list and by
 * the reference query: the same cases in the same order, with the same deadline, overdue and
 * time past it.
 */
static void
same_list(const struct access_scope *scope, const char *scope_sql, const char *who,
    enum cases_view view, const char *view_sql, int64_t now, size_t max)
{
	char sql[2048], err[256];
	uint8_t *out;
	size_t len, i = 0;
	json_t *j, *list, *c;
	sqlite3_stmt *st;

	assert_int_equal(cases_list(&cdb, scope, who, view, now, max, &out, &len, err, sizeof(err)),
	    0);
	j = as_json(out, len);
	list = json_object_get(j, "cases");
	snprintf(sql, sizeof(sql),
	    "SELECT id, " OLD_DUE ", " OLD_OVERDUE ", CASE WHEN " OLD_OVERDUE " THEN (?1 - " OLD_DUE
	    ") / 1000 ELSE 0 END FROM cases WHERE %s AND %s ORDER BY " OLD_OPEN
	    " DESC, severity = 'critical' DESC, " OLD_OVERDUE " DESC, " OLD_DUE
	    ", id DESC LIMIT ?2",
	    scope_sql, view_sql);
	assert_int_equal(sqlite3_prepare_v2(cdb.db, sql, -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	sqlite3_bind_text(st, 3, who, -1, SQLITE_STATIC);
	for (; sqlite3_step(st) == SQLITE_ROW; i++) {
		c = json_array_get(list, i);
		if (c == NULL)
			fail_msg("%s / %s: %zu cases, the reference has more", scope_sql, view_sql,
			    i);
		if (json_integer_value(json_object_get(c, "id")) != sqlite3_column_int64(st, 0) ||
		    json_integer_value(json_object_get(c, "due_ms")) !=
		        sqlite3_column_int64(st, 1) ||
		    json_integer_value(json_object_get(c, "overdue")) !=
		        sqlite3_column_int64(st, 2) ||
		    json_integer_value(json_object_get(c, "overdue_s")) !=
		        sqlite3_column_int64(st, 3))
			fail_msg("%s / %s: row %zu is case %lld, the reference's %lld", scope_sql,
			    view_sql, i, (long long)json_integer_value(json_object_get(c, "id")),
			    (long long)sqlite3_column_int64(st, 0));
	}
	sqlite3_finalize(st);
	assert_int_equal(json_array_size(list), i);
	same_brief(list, scope, who, view, now, max);
	json_decref(j);
}

/*
 * The indexed order is the order the list always had (critical before alert, overdue first,
 * then the nearest deadline, the newest first), row for row, for every kind of scope and view,
 * with the whole list and a short page: 400 cases of every state and severity, their
 * deadlines scattered around now with ties and a deadline equal to now.  cases_list_brief
 * (the console's) gives the same cases as cases_list, with the same values.
 */
static void
the_list_keeps_its_order_for_every_scope_and_view(void **state)
{
	static const char *const states[] = { "new", "accepted", "onsite", "decided", "closed",
		"dismissed" };
	static const char *const towns[] = { "TX", "TY" };
	static const char *const reporters[] = { "", "", "grid:kim@TX", "grid:lu@TY" };
	static const char *const officers[] = { "", "officer:ma@TX", "officer:ni@TY" };
	static const struct {
		enum cases_view view;
		const char *sql;
	} views[] = {
		{ CASES_VIEW_OPEN, OLD_OPEN },
		{ CASES_VIEW_MINE, "(officer = ?3 OR reporter = ?3)" },
		{ CASES_VIEW_ALL, "1" },
		{ CASES_VIEW_OVERDUE, OLD_OVERDUE },
	};
	static const struct {
		struct access_scope scope;
		const char *sql, *who;
	} scopes[] = {
		{ { .reach = ACCESS_REACH_ALL }, "1", "officer:ma@TX" },
		{ { .reach = ACCESS_REACH_OWN, .township = "TX" }, "township = 'TX'",
		    "officer:ma@TX" },
		{ { .reach = ACCESS_REACH_OWN, .person = "grid:kim@TX" },
		    "reporter = 'grid:kim@TX'", "grid:kim@TX" },
		{ { .reach = ACCESS_REACH_OWN, .township = "TY", .person = "grid:kim@TX" },
		    "(township = 'TY' OR reporter = 'grid:kim@TX')", "officer:ni@TY" },
	};
	const int64_t now = T0 + 1000000;
	char sql[1024];
	size_t s, v;
	int i;

	(void)state;
	srandom(18);
	for (i = 0; i < 400; i++) {
		int64_t due[3];
		int k;

		for (k = 0; k < 3; k++) /* minutes around now, often the same, sometimes now */
			due[k] = random() % 8 == 0 ? now : now + (random() % 9 - 4) * 60000;
		snprintf(sql, sizeof(sql),
		    "INSERT INTO cases (township, severity, kind, title, state, officer, reporter,"
		    " opened_ms, last_alert_ms, updated_ms, accept_due_ms, onsite_due_ms,"
		    " close_due_ms) VALUES ('%s', '%s', 'R05', 'order %d', '%s', '%s', '%s', %lld,"
		    " %lld, %lld, %lld, %lld, %lld)",
		    towns[random() % 2], random() % 3 ? "alert" : "critical", i,
		    states[random() % 6], officers[random() % 3], reporters[random() % 4],
		    (long long)T0, (long long)T0, (long long)T0, (long long)due[0],
		    (long long)due[1], (long long)due[2]);
		assert_int_equal(store_exec(cdb.db, sql, NULL, 0), 0);
	}
	for (s = 0; s < sizeof(scopes) / sizeof(scopes[0]); s++)
		for (v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
			same_list(&scopes[s].scope, scopes[s].sql, scopes[s].who, views[v].view,
			    views[v].sql, now, 500);
			same_list(&scopes[s].scope, scopes[s].sql, scopes[s].who, views[v].view,
			    views[v].sql, now, 7);
		}
}

/* The ids cases_list_brief gives for scope, open view, filter, at most max, in order. */
static size_t
brief_ids(const struct access_scope *scope, const struct cases_filter *filter, size_t max,
    int64_t *ids)
{
	struct cases_brief *rows;
	char err[256];
	size_t n, i;

	assert_int_equal(cases_list_brief(&cdb, scope, "officer:ma@TX", CASES_VIEW_OPEN, filter, T0,
	                     max, &rows, &n, err, sizeof(err)),
	    0);
	for (i = 0; i < n; i++)
		ids[i] = rows[i].id;
	free(rows);
	return n;
}

/*
 * A filter (the console's severity, township and rule) chooses before the limit: with 30
 * critical cases of FX ahead of 10 alerts of FY in the list's order, a page of 20 filtered
 * to FY holds FY's 10, not the none of them among the list's first 20 (as when the console
 * filtered the page it had been given).  Severity and rule likewise; inside the scope only:
 * FX's officer filtering to FY gets nothing.  (The scope that sees both is FX's together
 * with the grid worker who reported FY's cases: the other tests' cases stay out of it.)
 */
static void
a_filter_chooses_before_the_limit(void **state)
{
	const struct access_scope both = { .reach = ACCESS_REACH_OWN,
		.township = "FX",
		.person = "grid:f@FY" };
	const struct access_scope fx = { .reach = ACCESS_REACH_OWN, .township = "FX" };
	const struct cases_filter fy = { NULL, "FY", NULL };
	const struct cases_filter alerts = { "alert", "", NULL };
	const struct cases_filter r09 = { NULL, NULL, "R09" };
	const struct cases_filter fy_critical = { "critical", "FY", "" };
	int64_t ids[64], first;
	char sql[512];
	size_t n, i;
	int k;

	(void)state;
	for (k = 0; k < 40; k++) {
		snprintf(sql, sizeof(sql),
		    "INSERT INTO cases (township, severity, kind, title, state, reporter, opened_ms,"
		    " last_alert_ms, updated_ms, accept_due_ms, onsite_due_ms, close_due_ms)"
		    " VALUES ('%s', '%s', '%s', 'filter %d', 'new', '%s', %lld, %lld, %lld, %lld, 0,"
		    " 0)",
		    k < 30 ? "FX" : "FY", k < 30 ? "critical" : "alert",
		    k % 10 == 3 ? "R09" : "R05", k, k < 30 ? "" : "grid:f@FY", (long long)T0,
		    (long long)T0, (long long)T0, (long long)(T0 + k * 60000));
		assert_int_equal(store_exec(cdb.db, sql, NULL, 0), 0);
	}
	/* unfiltered: all 40, FX's 30 first, each severity in the order inserted */
	assert_int_equal(brief_ids(&both, NULL, 64, ids), 40);
	first = ids[0];
	for (i = 0; i < 40; i++)
		assert_int_equal(ids[i], first + (int64_t)i);
	/* filtered to FY: its 10, in the list's order, though none is among the first 20 */
	n = brief_ids(&both, &fy, 20, ids);
	assert_int_equal(n, 10);
	for (i = 0; i < n; i++)
		assert_int_equal(ids[i], first + 30 + (int64_t)i);
	assert_int_equal(brief_ids(&both, &alerts, 20, ids), 10);
	assert_int_equal(brief_ids(&both, &r09, 20, ids), 4); /* k = 3, 13, 23, 33 */
	assert_int_equal(brief_ids(&both, &fy_critical, 20, ids), 0);
	assert_int_equal(brief_ids(&fx, &fy, 20, ids), 0);
	assert_int_equal(brief_ids(&fx, &r09, 20, ids), 3);
}

static int
count_steps(void *arg)
{
	(*(long *)arg)++;
	return 0;
}

/* The work (SQLite's virtual machine steps, by tens) of one list of scope's open cases, at
 * most 100. */
static long
open_list_work(const struct access_scope *scope, const char *who)
{
	char err[256];
	uint8_t *out;
	size_t len;
	long steps = 0;

	sqlite3_progress_handler(cdb.db, 10, count_steps, &steps);
	assert_int_equal(
	    cases_list(&cdb, scope, who, CASES_VIEW_OPEN, T0, 100, &out, &len, err, sizeof(err)),
	    0);
	sqlite3_progress_handler(cdb.db, 0, NULL, NULL);
	free(out);
	return steps;
}

/*
 * A list reads the page it shows: the county's list (a regulator's) and a township's read
 * their first 100 open cases in the list's order from an index and stop, so their work stays
 * the same while the open cases behind those 100 grow from 2,000 to 20,000.  A list that
 * sorted every open case of its scope (as it did before 011) did ten times the work.
 */
static void
a_list_reads_the_page_it_shows(void **state)
{
	const struct access_scope town_v = { .reach = ACCESS_REACH_OWN, .township = "TV" };
	long county0, town0, county1, town1;

	(void)state;
	many_cases(2000, "TV", "new", "");
	open_list_work(&all, "regulator:alice"); /* the first one reads the schema */
	county0 = open_list_work(&all, "regulator:alice");
	town0 = open_list_work(&town_v, "officer:wu@TV");
	many_cases(18000, "TV", "accepted", "");
	county1 = open_list_work(&all, "regulator:alice");
	town1 = open_list_work(&town_v, "officer:wu@TV");
	print_message("open list work: county %ld -> %ld, township %ld -> %ld\n", county0, county1,
	    town0, town1);
	assert_true(county1 <= county0 + county0 / 4);
	assert_true(town1 <= town0 + town0 / 4);
}

/* The first column of sql's one row as text in buf. */
static const char *
sql_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	str_copy(buf, (const char *)sqlite3_column_text(st, 0), size);
	sqlite3_finalize(st);
	return buf;
}

/*
 * An evidence file named by a person's number (a phone's photo of an ID
 * card, "11010519491231002X.jpg") is kept and shown under a neutral name,
 * "evidence.jpg", its extension kept; one with no usable extension as
 * "evidence"; a type holding one as "application/octet-stream".  The
 * photo itself is kept: the person did not choose the name (review rev97).
 * Other names are kept as sent.
 */
static void
an_evidence_name_holding_a_number_is_kept_neutral(void **state)
{
	static uint8_t photo1[] = "\xff\xd8\xff\xe0 card one",
	               photo2[] = "\xff\xd8\xff\xe0 card two",
	               photo3[] = "\xff\xd8\xff\xe0 card three";
	struct case_request r;
	char err[256], text[128];
	int64_t id = 0, t = T0 + 21 * 86400000LL;

	(void)state;
	config.report_max_per_hour = 0;
	r = report("违规堆放气瓶", "东村", "身份证照片");
	with_photo(&r, photo1, sizeof(photo1), "11010519491231002X.jpg");
	assert_int_equal(cases_report(&cdb, &cat, "grid:eve@TA", &r, t, &id, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_evidence WHERE name LIKE"
	                         " '%11010519491231002X%'"),
	    0);
	snprintf(text, sizeof(text),
	    "SELECT name || ' ' || type FROM case_evidence WHERE case_id = %lld", (long long)id);
	assert_string_equal(sql_text(cdb.db, text, text, sizeof(text)), "evidence.jpg image/jpeg");
	r = step(id, "attach", NULL);
	with_photo(&r, photo2, sizeof(photo2), "身份证11010519491231002X.x-photo");
	str_copy(r.type, "image/11010519491231002X", sizeof(r.type));
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, t + 1000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_evidence WHERE name = 'evidence' AND"
	                         " type = 'application/octet-stream'"),
	    1);
	r = step(id, "attach", NULL);
	with_photo(&r, photo3, sizeof(photo3), "现场 2026-12-07.jpg");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, t + 2000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int(
	                     "SELECT count(*) FROM case_evidence WHERE name = '现场 2026-12-07.jpg'"
	                     " AND type = 'image/jpeg'"),
	    1);
}

/* A county database of its own at dir/NAME (the escalation tests change every case they see). */
static void
own_county(const char *name, struct county_db *c)
{
	char err[256];

	assert_int_equal(countydb_open(c, dir, name, &config, err, sizeof(err)), 0);
}

static const char *const all_states[] = { "new", "accepted", "onsite", "decided", "closed",
	"dismissed" };

/*
 * Into db, one case for each state, escalated or not, and deadline of its stage one minute
 * before now, 1 ms before, at now and 1 ms after; the deadlines of the other stages are
 * long past or far ahead by turns, so that a sweep that judged the wrong stage would differ.
 */
static void
varied_cases(sqlite3 *db, int64_t now)
{
	static const int64_t offsets[] = { -60001, -1, 0, 1 };
	int64_t due[3], other;
	char sql[768];
	size_t s, o;
	int e, k = 0, stage;

	for (s = 0; s < sizeof(all_states) / sizeof(all_states[0]); s++)
		for (e = 0; e < 2; e++)
			for (o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++, k++) {
				stage = s == 0 ? 0 : s == 1 ? 1 : 2;
				other = k % 2 ? now - 10000000 : now + 10000000;
				due[0] = due[1] = due[2] = other;
				due[stage] = now + offsets[o];
				snprintf(sql, sizeof(sql),
				    "INSERT INTO cases (township, severity, kind, title, state, opened_ms,"
				    " last_alert_ms, updated_ms, escalated_ms, accept_due_ms,"
				    " onsite_due_ms, close_due_ms) VALUES ('%s', '%s', 'R05', 'v%d', '%s',"
				    " %lld, %lld, %lld, %lld, %lld, %lld, %lld)",
				    k % 3 ? "TA" : "TB", k % 5 ? "alert" : "critical", k,
				    all_states[s], (long long)(now - 86400000),
				    (long long)(now - 86400000), (long long)(now - 86400000),
				    (long long)(e ? now - 5000 : 0), (long long)due[0],
				    (long long)due[1], (long long)due[2]);
				assert_int_equal(store_exec(db, sql, NULL, 0), 0);
			}
}

/* The sweep as it was before 013: the same two statements over the whole table (its
 * step in 017's words: the stage and the minutes as facts). */
static int
old_escalate(sqlite3 *db, int64_t now)
{
	static const char *const sql[] = {
		"INSERT INTO case_steps (case_id, at_ms, identity, action, facts, state)"
		" SELECT id, :now, 'county', 'escalate', json_object('stage', CASE state"
		" WHEN 'new' THEN 'accept' WHEN 'accepted' THEN 'onsite' ELSE 'close' END,"
		" 'late_min', (:now - stage_due_ms) / 60000), state FROM cases"
		" WHERE state IN ('new', 'accepted', 'onsite', 'decided') AND escalated_ms = 0"
		" AND :now > stage_due_ms",
		"UPDATE cases SET escalated_ms = :now WHERE state IN ('new', 'accepted', 'onsite',"
		" 'decided') AND escalated_ms = 0 AND :now > stage_due_ms",
	};
	sqlite3_stmt *st;
	int i, n = 0;

	for (i = 0; i < 2; i++) {
		assert_int_equal(sqlite3_prepare_v2(db, sql[i], -1, &st, NULL), SQLITE_OK);
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"), now);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		if (i == 0)
			n = sqlite3_changes(db);
	}
	return n;
}

/* Every case's escalation mark and every step, as text (malloc'd). */
static char *
escalation_dump(sqlite3 *db)
{
	static const char *const sql[] = {
		"SELECT group_concat(id || ':' || state || ':' || escalated_ms, ' ') FROM"
		" (SELECT * FROM cases ORDER BY id)",
		"SELECT group_concat(id || ':' || case_id || ':' || at_ms || ':' || identity || ':'"
		" || action || ':' || note || ':' || ifnull(facts, '') || ':' || state, ' ') FROM"
		" (SELECT * FROM case_steps ORDER BY id)",
	};
	char *text = NULL, buf[16384];
	size_t i, len = 0;

	for (i = 0; i < 2; i++) {
		sql_text(db, sql[i], buf, sizeof(buf));
		assert_true(strlen(buf) + 1 < sizeof(buf));
		text = realloc(text, len + strlen(buf) + 2);
		assert_non_null(text);
		memcpy(text + len, buf, strlen(buf));
		len += strlen(buf);
		text[len++] = i == 0 ? '\n' : '\0';
	}
	return text;
}

/*
 * The sweep through 013's index escalates the same cases, with the same steps in the same
 * order, as the two statements over the whole table did: over every state, escalated or
 * not, the stage's deadline a minute before now, 1 ms before, at now and after (at now is
 * not yet overdue), swept twice (the second time a millisecond later: what was due at
 * now is escalated then, nothing twice).
 */
static void
escalation_is_what_the_whole_table_sweep_gave(void **state)
{
	struct county_db a, b;
	char err[256], *got, *want;
	int n, round;
	int64_t now = T0 + 3600000;

	(void)state;
	own_county("esc_new.db", &a);
	own_county("esc_old.db", &b);
	varied_cases(a.db, now);
	varied_cases(b.db, now);
	for (round = 0; round < 2; round++) {
		assert_int_equal(cases_escalate(&a, now + round, &n, err, sizeof(err)), 0);
		assert_int_equal(n, old_escalate(b.db, now + round));
		/* 4 open states x (one minute and 1 ms before), then x at now */
		assert_int_equal(n, round == 0 ? 8 : 4);
		got = escalation_dump(a.db);
		want = escalation_dump(b.db);
		assert_string_equal(got, want);
		free(got);
		free(want);
	}
	store_close(a.db);
	store_close(b.db);
}

/* others cases of the escalation test's county that a sweep must not read: open and
 * escalated long ago, open and not due, closed (by thirds), from case number from on */
static void
not_for_escalation(sqlite3 *db, int count, int64_t now)
{
	char sql[768];

	snprintf(sql, sizeof(sql),
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
	    " INSERT INTO cases (township, severity, kind, title, state, opened_ms, last_alert_ms,"
	    " updated_ms, escalated_ms, accept_due_ms, onsite_due_ms, close_due_ms)"
	    " SELECT 'TA', 'alert', 'R05', 'other', CASE i %% 3 WHEN 2 THEN 'closed' ELSE 'new' END,"
	    " %lld, %lld, %lld, CASE i %% 3 WHEN 0 THEN %lld ELSE 0 END,"
	    " CASE i %% 3 WHEN 1 THEN %lld ELSE %lld END, 0, 0 FROM n",
	    count, (long long)(now - 86400000), (long long)(now - 86400000),
	    (long long)(now - 86400000), (long long)(now - 3600000), (long long)(now + 3600000),
	    (long long)(now - 7200000));
	assert_int_equal(store_exec(db, sql, NULL, 0), 0);
}

/* Five new cases of db overdue at now. */
static void
five_overdue(sqlite3 *db, int64_t now)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5)"
	    " INSERT INTO cases (township, severity, kind, title, state, opened_ms, last_alert_ms,"
	    " updated_ms, accept_due_ms) SELECT 'TB', 'critical', 'R05', 'late', 'new', %lld, %lld,"
	    " %lld, %lld FROM n",
	    (long long)(now - 86400000), (long long)(now - 86400000), (long long)(now - 86400000),
	    (long long)(now - 60000));
	assert_int_equal(store_exec(db, sql, NULL, 0), 0);
}

/* The work (SQLite's virtual machine steps, by tens) of one sweep of c at now, which must
 * escalate want cases. */
static long
escalate_work(struct county_db *c, int64_t now, int want)
{
	char err[256];
	long steps = 0;
	int n;

	sqlite3_progress_handler(c->db, 10, count_steps, &steps);
	assert_int_equal(cases_escalate(c, now, &n, err, sizeof(err)), 0);
	sqlite3_progress_handler(c->db, 0, NULL, NULL);
	assert_int_equal(n, want);
	return steps;
}

/*
 * A sweep reads the cases it escalates: five overdue cases cost it the same work among
 * 2,000 other cases as among 20,000 (open ones escalated before, open ones not yet due,
 * closed ones).  The sweep over the whole table, or through 011's urgency index (every
 * open case, escalated or not), did about ten times the work in the larger county.
 */
static void
a_sweep_reads_the_cases_it_escalates(void **state)
{
	struct county_db c;
	int64_t now = T0 + 3600000;
	long work0, work1;

	(void)state;
	own_county("esc_work.db", &c);
	not_for_escalation(c.db, 2000, now);
	escalate_work(&c, now, 0); /* the first one reads the schema */
	five_overdue(c.db, now);
	work0 = escalate_work(&c, now, 5);
	not_for_escalation(c.db, 18000, now);
	five_overdue(c.db, now);
	work1 = escalate_work(&c, now, 5);
	print_message("escalation work: %ld -> %ld\n", work0, work1);
	assert_true(work1 <= work0 + work0 / 4);
	store_close(c.db);
}

/* Into db, count cases of station S01 (no reporter), one a minute back from now. */
static void
station_cases(sqlite3 *db, int count, int64_t now)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
	    " INSERT INTO cases (township, severity, kind, title, station, state, opened_ms,"
	    " last_alert_ms, updated_ms) SELECT 'TA', 'alert', 'R05', 'station', 'S01', 'closed',"
	    " %lld - i * 60000, %lld - i * 60000, %lld - i * 60000 FROM n",
	    count, (long long)now, (long long)now, (long long)now);
	assert_int_equal(store_exec(db, sql, NULL, 0), 0);
}

/* Into db, count past reports of grid:fay@TA, each with its report step, one every 2.6
 * hours back from an hour before now. */
static void
past_reports(sqlite3 *db, int count, int64_t now)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
	    " INSERT INTO cases (township, severity, kind, title, reporter, village, state,"
	    " opened_ms, last_alert_ms, updated_ms)"
	    " SELECT 'TA', 'alert', 'stacked', 'old', 'grid:fay@TA', '东村', 'closed',"
	    " %lld - i * 9460800, %lld - i * 9460800, %lld - i * 9460800 FROM n;"
	    " INSERT INTO case_steps (case_id, at_ms, identity, action, note, state)"
	    " SELECT id, opened_ms, reporter, 'report', '村口堆放气瓶', 'new' FROM cases"
	    " WHERE title = 'old' AND id NOT IN (SELECT case_id FROM case_steps)",
	    count, (long long)(now - 3600000), (long long)(now - 3600000),
	    (long long)(now - 3600000));
	assert_int_equal(store_exec(db, sql, NULL, 0), 0);
}

/* The work (SQLite's virtual machine steps, by tens) of fay's report number n at now, a new
 * case. */
static long
report_work(struct county_db *c, int n, int64_t now)
{
	struct case_request r;
	char err[256];
	int64_t id = 0;
	long steps = 0;

	memset(&r, 0, sizeof(r));
	str_copy(r.kind, "stacked", sizeof(r.kind));
	str_copy(r.village, "东村", sizeof(r.village));
	snprintf(r.note, sizeof(r.note), "新发现堆放 第%d处", n);
	casemsg_set(&r, CASEMSG_KIND);
	casemsg_set(&r, CASEMSG_VILLAGE);
	casemsg_set(&r, CASEMSG_NOTE_F);
	sqlite3_progress_handler(c->db, 10, count_steps, &steps);
	assert_int_equal(cases_report(c, &cat, "grid:fay@TA", &r, now, &id, err, sizeof(err)),
	    CASES_DONE);
	sqlite3_progress_handler(c->db, 0, NULL, NULL);
	assert_true(id > 0);
	return steps;
}

/*
 * A report reads the reporter's recent reports, not all of them: before it stores anything
 * it looks for itself resent (ten minutes) and counts the person's reports of the hour
 * (report_max_per_hour).  Its work is the same with 5,000 older reports of the person (and
 * as many station cases) as with 200; and the same in a county whose statistics
 * (ANALYZE) were taken when its cases were all stations' (no reporter: a planner that
 * believes a reporter matches every case).  Before 015's index both read every report the
 * person ever filed (about 20 times the work here), and with the resend check ordered by id
 * alone the planner of the second county walked the whole table backwards.
 */
static void
a_report_reads_the_reporters_window(void **state)
{
	struct county_db c, d;
	int64_t now = T0 + 3600000;
	long work0, work1, work2;

	(void)state;
	config.report_max_per_hour = 1000;
	own_county("rep_work.db", &c);
	station_cases(c.db, 200, now);
	past_reports(c.db, 200, now);
	report_work(&c, 0, now); /* the first one reads the schema */
	work0 = report_work(&c, 1, now + 1);
	station_cases(c.db, 5000, now);
	past_reports(c.db, 5000, now);
	work1 = report_work(&c, 2, now + 2);
	assert_int_equal(
	    store_query_int(c.db, "SELECT count(*) FROM cases WHERE reporter = 'grid:fay@TA'", -1),
	    200 + 5000 + 3);
	assert_int_equal(
	    store_query_int(c.db, "SELECT count(*) FROM case_steps WHERE action = 'report'", -1),
	    200 + 5000 + 3);
	store_close(c.db);

	own_county("rep_work_analysed.db", &d);
	station_cases(d.db, 5200, now);
	assert_int_equal(store_exec(d.db, "ANALYZE", NULL, 0), 0);
	store_close(d.db);
	own_county("rep_work_analysed.db", &d); /* a new connection reads the statistics */
	past_reports(d.db, 5200, now);
	report_work(&d, 0, now);
	work2 = report_work(&d, 1, now + 1);
	store_close(d.db);
	print_message("report work: %ld -> %ld, analysed %ld\n", work0, work1, work2);
	assert_true(work1 <= work0 + work0 / 4);
	assert_true(work2 <= work0 + work0 / 4);
	config.report_max_per_hour = 0;
}

/*
 * Migration 011 on a county that already has cases (made at version 10): every case gets its
 * place in the list's order (open or not, its stage's deadline), the indexes hold them, and a
 * step that changes a case's state moves it in them.  013's index of the cases to escalate
 * holds the open ones too.
 */
static void
an_older_county_gets_the_list_order_for_its_cases(void **state)
{
	static const char *const states[] = { "new", "accepted", "onsite", "decided", "closed",
		"dismissed" };
	struct store_migration upto10[32];
	char sql[512], err[256], buf[256];
	sqlite3 *db;
	size_t i;

	(void)state;
	assert_int_equal(
	    fixture_schema_upto(schema_county, 10, upto10, sizeof(upto10) / sizeof(upto10[0])), 0);
	assert_int_equal(fixture_db_open(dir, "county10.db", upto10, &db, err, sizeof(err)), 0);
	assert_int_equal(store_user_version(db), 10);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		snprintf(sql, sizeof(sql),
		    "INSERT INTO cases (township, severity, kind, title, state, opened_ms,"
		    " last_alert_ms, updated_ms, accept_due_ms, onsite_due_ms, close_due_ms) VALUES"
		    " ('TA', 'alert', 'R05', 'old', '%s', 1, 1, 1, 1000, 2000, 3000)",
		    states[i]);
		assert_int_equal(store_exec(db, sql, NULL, 0), 0);
	}
	store_close(db);
	assert_int_equal(fixture_db_open(dir, "county10.db", schema_county, &db, err, sizeof(err)),
	    0);
	assert_true(store_user_version(db) >= 11);
	assert_string_equal(
	    sql_text(db,
	        "SELECT group_concat(state || ':' || is_open || ':' || stage_due_ms,"
	        " ' ') FROM (SELECT * FROM cases ORDER BY id)",
	        buf, sizeof(buf)),
	    "new:1:1000 accepted:1:2000 onsite:1:3000 decided:1:3000 closed:0:0 dismissed:0:0");
	assert_int_equal(
	    store_query_int(db,
	        "SELECT count(*) FROM cases INDEXED BY cases_urgency WHERE is_open = 1", -1),
	    4);
	/* and 013's index of the cases a sweep escalates holds the open ones (none escalated) */
	assert_int_equal(store_query_int(db,
	                     "SELECT count(*) FROM cases INDEXED BY cases_escalation WHERE"
	                     " is_open = 1 AND escalated_ms = 0 AND stage_due_ms < 2500",
	                     -1),
	    2);
	assert_int_equal(
	    store_exec(db, "UPDATE cases SET state = 'closed' WHERE state = 'decided'", NULL, 0),
	    0);
	assert_int_equal(
	    store_query_int(db,
	        "SELECT count(*) FROM cases INDEXED BY cases_township_urgency WHERE township = 'TA'"
	        " AND is_open = 1",
	        -1),
	    3);
	assert_string_equal(sql_text(db, "PRAGMA integrity_check", buf, sizeof(buf)), "ok");
	store_close(db);
}

/* The value of key in a CBOR map; NULL if none. */
static cbor_item_t *
map_get(cbor_item_t *map, const char *key)
{
	struct cbor_pair *pairs = cbor_map_handle(map);
	size_t i, n = strlen(key);

	for (i = 0; i < cbor_map_size(map); i++)
		if (cbor_isa_string(pairs[i].key) && cbor_string_length(pairs[i].key) == n &&
		    memcmp(cbor_string_handle(pairs[i].key), key, n) == 0)
			return pairs[i].value;
	return NULL;
}

/*
 * cases_list's answer, which it writes as it reads the rows, is byte for byte the one libcbor
 * items made of them (as before): for every scope and view, the list's bytes equal
 * {"now": now, "cases": [...]} built of libcbor items with, for each case listed, the "case"
 * map of cases_show (which builds it of items from the same columns), 8-byte integers as
 * cbor_build_uint64 gives them.  Among the cases: coordinates (text), a negative number, a
 * title longer than 255 bytes and in Chinese, NULL columns left out, and an empty list.
 */
static void
the_cbor_list_is_what_libcbor_items_made(void **state)
{
	static const enum cases_view views[] = { CASES_VIEW_OPEN, CASES_VIEW_MINE, CASES_VIEW_ALL,
		CASES_VIEW_OVERDUE };
	const struct access_scope nobody = { .reach = ACCESS_REACH_OWN, .township = "TN" };
	const struct access_scope *scopes[] = { &all, &town_a, &grid_dan, &nobody };
	const char *who[] = { "regulator:alice", "officer:wu@TA", "grid:dan@TA", "officer:z@TN" };
	char title[512], sql[2048], err[256];
	uint8_t *got, *shown, *want = NULL;
	size_t got_len, shown_len, want_size, want_len, s, v, i;
	struct cbor_load_result res;
	cbor_item_t *list, *cases, *show, *expect, *array;
	int k, lists = 0, listed = 0;

	(void)state;
	title[0] = '\0';
	for (k = 0; k < 40; k++)
		strcat(title, "东村气瓶"); /* 12 bytes each */
	for (k = 0; k < 3; k++) {
		snprintf(sql, sizeof(sql),
		    "INSERT INTO cases (township, severity, kind, title, state, reporter, officer,"
		    " village, lat, lon, fine_yuan, opened_ms, last_alert_ms, updated_ms,"
		    " accept_due_ms, onsite_due_ms, close_due_ms) VALUES ('TA', 'critical', 'G01',"
		    " '%s', '%s', 'grid:dan@TA', '%s', '东村', %s, %s, %d, %lld, %lld, %lld, %d, 2, 3)",
		    k == 0 ? title : "short", k == 2 ? "accepted" : "new",
		    k == 2 ? "officer:wu@TA" : "", k == 1 ? "NULL" : "30.123456789",
		    k == 1 ? "NULL" : "-120.5", k == 0 ? -5 : 100000, (long long)T0, (long long)T0,
		    (long long)T0, 1 + k);
		assert_int_equal(store_exec(cdb.db, sql, NULL, 0), 0);
	}
	for (s = 0; s < sizeof(scopes) / sizeof(scopes[0]); s++)
		for (v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
			assert_int_equal(cases_list(&cdb, scopes[s], who[s], views[v], T0, 60, &got,
			                     &got_len, err, sizeof(err)),
			    0);
			list = cbor_load(got, got_len, &res);
			assert_non_null(list);
			assert_int_equal(res.read, got_len);
			cases = map_get(list, "cases");
			assert_non_null(cases);
			array = cbor_new_definite_array(cbor_array_size(cases));
			assert_non_null(array);
			for (i = 0; i < cbor_array_size(cases); i++) {
				cbor_item_t *one = cbor_array_get(cases, i);
				int64_t id = (int64_t)cbor_get_int(map_get(one, "id"));

				cbor_decref(&one);
				assert_int_equal(cases_show(&cdb, &all, id, T0, &shown, &shown_len,
				                     err, sizeof(err)),
				    CASES_DONE);
				show = cbor_load(shown, shown_len, &res);
				assert_non_null(show);
				assert_true(cbor_array_push(array, map_get(show, "case")));
				cbor_decref(&show);
				free(shown);
				listed++;
			}
			expect = cbor_new_definite_map(2);
			assert_non_null(expect);
			assert_true(cbor_map_add(expect,
			    (struct cbor_pair){ .key = cbor_move(cbor_build_string("now")),
			        .value = cbor_move(cbor_build_uint64((uint64_t)T0)) }));
			assert_true(cbor_map_add(expect,
			    (struct cbor_pair){ .key = cbor_move(cbor_build_string("cases")),
			        .value = cbor_move(array) }));
			want_len = cbor_serialize_alloc(expect, &want, &want_size);
			assert_int_equal(got_len, want_len);
			assert_memory_equal(got, want, got_len);
			lists += cbor_array_size(cases) == 0;
			cbor_decref(&expect);
			cbor_decref(&list);
			free(want);
			free(got);
		}
	/* an empty list (TN has no cases) was among them, and lists with the three cases above */
	print_message("cbor lists: %d empty, %d cases\n", lists, listed);
	assert_true(lists >= 4);
	assert_true(listed > 100);
}

/* One officer's comment i on case id at time at, as the county takes it. */
static void
comment_at(int64_t id, const char *who, size_t i, int64_t at, enum cases_result want)
{
	struct case_request r;
	char note[64], err[256];

	snprintf(note, sizeof(note), "\"\"\"\" 第 %zu 条", i);
	r = step(id, "comment", note);
	assert_int_equal(cases_step(&cdb, &cat, &town_a, who, &r, at, err, sizeof(err)), want);
}

/*
 * One officer's comments by the hundred (each could be 4,000 quote marks, 24 kB once
 * escaped): listed whole, they made the console's page of the case larger than PAGE_MAX
 * and no one else could open it.  The case's answer lists every step that moves the case,
 * wherever it falls, the first and the newest CASES_SHOWN_NOTES comments and attachments,
 * and counts those between (steps_left_out, after steps_left_out_after); cases_steps reads
 * them page by page under the case's own scope.
 */
static void
a_flood_of_comments_is_listed_at_its_ends_and_read_by_pages(void **state)
{
	static uint8_t photo[] = "\xff\xd8\xff a hidden photo";
	struct cases_news news;
	struct case_request r;
	uint8_t *out = NULL;
	size_t len, i, read = 0, pages = 0;
	json_t *answer, *steps;
	char err[256];
	int64_t id, after, at, twentieth, hidden_attach = 0;
	int more;

	(void)state;
	alert("flood0", "R05", "alert", "TA", "CYFLOOD", T0);
	assert_int_equal(cases_from_alerts(&cdb, &cat, T0, &news, err, sizeof(err)), 0);
	id = sql_int("SELECT id FROM cases WHERE cylinder = 'CYFLOOD'");
	r = step(id, "accept", NULL);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, T0, err, sizeof(err)),
	    CASES_DONE);
	/* 100 comments over four hours (under the hour's limit), an attach and the officer's
	 * on-site step in the middle of them */
	for (i = 0; i < 100; i++) {
		at = T0 + 1000 + (int64_t)i * 140000;
		if (i == 50) {
			r = step(id, "onsite", "到达现场");
			assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, at,
			                     err, sizeof(err)),
			    CASES_DONE);
			r = step(id, "attach", "现场照片");
			with_photo(&r, photo, sizeof(photo), "hidden.jpg");
			assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, at,
			                     err, sizeof(err)),
			    CASES_DONE);
			hidden_attach =
			    sql_int("SELECT max(id) FROM case_steps WHERE action = 'attach'");
		}
		comment_at(id, "officer:li@TA", i, at, CASES_DONE);
	}
	assert_int_equal(cases_show(&cdb, &town_a, id, T0, &out, &len, err, sizeof(err)),
	    CASES_DONE);
	answer = as_json(out, len);
	/* every step that moves the case is listed, the comments at their ends */
	assert_int_equal(shown_count(answer, "steps", "open"), 1);
	assert_int_equal(shown_count(answer, "steps", "accept"), 1);
	assert_int_equal(shown_count(answer, "steps", "onsite"), 1);
	assert_int_equal(shown_count(answer, "steps", "attach"), 0);
	assert_int_equal(shown_count(answer, "steps", "comment"), 2 * CASES_SHOWN_NOTES);
	assert_int_equal(json_integer_value(json_object_get(answer, "steps_left_out")),
	    101 - 2 * CASES_SHOWN_NOTES);
	twentieth = sql_int("SELECT id FROM case_steps WHERE action = 'comment' AND note LIKE "
	                    "'%第 19 条'");
	assert_int_equal(json_integer_value(json_object_get(answer, "steps_left_out_after")),
	    twentieth);
	/* nor is the hidden attach's photo among the evidence listed */
	assert_int_equal(json_array_size(json_object_get(answer, "evidence")), 0);
	/* the on-site step in its place: after the first comments, before the newest */
	steps = json_object_get(answer, "steps");
	for (i = 0; i < json_array_size(steps); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(steps, i), "action")),
		        "onsite") == 0)
			break;
	assert_int_equal(i, 2 + CASES_SHOWN_NOTES);
	json_decref(answer);

	/* cases_steps reads those between, page by page, each step once */
	after = twentieth;
	do {
		assert_int_equal(
		    cases_steps(&cdb, &town_a, id, after, &out, &len, err, sizeof(err)),
		    CASES_DONE);
		answer = as_json(out, len);
		steps = json_object_get(answer, "steps");
		assert_true(json_array_size(steps) <= CASES_STEPS_PAGE);
		for (i = 0; i < json_array_size(steps); i++) {
			int64_t sid =
			    json_integer_value(json_object_get(json_array_get(steps, i), "id"));

			assert_true(sid > after);
			after = sid;
			read++;
			if (sid == hidden_attach) /* its photo with it */
				assert_int_equal(
				    json_array_size(json_object_get(answer, "evidence")), 1);
		}
		more = json_is_true(json_object_get(answer, "more"));
		pages++;
		json_decref(answer);
	} while (more);
	/* 80 comments, the attach and the on-site step after the twentieth comment */
	assert_int_equal(read, 82);
	assert_int_equal(pages, 3);
	/* from the first: the opening first */
	assert_int_equal(cases_steps(&cdb, &all, id, 0, &out, &len, err, sizeof(err)), CASES_DONE);
	answer = as_json(out, len);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(answer, "steps"), 0), "action")),
	    "open");
	assert_true(json_is_true(json_object_get(answer, "more")));
	json_decref(answer);
	/* under the case's own scope */
	assert_int_equal(cases_steps(&cdb, &town_b, id, 0, &out, &len, err, sizeof(err)),
	    CASES_OUT_OF_SCOPE);
	assert_null(out);
	assert_int_equal(cases_steps(&cdb, &grid_dan, id, 0, &out, &len, err, sizeof(err)),
	    CASES_OUT_OF_SCOPE);
	assert_int_equal(cases_steps(&cdb, &all, id + 1000, 0, &out, &len, err, sizeof(err)),
	    CASES_NOT_FOUND);
}

/* A person adds at most CASES_NOTES_PER_HOUR comments and attachments to one case in any
 * hour; the next is refused as too many, saying so; another person, another case, a step
 * that moves the case and the next hour are not held by it. */
static void
a_person_comments_on_a_case_at_most_the_hours_limit(void **state)
{
	struct cases_news news;
	struct case_request r;
	char err[256];
	int64_t id, other, at = T0 + 10 * 3600000;
	size_t i;

	(void)state;
	alert("limit0", "R05", "alert", "TA", "CYLIMIT", T0);
	alert("limit1", "R05", "alert", "TA", "CYLIMIT2", T0);
	assert_int_equal(cases_from_alerts(&cdb, &cat, T0, &news, err, sizeof(err)), 0);
	id = sql_int("SELECT id FROM cases WHERE cylinder = 'CYLIMIT'");
	other = sql_int("SELECT id FROM cases WHERE cylinder = 'CYLIMIT2'");
	for (i = 0; i < CASES_NOTES_PER_HOUR; i++)
		comment_at(id, "officer:li@TA", i, at + (int64_t)i, CASES_DONE);
	r = step(id, "comment", "one more");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, at + 100, err, sizeof(err)),
	    CASES_TOO_MANY);
	assert_non_null(strstr(err, "one person may add to one case in an hour"));
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE note = 'one more'"), 0);
	/* nor an attach */
	r = step(id, "attach", NULL);
	with_photo(&r, (uint8_t *)"\xff\xd8\xff limit", 10, "limit.jpg");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, at + 100, err, sizeof(err)),
	    CASES_TOO_MANY);
	/* a step that moves the case is taken */
	r = step(id, "accept", NULL);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, at + 100, err, sizeof(err)),
	    CASES_DONE);
	/* another person, another case */
	comment_at(id, "officer:wang@TA", 0, at + 100, CASES_DONE);
	comment_at(other, "officer:li@TA", 0, at + 100, CASES_DONE);
	/* an hour after the first, one more */
	comment_at(id, "officer:li@TA", 1000, at + 3600000, CASES_DONE);
	comment_at(id, "officer:li@TA", 1001, at + 3600000, CASES_TOO_MANY);
}

/* A decision, as an officer's phone sends it. */
static struct case_request
decision(int64_t id, const char *outcome, const char *power)
{
	struct case_request r = step(id, "decide", NULL);

	str_copy(r.outcome, outcome, sizeof(r.outcome));
	casemsg_set(&r, CASEMSG_OUTCOME);
	str_copy(r.power, power, sizeof(r.power));
	casemsg_set(&r, CASEMSG_POWER);
	return r;
}

/* The regulator's move of case id to township to. */
static enum cases_result
moved_to(int64_t id, const char *to, int64_t at)
{
	struct case_request r;
	char err[256];

	memset(&r, 0, sizeof(r));
	r.id = id;
	str_copy(r.township, to, sizeof(r.township));
	str_copy(r.note, "属乙镇辖区", sizeof(r.note));
	casemsg_set(&r, CASEMSG_ID);
	casemsg_set(&r, CASEMSG_TOWNSHIP);
	casemsg_set(&r, CASEMSG_NOTE_F);
	return cases_reassign(&cdb, &cat, "regulator:alice", &r, at, err, sizeof(err));
}

/* rev100 F1: a station overfills a cylinder, the township decides a warning;
 * the station overfills it again.  The second violation is a case of its own
 * (told at once: critical), not folded into the decided case and closed
 * under a warning taken before it happened. */
static void
a_violation_after_the_decision_is_a_case_of_its_own(void **state)
{
	struct cases_news news;
	struct case_request r;
	char err[256];
	int64_t id, t = T0 + 90LL * 86400000;

	(void)state;
	alert("lp1a", "R20", "alert", "TA", "CYL1", t);
	assert_int_equal(cases_from_alerts(&cdb, &cat, t, &news, err, sizeof(err)), 0);
	id = sql_int("SELECT id FROM cases WHERE cylinder = 'CYL1'");
	r = step(id, "accept", NULL);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, t + 60000, err, sizeof(err)),
	    CASES_DONE);
	r = decision(id, "warning", "P01");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, t + 120000, err, sizeof(err)),
	    CASES_DONE);
	alert("lp1b", "R20", "critical", "TA", "CYL1", t + 600000);
	assert_int_equal(cases_from_alerts(&cdb, &cat, t + 600000, &news, err, sizeof(err)), 0);
	assert_int_equal(news.opened, 1);
	assert_int_equal(news.joined, 0);
	assert_int_equal(news.critical, 1);
	r = step(id, "close", NULL);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, t + 660000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT alerts FROM cases WHERE id = (SELECT min(id) FROM cases"
	                         " WHERE cylinder = 'CYL1')"),
	    1);
	assert_int_equal(sql_int("SELECT count(*) FROM cases WHERE cylinder = 'CYL1'"
	                         " AND state = 'new' AND severity = 'critical'"),
	    1);
	/* while undecided, the same stream still joins, and a critical join is told */
	alert("lp1c", "R20", "alert", "TA", "CYL2", t);
	alert("lp1d", "R20", "critical", "TA", "CYL2", t + 60000);
	assert_int_equal(cases_from_alerts(&cdb, &cat, t + 60000, &news, err, sizeof(err)), 0);
	assert_int_equal(sql_int("SELECT count(*) FROM cases WHERE cylinder = 'CYL2'"), 1);
	assert_int_equal(news.critical, 1);
}

/* rev100 F2: a case past its deadline is escalated to the county; its own
 * township may not dismiss it (it would leave the county's lists, and a
 * dismissed case is not reassigned back); the county may. */
static void
an_escalated_case_is_dismissed_by_the_county_only(void **state)
{
	struct cases_news news;
	struct case_request r;
	char err[256], now[16];
	int64_t id, t = T0 + 91LL * 86400000, late = t + 2 * 3600000;
	int n;

	(void)state;
	alert("lp2a", "R05", "alert", "TA", "CYL3", t);
	alert("lp2b", "R05", "alert", "TA", "CYL4", t);
	assert_int_equal(cases_from_alerts(&cdb, &cat, t, &news, err, sizeof(err)), 0);
	id = sql_int("SELECT id FROM cases WHERE cylinder = 'CYL3'");
	/* not yet escalated: the township dismisses its own */
	r = step(sql_int("SELECT id FROM cases WHERE cylinder = 'CYL4'"), "dismiss", "误报");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, t + 1000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(cases_escalate(&cdb, late, &n, err, sizeof(err)), 0);
	assert_int_equal(sql_int("SELECT escalated_ms > 0 FROM cases WHERE cylinder = 'CYL3'"), 1);
	r = step(id, "dismiss", "误报");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, late + 1000, err, sizeof(err)),
	    CASES_REFUSED);
	assert_string_equal(err, cases_refusal_reason(CASES_REFUSAL_ESCALATED_DISMISS));
	assert_int_equal(cases_state(&cdb, &all, id, now, sizeof(now), err, sizeof(err)),
	    CASES_DONE);
	assert_string_equal(now, "new");
	/* its other steps stay the township's */
	r = step(id, "accept", NULL);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &r, late + 2000, err, sizeof(err)),
	    CASES_DONE);
	r = step(id, "dismiss", "经核查为误报");
	assert_int_equal(
	    cases_step(&cdb, &cat, &all, "regulator:alice", &r, late + 3000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(cases_state(&cdb, &all, id, now, sizeof(now), err, sizeof(err)),
	    CASES_DONE);
	assert_string_equal(now, "dismissed");
}

/* rev100 F4: the regulator moves an alert case from TA to TB 50 minutes
 * after it opened; 5 minutes later a critical alert of TB joins it.  TB's
 * critical deadlines run from when it was given the case, not from the
 * opening in TA (which would escalate TB at once for TA's time). */
static void
a_reassigned_case_made_critical_runs_from_its_reassignment(void **state)
{
	struct cases_news news;
	char err[256];
	int64_t id, t = T0 + 92LL * 86400000, moved = t + 50 * 60000, joined = moved + 5 * 60000;
	int n;

	(void)state;
	alert("lp4a", "R06", "alert", "TA", "CYL5", t);
	assert_int_equal(cases_from_alerts(&cdb, &cat, t, &news, err, sizeof(err)), 0);
	id = sql_int("SELECT id FROM cases WHERE cylinder = 'CYL5'");
	assert_int_equal(moved_to(id, "TB", moved), CASES_DONE);
	alert("lp4b", "R06", "critical", "TB", "CYL5", joined);
	assert_int_equal(cases_from_alerts(&cdb, &cat, joined, &news, err, sizeof(err)), 0);
	assert_int_equal(news.joined, 1);
	/* case_critical_accept_min is 10 */
	assert_int_equal(sql_int("SELECT accept_due_ms FROM cases WHERE cylinder = 'CYL5'"),
	    moved + 10 * 60000);
	assert_int_equal(cases_escalate(&cdb, joined + 1000, &n, err, sizeof(err)), 0);
	assert_int_equal(sql_int("SELECT escalated_ms FROM cases WHERE cylinder = 'CYL5'"), 0);
}

/* The figure key of township town in c's figures for scope over from..to; -1 when the
 * figures do not list the township. */
static int64_t
figure_of(struct county_db *c, const struct access_scope *scope, const char *town, const char *key,
    int64_t from, int64_t to)
{
	char err[256];
	uint8_t *out = NULL;
	size_t len = 0, i;
	int64_t v = -1;
	json_t *j, *t;

	assert_int_equal(cases_figures(c, scope, from, to, to, &out, &len, err, sizeof(err)), 0);
	j = as_json(out, len);
	json_array_foreach(json_object_get(j, "townships"), i, t)
	{
		if (strcmp(json_string_value(json_object_get(t, "township")), town) == 0)
			v = json_integer_value(json_object_get(t, key));
	}
	json_decref(j);
	return v;
}

/*
 * rev100 F3: a case of TA left past its deadline is escalated; the regulator
 * then moves it to TB.  The escalation stays in TA's figures (the county's
 * and TA's own), though no case is left in TA, and TB, given the case on
 * time, has none until it is late itself.  Before, the figure counted
 * cases.escalated_ms under the case's township of today, which the
 * reassignment cleared: moving the case away cleaned TA's record.
 */
static void
an_escalation_stays_with_its_township_when_the_case_moves(void **state)
{
	struct county_db c = { .config = &config }; /* no identities: every township known */
	struct cases_news news;
	struct case_request r;
	char err[256], sql[512];
	int64_t id, t = T0 + 93LL * 86400000, late = t + 2 * 3600000, moved = late + 3600000;
	int64_t day_end = t + 86400000;
	int n;

	(void)state;
	own_county("esc_moved.db", &c);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO alerts (source, rule, severity, township, station, cylinder, text, at_ms,"
	    " created_ms) VALUES ('mv1', 'R05', 'alert', 'TA', 'S01', 'CYM1', 'overfilled', %lld,"
	    " %lld)",
	    (long long)t, (long long)t);
	assert_int_equal(store_exec(c.db, sql, NULL, 0), 0);
	assert_int_equal(cases_from_alerts(&c, &cat, t, &news, err, sizeof(err)), 0);
	id = store_query_int(c.db, "SELECT id FROM cases WHERE cylinder = 'CYM1'", -1);
	assert_true(id > 0);
	/* an hour to accept: two hours on, the sweep escalates it */
	assert_int_equal(cases_escalate(&c, late, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(figure_of(&c, &all, "TA", "escalated", t, day_end), 1);

	memset(&r, 0, sizeof(r));
	r.id = id;
	str_copy(r.township, "TB", sizeof(r.township));
	str_copy(r.note, "属乙镇辖区", sizeof(r.note));
	casemsg_set(&r, CASEMSG_ID);
	casemsg_set(&r, CASEMSG_TOWNSHIP);
	casemsg_set(&r, CASEMSG_NOTE_F);
	assert_int_equal(cases_reassign(&c, &cat, "regulator:alice", &r, moved, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(
	    store_query_int(c.db, "SELECT count(*) FROM cases WHERE township = 'TA'", -1), 0);
	/* TA's escalation is TA's: in the county's figures and in TA's own */
	assert_int_equal(figure_of(&c, &all, "TA", "escalated", t, day_end), 1);
	assert_int_equal(figure_of(&c, &town_a, "TA", "escalated", t, day_end), 1);
	assert_int_equal(figure_of(&c, &all, "TB", "escalated", t, day_end), 0);
	assert_int_equal(figure_of(&c, &town_b, "TB", "escalated", t, day_end), 0);
	/* outside the period it is no one's */
	assert_int_equal(figure_of(&c, &all, "TA", "escalated", late + 1, day_end), -1);
	/* TB's deadlines run from the reassignment; late there, it is TB's too */
	assert_int_equal(cases_escalate(&c, moved + 2 * 3600000, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(figure_of(&c, &all, "TA", "escalated", t, day_end), 1);
	assert_int_equal(figure_of(&c, &all, "TB", "escalated", t, day_end), 1);
	store_close(c.db);
}

/*
 * Migration 032 gives the steps held before it the township the case was in after each: the
 * one it left at its next reassignment (017's facts, or a note "FROM -> TO: why" written
 * before 017), else its township of today.  A case opened and escalated in TA, moved to TB
 * (facts), escalated there, moved to TC (a pre-017 note): each escalation is its township's.
 */
static void
steps_before_032_get_the_township_of_their_time(void **state)
{
	static const char *const old_rows[] = {
		"INSERT INTO cases (id, township, severity, kind, title, opened_ms, last_alert_ms,"
		" updated_ms) VALUES (7, 'TC', 'alert', 'R05', 'moved twice', 1000, 1000, 9000),"
		" (8, 'TA', 'alert', 'R05', 'never moved', 1000, 1000, 2000)",
		"INSERT INTO case_steps (id, case_id, at_ms, identity, action, note, facts, state)"
		" VALUES (1, 7, 1000, 'county', 'open', 'overfilled', NULL, 'new'),"
		" (2, 7, 2000, 'county', 'escalate', '', '{\"stage\":\"accept\",\"late_min\":5}',"
		" 'new'),"
		" (3, 8, 2000, 'county', 'escalate', '', '{\"stage\":\"accept\",\"late_min\":5}',"
		" 'new'),"
		" (4, 7, 3000, 'regulator:alice', 'reassign', 'why', '{\"from\":\"TA\",\"to\":\"TB\"}',"
		" 'new'),"
		" (5, 7, 4000, 'county', 'escalate', '', '{\"stage\":\"accept\",\"late_min\":5}',"
		" 'new'),"
		" (6, 7, 5000, 'regulator:alice', 'reassign', 'TB -> TC: why', NULL, 'new'),"
		" (9, 7, 6000, 'officer:zhao@TC', 'comment', '已联系', NULL, 'new')",
	};
	struct county_db c = { .config = &config };
	struct store_migration upto30[40];
	char err[256], got[256];
	size_t i;

	(void)state;
	assert_int_equal(
	    fixture_schema_upto(schema_county, 30, upto30, sizeof(upto30) / sizeof(upto30[0])), 0);
	assert_int_equal(fixture_db_open(dir, "steps30.db", upto30, &c.db, err, sizeof(err)), 0);
	assert_int_equal(store_user_version(c.db), 30);
	for (i = 0; i < sizeof(old_rows) / sizeof(old_rows[0]); i++)
		fixture_exec(c.db, old_rows[i]);
	store_close(c.db);

	own_county("steps30.db", &c);
	assert_true(store_user_version(c.db) >= 32);
	sql_text(c.db,
	    "SELECT group_concat(id || ':' || township, ' ') FROM"
	    " (SELECT * FROM case_steps ORDER BY id)",
	    got, sizeof(got));
	assert_string_equal(got, "1:TA 2:TA 3:TA 4:TB 5:TB 6:TC 9:TC");
	/* and the figures count them so: TA twice, TB once, TC none */
	assert_int_equal(figure_of(&c, &all, "TA", "escalated", 0, 10000), 2);
	assert_int_equal(figure_of(&c, &all, "TB", "escalated", 0, 10000), 1);
	assert_int_equal(figure_of(&c, &all, "TC", "escalated", 0, 10000), 0);
	store_close(c.db);
}

/*
 * A case of TA past its deadline that the regulator moves before gascounty's next sweep
 * (it runs every check_s): it is escalated in TA as the sweep would have, just before the
 * reassignment, and TA's figures keep it.  Before, the reassignment gave it fresh
 * deadlines in TB and TA's lateness was never written.
 */
static void
a_late_case_moved_before_the_sweep_is_escalated_in_its_township(void **state)
{
	struct county_db c = { .config = &config }; /* no identities: every township known */
	struct cases_news news;
	struct case_request r;
	char err[256], sql[512], got[128];
	int64_t id, t = T0 + 94LL * 86400000, moved = t + 2 * 3600000;
	int n;

	(void)state;
	own_county("esc_unswept.db", &c);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO alerts (source, rule, severity, township, station, cylinder, text, at_ms,"
	    " created_ms) VALUES ('us1', 'R05', 'alert', 'TA', 'S01', 'CYU1', 'overfilled', %lld,"
	    " %lld)",
	    (long long)t, (long long)t);
	assert_int_equal(store_exec(c.db, sql, NULL, 0), 0);
	assert_int_equal(cases_from_alerts(&c, &cat, t, &news, err, sizeof(err)), 0);
	id = store_query_int(c.db, "SELECT id FROM cases WHERE cylinder = 'CYU1'", -1);
	memset(&r, 0, sizeof(r));
	r.id = id;
	str_copy(r.township, "TB", sizeof(r.township));
	str_copy(r.note, "属乙镇辖区", sizeof(r.note));
	casemsg_set(&r, CASEMSG_ID);
	casemsg_set(&r, CASEMSG_TOWNSHIP);
	casemsg_set(&r, CASEMSG_NOTE_F);
	assert_int_equal(cases_reassign(&c, &cat, "regulator:alice", &r, moved, err, sizeof(err)),
	    CASES_DONE);
	sql_text(c.db,
	    "SELECT group_concat(action || ':' || township, ' ') FROM"
	    " (SELECT * FROM case_steps ORDER BY id)",
	    got, sizeof(got));
	assert_string_equal(got, "open:TA escalate:TA reassign:TB");
	assert_int_equal(figure_of(&c, &all, "TA", "escalated", t, moved), 1);
	assert_int_equal(figure_of(&c, &all, "TB", "escalated", t, moved), 0);
	/* on time in TB: the next sweep has nothing to do */
	assert_int_equal(cases_escalate(&c, moved + 1000, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	store_close(c.db);
}

/* The work (SQLite's virtual machine steps, by tens) of c's figures for TA's scope. */
static long
figures_work(struct county_db *c, int64_t from, int64_t to)
{
	char err[256];
	uint8_t *out = NULL;
	size_t len = 0;
	long steps = 0;

	sqlite3_progress_handler(c->db, 10, count_steps, &steps);
	assert_int_equal(cases_figures(c, &town_a, from, to, to, &out, &len, err, sizeof(err)), 0);
	sqlite3_progress_handler(c->db, 0, NULL, NULL);
	free(out);
	return steps;
}

/* Into db, count steps of a case of TZ, every tenth an escalation, one a minute back from
 * now. */
static void
other_steps(sqlite3 *db, int count, int64_t now)
{
	char sql[768], err[256];

	snprintf(sql, sizeof(sql),
	    "INSERT INTO cases (township, severity, kind, title, station, opened_ms, last_alert_ms,"
	    " updated_ms) VALUES ('TZ', 'alert', 'R05', 'other', 'S09', %lld, %lld, %lld);"
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
	    " INSERT INTO case_steps (case_id, at_ms, identity, action, state, township)"
	    " SELECT (SELECT max(id) FROM cases), %lld - i * 60000, 'county',"
	    " CASE WHEN i %% 10 = 0 THEN 'escalate' ELSE 'comment' END, 'new', 'TZ' FROM n",
	    (long long)now, (long long)now, (long long)now, count, (long long)now);
	if (store_exec(db, sql, err, sizeof(err)) == -1)
		fail_msg("%s", err);
}

/*
 * A township's escalations are read from 032's index of the escalate steps: TA's figures
 * cost the same work among 2,000 steps of other townships' cases as among 20,000.  Read
 * from case_steps without it, every township's figure read every step of the county.
 */
static void
a_townships_escalations_are_read_from_their_index(void **state)
{
	struct county_db c = { .config = &config }; /* no identities: every township known */
	int64_t now = T0 + 3600000;
	long work0, work1;

	(void)state;
	own_county("esc_figures.db", &c);
	other_steps(c.db, 2000, now);
	figures_work(&c, T0 - 86400000, now); /* the first one reads the schema */
	work0 = figures_work(&c, T0 - 86400000, now);
	other_steps(c.db, 18000, now);
	work1 = figures_work(&c, T0 - 86400000, now);
	print_message("figures work: %ld -> %ld\n", work0, work1);
	assert_true(work1 <= work0 + work0 / 4);
	store_close(c.db);
}

/* r keyed by rid (a client's request key, the same on each of its resends). */
static void
keyed(struct case_request *r, const char *rid)
{
	str_copy(r->rid, rid, sizeof(r->rid));
	casemsg_set(r, CASEMSG_RID);
}

/*
 * libcoap does not de-duplicate a retransmitted confirmable POST, and a
 * phone retries after a lost answer: a request sent again with its key
 * (rid) answers as the first did and stores nothing, however long after
 * and whatever others did to the case meanwhile.  Before, only a resend
 * that was still the case's newest step (and a report within ten minutes)
 * was recognised: a comment resent after a colleague's was a second
 * comment, an accept resent after the officer went on site was refused,
 * a report resent a quarter of an hour later was a second case.
 */
static void
a_request_sent_again_with_its_key_is_done_once(void **state)
{
	struct case_request r, c2;
	struct cases_news news;
	char err[256];
	int64_t id, first = 0, again = 0, other = 0, t = T0 + 40 * 86400000LL;

	(void)state;
	config.report_max_per_hour = 0;
	alert("rid0", "R05", "alert", "TA", "CYRID", t);
	assert_int_equal(cases_from_alerts(&cdb, &cat, t, &news, err, sizeof(err)), 0);
	id = sql_int("SELECT id FROM cases WHERE cylinder = 'CYRID'");
	/* a comment, a colleague's, and the first one's resend: one each */
	r = step(id, "comment", "邻居说昨晚有人搬运");
	keyed(&r, "phone-li-comment-0001");
	assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t, err, sizeof(err)),
	    CASES_DONE);
	c2 = step(id, "comment", "已通知村委会");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &c2, t + 1000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 2000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(
	    sql_int("SELECT count(*) FROM case_steps WHERE note = '邻居说昨晚有人搬运'"), 1);
	/* another person's rid never matches: the same key is a comment of theirs */
	keyed(&c2, "phone-li-comment-0001");
	str_copy(c2.note, "王的补充", sizeof(c2.note));
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &c2, t + 2500, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE note = '王的补充'"), 1);
	/* the same comment just after under a new rid (a second command): the content check
	 * finds it done, and keeps the new rid as its, so its own resend is known after a
	 * colleague's comment too */
	r = step(id, "comment", "再说一遍");
	keyed(&r, "phone-li-comment-0006");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 2600, err, sizeof(err)),
	    CASES_DONE);
	keyed(&r, "phone-li-comment-0007");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 2700, err, sizeof(err)),
	    CASES_DONE);
	c2 = step(id, "comment", "王又补充");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:wang@TA", &c2, t + 2800, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 2900, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE note = '再说一遍'"), 1);
	/* an accept, the step after it, then the accept's resend: done, not refused */
	r = step(id, "accept", NULL);
	keyed(&r, "phone-li-accept-00002");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 3000, err, sizeof(err)),
	    CASES_DONE);
	c2 = step(id, "onsite", "到达现场");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &c2, t + 4000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 5000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE action = 'accept' AND"
	                         " case_id = (SELECT id FROM cases WHERE cylinder = 'CYRID')"),
	    1);
	/* the same key on another request: refused, naming rid, never its text */
	c2 = step(id, "comment", "另一个请求");
	keyed(&c2, "phone-li-accept-00002");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &c2, t + 6000, err, sizeof(err)),
	    CASES_RID_REUSED);
	assert_non_null(strstr(err, "rid"));
	assert_null(strstr(err, "phone-li"));
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE note = '另一个请求'"), 0);
	/* a report resent a quarter of an hour later: its one case */
	r = report("违规堆放气瓶", "东村", "村口堆放十余只气瓶（键）");
	keyed(&r, "phone-eve-report-0003");
	assert_int_equal(cases_report(&cdb, &cat, "grid:eve@TA", &r, t, &first, err, sizeof(err)),
	    CASES_DONE);
	assert_true(first > 0);
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:eve@TA", &r, t + 15 * 60000, &again, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(again, first);
	assert_int_equal(sql_int("SELECT count(*) FROM cases WHERE title LIKE '%东村' AND"
	                         " reporter = 'grid:eve@TA' AND opened_ms >= 1803456000000"),
	    1);
	/* another worker's report under the same key: a case of its own */
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:dan@TA", &r, t + 16 * 60000, &other, err, sizeof(err)),
	    CASES_DONE);
	assert_true(other != first && other > 0);
	/* a reassignment resent after the new township accepted the case: done */
	memset(&r, 0, sizeof(r));
	r.id = first;
	casemsg_set(&r, CASEMSG_ID);
	str_copy(r.township, "TB", sizeof(r.township));
	casemsg_set(&r, CASEMSG_TOWNSHIP);
	str_copy(r.note, "地点属南村", sizeof(r.note));
	casemsg_set(&r, CASEMSG_NOTE_F);
	keyed(&r, "web-alice-reassign-04");
	assert_int_equal(
	    cases_reassign(&cdb, &cat, "regulator:alice", &r, t + 20 * 60000, err, sizeof(err)),
	    CASES_DONE);
	c2 = step(first, "accept", NULL);
	assert_int_equal(cases_step(&cdb, &cat, &town_b, "officer:zhao@TB", &c2, t + 21 * 60000,
	                     err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(
	    cases_reassign(&cdb, &cat, "regulator:alice", &r, t + 22 * 60000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE action = 'reassign' AND"
	                         " note = '地点属南村'"),
	    1);
	/* keys are forgotten after CASES_RID_KEEP_MS: a request then clears old ones */
	r = step(id, "comment", "一周以后");
	keyed(&r, "phone-li-comment-0005");
	assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r,
	                     t + CASES_RID_KEEP_MS + 3600000, err, sizeof(err)),
	    CASES_DONE);
	assert_int_equal(sql_int("SELECT count(*) FROM case_requests"), 1);
}

/* Review rev101: a request the content check finds done keeps its fresh
 * rid in case_requests; one identity's identical resends, each under a new
 * rid, keep their keys only within person_writes_day_max (each one a row
 * and a commit), and are answered as done past it. */
static void
resends_under_new_rids_keep_their_keys_within_the_write_bound(void **state)
{
	struct case_request r;
	struct cases_news news;
	char err[256], rid[40];
	int64_t id, t = T0 + 122LL * 86400000;
	int i, before;

	(void)state;
	alert("r101c", "R05", "alert", "TA", "CY103", t);
	assert_int_equal(cases_from_alerts(&cdb, &cat, t, &news, err, sizeof(err)), 0);
	id = sql_int("SELECT id FROM cases WHERE cylinder = 'CY103'");
	config.person_writes_day_max = 5;
	r = step(id, "comment", "同一条");
	assert_int_equal(cases_step(&cdb, &cat, &town_a, "officer:fl@TA", &r, t, err, sizeof(err)),
	    CASES_DONE);
	before = (int)sql_int("SELECT count(*) FROM case_requests");
	for (i = 0; i < 200; i++) {
		snprintf(rid, sizeof(rid), "flood-rid-%08d", i);
		keyed(&r, rid);
		(void)cases_step(&cdb, &cat, &town_a, "officer:fl@TA", &r, t + 1 + i, err,
		    sizeof(err));
	}
	config.person_writes_day_max = 0;
	/* at most the person's write bound, not one row per request */
	assert_true(sql_int("SELECT count(*) FROM case_requests") - before <= 5);
}

/* A case opened from an alert in TA on cylinder cyl at t, accepted by li. */
static int64_t
accepted_case(const char *source, const char *cyl, int64_t t)
{
	struct case_request r;
	struct cases_news news;
	char err[256];
	int64_t id;

	alert(source, "R05", "alert", "TA", cyl, t);
	assert_int_equal(cases_from_alerts(&cdb, &cat, t, &news, err, sizeof(err)), 0);
	id = sql_int_f("SELECT id FROM cases WHERE cylinder = '%s'", cyl);
	r = step(id, "accept", NULL);
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 1000, err, sizeof(err)),
	    CASES_DONE);
	return id;
}

/* Review rev101: a console decision form sent, then sent again after Back
 * with another outcome and fine, under the form's one rid.  The county
 * compared only the step and the case, answered the second as done, and the
 * officer believed the fine recorded.  Now the second is refused (the key
 * holds another request: 4.09), the case keeps the first decision, and the
 * first form's own resend is still done. */
static void
a_kept_rid_with_another_decision_is_refused_and_the_case_unchanged(void **state)
{
	struct case_request r;
	char err[256];
	int64_t t = T0 + 120LL * 86400000, id = accepted_case("dg1", "CYDG1", t);

	(void)state;
	r = decision(id, "warning", "P01");
	keyed(&r, "web-form-decide-00001");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 2000, err, sizeof(err)),
	    CASES_DONE);
	r = decision(id, "fine", "P01");
	r.fine = 2000;
	casemsg_set(&r, CASEMSG_FINE);
	keyed(&r, "web-form-decide-00001");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 3000, err, sizeof(err)),
	    CASES_RID_REUSED);
	assert_non_null(strstr(err, "rid"));
	assert_null(strstr(err, "web-form"));
	assert_int_equal(sql_int_f("SELECT count(*) FROM cases WHERE id = %lld AND outcome ="
	                           " 'warning' AND fine_yuan = 0",
	                     (long long)id),
	    1);
	assert_int_equal(
	    sql_int_f("SELECT count(*) FROM case_steps WHERE case_id = %lld AND action = 'decide'",
	        (long long)id),
	    1);
	/* the first form's resend is the resend it was */
	r = decision(id, "warning", "P01");
	keyed(&r, "web-form-decide-00001");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 4000, err, sizeof(err)),
	    CASES_DONE);
}

/* Review rev101: a comment edited and sent again under its rid was answered
 * as done and its new text stored nowhere.  Now it is refused, and so are a
 * report and a reassignment that say something else under a kept rid: each
 * stores nothing. */
static void
a_kept_rid_with_another_text_is_refused(void **state)
{
	struct case_request r;
	char err[256];
	int64_t t = T0 + 121LL * 86400000, id = accepted_case("dg2", "CYDG2", t), first = 0,
	        again = 0;

	(void)state;
	r = step(id, "comment", "第一条");
	keyed(&r, "web-form-comment-0002");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 2000, err, sizeof(err)),
	    CASES_DONE);
	r = step(id, "comment", "第二条，完全不同");
	keyed(&r, "web-form-comment-0002");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 3000, err, sizeof(err)),
	    CASES_RID_REUSED);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE note = '第二条，完全不同'"),
	    0);
	/* a report whose place was changed */
	r = report("违规堆放气瓶", "东村", "村口堆放气瓶（摘要）");
	keyed(&r, "phone-eve-report-dg03");
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:eve@TA", &r, t + 4000, &first, err, sizeof(err)),
	    CASES_DONE);
	str_copy(r.place, "村委会后院", sizeof(r.place));
	casemsg_set(&r, CASEMSG_PLACE_F);
	assert_int_equal(
	    cases_report(&cdb, &cat, "grid:eve@TA", &r, t + 5000, &again, err, sizeof(err)),
	    CASES_RID_REUSED);
	assert_int_equal(again, 0);
	assert_int_equal(sql_int("SELECT count(*) FROM cases WHERE place = '村委会后院'"), 0);
	/* a reassignment whose reason was changed */
	memset(&r, 0, sizeof(r));
	r.id = first;
	casemsg_set(&r, CASEMSG_ID);
	str_copy(r.township, "TB", sizeof(r.township));
	casemsg_set(&r, CASEMSG_TOWNSHIP);
	str_copy(r.note, "地点属南村", sizeof(r.note));
	casemsg_set(&r, CASEMSG_NOTE_F);
	keyed(&r, "web-alice-reassign-dg4");
	assert_int_equal(
	    cases_reassign(&cdb, &cat, "regulator:alice", &r, t + 6000, err, sizeof(err)),
	    CASES_DONE);
	str_copy(r.note, "另一个理由", sizeof(r.note));
	assert_int_equal(
	    cases_reassign(&cdb, &cat, "regulator:alice", &r, t + 7000, err, sizeof(err)),
	    CASES_RID_REUSED);
	assert_int_equal(sql_int("SELECT count(*) FROM case_steps WHERE note = '另一个理由'"), 0);
}

/* A key kept before 031 has no digest: for its 7 days the step and the case
 * are compared, as they were when it was kept. */
static void
a_rid_kept_before_031_compares_the_step_and_the_case(void **state)
{
	struct case_request r;
	char err[256], sql[256];
	int64_t t = T0 + 123LL * 86400000, id = accepted_case("dg5", "CYDG5", t);

	(void)state;
	snprintf(sql, sizeof(sql),
	    "INSERT INTO case_requests (identity, rid, action, case_id, step_id, at_ms)"
	    " VALUES ('officer:li@TA', 'old-kept-comment-005', 'comment', %lld, 0, %lld)",
	    (long long)id, (long long)(t + 1500));
	assert_int_equal(sqlite3_exec(cdb.db, sql, NULL, NULL, NULL), SQLITE_OK);
	r = step(id, "comment", "任何文字");
	keyed(&r, "old-kept-comment-005");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 2000, err, sizeof(err)),
	    CASES_DONE);
	r = step(id, "onsite", "到达现场");
	keyed(&r, "old-kept-comment-005");
	assert_int_equal(
	    cases_step(&cdb, &cat, &town_a, "officer:li@TA", &r, t + 3000, err, sizeof(err)),
	    CASES_RID_REUSED);
	assert_int_equal(sql_int_f("SELECT count(*) FROM cases WHERE id = %lld AND state ="
	                           " 'accepted'",
	                     (long long)id),
	    1);
}

/* The digest is of what a request says, not of its bytes: the same request
 * as JSON with its keys in another order, or as CBOR, is the same; a rid is
 * no part of it; any field changed, or the path, is another. */
static void
a_requests_digest_is_of_what_it_says(void **state)
{
	static const char a[] =
	    "{\"id\": 7, \"step\": \"decide\", \"outcome\": \"fine\","
	    " \"power\": \"P01\", \"fine\": 2000, \"rid\": \"aaaaaaaaaaaaaaaa\"}";
	static const char b[] =
	    "{\"rid\": \"bbbbbbbbbbbbbbbb\", \"fine\": 2000, \"power\": \"P01\","
	    " \"outcome\": \"fine\", \"step\": \"decide\", \"id\": 7}";
	struct case_request ra, rb, rc;
	char ha[CASEMSG_DIGEST_HEX], hb[CASEMSG_DIGEST_HEX], hc[CASEMSG_DIGEST_HEX], err[200];
	uint8_t *cbor;
	size_t len;

	(void)state;
	assert_int_equal(casemsg_decode_json((const uint8_t *)a, strlen(a), &ra, err, sizeof(err)),
	    0);
	assert_int_equal(casemsg_decode_json((const uint8_t *)b, strlen(b), &rb, err, sizeof(err)),
	    0);
	assert_int_equal(casemsg_digest(&ra, "decide", ha), 0);
	assert_int_equal(casemsg_digest(&rb, "decide", hb), 0);
	assert_int_equal(strlen(ha), 64);
	assert_string_equal(ha, hb);
	assert_int_equal(casemsg_encode(&rb, &cbor, &len), 0);
	assert_int_equal(casemsg_decode(cbor, len, &rc, err, sizeof(err)), 0);
	free(cbor);
	assert_int_equal(casemsg_digest(&rc, "decide", hc), 0);
	assert_string_equal(ha, hc);
	rc.fine = 200;
	assert_int_equal(casemsg_digest(&rc, "decide", hc), 0);
	assert_string_not_equal(ha, hc);
	assert_int_equal(casemsg_digest(&ra, "close", hc), 0);
	assert_string_not_equal(ha, hc);
	casemsg_free(&ra);
	casemsg_free(&rb);
	casemsg_free(&rc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(alerts_open_or_join_cases_once),
		cmocka_unit_test(a_case_goes_from_new_to_closed_step_by_step),
		cmocka_unit_test(a_step_outside_the_scope_is_refused),
		cmocka_unit_test(a_typed_id_number_is_refused_and_stored_nowhere),
		cmocka_unit_test(a_report_goes_to_its_villages_township),
		cmocka_unit_test(a_point_lies_in_the_township_whose_boundary_holds_it),
		cmocka_unit_test(the_townships_are_the_maps_then_the_village_lists),
		cmocka_unit_test(a_report_with_coordinates_goes_where_they_lie),
		cmocka_unit_test(a_second_site_with_the_same_note_is_a_case_of_its_own),
		cmocka_unit_test(deadlines_count_the_county_working_days),
		cmocka_unit_test(a_case_past_its_deadline_is_overdue_and_escalated_once),
		cmocka_unit_test(figures_count_per_township),
		cmocka_unit_test(catalogue_errors_name_the_line),
		cmocka_unit_test(the_catalogue_answer_judges_decisions_as_the_county_does),
		cmocka_unit_test(a_request_round_trips_and_bad_ones_name_the_key),
		cmocka_unit_test(a_json_request_reads_as_its_cbor_twin),
		cmocka_unit_test(named_people_and_what_they_may_do),
		cmocka_unit_test(the_list_keeps_its_order_for_every_scope_and_view),
		cmocka_unit_test(a_list_reads_its_own_cases_only),
		cmocka_unit_test(a_filter_chooses_before_the_limit),
		cmocka_unit_test(a_list_reads_the_page_it_shows),
		cmocka_unit_test(an_older_county_gets_the_list_order_for_its_cases),
		cmocka_unit_test(escalation_is_what_the_whole_table_sweep_gave),
		cmocka_unit_test(a_sweep_reads_the_cases_it_escalates),
		cmocka_unit_test(the_cbor_list_is_what_libcbor_items_made),
		cmocka_unit_test(a_reassigned_decision_is_set_aside_with_fresh_deadlines),
		cmocka_unit_test(a_grid_worker_files_at_most_the_hours_reports),
		cmocka_unit_test(a_reported_code_names_its_cylinder_only_when_signed),
		cmocka_unit_test(a_decision_says_why_it_does_not_fit),
		cmocka_unit_test(a_report_reads_the_reporters_window),
		cmocka_unit_test(a_persons_steps_of_24_hours_are_bounded),
		cmocka_unit_test(a_townships_dispositions_are_bounded),
		cmocka_unit_test(a_persons_evidence_of_24_hours_is_bounded),
		cmocka_unit_test(an_evidence_name_holding_a_number_is_kept_neutral),
		/* last: its cases would change the figures counted above */
		cmocka_unit_test(a_long_stream_of_joins_is_listed_at_its_ends_and_counted),
		cmocka_unit_test(a_flood_of_comments_is_listed_at_its_ends_and_read_by_pages),
		cmocka_unit_test(a_person_comments_on_a_case_at_most_the_hours_limit),
		cmocka_unit_test(a_violation_after_the_decision_is_a_case_of_its_own),
		cmocka_unit_test(an_escalated_case_is_dismissed_by_the_county_only),
		cmocka_unit_test(a_reassigned_case_made_critical_runs_from_its_reassignment),
		cmocka_unit_test(an_escalation_stays_with_its_township_when_the_case_moves),
		cmocka_unit_test(a_late_case_moved_before_the_sweep_is_escalated_in_its_township),
		cmocka_unit_test(a_townships_escalations_are_read_from_their_index),
		cmocka_unit_test(steps_before_032_get_the_township_of_their_time),
		cmocka_unit_test(a_request_sent_again_with_its_key_is_done_once),
		cmocka_unit_test(resends_under_new_rids_keep_their_keys_within_the_write_bound),
		cmocka_unit_test(
		    a_kept_rid_with_another_decision_is_refused_and_the_case_unchanged),
		cmocka_unit_test(a_kept_rid_with_another_text_is_refused),
		cmocka_unit_test(a_rid_kept_before_031_compares_the_step_and_the_case),
		cmocka_unit_test(a_requests_digest_is_of_what_it_says),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
