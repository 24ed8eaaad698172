/*
 * rtu: the slave's side of a Modbus RTU line, as gassim plays it: cutting
 * the byte stream of a serial device or pty into request frames, checking
 * their CRC, and the timing of a real wire (11 bits a character, the t3.5
 * gap between frames) that a pty does not have.
 *
 * No I/O and no clock of its own: the caller reads the device, passes the
 * bytes with the time they arrived, and asks for frames at the time it
 * chooses, so every case (a frame split across reads, two frames in one
 * read, garbage, a bad CRC, a master that does not leave the gap) can be
 * tested by feeding bytes and times.
 *
 * Frames end where the function code says (read and write functions: their
 * length is in the request) or, for anything else, at RTU_SILENCE_US of
 * silence.  A frame with a bad CRC, too short or too long is dropped with
 * every byte after it until the next silence: a slave cannot tell where the
 * next frame starts in noise, so it waits for the line to go quiet.
 */
#ifndef GAS_SIM_RTU_H
#define GAS_SIM_RTU_H

#include <stddef.h>
#include <stdint.h>

#include <modbus.h>

/* A pty (and a USB adapter) may hand over one frame in several reads far
 * more than t3.5 apart, so a frame of unknown length ends at this much
 * silence, not at t3.5. */
#define RTU_SILENCE_US 20000
/* Bytes kept while a frame is being assembled; further bytes are dropped
 * (as a UART overrun would) and the frame then fails its CRC. */
#define RTU_BUFFER 512

struct rtu_framer {
	int baud;
	uint8_t buf[RTU_BUFFER];
	size_t len;
	int64_t first_us; /* the current frame's first byte arrived then */
	int64_t last_us;  /* the latest byte arrived then */
	int64_t free_us;  /* the master may start a request then; 0 = any time */
};

enum rtu_frame_status {
	RTU_FRAME_NONE, /* no complete frame yet: feed more, or ask again at the deadline */
	RTU_FRAME_OK,   /* a request with a good CRC */
	RTU_FRAME_BAD,  /* bytes that are no frame were dropped */
};

/* An empty framer for a line at baud (> 0). */
void rtu_framer_init(struct rtu_framer *framer, int baud);

/*
 * n bytes that arrived at now_us.  Returns 1 if they start a frame before
 * the bus was free (the master broke the t3.5 gap after our last reply, or
 * after a request nobody answered), else 0.  Bytes beyond RTU_BUFFER are
 * dropped.
 */
int rtu_framer_feed(struct rtu_framer *framer, const uint8_t *bytes, size_t n, int64_t now_us);

/*
 * The next frame at now_us.  On RTU_FRAME_OK the request (unit id first,
 * CRC last) is copied into frame (cap bytes; MODBUS_RTU_MAX_ADU_LENGTH is
 * always enough), *len is its length and *start_us the arrival of its first
 * byte; the bytes after it stay for the next call.  On RTU_FRAME_BAD every
 * buffered byte was dropped.  Call it again after RTU_FRAME_OK: two frames
 * may have come in one read.
 */
enum rtu_frame_status rtu_framer_next(struct rtu_framer *framer, int64_t now_us, uint8_t *frame,
    size_t cap, size_t *len, int64_t *start_us);

/* When rtu_framer_next must be asked again though no byte comes (the
 * silence that ends a frame of unknown length, or drops an incomplete one);
 * INT64_MAX with nothing buffered. */
int64_t rtu_framer_deadline(const struct rtu_framer *framer);

/* Our reply is written at now_us, which is when it has crossed the simulated
 * wire: the master's next request is due t3.5 after that at the earliest. */
void rtu_framer_replied(struct rtu_framer *framer, int64_t now_us);
/* The request of len bytes taken at now_us gets no reply (a dead or absent
 * unit): the master may start again t3.5 after it crossed the wire. */
void rtu_framer_unanswered(struct rtu_framer *framer, size_t len, int64_t now_us);

/* Microseconds n bytes take on the wire at baud (11 bits a character). */
int64_t rtu_wire_us(size_t n, int baud);
/* t3.5 in microseconds: 3.5 characters, fixed at 1750 above 19200 baud. */
int64_t rtu_gap_us(int baud);

/* The length of the request starting at buf (len bytes so far): its whole
 * length, 0 if more bytes are needed to tell, -1 if its function code does
 * not say (the frame then ends at silence). */
int rtu_request_length(const uint8_t *buf, size_t len);

/* The length of the reply libmodbus's modbus_reply sends to the len-byte
 * request req from a unit with map: the normal reply, or 5 for an exception
 * (an unknown function, a quantity, byte count or coil value it refuses,
 * an address outside map), or 0 for none (read exception status, which
 * libmodbus leaves unanswered). */
size_t rtu_reply_length(const uint8_t *req, size_t len, const modbus_mapping_t *map);

/*
 * A corrupted reply to req into out (cap >= MODBUS_RTU_MAX_ADU_LENGTH):
 * with garbage, random bytes of the reply's length; otherwise the reply's
 * shape (unit, function, byte count) with a wrong CRC.  Returns its length
 * (0 if the request gets no reply).
 */
size_t rtu_bad_reply(const uint8_t *req, size_t len, const modbus_mapping_t *map, int garbage,
    uint8_t *out, size_t cap);

#endif
