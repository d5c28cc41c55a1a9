/* draw: small ncurses drawing helpers shared by every pane (text, bars, sparklines, tables). */
#include "tui/draw.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

static attr_t role_attr[THEME_ROLE_COUNT];
static bool use_utf8;

/* Eighth blocks, from 1/8 to 8/8, for bars; and the eight sparkline heights. */
static const char *const bar_eighths[8] = {
    "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589", "\u2588",
};
static const char *const spark_utf8[8] = {
    "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
};
static const char spark_ascii[8] = { '_', '.', ',', ':', '-', '=', '+', '#' };

static attr_t style_attrs(const struct theme_style *st)
{
    attr_t a = A_NORMAL;
    if (st->attrs & THEME_ATTR_BOLD)
        a |= A_BOLD;
    if (st->attrs & THEME_ATTR_REVERSE)
        a |= A_REVERSE;
    if (st->attrs & THEME_ATTR_UNDERLINE)
        a |= A_UNDERLINE;
    if (st->attrs & THEME_ATTR_DIM)
        a |= A_DIM;
    return a;
}

/* A theme colour the terminal cannot show falls back to the default rather than
 * letting init_pair fail and leave the role uncoloured in a confusing way. */
static short fit_colour(short c, bool have_default, short fallback)
{
    if (c < 0 || c >= COLORS)
        return have_default ? -1 : fallback;
    return c;
}

struct theme_warnings {
    char *first;
    size_t len;
    int count;
};

static void theme_warn(void *ctx, const char *msg)
{
    struct theme_warnings *w = ctx;
    if (w->count++ == 0)
        snprintf(w->first, w->len, "%s", msg);
}

int draw_setup(const char *theme_name, bool no_color, const char *datadir, bool utf8,
               char *msg, size_t len)
{
    struct theme t;
    struct theme_warnings w = { msg, len, 0 };
    int rc = theme_load(theme_name ? theme_name : "default", datadir, &t, theme_warn, &w);
    const char *nc = getenv("NO_COLOR");
    bool colour = !no_color && !(nc && *nc) && has_colors();
    if (colour && start_color() != OK)
        colour = false;
    theme_adapt(&t, colour ? COLORS : 0);
    draw_init(&t, colour, utf8);
    /* Without a theme named the built-in default is as good as the installed file. */
    return w.count && (theme_name || rc != -ENOENT) ? -1 : 0;
}

void draw_init(const struct theme *t, bool color, bool utf8)
{
    use_utf8 = utf8;
    bool have_default = false;
    if (color)
        have_default = use_default_colors() == OK;
    for (int r = 0; r < THEME_ROLE_COUNT; r++) {
        const struct theme_style *st = &t->style[r];
        role_attr[r] = style_attrs(st);
        if (!color || r + 1 >= COLOR_PAIRS)
            continue;
        short fg = fit_colour(st->fg, have_default, COLOR_WHITE);
        short bg = fit_colour(st->bg, have_default, COLOR_BLACK);
        if (init_pair((short)(r + 1), fg, bg) == OK)
            role_attr[r] |= COLOR_PAIR(r + 1);
    }
}

attr_t draw_role(enum theme_role r)
{
    if ((int)r < 0 || r >= THEME_ROLE_COUNT)
        return A_NORMAL;
    return role_attr[r];
}

bool draw_utf8(void) { return use_utf8; }

/* Copy the part of s that fits into maxw columns into out (NUL-terminated), replacing
 * anything unprintable with '?'. Returns the columns it takes. */
static int clip_text(const char *s, int maxw, char *out, size_t outlen)
{
    int cols = 0;
    size_t o = 0;
    mbstate_t st;
    memset(&st, 0, sizeof(st));
    while (*s && cols < maxw && o + MB_LEN_MAX + 1 < outlen) {
        if (!use_utf8 || (unsigned char)*s < 0x80) {
            unsigned char c = (unsigned char)*s++;
            out[o++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
            cols++;
            continue;
        }
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, MB_LEN_MAX, &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
            memset(&st, 0, sizeof(st));
            s++;
            out[o++] = '?';
            cols++;
            continue;
        }
        int w = iswprint((wint_t)wc) ? wcwidth(wc) : -1;
        if (w < 0) {
            out[o++] = '?';
            cols++;
            s += n;
            continue;
        }
        if (cols + w > maxw)
            break;
        memcpy(out + o, s, n);
        o += n;
        s += n;
        cols += w;
    }
    out[o] = '\0';
    return cols;
}

/* Keep drawing inside the screen whatever the caller asked for. */
static int fit_width(int y, int x, int maxw)
{
    if (y < 0 || y >= LINES || x < 0 || x >= COLS || maxw <= 0)
        return 0;
    return maxw > COLS - x ? COLS - x : maxw;
}

