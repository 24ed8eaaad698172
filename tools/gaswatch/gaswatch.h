/*
 * gaswatch internals: the command line as main.c parsed it, and the case
 * commands of cases.c (the officer's and grid worker's side of
 * tools/county/cases.h).  main.c's command table names every command.
 */
#ifndef GASWATCH_H
#define GASWATCH_H

#include <stdint.h>

#include "psk.h"

/* Everything the command line said. */
struct options {
	const char *township, *keyfile, *host, *note;
	const char *as; /* --as IDENTITY: officer:NAME@TOWNSHIP, grid:..., regulator:... */
	char identity[PSK_MAX_IDENTITY];
	int port, once, json;
	int64_t since;
	/* case commands */
	const char *view, *outcome, *power, *type, *kind, *village, *place, *code, *photo, *to;
	const char *from, *until;
	long long fine;
	int has_fine, has_coords;
	double lat, lon;
};

/* Each returns the exit status: 0 ok, 1 error, 2 bad usage, 3 refused. */
int cases_run_list(const struct options *o, int argc, char **argv);
int cases_run_overdue(const struct options *o, int argc, char **argv);
int cases_run_show(const struct options *o, int argc, char **argv);
int cases_run_accept(const struct options *o, int argc, char **argv);
int cases_run_step(const struct options *o, int argc, char **argv);
int cases_run_attach(const struct options *o, int argc, char **argv);
int cases_run_decide(const struct options *o, int argc, char **argv);
int cases_run_close(const struct options *o, int argc, char **argv);
int cases_run_report(const struct options *o, int argc, char **argv);
int cases_run_reassign(const struct options *o, int argc, char **argv);
int cases_run_figures(const struct options *o, int argc, char **argv);
int cases_run_catalogue(const struct options *o, int argc, char **argv);

/* The county's refusal of any request of identity (code 4.xx or 5.xx, with the county's
 * one-line reason), said in the person's language where it is one of the county's fixed
 * reasons or its door's "ROLES only"; the exit status (3 for 4.03, else 1). */
int cases_say_refusal(const char *identity, int code, const char *reason);

/* A word the county sends (a severity, a case's state, a step's action) as the person
 * reads it ("alert": 告警 under zh_CN); a word it does not know as it came. */
const char *cases_word(const char *w);

#endif
