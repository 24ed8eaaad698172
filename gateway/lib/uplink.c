/*
 * uplink: the station's outbox drained to the county (see uplink.h).
 *
 * The thread alternates between short database transactions and network
 * exchanges, never both at once: a batch is read in one read transaction,
 * sent with no transaction open, and only the county's answer (its
 * high-water mark, given after its own commit) deletes rows, in a second
 * short write transaction.  A crash between the two only means the batch
 * is sent again, which the county ignores by (station, seq) and uuid.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "coaplink.h"
#include "log.h"
#include "recordrows.h"
#include "store.h"
#include "uplink.h"
#include "util.h"
#include "wire.h"

#define UPLINK_REQUEST_TIMEOUT_MS 120000
#define UPLINK_IDLE_WAIT_MS 500

struct uplink {
	struct uplink_config config;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop; /* read atomically by coaplink too */
	int kicked;
	struct uplink_status status;
	sqlite3 *db;
	struct coaplink *link;
	int64_t next_heartbeat_ms, next_registry_ms;
};

#define TEXT(st, i) ((const char *)sqlite3_column_text((st), (i)))

static void
set_error(struct uplink *u, const char *text)
{
	pthread_mutex_lock(&u->lock);
	str_copy(u->status.last_error, text, sizeof(u->status.last_error));
	pthread_mutex_unlock(&u->lock);
}

/* Sleep until deadline (monotonic ms), a kick or stop. */
static void
wait_until(struct uplink *u, int64_t deadline)
{
	struct timespec ts;
	int64_t left;

	pthread_mutex_lock(&u->lock);
	while (!u->stop && !u->kicked) {
		left = deadline - time_mono_ms();
		if (left <= 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &ts); /* the cond uses it: immune to clock steps */
		ts.tv_sec += left / 1000;
		ts.tv_nsec += (left % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&u->wake, &u->lock, &ts);
	}
	u->kicked = 0;
	pthread_mutex_unlock(&u->lock);
}

static int
stopping(struct uplink *u)
{
	return __atomic_load_n(&u->stop, __ATOMIC_RELAXED);
}

/* ---- reading a batch ------------------------------------------------------- */

static int
read_fill(sqlite3_stmt *st, struct wire_record *r, char *err, size_t errlen)
{
	struct wire_fill *f = &r->fill;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, r->uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->has_fill = 1;
		f->line = sqlite3_column_int(st, 0);
		store_column_copy(st, 1, f->cylinder, sizeof(f->cylinder));
		store_column_copy(st, 2, f->buyer, sizeof(f->buyer));
		store_column_copy(st, 3, f->buyer_masked, sizeof(f->buyer_masked));
		store_column_copy(st, 4, f->buyer_township, sizeof(f->buyer_township));
		store_column_copy(st, 5, f->buyer_kind, sizeof(f->buyer_kind));
		store_column_copy(st, 6, f->operator_cert, sizeof(f->operator_cert));
		f->started_ms = sqlite3_column_int64(st, 7);
		f->ended_ms = sqlite3_column_int64(st, 8);
		f->tare_kg = sqlite3_column_double(st, 9);
		f->target_kg = sqlite3_column_double(st, 10);
		f->preact_kg = sqlite3_column_double(st, 11);
		f->cutoff_kg = sqlite3_column_double(st, 12);
		f->gross_kg = sqlite3_column_double(st, 13);
		f->net_kg = sqlite3_column_double(st, 14);
		store_column_copy(st, 15, f->result, sizeof(f->result));
		/* The curve goes with the record so the regulator can see it;
		 * one that does not fit the protocol's bound stays at the
		 * station (gasctl plot) rather than block the record. */
		if (sqlite3_column_type(st, 16) == SQLITE_BLOB) {
			int n = sqlite3_column_bytes(st, 16);

			if (n > 0 && (size_t)n <= WIRE_MAX_CURVE &&
			    (f->curve = malloc((size_t)n)) != NULL) {
				memcpy(f->curve, sqlite3_column_blob(st, 16), (size_t)n);
				f->curve_len = (size_t)n;
			}
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "fill: %s", sqlite3_errstr(rc));
	if (rc == SQLITE_DONE)
		return err_set(err, errlen, "outbox seq %lld: fill %s is missing",
		    (long long)r->seq, r->uuid);
	return 0;
}

