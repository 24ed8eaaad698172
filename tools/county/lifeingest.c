/*
 * lifeingest: see lifeingest.h.
 */
#include "lifeingest.h"

#include <stdlib.h>
#include <string.h>

#include "ingestcheck.h"
#include "life.h"
#include "quota.h"
#include "store.h"
#include "timetext.h"
#include "util.h"

/*
 * The mark kept in delivery_marks (0 without a row) into *mark, and from it
 * the device's highest contiguous seq into *hwm: the seqs held just beyond
 * the mark, walked in order while each is the next one (several rows at
 * one seq count as one).  The ingest writes the mark back in the
 * transaction of every batch, so a read walks nothing beyond it but the
 * first seq after a gap; events stored by another way (life_store called
 * alone) are walked once, until the next batch advances the mark.
 */
static int
delivery_mark(struct county_db *c, const char *source, int64_t *mark, int64_t *hwm, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t seq;
	int rc;

	*mark = *hwm = 0;
	if (store_prepare(c->db, "SELECT hwm FROM delivery_marks WHERE source = ?", &st, err,
	        errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*mark = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "delivery mark: %s", sqlite3_errmsg(c->db));
	*hwm = *mark;
	if (store_prepare(c->db,
	        "SELECT seq FROM life_events WHERE source = ? AND seq > ? ORDER BY seq", &st, err,
	        errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, *mark);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		if (seq == *hwm)
			continue;
		if (seq != *hwm + 1)
			break;
		*hwm = seq;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "delivery mark: %s", sqlite3_errmsg(c->db));
	return 0;
}

int
county_delivery_hwm(struct county_db *c, const char *source, int64_t *hwm, char *err, size_t errlen)
{
	int64_t mark;

	return delivery_mark(c, source, &mark, hwm, err, errlen);
}

/* The device's mark advanced to what it now holds, into *hwm (inside the
 * ingest's transaction). */
static int
delivery_mark_advance(struct county_db *c, const char *source, int64_t *hwm, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t mark;
	int rc;

	if (delivery_mark(c, source, &mark, hwm, err, errlen) == -1)
		return -1;
	if (*hwm == mark)
		return 0;
	if (store_prepare(c->db,
	        "INSERT INTO delivery_marks (source, hwm) VALUES (?1, ?2)"
	        " ON CONFLICT (source) DO UPDATE SET hwm = ?2",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, *hwm);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "delivery mark: %s", sqlite3_errmsg(c->db));
	return 0;
}

/* Is any of held[0..n) a record not held yet? */
static int
any_new(const unsigned char *held, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++)
		if (!held[j])
			return 1;
	return 0;
}

/* Is record j the first of batch at its seq? */
static int
first_at_seq(const struct wire_batch *batch, size_t j)
{
	size_t k;

	for (k = 0; k < j; k++)
		if (batch->records[k].seq == batch->records[j].seq)
			return 0;
	return 1;
}

/*
 * May record i of batch be stored at now, within LIFE_SERIAL_DAY_MAX events
 * of its cylinder from source in 24 hours (those held, and the new ones
 * before it in the batch)?  held_before[i] is set to whether source holds
 * its seq already (a retransmission: it stores nothing, and the bound lets
 * it through); held_before[0..i), set by the calls before, say it of the
 * records before it, so that a batch sent again after a lost answer (its
 * held records, a seq twice) is counted once.  COUNTY_DONE, COUNTY_BUSY with err naming the record,
 * the cylinder and until when, COUNTY_ERROR.
 */
static enum county_result
serial_bound(struct county_db *c, const char *source, const struct wire_batch *batch, size_t i,
    unsigned char *held_before, int64_t now, char *err, size_t errlen)
{
	const struct wire_record *r = &batch->records[i];
	int64_t held = 0, oldest = now, n;
	char until[TIMETEXT_MAX];
	sqlite3_stmt *st = NULL;
	size_t j;
	int rc;

	if (store_prepare(c->db,
	        "SELECT EXISTS (SELECT 1 FROM life_events WHERE source = ?1 AND seq = ?2),"
	        " (SELECT count(*) FROM life_events WHERE serial = ?3 AND source = ?1"
	        " AND stored_ms > ?4), (SELECT min(stored_ms) FROM life_events WHERE serial = ?3"
	        " AND source = ?1 AND stored_ms > ?4)",
	        &st, err, errlen) == -1)
		return COUNTY_ERROR;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->seq);
	sqlite3_bind_text(st, 3, r->life.serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now - QUOTA_WINDOW_MS);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		held = sqlite3_column_int64(st, 0);
		n = sqlite3_column_int64(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			oldest = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW) {
		err_set(err, errlen, "delivery bound: %s", sqlite3_errmsg(c->db));
		return COUNTY_ERROR;
	}
	held_before[i] = held != 0;
	if (held) /* a retransmission stores nothing */
		return COUNTY_DONE;
	for (j = 0; j < i; j++)
		if (!held_before[j] && strcmp(batch->records[j].life.serial, r->life.serial) == 0 &&
		    first_at_seq(batch, j))
			n++;
	if (n < LIFE_SERIAL_DAY_MAX)
		return COUNTY_DONE;
	timetext_format(oldest + QUOTA_WINDOW_MS, TIMETEXT_PERSON, until);
	err_set(err, errlen,
	    "record %zu (seq %lld): %d events of cylinder %s from this device in 24 h, the "
	    "county's bound, until %s",
	    i, (long long)r->seq, LIFE_SERIAL_DAY_MAX, r->life.serial, until);
	return COUNTY_BUSY;
}

