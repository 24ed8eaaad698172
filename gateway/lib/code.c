/*
 * code: signed cylinder codes (docs/code-format.md is the specification).
 *
 * Version-1 binary record, all integers big-endian:
 *   0      1  format version (1)
 *   1..3   3  county code (six digits, 0..999999)
 *   4      1  model id (struct code_model)
 *   5..6   2  manufacture month, counted from 1970-01 (0)
 *   7..8   2  stamped tare, units of 10 g
 *   9..10  2  allowable fill mass, units of 10 g
 *   11     1  serial length n (1..24)
 *   12..   n  serial (ASCII)
 * followed by the 64-byte Ed25519 signature of "GC1:" || record.  The code is
 * "GC1:" and the base45 text of record || signature.  Signing the prefix too
 * ties the signature to this format version.
 */
#include "code.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "base45.h"
#include "i18n.h"
#include "util.h"

#define CODE_VERSION 1
#define CODE_HEADER_LEN 12
#define CODE_SIG_LEN 64
#define CODE_PREFIX_LEN 4
#define CODE_PAYLOAD_MAX (CODE_HEADER_LEN + CODE_SERIAL_MAX + CODE_SIG_LEN)
#define CODE_YEAR_MIN 1970
#define CODE_YEAR_MAX 2200
#define CODE_TARE_MAX_G 200000

struct code_key {
	EVP_PKEY *pkey;
	int has_private;
};

static const struct code_model code_models[] = {
	{ .id = 1, .name = "YSP4.7", .fill_g = 2000 },
	{ .id = 2, .name = "YSP12", .fill_g = 5000 },
	{ .id = 3, .name = "YSP26.2", .fill_g = 11000 },
	{ .id = 4, .name = "YSP35.5", .fill_g = 14900 },
	{ .id = 5, .name = "YSP118", .fill_g = 49500 },
};
#define CODE_NMODELS (sizeof(code_models) / sizeof(code_models[0]))

const struct code_model *
code_model_by_name(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < CODE_NMODELS; i++)
		if (strcasecmp(name, code_models[i].name) == 0)
			return &code_models[i];
	return NULL;
}

const struct code_model *
code_model_by_id(int id)
{
	size_t i;

	for (i = 0; i < CODE_NMODELS; i++)
		if (code_models[i].id == id)
			return &code_models[i];
	return NULL;
}

const struct code_model *
code_model_at(int i)
{
	if (i < 0 || (size_t)i >= CODE_NMODELS)
		return NULL;
	return &code_models[i];
}

double
code_model_fill_kg(const char *name)
{
	const struct code_model *m = code_model_by_name(name);

	return m == NULL ? -1.0 : m->fill_g / 1000.0;
}

static int
code_serial_char(unsigned char c, int first)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	return !first && (c == '-' || c == '.' || c == '_');
}

static int
code_serial_valid_n(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > CODE_SERIAL_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!code_serial_char((unsigned char)s[i], i == 0))
			return 0;
	return 1;
}

int
code_serial_valid(const char *s)
{
	return s != NULL && code_serial_valid_n(s, strnlen(s, CODE_SERIAL_MAX + 1));
}

int
code_record_check(const struct code_record *rec, char *err, size_t errlen)
{
	const struct code_model *m;

	if (rec->county < 100000 || rec->county > 999999)
		return err_set(err, errlen, "county code %u is not six digits", rec->county);
	if (!code_serial_valid(rec->serial))
		return err_set(err, errlen,
		    "serial must be 1 to %d characters of A-Z, a-z, "
		    "0-9, '-', '.', '_', starting with a letter or digit",
		    CODE_SERIAL_MAX);
	if ((m = code_model_by_id(rec->model)) == NULL)
		return err_set(err, errlen, "model %d is unknown", rec->model);
	if (rec->year < CODE_YEAR_MIN || rec->year > CODE_YEAR_MAX || rec->month < 1 ||
	    rec->month > 12)
		return err_set(err, errlen, "manufacture month %04d-%02d is out of range",
		    rec->year, rec->month);
	if (rec->tare_g <= 0 || rec->tare_g > CODE_TARE_MAX_G || rec->tare_g % 10 != 0)
		return err_set(err, errlen,
		    "stamped tare %d g is not a multiple of 10 g "
		    "between 10 g and %d kg",
		    rec->tare_g, CODE_TARE_MAX_G / 1000);
	if (rec->fill_g <= 0 || rec->fill_g % 10 != 0)
		return err_set(err, errlen,
		    "allowable fill mass %d g is not a positive "
		    "multiple of 10 g",
		    rec->fill_g);
	if (rec->fill_g > m->fill_g)
		return err_set(err, errlen,
		    "allowable fill mass %.2f kg exceeds %.1f kg, the "
		    "most a %s may hold",
		    rec->fill_g / 1000.0, m->fill_g / 1000.0, m->name);
	return 0;
}

