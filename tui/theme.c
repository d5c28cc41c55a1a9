/* theme: parse themes/NAME.theme files into per-role colours and fit them to the terminal. */
#include "tui/theme.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A theme file is small; anything bigger is a mistake (or an attack), not a theme. */
#define THEME_MAX_BYTES (64 * 1024)
#define THEME_NAME_MAX 64

typedef void (*theme_warn_fn)(void *ctx, const char *msg);

static const char *const theme_role_names[THEME_ROLE_COUNT] = {
    [THEME_NORMAL] = "normal",
    [THEME_HEADER] = "header",
    [THEME_TITLE] = "title",
    [THEME_TAB] = "tab",
    [THEME_TAB_ACTIVE] = "tab_active",
    [THEME_TABLE_HEADER] = "table_header",
    [THEME_SELECTED] = "selected",
    [THEME_DIM] = "dim",
    [THEME_OK] = "ok",
    [THEME_WARN] = "warn",
    [THEME_CRIT] = "crit",
    [THEME_BAR_LOW] = "bar_low",
    [THEME_BAR_MID] = "bar_mid",
    [THEME_BAR_HIGH] = "bar_high",
    [THEME_HELP] = "help",
    [THEME_STATUS] = "status",
    [THEME_NODE0] = "node0",
    [THEME_NODE1] = "node1",
    [THEME_NODE2] = "node2",
    [THEME_NODE3] = "node3",
};

/* Must match themes/default.theme (tests/unit/test_theme.c checks). Basic 16 colours
 * only, like htop's default, so it looks the same on every terminal. */
#define C_BLACK 0
#define C_RED 1
#define C_GREEN 2
#define C_YELLOW 3
#define C_BLUE 4
#define C_MAGENTA 5
#define C_CYAN 6
#define C_WHITE 7
#define C_BRIGHT 8
static const struct theme_style theme_default_styles[THEME_ROLE_COUNT] = {
    [THEME_NORMAL] = { -1, -1, 0 },
    [THEME_HEADER] = { C_CYAN, -1, 0 },
    [THEME_TITLE] = { -1, -1, THEME_ATTR_BOLD },
    [THEME_TAB] = { C_CYAN, -1, 0 },
    [THEME_TAB_ACTIVE] = { C_BLACK, C_CYAN, THEME_ATTR_BOLD },
    [THEME_TABLE_HEADER] = { C_BLACK, C_GREEN, 0 },
    [THEME_SELECTED] = { C_BLACK, C_CYAN, 0 },
    [THEME_DIM] = { C_BRIGHT + C_BLACK, -1, 0 },
    [THEME_OK] = { C_GREEN, -1, 0 },
    [THEME_WARN] = { C_YELLOW, -1, THEME_ATTR_BOLD },
    [THEME_CRIT] = { C_BRIGHT + C_RED, -1, THEME_ATTR_BOLD },
    [THEME_BAR_LOW] = { C_GREEN, -1, 0 },
    [THEME_BAR_MID] = { C_YELLOW, -1, 0 },
    [THEME_BAR_HIGH] = { C_RED, -1, 0 },
    [THEME_HELP] = { C_CYAN, -1, 0 },
    [THEME_STATUS] = { C_BLACK, C_CYAN, 0 },
    [THEME_NODE0] = { C_CYAN, -1, 0 },
    [THEME_NODE1] = { C_MAGENTA, -1, 0 },
    [THEME_NODE2] = { C_BRIGHT + C_BLUE, -1, 0 },
    [THEME_NODE3] = { C_YELLOW, -1, 0 },
};

static const char *const colour_names[8] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

