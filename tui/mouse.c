/* mouse: the terminal's mouse reports (switched on and off, decoded into clicks and wheel
 * steps) and the table of clickable places drawn on the screen this frame. */
#include "tui/mouse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ncurses.h>

#include "tui/draw.h"

/* The key code ncurses returns for the start of an SGR report ("ESC [ <") when gmptop
 * reads them itself: above KEY_MAX, clear of the codes ncurses gives the extended
 * keys it knows (those start at KEY_MAX + 1 and number about a hundred). */
#define SGR_KEY (KEY_MAX + 0x100)
#define SGR_START "\033[<"
/* The rest of a report comes with its start; this only bounds a broken one. */
#define SGR_REST_MS 50
#define SGR_MAX_LEN 24

#define WANTED (BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED)

void mouse_init(struct mouse *m, FILE *out)
{
    m->out = out;
    m->on = false;
    m->own_sgr = false;
    const char *kmous = tigetstr("kmous");
    if (!kmous || kmous == (const char *)-1 || strcmp(kmous, "\033[M") != 0)
        return;
    if (key_defined(SGR_START) != 0)
        return;
    char *used = keybound(SGR_KEY, 0);
    if (used) {
        free(used);
        return;
    }
    m->own_sgr = define_key(SGR_START, SGR_KEY) == OK;
}

static void sgr_mode(const struct mouse *m, bool on)
{
    if (!m->own_sgr || !m->out)
        return;
    fputs(on ? "\033[?1006h" : "\033[?1006l", m->out);
    fflush(m->out);
}

/* GPM serves the mouse on the Linux virtual consoles only, but ncurses tries it for any
 * TERM=linux (a tmux pane or an ssh session may say linux): it loads libgpm, fails to
 * connect and unloads it again, leaking what libgpm allocated. Outside a console GPM is
 * of no use, so ncurses is told not to try; NCURSES_GPM_TERMS set by the user wins. */
static void gpm_only_on_console(void)
{
    if (getenv("NCURSES_GPM_TERMS"))
        return;
    const char *tty = ttyname(STDIN_FILENO);
    if (tty && strncmp(tty, "/dev/tty", 8) == 0 && isdigit((unsigned char)tty[8]))
        return;
    setenv("NCURSES_GPM_TERMS", "", 1);
}

bool mouse_set(struct mouse *m, bool on)
{
    if (!on) {
        if (m->on)
            sgr_mode(m, false);
        mousemask(0, NULL);
        m->on = false;
        return false;
    }
    gpm_only_on_console();
    /* Presses are reported at once: no wait to see whether a release makes a click. */
    mouseinterval(0);
    m->on = mousemask(WANTED, NULL) != 0;
    if (m->on)
        sgr_mode(m, true);
    return m->on;
}

/* "b;x;yM" after ESC [ <: b is the button (64 and 65 the wheel), x and y count from 1,
 * M is a press and m a release. */
static enum mouse_read read_sgr(struct mouse_event *ev)
{
    int v[3] = { 0, 0, 0 }, n = 0;
    timeout(SGR_REST_MS);
    for (int i = 0; i < SGR_MAX_LEN; i++) {
        int ch = getch();
        if (ch >= '0' && ch <= '9') {
            if (v[n] < 100000)
                v[n] = v[n] * 10 + (ch - '0');
        } else if (ch == ';' && n < 2) {
            n++;
        } else if ((ch == 'M' || ch == 'm') && n == 2) {
            if (ch == 'm' || v[1] < 1 || v[2] < 1)
                return MOUSE_READ_IGNORED;
            ev->x = v[1] - 1;
            ev->y = v[2] - 1;
            /* Modifier bits (4 shift, 8 meta, 16 control) do not change what a click
             * means here; 32 is motion, never asked for. */
            int b = v[0] & ~(4 | 8 | 16);
            if (b == 0)
                ev->what = MOUSE_CLICK;
            else if (b == 64)
                ev->what = MOUSE_WHEEL_UP;
            else if (b == 65)
                ev->what = MOUSE_WHEEL_DOWN;
            else
                return MOUSE_READ_IGNORED;
            return MOUSE_READ_EVENT;
        } else {
            return MOUSE_READ_IGNORED;   /* broken: what was read is dropped */
        }
    }
    return MOUSE_READ_IGNORED;
}

