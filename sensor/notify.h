/*
 * notify.h - telling the service manager how the sensor is doing.
 *
 * systemd's notification protocol: one datagram of "KEY=VALUE" lines to
 * the unix socket named by $NOTIFY_SOCKET (a path, or "@name" for the
 * abstract namespace). The unit runs the sensor as Type=notify, so
 * `systemctl start` returns once packets can be taken, `systemctl reload`
 * once the new rules are in, and the tests wait for the same moment
 * instead of guessing with sleeps. Without $NOTIFY_SOCKET every call does
 * nothing.
 */
#ifndef HD_NOTIFY_H
#define HD_NOTIFY_H

/* Opens the socket named by $NOTIFY_SOCKET, before privileges are dropped
 * (an abstract or a root-owned path may no longer be reachable after) and
 * before the seccomp filter. Returns 0, or -errno when the variable names
 * something unusable (then later sends do nothing). */
int notify_open(void);

/* Sends state, e.g. "READY=1\nSTATUS=capturing on eth1"; "RELOADING=1"
 * and "STOPPING=1" as systemd knows them. Best effort: never blocks, and
 * a failure is not an error for the sensor. */
void notify_send(const char *state);

void notify_close(void);

#endif