int draw_text(int y, int x, int maxw, const char *s)
{
    char buf[2048];
    maxw = fit_width(y, x, maxw);
    if (maxw == 0 || !s)
        return 0;
    int cols = clip_text(s, maxw, buf, sizeof(buf));
    mvaddstr(y, x, buf);
    return cols;
}

int draw_text_width(const char *s)
{
    char buf[2048];
    return s ? clip_text(s, 1000, buf, sizeof(buf)) : 0;
}

int draw_text_right(int y, int x, int maxw, const char *s)
{
    int w = draw_text_width(s);
    if (w < maxw)
        x += maxw - w, maxw = w;
    return draw_text(y, x, maxw, s);
}

int draw_printf(int y, int x, int maxw, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return draw_text(y, x, maxw, buf);
}

void draw_fill(int y, int x, int w, attr_t a)
{
    w = fit_width(y, x, w);
    if (w == 0)
        return;
    attr_t old_a;
    short old_p;
    attr_get(&old_a, &old_p, NULL);
    attrset(a);
    mvhline(y, x, ' ', w);
    attr_set(old_a, old_p, NULL);
}

enum theme_role draw_level_role(double pct)
{
    if (isnan(pct))
        return THEME_DIM;
    if (pct < 50.0)
        return THEME_BAR_LOW;
    if (pct < 80.0)
        return THEME_BAR_MID;
    return THEME_BAR_HIGH;
}

void draw_bar(int y, int x, int w, double pct)
{
    char buf[1024];
    w = fit_width(y, x, w);
    if (w == 0)
        return;
    if (w > 200)
        w = 200;                     /* 200 cells * 3 bytes stays inside buf */
    size_t o = 0;
    int used = 0;
    if (!isnan(pct)) {
        double p = pct < 0 ? 0 : pct > 100 ? 100 : pct;
        if (use_utf8) {
            int eighths = (int)lround(p / 100.0 * w * 8);
            for (; eighths >= 8 && used < w; eighths -= 8, used++)
                o += (size_t)sprintf(buf + o, "%s", bar_eighths[7]);
            if (eighths > 0 && used < w) {
                o += (size_t)sprintf(buf + o, "%s", bar_eighths[eighths - 1]);
                used++;
            }
        } else {
            int n = (int)lround(p / 100.0 * w);
            for (; used < n; used++)
                buf[o++] = '|';
        }
    }
    buf[o] = '\0';
    attron(draw_role(draw_level_role(pct)));
    mvaddstr(y, x, buf);
    attroff(draw_role(draw_level_role(pct)));
    if (used < w)
        mvhline(y, x + used, ' ', w - used);
}

void draw_level_glyph(double level, char *buf)
{
    if (isnan(level)) {
        strcpy(buf, " ");
        return;
    }
    int i = (int)lround(level * 7.0);
    i = i < 0 ? 0 : i > 7 ? 7 : i;
    if (use_utf8)
        strcpy(buf, spark_utf8[i]);
    else {
        buf[0] = spark_ascii[i];
        buf[1] = '\0';
    }
}

void draw_sparkline(int y, int x, int w, const double *vals, size_t n, double max)
{
    char buf[1024], g[8];
    w = fit_width(y, x, w);
    if (w == 0)
        return;
    if (w > 200)
        w = 200;
    size_t shown = n < (size_t)w ? n : (size_t)w;
    size_t o = 0;
    for (int i = 0; i < w - (int)shown; i++)
        buf[o++] = ' ';
    for (size_t i = n - shown; i < n; i++) {
        double v = vals[i];
        draw_level_glyph(isnan(v) || max <= 0 ? NAN : v / max, g);
        size_t gl = strlen(g);
        memcpy(buf + o, g, gl);
        o += gl;
    }
    buf[o] = '\0';
    mvaddstr(y, x, buf);
}

