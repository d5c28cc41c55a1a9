/* listen: gmptop --listen: headless sampling that serves the newest snapshot as
 * Prometheus text on /metrics over HTTP (libmicrohttpd). */
#include "config.h"
#include "export/listen.h"

#include <arpa/inet.h>
#include <math.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* Codings are compared by name, in any case; a q of 0 (0, 0.0, 0.000) refuses one. */
bool listen_accepts_gzip(const char *ae)
{
    while (ae && *ae) {
        while (*ae == ' ' || *ae == '\t' || *ae == ',')
            ae++;
        const char *name = ae;
        while (*ae && *ae != ',' && *ae != ';' && *ae != ' ' && *ae != '\t')
            ae++;
        size_t n = (size_t)(ae - name);
        bool gzip = (n == 4 && strncasecmp(name, "gzip", 4) == 0) ||
                    (n == 6 && strncasecmp(name, "x-gzip", 6) == 0);
        bool refused = false;
        while (*ae && *ae != ',') {         /* parameters: only q matters */
            if (*ae == ';') {
                const char *p = ae + 1;
                while (*p == ' ' || *p == '\t')
                    p++;
                if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
                    char *end;
                    refused = strtod(p + 2, &end) <= 0 && end != p + 2;
                }
            }
            ae++;
        }
        if (gzip && !refused)
            return true;
    }
    return false;
}

#ifndef HAVE_MICROHTTPD

int listen_available(void) { return 0; }

struct listener *listen_open(const char *spec, int *status)
{
    (void)spec;
    fprintf(stderr, "gmptop: --listen: this gmptop was built without libmicrohttpd\n");
    *status = 2;
    return NULL;
}

int listen_run(struct listener *l, const struct options *o, struct session *s)
{
    (void)l;
    (void)o;
    (void)s;
    return 2;
}

void listen_close(struct listener *l) { (void)l; }

#else

#include <pthread.h>
#include <zlib.h>

#include "export/export_prom.h"
#include "export/mhd_dl.h"

static const struct mhd_api *mhd;   /* loaded by listen_open */

int listen_available(void) { return 1; }

struct listener {
    int fd;
    int family;
    char where[96];              /* ADDR:PORT as bound, for messages and the URL */
};

/* One exposition, never changed once published. The server and every response still
 * being sent hold a reference; the last one frees it. So a slow or stalled client never
 * keeps the sampling loop waiting, and the lock is held only to swap or take one. */
struct exposition {
    atomic_int refs;
    size_t len;
    char *text;
};

struct server {
    pthread_mutex_t lock;        /* guards cur: held for a pointer swap or a reference */
    struct exposition *cur;      /* NULL before the first snapshot */
    char page[1024];             /* the HTML on / */
    size_t page_len;
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig) { stop_signal = sig; }

static void expo_put(struct exposition *e)
{
    if (e && atomic_fetch_sub(&e->refs, 1) == 1) {
        free(e->text);
        free(e);
    }
}

static struct exposition *expo_get(struct server *sv)
{
    pthread_mutex_lock(&sv->lock);
    struct exposition *e = sv->cur;
    if (e)
        atomic_fetch_add(&e->refs, 1);
    pthread_mutex_unlock(&sv->lock);
    return e;
}

static ssize_t expo_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    const struct exposition *e = cls;
    if (pos >= e->len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = e->len - (size_t)pos < max ? e->len - (size_t)pos : max;
    memcpy(buf, e->text + pos, n);
    return (ssize_t)n;
}

static void expo_release(void *cls) { expo_put(cls); }

/* gzip (RFC 1952) of len bytes, malloc'd, or NULL when out of memory. The fastest level:
 * metrics text still shrinks several times, and the serving thread stays cheap. */
static unsigned char *gzip_text(const char *text, size_t len, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    uLong cap = deflateBound(&z, (uLong)len);
    unsigned char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)text;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *outlen = z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned code, const char *type,
                             struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    mhd->add_response_header(r, "Content-Type", type);
    enum MHD_Result ret = mhd->queue_response(c, code, r);
    mhd->destroy_response(r);
    return ret;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned code, const char *type,
                               const char *body, size_t len)
{
    return queue(c, code, type, mhd->create_response_from_buffer(len, (void *)body,
                                                                MHD_RESPMEM_MUST_COPY));
}