char *
code_record_format(const struct code_record *rec, char *out, size_t outlen)
{
	const struct code_model *m = code_model_by_id(rec->model);

	snprintf(out, outlen,
	    "county %06u serial %s model %s made %04d-%02d tare %.2f kg "
	    "fill %.2f kg",
	    rec->county, rec->serial, m != NULL ? m->name : "?", rec->year, rec->month,
	    rec->tare_g / 1000.0, rec->fill_g / 1000.0);
	return out;
}

/* ---- keys ------------------------------------------------------------------ */

static int
code_ssl_fail(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[160];

	if (e == 0)
		return err_set(err, errlen, "%s", what);
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return err_set(err, errlen, "%s (%s)", what, buf);
}

static struct code_key *
code_key_wrap(EVP_PKEY *pkey, int has_private, char *err, size_t errlen)
{
	struct code_key *key;

	if (pkey == NULL)
		return NULL;
	if (EVP_PKEY_get_id(pkey) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(pkey);
		err_set(err, errlen, "not an Ed25519 key");
		return NULL;
	}
	if ((key = calloc(1, sizeof(*key))) == NULL) {
		EVP_PKEY_free(pkey);
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	key->pkey = pkey;
	key->has_private = has_private;
	return key;
}

struct code_key *
code_key_generate(char *err, size_t errlen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *pkey = NULL;

	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_keygen(ctx, &pkey) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		code_ssl_fail(err, errlen, "cannot generate an Ed25519 key");
		return NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return code_key_wrap(pkey, 1, err, errlen);
}

struct code_key *
code_key_from_seed(const uint8_t seed[CODE_SEED_LEN], char *err, size_t errlen)
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, CODE_SEED_LEN);

	if (pkey == NULL) {
		code_ssl_fail(err, errlen, "cannot make a key of the seed");
		return NULL;
	}
	return code_key_wrap(pkey, 1, err, errlen);
}

struct code_key *
code_key_from_public(const uint8_t pub[CODE_PUBLIC_LEN], char *err, size_t errlen)
{
	EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, CODE_PUBLIC_LEN);

	if (pkey == NULL) {
		code_ssl_fail(err, errlen, "not a valid Ed25519 public key");
		return NULL;
	}
	return code_key_wrap(pkey, 0, err, errlen);
}

void
code_key_free(struct code_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}

int
code_key_is_private(const struct code_key *key)
{
	return key != NULL && key->has_private;
}

int
code_key_public_raw(const struct code_key *key, uint8_t out[CODE_PUBLIC_LEN])
{
	size_t n = CODE_PUBLIC_LEN;

	if (EVP_PKEY_get_raw_public_key(key->pkey, out, &n) <= 0 || n != CODE_PUBLIC_LEN)
		return -1;
	return 0;
}

/*
 * Write data to a new file at path without ever leaving a partial file there:
 * write a temporary file in the same folder, fsync it, then link() it to the
 * final name (which fails, rather than replaces, when the name exists) or
 * rename() it when replacing is allowed, and fsync the folder.
 */
