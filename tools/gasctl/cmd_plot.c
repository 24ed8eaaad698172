/*
 * cmd_plot: `gasctl plot FILL --out FILE.svg|FILE.png`: a recorded fill's
 * weight curve as a picture, the evidence for a short-weight complaint or an
 * overfill dispute.
 *
 * The curve is the fills.curve BLOB gasgw stored with the record (curve.h),
 * read through records.h (the owner of the fills table); it is decoded
 * with curve_decode (which refuses anything malformed) and drawn with
 * plot_curve_file (plot.h), which marks the target, the cut-off point, the
 * close command and the final net.  The database is opened read-only:
 * plotting works beside a running gasgw and never migrates or writes the
 * file.
 *
 * FILL is a fill's uuid or a prefix of it that names exactly one fill; an
 * ambiguous prefix lists the candidates and exits 2.
 */
#include "gasctl.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curve.h"
#include "i18n.h"
#include "plot.h"
#include "records.h"
#include "store.h"
#include "timetext.h"
#include "util.h"

#define PLOT_PREFIX_MIN 4
#define PLOT_UUID_LEN 36
/* The picture's title: as is in the PNG, translated in the SVG (plot.h). */
#define PLOT_TITLE N_("fill %.8s, line %d, cylinder %s, %s, %s")

/* Lower-case a uuid prefix into out; -1 if it has anything but hex digits
 * and dashes or a length outside PLOT_PREFIX_MIN..PLOT_UUID_LEN. */
static int
fill_prefix(const char *arg, char out[PLOT_UUID_LEN + 1])
{
	size_t i, n = strlen(arg);

	if (n < PLOT_PREFIX_MIN || n > PLOT_UUID_LEN)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)arg[i]) && arg[i] != '-')
			return -1;
		out[i] = (char)tolower((unsigned char)arg[i]);
	}
	out[n] = '\0';
	return 0;
}

int
cmd_plot(struct gasctl *ctl, int argc, char **argv)
{
	const char *u = "plot";
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char prefix[PLOT_UUID_LEN + 1], others[RECORDS_PREFIX_OTHERS][37];
	char title[200], title_local[400], started[TIMETEXT_MAX], err[512];
	struct plot_title titles = { title, title_local };
	struct records_fill_curve fill = { 0 };
	enum records_match match;
	const char *out = NULL;
	struct curve *curve = NULL;
	sqlite3 *db = NULL;
	size_t nothers, i;
	int ch, rc = GASCTL_ERROR;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			return gasctl_help(u);
		default:
			return gasctl_usage(u, _("bad arguments"));
		}
	}
	if (optind != argc - 1 || out == NULL)
		return gasctl_usage(u, _("give one FILL and --out FILE.svg or FILE.png"));
	if (fill_prefix(argv[optind], prefix) == -1)
		return gasctl_usage(u, _("FILL is a fill uuid or its first characters (at least "
		                         "4 hexadecimal digits)"));

	if (store_open(ctl->db_path, schema_station, STORE_READONLY, &db, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasctl: %s\n", err);
		return GASCTL_ERROR;
	}
	curve = calloc(1, sizeof(*curve));
	if (curve == NULL) {
		fprintf(stderr, "gasctl: out of memory\n");
		goto out;
	}
	match = records_fill_by_prefix(db, prefix, &fill, others, &nothers, err, sizeof(err));
	if (match == RECORDS_MATCH_ERROR) {
		fprintf(stderr, "gasctl: %s\n", err);
		goto out;
	}
	if (match == RECORDS_MATCH_NONE) {
		fprintf(stderr, _("gasctl: no fill %s in %s\n"), argv[optind], ctl->db_path);
		goto out;
	}
	if (match == RECORDS_MATCH_MANY) {
		fprintf(stderr,
		    _("gasctl plot: %s names more than one fill; give more "
		      "characters:\n  %s\n"),
		    argv[optind], fill.uuid);
		for (i = 0; i < nothers; i++)
			fprintf(stderr, "  %s\n", others[i]);
		rc = GASCTL_USAGE;
		goto out;
	}
	if (fill.curve == NULL) {
		fprintf(stderr, _("gasctl: fill %s has no recorded curve (result: %s)\n"),
		    fill.uuid, fill.result);
		goto out;
	}
	if (curve_decode(fill.curve, fill.curve_len, curve, err, sizeof(err)) == -1) {
		fprintf(stderr, _("gasctl: the stored curve of fill %s is damaged: %s\n"),
		    fill.uuid, err);
		goto out;
	}
	/* The PNG's title is drawn with a built-in ASCII font: English and
	 * ASCII (serials and uuids are); the SVG's in the operator's words. */
	timetext_format(fill.started_ms, TIMETEXT_MINUTE, started); /* local, with the offset */
	snprintf(title, sizeof(title), PLOT_TITLE, fill.uuid, fill.line, fill.cylinder, started,
	    fill.result);
	snprintf(title_local, sizeof(title_local), _(PLOT_TITLE), fill.uuid, fill.line,
	    fill.cylinder, started, gasctl_word(fill.result));
	if (plot_curve_file(curve, &titles, out, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasctl: %s\n", err);
		goto out;
	}
	printf(_("fill %s: curve of %u samples drawn to %s\n"), fill.uuid, curve->count, out);
	rc = GASCTL_OK;
out:
	store_close(db);
	free(fill.curve);
	free(curve);
	return rc;
}