/* The oldest `limit` outbox records with their fills and violations. */
static int
read_batch(struct uplink *u, int limit, struct wire_batch *b, char *err, size_t errlen)
{
	sqlite3_stmt *ob = NULL, *fs = NULL, *vs = NULL;
	struct wire_record *r;
	int rc = -1, step;

	memset(b, 0, sizeof(*b));
	str_copy(b->station, u->config.station_id, sizeof(b->station));
	str_copy(b->township, u->config.township, sizeof(b->township));
	if ((b->records = calloc((size_t)limit, sizeof(*b->records))) == NULL)
		return err_set(err, errlen, "out of memory");
	/* one read transaction: a consistent snapshot, no writer blocked */
	if (store_exec(u->db, "BEGIN", err, errlen) == -1)
		goto out;
	if (store_prepare(u->db,
	        "SELECT seq, uuid, kind, created_ms FROM outbox ORDER BY seq LIMIT ?", &ob, err,
	        errlen) == -1 ||
	    store_prepare(u->db,
	        "SELECT f.line, f.cylinder, coalesce(f.buyer, ''), coalesce(b.masked, ''),"
	        " coalesce(b.township, ''), coalesce(b.kind, ''), coalesce(f.operator, ''),"
	        " f.started_ms, coalesce(f.ended_ms, 0), f.tare_kg, f.target_kg,"
	        " coalesce(f.preact_kg, 0), coalesce(f.cutoff_kg, 0), coalesce(f.gross_kg, 0),"
	        " coalesce(f.net_kg, 0), f.result, f.curve"
	        " FROM fills f LEFT JOIN buyers b ON b.id = f.buyer"
	        " WHERE f.uuid = ?",
	        &fs, err, errlen) == -1 ||
	    store_prepare(u->db,
	        "SELECT v.uuid, v.rule, v.severity, v.township, v.details, coalesce(v.cylinder, "
	        "''),"
	        " coalesce(v.buyer, ''), coalesce(b.masked, ''), coalesce(v.line, 0), v.at_ms"
	        " FROM violations v LEFT JOIN buyers b ON b.id = v.buyer WHERE v.event = ?"
	        " ORDER BY v.at_ms, v.uuid",
	        &vs, err, errlen) == -1)
		goto rollback;
	sqlite3_bind_int(ob, 1, limit);
	while ((step = sqlite3_step(ob)) == SQLITE_ROW) {
		r = &b->records[b->count++];
		str_copy(r->station, u->config.station_id, sizeof(r->station));
		r->seq = sqlite3_column_int64(ob, 0);
		store_column_copy(ob, 1, r->uuid, sizeof(r->uuid));
		store_column_copy(ob, 2, r->kind, sizeof(r->kind));
		r->created_ms = sqlite3_column_int64(ob, 3);
		if (strcmp(r->kind, "fill") == 0 && read_fill(fs, r, err, errlen) == -1)
			goto rollback;
		if (recordrows_violations(vs, r, err, errlen) == -1)
			goto rollback;
	}
	if (step != SQLITE_DONE) {
		err_set(err, errlen, "outbox: %s", sqlite3_errmsg(u->db));
		goto rollback;
	}
	rc = 0;
rollback:
	sqlite3_finalize(ob);
	sqlite3_finalize(fs);
	sqlite3_finalize(vs);
	store_exec(u->db, "COMMIT", NULL, 0);
out:
	if (rc == -1)
		wire_batch_free(b);
	return rc;
}

static int64_t
backlog(struct uplink *u)
{
	return store_query_int(u->db, "SELECT count(*) FROM outbox", 0);
}

/* ---- drain ------------------------------------------------------------------- */

