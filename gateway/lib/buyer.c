/*
 * buyer: validation of resident ID numbers (GB 11643) and unified social
 * credit codes (GB 32100), the keyed buyer id and the masked form
 * (docs/buyers.md).  The raw number never leaves struct buyer_number: error
 * messages name a position or a date, never the number.
 */
#include "buyer.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "i18n.h"
#include "util.h"

#define BUYER_INPUT_MAX 64

/* Province-level codes of GB/T 2260 (the first two digits of an area code). */
static const char *const buyer_provinces[] = {
	"11",
	"12",
	"13",
	"14",
	"15",
	"21",
	"22",
	"23",
	"31",
	"32",
	"33",
	"34",
	"35",
	"36",
	"37",
	"41",
	"42",
	"43",
	"44",
	"45",
	"46",
	"50",
	"51",
	"52",
	"53",
	"54",
	"61",
	"62",
	"63",
	"64",
	"65",
	"71",
	"81",
	"82",
	NULL,
};

/* GB 32100 alphabet: digits and upper-case letters without I, O, S, V, Z. */
static const char buyer_credit_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
static const int buyer_credit_weights[17] = {
	1,
	3,
	9,
	27,
	19,
	26,
	16,
	17,
	20,
	29,
	25,
	13,
	8,
	24,
	10,
	30,
	28,
};

const char *
buyer_kind_name(enum buyer_kind kind)
{
	switch (kind) {
	case BUYER_HOUSEHOLD:
		return "household";
	case BUYER_BUSINESS:
		return "business";
	default:
		return "?";
	}
}

char
buyer_resident_check_char(const char *first17)
{
	static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
	static const char checks[] = "10X98765432";
	int i, sum = 0;

	for (i = 0; i < 17; i++)
		sum += (first17[i] - '0') * weights[i];
	return checks[sum % 11];
}

char
buyer_credit_check_char(const char *first17)
{
	int i, sum = 0, c;

	for (i = 0; i < 17; i++) {
		const char *p;

		if (first17[i] == '\0' || (p = strchr(buyer_credit_alphabet, first17[i])) == NULL)
			return 0;
		sum += (int)(p - buyer_credit_alphabet) * buyer_credit_weights[i];
	}
	c = 31 - sum % 31;
	return buyer_credit_alphabet[c == 31 ? 0 : c];
}

static int
buyer_today(int *year, int *month, int *day)
{
	time_t now = time(NULL);
	struct tm tm;

	if (gmtime_r(&now, &tm) == NULL)
		return -1;
	*year = tm.tm_year + 1900;
	*month = tm.tm_mon + 1;
	*day = tm.tm_mday;
	return 0;
}

int
buyer_check_resident_id(const char *number, char *err, size_t errlen)
{
	size_t len = strnlen(number, BUYER_NUMBER_LEN + 1), i;
	int year, month, day, ty, tm, td, province_ok = 0;
	char check;

	if (len == 15)
		return err_set(err, errlen,
		    _("15-digit first-generation ID numbers are no longer "
		      "valid; ask for the 18-digit number"));
	if (len != BUYER_NUMBER_LEN)
		return err_set(err, errlen, _("a resident ID number has 18 characters, not %zu"),
		    len);
	for (i = 0; i < 17; i++)
		if (!isdigit((unsigned char)number[i]))
			return err_set(err, errlen,
			    _("character %zu is not a digit (only the last "
			      "may be X)"),
			    i + 1);
	if (!isdigit((unsigned char)number[17]) && number[17] != 'X')
		return err_set(err, errlen, _("the last character must be a digit or X"));
	for (i = 0; buyer_provinces[i] != NULL; i++)
		if (memcmp(number, buyer_provinces[i], 2) == 0)
			province_ok = 1;
	if (!province_ok)
		return err_set(err, errlen,
		    _("the first two digits (%.2s) are not a province "
		      "code"),
		    number);
	year = (number[6] - '0') * 1000 + (number[7] - '0') * 100 + (number[8] - '0') * 10 +
	       (number[9] - '0');
	month = (number[10] - '0') * 10 + (number[11] - '0');
	day = (number[12] - '0') * 10 + (number[13] - '0');
	if (year < 1900)
		return err_set(err, errlen, _("birth year %04d is not plausible"), year);
	if (!date_valid(year, month, day))
		return err_set(err, errlen, _("birth date %04d-%02d-%02d is not a real date"), year,
		    month, day);
	if (buyer_today(&ty, &tm, &td) == 0 &&
	    (year > ty || (year == ty && (month > tm || (month == tm && day > td)))))
		return err_set(err, errlen, _("birth date %04d-%02d-%02d is in the future"), year,
		    month, day);
	check = buyer_resident_check_char(number);
	if (number[17] != check)
		return err_set(err, errlen, _("check digit wrong (a typing error in the number?)"));
	return 0;
}

