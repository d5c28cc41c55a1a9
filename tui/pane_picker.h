/* pane_picker: choose the process to watch from a live list (Go programs first). */
#ifndef GMPTOP_PANE_PICKER_H
#define GMPTOP_PANE_PICKER_H

#include <stdbool.h>
#include <sys/types.h>

#include "session/proclist.h"
#include "tui/pane.h"

enum picker_action {
    PICKER_UNHANDLED,   /* not a picker key: the caller handles it (q, F1, ...) */
    PICKER_HANDLED,     /* used; redraw */
    PICKER_ATTACH,      /* Enter on a row: attach to *pid */
    PICKER_CLOSE,       /* Esc with nothing to clear */
};
struct picker;
struct picker *picker_new(void);
void picker_free(struct picker *pk);
/* Open: reset the view; the next picker_scan_due() is now. */
void picker_open(struct picker *pk);
/* Whether the process list should be read again (about once a second). */
bool picker_scan_due(const struct picker *pk, long long now_ms);
/* Show the process list the app has just read (pl is the app's and must outlive the
 * picker's use of it; NULL when it could not be created). scan_rc: 0 or the -errno of
 * the read; why: the reason when there is one. The picker never reads /proc itself. */
void picker_show(struct picker *pk, const struct proclist *pl, int scan_rc,
                 const char *why, long long now_ms);
/* Milliseconds until the next rescan is due (for the input timeout). */
long long picker_next_ms(const struct picker *pk, long long now_ms);
/* A line shown above the list until the next attach (exit banner, attach error);
 * NULL clears it. error picks the crit role instead of warn. */
void picker_set_banner(struct picker *pk, const char *msg, bool error);
void picker_draw(struct picker *pk, const struct pane_rect *r, pid_t current);
enum picker_action picker_key(struct picker *pk, int ch, pid_t *pid);
/* A click or wheel step on the picker drawn last: a click selects a process and a click
 * on the selected one attaches it (PICKER_ATTACH); the wheel moves the selection. */
enum picker_action picker_mouse(struct picker *pk, const struct mouse_event *ev, pid_t *pid);
/* Key hints for the footer while the picker is open, shortened to fit width. */
const char *picker_hints(const struct picker *pk, int width);

#endif
