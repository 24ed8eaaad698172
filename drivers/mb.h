/*
 * mb: the fill-line hardware, as the gateway sees it.  Three layers, one
 * header, one prefix:
 *
 *   profiles   mb_profile_*   what a device model's registers mean (data, from
 *                             drivers/profiles/NAME.ini); no I/O.
 *   links      mb_link_*      one Modbus bus (RTU serial or TCP) behind a table
 *                             of functions (open, read, write, close, strerror);
 *                             libmodbus underneath.  Not thread-safe: one
 *                             thread per link.
 *   pollers    mb_poller_*    one thread per bus: reads every unit's signals
 *                             in merged requests, backs off a unit that
 *                             times out, alone, reopens the bus after errors,
 *                             keeps the
 *                             latest values per unit under a mutex, and runs
 *                             the writes other threads hand it, between two
 *                             requests (a valve close waits for at most the
 *                             one request on the wire, never for a read cycle).
 *
 * Errors: functions return 0 (or a count) on success, -1 on failure with errno
 * set and, where there is one, a message in the caller's err buffer.  Modbus
 * errors are distinct errno values (MB_E*, below) so that a caller can tell a
 * timeout from an exception reply from a corrupted frame; mb_strerror() reads
 * any errno value, system or Modbus.
 *
 * Values are engineering units: kg for weights (the profile's scale applied),
 * 0/1 for bits (the profile's polarity applied: 1 always means what
 * enum mb_signal says), milliseconds for the watchdog timeout, counts for
 * heartbeat.
 */
#ifndef GAS_MB_H
#define GAS_MB_H

#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

/*
 * Project errno values for Modbus failures (outside the system's range).
 * A timeout is plain ETIMEDOUT; a broken connection keeps the system errno
 * (ECONNRESET, EPIPE, ECONNREFUSED, EIO...).
 */
#define MB_ERRBASE 0x4d420000                     /* 'M' 'B' */
#define MB_EEXCEPTION(code) (MB_ERRBASE + (code)) /* exception reply, code 1..255 */
#define MB_ECRC (MB_ERRBASE + 0x100)              /* RTU frame with a bad CRC */
#define MB_EBADREPLY (MB_ERRBASE + 0x101)         /* reply malformed, wrong length/unit/function */
#define MB_ENOTCONN (MB_ERRBASE + 0x102)          /* link closed, or being reopened (back-off) */
#define MB_ENOSIGNAL (MB_ERRBASE + 0x103)         /* the unit's profile has no such signal */
#define MB_ESTOPPED (MB_ERRBASE + 0x104)          /* poller stopped before the write ran */
#define MB_EBACKOFF (MB_ERRBASE + 0x105)          /* unit not answering: heartbeat not sent */

enum mb_error_kind {
	MB_ERR_NONE = 0,
	MB_ERR_TIMEOUT,   /* no (complete) reply in time: unit dead, slow, or bus broken */
	MB_ERR_EXCEPTION, /* the unit answered with a Modbus exception */
	MB_ERR_CRC,       /* corrupted frame (CRC), RTU */
	MB_ERR_REPLY,     /* a reply that makes no sense */
	MB_ERR_LINK,      /* connection or serial port failed; the bus will be reopened */
	MB_ERR_OTHER,     /* configuration, signal missing, stopped... */
};

/* Readable text for any errno value (system or MB_E*).  Never NULL; the
 * string is static or thread-local: copy it before the next call. */
const char *mb_strerror(int errnum);
/* Which kind of failure an errno value is. */
enum mb_error_kind mb_error_kind(int errnum);

/* ------------------------------------------------------------------------
 * Profiles (drivers/profiles/NAME.ini; format in docs/drivers.md)
 * ------------------------------------------------------------------------ */

struct conf_report;

enum mb_table { MB_COIL = 0, MB_DISCRETE, MB_INPUT, MB_HOLDING };
enum mb_type { MB_U16 = 0, MB_I16, MB_U32, MB_I32, MB_F32 };
/* Word/byte order of 32-bit values; A is the most significant byte.  A
 * 16-bit value is AB (MB_ABCD: as Modbus sends it) or BA (MB_BADC: its two
 * bytes swapped). */
