/*
 * stationstatus: the status text a station sends with its heartbeat (see
 * stationstatus.h).
 */
#include "stationstatus.h"

#include <stdio.h>
#include <string.h>

void
station_status_format(char *out, size_t size, long long backlog, long long aside)
{
	if (aside > 0)
		snprintf(out, size, "backlog %lld, %lld set aside", backlog, aside);
	else
		snprintf(out, size, "backlog %lld", backlog);
}

enum station_status_rest
station_status_rest(const char *status, long long backlog, long long *aside, const char **other)
{
	char lead[48];
	const char *s = status;
	int n, used = 0;

	*aside = 0;
	*other = "";
	n = snprintf(lead, sizeof(lead), "backlog %lld", backlog);
	if (strncmp(s, lead, (size_t)n) == 0 && (s[n] == '\0' || s[n] == ',')) {
		s += n;
		s += strspn(s, ", ");
	}
	if (*s == '\0')
		return STATION_STATUS_NOTHING;
	if (sscanf(s, "%lld set aside%n", aside, &used) == 1 && used > 0 && s[used] == '\0' &&
	    *aside > 0)
		return STATION_STATUS_ASIDE;
	*aside = 0;
	*other = s;
	return STATION_STATUS_OTHER;
}
