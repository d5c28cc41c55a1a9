/* pane_diag: the diagnoses pane (active findings, findings that ended, every rule's
 * state) and the F1 overlay that explains a rule in plain words. */
#include "tui/diag_tui.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ncurses.h>

#include "tui/draw.h"
#include "tui/help.h"
#include "diagnoses/diag.h"

enum item_kind { IK_ACTIVE, IK_PAST, IK_RULE };

/* A selectable entry; rebuilt from the snapshot on every draw and key. */
struct item {
    enum item_kind kind;
    const struct diag_finding *f;        /* IK_ACTIVE, IK_PAST */
    int64_t ended_ns;                    /* IK_PAST */
    const struct diag_rule *rule;
    const struct diag_rule_status *st;   /* IK_RULE; NULL when unknown */
};

struct diag_state {
    struct item *items;
    size_t nitems, cap;
    size_t sel;
    /* The selected entry by identity, so it stays put while findings come and go. */
    enum item_kind sel_kind;
    char sel_id[32];
    int64_t sel_ended_ns;
    bool follow;
    int top;                 /* first virtual row shown */
    int page;                /* rows shown at the last draw */
    int jump;                /* pane asked for by Enter, -1 = none */
    int64_t jump_ns;         /* ...and the moment: a past finding's start; 0 = now */
};

/* A virtual page of rows: items are laid out from row 0; only [top, top+h) is drawn. */
struct canvas {
    int row, top, h;
    int y0, x0, w;
    bool draw;
    int hit_row;             /* a virtual row clicked, or -1 */
    size_t hit_item;         /* out: the item laid out on hit_row, SIZE_MAX = none */
};

static const char *pane_label(const char *name)
{
    static const char *const labels[] = {
        [PANE_SCHED] = "1 Sched", [PANE_LATENCY] = "2 Latency", [PANE_CORES] = "3 Cores",
        [PANE_NUMA] = "4 NUMA", [PANE_THREADS] = "5 Threads", [PANE_DIAG] = "6 Diag",
    };
    int id = pane_id_by_name(name);
    return id >= 0 ? labels[id] : "?";
}

static enum theme_role severity_role(enum diag_severity sev)
{
    return sev == DIAG_CRIT ? THEME_CRIT : sev == DIAG_WARN ? THEME_WARN : THEME_OK;
}

static void fmt_clock(char *buf, size_t len, int64_t ns)
{
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;
    if (ns <= 0 || !localtime_r(&t, &tm) || !strftime(buf, len, "%H:%M:%S", &tm))
        snprintf(buf, len, "n/a");
}

/* "queued=300  runq_global=129 ..."; unknown figures say n/a. */
/* A figure as the pane prints it: whole numbers whole, others to 3 digits. */
static void fmt_number(char *num, size_t len, double v)
{
    if (!isfinite(v))
        snprintf(num, len, "n/a");
    else if (v == floor(v) && fabs(v) < 1e15)
        snprintf(num, len, "%.0f", v);
    else
        snprintf(num, len, "%.3g", v);
}

/* The figures a rule judged this tick, each beside its threshold of the same name:
 * "queued_per_p 7/16  ..." (brief, the rule's line) or "queued_per_p = 7 (threshold
 * 16), ..." (the explanation). Empty when the rule reported none. */
static void fmt_figures(char *buf, size_t len, const struct diag_rule *r,
                        const struct diag_rule_status *st, bool brief)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; st && i < st->nfigures && i < DIAG_MAX_FIGURES && off < len; i++) {
        char num[32], thr[32] = "";
        fmt_number(num, sizeof(num), st->figures[i].value);
        for (size_t t = 0; r && t < r->nthresholds && t < DIAG_MAX_THRESHOLDS &&
                           isfinite(st->figures[i].value); t++)
            if (strcmp(r->thresholds[t].name, st->figures[i].name) == 0)
                fmt_number(thr, sizeof(thr), st->thr[t]);
        int n = brief ? snprintf(buf + off, len - off, "%s%s %s%s%s", i ? "  " : "",
                                 st->figures[i].name, num, thr[0] ? "/" : "", thr)
                      : snprintf(buf + off, len - off, "%s%s = %s%s%s%s", i ? ", " : "",
                                 st->figures[i].name, num, thr[0] ? " (threshold " : "",
                                 thr, thr[0] ? ")" : "");
        if (n < 0)
            break;
        off += (size_t)n;
    }
}

