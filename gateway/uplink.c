/*
 * uplink: the gateway's side of the county link (see uplink.h): one thread
 * that starts, serves and watches the uplink process.
 *
 * Everything the uplink process sends is checked twice: upchan_parse checks
 * each message on its own (lengths, text, ranges), this file checks that it
 * fits the conversation (an ACK only for a batch handed out, a delta's rows
 * counted).  A message that fails either check is logged and ends that
 * uplink process; the next one starts after the back-off.  Failures of the
 * station database are not the uplink's fault: they are logged and
 * answered (an empty batch, a refused delta), and the uplink keeps running.
 *
 * The outbox is records.c's: this thread reads its oldest records and
 * trims it through records_outbox_* (records.h), on a connection of its
 * own; it decides only how far a trim may go (take_ack).
 *
 * A batch the county refuses with 4.00 (it stores none of it) is split
 * until the refused record is alone (take_refused): the next batches hold
 * fewer records, from the oldest on: up to the record the county's text
 * names when that names one of the batch (a hint, not trusted: a wrong
 * one only costs another split), else half.  A batch of one record that
 * the county refuses naming that very record is set aside with the
 * county's reason (records_outbox_set_aside) and the rest goes on.  One
 * refused without being named is the county refusing the station, not a
 * record: nothing is set aside, the batch is tried again as today.
 * docs/fill-line.md, "Records the county refuses", says why a lying
 * uplink process gains nothing by this.
 */
#include "uplink.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "log.h"
#include "records.h"
#include "registry.h"
#include "store.h"
#include "upchan.h"
#include "uplinkproc.h"
#include "util.h"
#include "wire.h"

#define RESTART_MIN_MS 1000    /* first restart after an uplink process ended */
#define RESTART_MAX_MS 30000   /* the back-off doubles up to this */
#define RESTART_RESET_MS 10000 /* one that ran this long restarts after RESTART_MIN_MS */
#define START_QUIET_MS 10000   /* a new uplink process reports within this */
#define REPLY_TIMEOUT_MS 5000  /* room for an answer on the channel */
#define STOP_GRACE_MS 1000     /* SIGTERM, then this, then SIGKILL */
#define LOOP_MS 250            /* the thread passes at least this often */
#define STALE_MS 8000          /* uplink_healthy: a pass within this (> a busy database) */
#define MESSAGES_PER_PASS 64
#define FORGET_EVERY_MS 60000 /* acknowledged rows past their keep time, looked for */
#define FORGET_ROWS 500       /* deleted per transaction */
#define FORGET_PASSES 20      /* transactions per look, at most */
/* a county mark further than this above the station's last seq renumbers
 * nothing: a station restored from a backup, or a new box of the same
 * identity, is behind by its records since, and 100,000,000 is over a
 * century of a busy station's (rev98: 100,000, the first bound, is 50 days,
 * and a replaced box then waited for a person with nothing to do); a mark
 * beyond it is no county's but a lying uplink's */
#define AHEAD_MAX 100000000

extern char **environ;

struct uplink {
	struct uplink_config config;
	int switch_user; /* the uplink process becomes uid/gid */
	uid_t uid;
	gid_t gid;
	pthread_t thread;
	pthread_mutex_t lock; /* status */
	struct uplink_status status;
	int wake_fd;     /* eventfd: kicks and stop */
	int stop;        /* atomic */
	int64_t loop_ms; /* atomic: the thread's last pass (monotonic) */
	sqlite3 *db;
	/* held by the thread while it works with db (a connection of one
	 * thread, SQLITE_OPEN_NOMUTEX); uplink_release_memory only tries it */
	pthread_mutex_t db_lock;
	/* the uplink process: the thread's alone */
	pid_t pid; /* 0: none */
	int fd;    /* our end of its channel, -1: none */
	int64_t started_ms, heard_ms, quiet_ms, restart_at_ms, restart_delay_ms;
	int started_once;
	int kick_sent;      /* a KICK is on its way; it has not spoken since */
	int batch_out;      /* a batch was handed out, no ACK yet */
	int64_t handed_max; /* highest seq handed to any uplink process */
	int64_t *handed;    /* the seqs of the batch out (config.batch of them) */
	size_t handed_count;
	/* splitting a refused batch: the oldest `window` records hold one the
	 * county refuses; the next batch holds at most probe_limit records */
	size_t window;
	int probe_limit;
	int bad_first;        /* the county named the first of the window */
	int64_t gap_warned;   /* the last county mark below a batch logged */
	int64_t ahead_warned; /* the last county mark beyond AHEAD_MAX logged */
	/* the county mark at which acknowledged records were last put back
	 * (-1: none since its mark passed it), and whether a batch carrying
	 * the first of them was acknowledged since: a county that takes them
	 * again and still does not count the one after its mark is not sent
	 * them a third time */
	int64_t reacked_at;
	int reack_acked;
	int64_t reack_first, reack_last; /* the seqs put back at reacked_at */
	/* the mark, how many records the county lacked above it, and how many
	 * of those for good (acknowledged, no longer kept here), last logged
	 * (-1: none) */
	int64_t lost_at, lost_lacking, lost_n;
	char refusal[UPCHAN_REASON]; /* the last refusal logged (logged once) */
	struct wire_registry delta;  /* rows of a delta coming in */
	size_t delta_cap;
	int64_t counted_ms; /* backlog last counted */
	int64_t forgot_ms;  /* acknowledged rows past their keep time last deleted (0: never) */
	char db_error[128]; /* last database error logged (logged once) */
	uint8_t buf[UPCHAN_MAX_MSG];
};

static int
stopping(struct uplink *u)
{
	return __atomic_load_n(&u->stop, __ATOMIC_RELAXED);
}

/* A database failure: logged when it is new, shown in the status. */
static void
db_failed(struct uplink *u, const char *what, const char *err)
{
	char text[128];

	snprintf(text, sizeof(text), "station database: %s: %s", what, err);
	if (strcmp(text, u->db_error) != 0)
		log_warnx("uplink: %s", text);
	str_copy(u->db_error, text, sizeof(u->db_error));
	pthread_mutex_lock(&u->lock);
	str_copy(u->status.last_error, text, sizeof(u->status.last_error));
	pthread_mutex_unlock(&u->lock);
}

