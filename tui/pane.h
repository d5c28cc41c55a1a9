/* pane: the interface between the TUI main loop and the panes, header, picker and help. */
#ifndef GMPTOP_PANE_H
#define GMPTOP_PANE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "session/session.h"
#include "model/snapshot.h"

/* What a pane may look at: the two newest snapshots of the history ring (either may be
 * NULL) and the session state. Panes never read /proc themselves. */
struct pane_view {
    const struct session *s;
    /* The same session, for requests a key may make of it (session_set_*()); panes
     * read through s. */
    struct session *ctl;
    const struct snapshot *cur, *prev;
    bool paused;
};

/* The part of the screen a pane owns. */
struct pane_rect {
    int y, x, h, w;
};

enum pane_id { PANE_SCHED, PANE_LATENCY, PANE_CORES, PANE_NUMA, PANE_THREADS, PANE_DIAG,
               PANE_COUNT };

struct pane {
    const char *tab;          /* "Sched": label on the tabs row */
    const char *short_tab;    /* "Sch": label when the screen is narrow */
    void (*draw)(struct pane *p, const struct pane_view *v, const struct pane_rect *r);
    /* Returns true when the key was used (and the screen needs a redraw). */
    bool (*key)(struct pane *p, const struct pane_view *v, int ch);
    void (*reset)(struct pane *p);     /* a new target was attached; may be NULL */
    void (*destroy)(struct pane *p);   /* may be NULL */
    void *priv;
    int which;                         /* enum pane_id */
};

/* Panes. Each init returns 0 or -ENOMEM. */
int pane_threads_init(struct pane *p);
int pane_sched_init(struct pane *p);
int pane_cores_init(struct pane *p);
int pane_numa_init(struct pane *p);
int pane_latency_init(struct pane *p);
int pane_diag_init(struct pane *p);

/* Header: title line (pid, command, Go version, uptime, process CPU sparkline, PAUSED)
 * then per-CPU bars in at most max_bar_rows rows (compact one-line form when they do
 * not fit). cpu_hist holds the process CPU % of the last nhist ticks, oldest first.
 * Returns the rows used. */
int header_draw(const struct pane_view *v, int y, int cols, int max_bar_rows,
                const double *cpu_hist, size_t nhist);

/* Help overlay over the whole screen above the footer. help_key returns false when
 * the key closes the help (any key but the scroll keys). */
void help_draw(int rows, int cols, int *scroll);
bool help_key(int ch, int *scroll);

/* A scrolling text overlay (the help, a diagnosis explained): paragraphs word-wrapped in
 * a frame titled title, headings bold and set off by a blank row; *scroll is clamped to
 * the text. Scroll it with help_key. */
struct help_para {
    bool heading;
    const char *text;
};
void help_overlay_draw(int rows, int cols, const char *title, const struct help_para *paras,
                       size_t n, int *scroll);

/* Process picker. */
enum picker_action {
    PICKER_UNHANDLED,   /* not a picker key: the caller handles it (q, F1, ...) */
    PICKER_HANDLED,     /* used; redraw */
    PICKER_ATTACH,      /* Enter on a row: attach to *pid */
    PICKER_CLOSE,       /* Esc with nothing to clear */
};
struct picker;
struct picker *picker_new(void);
void picker_free(struct picker *pk);
/* Open: creates the process list on first use and scans. Returns 0 or -errno (the
 * picker then shows the reason). */
int picker_open(struct picker *pk);
/* Rescan when due (about once a second); returns true when it rescanned. */
bool picker_refresh_due(struct picker *pk, long long now_ms);
/* Milliseconds until the next rescan is due (for the input timeout). */
long long picker_next_ms(const struct picker *pk, long long now_ms);
/* A line shown above the list until the next attach (exit banner, attach error);
 * NULL clears it. error picks the crit role instead of warn. */
void picker_set_banner(struct picker *pk, const char *msg, bool error);
void picker_draw(struct picker *pk, const struct pane_rect *r, pid_t current);
enum picker_action picker_key(struct picker *pk, int ch, pid_t *pid);
/* Key hints for the footer while the picker is open, shortened to fit width. */
const char *picker_hints(const struct picker *pk, int width);

#endif