static void fmt_evidence(char *buf, size_t len, const struct diag_finding *f)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int i = 0; i < f->nevidence && i < DIAG_MAX_EVIDENCE && off < len; i++) {
        char num[32];
        fmt_number(num, sizeof(num), f->evidence[i].value);
        int n = snprintf(buf + off, len - off, "%s%s=%s", i ? "  " : "", f->evidence[i].key,
                         num);
        if (n < 0)
            break;
        off += (size_t)n;
    }
}

/* ---- the item list ------------------------------------------------------------------ */

static int push_item(struct diag_state *st, const struct item *it)
{
    if (st->nitems == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 32;
        struct item *n = realloc(st->items, cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        st->items = n;
        st->cap = cap;
    }
    st->items[st->nitems++] = *it;
    return 0;
}

static const struct diag_rule_status *rule_status(const struct snapshot *cur, const char *id)
{
    for (size_t i = 0; cur && cur->diag.rules && i < cur->diag.nrules; i++)
        if (cur->diag.rules[i].id && strcmp(cur->diag.rules[i].id, id) == 0)
            return &cur->diag.rules[i];
    return NULL;
}

static void build_items(struct diag_state *st, const struct pane_view *v)
{
    st->nitems = 0;
    const struct snapshot *cur = v->cur;
    for (size_t i = 0; cur && cur->diag.findings && i < cur->diag.nfindings; i++) {
        const struct diag_finding *f = &cur->diag.findings[i];
        struct item it = { IK_ACTIVE, f, 0, diag_rule_find(f->id), NULL };
        if (push_item(st, &it) < 0)
            return;
    }
    const struct diag_engine *e = v->s ? v->s->diag : NULL;
    for (size_t i = 0; e && cur && i < diag_engine_past_count(e); i++) {
        const struct diag_past *p = diag_engine_past_at(e, i);
        if (!p)
            continue;
        struct item it = { IK_PAST, &p->f, p->ended_ns, diag_rule_find(p->f.id), NULL };
        if (push_item(st, &it) < 0)
            return;
    }
    for (size_t i = 0; i < diag_rule_count(); i++) {
        const struct diag_rule *r = diag_rule_at(i);
        struct item it = { IK_RULE, NULL, 0, r, rule_status(cur, r->id) };
        if (push_item(st, &it) < 0)
            return;
    }
}

static const char *item_id(const struct item *it)
{
    return it->f ? it->f->id : it->rule ? it->rule->id : "";
}

/* Put sel back on the entry the user chose, wherever it moved. */
static void restore_sel(struct diag_state *st)
{
    for (size_t i = 0; st->follow && i < st->nitems; i++) {
        const struct item *it = &st->items[i];
        if (it->kind == st->sel_kind && strcmp(item_id(it), st->sel_id) == 0 &&
            (it->kind != IK_PAST || it->ended_ns == st->sel_ended_ns)) {
            st->sel = i;
            return;
        }
    }
    if (st->sel >= st->nitems)
        st->sel = st->nitems ? st->nitems - 1 : 0;
}

static void remember_sel(struct diag_state *st)
{
    if (st->sel >= st->nitems)
        return;
    const struct item *it = &st->items[st->sel];
    st->sel_kind = it->kind;
    snprintf(st->sel_id, sizeof(st->sel_id), "%s", item_id(it));
    st->sel_ended_ns = it->ended_ns;
    st->follow = true;
}

/* ---- drawing on the virtual page ----------------------------------------------------- */

/* Screen row of the next virtual row, or -1 when it is scrolled out of view. */
static int cv_line(struct canvas *cv)
{
    int r = cv->row++;
    if (!cv->draw || r < cv->top || r >= cv->top + cv->h)
        return -1;
    return cv->y0 + r - cv->top;
}

static void cv_wrap(struct canvas *cv, int indent, attr_t a, const char *text)
{
    int w = cv->w - indent;
    if (w < 4)
        return;
    int n = draw_wrap(0, 0, w, 0, text);
    if (cv->draw) {
        int first = cv->row > cv->top ? cv->row : cv->top;
        int last = cv->row + n < cv->top + cv->h ? cv->row + n : cv->top + cv->h;
        if (last > first) {
            attron(a);
            draw_wrap_skip(cv->y0 + first - cv->top, cv->x0 + indent, w, first - cv->row,
                           last - first, text);
            attroff(a);
        }
    }
    cv->row += n;
}

static void cv_heading(struct canvas *cv, const char *text)
{
    if (cv->row > 0)
        cv->row++;              /* a blank row between sections */
    int y = cv_line(cv);
    if (y < 0)
        return;
    attron(draw_role(THEME_TITLE) | A_BOLD);
    draw_text(y, cv->x0 + 1, cv->w - 1, text);
    attroff(draw_role(THEME_TITLE) | A_BOLD);
}

/* The first row of an item: highlighted when selected. Returns the screen row or -1. */
static int item_line(struct canvas *cv, bool selected)
{
    int y = cv_line(cv);
    if (y >= 0 && selected) {
        /* The marker keeps the selection visible without colour or reverse video. */
        draw_fill(y, cv->x0, cv->w, draw_role(THEME_SELECTED));
        attron(draw_role(THEME_SELECTED));
        draw_text(y, cv->x0, 1, ">");
        attroff(draw_role(THEME_SELECTED));
    }
    return y;
}

static int draw_severity(int y, int x, int maxw, enum diag_severity sev, bool selected)
{
    char buf[8];
    const char *n = diag_severity_name(sev);
    snprintf(buf, sizeof(buf), "%-4s", n);
    for (char *c = buf; *c; c++)
        *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
    attr_t a = selected ? draw_role(THEME_SELECTED) | A_BOLD
                        : draw_role(severity_role(sev)) | A_BOLD;
    attron(a);
    int used = draw_text(y, x, maxw, buf);
    attroff(a);
    return used;
}

static void draw_active(struct canvas *cv, const struct item *it, const struct snapshot *cur,
                        bool selected)
{
    const struct diag_finding *f = it->f;
    char dur[24], clock[16], line[200], ev[400];
    diag_fmt_duration(dur, sizeof(dur), (double)(cur->meta.time_ns - f->since_ns) / 1e9);
    fmt_clock(clock, sizeof(clock), f->since_ns);
    int y = item_line(cv, selected);
    if (y >= 0) {
        attr_t base = draw_role(selected ? THEME_SELECTED : THEME_NORMAL);
        int x = cv->x0 + 1, end = cv->x0 + cv->w;
        x += draw_severity(y, x, end - x, f->severity, selected) + 1;
        /* Narrow: the age goes before the title, which may be cut. */
        if (cv->w < 60) {
            attron(base);
            x += draw_text(y, x, end - x, dur) + 1;
            attroff(base);
        }
        attron(base | A_BOLD);
        if (x < end)
            x += draw_text(y, x, end - x, it->rule ? it->rule->title : f->id) + 2;
        attroff(base | A_BOLD);
        if (cv->w >= 60 && x < end) {
            snprintf(line, sizeof(line), "for %s, since %s  -> %s (Enter)", dur, clock,
                     pane_label(f->pane));
            attron(base);
            draw_text(y, x, end - x, line);
            attroff(base);
        }
    }
    cv_wrap(cv, 3, A_NORMAL, f->message);
    fmt_evidence(ev, sizeof(ev), f);
    if (ev[0])
        cv_wrap(cv, 3, draw_role(THEME_DIM), ev);
}

static void draw_past(struct canvas *cv, const struct item *it, bool selected)
{
    const struct diag_finding *f = it->f;
    char dur[24], from[16], to[16], line[200];
    diag_fmt_duration(dur, sizeof(dur), (double)(it->ended_ns - f->since_ns) / 1e9);
    fmt_clock(from, sizeof(from), f->since_ns);
    fmt_clock(to, sizeof(to), it->ended_ns);
    int y = item_line(cv, selected);
    if (y >= 0) {
        attr_t base = draw_role(selected ? THEME_SELECTED : THEME_NORMAL);
        int x = cv->x0 + 1, end = cv->x0 + cv->w;
        x += draw_severity(y, x, end - x, f->severity, selected) + 1;
        attron(base);
        x += draw_text(y, x, end - x, it->rule ? it->rule->title : f->id) + 2;
        if (cv->w >= 60)
            snprintf(line, sizeof(line), "%s-%s (%s)", from, to, dur);
        else
            snprintf(line, sizeof(line), "ended %s", to);
        if (x < end)
            draw_text(y, x, end - x, line);
        attroff(base);
    }
    /* Ended findings stay one line each unless selected, so the rules stay in reach. */
    if (selected)
        cv_wrap(cv, 3, draw_role(THEME_DIM), f->message);
}

static const char *rule_state_word(const struct diag_rule_status *st, enum theme_role *role)
{
    *role = THEME_DIM;
    if (!st)
        return "n/a";
    switch (st->state) {
    case DIAG_RULE_QUIET:       *role = THEME_OK; return "quiet";
    case DIAG_RULE_ACTIVE:      *role = THEME_WARN; return "ACTIVE";
    case DIAG_RULE_UNAVAILABLE: return "unavailable";
    case DIAG_RULE_DISABLED:    return "disabled";
    }
    return "n/a";
}

static void draw_rule(struct canvas *cv, const struct item *it, bool selected)
{
    const struct diag_rule_status *st = it->st;
    enum theme_role role;
    const char *state = rule_state_word(st, &role);
    bool wide = cv->w >= 70;
    int idw = cv->w >= 60 ? 20 : 17, titlew = cv->w >= 90 ? 34 : wide ? 26 : 0;
    int state_end = 1 + idw + titlew + draw_text_width(state);
    bool has_why = st && st->state == DIAG_RULE_UNAVAILABLE && st->why[0];
    /* The reason goes on the rule's line when it fits, else wrapped below it. */
    bool why_inline = has_why && state_end + 2 + draw_text_width(st->why) <= cv->w;
    int y = item_line(cv, selected);
    if (y >= 0) {
        attr_t base = draw_role(selected ? THEME_SELECTED : THEME_NORMAL);
        int x = cv->x0 + 1, end = cv->x0 + cv->w;
        attron(base);
        draw_text(y, x, idw - 1, it->rule->id);
        x += idw;
        if (wide)
            draw_text(y, x, titlew - 2, it->rule->title);
        x += titlew;
        attroff(base);
        attr_t sa = selected ? base : draw_role(role);
        attron(sa);
        if (x < end)
            x += draw_text(y, x, end - x, state);
        attroff(sa);
        if (why_inline) {
            attron(base);
            draw_printf(y, x, end - x, ": %s", st->why);
            attroff(base);
        } else if (!has_why && wide && x + 4 < end) {
            /* How near each figure is to its threshold, where the line has room. */
            char figs[200];
            fmt_figures(figs, sizeof(figs), it->rule, st, true);
            attr_t fa = selected ? base : draw_role(THEME_DIM);
            attron(fa);
            if (figs[0])
                draw_text(y, x + 2, end - x - 2, figs);
            attroff(fa);
        }
    }
    if (has_why && !why_inline)
        cv_wrap(cv, 3, draw_role(THEME_DIM), st->why);
}

/* Lay out (and, when cv->draw, draw) the whole page; returns the selected item's first
 * and last virtual rows. */
static void layout(struct diag_state *st, const struct pane_view *v, struct canvas *cv,
                   int *sel_first, int *sel_last)
{
    char head[80];
    size_t nact = 0, npast = 0;
    for (size_t i = 0; i < st->nitems; i++) {
        nact += st->items[i].kind == IK_ACTIVE;
        npast += st->items[i].kind == IK_PAST;
    }
    snprintf(head, sizeof(head), "Active findings (%zu)", nact);
    cv_heading(cv, head);
    if (nact == 0) {
        int y = cv_line(cv);
        if (y >= 0) {
            attron(draw_role(THEME_DIM));
            draw_text(y, cv->x0 + 3, cv->w - 3, "none: every enabled rule is quiet");
            attroff(draw_role(THEME_DIM));
        }
    }
    bool past_head = false, rules_head = false;
    for (size_t i = 0; i < st->nitems; i++) {
        const struct item *it = &st->items[i];
        if (it->kind == IK_PAST && !past_head) {
            snprintf(head, sizeof(head), cv->w >= 50 ? "Recent findings that ended (%zu)"
                                                     : "Ended (%zu)", npast);
            cv_heading(cv, head);
            past_head = true;
        }
        if (it->kind == IK_RULE && !rules_head) {
            snprintf(head, sizeof(head), cv->w >= 50 ? "Rules (%zu; F2 sets them up)"
                                                     : "Rules (%zu)", diag_rule_count());
            cv_heading(cv, head);
            rules_head = true;
        }
        bool selected = i == st->sel;
        int first = cv->row;
        switch (it->kind) {
        case IK_ACTIVE: draw_active(cv, it, v->cur, selected); break;
        case IK_PAST:   draw_past(cv, it, selected); break;
        case IK_RULE:   draw_rule(cv, it, selected); break;
        }
        if (selected) {
            *sel_first = first;
            *sel_last = cv->row - 1;
        }
        if (cv->hit_row >= first && cv->hit_row < cv->row)
            cv->hit_item = i;
    }
}

static void diag_draw(struct pane *p, const struct pane_view *v, const struct pane_rect *r)
{
    struct diag_state *st = p->priv;
    if (!v->cur) {
        const char *msg = v->s->attached ? "Waiting for the first sample..."
                                         : "No process attached. Press p to pick one.";
        draw_wrap(r->y, r->x + 1, r->w - 2, r->h, msg);
        st->page = 0;
        return;
    }
    build_items(st, v);
    restore_sel(st);
    int h = r->h;
    bool hint = h >= 8;          /* a key line at the bottom when there is room */
    if (hint)
        h--;
    if (h < 1)
        return;
    st->page = h;
    struct canvas cv = { 0, 0, h, r->y, r->x, r->w - 1, false, -1, SIZE_MAX };
    int first = 0, last = 0;
    layout(st, v, &cv, &first, &last);
    int total = cv.row;
    /* Keep the selected item's rows in view (its first row when it is taller). */
    if (last - first + 1 > h)
        last = first + h - 1;
    if (first < st->top)
        st->top = first;
    if (last >= st->top + h)
        st->top = last - h + 1;
    /* Section headings above the first item of the page stay visible at the top. */
    if (st->sel == 0)
        st->top = 0;
    if (st->top > total - h)
        st->top = total - h > 0 ? total - h : 0;
    cv = (struct canvas){ 0, st->top, h, r->y, r->x, r->w - 1, true, -1, SIZE_MAX };
    layout(st, v, &cv, &first, &last);
    if (hint) {
        attron(draw_role(THEME_DIM));
        draw_text(r->y + r->h - 1, r->x + 1, r->w - 2,
                  r->w >= 70 ? "Up/Down select  Enter go to the pane  F1 explain  F2 set up "
                               "rules"
                             : "Enter go to pane  F1 explain  F2 setup");
        attroff(draw_role(THEME_DIM));
    }
}

static void move_sel(struct diag_state *st, long delta)
{
    if (st->nitems == 0)
        return;
    st->sel = draw_list_move(st->sel, delta, st->nitems);
    remember_sel(st);
}

/* Enter: ask the app for the pane where the selected entry's figures are. */
static void go_to_pane(struct diag_state *st)
{
    if (st->sel >= st->nitems)
        return;
    const struct item *it = &st->items[st->sel];
    st->jump = pane_id_by_name(it->f ? it->f->pane : it->rule ? it->rule->pane : NULL);
    if (st->jump < 0 && it->rule)
        st->jump = pane_id_by_name(it->rule->pane);
    /* A finding that ended is seen where it began (the app rewinds there when it can). */
    st->jump_ns = it->kind == IK_PAST && it->f ? it->f->since_ns : 0;
}

static bool diag_key(struct pane *p, const struct pane_view *v, int ch)
{
    struct diag_state *st = p->priv;
    build_items(st, v);
    restore_sel(st);
    long delta;
    if (draw_list_nav(ch, st->page > 4 ? st->page / 2 : 2, (long)st->nitems, &delta)) {
        move_sel(st, delta);
        return true;
    }
    switch (ch) {
    case '\n': case '\r': case KEY_ENTER:
        go_to_pane(st);
        return true;
    default:
        return false;
    }
}

/* A click on an entry selects it; on the selected one it goes to its pane, as Enter. */
static bool diag_mouse(struct pane *p, const struct pane_view *v,
                       const struct mouse_event *ev, const struct pane_rect *r)
{
    struct diag_state *st = p->priv;
    int row = ev->y - r->y;
    if (ev->what != MOUSE_CLICK || !v->cur || row < 0 || row >= st->page)
        return false;
    build_items(st, v);
    restore_sel(st);
    /* The same layout as the last draw: which entry was drawn on that row. */
    struct canvas cv = { 0, st->top, st->page, r->y, r->x, r->w - 1, false,
                         st->top + row, SIZE_MAX };
    int first = 0, last = 0;
    layout(st, v, &cv, &first, &last);
    if (cv.hit_item >= st->nitems)
        return false;
    if (cv.hit_item == st->sel) {
        go_to_pane(st);
        return true;
    }
    st->sel = cv.hit_item;
    remember_sel(st);
    return true;
}

int pane_diag_take_jump(struct pane *p)
{
    struct diag_state *st = p->priv;
    int j = st ? st->jump : -1;
    if (st)
        st->jump = -1;
    return j;
}

int64_t pane_diag_take_jump_time(struct pane *p)
{
    struct diag_state *st = p->priv;
    int64_t t = st ? st->jump_ns : 0;
    if (st)
        st->jump_ns = 0;
    return t;
}

const char *pane_diag_selected_rule(const struct pane *p)
{
    const struct diag_state *st = p->priv;
    if (!st || st->sel >= st->nitems)
        return NULL;
    const struct item *it = &st->items[st->sel];
    return it->rule ? it->rule->id : it->f ? it->f->id : NULL;
}

static void diag_reset(struct pane *p)
{
    struct diag_state *st = p->priv;
    st->sel = 0;
    st->top = 0;
    st->follow = false;
    st->nitems = 0;
    st->jump = -1;
}

static void diag_destroy(struct pane *p)
{
    struct diag_state *st = p->priv;
    if (st)
        free(st->items);
    free(st);
    p->priv = NULL;
}

int pane_diag_init(struct pane *p)
{
    struct diag_state *st = calloc(1, sizeof(*st));
    if (!st)
        return -ENOMEM;
    st->jump = -1;
    p->tab = "Diag";
    p->short_tab = "Diag";
    p->draw = diag_draw;
    p->key = diag_key;
    p->mouse = diag_mouse;
    p->reset = diag_reset;
    p->destroy = diag_destroy;
    p->priv = st;
    p->which = PANE_DIAG;
    return 0;
}

/* ---- explain overlay (F1 on a finding or rule) --------------------------------------- */

struct para {
    bool heading;
    char text[640];
};

#define MAX_PARAS (9 + DIAG_MAX_THRESHOLDS)

static size_t explain_paras(const struct session *s, const struct diag_rule *r,
                            struct para *p)
{
    size_t n = 0;
    memset(p, 0, MAX_PARAS * sizeof(*p));
    const struct snapshot *cur = s && s->history ? history_get(s->history, 0) : NULL;
    size_t ri = 0;
    while (ri < diag_rule_count() && diag_rule_at(ri) != r)
        ri++;
    p[n].heading = true;
    snprintf(p[n++].text, sizeof(p[0].text), "%s (%s)", r->title, r->id);
    snprintf(p[n++].text, sizeof(p[0].text), "%s", r->explain ? r->explain : "");
    snprintf(p[n++].text, sizeof(p[0].text), "Where to look: the %s pane.",
             pane_label(r->pane));
    p[n].heading = true;
    snprintf(p[n++].text, sizeof(p[0].text), "Thresholds (F2 changes them)");
    for (size_t t = 0; t < r->nthresholds && t < DIAG_MAX_THRESHOLDS; t++) {
        const struct diag_threshold *th = &r->thresholds[t];
        double now = s && s->diag ? diag_engine_threshold(s->diag, ri, t) : th->def;
        snprintf(p[n++].text, sizeof(p[0].text), "%s = %g %s (default %g): %s", th->name,
                 now, th->unit ? th->unit : "", th->def, th->help ? th->help : "");
    }
    p[n].heading = true;
    snprintf(p[n++].text, sizeof(p[0].text), "Now");
    const struct diag_rule_status *st = rule_status(cur, r->id);
    const struct diag_finding *f = NULL;
    for (size_t i = 0; cur && cur->diag.findings && i < cur->diag.nfindings; i++)
        if (strcmp(cur->diag.findings[i].id, r->id) == 0)
            f = &cur->diag.findings[i];
    if (f) {
        char ev[400];
        fmt_evidence(ev, sizeof(ev), f);
        snprintf(p[n++].text, sizeof(p[0].text), "%s: %s", diag_severity_name(f->severity),
                 f->message);
        if (ev[0])
            snprintf(p[n++].text, sizeof(p[0].text), "Evidence: %s", ev);
    } else if (!st) {
        snprintf(p[n++].text, sizeof(p[0].text), "No sample yet.");
    } else if (st->state == DIAG_RULE_UNAVAILABLE) {
        snprintf(p[n++].text, sizeof(p[0].text),
                 "Unavailable: %s. The rule stays silent rather than guess.",
                 st->why[0] ? st->why : "its inputs are missing");
    } else if (st->state == DIAG_RULE_DISABLED) {
        snprintf(p[n++].text, sizeof(p[0].text), "Disabled in the setup screen (F2).");
    } else {
        snprintf(p[n++].text, sizeof(p[0].text), "Quiet: nothing crossed a threshold.");
    }
    /* The figures behind that verdict, quiet or active: how close the rule is. */
    char figs[sizeof(p[0].text) - 32];
    fmt_figures(figs, sizeof(figs), r, st, false);
    if (figs[0] && st && (st->state == DIAG_RULE_QUIET || st->state == DIAG_RULE_ACTIVE))
        snprintf(p[n++].text, sizeof(p[0].text), "Figures now: %s.", figs);
    return n;
}

void diag_explain_draw(const struct session *s, const char *rule_id, int rows, int cols,
                       int *scroll)
{
    const struct diag_rule *r = rule_id ? diag_rule_find(rule_id) : NULL;
    if (!r)
        return;
    struct para paras[MAX_PARAS];
    struct help_para view[MAX_PARAS];
    size_t n = explain_paras(s, r, paras);
    for (size_t i = 0; i < n; i++)
        view[i] = (struct help_para){ paras[i].heading, paras[i].text };
    help_overlay_draw(rows, cols, " diagnosis explained ", view, n, scroll);
}

bool diag_explain_key(int ch, int *scroll)
{
    return help_key(ch, scroll);     /* the same scrolling as the help overlay */
}
