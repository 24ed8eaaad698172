/*
 * progress: a one-line progress bar for long work in the tools (minting a
 * county's codes, importing its registry).  It draws only when its stream is a
 * terminal, at most ten times a second, and erases itself when done, so
 * output captured in files and tests stays clean.
 */
#ifndef GAS_PROGRESS_H
#define GAS_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *fp;
	const char *label; /* kept by pointer */
	int enabled;
	int drawn;
	int64_t last_ms;
};

/* Draw on fp (usually stderr) if it is a terminal. */
void progress_init(struct progress *p, FILE *fp, const char *label);
/* done of total units (total 0: unknown, show done only); count is the
 * number of items so far, shown beside the bar. */
void progress_update(struct progress *p, unsigned long long done, unsigned long long total,
    unsigned long count);
/* Erase the bar. */
void progress_end(struct progress *p);

#endif
