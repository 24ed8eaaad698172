/*
 * uplinkproc: the uplink process, the part of gasgw that talks to the
 * county (docs/fill-line.md, "Processes").
 *
 * gasgw's uplink module (uplink.h) starts it as `gasgw --uplink-process`
 * with one end of an upchan channel (upchan.h) on descriptor UPCHAN_FD and
 * nothing else: no database, no Modbus bus, no control socket, no key but
 * the station's PSK, which arrives in the CONFIG message with everything
 * else it needs.  It then
 *   - becomes the configured unprivileged user when told to (setgroups,
 *     setgid, setuid), drops every capability, sets no_new_privs and makes
 *     itself undumpable, before it reads a byte from the network;
 *   - runs the county link (coaplink: DTLS, CoAP, CBOR): it asks the
 *     gateway for a batch, posts it, and hands back only the county's mark
 *     (ACK); it sends heartbeats with the figures the gateway gives it; it
 *     pulls registry deltas, decodes them and hands over their rows, which
 *     the gateway checks and applies (registry_apply_delta);
 *   - tells the gateway how the link is and how long it may be silent
 *     (STATUS), so that a hung uplink is noticed and restarted;
 *   - exits when the channel closes (the gateway stopped or died) or on
 *     SIGTERM, and dies with the gateway (parent-death signal).
 *
 * A binary that calls uplink_start must call uplinkproc_main when it is
 * started with --uplink-process as its first argument (uplink.h).
 */
#ifndef GAS_UPLINKPROC_H
#define GAS_UPLINKPROC_H

#define UPLINKPROC_FLAG "--uplink-process"

/* Run the uplink process until the gateway goes; returns the exit status
 * (0 when the gateway closed the channel or asked it to stop). */
int uplinkproc_main(void);

#endif