int
buyer_check_credit_code(const char *number, char *err, size_t errlen)
{
	size_t len = strnlen(number, BUYER_NUMBER_LEN + 1), i;
	char check;

	if (len != BUYER_NUMBER_LEN)
		return err_set(err, errlen,
		    _("a unified social credit code has 18 characters, "
		      "not %zu"),
		    len);
	for (i = 0; i < BUYER_NUMBER_LEN; i++)
		if (strchr(buyer_credit_alphabet, number[i]) == NULL || number[i] == '\0')
			return err_set(err, errlen,
			    _("character %zu is not allowed in a credit "
			      "code (digits and letters except I, O, S, V, Z)"),
			    i + 1);
	for (i = 2; i < 8; i++)
		if (!isdigit((unsigned char)number[i]))
			return err_set(err, errlen,
			    _("characters 3 to 8 must be digits (the "
			      "area code)"));
	check = buyer_credit_check_char(number);
	if (number[17] != check)
		return err_set(err, errlen,
		    _("check character wrong (a typing error in the "
		      "code?)"));
	return 0;
}

/*
 * Digits (and X) only: meant as a resident ID.  There is no fall-back to the
 * credit-code check for these: a mistyped ID number would pass it one time in
 * 31.  A credit code made only of digits and X needs BUYER_BUSINESS.
 */
static int
buyer_looks_resident(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && s[i] != 'X')
			return 0;
	return 1;
}

/* 17 digits and a last character that is neither a digit nor X. */
static int
buyer_resident_bad_last(const char *s, size_t n)
{
	size_t i;

	if (n != BUYER_NUMBER_LEN || isdigit((unsigned char)s[17]) || s[17] == 'X')
		return 0;
	for (i = 0; i < 17; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int
buyer_parse(const char *buf, size_t len, enum buyer_kind kind, struct buyer_number *out, char *err,
    size_t errlen)
{
	char norm[BUYER_INPUT_MAX + 1];
	size_t i, n = 0;
	int rc = -1;

	buyer_number_clear(out);
	if (len > BUYER_INPUT_MAX)
		return err_set(err, errlen, _("too long for an ID number or credit code"));
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == ' ' || c == '\t' || c == '-' || c == '\r' || c == '\n')
			continue;
		if (c < 0x21 || c > 0x7e) {
			explicit_bzero(norm, sizeof(norm));
			return err_set(err, errlen, _("character %zu is not a letter or digit"),
			    i + 1);
		}
		norm[n++] = (char)toupper(c);
	}
	norm[n] = '\0';
	if (n == 0)
		return err_set(err, errlen, _("no number given"));

	if (kind == BUYER_HOUSEHOLD || (kind == BUYER_ANY && buyer_looks_resident(norm, n))) {
		if (buyer_check_resident_id(norm, err, errlen) == 0) {
			kind = BUYER_HOUSEHOLD;
			rc = 0;
		}
	} else if (buyer_check_credit_code(norm, err, errlen) == 0) {
		kind = BUYER_BUSINESS;
		rc = 0;
	} else if (kind == BUYER_ANY && buyer_resident_bad_last(norm, n)) {
		/* neither: more likely an ID number with a mistyped last character */
		err_set(err, errlen, _("the last character must be a digit or X"));
	}
	if (rc == 0) {
		memcpy(out->text, norm, BUYER_NUMBER_LEN + 1);
		out->kind = kind;
	}
	explicit_bzero(norm, sizeof(norm));
	return rc;
}