/* Send one batch; returns records sent (0: nothing to send), or -1. */
static int
drain_once(struct uplink *u, char *err, size_t errlen)
{
	struct coaplink_response resp;
	struct wire_batch batch;
	struct wire_ack ack;
	sqlite3_stmt *st = NULL;
	uint8_t *payload = NULL;
	size_t len = 0, count;
	int64_t last_seq, left;
	int rc = -1;

	if (read_batch(u, u->config.batch, &batch, err, errlen) == -1)
		return -1;
	if (batch.count == 0) {
		wire_batch_free(&batch);
		return 0;
	}
	count = batch.count;
	last_seq = batch.records[count - 1].seq;
	if (wire_encode_batch(&batch, &payload, &len) == -1) {
		wire_batch_free(&batch);
		return err_set(err, errlen, "cannot encode a batch");
	}
	wire_batch_free(&batch);
	if (coaplink_request(u->link, "POST", "records", NULL, COAPLINK_FORMAT_CBOR,
	        COAPLINK_FORMAT_CBOR, payload, len, UPLINK_REQUEST_TIMEOUT_MS, &resp, err,
	        errlen) == -1)
		goto out;
	if (resp.code != 204) {
		err_set(err, errlen, "county answered %d.%02d to a batch", resp.code / 100,
		    resp.code % 100);
		coaplink_response_free(&resp);
		goto out;
	}
	if (wire_decode_ack(resp.data, resp.len, &ack, err, errlen) == -1) {
		coaplink_response_free(&resp);
		goto out;
	}
	coaplink_response_free(&resp);

	/* rows leave the outbox only below the county's committed mark */
	if (store_begin(u->db, err, errlen) == -1)
		goto out;
	if (store_prepare(u->db, "DELETE FROM outbox WHERE seq <= ?", &st, err, errlen) == -1) {
		store_rollback(u->db);
		goto out;
	}
	sqlite3_bind_int64(st, 1, ack.hwm);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err_set(err, errlen, "outbox delete: %s", sqlite3_errmsg(u->db));
		sqlite3_finalize(st);
		store_rollback(u->db);
		goto out;
	}
	sqlite3_finalize(st);
	if (store_commit(u->db, err, errlen) == -1) {
		store_rollback(u->db);
		goto out;
	}
	left = backlog(u);
	pthread_mutex_lock(&u->lock);
	u->status.sent += ack.stored + ack.duplicates;
	if (ack.hwm > u->status.last_ack)
		u->status.last_ack = ack.hwm;
	u->status.last_ack_ms = time_wall_ms();
	u->status.backlog = left;
	u->status.last_error[0] = '\0';
	pthread_mutex_unlock(&u->lock);
	if (ack.hwm < last_seq)
		log_warnx("county holds up to seq %lld of %lld sent; it lacks an earlier record",
		    (long long)ack.hwm, (long long)last_seq);
	log_debug("uplink: %zu records sent, county holds up to %lld, %lld waiting", count,
	    (long long)ack.hwm, (long long)left);
	rc = ack.hwm < last_seq ? -1 : (int)count;
	if (rc == -1)
		err_set(err, errlen, "county lacks seq %lld", (long long)ack.hwm + 1);
out:
	free(payload);
	return rc;
}

/* ---- heartbeat and registry ---------------------------------------------------- */

static int64_t
registry_version(struct uplink *u)
{
	return store_query_int(u->db,
	    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'registry_version'", 0);
}

static int
heartbeat(struct uplink *u, char *err, size_t errlen)
{
	struct coaplink_response resp;
	struct wire_heartbeat hb;
	uint8_t *payload = NULL;
	size_t len;
	int rc = -1;

	memset(&hb, 0, sizeof(hb));
	str_copy(hb.station, u->config.station_id, sizeof(hb.station));
	str_copy(hb.township, u->config.township, sizeof(hb.township));
	hb.at_ms = time_wall_ms();
	hb.backlog = backlog(u);
	hb.oldest_ms = store_query_int(u->db, "SELECT min(created_ms) FROM outbox", 0);
	pthread_mutex_lock(&u->lock);
	hb.last_ack = u->status.last_ack;
	pthread_mutex_unlock(&u->lock);
	hb.registry_version = registry_version(u);
	snprintf(hb.status, sizeof(hb.status), "backlog %lld", (long long)hb.backlog);
	if (wire_encode_heartbeat(&hb, &payload, &len) == -1)
		return err_set(err, errlen, "cannot encode a heartbeat");
	if (coaplink_request(u->link, "POST", "heartbeat", NULL, COAPLINK_FORMAT_CBOR,
	        COAPLINK_NONE, payload, len, UPLINK_REQUEST_TIMEOUT_MS, &resp, err, errlen) == -1)
		goto out;
	rc = resp.code == 204 ? 0 : err_set(err, errlen, "heartbeat answered %d", resp.code);
	coaplink_response_free(&resp);
out:
	free(payload);
	return rc;
}

static int
apply_registry(struct uplink *u, const struct wire_registry *reg, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL, *meta = NULL;
	char version[24];
	size_t i, unknown = 0;

	if (store_begin(u->db, err, errlen) == -1)
		return -1;
	if (store_prepare(u->db,
	        "UPDATE cylinders SET status = ?2, last_inspection = nullif(?3, ''),"
	        " next_inspection = nullif(?4, ''), owner = CASE WHEN ?5 = '' THEN owner ELSE ?5 "
	        "END,"
	        " registry_version = ?6, updated_ms = ?7 WHERE serial = ?1",
	        &st, err, errlen) == -1)
		goto fail;
	for (i = 0; i < reg->count; i++) {
		const struct wire_registry_row *row = &reg->rows[i];

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, row->serial, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, row->status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, row->last_inspection, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, row->next_inspection, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, row->owner, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, row->version);
		sqlite3_bind_int64(st, 7, time_wall_ms());
		if (sqlite3_step(st) != SQLITE_DONE) {
			err_set(err, errlen, "registry row %s: %s", row->serial,
			    sqlite3_errmsg(u->db));
			goto fail;
		}
		/* a cylinder this station never registered has no model or tare
		 * here: the delta cannot create it, only update it */
		if (sqlite3_changes(u->db) == 0)
			unknown++;
	}
	snprintf(version, sizeof(version), "%lld", (long long)reg->version);
	if (store_prepare(u->db,
	        "INSERT INTO meta (key, value) VALUES ('registry_version', ?)"
	        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	        &meta, err, errlen) == -1)
		goto fail;
	sqlite3_bind_text(meta, 1, version, -1, SQLITE_STATIC);
	if (sqlite3_step(meta) != SQLITE_DONE) {
		err_set(err, errlen, "meta: %s", sqlite3_errmsg(u->db));
		goto fail;
	}
	sqlite3_finalize(st);
	sqlite3_finalize(meta);
	if (store_commit(u->db, err, errlen) == -1) {
		store_rollback(u->db);
		return -1;
	}
	if (reg->count > 0)
		log_info("registry: %zu changes applied (%zu for cylinders not held here), "
		         "version %lld",
		    reg->count, unknown, (long long)reg->version);
	return 0;
fail:
	sqlite3_finalize(st);
	sqlite3_finalize(meta);
	store_rollback(u->db);
	return -1;
}

