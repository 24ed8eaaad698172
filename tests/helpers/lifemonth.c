/*
 * lifemonth: a county living through a simulated month of cylinders' lives
 * (tests/integration/t_life_month.sh), fed through the county's own ingest:
 * every station's fills as batches that go through the wire encoder and
 * decoder into county_ingest, every life event through life_store, the
 * sweep through life_sweep and the alerts into cases through
 * cases_from_alerts, on a real SQLite file with gascounty's defaults.
 *
 *   lifemonth -d DB [-n CYLINDERS] [-b BLACK] [-g SEED]
 *
 * Eight stations in four townships; 70 % of the cylinders in households
 * (one each), 2 % in restaurants (three each, kind business), the rest in
 * the stations' stock; each station's delivery company buys its fills at
 * the counter (buyer kind delivery) and its worker swaps cylinders at the
 * door (dispatched, handed over, returned, received back), a household
 * every 12 to 20 days, a restaurant every 4 to 6; one stock cylinder in 25
 * goes to inspection on the first day (one in ten of those fails and is
 * scrapped) just before its registry inspection date.  BLACK cylinders
 * (household returns from day 5 on, one in fifty until there are enough)
 * are taken by the worker to a black point instead of the station, and
 * handed over again the next day without a licensed fill.
 *
 * Prints "black SERIAL" for each of them and "events N", "fills N" at the
 * end; the test reads the cases from the database itself.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "db.h"
#include "life.h"
#include "store.h"
#include "timetext.h"
#include "util.h"
#include "wire.h"

#define STATIONS 8
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define MIN_MS 60000LL
#define BATCH_MAX 1000 /* fills in one batch at most */

enum where { AT_BUYER, STOCK_EMPTY, STOCK_FULL, WITH_WORKER, AT_INSPECTION, GONE };

struct cyl {
	enum where where;
	int station; /* its station's stock, or its holder's station */
	int black;   /* 1: goes to a black point once; 2: has been */
	int inspect; /* goes to inspection on day 0 */
	int day;     /* the day the worker took it to the black point */
};

struct buyer {
	int station, business;
	int64_t next_day;
	int *held; /* the cylinders it holds */
	int nheld;
};

/* One thing that happened, in the order the county gets it. */
struct ev {
	int64_t at;
	int kind; /* 0 fill, 1 life */
	int station;
	int cyl;
	char event[WIRE_WORD];
	int buyer; /* -1 none */
	char result[WIRE_WORD], next_due[WIRE_DATE];
};

static struct ev *evs;
static size_t nev, cap;
static struct cyl *cyls;
static struct buyer *buyers;
static int ncyl, nbuyer;
static unsigned long rng = 12345;
static int black_left; /* black points still to happen */

static unsigned
rnd(unsigned n)
{
	rng = rng * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)((rng >> 33) % n);
}

static struct ev *
add(int64_t at, int kind, int station, int cyl, const char *event, int buyer)
{
	struct ev *e;

	if (nev == cap) {
		cap = cap ? cap * 2 : 4096;
		if ((evs = realloc(evs, cap * sizeof(*evs))) == NULL) {
			perror("lifemonth");
			exit(2);
		}
	}
	e = &evs[nev++];
	memset(e, 0, sizeof(*e));
	e->at = at;
	e->kind = kind;
	e->station = station;
	e->cyl = cyl;
	e->buyer = buyer;
	str_copy(e->event, event, sizeof(e->event));
	return e;
}

static int
by_time(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x < y ? -1 : 1; /* stable: the order they were made */
}

static void
serial_of(int cyl, char *out, size_t size)
{
	snprintf(out, size, "ZJM-%06d", cyl);
}

static void
buyer_id(int b, char *out)
{
	unsigned char raw[32];

	memset(raw, 0, sizeof(raw));
	raw[0] = (unsigned char)(b >> 16);
	raw[1] = (unsigned char)(b >> 8);
	raw[2] = (unsigned char)b;
	raw[31] = 0x5a;
	hex_encode(raw, 32, out);
}

static const char *
town_of(int station)
{
	static const char *const towns[] = { "T1", "T2", "T3", "T4" };

	return towns[station % 4];
}

