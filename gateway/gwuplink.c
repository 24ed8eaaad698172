/*
 * gwuplink: start the county uplink from gasgw's configuration (see
 * gwuplink.h).  The key is read here, checked (owner-only file, hex), copied
 * into the uplink's own configuration and wiped from this stack.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "gwuplink.h"
#include "log.h"
#include "psk.h"
#include "util.h"

int
gw_uplink_start(const struct gw_config *config, struct uplink **out, char *err, size_t errlen)
{
	struct uplink_config uc;
	int rc;

	*out = NULL;
	if (config->county_host[0] == '\0') {
		log_info("no county host configured: records stay in the outbox");
		return 0;
	}
	if (config->psk_file[0] == '\0')
		return err_set(err, errlen, "[county] psk_file is required with a county host");
	memset(&uc, 0, sizeof(uc));
	if (str_copy(uc.host, config->county_host, sizeof(uc.host)) >= sizeof(uc.host) ||
	    str_copy(uc.station_id, config->station_id, sizeof(uc.station_id)) >=
	        sizeof(uc.station_id) ||
	    str_copy(uc.township, config->township, sizeof(uc.township)) >= sizeof(uc.township) ||
	    str_copy(uc.db_path, config->database, sizeof(uc.db_path)) >= sizeof(uc.db_path))
		return err_set(
		    err, errlen, "county host, station id, township or database too long");
	uc.port = config->county_port;
	uc.batch = config->uplink_batch;
	uc.rate = config->uplink_rate;
	uc.heartbeat_s = config->heartbeat_s;
	uc.registry_pull_s = config->registry_pull_s;
	if (psk_load_key(config->psk_file, uc.psk_key, sizeof(uc.psk_key), &uc.psk_key_len, err,
	        errlen) == -1)
		return -1;
	rc = uplink_start(&uc, out, err, errlen);
	OPENSSL_cleanse(&uc, sizeof(uc));
	if (rc == 0)
		log_info("uplink to %s:%d as station:%s", config->county_host, config->county_port,
		    config->station_id);
	return rc;
}