static int
pull_registry(struct uplink *u, char *err, size_t errlen)
{
	struct coaplink_response resp;
	struct wire_registry reg;
	char query[40];
	int more = 1, rounds = 0;

	while (more && rounds++ < 100 && !stopping(u)) {
		snprintf(query, sizeof(query), "since=%lld", (long long)registry_version(u));
		if (coaplink_request(u->link, "GET", "registry", query, COAPLINK_NONE,
		        COAPLINK_FORMAT_CBOR, NULL, 0, UPLINK_REQUEST_TIMEOUT_MS, &resp, err,
		        errlen) == -1)
			return -1;
		if (resp.code != 205) {
			coaplink_response_free(&resp);
			return err_set(err, errlen, "registry answered %d", resp.code);
		}
		if (wire_decode_registry(resp.data, resp.len, &reg, err, errlen) == -1) {
			coaplink_response_free(&resp);
			return -1;
		}
		coaplink_response_free(&resp);
		if (apply_registry(u, &reg, err, errlen) == -1) {
			wire_registry_free(&reg);
			return -1;
		}
		more = reg.more;
		wire_registry_free(&reg);
	}
	pthread_mutex_lock(&u->lock);
	u->status.registry_version = registry_version(u);
	pthread_mutex_unlock(&u->lock);
	return 0;
}

/* ---- the thread ------------------------------------------------------------------ */

static void *
run(void *arg)
{
	struct uplink *u = arg;
	char err[256];
	int64_t now, window_start = time_mono_ms(), window_sent = 0, next, last_batch_ms = 0;
	int sent;

	while (!stopping(u)) {
		now = time_mono_ms();
		pthread_mutex_lock(&u->lock);
		u->status.connected = coaplink_connected(u->link);
		u->status.sessions = coaplink_sessions_opened(u->link);
		pthread_mutex_unlock(&u->lock);
		if (coaplink_backoff_left_ms(u->link) > 0) {
			wait_until(u, now + coaplink_backoff_left_ms(u->link));
			continue;
		}
		if (u->config.heartbeat_s > 0 && now >= u->next_heartbeat_ms) {
			/* after a failure, try again within seconds (the link's own
			 * back-off still applies) */
			if (heartbeat(u, err, sizeof(err)) == -1) {
				set_error(u, err);
				u->next_heartbeat_ms = now + 5000;
				continue;
			}
			u->next_heartbeat_ms = now + (int64_t)u->config.heartbeat_s * 1000;
		}
		if (u->config.registry_pull_s > 0 && now >= u->next_registry_ms) {
			if (pull_registry(u, err, sizeof(err)) == -1) {
				set_error(u, err);
				log_info("registry pull: %s", err);
				u->next_registry_ms = now + 5000;
				continue;
			}
			u->next_registry_ms = now + (int64_t)u->config.registry_pull_s * 1000;
		}
		sent = drain_once(u, err, sizeof(err));
		if (sent == -1) {
			set_error(u, err);
			log_info("uplink: %s", err);
			/* a refused or failed batch is retried after the link's back-off,
			 * or after a short pause if the link itself is fine */
			if (coaplink_backoff_left_ms(u->link) == 0)
				wait_until(u, time_mono_ms() + 1000);
			continue;
		}
		if (sent == 0) {
			pthread_mutex_lock(&u->lock);
			u->status.backlog = 0;
			pthread_mutex_unlock(&u->lock);
			next = now + UPLINK_IDLE_WAIT_MS;
			if (u->config.heartbeat_s > 0 && u->next_heartbeat_ms < next)
				next = u->next_heartbeat_ms;
			wait_until(u, next);
			continue;
		}
		/* rate limit: at most `rate` records a second, measured over a
		 * window so that batches need not be tiny */
		if (u->config.rate > 0) {
			/* a pause in sending (idle, outage, back-off) earns no
			 * credit: after it the window restarts with this batch,
			 * so a backlog drains at `rate`, not in a burst */
			if (now - last_batch_ms > 1000) {
				window_start = now;
				window_sent = 0;
			}
			window_sent += sent;
			next = window_start + window_sent * 1000 / u->config.rate;
			if (next > time_mono_ms()) {
				while (!stopping(u) && time_mono_ms() < next)
					time_sleep_ms(next - time_mono_ms() < 100
					                  ? next - time_mono_ms()
					                  : 100);
			}
			if (time_mono_ms() - window_start > 10000) {
				window_start = time_mono_ms();
				window_sent = 0;
			}
			last_batch_ms = time_mono_ms();
		}
	}
	return NULL;
}

