/*
 * gwuplink: gasgw's [county] configuration mapped onto the uplink
 * (gateway/lib/uplink.h), so that main.c needs one call to start it and one
 * to stop it.
 */
#ifndef GAS_GWUPLINK_H
#define GAS_GWUPLINK_H

#include <stddef.h>

#include "gwconf.h"
#include "uplink.h"

/*
 * Start the uplink for config (county_host, county_port, psk_file,
 * uplink_batch, uplink_rate, heartbeat_s, registry_pull_s; station_id,
 * township and database from [station]).  With county_host empty nothing
 * is started: returns 0 with *out NULL (records wait in the outbox).
 * Returns -1 with err set when the key file or the database is unusable.
 */
int gw_uplink_start(const struct gw_config *config, struct uplink **out, char *err, size_t errlen);

#endif