enum mouse_read mouse_read(const struct mouse *m, int ch, struct mouse_event *ev)
{
    if (ch == SGR_KEY && m->own_sgr) {
        enum mouse_read r = read_sgr(ev);
        return m->on ? r : MOUSE_READ_IGNORED;
    }
    if (ch != KEY_MOUSE)
        return MOUSE_READ_NONE;
    MEVENT me;
    if (getmouse(&me) != OK || !m->on)
        return MOUSE_READ_IGNORED;
    ev->y = me.y;
    ev->x = me.x;
    if (me.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
        ev->what = MOUSE_CLICK;
    else if (me.bstate & BUTTON4_PRESSED)
        ev->what = MOUSE_WHEEL_UP;
    else if (me.bstate & BUTTON5_PRESSED)
        ev->what = MOUSE_WHEEL_DOWN;
    else
        return MOUSE_READ_IGNORED;
    return MOUSE_READ_EVENT;
}

void mouse_hits_clear(struct mouse_hits *h)
{
    h->n = 0;
}

void mouse_hit_add(struct mouse_hits *h, int y, int x, int w, enum mouse_hit_kind kind,
                   int value)
{
    if (h->n >= MOUSE_MAX_HITS || w <= 0)
        return;
    h->hit[h->n++] = (struct mouse_hit){ y, x, w, kind, value };
}

const struct mouse_hit *mouse_hit_find(const struct mouse_hits *h, int y, int x)
{
    for (size_t i = 0; i < h->n; i++) {
        const struct mouse_hit *p = &h->hit[i];
        if (p->y == y && x >= p->x && x < p->x + p->w)
            return p;
    }
    return NULL;
}

/* The key a hint's first word names, or 0 ("Type to filter" names none). */
static int key_named(const char *word, size_t len)
{
    static const struct { const char *name; int key; } names[] = {
        { "Tab", '\t' }, { "Space", ' ' }, { "Spc", ' ' }, { "Enter", '\n' },
        { "Ent", '\n' }, { "Esc", 27 }, { "Bksp", KEY_BACKSPACE },
    };
    /* "F2/Esc save+close": the first key stands for the item. */
    const char *slash = memchr(word, '/', len);
    if (slash && slash > word)
        len = (size_t)(slash - word);
    if (len == 1)
        return (unsigned char)word[0] > ' ' && (unsigned char)word[0] < 0x7f ? word[0] : 0;
    if (word[0] == 'F' && len <= 3) {
        int n = 0;
        for (size_t i = 1; i < len; i++) {
            if (word[i] < '0' || word[i] > '9')
                return 0;
            n = n * 10 + (word[i] - '0');
        }
        return n >= 1 && n <= 12 ? KEY_F(n) : 0;
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i].name) == len && memcmp(names[i].name, word, len) == 0)
            return names[i].key;
    return 0;
}

int mouse_hints_draw(struct mouse_hits *h, int y, int x, int maxw, const char *hints)
{
    int used = draw_text(y, x, maxw, hints);
    /* Hints are ASCII, so a byte offset is a column. */
    const char *p = hints;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *item = p;
        while (*p && !(p[0] == ' ' && p[1] == ' '))
            p++;
        int col = (int)(item - hints), w = (int)(p - item);
        if (col >= used)
            break;
        if (col + w > used)
            w = used - col;
        size_t wlen = strcspn(item, " ");
        if (wlen > (size_t)(p - item))
            wlen = (size_t)(p - item);
        int key = key_named(item, wlen);
        if (key)
            mouse_hit_add(h, y, x + col, w, MOUSE_HIT_KEY, key);
    }
    return used;
}