/* Count the outbox again for the status (every second, and after an ACK). */
static void
count_backlog(struct uplink *u)
{
	int64_t backlog = records_outbox_count(u->db, NULL);
	int64_t aside = records_outbox_aside_count(u->db);
	int64_t version = registry_version_held(u->db);

	u->counted_ms = time_mono_ms();
	pthread_mutex_lock(&u->lock);
	u->status.backlog = backlog;
	u->status.aside = aside;
	u->status.registry_version = version;
	pthread_mutex_unlock(&u->lock);
}

/* ---- answers to the uplink process --------------------------------------------- */

/* STATE; the oldest record's time (a scan of the outbox) only when asked
 * for it (heartbeats), not after every batch. */
static int
send_state(struct uplink *u, int with_oldest, char *err, size_t errlen)
{
	struct upchan_state s;
	int64_t aside;

	memset(&s, 0, sizeof(s));
	s.backlog = records_outbox_count(u->db, with_oldest ? &s.oldest_ms : NULL);
	s.registry_version = registry_version_held(u->db);
	s.log_level = (int32_t)log_get_level();
	aside = records_outbox_aside_count(u->db);
	s.aside = aside < 0 ? 0 : aside > INT32_MAX ? INT32_MAX : (int32_t)aside;
	u->counted_ms = time_mono_ms();
	pthread_mutex_lock(&u->lock);
	s.last_ack = u->status.last_ack;
	u->status.backlog = s.backlog;
	u->status.registry_version = s.registry_version;
	pthread_mutex_unlock(&u->lock);
	if (s.backlog < 0)
		s.backlog = 0;
	if (s.oldest_ms < 0)
		s.oldest_ms = 0;
	return upchan_send(u->fd, UPCHAN_STATE, &s, sizeof(s), NULL, 0, REPLY_TIMEOUT_MS, err,
	    errlen);
}

/*
 * BATCH_REQ: the oldest records, encoded, in parts.  A batch that would
 * not fit UPCHAN_MAX_BATCH (curves are large) is read again with half as
 * many records.  A database failure answers with an empty batch.
 */
static int
hand_out_batch(struct uplink *u, char *err, size_t errlen)
{
	struct upchan_batch part;
	struct wire_batch batch;
	uint8_t *payload = NULL;
	size_t len = 0, off, n;
	char why[256];
	int limit = u->probe_limit > 0 && u->probe_limit < u->config.batch ? u->probe_limit
	                                                                   : u->config.batch;

	memset(&part, 0, sizeof(part));
	for (;;) {
		if (records_outbox_read(u->db, u->config.station_id, u->config.township, limit,
		        &batch, why, sizeof(why)) == -1) {
			db_failed(u, "outbox", why);
			break;
		}
		u->db_error[0] = '\0';
		if (batch.count == 0) {
			wire_batch_free(&batch);
			break;
		}
		if (wire_encode_batch(&batch, &payload, &len) == -1) {
			db_failed(u, "outbox", "a batch cannot be encoded");
			wire_batch_free(&batch);
			payload = NULL;
			break;
		}
		if (len > UPCHAN_MAX_BATCH && batch.count > 1) {
			limit = (int)batch.count / 2;
			wire_batch_free(&batch);
			free(payload);
			payload = NULL;
			continue;
		}
		if (len > UPCHAN_MAX_BATCH) {
			db_failed(u, "outbox", "one record is larger than a batch may be");
			wire_batch_free(&batch);
			free(payload);
			payload = NULL;
			break;
		}
		part.count = (uint32_t)batch.count;
		part.total = (uint32_t)len;
		part.first_seq = batch.records[0].seq;
		part.last_seq = batch.records[batch.count - 1].seq;
		for (n = 0; n < batch.count; n++)
			u->handed[n] = batch.records[n].seq;
		u->handed_count = batch.count;
		wire_batch_free(&batch);
		break;
	}
	if (part.count == 0)
		return upchan_send(u->fd, UPCHAN_BATCH, &part, sizeof(part), NULL, 0,
		    REPLY_TIMEOUT_MS, err, errlen);
	for (off = 0; off < len; off += n) {
		n = len - off < UPCHAN_BATCH_PART ? len - off : UPCHAN_BATCH_PART;
		part.offset = (uint32_t)off;
		if (upchan_send(u->fd, UPCHAN_BATCH, &part, sizeof(part), payload + off, n,
		        REPLY_TIMEOUT_MS, err, errlen) == -1) {
			free(payload);
			return -1;
		}
	}
	free(payload);
	u->batch_out = 1;
	if (part.last_seq > u->handed_max)
		u->handed_max = part.last_seq;
	return 0;
}