static void
worker_of(int station, char *out, size_t size)
{
	snprintf(out, size, "delivery:W%02d@%s", station + 1, town_of(station));
}

/* A full cylinder from the station's stock for a buyer (-1: none left). */
static int
take_full(int station)
{
	int i, start = (int)rnd((unsigned)ncyl);

	for (i = 0; i < ncyl; i++) {
		int c = (start + i) % ncyl;

		if (cyls[c].where == STOCK_FULL && cyls[c].station == station)
			return c;
	}
	return -1;
}

/* The worker's black-point cylinder of this station, if one came back
 * filled (a day after it was collected). */
static int
take_black(int station, int day)
{
	int c;

	for (c = 0; c < ncyl; c++)
		if (cyls[c].where == WITH_WORKER && cyls[c].station == station && cyls[c].day < day)
			return c;
	return -1;
}

/* One swap at the door at t: a full one in, an empty one out. */
static void
swap(int b, int64_t t, int day, int slot)
{
	struct buyer *by = &buyers[b];
	int s = by->station, full, empty = by->held[slot];

	full = take_black(s, day);
	if (full < 0) {
		if ((full = take_full(s)) < 0)
			return; /* nothing in stock: tomorrow */
		add(t - 30 * MIN_MS, 1, s, full, "dispatched", -1);
	} else {
		cyls[full].black = 2;
	}
	add(t, 1, s, full, "handed_over", b);
	cyls[full].where = AT_BUYER;
	cyls[full].station = s;
	by->held[slot] = full;
	add(t + MIN_MS, 1, s, empty, "returned", b);
	if (black_left > 0 && day >= 5 && !by->business && cyls[empty].black == 0 && rnd(50) == 0) {
		black_left--;
		cyls[empty].black = 1;
		cyls[empty].where = WITH_WORKER; /* to the black point, not the station */
		cyls[empty].station = s;
		cyls[empty].day = day;
		return;
	}
	add(t + 2 * MIN_MS, 1, s, empty, "received", -1);
	cyls[empty].where = STOCK_EMPTY;
	cyls[empty].station = s;
}

static void
simulate(int64_t start, int days, int black)
{
	int d, c, b, k, nhouse = ncyl * 70 / 100, nbusiness = ncyl * 2 / 100;
	char due[WIRE_DATE];

	nbuyer = nhouse + nbusiness;
	buyers = calloc((size_t)nbuyer, sizeof(*buyers));
	cyls = calloc((size_t)ncyl, sizeof(*cyls));
	c = 0;
	for (b = 0; b < nbuyer; b++) {
		struct buyer *by = &buyers[b];

		by->station = b % STATIONS;
		by->business = b >= nhouse;
		by->nheld = by->business ? 3 : 1;
		by->held = calloc((size_t)by->nheld, sizeof(int));
		by->next_day = by->business ? rnd(5) : rnd(20);
		for (k = 0; k < by->nheld; k++, c++) {
			cyls[c].where = AT_BUYER;
			cyls[c].station = by->station;
			by->held[k] = c;
		}
	}
	for (; c < ncyl; c++) {
		cyls[c].where = STOCK_EMPTY;
		cyls[c].station = c % STATIONS;
	}
	/* black points: household returns from day 5 on, one in fifty, until
	 * there have been enough */
	black_left = black;
	/* inspection on day 0 for one stock cylinder in 25; one in ten fails */
	date_format(timetext_day_number(start) + 4 * 365 + 1, due);
	for (c = nhouse + nbusiness * 3, k = 0; c < ncyl; c++) {
		struct ev *e;

		if (c % 25 != 0)
			continue;
		cyls[c].inspect = 1;
		add(start + 7 * HOUR_MS, 1, cyls[c].station, c, "inspection_out", -1);
		e = add(start + DAY_MS + 7 * HOUR_MS, 1, cyls[c].station, c, "inspection_back", -1);
		if (k++ % 10 == 9) {
			str_copy(e->result, "fail", sizeof(e->result));
			add(start + DAY_MS + 8 * HOUR_MS, 1, cyls[c].station, c, "scrapped", -1);
			cyls[c].where = GONE;
		} else {
			str_copy(e->result, "pass", sizeof(e->result));
			str_copy(e->next_due, due, sizeof(e->next_due));
			cyls[c].where = AT_INSPECTION; /* back in stock on day 2 */
		}
	}
	for (d = 0; d < days; d++) {
		int64_t day = start + d * DAY_MS;
		int n[STATIONS] = { 0 };

		for (c = 0; c < ncyl; c++) {
			if (cyls[c].where == AT_INSPECTION && d >= 2)
				cyls[c].where = STOCK_EMPTY;
			if (cyls[c].where != STOCK_EMPTY)
				continue;
			/* the morning's fills, twenty seconds apart on each station */
			add(day + 6 * HOUR_MS + n[cyls[c].station]++ * 20000, 0, cyls[c].station, c,
			    "fill", -1);
			cyls[c].where = STOCK_FULL;
		}
		for (b = 0; b < nbuyer; b++) {
			struct buyer *by = &buyers[b];
			int64_t t = day + 9 * HOUR_MS + rnd(8 * 60) * MIN_MS;

			if (by->next_day != d)
				continue;
			for (k = 0; k < by->nheld; k++)
				swap(b, t + k * 5 * MIN_MS, d, k);
			by->next_day = d + (by->business ? 4 + rnd(3) : 12 + rnd(9));
		}
	}
}

