/* app: the interactive ncurses front end (one thread: input -> sample -> draw). */
#include "tui/app.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ncurses.h>

#include "tui/cpu_spark.h"
#include "tui/diag_tui.h"
#include "tui/draw.h"
#include "tui/last_pane.h"
#include "tui/header.h"
#include "tui/help.h"
#include "tui/mouse.h"
#include "tui/pane.h"
#include "tui/goroutines_tui.h"
#include "tui/pane_picker.h"
#include "tui/replay_ui.h"
#include "tui/rewind_ui.h"
#include "tui/tabs.h"
#include "tui/theme.h"
#include "record/recorder.h"
#include "base/settings.h"
#include "base/util.h"

#ifndef GMPTOP_DATADIR
#define GMPTOP_DATADIR "/usr/local/share/gmptop"
#endif

#define MIN_COLS 40
#define MIN_ROWS 12
#define MSG_MS 5000

static const char main_hints[] = "F1 Help  F2 Setup  Tab Panes  Space Pause  p Pick  q Quit";
static const char main_hints_narrow[] = "F1 Help  Spc Pause  p Pick  q Quit";

struct app {
    const struct options *o;
    struct session *s;
    struct pane panes[PANE_COUNT];
    int active;
    int chosen;                    /* the pane the user last chose (-1: none yet); a new
                                    * target opens on it and it is remembered at exit */
    bool sched_fallback;           /* opened on the scheduler pane by default: go to
                                    * Threads if the first tick cannot read it */
    struct picker *picker;
    struct proclist *procs;        /* what the picker shows; read when it is open */
    bool picking;
    bool help;
    int help_scroll;
    struct settings *settings;     /* not owned; the setup screen saves into it */
    struct setup *setup;
    bool setting_up;               /* the F2 setup screen is open */
    char explain[32];              /* rule explained by the F1 overlay, "" = none */
    int explain_scroll;
    bool paused;
    struct replay_ui *replay;      /* --replay: the source is a recording; else NULL */
    struct rewind_ui *rewind;      /* live: stepping back through the session's archive */
    bool quit;
    long long delay_ms;
    long long next_tick_ms;
    struct cpu_spark cpu;          /* the header's process CPU sparkline */
    char msg[256];                 /* transient footer message */
    bool msg_error;
    long long msg_until_ms;
    struct mouse mouse;
    bool mouse_wanted;             /* the setting: on unless "mouse = false" */
    struct mouse_hits hits;        /* the tabs and footer keys of the last draw */
    struct pane_rect body;         /* where the last draw put the pane (or picker) */
};

static volatile sig_atomic_t got_signal;

static void on_signal(int sig) { got_signal = sig; }

static long long now_ms(void) { return util_mono_ns() / 1000000; }

