/* settings: gmptop's settings file: key = value lines, unknown keys kept, atomic save. */
#include "base/settings.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

#define SETTINGS_MAX_ENTRIES 512
#define SETTINGS_KEY_LEN 64
#define SETTINGS_VALUE_LEN 192

struct settings_entry {
    char key[SETTINGS_KEY_LEN];
    char value[SETTINGS_VALUE_LEN];
};

struct settings {
    struct settings_entry *e;
    size_t n, cap;
};

struct settings *settings_new(void) { return calloc(1, sizeof(struct settings)); }

void settings_free(struct settings *c)
{
    if (c)
        free(c->e);
    free(c);
}

size_t settings_count(const struct settings *c) { return c->n; }

int settings_default_path(char *buf, size_t len)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        snprintf(buf, len, "%s/gmptop/gmptoprc", xdg);
    else if (home && home[0])
        snprintf(buf, len, "%s/.config/gmptop/gmptoprc", home);
    else
        return -ENOENT;
    return 0;
}

static struct settings_entry *find(const struct settings *c, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->e[i].key, key) == 0)
            return &c->e[i];
    return NULL;
}

const char *settings_get(const struct settings *c, const char *key)
{
    const struct settings_entry *e = c ? find(c, key) : NULL;
    return e ? e->value : NULL;
}

int settings_set(struct settings *c, const char *key, const char *value)
{
    if (strlen(key) >= SETTINGS_KEY_LEN || strlen(value) >= SETTINGS_VALUE_LEN)
        return -ENAMETOOLONG;
    struct settings_entry *e = find(c, key);
    if (!e) {
        if (c->n >= SETTINGS_MAX_ENTRIES)
            return -ENOSPC;
        if (c->n == c->cap) {
            size_t cap = c->cap ? c->cap * 2 : 32;
            void *p = realloc(c->e, cap * sizeof(*c->e));
            if (!p)
                return -ENOMEM;
            c->e = p;
            c->cap = cap;
        }
        e = &c->e[c->n++];
        util_strlcpy(e->key, key, sizeof(e->key));
    }
    util_strlcpy(e->value, value, sizeof(e->value));
    return 0;
}

int settings_set_double(struct settings *c, const char *key, double v)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%.6g", v);
    return settings_set(c, key, buf);
}

double settings_get_double(const struct settings *c, const char *key, double def, bool *bad)
{
    const char *v = settings_get(c, key);
    if (!v)
        return def;
    char *end;
    double d = strtod(v, &end);
    if (end == v || *end || !isfinite(d)) {
        if (bad)
            *bad = true;
        return def;
    }
    return d;
}

bool settings_get_bool(const struct settings *c, const char *key, bool def, bool *bad)
{
    const char *v = settings_get(c, key);
    if (!v)
        return def;
    if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1"))
        return true;
    if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0"))
        return false;
    if (bad)
        *bad = true;
    return def;
}

/* Trim spaces in place over [*s, *e). */
static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t' || **s == '\r'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
        (*e)--;
}

static void report(void (*warn)(void *, const char *), void *ctx, const char *name,
                   int line, const char *what)
{
    if (!warn)
        return;
    char msg[256];
    snprintf(msg, sizeof(msg), "%s:%d: %s", name, line, what);
    warn(ctx, msg);
}

int settings_parse(struct settings *c, const char *text, size_t len, const char *name,
                 void (*warn)(void *ctx, const char *msg), void *ctx)
{
    int bad = 0, line = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        const char *s = p, *e = le;
        p = nl ? nl + 1 : end;
        trim(&s, &e);
        if (s == e || *s == '#')
            continue;
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (!eq || memchr(s, '\0', (size_t)(e - s))) {
            report(warn, ctx, name, line, "expected key = value");
            bad++;
            continue;
        }
        const char *ks = s, *ke = eq, *vs = eq + 1, *ve = e;
        trim(&ks, &ke);
        trim(&vs, &ve);
        char key[SETTINGS_KEY_LEN], value[SETTINGS_VALUE_LEN];
        if (ke == ks || (size_t)(ke - ks) >= sizeof(key) || (size_t)(ve - vs) >= sizeof(value)) {
            report(warn, ctx, name, line, ke == ks ? "empty key" : "key or value too long");
            bad++;
            continue;
        }
        memcpy(key, ks, (size_t)(ke - ks));
        key[ke - ks] = '\0';
        memcpy(value, vs, (size_t)(ve - vs));
        value[ve - vs] = '\0';
        if (settings_set(c, key, value) < 0) {
            report(warn, ctx, name, line, "too many settings");
            bad++;
        }
    }
    return bad;
}

int settings_load(struct settings *c, const char *path,
                void (*warn)(void *ctx, const char *msg), void *ctx)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
        close(fd);
        return -EINVAL;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size + 1);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    ssize_t got = read(fd, buf, size);
    close(fd);
    if (got < 0) {
        free(buf);
        return -errno;
    }
    settings_parse(c, buf, (size_t)got, path, warn, ctx);
    free(buf);
    return 0;
}

static int mkdir_parents(const char *path)
{
    char dir[4096];
    util_strlcpy(dir, path, sizeof(dir));
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return -errno;
        *p = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -errno;
    return 0;
}

int settings_save(const struct settings *c, const char *path, char *msg, size_t len)
{
    int rc = mkdir_parents(path);
    if (rc < 0) {
        snprintf(msg, len, "mkdir for %s: %s", path, strerror(-rc));
        return rc;
    }
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
    /* O_EXCL|O_NOFOLLOW: never write through a link planted where the temp file goes. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
        rc = -errno;
        snprintf(msg, len, "open %s: %s", tmp, strerror(errno));
        return rc;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        rc = -errno;
        close(fd);
        unlink(tmp);
        snprintf(msg, len, "fdopen: %s", strerror(-rc));
        return rc;
    }
    fprintf(f, "# gmptop settings (written by gmptop; unknown keys are kept)\n");
    for (size_t i = 0; i < c->n; i++)
        fprintf(f, "%s = %s\n", c->e[i].key, c->e[i].value);
    bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
    rc = ok ? 0 : -errno;
    if (fclose(f) != 0 && ok)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc < 0) {
        unlink(tmp);
        snprintf(msg, len, "write %s: %s", path, strerror(-rc));
    }
    return rc;
}