enum mb_order { MB_ABCD = 0, MB_CDAB, MB_BADC, MB_DCBA };

enum mb_signal {
	MB_SIG_GROSS = 0,  /* gross weight, kg */
	MB_SIG_NET,        /* net weight, kg */
	MB_SIG_MOTION,     /* 1 while the weight is moving */
	MB_SIG_STABLE,     /* 1 when the weight is stable (standstill) */
	MB_SIG_OVERLOAD,   /* 1 over/under range */
	MB_SIG_ERROR,      /* 1 on an instrument error */
	MB_SIG_VALVE_CMD,  /* valve command: write 1 = open, 0 = close; reads back */
	MB_SIG_VALVE_FB,   /* valve position feedback: 1 = not closed */
	MB_SIG_WATCHDOG,   /* watchdog timeout, ms; the unit closes the valve when the
	                    * heartbeat has not changed for this long */
	MB_SIG_HEARTBEAT,  /* heartbeat counter the gateway keeps changing */
	MB_SIG_TARGET,     /* filling controller: target net mass, kg */
	MB_SIG_START,      /* filling controller: write 1 to start a fill */
	MB_SIG_ABORT,      /* filling controller: write 1 to abort (valve closes) */
	MB_SIG_FILLING,    /* filling controller: 1 while a fill runs */
	MB_SIG_FILL_DONE,  /* filling controller: 1 when the fill reached target */
	MB_SIG_FILL_ALARM, /* filling controller: 1 when a fill stopped on a fault */
	MB_SIG_COUNT
};

struct mb_field {
	int present; /* 0: the device has no such signal */
	enum mb_table table;
	uint16_t address;    /* 0-based protocol address */
	enum mb_type type;   /* for coils and discrete inputs: MB_U16, value 0/1 */
	enum mb_order order; /* 32-bit: ABCD..DCBA; 16-bit: ABCD (AB) or BADC (BA) */
	double scale;        /* engineering value = raw * scale (default 1) */
	int bit;             /* -1, or 0..15: the signal is that bit of a register */
	int invert;          /* bits: 1 when the device's 1 means the signal's 0 */
	int poll;            /* 1: read by the poller (default); 0: write-only */
	int line;            /* line of its [section] in the profile file */
};

#define MB_NAME_MAX 64

struct mb_profile {
	char name[MB_NAME_MAX]; /* [device] name */
	char kind[16];          /* "scale", "valve", "filler" or "indicator" */
	char description[128];
	double capacity_kg; /* [device] capacity: the weighing range, kg; 0: not given */
	int close_ms;       /* [device] close_ms: a valve's closing time, ms; 0: not given */
	struct mb_field field[MB_SIG_COUNT];
	/* where it came from, for messages */
	char origin[256]; /* the file's path (or the origin given to the parser) */
	int kind_line;    /* line of kind = (0: not in the file) */
	int capacity_line;
};

/* "gross", "valve_cmd", ... (the profile's section names); NULL if out of range. */
const char *mb_signal_name(enum mb_signal signal);
/* Inverse of mb_signal_name; -1 if unknown. */
int mb_signal_from_name(const char *name);
/* The unit of a signal's engineering value: "kg", "ms", or "" (bits, counts). */
const char *mb_signal_unit(enum mb_signal signal);
/* 1 for the signals that are bits (0/1): motion, stable, valve_cmd, ... */
int mb_signal_is_bit(enum mb_signal signal);

/*
 * Parse a profile from len bytes of INI text (the format of docs/drivers.md,
 * read by the configuration layer, conf.h).  origin names the text in
 * messages ("drivers/profiles/sim-scale.ini").  Every problem goes into
 * report as "ORIGIN:LINE: message"; returns 0 when there is none, else -1
 * (*profile is then unspecified).
 */
int mb_profile_parse_report(const char *text, size_t len, const char *origin,
    struct mb_profile *profile, struct conf_report *report);
/* The same, with every message in err, one per line (as many as fit). */
int mb_profile_parse(const char *text, size_t len, const char *origin, struct mb_profile *profile,
    char *err, size_t errlen);