static void set_msg(struct app *a, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_msg(struct app *a, bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
    va_end(ap);
    a->msg_error = error;
    a->msg_until_ms = now_ms() + MSG_MS;
}

/* The snapshots panes may see: none when nothing is attached, except the last one of
 * a target that just exited, so its name stays on screen. */
static struct pane_view make_view(const struct app *a)
{
    struct pane_view v = { .s = a->s, .ctl = a->s, .paused = a->paused, .h = a->s->history };
    if (!a->s->history)
        return v;
    const struct snapshot *cur = history_get(a->s->history, 0);
    if (!a->s->attached && !(cur && cur->meta.target_gone))
        return v;
    const struct history *back = rewind_ui_history(a->rewind);
    if (back && history_get(back, 0)) {
        v.h = back;
        v.rewind_ns = rewind_ui_behind_ns(a->rewind, a->s);
        cur = history_get(back, 0);
    }
    v.cur = cur;
    v.prev = history_get(v.h, 1);
    return v;
}

/* After a replay seek or step, or a rewind step: the sparkline again from the history
 * the view now draws from. */
static void rebuild_cpu_hist(struct app *a)
{
    cpu_spark_rebuild(&a->cpu, make_view(a).h);
}

static void push_cpu_hist(struct app *a)
{
    if (rewind_ui_history(a->rewind))
        return;                        /* the sparkline shows the moment rewound to */
    struct pane_view v = make_view(a);
    cpu_spark_push(&a->cpu, v.prev, v.cur);
}

/* The machine's processes for the picker: the app reads them (libproc2), the picker
 * only shows what it is given. */
static void scan_processes(struct app *a, long long now)
{
    char why[256] = "";
    int rc = 0;
    if (!a->procs) {
        a->procs = proclist_new(why, sizeof(why));
        if (!a->procs) {
            rc = -ENOMEM;
            if (!why[0])
                snprintf(why, sizeof(why), "cannot list processes");
            set_msg(a, true, "process list unavailable");
        }
    }
    if (a->procs)
        rc = proclist_refresh(a->procs);
    picker_show(a->picker, a->procs, rc, why, now);
}

static void open_picker(struct app *a)
{
    if (a->setting_up) {
        setup_close(a->setup);
        a->setting_up = false;
    }
    a->picking = true;
    picker_open(a->picker);
    scan_processes(a, now_ms());
}

/* A new attach: panes and the CPU history start over; the first tick is now. */
/* The pane a newly attached target opens on (last_pane.h). */
static void open_start_pane(struct app *a)
{
    a->active = a->chosen >= 0 ? a->chosen : PANE_SCHED;
    a->sched_fallback = a->active == PANE_SCHED;
}

/* After the first tick of a target opened on the scheduler pane: a program whose
 * scheduler cannot be read (not Go, a layout gmptop cannot verify) is shown on Threads;
 * the scheduler pane keeps the reason for whoever goes there. */
static void settle_start_pane(struct app *a)
{
    if (!a->sched_fallback || !a->s->history)
        return;
    const struct snapshot *cur = history_get(a->s->history, 0);
    if (!cur)
        return;
    a->sched_fallback = false;
    if (!cur->sched.valid && !cur->meta.target_gone && a->active == PANE_SCHED)
        a->active = PANE_THREADS;
}

static void attached_fresh(struct app *a)
{
    a->cpu.n = 0;
    rewind_ui_reset(a->rewind);
    for (int i = 0; i < PANE_COUNT; i++)
        if (a->panes[i].reset)
            a->panes[i].reset(&a->panes[i]);
    a->next_tick_ms = now_ms();
}

static void do_tick(struct app *a)
{
    struct session *s = a->s;
    if (!a->picking && (a->active == PANE_CPU || a->active == PANE_GOROUTINES))
        session_profile_shown(s);
    int rc = session_tick(s);
    if (rewind_ui_ticked(a->rewind, s) == REWIND_UI_MOVED)
        rebuild_cpu_hist(a);
    push_cpu_hist(a);
    settle_start_pane(a);
    const char *rec_err = recorder_take_error(s->recorder);
    if (rec_err)
        set_msg(a, true, "%s", rec_err);
    if (a->replay) {
        replay_ui_ticked(a->replay, rc, &a->paused);
        if (rc < 0)
            rebuild_cpu_hist(a);     /* nothing new was pushed: undo the extra point */
        return;
    }
    if (rc == -ESRCH) {
        char banner[384], why[256] = "";
        pid_t pid = s->target.pid;
        bool execed = s->gone_exec[0] != '\0';
        if (execed)
            snprintf(banner, sizeof(banner), "process %d (%s) exec'd %.200s",
                     (int)s->target.pid, s->target.comm[0] ? s->target.comm : "?",
                     s->gone_exec);
        else
            snprintf(banner, sizeof(banner), "process %d (%s) exited", (int)s->target.pid,
                     s->target.comm[0] ? s->target.comm : "?");
        session_detach(s);
        /* A re-exec in place (a graceful upgrade, a runtime setting applied by
         * re-executing): keep watching, on the same pane, if it is a Go program. */
        if (execed && session_attach(s, pid, why, sizeof(why)) == TARGET_OK) {
            attached_fresh(a);
            set_msg(a, false, "%s: watching the new program", banner);
            return;
        }
        if (why[0]) {
            size_t n = strlen(banner);
            snprintf(banner + n, sizeof(banner) - n, ": %.150s", why);
        }
        open_picker(a);
        picker_set_banner(a->picker, banner, false);
        set_msg(a, true, "%s", banner);
    } else if (rc < 0) {
        set_msg(a, true, "sampling failed: %s", strerror(-rc));
    }
}

static void do_attach(struct app *a, pid_t pid)
{
    struct session *s = a->s;
    if (s->attached && !s->target_gone && s->target.pid == pid) {
        a->picking = false;
        return;
    }
    char msg[512] = "";
    session_detach(s);
    enum target_error e = session_attach(s, pid, msg, sizeof(msg));
    if (e != TARGET_OK) {
        picker_set_banner(a->picker, msg[0] ? msg : "attach failed", true);
        return;
    }
    picker_set_banner(a->picker, NULL, false);
    a->picking = false;
    a->paused = false;
    open_start_pane(a);
    attached_fresh(a);
    set_msg(a, false, "watching process %d (%s)", (int)pid, s->target.comm);
}

static void draw_footer(struct app *a, int y, int cols)
{
    bool show_msg = a->msg[0] && now_ms() < a->msg_until_ms;
    attr_t at = draw_role(show_msg ? (a->msg_error ? THEME_CRIT : THEME_WARN) : THEME_STATUS);
    draw_fill(y, 0, cols, draw_role(THEME_STATUS));
    attron(at);
    if (show_msg)
        draw_text(y, 1, cols - 1, a->msg);
    else if (a->setting_up)
        mouse_hints_draw(&a->hits, y, 1, cols - 1, setup_hints(a->setup, cols - 1));
    else
        mouse_hints_draw(&a->hits, y, 1, cols - 1,
                         a->picking ? picker_hints(a->picker, cols - 1)
                         : cols > (int)sizeof(main_hints) ? main_hints : main_hints_narrow);
    attroff(at);
}

static void draw_screen(struct app *a)
{
    erase();
    mouse_hits_clear(&a->hits);
    a->body = (struct pane_rect){ 0, 0, 0, 0 };
    int rows = LINES, cols = COLS;
    if (rows < MIN_ROWS || cols < MIN_COLS) {
        const char *m = cols >= 31 ? "terminal too small (need 40x12)" : "too small (need 40x12)";
        draw_text(0, 0, cols, m);
    } else {
        struct pane_view v = make_view(a);
        int bars = rows >= 30 ? 8 : rows >= 20 ? 4 : rows >= 16 ? 2 : 1;
        int y = header_draw(&v, 0, cols, bars, a->cpu.v, a->cpu.n);
        tabs_draw(a->panes, PANE_COUNT, a->picking ? -1 : a->active, &a->hits, y++, cols);
        /* The findings strip sits above the footer on every pane (not the picker). */
        bool strip = !a->picking && v.cur;
        /* The replay timeline or the rewind bar, above the footer. */
        int tl = a->replay || rewind_ui_history(a->rewind) || rewind_ui_prompting(a->rewind)
                 ? 1 : 0;
        struct pane_rect r = { y, 0, rows - 1 - y - (strip ? 1 : 0) - tl, cols };
        a->body = r;
        if (a->picking)
            picker_draw(a->picker, &r, a->s->attached ? a->s->target.pid : 0);
        else if (a->setting_up)
            setup_draw(a->setup, &r);
        else
            a->panes[a->active].draw(&a->panes[a->active], &v, &r);
        attrset(A_NORMAL);
        if (strip)
            diag_strip_draw(&v, rows - 2 - tl, cols);
        if (a->replay)
            replay_ui_draw(a->replay, rows - 2, cols, a->paused);
        else if (tl)
            rewind_ui_draw(a->rewind, a->s, rows - 2, cols);
        attrset(A_NORMAL);
        draw_footer(a, rows - 1, cols);
        if (a->explain[0])
            diag_explain_draw(a->s, a->explain, rows - 1, cols, &a->explain_scroll);
        else if (a->help)
            help_draw(rows - 1, cols, &a->help_scroll);
    }
    attrset(A_NORMAL);
    wnoutrefresh(stdscr);
    doupdate();
}

static void select_pane(struct app *a, int which)
{
    /* Leaving the picker needs a live target to look at. */
    if (a->picking) {
        if (!a->s->attached || a->s->target_gone) {
            set_msg(a, false, "pick a process first (Enter attaches)");
            return;
        }
        a->picking = false;
    }
    a->active = (which + PANE_COUNT) % PANE_COUNT;
    a->chosen = a->active;
    a->sched_fallback = false;
}

static void open_explain(struct app *a, const char *rule)
{
    snprintf(a->explain, sizeof(a->explain), "%s", rule ? rule : "");
    a->explain_scroll = 0;
}

/* The mouse setting (from the settings file or the setup screen) applied to the
 * terminal. */
static void apply_mouse(struct app *a, bool on)
{
    a->mouse_wanted = on;
    if (mouse_set(&a->mouse, on) != on) {
        const char *term = getenv("TERM");
        set_msg(a, true, "TERM=%s reports no mouse: use the keys", term ? term : "");
    }
}

/* What a key or click on the F2 setup screen asked of the app. */
static void setup_acted(struct app *a, enum setup_action act)
{
    if (act == SETUP_EXPLAIN)
        open_explain(a, setup_rule(a->setup));
    else if (act == SETUP_CLOSE)
        a->setting_up = false;
    else if (act == SETUP_MOUSE)
        apply_mouse(a, setup_mouse_on(a->setup));
    bool error = false;
    const char *m = setup_take_message(a->setup, &error);
    if (m)
        set_msg(a, error, "%s", m);
}

/* Enter on the diagnoses pane asks for the pane of the selected finding. */
static void follow_jump(struct app *a)
{
    if (a->picking || a->active != PANE_DIAG)
        return;
    int jump = pane_diag_take_jump(&a->panes[PANE_DIAG]);
    int64_t when = pane_diag_take_jump_time(&a->panes[PANE_DIAG]);
    if (jump >= 0 && when > 0 && !a->replay &&
        rewind_ui_goto_time(a->rewind, a->s, when) == REWIND_UI_MOVED)
        rebuild_cpu_hist(a);
    /* A growing-goroutines finding opens the groups with the growing ones first. */
    if (jump == PANE_GOROUTINES)
        pane_goroutines_focus(&a->panes[PANE_GOROUTINES], GOROUTINES_BY_GROWTH);
    if (jump >= 0 && jump < PANE_COUNT)
        select_pane(a, jump);
}

static void handle_key(struct app *a, int ch)
{
    if (a->help) {
        if (!help_key(ch, &a->help_scroll))
            a->help = false;
        return;
    }
    if (a->explain[0]) {
        if (!diag_explain_key(ch, &a->explain_scroll))
            a->explain[0] = '\0';
        return;
    }
    if (ch == KEY_RESIZE)
        return;
    if (a->setting_up) {
        setup_acted(a, setup_key(a->setup, ch));
        return;
    }
    if (a->replay && !a->picking) {
        enum replay_ui_result rr = replay_ui_key(a->replay, a->s, ch, &a->paused);
        if (rr == REPLAY_UI_MOVED)
            rebuild_cpu_hist(a);
        if (rr != REPLAY_UI_UNHANDLED)
            return;
    }
    /* Live: Left/Right step through the archive (a pane showing a view that takes
     * every key, such as a goroutine's stack, keeps them). */
    struct pane *kp = &a->panes[a->active];
    if (!a->replay && !a->picking && !(kp->grabs_keys && kp->grabs_keys(kp))) {
        enum rewind_ui_result wr = rewind_ui_key(a->rewind, a->s, ch);
        if (wr == REWIND_UI_MOVED)
            rebuild_cpu_hist(a);
        const char *said = rewind_ui_take_message(a->rewind);
        if (said)
            set_msg(a, false, "%s", said);
        if (wr != REWIND_UI_UNHANDLED)
            return;
    }
    if (a->picking) {
        pid_t pid = 0;
        switch (picker_key(a->picker, ch, &pid)) {
        case PICKER_HANDLED:
            return;
        case PICKER_ATTACH:
            do_attach(a, pid);
            return;
        case PICKER_CLOSE:
            if (a->s->attached && !a->s->target_gone)
                a->picking = false;
            else
                set_msg(a, false, "no process attached: pick one, or q to quit");
            return;
        case PICKER_UNHANDLED:
            break;
        }
    }
    struct pane_view v = make_view(a);
    /* A pane typing a search or showing a view that q closes takes every key. */
    struct pane *ap = &a->panes[a->active];
    if (!a->picking && ap->grabs_keys && ap->grabs_keys(ap) && ap->key) {
        ap->key(ap, &v, ch);
        return;
    }
    switch (ch) {
    case 'q': case 'Q': case KEY_F(10):
        a->quit = true;
        return;
    case KEY_F(1): case 'h':
        /* On the diagnoses pane F1 explains the selected finding or rule. */
        if (!a->picking && a->active == PANE_DIAG &&
            pane_diag_selected_rule(&a->panes[PANE_DIAG])) {
            open_explain(a, pane_diag_selected_rule(&a->panes[PANE_DIAG]));
            return;
        }
        a->help = true;
        /* Open on the pane in view; ? opens at the top. */
        a->help_scroll = a->picking ? 0 : help_scroll_for_pane(a->active + 1, LINES - 1, COLS);
        return;
    case '?':
        a->help = true;
        a->help_scroll = 0;
        return;
    case ' ':
        a->paused = !a->paused;
        if (!a->paused)
            a->next_tick_ms = now_ms();
        return;
    case 'p':
        open_picker(a);
        return;
    case '\t':
        select_pane(a, a->active + 1);
        return;
    case KEY_BTAB:
        select_pane(a, a->active - 1);
        return;
    case '1': case '2': case '3': case '4': case '5': case '6': case '7': case '8':
        select_pane(a, ch - '1');
        return;
    case 'd':
        select_pane(a, PANE_DIAG);
        return;
    case KEY_F(2):
        if (a->picking) {
            set_msg(a, false, "pick a process first (Enter attaches)");
            return;
        }
        setup_open(a->setup, a->s, a->settings, a->mouse_wanted);
        a->setting_up = true;
        return;
    default:
        break;
    }
    /* Enter on the scheduler pane: from its goroutine census to the groups behind it. */
    if (!a->picking && a->active == PANE_SCHED &&
        (ch == '\n' || ch == '\r' || ch == KEY_ENTER)) {
        pane_goroutines_focus(&a->panes[PANE_GOROUTINES], GOROUTINES_BY_COUNT);
        select_pane(a, PANE_GOROUTINES);
        return;
    }
    if (!a->picking && a->panes[a->active].key)
        a->panes[a->active].key(&a->panes[a->active], &v, ch);
    follow_jump(a);
}

static bool in_rect(const struct pane_rect *r, int y, int x)
{
    return y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w;
}

/* A click or wheel step. Everything it does a key does too: a footer key acts as that
 * key, a tab as its number, and the panes say what a click on them means. */
static void handle_mouse(struct app *a, const struct mouse_event *ev)
{
    bool click = ev->what == MOUSE_CLICK;
    int step = ev->what == MOUSE_WHEEL_UP ? KEY_UP : KEY_DOWN;
    /* The overlays close on any key, so on a click too; the wheel scrolls them. */
    if (a->help || a->explain[0]) {
        int *scroll = a->explain[0] ? &a->explain_scroll : &a->help_scroll;
        if (click) {
            a->help = false;
            a->explain[0] = '\0';
        }
        for (int i = 0; !click && i < MOUSE_WHEEL_ROWS; i++)
            help_key(step, scroll);
        return;
    }
    const struct mouse_hit *hit = click ? mouse_hit_find(&a->hits, ev->y, ev->x) : NULL;
    if (hit && hit->kind == MOUSE_HIT_KEY) {
        handle_key(a, hit->value);
        return;
    }
    if (hit && hit->kind == MOUSE_HIT_TAB) {
        if (a->setting_up) {
            setup_close(a->setup);     /* saves, as leaving with F2 does */
            setup_acted(a, SETUP_CLOSE);
        }
        select_pane(a, hit->value);
        return;
    }
    /* A click must land on the pane; the wheel scrolls it from anywhere. */
    if (click && !in_rect(&a->body, ev->y, ev->x))
        return;
    if (a->setting_up) {
        setup_acted(a, setup_mouse(a->setup, ev));
        return;
    }
    if (a->picking) {
        pid_t pid = 0;
        if (picker_mouse(a->picker, ev, &pid) == PICKER_ATTACH)
            do_attach(a, pid);
        return;
    }
    struct pane *p = &a->panes[a->active];
    struct pane_view v = make_view(a);
    if ((!p->mouse || !p->mouse(p, &v, ev, &a->body)) && !click && p->key)
        for (int i = 0; i < MOUSE_WHEEL_ROWS; i++)
            p->key(p, &v, step);
    follow_jump(a);
}

/* Milliseconds getch may wait: until the next sample, picker rescan or message expiry. */
static int wait_ms(const struct app *a, long long now)
{
    long long w = 60000;
    if (a->s->attached && !a->s->target_gone && !a->paused)
        w = a->next_tick_ms - now;
    if (a->picking) {
        long long p = picker_next_ms(a->picker, now);
        if (p >= 0 && p < w)
            w = p;
    }
    if (a->msg[0] && a->msg_until_ms > now && a->msg_until_ms - now < w)
        w = a->msg_until_ms - now;
    return w < 0 ? 0 : w > 60000 ? 60000 : (int)w;
}

static void run_loop(struct app *a)
{
    bool dirty = true;
    while (!a->quit && !got_signal) {
        long long now = now_ms();
        struct session *s = a->s;
        if (s->attached && !s->target_gone && !a->paused && now >= a->next_tick_ms) {
            do_tick(a);
            long long step = a->replay ? replay_ui_delay_ms(a->replay) : a->delay_ms;
            a->next_tick_ms += step;
            if (a->next_tick_ms <= now)
                a->next_tick_ms = now + step;
            /* Rates need two samples: take the second one soon after attaching
             * rather than showing n/a for a whole interval. */
            if (s->history && history_len(s->history) == 1 && a->delay_ms > 300)
                a->next_tick_ms = now + 300;
            dirty = true;
        }
        if (a->picking && picker_scan_due(a->picker, now)) {
            scan_processes(a, now);
            dirty = true;
        }
        if (a->msg[0] && now >= a->msg_until_ms) {
            a->msg[0] = '\0';
            dirty = true;
        }
        if (dirty)
            draw_screen(a);
        dirty = false;
        timeout(wait_ms(a, now_ms()));
        int ch = getch();
        if (ch == ERR)
            continue;
        struct mouse_event ev;
        switch (mouse_read(&a->mouse, ch, &ev)) {
        case MOUSE_READ_NONE:
            handle_key(a, ch);
            break;
        case MOUSE_READ_EVENT:
            handle_mouse(a, &ev);
            break;
        case MOUSE_READ_IGNORED:
            continue;
        }
        dirty = true;
    }
}

static void destroy_panes(struct app *a)
{
    for (int i = 0; i < PANE_COUNT; i++)
        if (a->panes[i].destroy)
            a->panes[i].destroy(&a->panes[i]);
}

static int init_panes(struct app *a)
{
    if (pane_sched_init(&a->panes[PANE_SCHED]) < 0 ||
        pane_numa_init(&a->panes[PANE_NUMA]) < 0 ||
        pane_latency_init(&a->panes[PANE_LATENCY]) < 0 ||
        pane_cores_init(&a->panes[PANE_CORES]) < 0 ||
        pane_threads_init(&a->panes[PANE_THREADS]) < 0 ||
        pane_diag_init(&a->panes[PANE_DIAG]) < 0 ||
        pane_goroutines_init(&a->panes[PANE_GOROUTINES]) < 0 ||
        pane_cpu_init(&a->panes[PANE_CPU]) < 0) {
        destroy_panes(a);
        return -ENOMEM;
    }
    return 0;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: the signal must interrupt getch so the loop can restore the tty. */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int app_run(const struct options *o, struct session *s, struct settings *settings,
            struct replay *rp)
{
    setlocale(LC_ALL, "");
    bool utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "gmptop: the interactive view needs a terminal; "
                        "use -b for text output\n");
        return 1;
    }
    static struct app app;
    struct app *a = &app;
    memset(a, 0, sizeof(*a));
    a->o = o;
    a->s = s;
    a->settings = settings;
    a->chosen = last_pane_load(settings);
    open_start_pane(a);
    double d = o->delay_s > 0 && isfinite(o->delay_s) ? o->delay_s : 1.0;
    if (d < 0.1)
        d = 0.1;
    if (d > 3600)
        d = 3600;
    a->delay_ms = (long long)(d * 1000.0);
    a->picker = picker_new();
    a->setup = setup_new();
    if (!a->picker || !a->setup || init_panes(a) < 0) {
        fprintf(stderr, "gmptop: out of memory\n");
        picker_free(a->picker);
        setup_free(a->setup);
        return 1;
    }

    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        const char *term = getenv("TERM");
        fprintf(stderr, "gmptop: cannot use terminal type \"%s\"; set TERM, "
                        "or use -b for text output\n", term ? term : "");
        picker_free(a->picker);
        setup_free(a->setup);
        destroy_panes(a);
        return 1;
    }
    install_signals();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    /* ncurses (6.4 at least) flushes its output at every cursor motion until the
     * screen has once been suspended: about 70 small writes a frame instead of one or
     * two (htop pays the same). One endwin() and refresh() before anything is drawn
     * leave it buffering whole frames. */
    endwin();
    refresh();
    char theme_msg[200];
    if (draw_setup(a->o->theme, a->o->no_color, GMPTOP_DATADIR, utf8, theme_msg,
                   sizeof(theme_msg)) < 0)
        set_msg(a, true, "theme: %s", theme_msg);
    /* On unless the settings say "mouse = false": people who select text with the
     * mouse keep that, as the terminal sends no clicks to an app that did not ask. */
    bool bad = false;
    a->mouse_wanted = settings ? settings_get_bool(settings, "mouse", true, &bad) : true;
    if (bad)
        set_msg(a, true, "settings: mouse = %.40s is not true or false; the mouse is on",
                settings_get(settings, "mouse"));
    mouse_init(&a->mouse, stdout);
    if (a->mouse_wanted)
        mouse_set(&a->mouse, true);

    if (!s->attached)
        open_picker(a);
    if (rp)
        a->replay = replay_ui_new(rp);
    else if (s->archive)
        a->rewind = rewind_ui_new();
    a->next_tick_ms = now_ms();
    run_loop(a);

    mouse_set(&a->mouse, false);
    endwin();
    delscreen(scr);
    char err[512];
    if (a->chosen >= 0 && last_pane_save(settings, a->chosen, err, sizeof(err)) < 0)
        fprintf(stderr, "gmptop: the pane to open on next time was not saved: %s\n", err);
    destroy_panes(a);
    picker_free(a->picker);
    proclist_free(a->procs);
    setup_free(a->setup);
    replay_ui_free(a->replay);
    rewind_ui_free(a->rewind);
    return 0;
}
