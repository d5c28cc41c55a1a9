/* goroutine_stack: one goroutine group's whole stack, frame by frame with file:line, the
 * runtime's own frames dimmed (runtime.Stack leaves them out), inlined calls marked. */
#include "tui/goroutines_tui.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <ncurses.h>

#include "model/goroutine_groups.h"
#include "tui/draw.h"
#include "tui/text_lines.h"

#define MAX_LINES (2 * GSTACK_MAX_FRAMES + 16)

/* "main.worker  w.go:31": a frame as a person reads it (the file's last element). */
void goroutines_fmt_frame(char *buf, size_t len, const struct gframe *f, bool with_file)
{
    const char *file = strrchr(f->file, '/');
    file = file ? file + 1 : f->file;
    if (!f->func[0])
        snprintf(buf, len, "-");
    else if (with_file && file[0])
        snprintf(buf, len, "%s  %s:%d", f->func, file, (int)f->line);
    else
        snprintf(buf, len, "%s", f->func);
}

void goroutines_fmt_wait(char *buf, size_t len, double s)
{
    if (!isfinite(s))
        snprintf(buf, len, "-");
    else if (s < 60)
        snprintf(buf, len, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, len, "%.0fm", s / 60);
    else
        snprintf(buf, len, "%.1fh", s / 3600);
}

static void build(const struct goroutine_group *g, double growth, struct text_lines *l)
{
    const struct gstack *st = g->stack;
    char wait[32];
    goroutines_fmt_wait(wait, sizeof(wait), g->max_wait_s);
    text_lines_add(l, draw_role(THEME_TITLE), "%lld goroutine%s  %s%s%s", (long long)g->count,
        g->count == 1 ? "" : "s", goroutine_group_status_name(g),
        g->wait_reason[0] ? ": " : "", g->wait_reason);
    if (isfinite(g->max_wait_s))
        text_lines_add(l, A_NORMAL, "longest recorded wait %s (the runtime stamps a wait when a GC "
            "sees it)", wait);
    if (isfinite(growth))
        text_lines_add(l, growth > 0 ? draw_role(THEME_WARN) : A_NORMAL,
            "growth %+.1f goroutines/s (%+.0f a minute)", growth, growth * 60);
    text_lines_add(l, A_NORMAL, "%s", "");
    if (st->nframes == 0) {
        text_lines_add(l, draw_role(THEME_DIM), "%s",
                       "No stack: these goroutines were running on a "
            "thread, where their saved registers are stale.");
    } else {
        text_lines_add(l, draw_role(THEME_TABLE_HEADER), "%s", "Stack, innermost first (dim: the "
            "runtime's own frames, which runtime.Stack hides)");
    }
    for (size_t i = 0; i < st->nframes; i++) {
        const struct gframe *f = &st->frames[i];
        attr_t a = gstack_func_shown(f->func) ? A_BOLD : draw_role(THEME_DIM);
        text_lines_add(l, a, "  %s%s", f->func, f->inlined ? "  (inlined)" : "");
        text_lines_add(l, gstack_func_shown(f->func) ? A_NORMAL : draw_role(THEME_DIM),
            "      %s:%d", f->file[0] ? f->file : "?", (int)f->line);
        l->l[l->n - 1].path = true;
    }
    if (st->truncated)
        text_lines_add(l, draw_role(THEME_DIM),
                       "  ... deeper than %d frames: the outermost are cut",
            GSTACK_MAX_FRAMES);
    text_lines_add(l, A_NORMAL, "%s", "");
    if (st->created_by.func[0]) {
        text_lines_add(l, A_BOLD, "created by %s", st->created_by.func);
        text_lines_add(l, A_NORMAL, "      %s:%d", st->created_by.file, (int)st->created_by.line);
        l->l[l->n - 1].path = true;
    } else {
        text_lines_add(l, draw_role(THEME_DIM), "%s",
                       "created by: not recorded (the main goroutine, "
            "or the runtime's start-up)");
    }
    if (st->start.func[0])
        text_lines_add(l, draw_role(THEME_DIM), "started in %s", st->start.func);
}

void goroutine_stack_draw(const struct goroutine_group *g, const struct goroutine_group *id,
                          double growth, const struct pane_rect *r, int *scroll)
{
    (void)id;
    if (!g) {
        draw_wrap(r->y, r->x + 1, r->w - 2, r->h, "This group is gone: its goroutines finished, "
                  "or moved on to another stack. Esc returns to the groups.");
        return;
    }
    static struct text_line lines[MAX_LINES];
    struct text_lines t = { lines, 0, MAX_LINES };
    build(g, growth, &t);
    text_lines_draw(&t, r, scroll, "Esc, Enter or q: back to the groups   "
                    "Up/Down, PgUp/PgDn: scroll");
}

bool goroutine_stack_key(int ch, int *scroll)
{
    switch (ch) {
    case 27: case 'q': case '\n': case '\r': case KEY_ENTER: case KEY_LEFT:
        return false;
    case KEY_UP: case 'k':
        (*scroll)--;
        return true;
    case KEY_DOWN: case 'j':
        (*scroll)++;
        return true;
    case KEY_PPAGE:
        *scroll -= 10;
        return true;
    case KEY_NPAGE: case ' ':
        *scroll += 10;
        return true;
    case KEY_HOME:
        *scroll = 0;
        return true;
    default:
        return true;
    }
}
