/*
 * progress: "\rLABEL [#########           ]  45%  12345" redrawn in place on a
 * terminal; nothing at all when the stream is not one.
 */
#include "progress.h"

#include <unistd.h>

#include "util.h"

#define PROGRESS_WIDTH 30
#define PROGRESS_EVERY_MS 100

void
progress_init(struct progress *p, FILE *fp, const char *label)
{
	p->fp = fp;
	p->label = label;
	p->enabled = isatty(fileno(fp));
	p->drawn = 0;
	p->last_ms = 0;
}

void
progress_update(struct progress *p, unsigned long long done, unsigned long long total,
    unsigned long count)
{
	char bar[PROGRESS_WIDTH + 1];
	int64_t now;
	int i, filled, percent;

	if (!p->enabled)
		return;
	now = time_mono_ms();
	if (p->drawn && now - p->last_ms < PROGRESS_EVERY_MS && done < total)
		return;
	p->last_ms = now;
	p->drawn = 1;
	if (total == 0) {
		fprintf(p->fp, "\r%s %lu", p->label, count);
	} else {
		if (done > total)
			done = total;
		filled = (int)(done * PROGRESS_WIDTH / total);
		percent = (int)(done * 100 / total);
		for (i = 0; i < PROGRESS_WIDTH; i++)
			bar[i] = i < filled ? '#' : ' ';
		bar[PROGRESS_WIDTH] = '\0';
		fprintf(p->fp, "\r%s [%s] %3d%%  %lu", p->label, bar, percent, count);
	}
	fflush(p->fp);
}

void
progress_end(struct progress *p)
{
	if (p->enabled && p->drawn) {
		fputs("\r\033[K", p->fp);
		fflush(p->fp);
	}
	p->drawn = 0;
}