enum county_result
county_ingest_delivery(struct county_db *c, const struct code_key *code_key, const char *source,
    const struct wire_batch *batch, struct wire_ack *ack, int *new_alerts, char *err, size_t errlen)
{
	int64_t now = time_wall_ms(), hwm = 0,
	        jump = c->config->max_seq_jump > 0 ? c->config->max_seq_jump : 100000;
	const struct wire_record *r;
	enum county_result busy;
	unsigned char *held = NULL; /* per record: its seq is held already */
	char why[256];
	int alerts, rc;
	size_t i, count;

	memset(ack, 0, sizeof(*ack));
	*new_alerts = 0;
	if (store_begin(c->db, err, errlen) == -1)
		return COUNTY_ERROR;
	if ((busy = quota_check(c, source, now, err, errlen)) != COUNTY_DONE) {
		store_rollback(c->db);
		return busy;
	}
	if (county_delivery_hwm(c, source, &hwm, err, errlen) == -1)
		goto fail;
	if ((held = calloc(batch->count + 1, 1)) == NULL) {
		err_set(err, errlen, "delivery batch: out of memory");
		goto fail;
	}
	for (i = 0; i < batch->count; i++) {
		r = &batch->records[i];
		if (strcmp(r->kind, "life") != 0) {
			err_set(err, errlen,
			    "record %zu (seq %lld): kind '%s': a delivery device sends life events "
			    "only",
			    i, (long long)r->seq, r->kind);
			goto refused;
		}
		if (ingest_check_record(r, i, now, err, errlen) == -1)
			goto refused;
		if (life_source_check(source, r, why, sizeof(why)) == -1 ||
		    life_code_check(code_key, source, r, why, sizeof(why)) == -1) {
			err_set(err, errlen, "record %zu (seq %lld): %s", i, (long long)r->seq,
			    why);
			goto refused;
		}
		if (r->seq - hwm > jump) {
			err_set(err, errlen,
			    "record %zu (seq %lld): seq is more than %lld beyond the county's mark %lld "
			    "for this device",
			    i, (long long)r->seq, (long long)jump, (long long)hwm);
			goto refused;
		}
		if ((busy = serial_bound(c, source, batch, i, held, now, err, errlen)) ==
		    COUNTY_ERROR)
			goto fail;
		if (busy == COUNTY_BUSY)
			break;
	}
	/* over the bound at record i: the records before it are stored and
	 * answered, so that a device with a backlog of one cylinder drains
	 * it a day at a time instead of being refused whole for ever; busy
	 * when none of them is new */
	if (i < batch->count && !any_new(held, i)) {
		free(held);
		store_rollback(c->db);
		memset(ack, 0, sizeof(*ack));
		return COUNTY_BUSY;
	}
	count = i;
	for (i = 0; i < count; i++) {
		rc = life_store_counted(c, source, &batch->records[i], &alerts, err, errlen);
		if (rc == -2)
			goto refused;
		if (rc == -1)
			goto fail;
		*new_alerts += alerts;
		if (rc == 1)
			ack->stored++;
		else
			ack->duplicates++;
		if (rc == 2) /* among the duplicates, for a device of before */
			ack->conflicts++;
	}
	if (delivery_mark_advance(c, source, &ack->hwm, err, errlen) == -1 ||
	    quota_count(c, source, ack->stored, now, new_alerts, err, errlen) == -1)
		goto fail;
	/* the answer is given only after this commit */
	if (store_commit(c->db, err, errlen) == -1)
		goto fail;
	free(held);
	return COUNTY_DONE;
refused:
	free(held);
	store_rollback(c->db);
	memset(ack, 0, sizeof(*ack));
	*new_alerts = 0;
	return COUNTY_REFUSED;
fail:
	free(held);
	store_rollback(c->db);
	memset(ack, 0, sizeof(*ack));
	*new_alerts = 0;
	return COUNTY_ERROR;
}
