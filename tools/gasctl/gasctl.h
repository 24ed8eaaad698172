/*
 * gasctl: the station CLI.  Every command is one row of the table in main.c
 * ({name, run, usage, help}); a command's name may be two words
 * ("registry import").  Commands live in cmd_*.c files: cmd_registry.c holds
 * the registry, operator and buyer commands that work on the station database
 * directly; line commands (login, scan, fill ...) talk to gasgw's control
 * socket and go in cmd_line.c as further rows.
 *
 * Exit status: 0 done, 1 error, 2 bad usage, 3 a rule refused the request.
 */
#ifndef GASCTL_H
#define GASCTL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

enum gasctl_exit {
	GASCTL_OK = 0,
	GASCTL_ERROR = 1,
	GASCTL_USAGE = 2,
	GASCTL_REFUSED = 3,
};

#define GASCTL_PATH_MAX 4096

/* Global options and what the configuration file (-c) gave. */
struct gasctl {
	const char *config_path;               /* -c FILE: gasgw's configuration */
	char db_path[GASCTL_PATH_MAX];         /* --db, or [station] database */
	char buyer_key_path[GASCTL_PATH_MAX];  /* --buyer-key, or [station] buyer_key */
	char code_public_key[GASCTL_PATH_MAX]; /* [station] code_public_key ("" if none) */
	char control_socket[GASCTL_PATH_MAX];  /* [station] control_socket */
	uint32_t county;                       /* [station] county (0 if none) */
	char county_host[128];                 /* [county] host ("": no county link) */
};

struct gasctl_command {
	const char *name;                                      /* "registry import" */
	int (*run)(struct gasctl *ctl, int argc, char **argv); /* argv[0]: last word */
	const char *usage;                                     /* arguments after the name */
	const char *help;                                      /* a paragraph */
	const char *help_more; /* a second paragraph, shared by commands (or NULL) */
};

/* Print "gasctl NAME: message" and the usage of the command; returns GASCTL_USAGE. */
int gasctl_usage(const char *name, const char *message);
/* Print the help of a command; returns GASCTL_OK. */
int gasctl_help(const char *name);
/* Open the station database (ctl->db_path) with store_open; prints why not. */
int gasctl_open_db(struct gasctl *ctl, sqlite3 **db);

/* cmd_registry.c */
int cmd_registry_import(struct gasctl *ctl, int argc, char **argv);
int cmd_registry_reinstate(struct gasctl *ctl, int argc, char **argv);
int cmd_operators_add(struct gasctl *ctl, int argc, char **argv);
int cmd_operators_list(struct gasctl *ctl, int argc, char **argv);
int cmd_operators_pin(struct gasctl *ctl, int argc, char **argv);
int cmd_buyers_add(struct gasctl *ctl, int argc, char **argv);
int cmd_buyers_list(struct gasctl *ctl, int argc, char **argv);

/* cmd_line.c: line commands over gasgw's control socket (ctl->control_socket) */
/* A reply's string member ("" when absent or not a string) and number
 * member (NAN when absent or not a number); shared with cmd_watch.c. */
const char *jstr(json_t *o, const char *key);
double jnum(json_t *o, const char *key);
/* Read a secret (a PIN, a buyer number) of one line from standard input
 * into out: on a terminal after prompt, without echo.  -1 (out wiped, "no
 * WHAT on standard input" printed) when there is none. */
int gasctl_read_secret(const char *prompt, const char *what, char *out, size_t outlen);
int cmd_login(struct gasctl *ctl, int argc, char **argv);
int cmd_logout(struct gasctl *ctl, int argc, char **argv);
int cmd_scan(struct gasctl *ctl, int argc, char **argv);
int cmd_buyer(struct gasctl *ctl, int argc, char **argv);
int cmd_start(struct gasctl *ctl, int argc, char **argv);
int cmd_stop(struct gasctl *ctl, int argc, char **argv);
int cmd_fill(struct gasctl *ctl, int argc, char **argv);
int cmd_status(struct gasctl *ctl, int argc, char **argv);
int cmd_fills(struct gasctl *ctl, int argc, char **argv);
int cmd_aside(struct gasctl *ctl, int argc, char **argv);
/* One request to gasgw and its reply (the caller frees it, even on
 * failure): 0 when the reply says ok, 1 otherwise (the error printed).
 * req is consumed. */
int gasctl_exchange(struct gasctl *ctl, json_t *req, json_t **reply);
/* The one line that says gasgw's clock is not trusted ("CLOCK NOT TRUSTED:
 * " and the reply's "clock_warning", in the operator's language, no
 * newline), as gasctl status, gasctl watch and a scrap say it: 1 with it
 * in out, 0 (out "") when the reply has no "clock_warning". */
int gasctl_clock_line(json_t *reply, char *out, size_t outlen);

/* cmd_life.c: a cylinder's life at the station (dispatch, receive,
 * inspection out, inspection back, scrap) */
int cmd_dispatch(struct gasctl *ctl, int argc, char **argv);
int cmd_receive(struct gasctl *ctl, int argc, char **argv);
int cmd_inspection_out(struct gasctl *ctl, int argc, char **argv);
int cmd_inspection_back(struct gasctl *ctl, int argc, char **argv);
int cmd_scrap(struct gasctl *ctl, int argc, char **argv);

/* cmd_watch.c: live view of every line (status over the control socket) */
int cmd_watch(struct gasctl *ctl, int argc, char **argv);
/* A line state or fill result ("filling", "held") in the operator's language;
 * an unknown name is returned as it is.  The text is static. */
const char *gasctl_word(const char *name);
/* Copy text into out padded with spaces to `width` terminal columns (Chinese
 * characters take two), for tables whose cells may be translated. */
void gasctl_pad(const char *text, int width, char *out, size_t outlen);
/* cmd_plot.c: a recorded fill's curve as SVG or PNG (station database) */
int cmd_plot(struct gasctl *ctl, int argc, char **argv);

#endif