static int
code_write_file(const char *path, const char *data, size_t len, mode_t mode, int replace, char *err,
    size_t errlen)
{
	char tmp[4096], dir[4096];
	char *slash;
	int fd = -1, rc = -1;
	size_t off = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp))
		return err_set(err, errlen, "%s: path too long", path);
	if ((fd = mkstemp(tmp)) == -1)
		return err_set(err, errlen, "%s: %s", tmp, strerror(errno));
	if (fchmod(fd, mode) == -1) {
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(err, errlen, "%s: %s", tmp, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (replace ? rename(tmp, path) == -1 : link(tmp, path) == -1) {
		if (errno == EEXIST)
			err_set(err, errlen, "%s exists already; refusing to overwrite a key",
			    path);
		else
			err_set(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	str_copy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == NULL)
		str_copy(dir, ".", sizeof(dir));
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY)) != -1) {
		(void)fsync(fd);
		close(fd);
		fd = -1;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	if (!replace || rc != 0)
		unlink(tmp);
	return rc;
}

static int
code_key_save(const struct code_key *key, const char *path, int private_half, char *err,
    size_t errlen)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long len;
	int rc = -1;

	if (bio == NULL)
		return err_set(err, errlen, "out of memory");
	if (private_half ? !PEM_write_bio_PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL)
	                 : !PEM_write_bio_PUBKEY(bio, key->pkey)) {
		code_ssl_fail(err, errlen, "cannot write the key as PEM");
		goto out;
	}
	len = BIO_get_mem_data(bio, &data);
	rc = code_write_file(path, data, (size_t)len, private_half ? 0600 : 0644, 0, err, errlen);
out:
	BIO_free(bio);
	return rc;
}

int
code_key_save_private(const struct code_key *key, const char *path, char *err, size_t errlen)
{
	if (!code_key_is_private(key))
		return err_set(err, errlen, "no private key to save");
	return code_key_save(key, path, 1, err, errlen);
}

int
code_key_save_public(const struct code_key *key, const char *path, char *err, size_t errlen)
{
	return code_key_save(key, path, 0, err, errlen);
}

static struct code_key *
code_key_load(const char *path, int private_half, char *err, size_t errlen)
{
	FILE *fp;
	struct stat st;
	EVP_PKEY *pkey;

	if ((fp = fopen(path, "r")) == NULL) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* the other half given for this one (county.pub for county.key): say so, rather
	 * than that a public file is readable by others */
	{
		char head[64] = "";

		if (fgets(head, sizeof(head), fp) == NULL)
			head[0] = '\0';
		rewind(fp);
		if (strstr(head, private_half ? "PUBLIC KEY" : "PRIVATE KEY") != NULL) {
			fclose(fp);
			err_set(err, errlen, "%s: a %s key; the county's %s key is needed here",
			    path, private_half ? "public" : "private",
			    private_half ? "private" : "public");
			return NULL;
		}
	}
	if (private_half && fstat(fileno(fp), &st) == 0 && (st.st_mode & 077) != 0) {
		fclose(fp);
		err_set(err, errlen,
		    "%s: private key is accessible to group or others "
		    "(mode %03o); chmod 600 it",
		    path, (unsigned)(st.st_mode & 0777));
		return NULL;
	}
	pkey = private_half ? PEM_read_PrivateKey(fp, NULL, NULL, NULL)
	                    : PEM_read_PUBKEY(fp, NULL, NULL, NULL);
	fclose(fp);
	if (pkey == NULL) {
		char why[256];

		code_ssl_fail(why, sizeof(why),
		    private_half ? "not a PEM private key" : "not a PEM public key");
		err_set(err, errlen, "%s: %s", path, why);
		return NULL;
	}
	{
		char why[128];
		struct code_key *key = code_key_wrap(pkey, private_half, why, sizeof(why));

		if (key == NULL)
			err_set(err, errlen, "%s: %s", path, why);
		return key;
	}
}

struct code_key *
code_key_load_private(const char *path, char *err, size_t errlen)
{
	return code_key_load(path, 1, err, errlen);
}

struct code_key *
code_key_load_public(const char *path, char *err, size_t errlen)
{
	return code_key_load(path, 0, err, errlen);
}

/* ---- encode / decode --------------------------------------------------------- */

/* The signed message: prefix || record.  Returns its length. */
static size_t
code_message(const uint8_t *record, size_t reclen, uint8_t *msg)
{
	memcpy(msg, CODE_PREFIX, CODE_PREFIX_LEN);
	memcpy(msg + CODE_PREFIX_LEN, record, reclen);
	return CODE_PREFIX_LEN + reclen;
}

