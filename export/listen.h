/* listen: gmptop --listen: headless sampling that serves the newest snapshot as
 * Prometheus text on /metrics over HTTP (libmicrohttpd). */
#ifndef GMPTOP_LISTEN_H
#define GMPTOP_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

#include "session/options.h"
#include "session/session.h"

/* Parse "[ADDR]:PORT", "PORT", "[IPV6]:PORT" or "HOST:PORT". Without an address the
 * socket is loopback only (127.0.0.1); all interfaces only when asked (0.0.0.0, [::]).
 * PORT 0 picks a free one. Returns 0 or -EINVAL with msg. */
int listen_parse(const char *spec, struct sockaddr_storage *sa, socklen_t *salen,
                 char *msg, size_t msglen);
/* Run on an attached session until -n snapshots, the target exits (3) or SIGINT/SIGTERM
 * (0). Returns the exit status; 1 when the address cannot be served, 2 for a bad spec. */
int listen_run(const struct options *o, struct session *s);
/* Whether libmicrohttpd was built in (configure --disable-listen leaves it out). */
int listen_available(void);

#endif