int
uplink_start(const struct uplink_config *config, struct uplink **out, char *err, size_t errlen)
{
	struct coaplink_config lc;
	struct uplink *u;

	*out = NULL;
	if (config->batch < 1 || config->batch > WIRE_MAX_RECORDS)
		return err_set(err, errlen, "uplink batch must be 1..%d", WIRE_MAX_RECORDS);
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return err_set(err, errlen, "out of memory");
	u->config = *config;
	pthread_mutex_init(&u->lock, NULL);
	{
		pthread_condattr_t attr;

		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&u->wake, &attr);
		pthread_condattr_destroy(&attr);
	}
	if (store_open(config->db_path, schema_station, 0, &u->db, err, errlen) == -1)
		goto fail;
	memset(&lc, 0, sizeof(lc));
	str_copy(lc.host, config->host, sizeof(lc.host));
	lc.port = config->port;
	if (config->psk_identity[0] != '\0')
		str_copy(lc.identity, config->psk_identity, sizeof(lc.identity));
	else
		snprintf(lc.identity, sizeof(lc.identity), "station:%s", config->station_id);
	memcpy(lc.key, config->psk_key, config->psk_key_len);
	lc.key_len = config->psk_key_len;
	lc.ack_timeout_ms = config->ack_timeout_ms;
	lc.max_retransmit = config->max_retransmit;
	lc.backoff_max_ms = config->backoff_max_ms;
	lc.cancel = &u->stop;
	if (coaplink_new(&lc, &u->link, err, errlen) == -1) {
		OPENSSL_cleanse(&lc, sizeof(lc));
		goto fail;
	}
	OPENSSL_cleanse(&lc, sizeof(lc));
	u->status.backlog = backlog(u);
	u->status.registry_version = registry_version(u);
	if (pthread_create(&u->thread, NULL, run, u) != 0) {
		err_set(err, errlen, "cannot start the uplink thread");
		goto fail;
	}
	*out = u;
	return 0;
fail:
	coaplink_free(u->link);
	if (u->db != NULL)
		store_close(u->db);
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->wake);
	OPENSSL_cleanse(&u->config, sizeof(u->config));
	free(u);
	return -1;
}

void
uplink_stop(struct uplink *u)
{
	if (u == NULL)
		return;
	pthread_mutex_lock(&u->lock);
	__atomic_store_n(&u->stop, 1, __ATOMIC_RELAXED);
	pthread_cond_signal(&u->wake);
	pthread_mutex_unlock(&u->lock);
	pthread_join(u->thread, NULL);
	coaplink_free(u->link);
	store_close(u->db);
	pthread_mutex_destroy(&u->lock);
	pthread_cond_destroy(&u->wake);
	OPENSSL_cleanse(&u->config, sizeof(u->config));
	free(u);
}

void
uplink_get_status(struct uplink *u, struct uplink_status *out)
{
	pthread_mutex_lock(&u->lock);
	*out = u->status;
	pthread_mutex_unlock(&u->lock);
}

void
uplink_kick(struct uplink *u)
{
	/* trylock: the caller is the fill line, which must never wait here */
	if (pthread_mutex_trylock(&u->lock) != 0)
		return;
	u->kicked = 1;
	pthread_cond_signal(&u->wake);
	pthread_mutex_unlock(&u->lock);
}