int
code_encode(const struct code_record *rec, const struct code_key *key, char *out, size_t outlen,
    char *err, size_t errlen)
{
	uint8_t payload[CODE_PAYLOAD_MAX], msg[CODE_PREFIX_LEN + CODE_PAYLOAD_MAX];
	size_t n, reclen, msglen, siglen = CODE_SIG_LEN;
	unsigned months, tare, fill;
	EVP_MD_CTX *md;
	int ok;

	if (outlen > 0)
		out[0] = '\0';
	if (!code_key_is_private(key))
		return err_set(err, errlen, "signing needs the county private key");
	if (code_record_check(rec, err, errlen) == -1)
		return -1;
	n = strlen(rec->serial);
	months = (unsigned)((rec->year - CODE_YEAR_MIN) * 12 + rec->month - 1);
	tare = (unsigned)rec->tare_g / 10;
	fill = (unsigned)rec->fill_g / 10;
	payload[0] = CODE_VERSION;
	payload[1] = (uint8_t)(rec->county >> 16);
	payload[2] = (uint8_t)(rec->county >> 8);
	payload[3] = (uint8_t)rec->county;
	payload[4] = (uint8_t)rec->model;
	payload[5] = (uint8_t)(months >> 8);
	payload[6] = (uint8_t)months;
	payload[7] = (uint8_t)(tare >> 8);
	payload[8] = (uint8_t)tare;
	payload[9] = (uint8_t)(fill >> 8);
	payload[10] = (uint8_t)fill;
	payload[11] = (uint8_t)n;
	memcpy(payload + CODE_HEADER_LEN, rec->serial, n);
	reclen = CODE_HEADER_LEN + n;
	msglen = code_message(payload, reclen, msg);

	if ((md = EVP_MD_CTX_new()) == NULL)
		return err_set(err, errlen, "out of memory");
	ok = EVP_DigestSignInit(md, NULL, NULL, NULL, key->pkey) > 0 &&
	     EVP_DigestSign(md, payload + reclen, &siglen, msg, msglen) > 0 &&
	     siglen == CODE_SIG_LEN;
	EVP_MD_CTX_free(md);
	if (!ok)
		return code_ssl_fail(err, errlen, "cannot sign the record");

	if (outlen < CODE_PREFIX_LEN + base45_encoded_len(reclen + CODE_SIG_LEN) + 1)
		return err_set(err, errlen, "output buffer too small for the code");
	memcpy(out, CODE_PREFIX, CODE_PREFIX_LEN);
	if (base45_encode(payload, reclen + CODE_SIG_LEN, out + CODE_PREFIX_LEN,
	        outlen - CODE_PREFIX_LEN) < 0)
		return err_set(err, errlen, "output buffer too small for the code");
	return 0;
}

struct code_verifier {
	EVP_PKEY *pkey;    /* the verifier's own reference to the key */
	EVP_MD_CTX *ready; /* initialised to verify with pkey; never verifies itself */
	EVP_MD_CTX *work;  /* a copy of ready for each code */
};

