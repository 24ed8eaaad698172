/*
 * psk: the pre-shared keys of the county link (DTLS-PSK, RFC 7925 profile).
 *
 * A station (or township officer, or regulator) keeps its own key in a file
 * holding one line of hex (16 to 64 bytes of key); the county keeps every
 * identity's key in one file, one "IDENTITY HEXKEY" per line, '#' comments
 * and blank lines allowed.  Identities are printable text of the form
 * station:ID, township:CODE or regulator:NAME.  Both files must be readable
 * by their owner only: a file with any group or other permission bit is
 * refused, as ssh does with private keys.
 *
 * Errors go into the caller's buffer (identities-file errors as FILE:LINE:
 * text); key material is never written into an error or a log.
 */
#ifndef GAS_PSK_H
#define GAS_PSK_H

#include <stddef.h>
#include <stdint.h>

#define PSK_MIN_KEY 16
#define PSK_MAX_KEY 64
#define PSK_MAX_IDENTITY 64 /* including the NUL */
#define PSK_MAX_ENTRIES 100000

enum psk_role {
	PSK_ROLE_NONE = 0,
	PSK_ROLE_STATION,
	PSK_ROLE_TOWNSHIP,
	PSK_ROLE_REGULATOR,
	PSK_ROLE_OFFICER,  /* officer:NAME@TOWNSHIP, one person of a township's team */
	PSK_ROLE_GRID,     /* grid:NAME@TOWNSHIP, one grid worker */
	PSK_ROLE_DELIVERY, /* delivery:NAME@TOWNSHIP, one delivery worker's device */
};

struct psk_entry {
	char identity[PSK_MAX_IDENTITY];
	uint8_t key[PSK_MAX_KEY];
	size_t key_len;
	size_t line; /* of the identities file, for messages */
};

/* A loaded identities file; entries sorted by identity for psk_find. */
struct psk_table {
	size_t count;
	struct psk_entry *entries;
};

/*
 * Read one hex key from path into key (keysize bytes available).  Refuses a
 * file that group or other may access, a key shorter than PSK_MIN_KEY bytes
 * and anything that is not hex.  On failure key is zeroed.
 */
int psk_load_key(const char *path, uint8_t *key, size_t keysize, size_t *keylen, char *err,
    size_t errlen);

/* Why psk_load_key refuses a key file, for a tool that says it in the
 * person's language (psk_load_key's err is English, as logs are). */
enum psk_key_problem {
	PSK_KEY_USABLE = 0,
	PSK_KEY_UNREADABLE, /* it cannot be opened or read: error holds errno */
	PSK_KEY_NOT_A_FILE, /* a folder, a device */
	PSK_KEY_SHARED,     /* group or others may access it: mode holds its permission bits */
	PSK_KEY_NOT_A_KEY,  /* not one line of PSK_MIN_KEY..PSK_MAX_KEY bytes of hex */
};

struct psk_key_fault {
	enum psk_key_problem problem;
	int error;     /* PSK_KEY_UNREADABLE: errno */
	unsigned mode; /* PSK_KEY_SHARED: the file's permission bits (0644) */
};

/* psk_load_key, saying what was wrong in *fault too (PSK_KEY_USABLE:
 * nothing; fault NULL: not asked), so that one read both loads the key
 * and tells a tool why it could not. */
int psk_load_key_fault(const char *path, uint8_t *key, size_t keysize, size_t *keylen,
    struct psk_key_fault *fault, char *err, size_t errlen);

/*
 * Load an identities file.  On success *t owns its entries (psk_table_free);
 * on failure *t is empty and err holds the first problem as FILE:LINE: text.
 * Duplicate identities are refused.
 */
int psk_load_identities(const char *path, struct psk_table *t, char *err, size_t errlen);
/* The same from a buffer (no permission check); name is used in messages. */
int psk_parse_identities(const char *name, const char *buf, size_t len, struct psk_table *t,
    char *err, size_t errlen);
void psk_table_free(struct psk_table *t);

/* The entry for identity (id, idlen, not NUL-terminated), or NULL. */
const struct psk_entry *psk_find(const struct psk_table *t, const uint8_t *id, size_t idlen);

/*
 * Split an identity into its role and name ("station:S01" -> STATION, "S01").
 * Returns PSK_ROLE_NONE for anything malformed (name empty, too long, or
 * not printable text without spaces; for a person's role, officer: or grid:,
 * a name that is not NAME@TOWNSHIP with both parts non-empty and one '@').
 */
enum psk_role psk_identity_role(const char *identity, char *name, size_t namelen);

/*
 * The role text claims to speak as: the role whose prefix it begins with,
 * ignoring case and leading blanks ("delivery:wang@T1", " Delivery:x"),
 * whether or not the rest is a well-formed identity; PSK_ROLE_NONE when it
 * begins with none.  For names a person reads beside an identity (a life
 * event's actor): what looks like an identity to a reader counts.
 */
enum psk_role psk_claimed_role(const char *text);

#endif