/*
 * Load a profile by name or path: if name contains a '/' or ends in ".ini" it
 * is a path; otherwise DIR/NAME.ini where DIR is dir, or when dir is NULL or
 * empty, $GAS_PROFILES, then ./drivers/profiles, then
 * /usr/local/share/gasgw/profiles.  Files over 64 KiB are refused.  Messages
 * name the file by the path it was found at.  0, or -1 with errno (ENOENT:
 * no such profile; EINVAL: it has errors) and every problem in report.
 */
int mb_profile_load_report(const char *name, const char *dir, struct mb_profile *profile,
    struct conf_report *report);
/* The same, with every message in err, one per line (as many as fit). */
int mb_profile_load(const char *name, const char *dir, struct mb_profile *profile, char *err,
    size_t errlen);

/*
 * What a profile is used as on a fill line: the scale of a line (kinds scale
 * and indicator), its valve controller (kind valve), or the filling
 * controller that is the whole line (kind filler, scale_unit = valve_unit).
 */
enum mb_role { MB_ROLE_SCALE = 0, MB_ROLE_VALVE, MB_ROLE_FILLER };
/* "scale", "valve", "filler". */
const char *mb_role_name(enum mb_role role);
/* The role a profile's kind is made for. */
enum mb_role mb_role_of_kind(const char *kind);

/*
 * Can profile serve in role?  Each reason it cannot goes into errors, as
 * "ORIGIN:LINE: message" (the profile's file and line): a kind made for
 * another role, a signal the role needs and the profile lacks or does not
 * read (a valve without the watchdog that closes it when the gateway
 * stops, a scale without a weight, a way to see it settle, or its
 * capacity...).  What a line loses for want of an optional signal goes into
 * notes.  Returns 0 when it can, -1 when it cannot.  The table of what each
 * role needs is in docs/drivers.md.
 */
int mb_profile_check(const struct mb_profile *profile, enum mb_role role,
    struct conf_report *errors, struct conf_report *notes);

/* Encode/decode one field's raw registers (regs[0..1] for 32-bit types;
 * for bits, regs[0] is the register or coil value), in the field's byte
 * order and, for bits, its polarity (invert).  No I/O.
 * mb_field_decode returns NaN when the registers hold no number (an f32
 * NaN or infinity): callers take that as a bad reply (MB_EBADREPLY). */
double mb_field_decode(const struct mb_field *field, const uint16_t *regs);
/* Encode value into regs (1 or 2 words).  For bit fields, regs[0] must hold
 * the current register and gets that bit changed.  -1/ERANGE if the value
 * does not fit the type after scaling. */
int mb_field_encode(const struct mb_field *field, double value, uint16_t *regs);
/* Number of registers (or bits) the field spans: 1 or 2. */
int mb_field_width(const struct mb_field *field);

/* ------------------------------------------------------------------------
 * Buses and links
 * ------------------------------------------------------------------------ */

enum mb_bus_kind { MB_BUS_RTU = 0, MB_BUS_TCP };

struct mb_bus_config {
	enum mb_bus_kind kind;
	/* RTU */
	char device[256];
	int baud;      /* default 19200 */
	char parity;   /* 'N', 'E', 'O'; default 'E' */
	int data_bits; /* default 8 */
	int stop_bits; /* default 1 */
	int rs485;     /* 1: RS-485 mode after connect (ENOTTY is logged, not fatal) */
	int gap_us;    /* silent time between frames; 0 = t3.5 for the baud
	                * (3.5 chars of 11 bits, and 1750 us above 19200) */
	/* TCP */
	char host[128];
	int port; /* default 502 */
	/* both; 0 selects the default */
	int response_timeout_ms; /* default 200 */
	int byte_timeout_ms;     /* default 50 (RTU inter-character) */
	/* poller; 0 selects the default */
	int poll_interval_ms; /* each unit is read every this many ms, at a fixed rate
	                       * (reads a slow neighbour delayed are caught up, up to
	                       * 1 s behind); default 0: as fast as the bus allows */
	int backoff_min_ms;   /* first skip after a unit that times out; default 1000 */
	int backoff_max_ms;   /* back-off limit; default 10000 */
	int reopen_min_ms;    /* first wait before reopening the bus; default 200 */
	int reopen_max_ms;    /* default 5000 */
	int unit_failures;    /* consecutive timeouts before a unit backs off (a wrong
	                       * answer, CRC or exception, costs no back-off); default 2 */
};

