/*
 * catalogue: the data a county ships to decide cases, route reports and
 * set deadlines, read from files named in gascounty's configuration
 * (docs/county.md, "Cases"):
 *
 *   - the catalogue of outcomes and penalty powers ("catalogue" key):
 *       kind,code,name,basis,applies
 *       outcome,fine,罚款,,amount          an outcome; "amount": needs a fine
 *       power,P01,违法储存瓶装燃气,《城镇燃气管理条例》第四十五条,warning;fine
 *     A power lists the outcomes it can end in.  An outcome no power lists
 *     (no violation, referral) needs no power; one that some power lists
 *     needs a power that lists it.
 *   - the villages ("villages" key): village,township; a grid worker's
 *     report names a village and goes to its township.
 *   - the county's public code key ("code_key" key, gaslabel keygen's
 *     county.pub): a cylinder code in a grid worker's report is checked
 *     with it and read to its serial (cases.h).
 *
 * Lines that begin with '#' are comments (anything may follow).  Every error is
 * FILE:LINE: what is wrong.  A loaded catalogue is read-only: any thread may
 * read it; a reload builds a new one and swaps it whole.
 */
#ifndef COUNTY_CATALOGUE_H
#define COUNTY_CATALOGUE_H

#include <stddef.h>
#include <stdint.h>

#include "code.h"
#include "countyconf.h"
#include "geo.h"

#define CATALOGUE_CODE 24   /* code, including the NUL */
#define CATALOGUE_NAME 128  /* name in Chinese (UTF-8) */
#define CATALOGUE_BASIS 256 /* legal basis */
#define CATALOGUE_MAX_OUTCOMES 16
#define CATALOGUE_MAX_ITEMS 1000

struct catalogue_outcome {
	char code[CATALOGUE_CODE];
	char name[CATALOGUE_NAME];
	int amount;  /* 1: a decision with this outcome must give a fine amount */
	int powered; /* 1: some power lists it, so a decision must name one */
};

struct catalogue_power {
	char code[CATALOGUE_CODE];
	char name[CATALOGUE_NAME];
	char basis[CATALOGUE_BASIS];
	size_t noutcomes;
	int outcomes[CATALOGUE_MAX_OUTCOMES]; /* indexes into outcomes[] */
};

struct catalogue_village {
	char village[CATALOGUE_NAME];
	char township[CATALOGUE_CODE];
};

/* A kind of grid worker's report. */
struct catalogue_kind {
	char code[CATALOGUE_CODE];
	char name[CATALOGUE_NAME];
};

/* The stages of a case that have a deadline. */
enum catalogue_stage { CATALOGUE_ACCEPT, CATALOGUE_ONSITE, CATALOGUE_CLOSE, CATALOGUE_STAGES };

struct catalogue_span {
	int amount; /* minutes, or working days when workdays is 1 */
	int workdays;
};

struct catalogue_deadline {
	char kind[CATALOGUE_CODE]; /* "*": any */
	char severity[16];         /* alert, critical or "*" */
	struct catalogue_span spans[CATALOGUE_STAGES];
};

/* A day of the calendar that is not what its weekday says. */
struct catalogue_day {
	int32_t day; /* days since 1970-01-01 (a local date) */
	int workday; /* 1: worked (a make-up day); 0: a holiday */
};

struct catalogue {
	size_t noutcomes, npowers, nvillages, nkinds, ndeadlines, ndays;
	struct catalogue_outcome *outcomes;
	struct catalogue_power *powers;
	struct catalogue_village *villages;
	struct catalogue_kind *kinds;
	struct catalogue_deadline *deadlines;
	struct catalogue_day *days; /* sorted by day */
	struct geo_map map;         /* township boundaries; township_count 0: none */
	struct code_key *code_key;  /* NULL: reported cylinder codes cannot be checked */
};

/*
 * Load the catalogue file (path NULL or "": none) and the villages file
 * (the same) into *cat.  On failure *cat is empty and err holds the first
 * problem as FILE:LINE: ...; on success the caller frees with
 * catalogue_free.
 */
int catalogue_load(const char *catalogue_path, const char *villages_path, struct catalogue *cat,
    char *err, size_t errlen);
/*
 * Everything config names (catalogue, villages, township_map, deadlines,
 * calendar, code_key; an empty name: none) into *cat, the same way.  The catalogue
 * gascounty runs with.
 */
int catalogue_load_county(const struct county_config *config, struct catalogue *cat, char *err,
    size_t errlen);