void draw_chart(int y, int x, int w, int h, const double *vals, size_t n, double max)
{
    /* Rows go to curses as wide strings: a chart is most of the cells of the scheduler
     * pane, and a UTF-8 string costs curses a multibyte conversion per cell. The charts
     * were ~5% of gmptop's CPU at 1 s (perf, loaded server) and still ~2% after this:
     * most of it is curses' own work per cell. */
    static const wchar_t eighths_w[9] = { L' ', 0x2581, 0x2582, 0x2583, 0x2584,
                                          0x2585, 0x2586, 0x2587, 0x2588 };
    static const wchar_t eighths_a[9] = { L' ', L'.', L'.', L'.', L'+', L'+', L'+', L'+',
                                          L'#' };
    const wchar_t *glyph = use_utf8 ? eighths_w : eighths_a;
    const wchar_t zero = use_utf8 ? 0x00b7 : L'_';
    w = fit_width(y, x, w);
    if (w <= 0 || h <= 0)
        return;
    if (w > 400)
        w = 400;
    size_t shown = n < (size_t)w ? n : (size_t)w;
    int pad = w - (int)shown;
    int units[400];
    for (int i = 0; i < w; i++) {
        double v = i < pad ? NAN : vals[n - shown + (size_t)(i - pad)];
        int u = isnan(v) || !(max > 0) ? 0 : (int)lround(v / max * h * 8);
        if (!isnan(v) && v > 0 && u == 0)
            u = 1;                         /* something, however small, shows */
        units[i] = v == 0 ? INT_MIN : u;   /* zero is data, not a gap */
    }
    for (int row = 0; row < h; row++) {
        /* Row 0 is the top; a bar's height is counted in eighths of a cell. */
        wchar_t buf[400 + 1];
        int floor8 = (h - 1 - row) * 8;
        for (int i = 0; i < w; i++) {
            if (units[i] == INT_MIN) {
                /* A dotted floor tells zero from a gap. */
                buf[i] = row == h - 1 ? zero : L' ';
                continue;
            }
            int e = units[i] - floor8;
            buf[i] = glyph[e < 0 ? 0 : e > 8 ? 8 : e];
        }
        buf[w] = L'\0';
        mvaddnwstr(y + row, x, buf, w);
    }
}

bool draw_fmt_num(char *buf, size_t len, double v, int prec, int width)
{
    if (isnan(v) || isinf(v)) {
        snprintf(buf, len, "n/a");
        return false;
    }
    for (;;) {
        int n = snprintf(buf, len, "%.*f", prec, v);
        if (n <= width || prec == 0)
            break;
        prec--;
    }
    if ((int)strlen(buf) > width) {
        static const char sfx[] = "kMGTP";
        double s = v;
        int i = -1;
        while (i < 4 && (int)snprintf(buf, len, "%.0f", s) > width - 1) {
            s /= 1000.0;
            i++;
        }
        snprintf(buf, len, "%.0f%c", s, i >= 0 ? sfx[i] : ' ');
    }
    return true;
}

int draw_layout(const struct draw_col_spec *spec, struct draw_col_place *place, size_t n,
                int x0, int width)
{
    int used = 0, shown = 0;
    for (size_t i = 0; i < n; i++)
        place[i] = (struct draw_col_place){ .spec = &spec[i], .title = spec[i].title };
    /* Columns by rank; a tie keeps the left one first. */
    for (int rank = 0; rank < 64; rank++) {
        for (size_t i = 0; i < n; i++) {
            const struct draw_col_spec *c = &spec[i];
            if (c->rank != rank)
                continue;
            int w = c->flex ? c->min_width : c->width;
            int need = w + (shown > 0 ? 1 : 0);
            if (used + need > width)
                continue;
            place[i].shown = true;
            place[i].w = w;
            used += need;
            shown++;
        }
    }
    int spare = width - used;
    /* Flexible columns grow to their preferred width, then the last one takes the rest. */
    struct draw_col_place *last_flex = NULL;
    for (size_t i = 0; i < n; i++) {
        struct draw_col_place *c = &place[i];
        if (!c->shown || !spec[i].flex)
            continue;
        int grow = spec[i].width - c->w;
        if (grow > spare)
            grow = spare;
        if (grow > 0)
            c->w += grow, spare -= grow;
        last_flex = c;
    }
    if (last_flex && spare > 0)
        last_flex->w += spare;
    int x = x0;
    for (size_t i = 0; i < n; i++) {
        if (!place[i].shown)
            continue;
        place[i].x = x;
        x += place[i].w + 1;
    }
    return shown;
}

void draw_table_header(int y, const struct draw_col_place *place, size_t n, int sorted,
                       bool descending, int x0, int width)
{
    attr_t a = draw_role(THEME_TABLE_HEADER);
    draw_fill(y, x0, width, a);
    const char *mark = use_utf8 ? (descending ? "\u25bc" : "\u25b2")
                                : (descending ? "v" : "^");
    for (size_t i = 0; i < n; i++) {
        const struct draw_col_place *c = &place[i];
        if (!c->shown)
            continue;
        bool is_sorted = (int)i == sorted;
        /* attrset, not attron/attroff: turning the sort marker's bold off must not
         * also drop bold the theme gave the whole header. */
        attrset(is_sorted ? a | A_BOLD | A_UNDERLINE : a);
        int tw = draw_text_width(c->title);
        if (c->spec->right) {
            draw_text_right(y, c->x, c->w, c->title);
            if (is_sorted && tw < c->w)
                draw_text(y, c->x + c->w - tw - 1, 1, mark);
        } else {
            draw_text(y, c->x, c->w, c->title);
            if (is_sorted && tw < c->w)
                draw_text(y, c->x + tw, 1, mark);
        }
    }
    attrset(A_NORMAL);
}

