/*
 * line: the per-line state machine, interlock and cut-off (line.h has the
 * contract; docs/fill-line.md explains the design and the numbers).
 *
 * Everything here below the mailbox functions runs in the one thread that
 * steps the line, so the valve decisions need no locking; the mailbox and
 * the status snapshot are guarded by line->lock.
 */
#include "line.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "i18n.h"
#include "timetext.h"
#include "util.h"

#define CLOSE_REASSERT_MS 1000 /* a closed valve's close is sent again this often */

static const char *const state_names[] = {
	[LINE_IDLE] = "idle",
	[LINE_IDENTIFIED] = "identified",
	[LINE_CHECKED] = "checked",
	[LINE_ARMED] = "armed",
	[LINE_FILLING] = "filling",
	[LINE_CUTOFF] = "cutoff",
	[LINE_SETTLING] = "settling",
	[LINE_CHECKWEIGHED] = "check-weighed",
	[LINE_RECORDED] = "recorded",
	[LINE_REFUSED] = "refused",
	[LINE_INTERRUPTED] = "interrupted",
	[LINE_EMERGENCY] = "emergency",
};

const char *
line_state_name(enum line_state state)
{
	if ((size_t)state < sizeof(state_names) / sizeof(state_names[0]))
		return state_names[state];
	return "?";
}

/* The pre-act: the median of the in-flight masses learnt, newest first in
 * line->inflight.  The median of the last few fills: one fill disturbed by
 * a knock on the scale does not move the cut-off. */
static void
preact_from_history(struct line *line)
{
	double sorted[LINE_PREACT_HISTORY];
	int n = line->inflight_n, i, j;

	if (n == 0)
		return;
	memcpy(sorted, line->inflight, sizeof(double) * (size_t)n);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
			double t = sorted[j];
			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	line->preact_kg = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/* What the line learnt before a restart (records keeps each teaching
 * fill's in-flight mass with its record): a restart costs no accuracy. */
static void
load_preact(struct line *line)
{
	double samples[LINE_PREACT_HISTORY];
	size_t n, i;
	char err[256];

	if (line->controller_mode || line->records == NULL || line->records->db == NULL)
		return;
	if (records_preact_samples(line->records, line->number, samples, LINE_PREACT_HISTORY, &n,
	        err, sizeof(err)) == -1) {
		log_warnx("line %d: the pre-act learnt before is not readable (%s): starting from "
		          "%.3f kg",
		    line->number, err, line->preact_kg);
		return;
	}
	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		line->inflight[i] = samples[i];
	line->inflight_n = (int)n;
	preact_from_history(line);
	log_info("line %d: pre-act %.3f kg, as learnt from its last %zu fill(s)", line->number,
	    line->preact_kg, n);
}

/*
 * An R23 emergency nobody acknowledged before a restart (gasgw stopped,
 * crashed, the power cut) is still one: the line starts in emergency
 * (locked, its watchdog starved) and, acknowledged, watches the cylinder
 * from the first reading it gets (review rev99: it came back idle, took
 * starts and fed its watchdog while the gas flowed on).  A database that
 * cannot say is taken as no emergency, said in the log: the store's own
 * failure keeps every line from filling anyway.
 */
static void
load_emergency(struct line *line)
{
	int64_t at_ms;
	int open;
	char err[256], when[TIMETEXT_MAX], text[256];

	if (line->records == NULL || line->records->db == NULL)
		return;
	open = records_emergency_open(line->records, line->number, &at_ms, err, sizeof(err));
	if (open == -1) {
		log_warnx("line %d: whether an R23 emergency is open is not readable (%s)",
		    line->number, err);
		return;
	}
	if (open == 0)
		return;
	timetext_format(at_ms, TIMETEXT_MINUTE, when);
	snprintf(text, sizeof(text),
	    _("R23 emergency of %s not acknowledged before the restart: check the valve, then "
	      "`gasctl stop %d`"),
	    when, line->number);
	log_warnx("line %d: %s", line->number, text);
	line->emergency = 1;
	line->watch = 1;
	line->watch_base = NAN; /* from the first reading */
	line->state = LINE_EMERGENCY;
	line->status.state = LINE_EMERGENCY;
	str_copy(line->status.result, "emergency", sizeof(line->status.result));
	str_copy(line->status.result_text, text, sizeof(line->status.result_text));
	line->status.result_net_kg = NAN;
}

int
line_init(struct line *line, const struct gw_config *config, const struct gw_line *lc,
    struct records *records, const struct line_io *io)
{
	memset(line, 0, sizeof(*line));
	line->number = lc->number;
	line->controller_mode = strcmp(lc->cutoff, "controller") == 0 || io->ctl_start != NULL;
	line->config = config;
	line->rules = &config->rules;
	line->records = records;
	line->io = *io;
	line->scale_capacity_kg = lc->scale.capacity_kg; /* R25's base: the scale profile's */
	line->heartbeat_ms = config->heartbeat_ms > 0 ? config->heartbeat_ms : 200;
	line->preact_kg = lc->preact_kg;
	/* a pre-act the configuration gives is used as given until learnt */
	line->valve_close_ms = lc->filler || lc->preact_given ? 0 : lc->valve.close_ms;
	line->poll_ms = 50;
	for (size_t b = 0; b < config->bus_count; b++)
		if (strcmp(config->buses[b].name, lc->bus) == 0 && config->buses[b].poll_hz > 0)
			line->poll_ms = 1000 / config->buses[b].poll_hz;
	line->db_ok = 1;
	line->valve_close_pending = 1; /* close at the first step, whatever we believe */
	line->state = LINE_IDLE;
	pthread_mutex_init(&line->lock, NULL);
	line->status.number = line->number;
	load_preact(line);
	line->status.preact_kg = line->preact_kg;
	load_emergency(line);
	return 0;
}

void
line_free(struct line *line)
{
	pthread_mutex_destroy(&line->lock);
}

/*
 * The pre-act a fill cuts off with.  Once the line has learnt from a fill
 * of its own, the learnt one.  Before (a new line, or one whose history was
 * lost), predicted when the valve's profile gives its closing time: the gas
 * that flows at the flow measured during this fill while the valve closes,
 * while the reading ages on its way to this decision, and for half a poll
 * period (a later reading comes a whole period later, so closing on the
 * reading nearest the cut point means closing half a period early on
 * average).  Without a closing time or a flow yet: the configured pre-act.
 */
static double
cut_preact(const struct line *line, int64_t now)
{
	double lag_s;

	if (line->inflight_n > 0 || line->valve_close_ms <= 0 || line->rate_kg_s <= 0)
		return line->preact_kg;
	lag_s = (line->valve_close_ms + line->poll_ms / 2.0 +
	            (line->last.at_ms > 0 && now > line->last.at_ms ? now - line->last.at_ms : 0)) /
	        1000.0;
	return fmin(line->rate_kg_s * lag_s, LINE_PREACT_MAX_KG);
}

double
line_preact(const struct line *line)
{
	return line->preact_kg;
}

/* A fill is in progress from the start request until it is recorded. */
static int
busy_locked(const struct line *line)
{
	return line->start_requested ||
	       (line->status.state != LINE_IDLE && line->status.state != LINE_IDENTIFIED &&
	           line->status.state != LINE_REFUSED && line->status.state != LINE_RECORDED &&
	           line->status.state != LINE_INTERRUPTED);
}

/* The stepping thread should look at the mailbox now (no lock held). */
static void
kick(struct line *line)
{
	if (line->io.kick != NULL)
		line->io.kick(line->io.ctx);
}

int
line_login(struct line *line, const char *cert, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&line->lock);
	/* A line in emergency takes a login (and a logout): the operator who
	 * must look and acknowledge it works under their own name; a start
	 * is still refused until `gasctl stop` (line_start), so no valve
	 * opens for it. */
	if (busy_locked(line) && line->status.state != LINE_EMERGENCY)
		rc = err_set(err, errlen, _("line %d is busy (%s)"), line->number,
		    line_state_name(line->status.state));
	else
		str_copy(line->operator_cert, cert, sizeof(line->operator_cert));
	pthread_mutex_unlock(&line->lock);
	if (rc == 0)
		kick(line);
	return rc;
}