struct code_verifier *
code_verifier_new(const struct code_key *key, char *err, size_t errlen)
{
	struct code_verifier *verifier;

	if (key == NULL) {
		err_set(err, errlen, _("no county public key to verify the code with"));
		return NULL;
	}
	if ((verifier = calloc(1, sizeof(*verifier))) == NULL) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	if (EVP_PKEY_up_ref(key->pkey) <= 0) {
		free(verifier);
		code_ssl_fail(err, errlen, "cannot keep the county key");
		return NULL;
	}
	verifier->pkey = key->pkey;
	if ((verifier->ready = EVP_MD_CTX_new()) == NULL ||
	    (verifier->work = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit(verifier->ready, NULL, NULL, NULL, verifier->pkey) <= 0) {
		code_ssl_fail(err, errlen, "cannot set up the verification of codes");
		code_verifier_free(verifier);
		return NULL;
	}
	return verifier;
}

void
code_verifier_free(struct code_verifier *verifier)
{
	if (verifier == NULL)
		return;
	EVP_MD_CTX_free(verifier->work);
	EVP_MD_CTX_free(verifier->ready);
	EVP_PKEY_free(verifier->pkey);
	free(verifier);
}

/*
 * 1 if sig is the signature of msg by key, or by the verifier's key when
 * verifier is not NULL; 0 if it is not; -1 when out of memory.  With a
 * verifier, the verification starts from a copy of its initialised context
 * (about 0.1 us, against about 2 us for EVP_DigestVerifyInit, which looks the
 * algorithm up again): Ed25519's EVP_DigestVerify is one-shot, and OpenSSL
 * 3.0 does not document a second one on the same context.
 */
static int
code_signature_ok(const struct code_key *key, struct code_verifier *verifier, const uint8_t *sig,
    const uint8_t *msg, size_t msglen)
{
	EVP_MD_CTX *md;
	int ok;

	if (verifier != NULL) {
		if (EVP_MD_CTX_copy_ex(verifier->work, verifier->ready) <= 0) {
			ERR_clear_error();
			return -1;
		}
		ok = EVP_DigestVerify(verifier->work, sig, CODE_SIG_LEN, msg, msglen) == 1;
	} else {
		if ((md = EVP_MD_CTX_new()) == NULL)
			return -1;
		ok = EVP_DigestVerifyInit(md, NULL, NULL, NULL, key->pkey) > 0 &&
		     EVP_DigestVerify(md, sig, CODE_SIG_LEN, msg, msglen) == 1;
		EVP_MD_CTX_free(md);
	}
	ERR_clear_error();
	return ok;
}

/* The decoder: the signature is checked with the verifier if there is one,
 * else with key. */
static int
code_decode_inner(const char *buf, size_t len, const struct code_key *key,
    struct code_verifier *verifier, struct code_record *rec, char *err, size_t errlen)
{
	uint8_t payload[CODE_PAYLOAD_MAX], msg[CODE_PREFIX_LEN + CODE_PAYLOAD_MAX];
	char why[160];
	size_t n, reclen, msglen, serial_len;
	unsigned months;
	int ok;

	if (buf == NULL || len == 0)
		return err_set(err, errlen, _("empty code"));
	if (len > CODE_MAX_LEN)
		return err_set(err, errlen,
		    _("too long for a cylinder code (%zu characters, at "
		      "most %d)"),
		    len, CODE_MAX_LEN);
	if (len < CODE_PREFIX_LEN || memcmp(buf, CODE_PREFIX, CODE_PREFIX_LEN) != 0) {
		if (len >= CODE_PREFIX_LEN && buf[0] == 'G' && buf[1] == 'C' && buf[3] == ':' &&
		    buf[2] >= '2' && buf[2] <= '9')
			return err_set(err, errlen,
			    _("code format version %c is not supported "
			      "(this build reads version 1)"),
			    buf[2]);
		return err_set(err, errlen, _("not a cylinder code (it does not start with %s)"),
		    CODE_PREFIX);
	}
	/* Name a stray character by its place in the whole code. */
	for (n = CODE_PREFIX_LEN; n < len; n++) {
		unsigned char c = (unsigned char)buf[n];

		if (base45_valid_char(c))
			continue;
		if (c >= 0x21 && c < 0x7f)
			return err_set(err, errlen,
			    _("damaged code: character '%c' at "
			      "position %zu is not allowed"),
			    c, n + 1);
		return err_set(err, errlen,
		    _("damaged code: byte 0x%02x at position %zu is not "
		      "allowed"),
		    c, n + 1);
	}
	if (base45_decode(buf + CODE_PREFIX_LEN, len - CODE_PREFIX_LEN, payload, sizeof(payload),
	        &n, why, sizeof(why)) == -1)
		return err_set(err, errlen, _("damaged code: %s"), why);
	if (n < CODE_HEADER_LEN + 1 + CODE_SIG_LEN)
		return err_set(err, errlen,
		    _("damaged code: too short to hold a record and its "
		      "signature"));
	if (payload[0] != CODE_VERSION)
		return err_set(err, errlen, _("damaged code: record version %u is not %d"),
		    payload[0], CODE_VERSION);
	serial_len = payload[11];
	reclen = n - CODE_SIG_LEN;
	if (serial_len + CODE_HEADER_LEN != reclen)
		return err_set(err, errlen,
		    _("damaged code: its length does not match the "
		      "serial length it states"));

	/* Signature before any value is trusted. */
	msglen = code_message(payload, reclen, msg);
	if ((ok = code_signature_ok(key, verifier, payload + reclen, msg, msglen)) == -1)
		return err_set(err, errlen, "out of memory");
	if (!ok)
		return err_set(err, errlen,
		    _("signature does not match the county key (forged "
		      "or altered code)"));

	rec->county = (uint32_t)payload[1] << 16 | (uint32_t)payload[2] << 8 | payload[3];
	rec->model = payload[4];
	months = (unsigned)payload[5] << 8 | payload[6];
	rec->year = CODE_YEAR_MIN + (int)(months / 12);
	rec->month = (int)(months % 12) + 1;
	rec->tare_g = ((int)payload[7] << 8 | payload[8]) * 10;
	rec->fill_g = ((int)payload[9] << 8 | payload[10]) * 10;
	if (!code_serial_valid_n((const char *)payload + CODE_HEADER_LEN, serial_len))
		return err_set(err, errlen, _("signed record holds an invalid serial"));
	memcpy(rec->serial, payload + CODE_HEADER_LEN, serial_len);
	rec->serial[serial_len] = '\0';
	if (code_record_check(rec, why, sizeof(why)) == -1)
		return err_set(err, errlen, _("signed record is invalid: %s"), why);
	return 0;
}

int
code_decode(const char *buf, size_t len, const struct code_key *key, struct code_record *rec,
    char *err, size_t errlen)
{
	memset(rec, 0, sizeof(*rec));
	if (key == NULL)
		return err_set(err, errlen, _("no county public key to verify the code with"));
	if (code_decode_inner(buf, len, key, NULL, rec, err, errlen) == -1) {
		memset(rec, 0, sizeof(*rec));
		return -1;
	}
	return 0;
}

int
code_verifier_decode(struct code_verifier *verifier, const char *buf, size_t len,
    struct code_record *rec, char *err, size_t errlen)
{
	memset(rec, 0, sizeof(*rec));
	if (verifier == NULL)
		return err_set(err, errlen, _("no county public key to verify the code with"));
	if (code_decode_inner(buf, len, NULL, verifier, rec, err, errlen) == -1) {
		memset(rec, 0, sizeof(*rec));
		return -1;
	}
	return 0;
}

/* ---- URL form ------------------------------------------------------------- */

/* Length of the scheme "http://" or "https://" (any case) at s, or 0. */
static size_t
code_url_scheme(const char *s, size_t len)
{
	if (len >= 7 && strncasecmp(s, "http://", 7) == 0)
		return 7;
	if (len >= 8 && strncasecmp(s, "https://", 8) == 0)
		return 8;
	return 0;
}

/* 1 if s[0..len) starts with "GCn:" (n a digit), the start of a code. */
static int
code_looks_like_code(const char *s, size_t len)
{
	return len >= 4 && s[0] == 'G' && s[1] == 'C' && s[2] >= '0' && s[2] <= '9' && s[3] == ':';
}

int
code_text_is_code(const char *buf, size_t len)
{
	return buf != NULL && (code_url_scheme(buf, len) > 0 || code_looks_like_code(buf, len));
}

int
code_base_url_check(const char *base, char *err, size_t errlen)
{
	size_t len, scheme, i;

	if (base == NULL || base[0] == '\0')
		return err_set(err, errlen, "the base URL is empty");
	len = strlen(base);
	if (len > CODE_BASE_URL_MAX)
		return err_set(err, errlen, "the base URL is %zu characters long (at most %d)", len,
		    CODE_BASE_URL_MAX);
	if ((scheme = code_url_scheme(base, len)) == 0)
		return err_set(err, errlen,
		    "the base URL '%s' does not start with https:// or http://", base);
	if (scheme == len || base[scheme] == '/')
		return err_set(err, errlen, "the base URL '%s' names no host", base);
	if (strchr(base + scheme, '/') == NULL)
		return err_set(err, errlen,
		    "the base URL '%s' has no path after the host (write at least a '/')", base);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)base[i];

		if (c <= 0x20 || c >= 0x7f || c == '%' || c == '#' || c == '&')
			return err_set(err, errlen,
			    "the base URL has a character at position %zu that a label URL "
			    "may not hold (space, '%%', '#', '&' or not printable ASCII)",
			    i + 1);
		if (code_looks_like_code(base + i, len - i))
			return err_set(err, errlen,
			    "the base URL holds '%.4s', which a reader would take for the code",
			    base + i);
	}
	if (base[len - 1] != '/' && base[len - 1] != '=')
		return err_set(err, errlen,
		    "the base URL '%s' must end in '/' or '=' (the code follows it)", base);
	return 0;
}