int draw_col_at(const struct draw_col_place *place, size_t n, int x)
{
    for (size_t i = 0; i < n; i++)
        if (place[i].shown && x >= place[i].x && x <= place[i].x + place[i].w)
            return (int)i;
    return -1;
}

struct draw_table_hit draw_table_click(int y, int x, int head_y,
                                       const struct draw_col_place *place, size_t n, int page,
                                       size_t top, size_t nrows)
{
    struct draw_table_hit hit = { DRAW_HIT_NONE, -1, 0 };
    if (head_y < 0)
        return hit;
    if (y == head_y) {
        hit.col = draw_col_at(place, n, x);
        hit.what = hit.col >= 0 ? DRAW_HIT_COLUMN : DRAW_HIT_NONE;
        return hit;
    }
    long row = y - head_y - 1;
    if (row >= 0 && row < page && top + (size_t)row < nrows) {
        hit.what = DRAW_HIT_ROW;
        hit.row = top + (size_t)row;
    }
    return hit;
}

void draw_cell(int y, const struct draw_col_place *c, const char *text, attr_t a)
{
    if (!c->shown)
        return;
    attr_t old_a;
    short old_p;
    attr_get(&old_a, &old_p, NULL);
    if (a != A_NORMAL)
        attrset(a);
    if (c->spec->right)
        draw_text_right(y, c->x, c->w, text);
    else
        draw_text(y, c->x, c->w, text);
    attr_set(old_a, old_p, NULL);
}

/* Wrap text into w columns; rows before `skip` are counted but not drawn, and drawing
 * stops after max_rows drawn rows (0: draw nothing, count all). */
static int wrap_core(int y, int x, int w, int skip, int max_rows, const char *text)
{
    char line[1024];
    int rows = 0;
    const char *p = text;
    if (w <= 0)
        return 0;
    while (*p && (max_rows == 0 || rows - skip < max_rows)) {
        /* Take words while they fit; stop at '\n'. */
        size_t len = 0, fit = 0;
        const char *q = p;
        while (*q && *q != '\n') {
            const char *word_end = q;
            while (*word_end && *word_end != ' ' && *word_end != '\n')
                word_end++;
            size_t wl = (size_t)(word_end - q);
            if (wl >= sizeof(line) - len - 2)
                break;
            memcpy(line + len, q, wl);
            line[len + wl] = '\0';
            int nc = draw_text_width(line);
            if (nc > w && fit > 0)
                break;
            len += wl;
            fit = len;
            q = word_end;
            if (nc > w)
                break;               /* one over-long word: cut by draw_text */
            if (*q == ' ') {
                line[len++] = ' ';
                q++;
            }
        }
        if (q == p && *q != '\n')
            q++;                     /* never stall on a word too long for the buffer */
        line[fit] = '\0';
        if (max_rows > 0 && rows >= skip)
            draw_text(y + rows - skip, x, w, line);
        rows++;
        p = q;
        while (*p == ' ')
            p++;
        if (*p == '\n')
            p++;
    }
    return rows;
}

int draw_wrap(int y, int x, int w, int max_rows, const char *text)
{
    return wrap_core(y, x, w, 0, max_rows, text);
}

int draw_wrap_skip(int y, int x, int w, int skip, int max_rows, const char *text)
{
    return wrap_core(y, x, w, skip, max_rows, text) - skip;
}

bool draw_list_nav(int ch, long page, long nrows, long *delta)
{
    switch (ch) {
    case KEY_UP: case 'k':      *delta = -1; return true;
    case KEY_DOWN: case 'j':    *delta = 1; return true;
    case KEY_PPAGE:             *delta = -page; return true;
    case KEY_NPAGE:             *delta = page; return true;
    case KEY_HOME: case 'g':    *delta = -nrows; return true;
    case KEY_END: case 'G':     *delta = nrows; return true;
    default:                    return false;
    }
}

size_t draw_list_move(size_t sel, long delta, size_t n)
{
    if (n == 0)
        return 0;
    long s = (long)sel + delta;
    if (s < 0)
        s = 0;
    if (s >= (long)n)
        s = (long)n - 1;
    return (size_t)s;
}

void draw_frame(int y, int x, int h, int w)
{
    mvhline(y, x + 1, ACS_HLINE, w - 2);
    mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
    mvvline(y + 1, x, ACS_VLINE, h - 2);
    mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
    mvaddch(y, x, ACS_ULCORNER);
    mvaddch(y, x + w - 1, ACS_URCORNER);
    mvaddch(y + h - 1, x, ACS_LLCORNER);
    mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
}
