/*
 * psk: reading the link's pre-shared keys (see psk.h).  Key bytes are wiped
 * from every temporary buffer before it is released.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "psk.h"
#include "util.h"

#define PSK_MAX_FILE (8u << 20)

/* The fault (when asked for) and its English words; -1. */
static int fault_set(struct psk_key_fault *fault, enum psk_key_problem problem, int error,
    unsigned mode, char *err, size_t errlen, const char *fmt, ...) UTIL_PRINTF(7, 8);

static int
fault_set(struct psk_key_fault *fault, enum psk_key_problem problem, int error, unsigned mode,
    char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (fault != NULL)
		*fault = (struct psk_key_fault){ problem, error, mode };
	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Read a whole owner-only file into a NUL-terminated malloc'd buffer; what
 * was wrong into *fault too, when fault is not NULL. */
static int
read_private(const char *path, char **out, size_t *outlen, struct psk_key_fault *fault, char *err,
    size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, error;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		error = errno;
		return fault_set(fault, PSK_KEY_UNREADABLE, error, 0, err, errlen, "%s: %s", path,
		    strerror(error));
	}
	if (fstat(fd, &st) == -1) {
		error = errno;
		fault_set(fault, PSK_KEY_UNREADABLE, error, 0, err, errlen, "%s: %s", path,
		    strerror(error));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		fault_set(fault, PSK_KEY_NOT_A_FILE, 0, 0, err, errlen, "%s: not a regular file",
		    path);
		goto fail;
	}
	if (st.st_mode & 077) {
		fault_set(fault, PSK_KEY_SHARED, 0, (unsigned)(st.st_mode & 0777), err, errlen,
		    "%s: group or others may access it (mode %03o); chmod 600", path,
		    (unsigned)(st.st_mode & 0777));
		goto fail;
	}
	if ((size_t)st.st_size > PSK_MAX_FILE) {
		fault_set(fault, PSK_KEY_NOT_A_KEY, 0, 0, err, errlen, "%s: larger than %u bytes",
		    path, PSK_MAX_FILE);
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fault_set(fault, PSK_KEY_UNREADABLE, ENOMEM, 0, err, errlen, "%s: out of memory",
		    path);
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*outlen = got;
	return 0;
fail:
	close(fd);
	return -1;
}

static int
parse_hex_key(const char *text, size_t len, uint8_t *key, size_t keysize, size_t *keylen)
{
	size_t n;

	if (len % 2 != 0)
		return -1;
	n = len / 2;
	if (n < PSK_MIN_KEY || n > keysize || n > PSK_MAX_KEY)
		return -1;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)text[i]))
			return -1;
	{
		char tmp[2 * PSK_MAX_KEY + 1];

		memcpy(tmp, text, len);
		tmp[len] = '\0';
		if (hex_decode(tmp, key, n) == -1) {
			OPENSSL_cleanse(tmp, sizeof(tmp));
			return -1;
		}
		OPENSSL_cleanse(tmp, sizeof(tmp));
	}
	*keylen = n;
	return 0;
}

int
psk_load_key_fault(const char *path, uint8_t *key, size_t keysize, size_t *keylen,
    struct psk_key_fault *fault, char *err, size_t errlen)
{
	char *buf = NULL, *p, *end;
	size_t len = 0;
	int rc = -1;