static void
fill_record(struct wire_record *r, const struct ev *e, int64_t seq)
{
	struct wire_fill *f = &r->fill;
	char id[WIRE_BUYER];

	memset(r, 0, sizeof(*r));
	r->seq = seq;
	store_uuid(r->uuid);
	str_copy(r->kind, "fill", sizeof(r->kind));
	r->created_ms = e->at + 90000;
	r->has_fill = 1;
	f->line = 1;
	serial_of(e->cyl, f->cylinder, sizeof(f->cylinder));
	/* the township's delivery company, the counter buyer for its villages
	 * at both of the township's stations */
	buyer_id(1000000 + e->station % 4, id);
	str_copy(f->buyer, id, sizeof(f->buyer));
	snprintf(f->buyer_masked, sizeof(f->buyer_masked), "913***********%04d", e->station);
	str_copy(f->buyer_township, town_of(e->station), sizeof(f->buyer_township));
	str_copy(f->buyer_kind, "delivery", sizeof(f->buyer_kind));
	str_copy(f->operator_cert, "OP-1", sizeof(f->operator_cert));
	f->started_ms = e->at;
	f->ended_ms = e->at + 80000;
	f->tare_kg = 15.5;
	f->target_kg = 14.5;
	f->gross_kg = 30.0;
	f->net_kg = 14.5;
	str_copy(f->result, "ok", sizeof(f->result));
}

static void
life_record(struct wire_record *r, const struct ev *e, int64_t seq)
{
	struct wire_life *l = &r->life;
	char worker[WIRE_ID];

	memset(r, 0, sizeof(*r));
	r->seq = seq;
	store_uuid(r->uuid);
	str_copy(r->kind, "life", sizeof(r->kind));
	r->created_ms = e->at;
	r->has_life = 1;
	str_copy(l->event, e->event, sizeof(l->event));
	serial_of(e->cyl, l->serial, sizeof(l->serial));
	worker_of(e->station, worker, sizeof(worker));
	/* as each source sends it: a door step by the worker's own device, a
	 * station's by its operator (the county refuses a station's step done
	 * "by" a delivery identity, life.h life_source_check) */
	if (strcmp(e->event, "handed_over") == 0 || strcmp(e->event, "returned") == 0)
		str_copy(l->actor, worker, sizeof(l->actor));
	else
		snprintf(l->actor, sizeof(l->actor), "OP-%02d", e->station + 1);
	if (strcmp(e->event, "dispatched") == 0 || strcmp(e->event, "received") == 0 ||
	    e->buyer >= 0)
		str_copy(l->worker, worker, sizeof(l->worker));
	if (e->buyer >= 0) {
		buyer_id(e->buyer, l->buyer);
		snprintf(l->buyer_masked, sizeof(l->buyer_masked), "330***********%04d",
		    e->buyer % 10000);
		str_copy(l->buyer_township, town_of(buyers[e->buyer].station),
		    sizeof(l->buyer_township));
		str_copy(l->buyer_kind, buyers[e->buyer].business ? "business" : "household",
		    sizeof(l->buyer_kind));
		snprintf(l->village, sizeof(l->village), "V%d", e->buyer % 40);
	}
	str_copy(l->result, e->result, sizeof(l->result));
	str_copy(l->next_due, e->next_due, sizeof(l->next_due));
	if (strcmp(e->event, "scrapped") == 0)
		str_copy(l->reason, "failed its inspection", sizeof(l->reason));
	l->at_ms = e->at;
}

