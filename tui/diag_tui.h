/* diag_tui: the diagnoses in the TUI: the findings strip, the diagnoses pane's links to
 * other panes, the explain overlay (F1 on a finding) and the setup screen (F2). */
#ifndef GMPTOP_DIAG_TUI_H
#define GMPTOP_DIAG_TUI_H

#include <stdbool.h>

#include "tui/pane.h"

struct settings;

/* Diagnoses pane (pane_diag.c; pane_diag_init is in pane.h). After a key: the pane
 * Enter asked to jump to (an enum pane_id), once; -1 when none. */
int pane_diag_take_jump(struct pane *p);
/* With the jump: the moment to show (a past finding's start, CLOCK_REALTIME); 0 = now.
 * Cleared by the call. */
int64_t pane_diag_take_jump_time(struct pane *p);
/* The rule of the selected row (for F1), or NULL when nothing is selected. */
const char *pane_diag_selected_rule(const struct pane *p);

/* One line at row y: the most severe active finding and how many more (diag_strip.c). */
void diag_strip_draw(const struct pane_view *v, int y, int cols);
/* "45s", "1m20s", "2h05m" into buf. */
void diag_fmt_duration(char *buf, size_t len, double seconds);

/* Overlay explaining rule_id (its reasoning, thresholds and the current finding) over
 * rows x cols; diag_explain_key returns false when the key closes it. */
void diag_explain_draw(const struct session *s, const char *rule_id, int rows, int cols,
                       int *scroll);
bool diag_explain_key(int ch, int *scroll);

/* Setup screen (F2, setup.c): switch the mouse, toggle rules and edit thresholds; saves
 * the settings file atomically. settings may be NULL (the file is then read before a
 * save). mouse: whether the app's mouse is on now (the screen's first row). */
struct setup;
struct setup *setup_new(void);
void setup_free(struct setup *su);
void setup_open(struct setup *su, struct session *s, struct settings *settings, bool mouse);
void setup_draw(struct setup *su, const struct pane_rect *r);
enum setup_action {
    SETUP_HANDLED,      /* used; redraw */
    SETUP_CLOSE,        /* closed (and saved when something changed) */
    SETUP_EXPLAIN,      /* F1: explain the rule under the cursor (setup_rule) */
    SETUP_MOUSE,        /* the mouse was switched: apply setup_mouse_on() now */
};
enum setup_action setup_key(struct setup *su, int ch);
/* A click selects a row, a click on the selected row acts as Enter; the wheel moves. */
enum setup_action setup_mouse(struct setup *su, const struct mouse_event *ev);
/* The mouse switch as the screen has it. */
bool setup_mouse_on(const struct setup *su);
/* Close from outside (the target exited): an edit is dropped, changes are saved. */
void setup_close(struct setup *su);
/* The rule under the cursor, or NULL. */
const char *setup_rule(const struct setup *su);
/* The last save's outcome ("saved to PATH" or the error), once; NULL when none. */
const char *setup_take_message(struct setup *su, bool *error);
/* Key hints for the footer while the setup screen is open, shortened to fit width. */
const char *setup_hints(const struct setup *su, int width);

#endif
