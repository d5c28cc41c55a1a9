/* setup: the F2 screen where the mouse and the diagnosis rules are switched on and off
 * and the rules' thresholds edited; leaving it saves the settings file atomically. */
#include "tui/diag_tui.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ncurses.h>

#include "session/session.h"
#include "tui/draw.h"
#include "diagnoses/diag.h"
#include "base/settings.h"

#define EDIT_LEN 24

/* One line of the list: the mouse switch, a rule, or one of a rule's thresholds. */
enum setup_row_kind { ROW_MOUSE, ROW_RULE, ROW_THRESHOLD };
struct setup_row {
    enum setup_row_kind kind;
    size_t rule;                   /* ROW_RULE, ROW_THRESHOLD */
    int thr;                       /* ROW_THRESHOLD */
};

struct setup {
    struct session *s;
    struct settings *settings;     /* not owned; NULL = read the file before saving */
    struct setup_row *rows;
    size_t nrows;
    size_t sel, top;
    int page;
    int list_y;                    /* screen row of the first row shown, -1 = none */
    bool mouse;                    /* the app's mouse switch, as shown and saved */
    bool mouse_changed;            /* save it: the file keeps what the user chose */
    bool editing;
    bool fresh;                    /* the first key typed replaces the old value */
    char buf[EDIT_LEN];
    bool dirty;
    char note[160];                /* shown at the bottom of the screen */
    bool note_error;
    char msg[4200];                /* the last save's outcome, for the footer */
    bool msg_error, msg_new;
    char hints[120];
};

struct setup *setup_new(void)
{
    struct setup *su = calloc(1, sizeof(*su));
    if (!su)
        return NULL;
    size_t n = 1;
    for (size_t i = 0; i < diag_rule_count(); i++)
        n += 1 + diag_rule_at(i)->nthresholds;
    su->rows = calloc(n, sizeof(*su->rows));
    if (!su->rows) {
        free(su);
        return NULL;
    }
    su->list_y = -1;
    su->rows[su->nrows++] = (struct setup_row){ ROW_MOUSE, 0, -1 };
    for (size_t i = 0; i < diag_rule_count(); i++) {
        su->rows[su->nrows++] = (struct setup_row){ ROW_RULE, i, -1 };
        for (size_t t = 0; t < diag_rule_at(i)->nthresholds; t++)
            su->rows[su->nrows++] = (struct setup_row){ ROW_THRESHOLD, i, (int)t };
    }
    return su;
}

void setup_free(struct setup *su)
{
    if (!su)
        return;
    free(su->rows);
    free(su);
}

void setup_open(struct setup *su, struct session *s, struct settings *settings, bool mouse)
{
    su->s = s;
    su->settings = settings;
    su->mouse = mouse;
    su->mouse_changed = false;
    su->editing = false;
    su->dirty = false;
    su->note[0] = '\0';
    if (su->sel >= su->nrows)
        su->sel = 0;
}