/* xterm's stock RGB for colours 0-15: what "nearest basic colour" is measured against. */
static const unsigned char basic_rgb[16][3] = {
    { 0x00, 0x00, 0x00 }, { 0xcd, 0x00, 0x00 }, { 0x00, 0xcd, 0x00 }, { 0xcd, 0xcd, 0x00 },
    { 0x00, 0x00, 0xee }, { 0xcd, 0x00, 0xcd }, { 0x00, 0xcd, 0xcd }, { 0xe5, 0xe5, 0xe5 },
    { 0x7f, 0x7f, 0x7f }, { 0xff, 0x00, 0x00 }, { 0x00, 0xff, 0x00 }, { 0xff, 0xff, 0x00 },
    { 0x5c, 0x5c, 0xff }, { 0xff, 0x00, 0xff }, { 0x00, 0xff, 0xff }, { 0xff, 0xff, 0xff },
};

static const unsigned char cube_level[6] = { 0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff };

struct span {
    const char *p;
    size_t n;
};

const char *theme_role_name(enum theme_role r)
{
    if ((unsigned)r >= THEME_ROLE_COUNT)
        return "?";
    return theme_role_names[r];
}

void theme_default(struct theme *t)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "%s", "default");
    memcpy(t->style, theme_default_styles, sizeof(t->style));
}

/* ---- messages ---------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static void warnf(theme_warn_fn warn, void *ctx, const char *fmt, ...)
{
    char small[512];
    va_list ap;

    if (!warn)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof(small)) {
        warn(ctx, small);
        return;
    }
    /* Long paths: format again at full size; fall back to the truncated text. */
    char *big = malloc((size_t)n + 1);
    if (!big) {
        warn(ctx, small);
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    warn(ctx, big);
    free(big);
}

/* Make a token from the file safe to print: it may be huge or hold control bytes. */
static const char *quote_token(struct span s, char *buf, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    const size_t shown = 40;
    size_t o = 0;

    for (size_t i = 0; i < s.n && i < shown && o + 5 < size; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            buf[o++] = (char)c;
        } else {
            buf[o++] = '\\';
            buf[o++] = 'x';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        }
    }
    if (s.n > shown && o + 4 < size) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

