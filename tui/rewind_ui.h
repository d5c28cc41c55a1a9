/* rewind_ui: stepping the panes back through a live session's archive (record/archive.h)
 * while collection, rules and --record carry on underneath; app.c delegates to it when
 * the session keeps an archive and is not replaying a recording. */
#ifndef GMPTOP_REWIND_UI_H
#define GMPTOP_REWIND_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "model/history.h"
#include "session/session.h"

/* Snapshots decoded around the one shown: what sparklines, rates and the charts look
 * back on (as a replay seek: REPLAY_SEEK_WINDOW). */
#define REWIND_WINDOW 120

enum rewind_ui_result {
    REWIND_UI_UNHANDLED = 0,  /* not a rewind key: the app handles it */
    REWIND_UI_HANDLED,        /* used (a message, or nothing to step to); redraw */
    REWIND_UI_MOVED,          /* the moment shown changed: rebuild per-view state */
};

struct rewind_ui;

struct rewind_ui *rewind_ui_new(void);
void rewind_ui_free(struct rewind_ui *u);
/* Live again (a new attach, or the archive went away). */
void rewind_ui_reset(struct rewind_ui *u);
/* The history the panes draw from while rewound; NULL when live. */
const struct history *rewind_ui_history(const struct rewind_ui *u);
/* How far back the moment shown is from the newest snapshot (ns); 0 when live. */
int64_t rewind_ui_behind_ns(const struct rewind_ui *u, const struct session *s);
/* Left/Right step one snapshot, Shift+Left/Right a minute's worth (60), g asks for a
 * time to go to (as --replay does; the prompt then takes every key), l goes live. */
enum rewind_ui_result rewind_ui_key(struct rewind_ui *u, const struct session *s, int ch);
/* Show the snapshot age_back from the newest (0: live). */
enum rewind_ui_result rewind_ui_goto(struct rewind_ui *u, const struct session *s,
                                     size_t age_back);
/* Show the moment at time_ns (CLOCK_REALTIME; a finding's since): the first snapshot
 * taken then or after, the oldest kept when it is older (with a note). */
enum rewind_ui_result rewind_ui_goto_time(struct rewind_ui *u, const struct session *s,
                                          int64_t time_ns);
/* After a session tick while rewound: the archive grew by one, so the moment shown is one
 * further back; when it has left the archive the oldest kept is shown instead. */
enum rewind_ui_result rewind_ui_ticked(struct rewind_ui *u, const struct session *s);
/* Reading the time to go to: the bar shows the prompt, live or rewound. */
bool rewind_ui_prompting(const struct rewind_ui *u);
/* A message said while live (nothing to step to, ...), once; NULL when none. */
const char *rewind_ui_take_message(struct rewind_ui *u);
/* The bar on row y: where the moment is, how far back, the keys; or a message. */
void rewind_ui_draw(const struct rewind_ui *u, const struct session *s, int y, int cols);
/* Format "-4m12s" (or "-1h02m", "-35s") for a distance back in ns. */
void rewind_ui_fmt_behind(char *buf, size_t len, int64_t ns);

#endif
