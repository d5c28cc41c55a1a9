/* listen: gmptop --listen: headless sampling that serves the newest snapshot as
 * Prometheus text on /metrics over HTTP (libmicrohttpd). */
#include "config.h"
#include "export/listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

int listen_parse(const char *spec, struct sockaddr_storage *sa, socklen_t *salen,
                 char *msg, size_t msglen)
{
    char host[256] = "", port[16] = "";
    const char *colon = strrchr(spec, ':');
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof(host))
            goto bad;
        memcpy(host, spec + 1, (size_t)(end - spec - 1));
        colon = end + 1;
    } else if (colon) {
        if ((size_t)(colon - spec) >= sizeof(host) || memchr(spec, ':', (size_t)(colon - spec)))
            goto bad;      /* a bare IPv6 address needs brackets */
        memcpy(host, spec, (size_t)(colon - spec));
    }
    util_strlcpy(port, colon ? colon + 1 : spec, sizeof(port));
    char *end;
    errno = 0;
    long p = strtol(port, &end, 10);
    if (!port[0] || *end || errno || p < 0 || p > 65535)
        goto bad;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    /* No address: loopback, never every interface by accident. */
    int rc = getaddrinfo(host[0] ? host : "127.0.0.1", port, &hints, &res);
    if (rc != 0 || !res) {
        snprintf(msg, msglen, "--listen: cannot resolve '%s': %s", host,
                 rc ? gai_strerror(rc) : "no address");
        return -EINVAL;
    }
    memcpy(sa, res->ai_addr, res->ai_addrlen);
    *salen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
bad:
    snprintf(msg, msglen, "--listen: '%s' is not [ADDR:]PORT (e.g. 9090, 127.0.0.1:9090, "
             "0.0.0.0:9090, [::1]:9090)", spec);
    return -EINVAL;
}

#ifndef HAVE_MICROHTTPD

int listen_available(void) { return 0; }

int listen_run(const struct options *o, struct session *s)
{
    (void)o;
    (void)s;
    fprintf(stderr, "gmptop: --listen: this gmptop was built without libmicrohttpd\n");
    return 2;
}

#else

#include <microhttpd.h>
#include <pthread.h>

#include "export/export_prom.h"

int listen_available(void) { return 1; }

/* The text served; replaced after every snapshot, copied into each response. */
struct exposition {
    pthread_mutex_t lock;
    char *text;
    size_t len;
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

static enum MHD_Result respond(struct MHD_Connection *c, unsigned code, const char *type,
                               const char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version,
                              const char *upload, size_t *upload_size, void **req)
{
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)req;
    struct exposition *e = cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        static const char m[] = "only GET and HEAD\n";
        return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", m, sizeof(m) - 1);
    }
    if (strcmp(url, "/metrics") == 0) {
        pthread_mutex_lock(&e->lock);
        enum MHD_Result r = e->text
            ? respond(c, MHD_HTTP_OK, EXPORT_PROM_CONTENT_TYPE, e->text, e->len)
            : respond(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "no snapshot yet\n", 16);
        pthread_mutex_unlock(&e->lock);
        return r;
    }
    if (strcmp(url, "/") == 0) {
        static const char m[] = "gmptop exporter: metrics on /metrics\n";
        return respond(c, MHD_HTTP_OK, "text/plain", m, sizeof(m) - 1);
    }
    static const char nf[] = "not found: metrics are on /metrics\n";
    return respond(c, MHD_HTTP_NOT_FOUND, "text/plain", nf, sizeof(nf) - 1);
}

static void publish(struct exposition *e, const struct session *s)
{
    size_t len = 0;
    char *text = export_prom(history_get(s->history, 1), history_get(s->history, 0), &len);
    if (!text)
        return;         /* out of memory: keep serving the previous one */
    pthread_mutex_lock(&e->lock);
    free(e->text);
    e->text = text;
    e->len = len;
    pthread_mutex_unlock(&e->lock);
}

/* Our own socket: bind errors name the address and errno, and port 0 can be reported. */
static int open_socket(const struct sockaddr_storage *sa, socklen_t salen, char *where,
                       size_t wlen, char *msg, size_t msglen)
{
    char host[INET6_ADDRSTRLEN] = "?", port[16] = "?";
    int fd = socket(sa->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(msg, msglen, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    getnameinfo((const struct sockaddr *)sa, salen, host, sizeof(host), port, sizeof(port),
                NI_NUMERICHOST | NI_NUMERICSERV);
    if (bind(fd, (const struct sockaddr *)sa, salen) < 0 || listen(fd, 32) < 0) {
        snprintf(msg, msglen, "--listen: bind %s port %s: %s", host, port, strerror(errno));
        close(fd);
        return -1;
    }
    struct sockaddr_storage got;
    socklen_t glen = sizeof(got);
    if (getsockname(fd, (struct sockaddr *)&got, &glen) == 0)
        getnameinfo((struct sockaddr *)&got, glen, host, sizeof(host), port, sizeof(port),
                    NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(where, wlen, sa->ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
    return fd;
}

static void sleep_until(int64_t deadline_ns)
{
    struct timespec ts = { .tv_sec = deadline_ns / 1000000000LL,
                           .tv_nsec = deadline_ns % 1000000000LL };
    while (!stop_signal && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static int serve(const struct options *o, struct session *s, struct exposition *e)
{
    int64_t period = (int64_t)(o->delay_s * 1e9);
    int64_t next = util_mono_ns();
    for (long n = -1; o->count == 0 || n < o->count; n++) {
        if (n >= 0) {
            next += period;
            sleep_until(next);
        }
        if (stop_signal)
            return 0;
        int rc = session_tick(s);
        publish(e, s);
        if (rc == -ESRCH) {
            fprintf(stderr, "gmptop: process %d (%s) exited\n", (int)s->target.pid,
                    s->target.comm);
            return 3;
        }
    }
    return 0;
}

int listen_run(const struct options *o, struct session *s)
{
    struct sockaddr_storage sa;
    socklen_t salen;
    char msg[400], where[96];
    if (listen_parse(o->listen, &sa, &salen, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "gmptop: %s\n", msg);
        return 2;
    }
    int fd = open_socket(&sa, salen, where, sizeof(where), msg, sizeof(msg));
    if (fd < 0) {
        fprintf(stderr, "gmptop: %s\n", msg);
        return 1;
    }
    struct exposition e = { .text = NULL, .len = 0 };
    pthread_mutex_init(&e.lock, NULL);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
        0, NULL, NULL, handle, &e, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "gmptop: --listen: libmicrohttpd could not start on %s\n", where);
        close(fd);
        pthread_mutex_destroy(&e.lock);
        return 1;
    }
    struct sigaction sa_stop, old_int, old_term;
    memset(&sa_stop, 0, sizeof(sa_stop));
    sa_stop.sa_handler = on_stop;
    sigemptyset(&sa_stop.sa_mask);
    sigaction(SIGINT, &sa_stop, &old_int);
    sigaction(SIGTERM, &sa_stop, &old_term);
    fprintf(stderr, "gmptop: serving Prometheus metrics of process %d (%s) on "
            "http://%s/metrics\n", (int)s->target.pid, s->target.comm, where);
    fflush(stderr);
    int status = serve(o, s, &e);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    MHD_stop_daemon(d);     /* closes the listening socket too */
    free(e.text);
    pthread_mutex_destroy(&e.lock);
    return status;
}

#endif