void
line_cylinder_label(const struct line_cylinder *cyl, struct rules_label *out)
{
	rules_label_of(out, cyl->code, cyl->model, cyl->manufactured, cyl->tare_kg, cyl->fill_kg);
}

int
line_set_cylinder(struct line *line, const struct line_cylinder *cyl, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&line->lock);
	if (busy_locked(line)) {
		rc = err_set(err, errlen, _("line %d is busy (%s)"), line->number,
		    line_state_name(line->status.state));
	} else {
		line->cylinder = *cyl;
		line->have_cylinder = 1;
		line->status.scan_refused[0] = '\0';
	}
	pthread_mutex_unlock(&line->lock);
	if (rc == 0)
		kick(line);
	return rc;
}

int
line_set_buyer(struct line *line, const struct line_buyer *buyer, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&line->lock);
	if (busy_locked(line)) {
		rc = err_set(err, errlen, _("line %d is busy (%s)"), line->number,
		    line_state_name(line->status.state));
	} else {
		line->buyer = *buyer;
		line->have_buyer = 1;
		line->status.scan_refused[0] = '\0';
	}
	pthread_mutex_unlock(&line->lock);
	if (rc == 0)
		kick(line);
	return rc;
}

/*
 * A scan the rules refused, or that could not be read, says the cylinder
 * (buyer) at the counter is not the one the line holds: the line lets go
 * of it, so that a start cannot fill under the code scanned before (review
 * rev99).  Not while a fill runs: that fill keeps its parties.
 */
static int
clear_party(struct line *line, int cylinder, const char *why, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&line->lock);
	if (busy_locked(line)) {
		rc = err_set(err, errlen, _("line %d is busy (%s)"), line->number,
		    line_state_name(line->status.state));
	} else if (cylinder) {
		line->have_cylinder = 0;
		memset(&line->cylinder, 0, sizeof(line->cylinder));
		line->status.cylinder[0] = '\0';
	} else {
		line->have_buyer = 0;
		memset(&line->buyer, 0, sizeof(line->buyer));
		line->status.buyer_masked[0] = '\0';
	}
	if (rc == 0)
		str_copy(line->status.scan_refused, why, sizeof(line->status.scan_refused));
	pthread_mutex_unlock(&line->lock);
	if (rc == 0)
		kick(line);
	return rc;
}

int
line_clear_cylinder(struct line *line, const char *why, char *err, size_t errlen)
{
	return clear_party(line, 1, why, err, errlen);
}

int
line_clear_buyer(struct line *line, const char *why, char *err, size_t errlen)
{
	return clear_party(line, 0, why, err, errlen);
}

int
line_start(struct line *line, unsigned *attempt, char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&line->lock);
	if (line->status.state == LINE_EMERGENCY)
		rc = err_set(err, errlen,
		    _("line %d is in emergency: check the valve, then `gasctl stop %d`"),
		    line->number, line->number);
	else if (busy_locked(line))
		rc = err_set(err, errlen, _("line %d is busy (%s)"), line->number,
		    line_state_name(line->status.state));
	else {
		line->start_requested = 1;
		line->status.attempt++;
		line->status.scan_refused[0] = '\0'; /* the start's outcome says the rest */
		if (attempt != NULL)
			*attempt = line->status.attempt;
	}
	pthread_mutex_unlock(&line->lock);
	if (rc == 0)
		kick(line);
	return rc;
}

int
line_stop(struct line *line)
{
	pthread_mutex_lock(&line->lock);
	line->stop_requested = 1;
	pthread_mutex_unlock(&line->lock);
	kick(line);
	return 0;
}

void
line_set_rules(struct line *line, const struct gw_rules *rules)
{
	pthread_mutex_lock(&line->lock);
	line->pending_rules = *rules;
	line->rules_pending = 1;
	pthread_mutex_unlock(&line->lock);
	kick(line);
}

void
line_status(struct line *line, struct line_status *out)
{
	pthread_mutex_lock(&line->lock);
	*out = line->status;
	pthread_mutex_unlock(&line->lock);
}

void
line_force_close(struct line *line)
{
	line->force_close = 1;
	line_close_valve(line);
}

int
line_close_valve(struct line *line)
{
	int rc;

	line->valve_commanded_open = 0;
	rc = line->io.valve(line->io.ctx, 0);
	if (line->controller_mode && line->io.ctl_abort != NULL)
		line->io.ctl_abort(line->io.ctx);
	line->valve_close_pending = rc == -1;
	return rc;
}

/* --- the stepping thread ---------------------------------------------------- */

static void
enter(struct line *line, enum line_state state, int64_t now)
{
	if (line->state != state)
		log_debug("line %d: %s -> %s", line->number, line_state_name(line->state),
		    line_state_name(state));
	line->state = state;
	line->state_ms = now;
}