/* The county's text, made one line of at most UPCHAN_REASON - 1 bytes. */
static void
plain_text(char *out, size_t outlen, const char *in)
{
	str_copy(out, in, outlen);
	for (char *c = out; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
}

/* A batch went through (ACK) or was refused: the split moves on. */
static void
probe_passed(struct uplink *u, size_t count)
{
	if (u->window == 0)
		return;
	if (count >= u->window) {
		/* the refused record was not among them after all (the county's
		 * configuration changed, or a record was retried): back to full
		 * batches, which split again if refused again */
		u->window = 0;
		u->probe_limit = 0;
		u->bad_first = 0;
		return;
	}
	u->window -= count;
	u->probe_limit = u->bad_first ? 1 : (int)((u->window + 1) / 2);
	u->bad_first = 0;
}

/*
 * The county's mark hwm (an ACK's, or a heartbeat's answer) is above every
 * seq this station ever gave a record: the county holds records of this
 * station that the station never wrote, so the station's database was put
 * back from an older backup (or put back empty) and its numbering went
 * back with it.  Its records since then took seqs the county already
 * holds for others, and the county keeps the first copy, answering the
 * new one as held (a conflict, C06): taken as delivered, they would be
 * lost.  So nothing of the batch is taken; every record not yet
 * acknowledged (the outbox, set-aside rows too) is renumbered after the
 * county's mark, keeping its uuid, in one transaction
 * (records_outbox_renumber), and sent again; the seqs the county holds
 * between the two are its own (the station's, from before the restore).
 * Said once per renumbering.  1 when the mark was above (the caller takes
 * nothing of a batch, also when the database failed or the mark is not
 * believed), 0 when not; *outbox_last (when not NULL) the last seq the
 * station had numbered.
 *
 * A mark comes from the uplink process, which the gateway does not trust
 * (docs/design.md, V8): a forged one above makes at worst a renumbering
 * and a resend (and a gap at the county, its C04), never a record taken
 * out of the outbox; one more than AHEAD_MAX above renumbers nothing and
 * takes nothing: said once per mark, the records wait for a person.
 */
static int
county_ahead(struct uplink *u, int64_t hwm, int64_t *outbox_last)
{
	struct records_renumber r;
	int64_t last = records_outbox_last_seq(u->db);
	char why[256];
	int rc;

	if (outbox_last != NULL)
		*outbox_last = last;
	if (hwm <= last)
		return 0;
	if (hwm - last > AHEAD_MAX) {
		if (u->ahead_warned != hwm)
			log_warnx("the county says it holds this station's records up to seq %lld, "
			          "more than %d above the last this station numbered (%lld): not "
			          "believed, nothing renumbered, no record taken as delivered",
			    (long long)hwm, AHEAD_MAX, (long long)last);
		u->ahead_warned = hwm;
		return 1;
	}
	rc = records_outbox_renumber(u->db, hwm, &r, why, sizeof(why));
	if (rc == -1) {
		db_failed(u, "outbox renumber", why);
		return 1;
	}
	if (rc == 0)
		return 0;
	if (r.count > 0)
		log_warnx("the county holds this station's records up to seq %lld, but this "
		          "station's numbering stopped at seq %lld (its database restored from "
		          "a backup?): its %lld records not yet acknowledged renumbered to seq "
		          "%lld..%lld and sent again",
		    (long long)hwm, (long long)r.was_last, (long long)r.count, (long long)r.first,
		    (long long)r.last);
	else
		log_warnx("the county holds this station's records up to seq %lld, but this "
		          "station's numbering stopped at seq %lld (its database restored from "
		          "a backup?): its next record takes seq %lld",
		    (long long)hwm, (long long)r.was_last, (long long)hwm + 1);
	/* what the thread remembers by seq is of the old numbering: a batch
	 * out (its ACK, if one comes, takes nothing), a split, a put back */
	u->handed_count = 0;
	u->handed_max = 0;
	u->window = 0;
	u->probe_limit = 0;
	u->bad_first = 0;
	u->gap_warned = -1;
	u->reacked_at = -1;
	u->reack_acked = 0;
	u->lost_at = -1;
	pthread_mutex_lock(&u->lock);
	u->status.last_ack = hwm;
	pthread_mutex_unlock(&u->lock);
	count_backlog(u);
	uplink_kick(u);
	return 1;
}

/*
 * The county's contiguous mark is hwm (an ACK's, after the rows it covers
 * were taken; or a heartbeat's answer), the highest seq it may hold `last`
 * (0: the heartbeat's, not known), and held how many of this station's
 * records it holds (the mark and those above it; 0: not said, a county of
 * before).  A mark below a record it had acknowledged, or fewer held
 * above the mark than it had acknowledged there (behind a set-aside
 * record the mark stops, review rev96): it lost them (its database
 * restored from a backup), and every acknowledged record above the mark
 * goes out again (said once: the rows are back in the outbox after).  A
 * mark below a record the station no longer holds at all (kept past
 * acked_keep_days, or from before the station kept them): said once; the
 * county's C04 needs a person.
 *
 * held comes from the uplink process, which the gateway does not trust
 * (docs/design.md, V8): one below the mark is not believed (not said);
 * one too small makes records be sent again once at this mark (as a
 * forged mark does), one too large puts back nothing (as before).
 */
/*
 * The county lacks `lacking` records above its mark that the station had
 * acknowledged, after those it still kept were put back and taken again.
 * n of them (no more than it forgot) the station no longer keeps: they
 * cannot be sent again.  The rest it sent again and the county took
 * without counting them (it holds their uuids at other seqs, C06): not
 * sent a third time.  Said once per mark and count lacking (more lacking
 * at the same mark is a new loss: the caller puts back again, once).
 */
static void
county_lost(struct uplink *u, int64_t hwm, int64_t lacking, int64_t n)
{
	struct records_above ab;

	if (u->lost_at == hwm && u->lost_lacking == lacking)
		return;
	/* the forgotten seqs' range: looked for only to be said */
	if (records_outbox_above(u->db, hwm, 1, &ab) == -1) {
		db_failed(u, "outbox resend", sqlite3_errmsg(u->db));
		return;
	}
	u->lost_at = hwm;
	u->lost_lacking = lacking;
	u->lost_n = n;
	if (lacking > n)
		log_warnx("the county took this station's records above its mark (seq %lld) "
		          "again and still lacks %lld it was sent: not sending them again (the "
		          "county's C04 and C06 need a person)",
		    (long long)hwm, (long long)(lacking - n));
	if (n > 0)
		log_warnx(
		    "the county lacks %lld of this station's records it had acknowledged above its "
		    "mark (seq %lld), among seq %lld..%lld, which this station no longer keeps "
		    "(acked_keep_days): lost for good (a person restores them from the "
		    "county's backups)",
		    (long long)n, (long long)hwm, (long long)ab.gone_first,
		    (long long)ab.gone_last);
}

static void
county_behind(struct uplink *u, int64_t hwm, int64_t last, int64_t held)
{
	struct records_reack back;
	struct records_above ab;
	/* how many the county holds above its mark, -1: not said */
	int64_t above = held > 0 && held >= hwm ? held - hwm : -1;
	/* how many of those the station had acknowledged there it lacks
	 * (review rev101: counted by the station's numbering, the rows it
	 * forgot included, not by the rows it still keeps) */
	int64_t lacking = 0;
	char why[256];
	int rc, settled;

	memset(&ab, 0, sizeof(ab));
	/* held tells what a mark cannot only behind a record that waits here
	 * (set aside: rev96).  With seq hwm + 1 not here at all (lost before
	 * it was sent, or forgotten), the mark itself says what the county
	 * lacks (said below; C04 at the county): counted as acknowledged, that
	 * record would have the county's records sent again and the gap called
	 * a loss of forgotten rows */
	if (above >= 0 && records_outbox_holds(u->db, hwm + 1) != 1)
		above = -1;
	if (above >= 0) {
		if (records_outbox_above(u->db, hwm, 0, &ab) == -1) {
			db_failed(u, "outbox resend", sqlite3_errmsg(u->db));
			return;
		}
		lacking = ab.acked - above;
	}
	if (u->reacked_at >= 0 && hwm > u->reacked_at)
		u->reacked_at = -1; /* the county went past it: a later loss is news */
	if (u->reacked_at >= 0 && hwm == u->reacked_at && above >= 0) {
		/* the records put back at this mark were all taken again (or
		 * set aside): what the county still lacks was forgotten here */
		settled = records_outbox_waiting(u->db, u->reack_first, u->reack_last) == 0;
		if (lacking <= 0)
			u->reacked_at = -1; /* it holds them all again: a later loss is news */
		else if (settled && u->lost_at == hwm && lacking > u->lost_lacking)
			/* it lacks more than it did: a new loss.  Compared with
			 * what it lacked, not with what of it was forgotten here:
			 * records it takes without counting them (C06) would put
			 * them back at every other heartbeat, for ever */
			u->reacked_at = -1;
		else if (settled && ab.gone > 0)
			county_lost(u, hwm, lacking, lacking < ab.gone ? lacking : ab.gone);
	}
	if (u->reacked_at >= 0 && hwm == u->reacked_at) {
		/* put back once at this mark already: on their way, or taken again
		 * without the county counting seq hwm + 1 (it holds that record's
		 * uuid at another seq, say: C06 at the county).  Sending them a
		 * third time would repeat that at every heartbeat, for ever */
		if (u->reack_acked && u->gap_warned != hwm && u->lost_at != hwm) {
			u->gap_warned = hwm;
			log_warnx("the county took seq %lld..%lld again and still holds this "
			          "station's records only up to seq %lld: not sending them again "
			          "(the county's C04 and C06 need a person)",
			    (long long)hwm + 1, (long long)last, (long long)hwm);
		}
		return;
	}
	rc = records_outbox_reack(u->db, hwm, above, &back, why, sizeof(why));
	if (rc == -1) {
		db_failed(u, "outbox resend", why);
		return;
	}
	if (rc == 1) {
		if (back.first == hwm + 1)
			log_warnx(
			    "the county holds this station's records only up to seq %lld, but "
			    "had acknowledged up to seq %lld (its database restored from an "
			    "older backup?): sending seq %lld..%lld again (%lld records)",
			    (long long)hwm, (long long)back.last, (long long)back.first,
			    (long long)back.last, (long long)back.count);
		else
			log_warnx(
			    "the county holds %lld of this station's records above its mark "
			    "(seq %lld), but had acknowledged %lld there (its database restored "
			    "from an older backup?): sending seq %lld..%lld again (%lld records; "
			    "%lld more this station no longer keeps)",
			    (long long)above, (long long)hwm, (long long)ab.acked,
			    (long long)back.first, (long long)back.last, (long long)back.count,
			    (long long)ab.gone);
		u->gap_warned = -1;
		u->lost_at = -1; /* what it lacks once these are taken is said anew */
		u->reacked_at = hwm;
		u->reack_acked = 0;
		u->reack_first = back.first;
		u->reack_last = back.last;
		pthread_mutex_lock(&u->lock);
		if (u->status.last_ack > hwm)
			u->status.last_ack = hwm;
		pthread_mutex_unlock(&u->lock);
		count_backlog(u);
		uplink_kick(u);
		return;
	}
	/* nothing kept here to send again behind a record that waits here
	 * (set aside): what the county lacks above it is lost (a mark below a
	 * forgotten one is said below) */
	if (above >= 0 && lacking > 0 && ab.kept == 0 && ab.gone > 0 &&
	    records_outbox_holds(u->db, hwm + 1) == 1)
		county_lost(u, hwm, lacking, lacking < ab.gone ? lacking : ab.gone);
	if (hwm < last && hwm != u->gap_warned && records_outbox_holds(u->db, hwm + 1) == 0 &&
	    records_outbox_acked_holds(u->db, hwm + 1) == 0) {
		u->gap_warned = hwm;
		log_warnx("the county holds this station's records only up to seq %lld: it lacks "
		          "seq %lld, which the station no longer holds",
		    (long long)hwm, (long long)hwm + 1);
	}
}

/* A heartbeat's mark: above every seq the station gave (county_ahead), or
 * behind what the county had acknowledged (county_behind). */
static void
county_mark(struct uplink *u, int64_t hwm, int64_t held)
{
	int64_t last;

	if (!county_ahead(u, hwm, &last))
		county_behind(u, hwm, last, held);
}

/* ACK: the county holds every seq up to hwm, and (a 2.04 to the batch
 * stores it all or nothing) every record of the batch. */
static int
take_ack(struct uplink *u, const struct upchan_ack *ack, char *err, size_t errlen)
{
	char why[256];
	/* never above what an uplink was given: a lying one can only make
	 * records be sent again, not drop one it never saw */
	int64_t mark = ack->hwm < u->handed_max ? ack->hwm : u->handed_max;
	int64_t last = u->handed_count > 0 ? u->handed[u->handed_count - 1] : 0;

	u->batch_out = 0;
	/* a county ahead of every seq the station gave: none of the batch is
	 * taken (the county may hold other records at its seqs) */
	if (county_ahead(u, ack->hwm, NULL)) {
		u->handed_count = 0;
		return send_state(u, 0, err, errlen);
	}
	if (records_outbox_trim(u->db, mark, why, sizeof(why)) == -1)
		db_failed(u, "outbox delete", why);
	/*
	 * Behind a set-aside record the county's contiguous mark stops; the
	 * records after it are stored there all the same, and go from the
	 * outbox by the batch the county took, so none is sent for ever.
	 */
	if (u->handed_count > 0 &&
	    (uint64_t)(ack->stored + ack->duplicates) == (uint64_t)u->handed_count &&
	    records_outbox_delivered(u->db, u->handed, u->handed_count, why, sizeof(why)) == -1)
		db_failed(u, "outbox delete", why);
	if (u->reacked_at >= 0 && ack->hwm > u->reacked_at)
		u->reacked_at = -1; /* the county went past it: a later loss is news */
	/* the batch carried the first record put back: the county took it */
	if (u->reacked_at >= 0 && u->handed_count > 0 && u->handed[0] <= u->reacked_at + 1 &&
	    last >= u->reacked_at + 1)
		u->reack_acked = 1;
	if (ack->hwm < last)
		county_behind(u, ack->hwm, last, ack->held);
	probe_passed(u, u->handed_count);
	u->handed_count = 0;
	pthread_mutex_lock(&u->lock);
	u->status.sent += ack->stored + ack->duplicates;
	if (ack->hwm > u->status.last_ack)
		u->status.last_ack = ack->hwm;
	u->status.last_ack_ms = time_wall_ms();
	pthread_mutex_unlock(&u->lock);
	return send_state(u, 0, err, errlen);
}

/*
 * Which record of the batch out the county's text names ("record N (seq
 * S): ..."): N, when N and S agree with what was handed out; else -1.
 */
static long
named_record(const struct uplink *u, const char *reason)
{
	const char *p = strstr(reason, "record ");
	unsigned long n;
	long long seq;
	char close;

	if (p == NULL || sscanf(p, "record %lu (seq %lld%c", &n, &seq, &close) != 3 ||
	    close != ')' || n >= u->handed_count || u->handed[n] != seq)
		return -1;
	return (long)n;
}

/* REFUSED: the county answered 4.00 to the batch out and stored none of it. */
static int
take_refused(struct uplink *u, const struct upchan_refused *r, char *err, size_t errlen)
{
	char reason[UPCHAN_REASON], why[256];
	size_t n = u->handed_count;
	long named;
	int rc;

	u->batch_out = 0;
	plain_text(reason, sizeof(reason), r->reason);
	if (reason[0] == '\0')
		str_copy(reason, "refused (4.00), no reason given", sizeof(reason));
	named = named_record(u, reason);
	if (n == 1 && named == 0) {
		rc = records_outbox_set_aside(u->db, u->handed[0], reason, time_wall_ms(), why,
		    sizeof(why));
		if (rc == -1)
			db_failed(u, "outbox set aside", why);
		else if (rc == 1)
			log_warnx("record seq %lld set aside: the county refused it (%s); the "
			          "records after it go on (gasctl aside)",
			    (long long)u->handed[0], reason);
		u->window = 0;
		u->probe_limit = 0;
		u->bad_first = 0;
	} else if (n <= 1) {
		/* not the record: the station (or a link that lies); as before */
		if (strcmp(reason, u->refusal) != 0)
			log_warnx("the county refuses this station's records without naming one "
			          "(%s); trying again",
			    reason);
		str_copy(u->refusal, reason, sizeof(u->refusal));
		u->window = 0;
		u->probe_limit = 0;
		u->bad_first = 0;
	} else {
		u->window = n;
		u->bad_first = named > 0;
		u->probe_limit = named > 0 ? (int)named : named == 0 ? 1 : (int)(n / 2);
		log_info("the county refused a batch of %zu records (%s); sending %d of them", n,
		    reason, u->probe_limit);
	}
	u->handed_count = 0;
	count_backlog(u);
	return send_state(u, 0, err, errlen);
}

static int
take_registry_row(struct uplink *u, const struct wire_registry_row *row, char *err, size_t errlen)
{
	struct wire_registry_row *rows;
	size_t cap;

	if (u->delta.count >= WIRE_MAX_ROWS)
		return err_set(err, errlen, "more than %d registry rows in one delta",
		    WIRE_MAX_ROWS);
	if (u->delta.count == u->delta_cap) {
		cap = u->delta_cap == 0 ? 256 : u->delta_cap * 2;
		if (cap > WIRE_MAX_ROWS)
			cap = WIRE_MAX_ROWS;
		if ((rows = realloc(u->delta.rows, cap * sizeof(*rows))) == NULL)
			return err_set(err, errlen, "out of memory");
		u->delta.rows = rows;
		u->delta_cap = cap;
	}
	u->delta.rows[u->delta.count++] = *row;
	return 0;
}

/* REGISTRY_END: apply the rows through the registry module, answer. */
static int
apply_delta(struct uplink *u, const struct upchan_registry_end *end, char *err, size_t errlen)
{
	struct upchan_registry_done done;
	char why[256];
	size_t unknown = 0;

	if (end->count != u->delta.count)
		return err_set(err, errlen, "REGISTRY_END counts %u rows, %zu came",
		    (unsigned)end->count, u->delta.count);
	memset(&done, 0, sizeof(done));
	u->delta.version = end->version;
	u->delta.more = end->more;
	if (registry_apply_delta(u->db, &u->delta, &unknown, why, sizeof(why)) == -1) {
		log_warnx("registry delta to version %lld refused: %s", (long long)end->version,
		    why);
		str_copy(done.error, why, sizeof(done.error));
		for (char *c = done.error; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = ' ';
	} else {
		done.ok = 1;
		if (u->delta.count > 0)
			log_info("registry: %zu changes applied (%zu for cylinders not held here), "
			         "version %lld",
			    u->delta.count, unknown, (long long)end->version);
	}
	u->delta.count = 0;
	done.version = registry_version_held(u->db);
	if (done.version < 0)
		done.version = 0;
	pthread_mutex_lock(&u->lock);
	u->status.registry_version = done.version;
	pthread_mutex_unlock(&u->lock);
	return upchan_send(u->fd, UPCHAN_REGISTRY_DONE, &done, sizeof(done), NULL, 0,
	    REPLY_TIMEOUT_MS, err, errlen);
}

/* One checked message; -1 ends the uplink process (err says why). */
static int
handle(struct uplink *u, const struct upchan_msg *m, char *err, size_t errlen)
{
	if (u->delta.count > 0 && m->type != UPCHAN_REGISTRY_ROW && m->type != UPCHAN_REGISTRY_END)
		return err_set(err, errlen, "%s in the middle of a registry delta",
		    upchan_type_name(m->type));
	switch (m->type) {
	case UPCHAN_STATUS:
		u->quiet_ms = m->body.status.quiet_ms;
		pthread_mutex_lock(&u->lock);
		u->status.connected = m->body.status.connected;
		u->status.sessions = m->body.status.sessions;
		if (u->db_error[0] == '\0')
			str_copy(u->status.last_error, m->body.status.last_error,
			    sizeof(u->status.last_error));
		pthread_mutex_unlock(&u->lock);
		return 0;
	case UPCHAN_STATE_REQ:
		return send_state(u, 1, err, errlen);
	case UPCHAN_BATCH_REQ:
		return hand_out_batch(u, err, errlen);
	case UPCHAN_ACK:
		if (!u->batch_out)
			return err_set(err, errlen, "an ACK for no batch");
		return take_ack(u, &m->body.ack, err, errlen);
	case UPCHAN_MARK:
		/* answered by nothing; a batch out is answered on its own */
		county_mark(u, m->body.mark.hwm, m->body.mark.held);
		return 0;
	case UPCHAN_REFUSED:
		if (!u->batch_out)
			return err_set(err, errlen, "a refusal of no batch");
		return take_refused(u, &m->body.refused, err, errlen);
	case UPCHAN_REGISTRY_ROW:
		return take_registry_row(u, &m->body.registry_row, err, errlen);
	case UPCHAN_REGISTRY_END:
		return apply_delta(u, &m->body.registry_end, err, errlen);
	default:
		return err_set(err, errlen, "%s is not for the gateway", upchan_type_name(m->type));
	}
}

/* ---- the uplink process ---------------------------------------------------------- */

/* 1 if this process may give a child another user. */
static int
may_change_users(void)
{
	struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	uint32_t need = (1u << CAP_SETUID) | (1u << CAP_SETGID);

	if (geteuid() == 0)
		return 1;
	memset(caps, 0, sizeof(caps));
	if (syscall(SYS_capget, &head, caps) == -1)
		return 0;
	return (caps[0].effective & need) == need;
}

/*
 * The environment for the uplink process: gasgw's, less what is addressed
 * to gasgw alone (systemd's notify socket and watchdog, passed sockets).
 * A malloc'd array of pointers into environ, or NULL when out of memory.
 */
static char **
uplink_environment(void)
{
	static const char *const withheld[] = { "NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID=",
		"LISTEN_FDS=", "LISTEN_PID=", "LISTEN_FDNAMES=" };
	char **envp;
	size_t n = 0, i, k, out = 0;

	while (environ[n] != NULL)
		n++;
	if ((envp = calloc(n + 1, sizeof(*envp))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		for (k = 0; k < sizeof(withheld) / sizeof(withheld[0]); k++)
			if (strncmp(environ[i], withheld[k], strlen(withheld[k])) == 0)
				break;
		if (k == sizeof(withheld) / sizeof(withheld[0]))
			envp[out++] = environ[i];
	}
	return envp;
}

/*
 * In the child of fork(): make the channel descriptor UPCHAN_FD, close
 * every other one above it and run this binary as the uplink process.
 * The gateway has threads, so only async-signal-safe calls until execve.
 */
static _Noreturn void
exec_uplink(int fd, char **envp)
{
	static char arg0[] = "gasgw-uplink", arg1[] = UPLINKPROC_FLAG;
	char *argv[] = { arg0, arg1, NULL };
	sigset_t none;

	if (fd == UPCHAN_FD ? fcntl(fd, F_SETFD, 0) == -1 : dup2(fd, UPCHAN_FD) == -1)
		_exit(127);
	/* not the database, a bus, the control socket, a scanner: nothing */
	if (syscall(SYS_close_range, UPCHAN_FD + 1, ~0U, 0) == -1)
		for (int i = UPCHAN_FD + 1; i < 65536; i++)
			close(i);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* it dies with the thread that started it (and so with the gateway) */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	execve("/proc/self/exe", argv, envp);
	_exit(127);
}

static void
describe_exit(int st, char *out, size_t outlen)
{
	if (WIFSIGNALED(st))
		snprintf(out, outlen, "killed by signal %d", WTERMSIG(st));
	else if (WIFEXITED(st))
		snprintf(out, outlen, "exited with status %d", WEXITSTATUS(st));
	else
		snprintf(out, outlen, "ended");
}

/*
 * End the uplink process: why NULL when we stop or it went by itself
 * (ask, then kill after STOP_GRACE_MS), else the reason it is killed at
 * once.  Schedules the next start.
 */
static void
end_uplink(struct uplink *u, const char *why)
{
	char how[96] = "", text[128];
	int64_t now, deadline, ran;
	pid_t pid = u->pid;
	int st = 0;

	/* a fault: killed before its channel closes, so it cannot act on that */
	if (pid > 0 && why != NULL)
		kill(pid, SIGKILL);
	if (u->fd != -1) {
		close(u->fd);
		u->fd = -1;
	}
	if (pid > 0) {
		if (why != NULL) {
			waitpid(pid, &st, 0);
		} else {
			kill(pid, SIGTERM);
			deadline = time_mono_ms() + STOP_GRACE_MS;
			while (waitpid(pid, &st, WNOHANG) == 0) {
				if (time_mono_ms() >= deadline) {
					kill(pid, SIGKILL);
					waitpid(pid, &st, 0);
					break;
				}
				time_sleep_ms(10);
			}
		}
		describe_exit(st, how, sizeof(how));
	} else {
		str_copy(how, "could not be started", sizeof(how));
		why = why != NULL ? why : "?";
	}
	u->pid = 0;
	u->batch_out = 0;
	u->handed_count = 0;
	u->kick_sent = 0;
	u->delta.count = 0;
	now = time_mono_ms();
	ran = now - u->started_ms;
	u->restart_delay_ms =
	    ran >= RESTART_RESET_MS || u->restart_delay_ms == 0
	        ? RESTART_MIN_MS
	        : (u->restart_delay_ms * 2 > RESTART_MAX_MS ? RESTART_MAX_MS
	                                                    : u->restart_delay_ms * 2);
	u->restart_at_ms = now + u->restart_delay_ms;
	if (!stopping(u)) {
		if (pid <= 0)
			log_warnx("uplink process %s (%s); trying again in %lld ms", how, why,
			    (long long)u->restart_delay_ms);
		else if (why != NULL)
			log_warnx("uplink process %d %s: stopped (%s); a new one starts in %lld ms",
			    (int)pid, why, how, (long long)u->restart_delay_ms);
		else
			log_warnx("uplink process %d %s; a new one starts in %lld ms", (int)pid,
			    how, (long long)u->restart_delay_ms);
		snprintf(text, sizeof(text), "uplink process %s; restarting", how);
	} else {
		log_info("uplink process %d stopped (%s)", (int)pid, how);
		text[0] = '\0';
	}
	pthread_mutex_lock(&u->lock);
	u->status.running = 0;
	u->status.pid = 0;
	u->status.connected = 0;
	str_copy(u->status.last_exit, how, sizeof(u->status.last_exit));
	if (text[0] != '\0')
		str_copy(u->status.last_error, text, sizeof(u->status.last_error));
	pthread_mutex_unlock(&u->lock);
}

static void
start_uplink(struct uplink *u)
{
	struct upchan_config c;
	char err[160], **envp;
	int sv[2];
	pid_t pid;

	u->started_ms = time_mono_ms();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("uplink: socketpair");
		end_uplink(u, "socketpair");
		return;
	}
	/* built before fork(): the child may not allocate */
	if ((envp = uplink_environment()) == NULL || (pid = fork()) == -1) {
		log_warn("uplink: fork");
		free(envp);
		close(sv[0]);
		close(sv[1]);
		end_uplink(u, "fork");
		return;
	}
	if (pid == 0)
		exec_uplink(sv[1], envp);
	free(envp);
	close(sv[1]);
	u->fd = sv[0];
	u->pid = pid;
	u->heard_ms = u->started_ms;
	u->quiet_ms = START_QUIET_MS;
	u->kick_sent = 0;
	u->batch_out = 0;
	u->delta.count = 0;

	memset(&c, 0, sizeof(c));
	c.version = UPCHAN_VERSION;
	c.log_level = (int32_t)log_get_level();
	c.foreground = u->config.log_foreground ? 1 : 0;
	c.switch_user = u->switch_user;
	c.uid = (uint32_t)u->uid;
	c.gid = (uint32_t)u->gid;
	str_copy(c.user, u->status.user, sizeof(c.user));
	str_copy(c.host, u->config.host, sizeof(c.host));
	c.port = u->config.port;
	str_copy(c.station_id, u->config.station_id, sizeof(c.station_id));
	str_copy(c.township, u->config.township, sizeof(c.township));
	if (u->config.psk_identity[0] != '\0')
		str_copy(c.identity, u->config.psk_identity, sizeof(c.identity));
	else
		snprintf(c.identity, sizeof(c.identity), "station:%s", u->config.station_id);
	memcpy(c.key, u->config.psk_key, u->config.psk_key_len);
	c.key_len = (uint32_t)u->config.psk_key_len;
	c.rate = u->config.rate;
	c.heartbeat_s = u->config.heartbeat_s;
	c.registry_pull_s = u->config.registry_pull_s;
	c.ack_timeout_ms = u->config.ack_timeout_ms;
	c.max_retransmit = u->config.max_retransmit;
	c.backoff_max_ms = u->config.backoff_max_ms;
	if (upchan_send(u->fd, UPCHAN_CONFIG, &c, sizeof(c), NULL, 0, REPLY_TIMEOUT_MS, err,
	        sizeof(err)) == -1) {
		OPENSSL_cleanse(&c, sizeof(c));
		end_uplink(u, "cannot be configured");
		return;
	}
	OPENSSL_cleanse(&c, sizeof(c));
	pthread_mutex_lock(&u->lock);
	if (u->started_once)
		u->status.restarts++;
	u->status.running = 1;
	u->status.pid = (int)pid;
	u->status.sessions = 0;
	pthread_mutex_unlock(&u->lock);
	u->started_once = 1;
	log_info("uplink process %d started (user %s)", (int)pid, u->status.user);
}

/* 1 once the other end of the channel is closed (the process has ended). */
static int
peer_gone(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = 0, .revents = 0 };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLHUP | POLLERR)) != 0;
}