/* The fills of one station, through the wire and into county_ingest. */
static int
send_fills(struct county_db *c, int s, struct wire_record *recs, size_t n)
{
	char station[16], err[256];
	struct wire_batch b, got;
	struct wire_ack ack;
	uint8_t *buf = NULL;
	size_t len;
	int alerts;

	if (n == 0)
		return 0;
	snprintf(station, sizeof(station), "S%02d", s + 1);
	memset(&b, 0, sizeof(b));
	str_copy(b.station, station, sizeof(b.station));
	str_copy(b.township, town_of(s), sizeof(b.township));
	b.count = n;
	b.records = recs;
	if (wire_encode_batch(&b, &buf, &len) == -1 ||
	    wire_decode_batch(buf, len, &got, err, sizeof(err)) == -1) {
		fprintf(stderr, "lifemonth: batch of %s: %s\n", station, err);
		free(buf);
		return -1;
	}
	free(buf);
	if (county_ingest(c, station, "lifemonth", &got, &ack, &alerts, err, sizeof(err)) !=
	    COUNTY_DONE) {
		fprintf(stderr, "lifemonth: ingest of %s: %s\n", station, err);
		wire_batch_free(&got);
		return -1;
	}
	wire_batch_free(&got);
	return 0;
}

static int
feed(struct county_db *c)
{
	static struct wire_record fills[STATIONS][BATCH_MAX];
	size_t nf[STATIONS] = { 0 }, i, j, hour_end;
	int64_t fill_seq[STATIONS] = { 0 }, life_seq[STATIONS] = { 0 };
	struct wire_record r;
	char err[256], source[WIRE_ID];
	int s, rc, nfills = 0;

	qsort(evs, nev, sizeof(*evs), by_time);
	for (i = 0; i < nev; i = hour_end) {
		int64_t hour = evs[i].at / HOUR_MS;

		for (hour_end = i; hour_end < nev && evs[hour_end].at / HOUR_MS == hour; hour_end++)
			;
		/* the hour's fills first (stations upload them as they happen) */
		for (j = i; j < hour_end; j++) {
			if (evs[j].kind != 0)
				continue;
			s = evs[j].station;
			fill_record(&fills[s][nf[s]++], &evs[j], ++fill_seq[s]);
			nfills++;
			if (nf[s] == BATCH_MAX) {
				if (send_fills(c, s, fills[s], nf[s]) == -1)
					return -1;
				nf[s] = 0;
			}
		}
		for (s = 0; s < STATIONS; s++) {
			if (send_fills(c, s, fills[s], nf[s]) == -1)
				return -1;
			nf[s] = 0;
		}
		/* then the hour's life events, in the order they happened */
		if (store_begin(c->db, err, sizeof(err)) == -1)
			goto fail;
		for (j = i; j < hour_end; j++) {
			const struct ev *e = &evs[j];
			int door = strcmp(e->event, "handed_over") == 0 ||
			           strcmp(e->event, "returned") == 0;

			if (e->kind != 1)
				continue;
			if (door)
				worker_of(e->station, source, sizeof(source));
			else
				snprintf(source, sizeof(source), "S%02d", e->station + 1);
			/* a station's life events take seqs from its one space, as its
			 * outbox gives them; a delivery device has its own */
			life_record(&r, e, door ? ++life_seq[e->station] : ++fill_seq[e->station]);
			rc = life_store(c, source, &r, err, sizeof(err));
			if (rc < 0) {
				store_rollback(c->db);
				goto fail;
			}
		}
		if (store_commit(c->db, err, sizeof(err)) == -1)
			goto fail;
	}
	printf("events %zu\nfills %d\n", nev, nfills);
	return 0;
fail:
	fprintf(stderr, "lifemonth: %s\n", err);
	return -1;
}