/* The same from buffers (name is used in messages): catalogue_parse starts
 * *cat afresh, catalogue_parse_villages, _deadlines and _calendar add to
 * it; on failure each leaves *cat empty. */
int catalogue_parse(const char *name, const char *buf, size_t len, struct catalogue *cat, char *err,
    size_t errlen);
int catalogue_parse_villages(const char *name, const char *buf, size_t len, struct catalogue *cat,
    char *err, size_t errlen);
int catalogue_parse_deadlines(const char *name, const char *buf, size_t len, struct catalogue *cat,
    char *err, size_t errlen);
int catalogue_parse_calendar(const char *name, const char *buf, size_t len, struct catalogue *cat,
    char *err, size_t errlen);
void catalogue_free(struct catalogue *cat);

/* Look-ups; NULL when there is no such code or village. */
const struct catalogue_outcome *catalogue_outcome(const struct catalogue *cat, const char *code);
const struct catalogue_power *catalogue_power(const struct catalogue *cat, const char *code);
const char *catalogue_township_of(const struct catalogue *cat, const char *village);
/*
 * The county's townships as its files name them, one by one (i from 0 until
 * NULL): the map's, then those of the village list the map does not draw,
 * each once.  What a report can be routed to, and what the console offers
 * and accepts as a township (a reassignment, a person's account).
 * catalogue_township_listed: 1 if code is one of them.
 */
const char *catalogue_township(const struct catalogue *cat, size_t i);
int catalogue_township_listed(const struct catalogue *cat, const char *code);
/* A report kind by its code or its name. */
const struct catalogue_kind *catalogue_kind(const struct catalogue *cat, const char *text);

/* 1 if the local date day (days since 1970-01-01) is a working day. */
int catalogue_workday(const struct catalogue *cat, int32_t day);

/*
 * The deadlines of a case of kind and severity opened at opened_ms:
 * due[stage] in Unix ms, from the most specific deadlines row, else from
 * config's case_*_min.  Working days are counted in the process's time
 * zone (timetext.h).
 */
void catalogue_due(const struct catalogue *cat, const struct county_config *config,
    const char *kind, const char *severity, int64_t opened_ms, int64_t due[CATALOGUE_STAGES]);

/* Why a decision does not fit the catalogue (catalogue_check_decision). */
enum catalogue_decision {
	CATALOGUE_DECISION_OK = 0,
	CATALOGUE_NO_OUTCOMES,     /* the county loaded no catalogue of outcomes */
	CATALOGUE_UNKNOWN_OUTCOME, /* outcome is not in it */
	CATALOGUE_NEEDS_FINE,      /* the outcome is a fine: its amount is missing */
	CATALOGUE_TAKES_NO_FINE,   /* an amount given with an outcome that is no fine */
	CATALOGUE_NEEDS_POWER,     /* some power lists the outcome: name the one it rests on */
	CATALOGUE_UNKNOWN_POWER,   /* power is not in it */
	CATALOGUE_POWER_MISMATCH,  /* power does not end in that outcome */
};

/*
 * May a case be decided with outcome, power (NULL or "": none) and fine
 * (yuan)?  CATALOGUE_DECISION_OK if so; else why, with the reason in err
 * (English, naming the codes) for the log and the CoAP door, and the enum
 * for a caller that words it in the person's language (the console).
 */
enum catalogue_decision catalogue_check_decision(const struct catalogue *cat, const char *outcome,
    const char *power, long long fine, char *err, size_t errlen);

/* The catalogue as CBOR (outcomes, powers, report kinds and deadlines,
 * for GET /cases/catalogue);
 * *out malloc'd, caller frees.  -1 when out of memory. */
int catalogue_encode(const struct catalogue *cat, unsigned char **out, size_t *len);
/*
 * The outcomes, penalty powers and report kinds back from catalogue_encode's
 * CBOR (a client's GET /cases/catalogue) into *cat, so that a client can
 * judge a decision with catalogue_check_decision as the county does (gaswatch
 * words a refused decision this way).  Deadlines, villages, the calendar, the
 * map and the code key are not in the answer and stay empty.  A code that is
 * no code, a name empty or too long, an item twice or a power ending in an
 * outcome not listed is refused, as the catalogue file's loader refuses it:
 * -1 with *cat empty and the reason in err.  On success the caller frees with
 * catalogue_free.
 */
int catalogue_decode(const uint8_t *buf, size_t len, struct catalogue *cat, char *err,
    size_t errlen);

#endif