/* Take what the uplink process sent; ends it on a fault. */
static void
read_channel(struct uplink *u)
{
	struct upchan_msg m;
	char err[256], why[300];
	size_t len;
	int i, rc;

	for (i = 0; i < MESSAGES_PER_PASS && u->fd != -1; i++) {
		rc = upchan_recv(u->fd, u->buf, &len, 0, err, sizeof(err));
		if (rc == 0)
			return;
		if (rc == -1) {
			if (strcmp(err, "closed") == 0) {
				end_uplink(u, NULL);
			} else {
				snprintf(why, sizeof(why),
				    "sent a message the gateway refuses (%s)", err);
				end_uplink(u, why);
			}
			return;
		}
		u->heard_ms = time_mono_ms();
		u->kick_sent = 0;
		if (upchan_parse(u->buf, len, UPCHAN_FROM_UPLINK, &m, err, sizeof(err)) == 0) {
			if (handle(u, &m, err, sizeof(err)) == 0)
				continue;
			/* a request whose answer found the process gone (it asked, then
			 * died): its own end, which end_uplink names, not a refusal */
			if (peer_gone(u->fd)) {
				log_debug("uplink process %d ended before its answer (%s)",
				    (int)u->pid, err);
				end_uplink(u, NULL);
				return;
			}
		}
		snprintf(why, sizeof(why), "sent a message the gateway refuses (%s)", err);
		end_uplink(u, why);
		return;
	}
}