	*keylen = 0;
	memset(key, 0, keysize);
	if (fault != NULL)
		*fault = (struct psk_key_fault){ PSK_KEY_USABLE, 0, 0 };
	if (read_private(path, &buf, &len, fault, err, errlen) == -1)
		return -1;
	p = buf;
	while (*p != '\0' && isspace((unsigned char)*p))
		p++;
	end = p;
	while (*end != '\0' && isxdigit((unsigned char)*end))
		end++;
	for (char *q = end; *q != '\0'; q++)
		if (!isspace((unsigned char)*q)) {
			fault_set(fault, PSK_KEY_NOT_A_KEY, 0, 0, err, errlen,
			    "%s: the key must be one line of hex", path);
			goto out;
		}
	if (parse_hex_key(p, (size_t)(end - p), key, keysize, keylen) == -1) {
		fault_set(fault, PSK_KEY_NOT_A_KEY, 0, 0, err, errlen,
		    "%s: the key must be %d to %d bytes of hex", path, PSK_MIN_KEY, PSK_MAX_KEY);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		memset(key, 0, keysize);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return rc;
}

int
psk_load_key(const char *path, uint8_t *key, size_t keysize, size_t *keylen, char *err,
    size_t errlen)
{
	return psk_load_key_fault(path, key, keysize, keylen, NULL, err, errlen);
}

/* Every role's prefix: the one table psk_identity_role and psk_claimed_role read. */
static const struct {
	const char *prefix;
	enum psk_role role;
} roles[] = {
	{ "station:", PSK_ROLE_STATION },
	{ "township:", PSK_ROLE_TOWNSHIP },
	{ "regulator:", PSK_ROLE_REGULATOR },
	{ "officer:", PSK_ROLE_OFFICER },
	{ "grid:", PSK_ROLE_GRID },
	{ "delivery:", PSK_ROLE_DELIVERY },
};

enum psk_role
psk_claimed_role(const char *text)
{
	size_t i;

	while (*text == ' ' || *text == '\t')
		text++;
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strncasecmp(text, roles[i].prefix, strlen(roles[i].prefix)) == 0)
			return roles[i].role;
	return PSK_ROLE_NONE;
}

enum psk_role
psk_identity_role(const char *identity, char *name, size_t namelen)
{
	size_t i, plen, n;
	const char *rest;

	if (name != NULL && namelen > 0)
		name[0] = '\0';
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		plen = strlen(roles[i].prefix);
		if (strncmp(identity, roles[i].prefix, plen) != 0)
			continue;
		rest = identity + plen;
		n = strlen(rest);
		if (n == 0 || n + plen >= PSK_MAX_IDENTITY)
			return PSK_ROLE_NONE;
		for (const char *c = rest; *c != '\0'; c++)
			if (!isgraph((unsigned char)*c) || *c == ':')
				return PSK_ROLE_NONE;
		/* a person is bound to one township: NAME@TOWNSHIP */
		if ((roles[i].role == PSK_ROLE_OFFICER || roles[i].role == PSK_ROLE_GRID ||
		        roles[i].role == PSK_ROLE_DELIVERY) &&
		    (rest[0] == '@' || strchr(rest, '@') == NULL ||
		        strchr(rest, '@') != strrchr(rest, '@') || rest[n - 1] == '@'))
			return PSK_ROLE_NONE;
		if (name != NULL) {
			if (n >= namelen)
				return PSK_ROLE_NONE;
			memcpy(name, rest, n + 1);
		}
		return roles[i].role;
	}
	return PSK_ROLE_NONE;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct psk_entry *)a)->identity,
	    ((const struct psk_entry *)b)->identity);
}

void
psk_table_free(struct psk_table *t)
{
	if (t == NULL)
		return;
	if (t->entries != NULL) {
		OPENSSL_cleanse(t->entries, t->count * sizeof(*t->entries));
		free(t->entries);
	}
	t->entries = NULL;
	t->count = 0;
}