/* ---- tokens ------------------------------------------------------------------------ */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static struct span span_trim(struct span s)
{
    while (s.n > 0 && is_blank(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_blank(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* Split the next blank-separated token off *rest; an empty token means none left. */
static struct span next_token(struct span *rest)
{
    struct span tok;

    *rest = span_trim(*rest);
    tok.p = rest->p;
    tok.n = 0;
    while (tok.n < rest->n && !is_blank(rest->p[tok.n]))
        tok.n++;
    rest->p += tok.n;
    rest->n -= tok.n;
    return tok;
}

static char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive compare of a span (which may hold NULs) with a C string. */
static bool span_is(struct span s, const char *word)
{
    size_t n = strlen(word);

    if (s.n != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower(s.p[i]) != word[i])
            return false;
    return true;
}

/* ---- colours ----------------------------------------------------------------------- */

static void colour_rgb(int c, int rgb[3])
{
    if (c < 0)
        c = 7;                      /* terminal default: treat as light grey */
    if (c < 16) {
        for (int i = 0; i < 3; i++)
            rgb[i] = basic_rgb[c][i];
    } else if (c < 232) {
        c -= 16;
        rgb[0] = cube_level[c / 36];
        rgb[1] = cube_level[(c / 6) % 6];
        rgb[2] = cube_level[c % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (c - 232);
    }
}

static int rgb_dist(const int a[3], const int b[3])
{
    int d = 0;

    for (int i = 0; i < 3; i++)
        d += (a[i] - b[i]) * (a[i] - b[i]);
    return d;
}

static int cube_index(int v)
{
    if (v < 48)
        return 0;
    if (v < 115)
        return 1;
    return (v - 35) / 40;
}

/* Nearest xterm-256 colour to an RGB triple, from the 6x6x6 cube (16-231) or the gray
 * ramp (232-255); 0-15 are skipped because terminals redefine them freely. */
static int rgb_to_256(int r, int g, int b)
{
    int want[3] = { r, g, b }, got[3];
    int cube = 16 + 36 * cube_index(r) + 6 * cube_index(g) + cube_index(b);
    int gray_i = ((r + g + b) / 3 - 3) / 10;

    if (gray_i < 0)
        gray_i = 0;
    if (gray_i > 23)
        gray_i = 23;
    colour_rgb(cube, got);
    int cube_d = rgb_dist(want, got);
    colour_rgb(232 + gray_i, got);
    return rgb_dist(want, got) < cube_d ? 232 + gray_i : cube;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = ascii_lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool parse_hex_colour(struct span s, short *out)
{
    int v[6];

    if (s.n != 7 || s.p[0] != '#')
        return false;
    for (int i = 0; i < 6; i++)
        if ((v[i] = hex_digit(s.p[i + 1])) < 0)
            return false;
    *out = (short)rgb_to_256(v[0] * 16 + v[1], v[2] * 16 + v[3], v[4] * 16 + v[5]);
    return true;
}

static bool parse_number_colour(struct span s, short *out)
{
    int v = 0;

    if (s.n == 0 || s.n > 3)
        return false;
    for (size_t i = 0; i < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
        v = v * 10 + (s.p[i] - '0');
    }
    if (v > 255)
        return false;
    *out = (short)v;
    return true;
}

/* default | NAME | bright-NAME | 0-255 | #rrggbb, case-insensitive. */
static bool parse_colour(struct span s, short *out)
{
    static const char bright[] = "bright-";
    const size_t blen = sizeof(bright) - 1;
    int base = 0;

    if (span_is(s, "default")) {
        *out = -1;
        return true;
    }
    if (parse_hex_colour(s, out) || parse_number_colour(s, out))
        return true;
    if (s.n > blen && span_is((struct span){ s.p, blen }, bright)) {
        s.p += blen;
        s.n -= blen;
        base = 8;
    }
    for (int i = 0; i < 8; i++) {
        if (span_is(s, colour_names[i])) {
            *out = (short)(base + i);
            return true;
        }
    }
    return false;
}

static bool parse_attr(struct span s, unsigned *attrs)
{
    static const struct { const char *name; unsigned bit; } attr_names[] = {
        { "bold", THEME_ATTR_BOLD }, { "reverse", THEME_ATTR_REVERSE },
        { "underline", THEME_ATTR_UNDERLINE }, { "dim", THEME_ATTR_DIM },
    };

    for (size_t i = 0; i < sizeof(attr_names) / sizeof(attr_names[0]); i++) {
        if (span_is(s, attr_names[i].name)) {
            *attrs |= attr_names[i].bit;
            return true;
        }
    }
    return false;
}

enum style_err { STYLE_OK, STYLE_EMPTY, STYLE_BAD_COLOUR, STYLE_NO_BG, STYLE_BAD_ATTR };

/* "[FG] [on BG] [ATTR...]": a leading attribute means FG = default, so "bold" alone
 * works; the first unrecognised word is returned in *bad. */
static enum style_err parse_style(struct span value, struct theme_style *out,
                                  struct span *bad)
{
    struct theme_style st = { -1, -1, 0 };
    struct span tok = next_token(&value);

    if (tok.n == 0)
        return STYLE_EMPTY;
    if (!span_is(tok, "on") && !parse_attr(tok, &st.attrs)) {
        if (!parse_colour(tok, &st.fg)) {
            *bad = tok;
            return STYLE_BAD_COLOUR;
        }
        tok = next_token(&value);
    }
    if (span_is(tok, "on")) {
        tok = next_token(&value);
        if (tok.n == 0)
            return STYLE_NO_BG;
        if (!parse_colour(tok, &st.bg)) {
            *bad = tok;
            return STYLE_BAD_COLOUR;
        }
        tok = next_token(&value);
    }
    for (; tok.n > 0; tok = next_token(&value)) {
        if (!parse_attr(tok, &st.attrs)) {
            *bad = tok;
            return STYLE_BAD_ATTR;
        }
    }
    *out = st;
    return STYLE_OK;
}

/* ---- files ------------------------------------------------------------------------- */

static int find_role(struct span key)
{
    for (int r = 0; r < THEME_ROLE_COUNT; r++)
        if (span_is(key, theme_role_names[r]))
            return r;
    return -1;
}

/* The display name is free text: keep printable bytes, cut on a UTF-8 boundary. */
static void set_name(struct theme *t, struct span v)
{
    size_t o = 0;

    if (v.n == 0)
        return;
    for (size_t i = 0; i < v.n && o + 1 < sizeof(t->name); i++) {
        unsigned char c = (unsigned char)v.p[i];
        t->name[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    if (o < v.n && o > 0) {
        /* Truncated: drop a partial multi-byte character at the end. */
        size_t k = o;
        while (k > 0 && ((unsigned char)t->name[k - 1] & 0xc0) == 0x80)
            k--;
        if (k > 0 && ((unsigned char)t->name[k - 1] & 0x80))
            o = k - 1;
    }
    t->name[o] = '\0';
}

/* One logical line; returns 1 if it was bad (and reported), else 0. */
static int parse_line(struct span line, const char *file, unsigned long lineno,
                      struct theme *t, theme_warn_fn warn, void *ctx)
{
    struct span key, value, bad = { "", 0 };
    char qbuf[200];
    const char *eq;
    int role;

    line = span_trim(line);
    if (line.n == 0 || line.p[0] == '#')
        return 0;
    eq = memchr(line.p, '=', line.n);
    key = span_trim((struct span){ line.p, eq ? (size_t)(eq - line.p) : 0 });
    if (!eq || key.n == 0) {
        warnf(warn, ctx, "%s:%lu: expected key = value", file, lineno);
        return 1;
    }
    value = span_trim((struct span){ eq + 1, line.n - (size_t)(eq + 1 - line.p) });
    if (span_is(key, "name")) {
        set_name(t, value);
        return 0;
    }
    role = find_role(key);
    if (role < 0)
        return 0; /* unknown keys are allowed so older gmptops read newer themes */
    const char *rn = theme_role_names[role];
    switch (parse_style(value, &t->style[role], &bad)) {
    case STYLE_OK:
        return 0;
    case STYLE_EMPTY:
        warnf(warn, ctx, "%s:%lu: missing value for key '%s' (using default)",
              file, lineno, rn);
        break;
    case STYLE_BAD_COLOUR:
        warnf(warn, ctx, "%s:%lu: bad colour '%s' for key '%s' (using default)",
              file, lineno, quote_token(bad, qbuf, sizeof(qbuf)), rn);
        break;
    case STYLE_NO_BG:
        warnf(warn, ctx, "%s:%lu: missing colour after 'on' for key '%s' (using default)",
              file, lineno, rn);
        break;
    case STYLE_BAD_ATTR:
        warnf(warn, ctx, "%s:%lu: bad attribute '%s' for key '%s' (using default)",
              file, lineno, quote_token(bad, qbuf, sizeof(qbuf)), rn);
        break;
    }
    return 1;
}

int theme_parse_buf(const char *buf, size_t len, const char *filename, struct theme *t,
                    void (*warn)(void *ctx, const char *msg), void *ctx)
{
    const char *file = filename ? filename : "(theme)";
    unsigned long lineno = 1;
    int bad = 0;

    if (!buf)
        return 0;
    /* Editors on some systems add a UTF-8 byte-order mark. */
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        buf += 3;
        len -= 3;
    }
    while (len > 0) {
        const char *nl = memchr(buf, '\n', len);
        size_t n = nl ? (size_t)(nl - buf) : len;

        bad += parse_line((struct span){ buf, n }, file, lineno, t, warn, ctx);
        if (!nl)
            break;
        buf += n + 1;
        len -= n + 1;
        lineno++;
    }
    return bad;
}

int theme_parse(const char *text, const char *filename, struct theme *t,
                void (*warn)(void *ctx, const char *msg), void *ctx)
{
    return theme_parse_buf(text, text ? strlen(text) : 0, filename, t, warn, ctx);
}

static bool name_is_simple(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > THEME_NAME_MAX || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (name[i] == '/' || (unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return false;
    return true;
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = malloc(la + lb + lc + 1);

    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c, lc + 1);
    }
    return s;
}

/* Read up to max bytes (+1 to notice a bigger file); returns length or -errno. */
static ssize_t read_bounded(int fd, char *buf, size_t max)
{
    size_t got = 0;

    while (got < max + 1) {
        ssize_t r = read(fd, buf + got, max + 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -errno;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

/* Try one candidate: 1 = loaded, 0 = not there, -errno = there but unusable (reported). */
static int load_file(const char *path, struct theme *t, theme_warn_fn warn, void *ctx)
{
    struct stat st;
    char *buf;
    ssize_t len;
    /* O_NONBLOCK so a FIFO planted under the theme name cannot hang start-up. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0) {
        int e = errno;
        if (e == ENOENT || e == ENOTDIR)
            return 0;
        warnf(warn, ctx, "open %s: %s", path, strerror(e));
        return -e;
    }
    if (fstat(fd, &st) < 0) {
        int e = errno;
        warnf(warn, ctx, "fstat %s: %s", path, strerror(e));
        close(fd);
        return -e;
    }
    if (!S_ISREG(st.st_mode)) {
        warnf(warn, ctx, "%s: not a regular file (skipped)", path);
        close(fd);
        return -EINVAL;
    }
    buf = malloc(THEME_MAX_BYTES + 1);
    if (!buf) {
        close(fd);
        return -ENOMEM;
    }
    len = read_bounded(fd, buf, THEME_MAX_BYTES);
    close(fd);
    if (len < 0) {
        warnf(warn, ctx, "read %s: %s", path, strerror((int)-len));
        free(buf);
        return (int)len;
    }
    if (len > THEME_MAX_BYTES) {
        warnf(warn, ctx, "%s: larger than %d KiB, the rest is ignored", path,
              THEME_MAX_BYTES / 1024);
        len = THEME_MAX_BYTES;
        /* Do not parse half a line. */
        while (len > 0 && buf[len - 1] != '\n')
            len--;
    }
    theme_default(t);
    theme_parse_buf(buf, (size_t)len, path, t, warn, ctx);
    free(buf);
    return 1;
}

/* The directories theme_load searches, in order; returns how many (malloc'd). */
static int theme_dirs(const char *datadir, char *dirs[3])
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    const char *env = getenv("GMPTOP_THEMES_DIR");
    int n = 0;

    /* XDG says relative values are invalid and must be ignored. */
    if (xdg && xdg[0] == '/')
        dirs[n] = join3(xdg, "/gmptop", "/themes");
    else if (home && home[0])
        dirs[n] = join3(home, "/.config", "/gmptop/themes");
    else
        dirs[n] = NULL;
    if (dirs[n])
        n++;
    if (env && env[0] && (dirs[n] = join3(env, "", "")))
        n++;
    if (datadir && datadir[0] && (dirs[n] = join3(datadir, "/themes", "")))
        n++;
    return n;
}

int theme_load(const char *name, const char *datadir, struct theme *t,
               void (*warn)(void *ctx, const char *msg), void *ctx)
{
    char *dirs[3];
    int ndirs, err = 0, found = 0;

    theme_default(t);
    if (!name)
        name = "default";
    if (!name_is_simple(name)) {
        char qbuf[200];
        struct span s = { name, strlen(name) };
        warnf(warn, ctx, "theme name '%s' is not a simple name: no '/', no leading '.', "
              "at most %d bytes (using default)", quote_token(s, qbuf, sizeof(qbuf)),
              THEME_NAME_MAX);
        return -EINVAL;
    }
    ndirs = theme_dirs(datadir, dirs);
    for (int i = 0; i < ndirs && !found; i++) {
        char *path = join3(dirs[i], "/", name);
        char *file = path ? join3(path, ".theme", "") : NULL;
        int r = file ? load_file(file, t, warn, ctx) : -ENOMEM;

        if (r > 0)
            found = 1;
        else if (r < 0 && err == 0)
            err = r;
        free(file);
        free(path);
    }
    if (found) {
        /* The file's own `name =` wins; otherwise call it what the user asked for. */
        if (strcmp(t->name, "default") == 0)
            snprintf(t->name, sizeof(t->name), "%.63s", name);
    } else {
        char list[1024] = "";
        size_t o = 0;
        for (int i = 0; i < ndirs && o < sizeof(list); i++) {
            int w = snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", dirs[i]);
            if (w < 0)
                break;
            o += (size_t)w;
        }
        theme_default(t);
        warnf(warn, ctx, "theme '%s' not found in %s (using default)", name,
              ndirs ? list : "(no directories: HOME unset)");
    }
    for (int i = 0; i < ndirs; i++)
        free(dirs[i]);
    return found ? 0 : (err ? err : -ENOENT);
}

/* ---- colour depth ------------------------------------------------------------------ */

/* Nearest of the 16 basic colours for any colour; -1 and 0-15 pass through. */
static short nearest_basic(short c)
{
    int rgb[3], best = 0, best_d = -1;

    if (c < 16)
        return c;
    colour_rgb(c, rgb);
    for (int i = 0; i < 16; i++) {
        int want[3] = { basic_rgb[i][0], basic_rgb[i][1], basic_rgb[i][2] };
        int d = rgb_dist(rgb, want);
        if (best_d < 0 || d < best_d) {
            best = i;
            best_d = d;
        }
    }
    return (short)best;
}

/* Readable foreground on background colour bg (0-15). */
static short contrast_fg(short bg)
{
    const unsigned char *c = basic_rgb[bg];
    return (299 * c[0] + 587 * c[1] + 114 * c[2]) / 1000 < 128 ? C_WHITE : C_BLACK;
}

static void adapt_style(struct theme_style *s, int colors)
{
    bool distinct = s->fg != s->bg;

    if (colors < 256) {
        s->fg = nearest_basic(s->fg);
        s->bg = nearest_basic(s->bg);
    }
    if (colors < 16) {
        /* Most 8-colour terminals draw bold text in the bright colour. */
        if (s->fg >= 8) {
            s->fg = (short)(s->fg - 8);
            s->attrs |= THEME_ATTR_BOLD;
        }
        if (s->bg >= 8)
            s->bg = (short)(s->bg - 8);
    }
    /* Two colours that were different may have collapsed into one: keep text readable. */
    if (distinct && s->fg == s->bg && s->bg >= 0)
        s->fg = contrast_fg(s->bg);
}

/*
 * Fitting a theme to what the terminal can show:
 *   colors >= 256  the theme as written;
 *   colors < 256   16-255 (and #rrggbb, already stored as 16-255) become the nearest of
 *                  the 16 basic colours by RGB distance against xterm's stock palette;
 *   colors < 16    bright 8-15 become 0-7; the foreground also gets bold, which such
 *                  terminals draw bright;
 *   colors < 8     (NO_COLOR, monochrome, 0 or unknown) all colours become the default
 *                  and attributes carry the meaning: a role that had a background
 *                  (a bar, a highlighted row) becomes reverse, and selected, tab_active,
 *                  warn and crit are forced to stand out (reverse / reverse+bold /
 *                  bold / bold+underline).
 * A foreground and background that collapse into the same colour are pulled apart.
 */
void theme_adapt(struct theme *t, int colors)
{
    if (colors >= 256)
        return;
    for (int r = 0; r < THEME_ROLE_COUNT; r++) {
        struct theme_style *s = &t->style[r];
        if (colors >= 8) {
            adapt_style(s, colors);
            continue;
        }
        if (s->bg >= 0)
            s->attrs |= THEME_ATTR_REVERSE;
        s->fg = s->bg = -1;
    }
    if (colors >= 8)
        return;
    t->style[THEME_SELECTED].attrs |= THEME_ATTR_REVERSE;
    t->style[THEME_TAB_ACTIVE].attrs |= THEME_ATTR_REVERSE | THEME_ATTR_BOLD;
    t->style[THEME_WARN].attrs |= THEME_ATTR_BOLD;
    t->style[THEME_CRIT].attrs |= THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE;
}
