/* listen: gmptop --listen: headless sampling that serves the newest snapshot as
 * Prometheus text on /metrics over HTTP (libmicrohttpd). */
#ifndef GMPTOP_LISTEN_H
#define GMPTOP_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "session/options.h"
#include "session/session.h"

/* Parse "[ADDR]:PORT", "PORT", "[IPV6]:PORT" or "HOST:PORT". Without an address the
 * socket is loopback only (127.0.0.1); all interfaces only when asked (0.0.0.0, [::]).
 * PORT 0 picks a free one. Returns 0 or -EINVAL with msg. */
int listen_parse(const char *spec, struct sockaddr_storage *sa, socklen_t *salen,
                 char *msg, size_t msglen);
/* Whether an Accept-Encoding header value (may be NULL) accepts gzip: a "gzip" or
 * "x-gzip" coding, in any case, whose q is not 0. */
bool listen_accepts_gzip(const char *accept_encoding);

struct listener;
/* Bind and listen on spec now, before a demo starts or the target is attached, so that
 * a busy port refuses at once. Returns the listener, or NULL with the one-line reason
 * printed on stderr and *status set: 2 for a bad spec or a gmptop built without
 * libmicrohttpd, 1 when the address cannot be served (e.g. "gmptop: --listen
 * 127.0.0.1:9100: bind: Address already in use"). */
struct listener *listen_open(const char *spec, int *status);
/* Serve l (taken over and closed) on an attached session until -n snapshots, the target
 * exits (3) or SIGINT/SIGTERM (0). Returns the exit status; 1 when the server cannot
 * start. */
int listen_run(struct listener *l, const struct options *o, struct session *s);
/* Close a listener listen_run never got (NULL is fine). */
void listen_close(struct listener *l);
/* Whether libmicrohttpd was built in (configure --disable-listen leaves it out). */
int listen_available(void);

#endif