int
psk_parse_identities(const char *name, const char *buf, size_t len, struct psk_table *t, char *err,
    size_t errlen)
{
	struct psk_entry *e;
	size_t cap = 0, lineno = 0, pos = 0, linelen, idlen, i;
	const char *line, *nl, *p, *end, *id, *hex;
	void *grown;

	t->count = 0;
	t->entries = NULL;
	while (pos < len) {
		line = buf + pos;
		nl = memchr(line, '\n', len - pos);
		linelen = nl != NULL ? (size_t)(nl - line) : len - pos;
		pos += linelen + (nl != NULL ? 1 : 0);
		lineno++;
		end = line + linelen;
		if (memchr(line, '\0', linelen) != NULL) {
			err_set(err, errlen, "%s:%zu: NUL byte", name, lineno);
			goto fail;
		}
		for (p = line; p < end && isspace((unsigned char)*p); p++)
			;
		if (p == end || *p == '#')
			continue;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		id = p;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		idlen = (size_t)(p - id);
		while (p < end && isspace((unsigned char)*p))
			p++;
		hex = p;
		while (p < end && !isspace((unsigned char)*p))
			p++;
		if (hex == end || p != end) {
			err_set(err, errlen, "%s:%zu: expected IDENTITY HEXKEY", name, lineno);
			goto fail;
		}
		if (idlen >= PSK_MAX_IDENTITY) {
			err_set(err, errlen, "%s:%zu: identity longer than %d bytes", name, lineno,
			    PSK_MAX_IDENTITY - 1);
			goto fail;
		}
		if (t->count == cap) {
			if (cap >= PSK_MAX_ENTRIES) {
				err_set(err, errlen, "%s:%zu: more than %d identities", name,
				    lineno, PSK_MAX_ENTRIES);
				goto fail;
			}
			cap = cap == 0 ? 16 : cap * 2;
			if ((grown = realloc(t->entries, cap * sizeof(*t->entries))) == NULL) {
				err_set(err, errlen, "%s: out of memory", name);
				goto fail;
			}
			t->entries = grown;
		}
		e = &t->entries[t->count];
		memset(e, 0, sizeof(*e));
		memcpy(e->identity, id, idlen);
		e->identity[idlen] = '\0';
		e->line = lineno;
		if (psk_identity_role(e->identity, NULL, 0) == PSK_ROLE_NONE) {
			err_set(err, errlen,
			    "%s:%zu: identity must be station:ID, township:CODE, regulator:NAME, "
			    "officer:NAME@TOWNSHIP, grid:NAME@TOWNSHIP or delivery:NAME@TOWNSHIP",
			    name, lineno);
			goto fail;
		}
		if (parse_hex_key(hex, (size_t)(end - hex), e->key, sizeof(e->key), &e->key_len) ==
		    -1) {
			err_set(err, errlen, "%s:%zu: key of %s must be %d to %d bytes of hex",
			    name, lineno, e->identity, PSK_MIN_KEY, PSK_MAX_KEY);
			goto fail;
		}
		t->count++;
	}
	if (t->count > 0)
		qsort(t->entries, t->count, sizeof(*t->entries), entry_cmp);
	for (i = 1; i < t->count; i++)
		if (strcmp(t->entries[i - 1].identity, t->entries[i].identity) == 0) {
			size_t a = t->entries[i - 1].line, b = t->entries[i].line;

			err_set(err, errlen,
			    "%s:%zu: identity %s appears twice (first at line %zu)", name,
			    a > b ? a : b, t->entries[i].identity, a < b ? a : b);
			goto fail;
		}
	return 0;
fail:
	if (t->entries != NULL)
		t->count = cap; /* wipe everything allocated */
	psk_table_free(t);
	return -1;
}

int
psk_load_identities(const char *path, struct psk_table *t, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	t->count = 0;
	t->entries = NULL;
	if (read_private(path, &buf, &len, NULL, err, errlen) == -1)
		return -1;
	rc = psk_parse_identities(path, buf, len, t, err, errlen);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return rc;
}

const struct psk_entry *
psk_find(const struct psk_table *t, const uint8_t *id, size_t idlen)
{
	struct psk_entry key;

	if (t == NULL || t->count == 0 || idlen == 0 || idlen >= PSK_MAX_IDENTITY ||
	    memchr(id, '\0', idlen) != NULL)
		return NULL;
	memcpy(key.identity, id, idlen);
	key.identity[idlen] = '\0';
	return bsearch(&key, t->entries, t->count, sizeof(*t->entries), entry_cmp);
}
