/*
 * idscan: the privacy check.  Reads every file named (or below every folder
 * named) as bytes and prints each place where a real-looking resident ID
 * number (18 characters passing GB 11643's check digit and birth date) or
 * unified social credit code (GB 32100 check character) appears.  Exit 1 if
 * any is found, 0 if none.  Databases, logs and outputs of a whole test run
 * must contain none: the system keeps only HMAC ids and masked forms.
 *
 * Hex strings (HMAC ids, uuids) are skipped: an 18-character window inside
 * a longer run of letters and digits is not a number someone typed.  Nor is
 * the fraction of a decimal number ("0.278499999999911986" in a database
 * dump, which passes GB 32100's check about once in 31): digits that follow
 * "<digit>." are skipped.
 *
 * A SQLite database keeps a row's values back to back, so a number stored
 * in one column touches its neighbours' letters (`...11010519491231002XR07
 * operator...`) and a byte scan would pass over it as part of a longer run:
 * every database is also read through SQLite, each value of each table on
 * its own.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "buyer.h"

static int found;

static int
is_code_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

static void
scan_buffer(const char *path, const unsigned char *buf, size_t len)
{
	char window[BUYER_NUMBER_LEN + 1], err[128];

	for (size_t i = 0; i + BUYER_NUMBER_LEN <= len; i++) {
		/* Whole tokens only: the window must not continue a longer run. */
		if (i > 0 && (is_code_char(buf[i - 1]) || (buf[i - 1] >= 'a' && buf[i - 1] <= 'z')))
			continue;
		if (i + BUYER_NUMBER_LEN < len &&
		    (is_code_char(buf[i + BUYER_NUMBER_LEN]) ||
		        (buf[i + BUYER_NUMBER_LEN] >= 'a' && buf[i + BUYER_NUMBER_LEN] <= 'z')))
			continue;
		if (i >= 2 && buf[i - 1] == '.' && buf[i - 2] >= '0' && buf[i - 2] <= '9')
			continue;
		size_t k;
		for (k = 0; k < BUYER_NUMBER_LEN && is_code_char(buf[i + k]); k++)
			window[k] = (char)buf[i + k];
		if (k != BUYER_NUMBER_LEN)
			continue;
		window[k] = '\0';
		if (buyer_check_resident_id(window, err, sizeof(err)) == 0 ||
		    buyer_check_credit_code(window, err, sizeof(err)) == 0) {
			/* Print where, masked: the scan's own output must stay clean. */
			printf("%s: offset %zu: a raw number (%.3s***********%.4s)\n", path, i,
			    window, window + 14);
			found = 1;
		}
	}
}

/* Each text and blob value of every table of the database at path. */
static void
scan_database(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *tables = NULL, *rows = NULL;
	char where[4400];

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'table'", -1,
	        &tables, NULL) != SQLITE_OK) {
		printf("%s: cannot read it as a database: %s\n", path, sqlite3_errmsg(db));
		found = 1;
		goto out;
	}
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(tables, 0);
		char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", table);

		if (sql == NULL || sqlite3_prepare_v2(db, sql, -1, &rows, NULL) != SQLITE_OK) {
			sqlite3_free(sql);
			continue; /* a virtual table whose module is not here */
		}
		sqlite3_free(sql);
		while (sqlite3_step(rows) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(rows); c++) {
				int type = sqlite3_column_type(rows, c);
				const unsigned char *value;

				if (type != SQLITE_TEXT && type != SQLITE_BLOB)
					continue;
				value = type == SQLITE_TEXT ? sqlite3_column_text(rows, c)
				                            : sqlite3_column_blob(rows, c);
				snprintf(where, sizeof(where), "%s: table %s, column %s", path,
				    table, sqlite3_column_name(rows, c));
				if (value != NULL)
					scan_buffer(where, value,
					    (size_t)sqlite3_column_bytes(rows, c));
			}
		}
		sqlite3_finalize(rows);
		rows = NULL;
	}
out:
	sqlite3_finalize(tables);
	sqlite3_close(db);
}

static void
scan_path(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == -1)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;

		if (d == NULL)
			return;
		while ((e = readdir(d)) != NULL) {
			char child[4096];

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
			scan_path(child);
		}
		closedir(d);
	} else if (S_ISREG(st.st_mode)) {
		FILE *f = fopen(path, "rb");
		unsigned char *buf;
		int is_database = 0;

		if (f == NULL)
			return;
		buf = malloc((size_t)st.st_size + 1);
		if (buf != NULL && fread(buf, 1, (size_t)st.st_size, f) == (size_t)st.st_size) {
			scan_buffer(path, buf, (size_t)st.st_size);
			/* the header, with its NUL, of every SQLite database */
			is_database = st.st_size >= 100 && memcmp(buf, "SQLite format 3", 16) == 0;
		}
		free(buf);
		fclose(f);
		if (is_database)
			scan_database(path);
	}
}

int
main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0) {
		fprintf(stderr, "usage: idscan PATH...\n");
		return argc < 2 ? 2 : 0;
	}
	for (int i = 1; i < argc; i++)
		scan_path(argv[i]);
	return found;
}