/* Fill config with the defaults above (kind RTU, no device). */
void mb_bus_config_defaults(struct mb_bus_config *config);

/*
 * The driver interface: one table per bus kind.  A link is an open bus.
 * read fills count registers (or count bits, one per uint16_t, 0/1) from
 * address of unit; write writes count registers (or bits) to a coil or
 * holding-register table.  Both return 0 or -1 with errno (MB_E* or system).
 * RTU: every request starts at least the gap (t3.5) after the last exchange.
 * TCP: after a timeout, one mismatched reply (the late answer to the timed-out
 * request) is skipped by sending the request again.
 */
struct mb_link;
struct mb_driver {
	const char *name; /* "rtu", "tcp" */
	int (*open)(const struct mb_bus_config *config, struct mb_link **link, char *err,
	    size_t errlen);
	int (*read)(struct mb_link *link, int unit, enum mb_table table, uint16_t address,
	    uint16_t count, uint16_t *out);
	int (*write)(struct mb_link *link, int unit, enum mb_table table, uint16_t address,
	    uint16_t count, const uint16_t *values);
	void (*close)(struct mb_link *link);
	const char *(*strerror)(int errnum);
};

/* The driver for a bus kind (never NULL for a valid kind). */
const struct mb_driver *mb_driver_for(enum mb_bus_kind kind);

/* Convenience wrappers that pick the driver from config->kind.
 * mb_link_open: on failure *link is NULL.  mb_link_close(NULL) is a no-op. */
int mb_link_open(const struct mb_bus_config *config, struct mb_link **link, char *err,
    size_t errlen);
/*
 * A link over a descriptor someone else connected: a TCP stream socket, or
 * for RTU anything read, write and select work on (a serial port opened and
 * locked elsewhere; in the fuzzer, one end of a socketpair).  config gives
 * the kind, timeouts and gap as for mb_link_open; nothing is connected.
 * The link owns fd from the call on (closed on failure too).  There is no
 * address to connect again to, so on TCP the exchange after a timed-out one
 * fails with MB_ENOTCONN instead of replacing the connection.
 */
int mb_link_adopt(const struct mb_bus_config *config, int fd, struct mb_link **link, char *err,
    size_t errlen);
/* The CRC-16 of an RTU frame's len bytes (sent low byte first). */
uint16_t mb_rtu_crc(const uint8_t *frame, size_t len);

int mb_link_read(struct mb_link *link, int unit, enum mb_table table, uint16_t address,
    uint16_t count, uint16_t *out);
int mb_link_write(struct mb_link *link, int unit, enum mb_table table, uint16_t address,
    uint16_t count, const uint16_t *values);
void mb_link_close(struct mb_link *link);

/* Read/write one signal of a unit directly on a link (no poller).
 * Writing a bit field of a holding register reads, changes and writes it. */
int mb_link_read_signal(struct mb_link *link, int unit, const struct mb_profile *profile,
    enum mb_signal signal, double *value);
int mb_link_write_signal(struct mb_link *link, int unit, const struct mb_profile *profile,
    enum mb_signal signal, double value);

/* ------------------------------------------------------------------------
 * Poller: one bus, several units, one thread
 * ------------------------------------------------------------------------ */

#define MB_MAX_UNITS 32

enum mb_link_state {
	MB_LINK_UNKNOWN = 0, /* not read yet */
	MB_LINK_UP,          /* the last read of this unit succeeded */
	MB_LINK_FAILING,     /* the last read failed; retrying at the normal rate */
	MB_LINK_BACKOFF,     /* several reads timed out; asked less often (back-off) */
	MB_LINK_BUS_DOWN,    /* the bus itself is closed and being reopened */
};