/*
 * Acknowledged rows kept past acked_keep_days, deleted in short
 * transactions (FORGET_ROWS each, FORGET_PASSES at most a look: the rest
 * at the next look), so the fill line never waits long for the database.
 */
static void
forget_acked(struct uplink *u)
{
	int64_t before, n, total = 0;
	char why[256];
	int i;

	u->forgot_ms = time_mono_ms();
	if (u->config.acked_keep_days <= 0)
		return;
	before = time_wall_ms() - (int64_t)u->config.acked_keep_days * 86400000;
	for (i = 0; i < FORGET_PASSES; i++) {
		if ((n = records_outbox_forget(u->db, before, FORGET_ROWS, why, sizeof(why))) ==
		    -1) {
			db_failed(u, "acknowledged records", why);
			break;
		}
		total += n;
		if (n < FORGET_ROWS)
			break;
	}
	if (total > 0)
		log_info("%lld acknowledged records older than %d days deleted", (long long)total,
		    u->config.acked_keep_days);
}

static void *
supervise(void *arg)
{
	struct uplink *u = arg;
	struct pollfd pfd[2];
	uint64_t kicks;
	int64_t now;
	char why[96], err[160];
	int n, timeout;

	while (!stopping(u)) {
		now = time_mono_ms();
		__atomic_store_n(&u->loop_ms, now, __ATOMIC_RELAXED);
		if (u->pid == 0 && now >= u->restart_at_ms)
			start_uplink(u);
		if (now - u->counted_ms >= 1000) {
			pthread_mutex_lock(&u->db_lock);
			count_backlog(u);
			pthread_mutex_unlock(&u->db_lock);
		}
		if (u->forgot_ms == 0 || now - u->forgot_ms >= FORGET_EVERY_MS) {
			pthread_mutex_lock(&u->db_lock);
			forget_acked(u);
			pthread_mutex_unlock(&u->db_lock);
		}
		timeout = LOOP_MS;
		if (u->pid == 0 && u->restart_at_ms - now < timeout)
			timeout = u->restart_at_ms - now > 0 ? (int)(u->restart_at_ms - now) : 0;
		pfd[0].fd = u->wake_fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = u->fd;
		pfd[1].events = POLLIN;
		n = u->fd != -1 ? 2 : 1;
		if (poll(pfd, (nfds_t)n, timeout) == -1 && errno != EINTR) {
			log_warn("uplink: poll");
			time_sleep_ms(100);
			continue;
		}
		if (pfd[0].revents & POLLIN) {
			if (read(u->wake_fd, &kicks, sizeof(kicks)) == -1 && errno != EAGAIN)
				log_warn("uplink: eventfd");
			/* one KICK until it speaks again: it is awake by then */
			if (u->fd != -1 && !u->kick_sent &&
			    upchan_send(u->fd, UPCHAN_KICK, NULL, 0, NULL, 0, 0, err,
			        sizeof(err)) == 0)
				u->kick_sent = 1;
		}
		if (n == 2 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			pthread_mutex_lock(&u->db_lock);
			read_channel(u);
			pthread_mutex_unlock(&u->db_lock);
		}
		now = time_mono_ms();
		if (u->pid > 0 && now - u->heard_ms > u->quiet_ms) {
			snprintf(why, sizeof(why), "was silent for %lld ms (it announced %lld)",
			    (long long)(now - u->heard_ms), (long long)u->quiet_ms);
			end_uplink(u, why);
		}
	}
	if (u->pid > 0)
		end_uplink(u, NULL);
	return NULL;
}