static int
is_word_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int
buyer_text_has_number(const char *text, size_t len)
{
	char word[BUYER_NUMBER_LEN + 1], err[128];
	size_t i, run = 0, k;

	for (i = 0; i < len; i++) {
		run = (text[i] >= '0' && text[i] <= '9') ? run + 1 : 0;
		if (run >= 15)
			return 1;
	}
	/* 18-character words (not part of a longer one) that pass a check */
	for (i = 0; i + BUYER_NUMBER_LEN <= len; i++) {
		if ((i > 0 && is_word_char(text[i - 1])) ||
		    (i + BUYER_NUMBER_LEN < len && is_word_char(text[i + BUYER_NUMBER_LEN])))
			continue;
		for (k = 0; k < BUYER_NUMBER_LEN && is_word_char(text[i + k]); k++)
			word[k] = (char)(text[i + k] >= 'a' && text[i + k] <= 'z' ? text[i + k] - 32
			                                                          : text[i + k]);
		if (k != BUYER_NUMBER_LEN)
			continue;
		word[k] = '\0';
		if (buyer_check_resident_id(word, err, sizeof(err)) == 0 ||
		    buyer_check_credit_code(word, err, sizeof(err)) == 0) {
			explicit_bzero(word, sizeof(word));
			return 1;
		}
	}
	explicit_bzero(word, sizeof(word));
	return 0;
}

void
buyer_number_clear(struct buyer_number *n)
{
	explicit_bzero(n, sizeof(*n));
}

int
buyer_id(const struct buyer_key *key, const struct buyer_number *n, char out[BUYER_ID_LEN + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	out[0] = '\0';
	if (strnlen(n->text, sizeof(n->text)) != BUYER_NUMBER_LEN)
		return -1;
	if (HMAC(EVP_sha256(), key->bytes, BUYER_KEY_LEN, (const unsigned char *)n->text,
	        BUYER_NUMBER_LEN, mac, &maclen) == NULL ||
	    maclen != 32)
		return -1;
	hex_encode(mac, 32, out);
	explicit_bzero(mac, sizeof(mac));
	return 0;
}

void
buyer_mask(const struct buyer_number *n, char out[BUYER_MASK_LEN + 1])
{
	memset(out, '*', BUYER_MASK_LEN);
	out[BUYER_MASK_LEN] = '\0';
	if (strnlen(n->text, sizeof(n->text)) != BUYER_NUMBER_LEN)
		return;
	memcpy(out, n->text, 3);
	memcpy(out + BUYER_MASK_LEN - 4, n->text + BUYER_NUMBER_LEN - 4, 4);
}

int
buyer_masked_ok(const char *m)
{
	size_t i, n = strlen(m);

	if (n == 0)
		return 1;
	if (n != BUYER_MASK_LEN)
		return 0;
	for (i = 0; i < n; i++) {
		int star = i >= 3 && i < BUYER_MASK_LEN - 4;

		if (star ? m[i] != '*'
		         : !(isdigit((unsigned char)m[i]) || isupper((unsigned char)m[i])))
			return 0;
	}
	return 1;
}

int
buyer_key_load(const char *path, struct buyer_key *key, char *err, size_t errlen)
{
	char text[2 * BUYER_KEY_LEN + 4];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd, rc = -1;

	memset(key, 0, sizeof(*key));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		err_set(err, errlen,
		    "%s: buyer key is accessible to group or others (mode "
		    "%03o); chmod 600 it",
		    path, (unsigned)(st.st_mode & 0777));
		goto out;
	}
	n = read(fd, text, sizeof(text));
	if (n < 0) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	len = (size_t)n;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	if (len != 2 * BUYER_KEY_LEN) {
		err_set(err, errlen, "%s: a buyer key is 64 hex digits on one line", path);
		goto out;
	}
	text[len] = '\0';
	if (hex_decode(text, key->bytes, BUYER_KEY_LEN) == -1) {
		memset(key, 0, sizeof(*key));
		err_set(err, errlen, "%s: a buyer key is 64 hex digits on one line", path);
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(text, sizeof(text));
	close(fd);
	return rc;
}

int
buyer_key_generate(const char *path, char *err, size_t errlen)
{
	uint8_t bytes[BUYER_KEY_LEN];
	char text[2 * BUYER_KEY_LEN + 2];
	int fd, rc = -1;

	if (RAND_bytes(bytes, sizeof(bytes)) != 1)
		return err_set(err, errlen, "no random bytes for a buyer key");
	hex_encode(bytes, sizeof(bytes), text);
	text[2 * BUYER_KEY_LEN] = '\n';
	text[2 * BUYER_KEY_LEN + 1] = '\0';
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (write(fd, text, 2 * BUYER_KEY_LEN + 1) != 2 * BUYER_KEY_LEN + 1 || fsync(fd) == -1) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	explicit_bzero(bytes, sizeof(bytes));
	explicit_bzero(text, sizeof(text));
	return rc;
}