int
code_url(const char *base, const char *code, char *out, size_t outlen, char *err, size_t errlen)
{
	size_t n, i;

	if (outlen > 0)
		out[0] = '\0';
	if (code_base_url_check(base, err, errlen) == -1)
		return -1;
	n = strlen(base);
	if (n >= outlen)
		return err_set(err, errlen, "output buffer too small for the URL");
	memcpy(out, base, n);
	for (i = 0; code[i] != '\0'; i++) {
		const char *esc = code[i] == ' ' ? "%20" : code[i] == '%' ? "%25" : NULL;
		size_t add = esc != NULL ? 3 : 1;

		if (n + add >= outlen || n + add > CODE_URL_MAX)
			return err_set(err, errlen, "the URL would be longer than %d characters",
			    CODE_URL_MAX);
		if (esc != NULL)
			memcpy(out + n, esc, 3);
		else
			out[n] = code[i];
		n += add;
	}
	out[n] = '\0';
	return 0;
}

int
code_from_text(const char *buf, size_t len, char *code, size_t codelen, size_t *codelen_out,
    char *err, size_t errlen)
{
	size_t scheme, i, start, n = 0;

	*codelen_out = 0;
	if (codelen > 0)
		code[0] = '\0';
	if (buf == NULL)
		len = 0;
	if (len == 0 || (scheme = code_url_scheme(buf, len)) == 0) {
		/* A bare code: code_decode judges it, with its own messages. */
		if (len >= codelen)
			return err_set(err, errlen,
			    _("too long for a cylinder code (%zu characters, at most %d)"), len,
			    CODE_MAX_LEN);
		if (len > 0)
			memcpy(code, buf, len);
		code[len] = '\0';
		*codelen_out = len;
		return 0;
	}
	if (len > CODE_URL_MAX)
		return err_set(err, errlen,
		    _("too long for a label URL (%zu characters, at most %d)"), len, CODE_URL_MAX);
	/* The code starts at the first "GCn:" after the host. */
	for (start = scheme; start < len && buf[start] != '/'; start++)
		;
	for (; start < len; start++) {
		if (code_looks_like_code(buf + start, len - start))
			break;
		if (buf[start] == '#')
			start = len;
	}
	if (start >= len)
		return err_set(err, errlen,
		    _("the URL holds no cylinder code (no GC1: after the host)"));
	for (i = start; i < len && buf[i] != '?' && buf[i] != '#' && buf[i] != '&'; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '%') {
			char pair[3] = { 0 };
			uint8_t byte;

			if (i + 2 < len) {
				pair[0] = buf[i + 1];
				pair[1] = buf[i + 2];
			}
			if (hex_decode(pair, &byte, 1) == -1)
				return err_set(err, errlen,
				    _("damaged URL: '%%' at position %zu is not followed by two hex "
				      "digits"),
				    i + 1);
			c = byte;
			i += 2;
		}
		if (n + 1 >= codelen || n >= CODE_MAX_LEN)
			return err_set(err, errlen,
			    _("the code in the URL is too long for a cylinder code (at most %d "
			      "characters)"),
			    CODE_MAX_LEN);
		code[n++] = (char)c;
	}
	code[n] = '\0';
	*codelen_out = n;
	return 0;
}

int
code_decode_text(const char *buf, size_t len, const struct code_key *key, struct code_record *rec,
    char *err, size_t errlen)
{
	char code[CODE_URL_MAX + 1];
	size_t n;

	memset(rec, 0, sizeof(*rec));
	if (code_from_text(buf, len, code, sizeof(code), &n, err, errlen) == -1)
		return -1;
	return code_decode(code, n, key, rec, err, errlen);
}