int
main(int argc, char **argv)
{
	static struct county_config config = {
		.c01_minutes = 60,
		.c02_household_max = 3,
		.c02_business_max = 60,
		.c02_days = 30,
		.c03_silent_s = 900,
		.c04_gap_s = 86400,
		.check_s = 30,
		.max_seq_jump = 100000000,
		.max_trace = 2000,
		.inspection_cycle_years = 4,
		.c07_grace_min = 120,
		.c08_days = 3,
		.c09_household_hold = 2,
		.c09_business_hold = 20,
		.case_join_min = 1440,
		.case_alert_accept_min = 1440,
		.case_alert_onsite_min = 4320,
		.case_alert_close_min = 21600,
		.case_critical_accept_min = 60,
		.case_critical_onsite_min = 120,
		.case_critical_close_min = 4320,
	};
	const char *path = NULL;
	struct county_db c;
	struct cases_news news;
	char err[256], serial[WIRE_ID], next[WIRE_DATE];
	int ch, black = 0, alerts, i, days = 30;
	int64_t now = time_wall_ms(), start;

	ncyl = 5000;
	while ((ch = getopt(argc, argv, "d:n:b:g:h")) != -1) {
		switch (ch) {
		case 'd':
			path = optarg;
			break;
		case 'n':
			ncyl = atoi(optarg);
			break;
		case 'b':
			black = atoi(optarg);
			break;
		case 'g':
			rng = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr,
			    "usage: lifemonth -d DB [-n CYLINDERS] [-b BLACK] [-g SEED]\n");
			return ch == 'h' ? 0 : 2;
		}
	}
	if (path == NULL || ncyl < 100) {
		fprintf(stderr,
		    "usage: lifemonth -d DB [-n CYLINDERS >= 100] [-b BLACK] [-g SEED]\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.config = &config;
	if (store_open(path, schema_county, 0, &c.db, err, sizeof(err)) == -1) {
		fprintf(stderr, "lifemonth: %s\n", err);
		return 1;
	}
	/* the month ends yesterday evening; every cylinder is in the registry */
	start = timetext_day_start(now) - (int64_t)(days + 1) * DAY_MS;
	simulate(start, days, black);
	if (store_begin(c.db, err, sizeof(err)) == -1)
		goto fail;
	for (i = 0; i < ncyl; i++) {
		const struct history_by by = { "import", "lifemonth", "" };

		serial_of(i, serial, sizeof(serial));
		if (cyls[i].inspect)
			date_format(timetext_day_number(start) + 2, next); /* due for inspection */
		else
			str_copy(next, "2031-01-01", sizeof(next));
		if (county_registry_write(&c, serial, "active", "2023-01-01", next, "Gas Co", &by,
		        err, sizeof(err)) == -1) {
			store_rollback(c.db);
			goto fail;
		}
	}
	if (store_commit(c.db, err, sizeof(err)) == -1)
		goto fail;
	for (i = 0, alerts = 0; i < ncyl; i++)
		if (cyls[i].black == 2) {
			alerts++;
			serial_of(i, serial, sizeof(serial));
			printf("black %s\n", serial);
		}
	if (alerts != black) {
		fprintf(stderr, "lifemonth: only %d of %d black points happened in the month\n",
		    alerts, black);
		goto out;
	}
	if (feed(&c) == -1)
		goto out;
	/* the sweep after every grace and deadline of the month has run out */
	if (life_sweep(&c, now + DAY_MS, &alerts, err, sizeof(err)) == -1 ||
	    cases_from_alerts(&c, NULL, now + DAY_MS, &news, err, sizeof(err)) == -1)
		goto fail;
	printf("cases opened %d\n", news.opened);
	store_close(c.db);
	return 0;
fail:
	fprintf(stderr, "lifemonth: %s\n", err);
out:
	store_close(c.db);
	return 1;
}