/* ---- the interface ---------------------------------------------------------------- */

int
uplink_start(const struct uplink_config *config, struct uplink **out, char *err, size_t errlen)
{
	struct passwd pw, *found = NULL;
	char pwbuf[4096];
	struct uplink *u;

	*out = NULL;
	if (config->batch < 1 || config->batch > WIRE_MAX_RECORDS)
		return err_set(err, errlen, "uplink batch must be 1..%d", WIRE_MAX_RECORDS);
	if (config->psk_key_len < 1 || config->psk_key_len > PSK_MAX_KEY)
		return err_set(err, errlen, "the station key is empty or too long");
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return err_set(err, errlen, "out of memory");
	u->config = *config;
	u->fd = -1;
	u->gap_warned = -1;
	u->ahead_warned = -1;
	u->reacked_at = -1;
	u->lost_at = -1;
	if ((u->handed = calloc((size_t)config->batch, sizeof(*u->handed))) == NULL) {
		free(u);
		return err_set(err, errlen, "out of memory");
	}
	u->wake_fd = -1;
	pthread_mutex_init(&u->lock, NULL);
	pthread_mutex_init(&u->db_lock, NULL);
	if (may_change_users()) {
		if (getpwnam_r(config->user, &pw, pwbuf, sizeof(pwbuf), &found) != 0 ||
		    found == NULL) {
			err_set(err, errlen, "[county] uplink_user '%s': no such user",
			    config->user);
			goto fail;
		}
		if (pw.pw_uid == 0) {
			err_set(err, errlen,
			    "[county] uplink_user '%s' is root: the uplink must run unprivileged",
			    config->user);
			goto fail;
		}
		u->switch_user = 1;
		u->uid = pw.pw_uid;
		u->gid = pw.pw_gid;
		str_copy(u->status.user, config->user, sizeof(u->status.user));
	} else {
		u->uid = geteuid();
		u->gid = getegid();
		if ((getpwuid_r(u->uid, &pw, pwbuf, sizeof(pwbuf), &found) == 0) && found != NULL)
			str_copy(u->status.user, pw.pw_name, sizeof(u->status.user));
		else
			snprintf(u->status.user, sizeof(u->status.user), "%u", (unsigned)u->uid);
		log_info("the uplink process runs as %s, like gasgw: giving it [county] "
		         "uplink_user '%s' takes root or CAP_SETUID and CAP_SETGID",
		    u->status.user, config->user);
	}
	u->status.uid = (long)u->uid;
	if (store_open(config->db_path, schema_station, 0, &u->db, err, errlen) == -1 ||
	    store_cache_kb(u->db, RECORDS_CACHE_KB, err, errlen) == -1)
		goto fail;
	if ((u->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) == -1) {
		err_set(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	count_backlog(u);
	u->loop_ms = time_mono_ms();
	if (pthread_create(&u->thread, NULL, supervise, u) != 0) {
		err_set(err, errlen, "cannot start the uplink thread");
		goto fail;
	}
	*out = u;
	return 0;
fail:
	if (u->wake_fd != -1)
		close(u->wake_fd);
	if (u->db != NULL)
		store_close(u->db);
	pthread_mutex_destroy(&u->db_lock);
	pthread_mutex_destroy(&u->lock);
	OPENSSL_cleanse(&u->config, sizeof(u->config));
	free(u->handed);
	free(u);
	return -1;
}

void
uplink_stop(struct uplink *u)
{
	uint64_t one = 1;

	if (u == NULL)
		return;
	__atomic_store_n(&u->stop, 1, __ATOMIC_RELAXED);
	if (write(u->wake_fd, &one, sizeof(one)) == -1 && errno != EAGAIN)
		log_warn("uplink: eventfd");
	pthread_join(u->thread, NULL);
	close(u->wake_fd);
	store_close(u->db);
	free(u->delta.rows);
	free(u->handed);
	pthread_mutex_destroy(&u->db_lock);
	pthread_mutex_destroy(&u->lock);
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
	uint64_t one = 1;

	/* the caller is the fill line: an eventfd write never waits */
	if (write(u->wake_fd, &one, sizeof(one)) == -1) {
		/* EAGAIN: the counter is full of kicks already */
	}
}

int
uplink_release_memory(struct uplink *u)
{
	/* never waits: the thread may hold db_lock across a channel wait */
	if (pthread_mutex_trylock(&u->db_lock) != 0)
		return 0;
	sqlite3_db_release_memory(u->db);
	pthread_mutex_unlock(&u->db_lock);
	return 1;
}

int
uplink_healthy(struct uplink *u, int64_t now)
{
	return now - __atomic_load_n(&u->loop_ms, __ATOMIC_RELAXED) <= STALE_MS;
}
