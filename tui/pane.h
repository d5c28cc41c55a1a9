/* pane: the interface between the TUI main loop and the panes. */
#ifndef GMPTOP_PANE_H
#define GMPTOP_PANE_H

#include <stdbool.h>

#include "tui/mouse.h"
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
    /* The history cur is the newest of: the session's live, or a rewound window. */
    const struct history *h;
    int64_t rewind_ns;        /* how far back the view is (0: live) */
    bool paused;
};

/* The part of the screen a pane owns. */
struct pane_rect {
    int y, x, h, w;
};

enum pane_id { PANE_SCHED, PANE_LATENCY, PANE_CORES, PANE_NUMA, PANE_THREADS, PANE_DIAG,
               PANE_GOROUTINES, PANE_CPU, PANE_COUNT };

struct pane {
    const char *tab;          /* "Sched": label on the tabs row */
    const char *short_tab;    /* "Sch": label when the screen is narrow */
    void (*draw)(struct pane *p, const struct pane_view *v, const struct pane_rect *r);
    /* Returns true when the key was used (and the screen needs a redraw). */
    bool (*key)(struct pane *p, const struct pane_view *v, int ch);
    /* A click or wheel step inside r, the rect of the last draw (what a click lands on
     * is what that draw put there). Returns true when used. May be NULL, and a wheel
     * step it does not use moves the pane as MOUSE_WHEEL_ROWS Up or Down keys would. */
    bool (*mouse)(struct pane *p, const struct pane_view *v, const struct mouse_event *ev,
                  const struct pane_rect *r);
    /* true while the pane takes every key itself (typing a search, a view that closes on
     * q): the main loop's own keys wait. May be NULL. */
    bool (*grabs_keys)(const struct pane *p);
    void (*reset)(struct pane *p);     /* a new target was attached; may be NULL */
    void (*destroy)(struct pane *p);   /* may be NULL */
    void *priv;
    int which;                         /* enum pane_id */
};

/* The pane a short name ("sched", "latency", "cores", "numa", "threads", "diag",
 * "goroutines", "cpu": the rules' pane names and the settings file's tui.pane) stands
 * for, or -1; and back. */
int pane_id_by_name(const char *name);
const char *pane_name(int id);

/* Panes. Each init returns 0 or -ENOMEM. */
int pane_threads_init(struct pane *p);
int pane_sched_init(struct pane *p);
int pane_cores_init(struct pane *p);
int pane_numa_init(struct pane *p);
int pane_latency_init(struct pane *p);
int pane_diag_init(struct pane *p);
int pane_goroutines_init(struct pane *p);
int pane_cpu_init(struct pane *p);

#endif