static void
verdict_text(const struct rules_verdict *v, char *out, size_t outlen)
{
	size_t i, used = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < v->count && used < outlen; i++) {
		n = snprintf(out + used, outlen - used, "%s%s", i ? "\n" : "", v->items[i].text);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Publish the outcome of the current attempt. */
static void
set_outcome(struct line *line, const char *result, const char *text, int refused, double net)
{
	pthread_mutex_lock(&line->lock);
	line->status.finished = line->status.attempt;
	str_copy(line->status.result, result, sizeof(line->status.result));
	str_copy(line->status.result_text, text, sizeof(line->status.result_text));
	line->status.refused = refused;
	line->status.result_net_kg = net;
	pthread_mutex_unlock(&line->lock);
}

static void
clear_identity(struct line *line)
{
	pthread_mutex_lock(&line->lock);
	line->have_cylinder = 0;
	line->have_buyer = 0;
	memset(&line->cylinder, 0, sizeof(line->cylinder));
	memset(&line->buyer, 0, sizeof(line->buyer));
	pthread_mutex_unlock(&line->lock);
}

static void
party_of_fill(const struct line *line, struct records_party *p)
{
	memset(p, 0, sizeof(*p));
	p->line = line->number;
	p->cylinder = line->fill_cyl.serial[0] ? line->fill_cyl.serial : NULL;
	p->buyer = line->fill_buyer.id[0] ? line->fill_buyer.id : NULL;
	p->buyer_township = line->fill_buyer.township;
	p->operator_cert = line->fill_operator[0] ? line->fill_operator : NULL;
}

static void
refuse(struct line *line, const struct rules_verdict *v, int64_t now)
{
	struct records_party party;
	char text[512], err[256];

	party_of_fill(line, &party);
	if (!line->fill_cyl.valid)
		party.cylinder = NULL; /* not a registry serial */
	if (records_incident(line->records, "refusal", v, &party, NULL, err, sizeof(err)) == -1)
		log_warnx("line %d: refusal not recorded: %s", line->number, err);
	verdict_text(v, text, sizeof(text));
	log_info("line %d: refused: %s", line->number, v->count ? v->items[0].text : "");
	set_outcome(line, "refused", text, 1, NAN);
	clear_identity(line);
	enter(line, LINE_REFUSED, now);
}

/* Give up on an attempt for a reason that is not a rule (database down). */
static void
fail_attempt(struct line *line, const char *why, int64_t now)
{
	log_warnx("line %d: %s", line->number, why);
	set_outcome(line, "error", why, 1, NAN);
	enter(line, LINE_REFUSED, now);
}

/*
 * A clock that cannot be trusted with the date rules (rules_clock_check):
 * the attempt ends in an error that says what the clock reads, why that
 * is wrong and what to do (rules_clock_words), with no record (its times
 * would be the wrong clock's); the valve stays shut until the clock is set
 * right.
 */
static void
refuse_clock(struct line *line, enum rules_clock verdict, int64_t now_ms, int64_t newest_ms,
    int64_t now)
{
	char why[RULES_CLOCK_WORDS];

	rules_clock_words(verdict, line->rules, now_ms, newest_ms, why, sizeof(why));
	fail_attempt(line, why, now);
}

/* The operator's words for a database write that failed: what is wrong
 * with the station's disk, when that is known. */
static const char *
disk_words(enum records_write cause)
{
	switch (cause) {
	case RECORDS_NO_SPACE:
		return _("station disk full");
	case RECORDS_IO_ERROR:
		return _("station disk failing (I/O error)");
	case RECORDS_WRITTEN:
	case RECORDS_DB_ERROR:
	case RECORDS_GONE:
		break;
	}
	return _("station database error");
}

static double
net_of(const struct line *line)
{
	return line->last.gross_kg - line->fill.tare_kg;
}

static void begin_close(struct line *line, int64_t now);
static void finish_fill(struct line *line, int64_t now);

/* Gather the facts of R01..R11 and decide; on pass, commit the start row
 * and open the valve. */
static void
check_and_arm(struct line *line, int64_t now)
{
	struct rules_prefill_facts f;
	struct records_cylinder reg;
	struct records_life_stop stop;
	struct records_operator op;
	struct records_buyer b;
	struct rules_verdict *v = &line->verdict;
	char err[256];
	enum store_found found_reg = STORE_NOT_FOUND, found;
	enum records_write written;
	int64_t last_fill = 0, newest = 0;
	enum rules_clock clock;
	int recent = 0, stopped, left = 0, left_unknown = 0, wd;
	double left_kg = 0;

	memset(&f, 0, sizeof(f));
	f.today = date_today();
	f.now_ms = time_wall_ms();
	/* the clock first: every date rule below reads it */
	if (records_newest_fill_ms(line->records, &newest, err, sizeof(err)) == -1)
		goto dberr;
	if ((clock = rules_clock_check(line->rules, f.now_ms, newest)) != RULES_CLOCK_OK) {
		refuse_clock(line, clock, f.now_ms, newest, now);
		return;
	}
	f.code_present = line->fill_cyl.serial[0] != '\0' || line->fill_cyl.reason[0] != '\0';
	f.code_valid = line->fill_cyl.valid;
	f.code_reason = line->fill_cyl.reason;
	f.serial = line->fill_cyl.serial;
	f.manufactured = line->fill_cyl.manufactured;
	f.stamped_tare_kg = line->fill_cyl.tare_kg;
	line_cylinder_label(&line->fill_cyl, &f.label);
	f.station_company = line->config->company;
	memset(&reg, 0, sizeof(reg));
	if (f.code_valid) {
		found_reg = records_cylinder_get(line->records, f.serial, &reg, err, sizeof(err));
		if (found_reg == STORE_ERROR)
			goto dberr;
		if (records_last_fill_ms(line->records, f.serial, &last_fill, err, sizeof(err)) ==
		    -1)
			goto dberr;
		/* gas its own fills put in and did not complete: a stop, a
		 * lost link or a crash before the start again */
		if (records_fill_left(line->records, f.serial, &left, &left_kg, &left_unknown, err,
		        sizeof(err)) == -1)
			goto dberr;
		/* this station's scrap or failed inspection, which its copy of the
		 * registry learns only at a poll after the county took it */
		stopped = records_life_stopped(line->records, f.serial, &stop, err, sizeof(err));
		if (stopped == -1)
			goto dberr;
		if (stopped == 1) {
			f.stopped_here = stop.failed ? RULES_FAILED_HERE : RULES_SCRAPPED_HERE;
			f.stopped_day = timetext_day_number(stop.at_ms);
		}
	}
	f.in_registry = found_reg == STORE_FOUND;
	records_cylinder_label(&reg, &f.registry);
	f.owner = reg.owner;
	f.status = reg.status;
	f.last_inspection = reg.last_inspection;
	f.next_inspection = reg.next_inspection;
	f.last_fill_ms = last_fill;
	f.operator_present = line->fill_operator[0] != '\0';
	f.operator_cert = line->fill_operator;
	if (f.operator_present) {
		found =
		    records_operator_get(line->records, line->fill_operator, &op, err, sizeof(err));
		if (found == STORE_ERROR)
			goto dberr;
		f.operator_known = found == STORE_FOUND;
		f.operator_active = op.active;
		f.operator_expires = op.expires;
	}
	f.buyer_present = line->fill_buyer.id[0] != '\0' || line->fill_buyer.reason[0] != '\0';
	f.buyer_valid = line->fill_buyer.valid;
	f.buyer_reason = line->fill_buyer.reason;
	f.buyer_business = line->fill_buyer.business;
	f.buyer_masked = line->fill_buyer.masked;
	if (f.buyer_present && f.buyer_valid) {
		if (records_buyer_fills_since(line->records, line->fill_buyer.id,
		        f.now_ms - (int64_t)line->rules->hoard_window_days * 86400000, &recent, err,
		        sizeof(err)) == -1)
			goto dberr;
		f.buyer_recent_fills = recent;
		/* a registered buyer's township routes R11 alerts */
		found = records_buyer_get(line->records, line->fill_buyer.id, &b, err, sizeof(err));
		if (found == STORE_ERROR)
			goto dberr;
		if (found == STORE_FOUND && b.township[0])
			str_copy(line->fill_buyer.township, b.township,
			    sizeof(line->fill_buyer.township));
		f.buyer_delivery = found == STORE_FOUND && b.delivery;
	}
	f.empty_known = line->last.scale_ok && line->last.stable;
	f.empty_kg = line->last.gross_kg;

	rules_prefill(line->rules, &f, v);
	if (v->blocked) {
		refuse(line, v, now);
		return;
	}
	/* the valve's own fail-safe (docs/design.md, V2): a unit that does not
	 * hold its watchdog timeout would leave the valve open if the gateway
	 * stopped mid-fill */
	wd = line->io.watchdog_ready != NULL ? line->io.watchdog_ready(line->io.ctx) : LINE_WD_HELD;
	if (wd == LINE_WD_OTHER) {
		fail_attempt(line,
		    _("the valve unit does not keep the watchdog timeout written to it (it "
		      "clamps it, or counts down): the valve stays closed on this line until its "
		      "watchdog_ms or its profile is set right (gasgw's log says what it keeps)"),
		    now);
		return;
	}
	if (wd != LINE_WD_HELD) {
		fail_attempt(line,
		    _("the valve unit has not taken its watchdog timeout (it is silent, or it "
		      "restarted and is being set again): the valve stays closed; try again in a "
		      "few seconds"),
		    now);
		return;
	}
	enter(line, LINE_CHECKED, now);

	/* The start row, committed before the valve may open (invariant 1). */
	memset(&line->fill, 0, sizeof(line->fill));
	store_uuid(line->fill.uuid);
	line->fill.line = line->number;
	str_copy(line->fill.cylinder, line->fill_cyl.serial, sizeof(line->fill.cylinder));
	str_copy(line->fill.buyer, line->fill_buyer.id, sizeof(line->fill.buyer));
	str_copy(line->fill.operator_cert, line->fill_operator, sizeof(line->fill.operator_cert));
	line->fill.started_ms = time_wall_ms();
	line->fill.tare_kg = f.empty_kg;
	/* The stamped fill mass is the gas the cylinder may hold after the
	 * fill, not what may go on top of whatever is in it (rev99): what an
	 * interrupted fill left in it is aimed short of, and R20 counts it. */
	line->residue_kg =
	    rules_residue_kg(left, left_kg, left_unknown, f.empty_kg, line->fill_cyl.tare_kg);
	line->fill.target_kg = line->fill_cyl.fill_kg - line->residue_kg;
	line->fill.preact_kg = line->controller_mode ? 0.0 : line->preact_kg;
	line->fill.cutoff_kg = NAN;
	line->fill.gross_kg = NAN;
	line->fill.net_kg = NAN;
	line->fill.inflight_kg = NAN;
	str_copy(line->fill.result, "filling", sizeof(line->fill.result));
	memset(&b, 0, sizeof(b));
	str_copy(b.id, line->fill_buyer.id, sizeof(b.id));
	str_copy(b.masked, line->fill_buyer.masked, sizeof(b.masked));
	str_copy(b.kind, line->fill_buyer.business ? "business" : "household", sizeof(b.kind));
	str_copy(b.township,
	    line->fill_buyer.township[0] ? line->fill_buyer.township : line->config->township,
	    sizeof(b.township));
	written = records_fill_start(line->records, &line->fill, &b, err, sizeof(err));
	if (written != RECORDS_WRITTEN) {
		char why[256];

		line->db_ok = 0;
		log_warnx("line %d: start row not committed: %s", line->number, err);
		snprintf(why, sizeof(why),
		    _("%s: the fill cannot be recorded, so the valve stays closed"),
		    disk_words(written));
		fail_attempt(line, why, now);
		return;
	}
	line->db_ok = 1;
	enter(line, LINE_ARMED, now);
	pthread_mutex_lock(&line->lock);
	str_copy(line->status.fill_uuid, line->fill.uuid, sizeof(line->status.fill_uuid));
	line->status.target_kg = line->fill.target_kg;
	pthread_mutex_unlock(&line->lock);

	line->open_ms = now;
	line->close_ms = 0;
	line->timed_out = line->emergency = 0;
	line->interrupted = RULES_NOT_INTERRUPTED;
	line->valve_shut_since = 0;
	line->valve_silent_ms = 0;
	line->feed_gap_ms = 0;
	line->ctl_running = 0;
	curve_init(&line->curve, (int32_t)lround(line->fill.target_kg * 1000),
	    (int32_t)lround(line->fill.preact_kg * 1000));
	if (line->controller_mode)
		line->valve_commanded_open =
		    line->io.ctl_start(line->io.ctx, line->fill.target_kg, line->fill.tare_kg) == 0;
	else
		line->valve_commanded_open = line->io.valve(line->io.ctx, 1) == 0;
	if (!line->valve_commanded_open) {
		/* The open may or may not have reached the unit: close, and
		 * record the attempt as interrupted by the link (the start row
		 * is committed: it must end, and the operator must hear). */
		line->interrupted = RULES_LINK_LOST;
		line->link_lost_ms = 0;
		begin_close(line, now);
		finish_fill(line, now);
		enter(line, LINE_INTERRUPTED, now);
		return;
	}
	log_info("line %d: filling %s to %.3f kg (pre-act %.3f kg)", line->number,
	    line->fill.cylinder, line->fill.target_kg, line->fill.preact_kg);
	enter(line, LINE_FILLING, now);
	return;
dberr:
	line->db_ok = 0;
	fail_attempt(line, "database error during the checks", now);
	log_warnx("line %d: %s", line->number, err);
}

static void
begin_close(struct line *line, int64_t now)
{
	line_close_valve(line);
	line->last_close_ms = now; /* the periodic re-assertion counts from here */
	line->close_ms = now;
	line->close_net = net_of(line);
	line->close_rate_kg_s = line->rate_kg_s > 0 ? line->rate_kg_s : 0;
	line->fill.cutoff_kg = line->close_net;
	curve_mark_cutoff(&line->curve, (int32_t)(now - line->open_ms));
	line->settle_samples = 0;
	line->checkweigh_n = 0;
	line->checkweigh_sum = 0;
	line->checkweigh_maxdev = 0;
	line->checkweigh_stable = 1;
}

/* A fill taught the line: its in-flight mass (bounded, as stored with its
 * record) becomes the newest of the history the pre-act is the median of. */
static void
learn_preact(struct line *line, double inflight)
{
	memmove(line->inflight + 1, line->inflight, sizeof(double) * (LINE_PREACT_HISTORY - 1));
	line->inflight[0] = inflight;
	if (line->inflight_n < LINE_PREACT_HISTORY)
		line->inflight_n++;
	preact_from_history(line);
}

/* The status of a fill whose outcome was told before its record was
 * settled: what it says once it is.  No attempt ends now, so the attempt
 * counters stay. */
static void
set_settled_outcome(struct line *line, const char *result, const char *text, double net)
{
	pthread_mutex_lock(&line->lock);
	str_copy(line->status.result, result, sizeof(line->status.result));
	str_copy(line->status.result_text, text, sizeof(line->status.result_text));
	line->status.refused = 0;
	line->status.result_net_kg = net;
	str_copy(line->status.fill_uuid, line->fill.uuid, sizeof(line->status.fill_uuid));
	pthread_mutex_unlock(&line->lock);
}

/* What the operator reads of a fill whose row was found closed already. */
static void
gone_text(char *text, size_t textlen)
{
	snprintf(text, textlen,
	    _("%s: the fill's row was closed already (recorded, or recovered as interrupted), so "
	      "it is not written again"),
	    disk_words(RECORDS_GONE));
}

/*
 * The last fill's record, held back by records: written now, or found gone?
 * Then the line is free again, and its status says what became of the fill
 * (the operator was told "not recorded yet").  Returns 1 while the record
 * is still held, with the cause of its last failed write in *cause and the
 * writes tried so far in *tries.
 */
static int
record_still_held(struct line *line, enum records_write *cause, unsigned *tries)
{
	char text[512];

	*cause = records_held(line->records, line->fill.uuid, tries);
	switch (*cause) {
	case RECORDS_WRITTEN:
		line->record_pending = 0;
		line->db_ok = 1;
		if (!isnan(line->fill.inflight_kg))
			learn_preact(line, line->fill.inflight_kg);
		log_info("line %d: fill %s %s: recorded now that the database can be written "
		         "again",
		    line->number, line->fill.uuid, line->fill.result);
		verdict_text(&line->verdict, text, sizeof(text));
		set_settled_outcome(line, line->fill.result, text, line->fill.net_kg);
		return 0;
	case RECORDS_GONE:
		/* An answer of the database: it works, but the row is not open
		 * any more (a commit that reported a failure and landed all the
		 * same, or a recovery).  Writing it again would duplicate it. */
		line->record_pending = 0;
		line->db_ok = 1;
		log_warnx("line %d: fill %s: its row was closed already; not written again",
		    line->number, line->fill.uuid);
		gone_text(text, sizeof(text));
		set_settled_outcome(line, "error", text, line->fill.net_kg);
		return 0;
	case RECORDS_NO_SPACE:
	case RECORDS_IO_ERROR:
	case RECORDS_DB_ERROR:
		break;
	}
	return 1;
}

/* Record the fill with everything known, in one transaction. */
static void
finish_fill(struct line *line, int64_t now)
{
	struct rules_postfill_facts pf;
	struct records_party party;
	char text[512], err[256], hold[128];
	enum records_write written;
	const char *result;
	double net;
	int lost = line->interrupted == RULES_LINK_LOST || line->interrupted == RULES_VALVE_SHUT ||
	           line->interrupted == RULES_UNIT_RESTARTED;

	memset(&pf, 0, sizeof(pf));
	net = line->checkweigh_n > 0 ? line->checkweigh_sum / line->checkweigh_n : net_of(line);
	pf.fill_kg = line->fill_cyl.fill_kg;
	pf.residue_kg = line->residue_kg;
	pf.net_kg = net;
	pf.fill_reading_net_kg = line->checkweigh_n > 0 ? line->settle_net : net;
	pf.checkweigh_stable = line->checkweigh_stable;
	pf.scale_capacity_kg = line->scale_capacity_kg;
	pf.fill_ms = (line->close_ms ? line->close_ms : now) - line->open_ms;
	pf.timed_out = line->timed_out;
	pf.emergency = line->emergency;
	pf.rise_kg = line->rise_kg;
	pf.interrupted = line->interrupted;
	pf.link_lost_ms = line->link_lost_ms;
	rules_postfill(line->rules, &pf, &line->verdict);
	result = rules_fill_result(&line->verdict, line->interrupted);

	line->fill.ended_ms = time_wall_ms();
	line->fill.net_kg = lost ? net_of(line) : net;
	line->fill.gross_kg = line->fill.net_kg + line->fill.tare_kg;
	if (lost && !line->last.scale_ok) {
		line->fill.net_kg = net_of(line); /* last reading we had */
		line->fill.gross_kg = NAN;
	}
	str_copy(line->fill.result, result, sizeof(line->fill.result));
	if (!isnan(line->fill.net_kg))
		curve_set_net(&line->curve, (int32_t)lround(line->fill.net_kg * 1000));
	line->fill.curve = NULL;
	line->fill.curve_len = 0;
	if (line->curve.count > 0 && curve_encode(&line->curve, line->curve_buf,
	                                 sizeof(line->curve_buf), &line->fill.curve_len) == 0)
		line->fill.curve = line->curve_buf;
	/* A clean fill teaches the pre-act what arrived after the close; the
	 * sample is stored with the record, so a restart keeps it. */
	line->fill.inflight_kg = NAN;
	if (!line->controller_mode && !line->timed_out &&
	    line->interrupted == RULES_NOT_INTERRUPTED && !line->emergency &&
	    line->checkweigh_stable && !isnan(line->close_net))
		line->fill.inflight_kg = fmin(fmax(net - line->close_net, 0), LINE_PREACT_MAX_KG);
	party_of_fill(line, &party);
	written = records_fill_finish(line->records, &line->fill, &line->verdict, &party, err,
	    sizeof(err));
	if (written == RECORDS_GONE) {
		/* Someone closed the row already: nothing to write, ever. */
		log_warnx("line %d: fill %s not recorded: %s", line->number, line->fill.uuid, err);
		gone_text(text, sizeof(text));
		set_outcome(line, "error", text, 0, net);
		clear_identity(line);
		return;
	}
	if (written != RECORDS_WRITTEN) {
		/* The valve is closed already.  records keeps the record and
		 * writes it again, off this thread, until the disk takes it (a
		 * restart meanwhile recovers the row as interrupted); the line
		 * takes no new fill until then. */
		line->db_ok = 0;
		if (records_hold(line->records, &line->fill, &line->verdict, &party, written, hold,
		        sizeof(hold)) == -1) {
			log_warnx("line %d: fill %s not recorded (%s), and it cannot be held back "
			          "(%s): the next start records it as interrupted",
			    line->number, line->fill.uuid, err, hold);
			snprintf(text, sizeof(text),
			    _("%s: the fill is not recorded; the valve is closed, and the next start "
			      "of gasgw records it as interrupted"),
			    disk_words(written));
		} else {
			line->record_pending = 1;
			log_warnx("line %d: fill %s not recorded, kept to write again: %s",
			    line->number, line->fill.uuid, err);
			snprintf(text, sizeof(text),
			    _("%s: the fill is not recorded yet; the valve is closed, and the "
			      "record is written as soon as the disk can take it"),
			    disk_words(written));
		}
		set_outcome(line, "error", text, 0, net);
		clear_identity(line);
		return;
	}
	line->db_ok = 1;
	if (!isnan(line->fill.inflight_kg))
		learn_preact(line, line->fill.inflight_kg);
	verdict_text(&line->verdict, text, sizeof(text));
	log_info("line %d: fill %s %s: net %.3f kg (target %.3f)%s%s", line->number,
	    line->fill.uuid, result, line->fill.net_kg, line->fill.target_kg,
	    line->verdict.count ? ": " : "",
	    line->verdict.count ? line->verdict.items[0].text : "");
	set_outcome(line, result, text, 0, line->fill.net_kg);
	clear_identity(line);
	/* Keep watching the full cylinder for R23 until it leaves the scale. */
	if (!line->emergency && line->last.scale_ok) {
		line->watch = 1;
		line->watch_base = line->last.gross_kg;
		line->watch_low_since = 0;
	}
}

static void
sample_curve(struct line *line, int64_t now)
{
	curve_add(&line->curve, (int32_t)(now - line->open_ms),
	    (int32_t)lround(net_of(line) * 1000));
}

static void
emergency_now(struct line *line, double rise, int64_t now)
{
	/* A start still waiting (for a stable weight, for a held record) ends
	 * here: an acknowledgement must not open the valve. */
	line->checking = 0;
	line->held_wait = 0;
	pthread_mutex_lock(&line->lock);
	line->start_requested = 0;
	pthread_mutex_unlock(&line->lock);
	line->emergency = 1;
	line->rise_kg = rise;
	/* the cylinder's weight now: watched from again at the acknowledgement */
	line->watch_base = line->last.gross_kg;
	line->watch_low_since = 0;
	line_close_valve(line);
	line->last_close_ms = now;
	log_warnx("line %d: R23 emergency: weight rose %.3f kg with the valve closed", line->number,
	    rise);
	if (line->io.close_bus != NULL)
		line->io.close_bus(line->io.ctx);
	enter(line, LINE_EMERGENCY, now);
}

/* R23 outside a fill: an incident of its own. */
static void
idle_emergency(struct line *line, double rise, int64_t now)
{
	struct rules_verdict v;
	struct records_party party;
	char err[256], text[512];

	rules_after_fill_rise(rise, &v);
	memset(&party, 0, sizeof(party));
	party.line = line->number;
	if (records_incident(line->records, "event", &v, &party, NULL, err, sizeof(err)) == -1)
		log_warnx("line %d: R23 incident not recorded: %s", line->number, err);
	line->watch = 0;
	emergency_now(line, rise, now);
	verdict_text(&v, text, sizeof(text));
	set_outcome(line, "emergency", text, 0, NAN);
}

static int
link_lost(struct line *line, int64_t now)
{
	int64_t worst = 0;

	if (line->scale_fail_since && now - line->scale_fail_since > worst)
		worst = now - line->scale_fail_since;
	if (line->valve_fail_since && now - line->valve_fail_since > worst)
		worst = now - line->valve_fail_since;
	if (rules_link_lost(line->rules, worst)) {
		line->link_lost_ms = (int)worst;
		return 1;
	}
	return 0;
}

/*
 * What may still arrive after a close: the learnt pre-act, but at least what
 * the flow seen at the close brings in half a second (a valve that takes
 * longer than that to shut is not a healthy valve).  Without the second
 * term a first fill at a high flow, before any learning, would look like a
 * stuck valve.
 */
static double
inflight_allowance(const struct line *line)
{
	return fmax(line->fill.preact_kg, line->close_rate_kg_s * 0.5);
}

/*
 * The valve unit still reports open well after the close and the weight is
 * still rising: a stuck valve.  Said at once, rather than waiting for the
 * full R23 allowance to flow into the cylinder.
 */
static int
stuck_open(const struct line *line, int64_t now, double net)
{
	if (!line->last.valve_ok || !line->last.valve_open || line->controller_mode)
		return 0;
	if (now - line->close_ms < LINE_VALVE_CLOSE_MS)
		return 0;
	return net - line->close_net > line->fill.preact_kg + 0.05;
}

/*
 * Filling, and the valve unit reports its valve closed: its watchdog shut it
 * (the heartbeat did not get through for watchdog_ms, which a burst of
 * corrupted frames shorter than R24's link_loss_ms can do) or it was shut at
 * the line.  No gas flows any more: the fill is lost as with a lost link,
 * rather than left waiting for R22 with the valve shut.  Only for a unit
 * that reports its position, and after the valve has had time to open.
 */
static int
valve_closed_itself(struct line *line, int64_t now)
{
	if (line->controller_mode || !line->valve_commanded_open || !line->last.valve_ok ||
	    !line->last.valve_fb || line->last.valve_open) {
		line->valve_shut_since = 0;
		return 0;
	}
	if (!line->valve_shut_since)
		line->valve_shut_since = now;
	return now - line->open_ms >= LINE_VALVE_CLOSE_MS &&
	       now - line->valve_shut_since >= LINE_VALVE_CLOSE_MS;
}

/*
 * Why the valve closed by itself: the valve unit stopped answering during
 * the fill and came back with it closed, while the gateway fed its
 * heartbeat on time (no gap of the gateway's own, as a frozen gasgw makes),
 * and the silence was too short for the watchdog to have shut it (the unit
 * had a heartbeat less than watchdog_ms before it answered again): it
 * restarted, a power blip at the unit, and came back with its power-on
 * state (the bus reads its watchdog timeout back and writes it again).
 * Otherwise its watchdog (or someone at the line) shut it.
 */
static int
unit_restarted(const struct line *line)
{
	int wd = line->config->watchdog_ms;

	return line->valve_silent_ms > 0 && wd > 0 &&
	       line->valve_silent_ms + line->heartbeat_ms < wd &&
	       line->feed_gap_ms + line->heartbeat_ms < wd;
}

static void
step_fill_states(struct line *line, int64_t now, int stop)
{
	const struct gw_rules *r = line->rules;
	double net = net_of(line), rise;

	if (line->state == LINE_FILLING || line->state == LINE_CUTOFF ||
	    line->state == LINE_SETTLING || line->state == LINE_CHECKWEIGHED) {
		if (link_lost(line, now)) {
			line->interrupted = RULES_LINK_LOST;
			if (line->state == LINE_FILLING)
				begin_close(line, now);
			line_close_valve(line);
			log_warnx("line %d: R24 link lost for %d ms during the fill", line->number,
			    line->link_lost_ms);
			finish_fill(line, now);
			enter(line, LINE_INTERRUPTED, now);
			return;
		}
	}
	if (line->state == LINE_FILLING && valve_closed_itself(line, now)) {
		line->interrupted = unit_restarted(line) ? RULES_UNIT_RESTARTED : RULES_VALVE_SHUT;
		line->link_lost_ms = line->valve_silent_ms;
		begin_close(line, now);
		log_warnx("line %d: R24 the valve closed by itself during the fill%s", line->number,
		    line->interrupted == RULES_UNIT_RESTARTED ? ": the valve unit restarted" : "");
		finish_fill(line, now);
		enter(line, LINE_INTERRUPTED, now);
		return;
	}
	switch (line->state) {
	case LINE_FILLING:
		if (line->last.scale_ok) {
			sample_curve(line, now);
			pthread_mutex_lock(&line->lock);
			line->status.net_kg = net;
			pthread_mutex_unlock(&line->lock);
		}
		/* A stop is taken out of the mailbox at this step (line_step):
		 * it closes now, whether the scale answered this time or not,
		 * or it would be lost and the fill run on to its target. */
		if (stop || line->force_close) {
			line->interrupted = RULES_STOPPED;
			line->force_close = 0;
			begin_close(line, now);
			enter(line, LINE_CUTOFF, now);
			return;
		}
		if (!line->last.scale_ok) {
			/* Flying blind: if the flow seen so far could reach the
			 * cut-off point before the next reading, close now; R24
			 * above decides whether the fill is lost. */
			double blind_s = (double)(now - line->last_scale_ms) / 1000.0;

			if (line->rate_kg_s > 0 && net + line->rate_kg_s * (blind_s + 0.1) >=
			                               line->fill.target_kg - line->preact_kg) {
				begin_close(line, now);
				enter(line, LINE_CUTOFF, now);
			}
			return;
		}
		if (rules_fill_too_long(r, now - line->open_ms)) {
			line->timed_out = 1;
			begin_close(line, now);
			enter(line, LINE_CUTOFF, now);
		} else if (line->controller_mode) {
			/* The controller cuts off; the gateway stops it anyway if it
			 * goes past the allowance (a controller fault). */
			/* fill_done stays raised from the last fill until the
			 * controller takes the start: only a done that follows a
			 * reading of it clear is this fill's */
			if (!line->last.ctl_done)
				line->ctl_running = 1;
			if (line->last.ctl_done && line->ctl_running) {
				begin_close(line, now);
				enter(line, LINE_CUTOFF, now);
			} else if (rules_overfill(r, line->fill.target_kg, net)) {
				begin_close(line, now);
				enter(line, LINE_CUTOFF, now);
			}
		} else if (net >= line->fill.target_kg - cut_preact(line, now)) {
			if (line->inflight_n == 0 && line->valve_close_ms > 0)
				log_info(
				    "line %d: first fill: pre-act %.3f kg predicted from the flow "
				    "%.3f kg/s and the valve's %d ms",
				    line->number, cut_preact(line, now), line->rate_kg_s,
				    line->valve_close_ms);
			begin_close(line, now);
			enter(line, LINE_CUTOFF, now);
		}
		return;
	case LINE_CUTOFF:
	case LINE_SETTLING:
	case LINE_CHECKWEIGHED:
		if (!line->last.scale_ok)
			return;
		sample_curve(line, now);
		pthread_mutex_lock(&line->lock);
		line->status.net_kg = net;
		pthread_mutex_unlock(&line->lock);
		/* R23: more than the expected in-flight mass plus the allowance
		 * arrived after the close.  A controller decides its own cut-off,
		 * so there the reference is the target. */
		rise = line->controller_mode ? net - fmax(line->close_net, line->fill.target_kg)
		                             : net - line->close_net - inflight_allowance(line);
		if (rules_leak(r, rise) || stuck_open(line, now, net)) {
			/* reported: everything that came after the close command */
			emergency_now(line, net - line->close_net, now);
			finish_fill(line, now);
			return;
		}
		if (line->state == LINE_CUTOFF) {
			enter(line, LINE_SETTLING, now);
			return;
		}
		if (line->state == LINE_SETTLING) {
			if (line->last.stable && now - line->close_ms >= 300) {
				line->settle_net = net;
				enter(line, LINE_CHECKWEIGHED, now);
			} else if (now - line->close_ms >= LINE_SETTLE_MAX_MS) {
				line->checkweigh_stable = 0;
				line->settle_net = net;
				line->checkweigh_sum = net;
				line->checkweigh_n = 1;
				finish_fill(line, now);
				enter(line, LINE_RECORDED, now);
			}
			return;
		}
		/* check-weigh window */
		if (!line->last.stable)
			line->checkweigh_stable = 0;
		line->checkweigh_sum += net;
		line->checkweigh_n++;
		if (now - line->state_ms >= LINE_CHECKWEIGH_MS) {
			finish_fill(line, now);
			enter(line, LINE_RECORDED, now);
		}
		return;
	default:
		return;
	}
}

/*
 * The watched cylinder has left the scale: the reading is over 1 kg below
 * the watched weight and every reading since the first such one has been
 * (for LINE_WATCH_LEFT_MS or more).  Not at one reading: one glitch of the
 * scale ended the watch for good, and a leak after it went unseen (review
 * rev99).  The scale's stable flag is no proof either: a reading that
 * jumps once may carry the flag of the ones around it.  A scale silent
 * meanwhile starts the count again (line->watch_low_since = 0).
 */
static int
watch_left(struct line *line, int64_t now)
{
	if (line->watch_low_since == 0) {
		line->watch_low_since = now;
		return 0;
	}
	return now - line->watch_low_since >= LINE_WATCH_LEFT_MS;
}

/* The watch of an emergency open at start-up, from its first reading: the
 * cylinder may have left while gasgw was down, and an empty scale is no
 * base (the next cylinder put down would be a leak). */
static void
watch_arm_first(struct line *line)
{
	line->watch_base = line->last.gross_kg;
	line->watch_low_since = 0;
	if (line->watch_base < LINE_WATCH_EMPTY_KG)
		line->watch = 0;
}

static void
step_idle(struct line *line, int64_t now, int start, int stop)
{
	enum records_write cause;
	unsigned tries;
	char why[512];
	/* a stop, or another line's emergency (force_close), cancels a start
	 * not yet acted on */
	int have_any, cancel = stop || line->force_close;

	if (cancel) {
		if (stop)
			clear_identity(line);
		line->force_close = 0;
		if (line->checking || line->held_wait || start) {
			line->checking = 0;
			line->held_wait = 0;
			pthread_mutex_lock(&line->lock);
			line->start_requested = 0;
			pthread_mutex_unlock(&line->lock);
			set_outcome(line, "cancelled",
			    stop ? "stopped before the valve opened"
			         : "another line of the bus is in emergency: cancelled before the "
			           "valve opened",
			    0, NAN);
		}
	}
	/* R23 with the valve closed and a cylinder on the scale. */
	if (line->watch && !line->last.scale_ok)
		line->watch_low_since = 0;
	if (line->watch && line->last.scale_ok && isnan(line->watch_base))
		watch_arm_first(line); /* armed at start-up */
	if (line->watch && line->last.scale_ok) {
		if (line->last.gross_kg < line->watch_base - 1.0) {
			if (watch_left(line, now))
				line->watch = 0; /* the cylinder left the scale */
		} else {
			line->watch_low_since = 0;
			if (line->last.stable && line->last.gross_kg < line->watch_base) {
				line->watch_base = line->last.gross_kg;
			} else if (rules_leak(line->rules,
			               line->last.gross_kg - line->watch_base)) {
				idle_emergency(line, line->last.gross_kg - line->watch_base, now);
				return;
			}
		}
	}
	/* A fill record held back by the disk goes first: records writes it
	 * again once a second, off this thread.  A new fill must wait for it:
	 * the start asks for a try at once and waits (a few steps, never in
	 * this thread's time) for its outcome.  line->fill and line->verdict
	 * keep the held fill until then: no new fill can start. */
	if (line->record_pending && record_still_held(line, &cause, &tries)) {
		if (!start || cancel)
			return;
		/* records' writer runs on the monotonic clock, whatever clock
		 * steps the line */
		if (!line->held_wait) {
			line->held_wait = 1;
			line->held_wait_tries = tries;
			line->held_wait_until = time_mono_ms() + LINE_HELD_WAIT_MS;
			records_held_retry(line->records);
			return;
		}
		if (tries == line->held_wait_tries && time_mono_ms() < line->held_wait_until)
			return;
		line->held_wait = 0;
		snprintf(why, sizeof(why),
		    _("%s: the last fill on this line is not recorded yet, so no new fill starts"),
		    disk_words(cause));
		pthread_mutex_lock(&line->lock);
		line->start_requested = 0;
		pthread_mutex_unlock(&line->lock);
		fail_attempt(line, why, now);
		return;
	}
	line->held_wait = 0;
	if (line->checking) {
		/* Wait for a stable empty weight (R09) read since the start, then
		 * check and arm. */
		int fresh = line->last.at_ms == 0 || line->last.at_ms >= line->check_from;
		/* and for the valve unit's answer about its watchdog, asked
		 * at the start: never waited for in this thread, which also
		 * cuts off the other lines of the bus */
		int wd_wait = line->io.watchdog_ready != NULL &&
		              line->io.watchdog_ready(line->io.ctx) == LINE_WD_WAIT;

		if ((line->last.scale_ok && line->last.stable && fresh && !wd_wait) ||
		    now >= line->check_deadline) {
			line->checking = 0;
			line->watch = 0;
			check_and_arm(line, now);
			/* busy (start_requested) until the state it led to is
			 * published: no start or identity is taken meanwhile */
			pthread_mutex_lock(&line->lock);
			line->start_requested = 0;
			line->status.state = line->state;
			pthread_mutex_unlock(&line->lock);
		}
		return;
	}
	pthread_mutex_lock(&line->lock);
	have_any = line->have_cylinder || line->have_buyer;
	if (start && !cancel) {
		line->fill_cyl = line->cylinder;
		line->fill_buyer = line->buyer;
		if (!line->have_cylinder)
			memset(&line->fill_cyl, 0, sizeof(line->fill_cyl));
		if (!line->have_buyer)
			memset(&line->fill_buyer, 0, sizeof(line->fill_buyer));
		str_copy(line->fill_operator, line->operator_cert, sizeof(line->fill_operator));
	}
	pthread_mutex_unlock(&line->lock);
	if (start && !cancel) {
		line->checking = 1;
		line->check_from = now;
		line->check_deadline = now + LINE_EMPTY_WAIT_MS;
		if (line->io.watchdog_ask != NULL)
			line->io.watchdog_ask(line->io.ctx);
		rules_verdict_init(&line->verdict);
		enter(line, LINE_IDENTIFIED, now);
		return;
	}
	enter(line, have_any ? LINE_IDENTIFIED : LINE_IDLE, now);
}

/* How often a closed valve's close is sent again: every heartbeat period
 * while unacknowledged (at most every CLOSE_REASSERT_MS). */
static int64_t
reassert_ms(const struct line *line)
{
	return line->valve_close_pending && line->heartbeat_ms < CLOSE_REASSERT_MS
	           ? line->heartbeat_ms
	           : CLOSE_REASSERT_MS;
}

int64_t
line_idle_due(const struct line *line)
{
	int64_t due = line->last_heartbeat_ms + line->heartbeat_ms;

	if (!line->valve_commanded_open && line->last_close_ms + reassert_ms(line) < due)
		due = line->last_close_ms + reassert_ms(line);
	return due;
}

void
line_step(struct line *line, int64_t now)
{
	struct line_reading r;
	int start, stop;

	memset(&r, 0, sizeof(r));
	if (line->io.read(line->io.ctx, &r) == -1) {
		r.scale_ok = 0;
		r.valve_ok = 0;
	}
	if (r.scale_ok) {
		int64_t at = r.at_ms > 0 ? r.at_ms : now;

		/* Flow estimate for blind moments (EWMA over a few readings),
		 * from new readings only, each at the time it was read: a line is
		 * also stepped by a timer that sees the last reading again, and
		 * timing the next one from that step made 50 ms of flow look
		 * like one millisecond's (25 kg/s and more), so one missed
		 * reading cut the fill off at a third of its target. */
		if (at > line->last_scale_ms) {
			if (line->last_scale_ms) {
				double rate = (r.gross_kg - line->last.gross_kg) * 1000.0 /
				              (double)(at - line->last_scale_ms);

				line->rate_kg_s += (rate - line->rate_kg_s) * 0.2;
			}
			line->last_scale_ms = at;
		}
		line->last = r;
		line->scale_fail_since = 0;
	} else {
		line->last.scale_ok = 0;
		if (!line->scale_fail_since)
			line->scale_fail_since = now;
		/* The valve unit is read on its own: its feedback is fresh
		 * whether the scale answered or not. */
		line->last.valve_ok = r.valve_ok;
		line->last.valve_fb = r.valve_fb;
		line->last.valve_open = r.valve_open;
	}
	/* what tells a valve unit's restart from its watchdog (unit_restarted) */
	if (line->state == LINE_FILLING && line->valve_commanded_open) {
		/* only the silence the unit came back from with its valve
		 * closed: one it came back from open (a lost read) is forgotten,
		 * or a shut much later would be taken for a restart */
		if (r.valve_ok && r.valve_open)
			line->valve_silent_ms = 0;
		else if (r.valve_ok && line->valve_fail_since)
			line->valve_silent_ms = (int)(now - line->valve_fail_since);
		if (line->last_heartbeat_ms && now - line->last_heartbeat_ms > line->feed_gap_ms)
			line->feed_gap_ms = now - line->last_heartbeat_ms;
	}
	if (r.valve_ok)
		line->valve_fail_since = 0;
	else if (!line->valve_fail_since)
		line->valve_fail_since = now;

	/* start_requested stays set in the mailbox until the checks ran, so
	 * that busy_locked() refuses new identity meanwhile. */
	pthread_mutex_lock(&line->lock);
	start = line->start_requested;
	stop = line->stop_requested;
	line->stop_requested = 0;
	if (line->rules_pending && !line->checking &&
	    (line->state == LINE_IDLE || line->state == LINE_IDENTIFIED ||
	        line->state == LINE_EMERGENCY)) {
		line->rules_own = line->pending_rules;
		line->rules = &line->rules_own;
		line->rules_pending = 0;
		log_info("line %d: new rule thresholds in force", line->number);
	}
	pthread_mutex_unlock(&line->lock);

	switch (line->state) {
	case LINE_IDLE:
	case LINE_IDENTIFIED:
	case LINE_REFUSED:
	case LINE_RECORDED:
	case LINE_INTERRUPTED:
		if (line->state != LINE_IDLE && line->state != LINE_IDENTIFIED)
			enter(line, LINE_IDLE, now);
		step_idle(line, now, start, stop);
		break;
	case LINE_EMERGENCY:
		/* Has the cylinder left the scale since the emergency?  Counted
		 * as after a fill (watch_left), for the acknowledgement. */
		if (!line->last.scale_ok || isnan(line->watch_base))
			line->watch_low_since = 0;
		else if (line->last.gross_kg >= line->watch_base - 1.0)
			line->watch_low_since = 0;
		else if (line->watch_low_since == 0)
			line->watch_low_since = now;
		if (isnan(line->watch_base) && line->last.scale_ok)
			watch_arm_first(line); /* open at start-up */
		if (stop) {
			char err[256];

			log_info("line %d: emergency acknowledged", line->number);
			/* durably: a restart after it does not lock the line again */
			if (line->records != NULL && line->records->db != NULL &&
			    records_emergency_ack(line->records, line->number, err, sizeof(err)) ==
			        -1)
				log_warnx("line %d: the acknowledgement is not recorded (%s): a "
				          "restart finds the emergency open",
				    line->number, err);
			line->emergency = 0;
			/* a start taken in the step that raised R23 (status said
			 * idle still) is no start after the acknowledgement */
			line->checking = 0;
			line->held_wait = 0;
			pthread_mutex_lock(&line->lock);
			line->start_requested = 0;
			pthread_mutex_unlock(&line->lock);
			/* An acknowledgement says someone looked, not that the gas
			 * stopped: a cylinder still on the scale is watched as after
			 * a fill, from its weight now (from the emergency's if the
			 * scale is silent), so that gas still flowing raises R23
			 * again.  One taken off (readings 1 kg lighter for
			 * LINE_WATCH_LEFT_MS, not one low reading) is not; one
			 * lighter for less is watched from the emergency's weight
			 * until that is seen. */
			line->watch = 1;
			if (line->last.scale_ok && !isnan(line->watch_base) &&
			    line->last.gross_kg >= line->watch_base - 1.0)
				line->watch_base = line->last.gross_kg;
			else if (line->watch_low_since != 0 &&
			         now - line->watch_low_since >= LINE_WATCH_LEFT_MS)
				line->watch = 0;
			if (!isnan(line->watch_base) && line->watch_base < LINE_WATCH_EMPTY_KG)
				line->watch = 0; /* nothing on the scale to watch */
			enter(line, LINE_IDLE, now);
		}
		break;
	default:
		step_fill_states(line, now, stop);
		break;
	}

	/* Keep the valve closed whenever it is not meant to be open: repeat an
	 * unacknowledged close every heartbeat period (at most every
	 * CLOSE_REASSERT_MS, whatever the heartbeat), and re-assert it every
	 * CLOSE_REASSERT_MS anyway.  Not at every step: each try of a unit
	 * that answers but wrongly (CRC errors) is a bus exchange the other
	 * lines wait for, 20 or more a second otherwise. */
	if (!line->valve_commanded_open && now - line->last_close_ms >= reassert_ms(line)) {
		line->last_close_ms = now;
		line->valve_close_pending = line->io.valve(line->io.ctx, 0) == -1;
		if (line->valve_close_pending && !line->valve_fail_since)
			line->valve_fail_since = now;
	}
	/* Feed the watchdog only while healthy. */
	if (line->state != LINE_EMERGENCY && line->db_ok &&
	    now - line->last_heartbeat_ms >= line->heartbeat_ms) {
		line->last_heartbeat_ms = now;
		if (line->io.heartbeat(line->io.ctx) == -1 && !line->valve_fail_since)
			line->valve_fail_since = now;
	}

	pthread_mutex_lock(&line->lock);
	line->status.state = line->state;
	line->status.link_ok = !line->scale_fail_since && !line->valve_fail_since;
	line->status.gross_kg = line->last.gross_kg;
	line->status.preact_kg = line->preact_kg;
	str_copy(line->status.operator_cert, line->operator_cert,
	    sizeof(line->status.operator_cert));
	str_copy(line->status.cylinder,
	    line->have_cylinder ? line->cylinder.serial
	                        : (line->state != LINE_IDLE && line->state != LINE_IDENTIFIED
	                                  ? line->fill_cyl.serial
	                                  : ""),
	    sizeof(line->status.cylinder));
	str_copy(line->status.buyer_masked,
	    line->have_buyer ? line->buyer.masked
	                     : (line->state != LINE_IDLE && line->state != LINE_IDENTIFIED
	                               ? line->fill_buyer.masked
	                               : ""),
	    sizeof(line->status.buyer_masked));
	pthread_mutex_unlock(&line->lock);
}

void
line_shutdown(struct line *line, int64_t now)
{
	enum records_write written;
	char err[256];

	switch (line->state) {
	case LINE_FILLING:
		begin_close(line, now);
		/* FALLTHROUGH */
	case LINE_CUTOFF:
	case LINE_SETTLING:
	case LINE_CHECKWEIGHED:
		line_close_valve(line);
		if (line->interrupted == RULES_NOT_INTERRUPTED)
			line->interrupted = RULES_STOPPED;
		log_warnx("line %d: shutdown during the fill: recorded as interrupted",
		    line->number);
		finish_fill(line, now);
		enter(line, LINE_INTERRUPTED, now);
		break;
	default:
		/* The interlock thread is gone: one more try, here. */
		if (!line->record_pending)
			break;
		written = records_held_write_now(line->records, line->fill.uuid, err, sizeof(err));
		if (written == RECORDS_WRITTEN)
			log_info("line %d: fill %s %s: recorded at shutdown", line->number,
			    line->fill.uuid, line->fill.result);
		else if (written != RECORDS_GONE)
			log_warnx("line %d: fill %s still not recorded at shutdown (%s); the next "
			          "start records it as interrupted",
			    line->number, line->fill.uuid, err);
		line->record_pending = 0;
		break;
	}
}