/* The latest known state of one unit: a copy, owned by the caller. */
struct mb_snapshot {
	enum mb_link_state link;
	int last_errno;          /* errno of the last failed read (0 if none yet) */
	int64_t updated_ms;      /* CLOCK_MONOTONIC ms of the last successful read, 0 = never */
	int64_t updated_wall_ms; /* wall-clock ms of the same read */
	uint64_t seq;            /* successful reads so far: changes on every new value */
	uint64_t polls_ok;
	uint64_t polls_failed;
	uint64_t writes_ok;
	uint64_t writes_failed; /* includes MB_WRITE_NOWAIT writes that failed */
	int last_write_errno;
	uint32_t present; /* bit (1u << signal) set when the profile has it and polls it */
	double value[MB_SIG_COUNT];
	/* the last mb_poller_read_once that was performed (once_ms 0: none yet) */
	int once_signal;
	double once_value; /* NaN when it failed */
	int once_errno;    /* 0, or why it failed */
	int64_t once_ms;   /* CLOCK_MONOTONIC ms it finished */
	uint64_t once_seq; /* read-onces performed so far: a caller's is done when it
	                    * passes the count seen when it was queued */
};

struct mb_poller;

/*
 * Optional callback, called by the bus thread after each read of a unit
 * (success or failure), without any poller lock held.  It must be quick and
 * must not call mb_poller_stop/free; calling mb_poller_snapshot is fine.
 */
typedef void (*mb_poller_notify)(void *arg, int unit_index);

/*
 * Create a poller for one bus (nothing opened yet).  config is copied.
 * notify may be NULL.
 */
int mb_poller_new(const struct mb_bus_config *config, mb_poller_notify notify, void *notify_arg,
    struct mb_poller **poller, char *err, size_t errlen);

/*
 * Add a unit (Modbus unit id 1..247, or 0..255 over TCP) read with profile
 * (copied).  Only before mb_poller_start.  *unit_index (0, 1, ...) names the
 * unit in the other calls.  The profile's polled fields are grouped per
 * table into requests of adjacent addresses (gaps of up to 4 registers are
 * read across; at most 125 registers / 2000 bits per request).
 */
int mb_poller_add_unit(struct mb_poller *poller, int unit_id, const struct mb_profile *profile,
    int *unit_index, char *err, size_t errlen);

/*
 * Read only these signals of a unit (bits 1u << signal): its plan is made
 * again of those of its polled fields, so a signal nobody reads costs no
 * request (a valve unit whose user reads only valve_fb is one request, not
 * one per table).  A mask that leaves nothing to read keeps the profile's
 * first polled signal, so the unit's link state is still known.  The
 * snapshot's present bits follow.  Only before mb_poller_start; 0, or -1
 * with errno EINVAL / EBUSY.
 */
int mb_poller_set_signals(struct mb_poller *poller, int unit_index, uint32_t signals);

/*
 * Read this unit every interval_ms from now on (0: the bus's
 * poll_interval_ms), for a user whose need changes with its state: a valve
 * unit whose line is idle is read less often than during a fill.  A shorter
 * interval takes effect at once (the unit is read next).  Thread-safe.
 */
int mb_poller_set_interval(struct mb_poller *poller, int unit_index, int interval_ms);

/* Start the bus thread (it opens the bus, retrying with back-off).  0 or -1. */
int mb_poller_start(struct mb_poller *poller, char *err, size_t errlen);

/*
 * Stop the bus thread and close the bus.  Writes still queued fail with
 * MB_ESTOPPED.  The caller should close the valves (mb_poller_write) before
 * stopping.  Safe to call twice.
 */
void mb_poller_stop(struct mb_poller *poller);
/* Stop if needed, then free.  NULL is a no-op. */
void mb_poller_free(struct mb_poller *poller);

/* Copy the latest state of a unit.  Thread-safe.  0, or -1/EINVAL. */
int mb_poller_snapshot(struct mb_poller *poller, int unit_index, struct mb_snapshot *out);

/* Number of units added. */
int mb_poller_unit_count(const struct mb_poller *poller);

#define MB_WRITE_NOWAIT 0x1 /* queue and return at once; outcome only in the snapshot */