static enum MHD_Result metrics(struct server *sv, struct MHD_Connection *c)
{
    struct exposition *e = expo_get(sv);
    if (!e)
        return respond(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "no snapshot yet\n", 16);
    struct MHD_Response *r = NULL;
    const char *ae = mhd->lookup_connection_value(c, MHD_HEADER_KIND, "Accept-Encoding");
    size_t zlen;
    unsigned char *z = listen_accepts_gzip(ae) ? gzip_text(e->text, e->len, &zlen) : NULL;
    if (z) {
        expo_put(e);
        r = mhd->create_response_from_buffer(zlen, z, MHD_RESPMEM_MUST_FREE);
        if (!r)
            free(z);
        else
            mhd->add_response_header(r, "Content-Encoding", "gzip");
    } else {
        /* Out of memory for the gzip copy: the plain text is still a right answer. */
        r = mhd->create_response_from_callback(e->len, 64 * 1024, expo_read, e, expo_release);
        if (!r)
            expo_put(e);
    }
    if (r)
        mhd->add_response_header(r, "Vary", "Accept-Encoding");
    return queue(c, MHD_HTTP_OK, EXPORT_PROM_CONTENT_TYPE, r);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version,
                              const char *upload, size_t *upload_size, void **req)
{
    (void)version;
    (void)upload;
    struct server *sv = cls;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        /* At once, with no body read: the connection closes after it. */
        static const char m[] = "only GET and HEAD\n";
        return respond(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", m, sizeof(m) - 1);
    }
    /* Answer once the request is read: a response queued on the first call (headers
     * only) makes libmicrohttpd close the connection after it, and Prometheus would pay
     * a new TCP handshake for every scrape. A GET's body, if any, is dropped. */
    static int headers_seen;
    if (*req != &headers_seen || *upload_size) {
        *req = &headers_seen;
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/metrics") == 0)
        return metrics(sv, c);
    if (strcmp(url, "/") == 0)
        return respond(c, MHD_HTTP_OK, "text/html; charset=utf-8", sv->page, sv->page_len);
    static const char nf[] = "not found: metrics are on /metrics\n";
    return respond(c, MHD_HTTP_NOT_FOUND, "text/plain", nf, sizeof(nf) - 1);
}

/* s as HTML text: the target's comm is whatever the program called itself. */
static void html_escape(char *dst, size_t cap, const char *s)
{
    size_t n = 0;
    for (; *s && n + 7 < cap; s++) {
        const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                        : *s == '"' ? "&quot;" : NULL;
        if (rep) {
            memcpy(dst + n, rep, strlen(rep));
            n += strlen(rep);
        } else {
            dst[n++] = *s;
        }
    }
    dst[n] = '\0';
}

/* The landing page, as node_exporter's: what this is and where the metrics are. */
static void page_build(struct server *sv, const struct session *s)
{
    char comm[6 * sizeof(s->target.comm)];
    html_escape(comm, sizeof(comm), s->target.comm);
    int n = snprintf(sv->page, sizeof(sv->page),
                     "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                     "<title>gmptop exporter</title></head>\n<body>\n"
                     "<h1>gmptop exporter</h1>\n"
                     "<p>gmptop %s watching process %d (%s).</p>\n"
                     "<p><a href=\"/metrics\">Metrics</a></p>\n</body></html>\n",
                     PACKAGE_VERSION, (int)s->target.pid, comm);
    sv->page_len = n < 0 ? 0 : (size_t)n < sizeof(sv->page) ? (size_t)n : sizeof(sv->page) - 1;
}

/* Build the new exposition with no lock held, then swap it in. */
static void publish(struct server *sv, const struct session *s, struct prom_scrape *sc)
{
    struct exposition *e = calloc(1, sizeof(*e));
    if (e)
        e->text = export_prom_scrape(history_get(s->history, 1), history_get(s->history, 0),
                                     sc, &e->len);
    if (!e || !e->text) {
        free(e);
        sc->encode_errors++;    /* keep serving the previous one */
        return;
    }
    atomic_init(&e->refs, 1);   /* the server's own reference */
    pthread_mutex_lock(&sv->lock);
    struct exposition *old = sv->cur;
    sv->cur = e;
    pthread_mutex_unlock(&sv->lock);
    expo_put(old);
}

struct listener *listen_open(const char *spec, int *status)
{
    struct sockaddr_storage sa;
    socklen_t salen;
    char msg[400], host[INET6_ADDRSTRLEN] = "?", port[16] = "?";
    if (listen_parse(spec, &sa, &salen, msg, sizeof(msg)) < 0) {
        fprintf(stderr, "gmptop: %s\n", msg);
        *status = 2;
        return NULL;
    }
    if (!(mhd = mhd_load(msg, sizeof(msg)))) {
        fprintf(stderr, "gmptop: --listen %s: %s\n", spec, msg);
        *status = 1;
        return NULL;
    }
    struct listener *l = calloc(1, sizeof(*l));
    if (!l) {
        fprintf(stderr, "gmptop: --listen %s: %s\n", spec, strerror(ENOMEM));
        *status = 1;
        return NULL;
    }
    l->family = sa.ss_family;
    getnameinfo((const struct sockaddr *)&sa, salen, host, sizeof(host), port, sizeof(port),
                NI_NUMERICHOST | NI_NUMERICSERV);
    snprintf(l->where, sizeof(l->where), sa.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
             host, port);
    const char *call = "socket";
    l->fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l->fd >= 0) {
        int one = 1;
        /* Lets a restarted gmptop take its port back from connections in TIME_WAIT; a
         * socket still listening there keeps it (EADDRINUSE all the same). */
        setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        call = "bind";
        if (bind(l->fd, (const struct sockaddr *)&sa, salen) == 0) {
            call = "listen";
            if (listen(l->fd, 32) == 0)
                call = NULL;
        }
    }
    if (call) {
        fprintf(stderr, "gmptop: --listen %s: %s: %s\n", l->where, call, strerror(errno));
        listen_close(l);
        *status = 1;
        return NULL;
    }
    /* Port 0: say which one the kernel chose. */
    struct sockaddr_storage got;
    socklen_t glen = sizeof(got);
    if (getsockname(l->fd, (struct sockaddr *)&got, &glen) == 0 &&
        getnameinfo((struct sockaddr *)&got, glen, host, sizeof(host), port, sizeof(port),
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        snprintf(l->where, sizeof(l->where), got.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
                 host, port);
    return l;
}

void listen_close(struct listener *l)
{
    if (!l)
        return;
    if (l->fd >= 0)
        close(l->fd);
    free(l);
}

static void sleep_until(int64_t deadline_ns)
{
    struct timespec ts = { .tv_sec = deadline_ns / 1000000000LL,
                           .tv_nsec = deadline_ns % 1000000000LL };
    while (!stop_signal && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static int serve(const struct options *o, struct session *s, struct server *sv)
{
    struct prom_scrape sc = { .sample_seconds = NAN };
    int64_t period = (int64_t)(o->delay_s * 1e9);
    int64_t next = util_mono_ns();
    for (long n = -1; o->count == 0 || n < o->count; n++) {
        if (n >= 0) {
            next += period;
            sleep_until(next);
        }
        if (stop_signal)
            return 0;
        int64_t t0 = util_mono_ns();
        int rc = session_tick(s);
        sc.sample_seconds = (double)(util_mono_ns() - t0) / 1e9;
        if (rc < 0 && rc != -ESRCH)
            sc.sample_errors++;
        publish(sv, s, &sc);
        if (rc == -ESRCH) {
            fprintf(stderr, "gmptop: process %d (%s) exited\n", (int)s->target.pid,
                    s->target.comm);
            return 3;
        }
    }
    return 0;
}

int listen_run(struct listener *l, const struct options *o, struct session *s)
{
    struct server *sv = calloc(1, sizeof(*sv));
    if (!sv) {
        fprintf(stderr, "gmptop: --listen %s: %s\n", l->where, strerror(ENOMEM));
        listen_close(l);
        return 1;
    }
    pthread_mutex_init(&sv->lock, NULL);
    page_build(sv, s);
    struct MHD_Daemon *d = mhd->start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | (l->family == AF_INET6 ? MHD_USE_IPv6 : 0),
        0, NULL, NULL, handle, sv, MHD_OPTION_LISTEN_SOCKET, l->fd,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
        MHD_OPTION_END);
    int status = 1;
    if (!d) {
        fprintf(stderr, "gmptop: --listen %s: libmicrohttpd could not start\n", l->where);
        listen_close(l);
        goto out;
    }
    l->fd = -1;             /* the daemon's now: MHD_stop_daemon closes it */
    struct sigaction sa_stop, old_int, old_term;
    memset(&sa_stop, 0, sizeof(sa_stop));
    sa_stop.sa_handler = on_stop;
    sigemptyset(&sa_stop.sa_mask);
    sigaction(SIGINT, &sa_stop, &old_int);
    sigaction(SIGTERM, &sa_stop, &old_term);
    fprintf(stderr, "gmptop: serving Prometheus metrics of process %d (%s) on "
            "http://%s/metrics\n", (int)s->target.pid, s->target.comm, l->where);
    fflush(stderr);
    status = serve(o, s, sv);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    mhd->stop_daemon(d);     /* after it no response holds an exposition */
    listen_close(l);
out:
    expo_put(sv->cur);
    pthread_mutex_destroy(&sv->lock);
    free(sv);
    return status;
}

#endif