static void set_note(struct setup *su, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_note(struct setup *su, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(su->note, sizeof(su->note), fmt, ap);
    va_end(ap);
    su->note_error = error;
}

/* Store the engine's settings into the settings and write the file. */
static void save(struct setup *su)
{
    char path[4096], err[512];
    su->msg_new = true;
    su->msg_error = true;
    if (!su->s || !su->s->diag) {
        snprintf(su->msg, sizeof(su->msg), "settings not saved: diagnoses unavailable");
        return;
    }
    int rc = settings_default_path(path, sizeof(path));
    if (rc < 0) {
        snprintf(su->msg, sizeof(su->msg),
                 "settings not saved: no settings path (set HOME or XDG_CONFIG_HOME): %s",
                 strerror(-rc));
        return;
    }
    struct settings *cfg = su->settings, *own = NULL;
    if (!cfg) {
        /* Keep whatever else the file holds: read it first. */
        own = cfg = settings_new();
        if (!own) {
            snprintf(su->msg, sizeof(su->msg), "settings not saved: out of memory");
            return;
        }
        settings_load(own, path, NULL, NULL);
    }
    diag_engine_store(su->s->diag, cfg);
    rc = su->mouse_changed ? settings_set(cfg, "mouse", su->mouse ? "true" : "false") : 0;
    if (rc < 0) {
        settings_free(own);
        snprintf(su->msg, sizeof(su->msg), "settings not saved: %s", strerror(-rc));
        return;
    }
    rc = settings_save(cfg, path, err, sizeof(err));
    settings_free(own);
    if (rc < 0) {
        snprintf(su->msg, sizeof(su->msg), "settings not saved: %s", err);
        set_note(su, true, "not saved: %s", err);
        return;
    }
    su->dirty = false;
    su->msg_error = false;
    snprintf(su->msg, sizeof(su->msg), "saved to %s", path);
    set_note(su, false, "saved to %s", path);
}

static const struct setup_row *cur_row(const struct setup *su)
{
    return su->sel < su->nrows ? &su->rows[su->sel] : NULL;
}

const char *setup_rule(const struct setup *su)
{
    const struct setup_row *r = cur_row(su);
    return r && r->kind != ROW_MOUSE ? diag_rule_at(r->rule)->id : NULL;
}

bool setup_mouse_on(const struct setup *su)
{
    return su->mouse;
}

const char *setup_take_message(struct setup *su, bool *error)
{
    if (!su->msg_new)
        return NULL;
    su->msg_new = false;
    *error = su->msg_error;
    return su->msg;
}

const char *setup_hints(const struct setup *su, int width)
{
    struct setup *m = (struct setup *)su;   /* the hint buffer only */
    if (su->editing)
        snprintf(m->hints, sizeof(m->hints), width >= 50 ? "type a number  Enter accept  "
                                                          "Esc cancel  Bksp delete"
                                                        : "Enter accept  Esc cancel");
    else
        snprintf(m->hints, sizeof(m->hints), width >= 70
                 ? "Space on/off  Enter edit  s save  F1 explain  F2/Esc save+close"
                 : width >= 50 ? "Spc on/off  Enter edit  s save  F2 close"
                               : "Spc toggle  Ent edit  F2 close");
    return m->hints;
}

/* ---- drawing ----------------------------------------------------------------------- */

static void fmt_value(char *buf, size_t len, double v)
{
    if (isfinite(v))
        snprintf(buf, len, "%g", v);
    else
        snprintf(buf, len, "n/a");
}

static void draw_row(const struct setup *su, int y, const struct pane_rect *r, size_t i)
{
    const struct setup_row *row = &su->rows[i];
    const struct diag_rule *rule = row->kind == ROW_MOUSE ? NULL : diag_rule_at(row->rule);
    bool selected = i == su->sel;
    attr_t base = draw_role(selected ? THEME_SELECTED : THEME_NORMAL);
    int x = r->x + 1, end = r->x + r->w - 1;
    attron(base);
    if (selected) {
        /* The marker keeps the cursor visible without colour or reverse video. */
        draw_fill(y, r->x, r->w, base);
        draw_text(y, r->x, 1, ">");
    }
    if (row->kind != ROW_THRESHOLD) {
        bool on = row->kind == ROW_MOUSE ? su->mouse
                  : su->s && su->s->diag && diag_engine_enabled(su->s->diag, row->rule);
        x += draw_text(y, x, end - x, on ? "[x] " : "[ ] ");
        attron(A_BOLD);
        int idw = r->w >= 60 ? 22 : end - x;
        draw_text(y, x, idw - 1, row->kind == ROW_MOUSE ? "mouse" : rule->id);
        attroff(A_BOLD);
        x += idw;
        if (x < end)
            draw_text(y, x, end - x, row->kind == ROW_MOUSE
                      ? "clicks and the wheel (off: the mouse selects text)" : rule->title);
        attroff(base);
        return;
    }
    const struct diag_threshold *th = &rule->thresholds[row->thr];
    x += r->w >= 60 ? 6 : 3;
    int namew = r->w >= 60 ? 20 : 15;
    draw_text(y, x, namew - 1, th->name);
    x += namew;
    char val[EDIT_LEN + 8];
    if (selected && su->editing) {
        snprintf(val, sizeof(val), "%s_", su->buf);
        attroff(base);
        attron(A_REVERSE | A_BOLD);
        int used = draw_text(y, x, end - x, val);
        attroff(A_REVERSE | A_BOLD);
        x += used > 8 ? used : 8;
        attron(base);
    } else {
        double v = su->s && su->s->diag
                       ? diag_engine_threshold(su->s->diag, row->rule, (size_t)row->thr)
                       : th->def;
        fmt_value(val, sizeof(val), v);
        draw_text_right(y, x, end - x < 8 ? end - x : 8, val);
        x += 8;
    }
    x++;
    if (x < end)
        draw_text(y, x, end - x, th->unit ? th->unit : "");
    x += 12;
    if (r->w >= 80 && x < end) {
        attr_t h = selected ? base : draw_role(THEME_DIM);
        attron(h);
        draw_text(y, x, end - x, th->help ? th->help : "");
        attroff(h);
    }
    attroff(base);
}

void setup_draw(struct setup *su, const struct pane_rect *r)
{
    int y = r->y, end = r->y + r->h;
    su->list_y = -1;
    for (int i = y; i < end; i++)
        draw_fill(i, r->x, r->w, draw_role(THEME_NORMAL));
    if (y >= end)
        return;
    attron(draw_role(THEME_TITLE) | A_BOLD);
    draw_text(y++, r->x + 1, r->w - 2,
              r->w >= 60 ? "Setup: mouse, diagnosis rules and thresholds"
                         : "Setup: mouse, rules");
    attroff(draw_role(THEME_TITLE) | A_BOLD);
    char path[4096];
    if (y < end && r->h >= 8) {
        attron(draw_role(THEME_DIM));
        if (settings_default_path(path, sizeof(path)) == 0)
            draw_printf(y, r->x + 1, r->w - 2, "file: %s%s", path, su->dirty ? " (changed)" : "");
        else
            draw_text(y, r->x + 1, r->w - 2, "file: none (set HOME or XDG_CONFIG_HOME)");
        attroff(draw_role(THEME_DIM));
        y++;
    }
    if (!su->s || !su->s->diag) {
        if (y < end)
            draw_text(y, r->x + 1, r->w - 2, "Diagnoses are unavailable (out of memory).");
        return;
    }
    int list_h = end - y - 1;       /* the last row holds the note */
    if (list_h < 1)
        list_h = 1;
    su->page = list_h;
    su->list_y = y;
    if (su->sel < su->top)
        su->top = su->sel;
    if (su->sel >= su->top + (size_t)list_h)
        su->top = su->sel - (size_t)list_h + 1;
    for (int i = 0; i < list_h && y < end && su->top + (size_t)i < su->nrows; i++)
        draw_row(su, y++, r, su->top + (size_t)i);
    if (su->note[0] && end - 1 > r->y) {
        attr_t a = draw_role(su->note_error ? THEME_CRIT : THEME_OK);
        draw_fill(end - 1, r->x, r->w, draw_role(THEME_NORMAL));
        attron(a);
        draw_text(end - 1, r->x + 1, r->w - 2, su->note);
        attroff(a);
    }
}

/* ---- keys -------------------------------------------------------------------------- */

static void move_sel(struct setup *su, long delta)
{
    su->sel = draw_list_move(su->sel, delta, su->nrows);
}

/* Space on the mouse row: the app applies it at once (SETUP_MOUSE). */
static enum setup_action toggle(struct setup *su)
{
    const struct setup_row *r = cur_row(su);
    if (r && r->kind == ROW_MOUSE) {
        su->mouse = !su->mouse;
        su->mouse_changed = true;
        su->dirty = true;
        set_note(su, false, "mouse %s", su->mouse ? "on: click tabs, titles, rows and keys"
                                                  : "off: the mouse selects text");
        return SETUP_MOUSE;
    }
    if (!r || !su->s->diag)
        return SETUP_HANDLED;
    bool on = !diag_engine_enabled(su->s->diag, r->rule);
    diag_engine_set_enabled(su->s->diag, r->rule, on);
    su->dirty = true;
    set_note(su, false, "%s %s (takes effect at the next sample)",
             diag_rule_at(r->rule)->id, on ? "enabled" : "disabled");
    return SETUP_HANDLED;
}

static enum setup_action start_edit(struct setup *su)
{
    const struct setup_row *r = cur_row(su);
    if (r && r->kind != ROW_THRESHOLD)
        return toggle(su);
    if (!r || !su->s->diag)
        return SETUP_HANDLED;
    fmt_value(su->buf, sizeof(su->buf),
              diag_engine_threshold(su->s->diag, r->rule, (size_t)r->thr));
    su->editing = true;
    su->fresh = true;
    su->note[0] = '\0';
    return SETUP_HANDLED;
}

static void accept_edit(struct setup *su)
{
    const struct setup_row *r = cur_row(su);
    if (!r || r->kind != ROW_THRESHOLD || !su->s->diag) {   /* the row went away */
        su->editing = false;
        return;
    }
    const char *s = su->buf;
    while (isspace((unsigned char)*s))
        s++;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    while (end && isspace((unsigned char)*end))
        end++;
    if (end == s || !end || *end || errno == ERANGE || !isfinite(v)) {
        set_note(su, true, "not a number: '%s' (Esc cancels)", su->buf);
        return;
    }
    if (v < 0) {
        set_note(su, true, "must be 0 or more: %s (Esc cancels)", su->buf);
        return;
    }
    const struct diag_threshold *th = &diag_rule_at(r->rule)->thresholds[r->thr];
    diag_engine_set_threshold(su->s->diag, r->rule, (size_t)r->thr, v);
    session_thresholds_changed(su->s);
    su->editing = false;
    su->dirty = true;
    set_note(su, false, "%s.%s = %g %s", diag_rule_at(r->rule)->id, th->name, v,
             th->unit ? th->unit : "");
}

static void edit_key(struct setup *su, int ch)
{
    size_t n = strlen(su->buf);
    switch (ch) {
    case 27:
        su->editing = false;
        set_note(su, false, "edit cancelled");
        return;
    case '\n': case '\r': case KEY_ENTER:
        accept_edit(su);
        return;
    case KEY_BACKSPACE: case 127: case 8:
        if (n)
            su->buf[n - 1] = '\0';
        su->fresh = false;
        return;
    case 21:            /* ^U: clear, as in a shell */
        su->buf[0] = '\0';
        return;
    default:
        /* Anything printable is taken; Enter says whether it is a number. */
        if (ch >= 32 && ch < 127 && su->fresh) {
            su->buf[0] = '\0';
            n = 0;
        }
        su->fresh = false;
        if (ch >= 32 && ch < 127 && n + 1 < sizeof(su->buf)) {
            su->buf[n] = (char)ch;
            su->buf[n + 1] = '\0';
        }
        return;
    }
}

void setup_close(struct setup *su)
{
    su->editing = false;
    if (su->dirty)
        save(su);
}

enum setup_action setup_key(struct setup *su, int ch)
{
    if (ch == KEY_RESIZE)
        return SETUP_HANDLED;
    if (su->editing) {
        edit_key(su, ch);
        return SETUP_HANDLED;
    }
    long delta;
    if (draw_list_nav(ch, su->page > 1 ? su->page - 1 : 1, (long)su->nrows, &delta)) {
        move_sel(su, delta);
        return SETUP_HANDLED;
    }
    switch (ch) {
    case ' ':
        return toggle(su);
    case '\n': case '\r': case KEY_ENTER:
        return start_edit(su);
    case 's': case 'S':
        save(su);
        return SETUP_HANDLED;
    case KEY_F(1): case 'h': case '?':
        if (!setup_rule(su)) {
            set_note(su, false, "Space switches the mouse; off, the terminal selects text");
            return SETUP_HANDLED;
        }
        return SETUP_EXPLAIN;
    case KEY_F(2): case 27: case 'q': case KEY_F(10):
        /* Leaving keeps what was changed: nothing is lost by closing. */
        setup_close(su);
        return SETUP_CLOSE;
    default:
        return SETUP_HANDLED;
    }
}

enum setup_action setup_mouse(struct setup *su, const struct mouse_event *ev)
{
    if (su->editing)
        return SETUP_HANDLED;          /* Enter or Esc ends the edit first */
    if (ev->what != MOUSE_CLICK) {
        move_sel(su, ev->what == MOUSE_WHEEL_UP ? -MOUSE_WHEEL_ROWS : MOUSE_WHEEL_ROWS);
        return SETUP_HANDLED;
    }
    long row = ev->y - su->list_y;
    if (su->list_y < 0 || row < 0 || row >= su->page || su->top + (size_t)row >= su->nrows)
        return SETUP_HANDLED;
    size_t idx = su->top + (size_t)row;
    /* A click on the selected row does what Enter does: switch it, or edit the value. */
    if (idx == su->sel)
        return start_edit(su);
    su->sel = idx;
    return SETUP_HANDLED;
}