/*
 * Write one signal of a unit (engineering value; bits 0/1).  The write is
 * queued to the bus thread, which performs it before its next read request,
 * and even when the unit is in back-off (a close must always be tried).
 * Writes run in the order queued.  Without MB_WRITE_NOWAIT the caller waits
 * for the outcome, at most timeout_ms (0 = response timeout + 1 s): returns 0
 * once the unit acknowledged the write, or -1 with errno (a Modbus errno,
 * ETIMEDOUT if the bus thread did not get to it in time, MB_ENOTCONN while
 * the bus is down (closed after an error and waiting to be reopened: the
 * write fails at once rather than wait for the back-off; writes made before
 * the first open attempt wait for it), MB_ENOSIGNAL if the profile lacks the
 * signal, MB_ESTOPPED).
 * After a failure the device state is unknown: read the snapshot.
 * Thread-safe; must not be called from the notify callback.
 */
int mb_poller_write(struct mb_poller *poller, int unit_index, enum mb_signal signal, double value,
    int flags, int timeout_ms, char *err, size_t errlen);

/*
 * Read one signal of a unit once, whether or not its poll reads it (a
 * register worth checking now and then, not at every poll: a valve unit's
 * watchdog timeout, which a unit that restarted has lost).  Queued with the
 * writes and performed the same way, before the poller's next read request;
 * counted with the writes in the snapshot.  Without MB_WRITE_NOWAIT the
 * caller waits as in mb_poller_write and gets the value in *value; with it
 * the outcome is only in the snapshot's once_* fields.  Thread-safe; must
 * not be called from the notify callback.
 */
int mb_poller_read_once(struct mb_poller *poller, int unit_index, enum mb_signal signal,
    double *value, int flags, int timeout_ms, char *err, size_t errlen);

/*
 * Increment the unit's heartbeat register (the poller keeps the counter,
 * wrapping at 65535) so the valve's watchdog sees it change.  Same contract
 * as mb_poller_write.  Call it from the thread that runs the interlock, so
 * that a hung gateway stops feeding the watchdog.
 */
int mb_poller_heartbeat(struct mb_poller *poller, int unit_index, int flags, char *err,
    size_t errlen);

/*
 * Close every valve on the bus: writes 0 to VALVE_CMD (or 1 to ABORT for a
 * unit without a valve command) of every unit that has one.  All closes are
 * queued at once, units whose last read succeeded first, so a dead unit's
 * timeout delays no live valve; timeout_ms bounds the whole call as in
 * mb_poller_write.  Returns 0 if every close was acknowledged, else -1 with
 * errno of the first failure (the others were still tried).
 */
int mb_poller_close_all(struct mb_poller *poller, int timeout_ms);

/* One read request of a unit's poll, as the poller merged them. */
struct mb_read_plan {
	enum mb_table table;
	uint16_t address;
	uint16_t count; /* registers or bits */
};
/* Copy up to max requests of a unit's poll into plan; returns how many the
 * unit has (may exceed max), or -1/EINVAL. */
int mb_poller_plan(const struct mb_poller *poller, int unit_index, struct mb_read_plan *plan,
    int max);
/* What the poller makes of the answer to request number request of a
 * unit's plan (regs: the registers, or bits one per uint16_t, that
 * mb_link_read returned): the value of each signal that request reads, in
 * value[signal]; the others are left alone.  0, or -1 with errno
 * MB_EBADREPLY when a value is no number (the poller then counts the read
 * as failed and keeps the last good values), EINVAL for a bad index. */
int mb_poller_decode(const struct mb_poller *poller, int unit_index, int request,
    const uint16_t *regs, double value[MB_SIG_COUNT]);

/* Poll statistics of the bus (for benchmarks and status): total requests
 * sent, of which failed, times the bus was closed after an error to be
 * reopened, and the time the bus thread spent on CPU (ms). */
struct mb_poller_stats {
	uint64_t requests;
	uint64_t failures;
	uint64_t reopens;
	double cpu_ms;
};
void mb_poller_stats(struct mb_poller *poller, struct mb_poller_stats *out);

#endif
