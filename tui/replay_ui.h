/* replay_ui: the TUI's replay controls (pause, step, speed, seek prompt) and the
 * timeline bar; app.c delegates to it when the session replays a recording. */
#ifndef GMPTOP_REPLAY_UI_H
#define GMPTOP_REPLAY_UI_H

#include <stdbool.h>
#include "record/replay.h"
#include "session/session.h"

enum replay_ui_result {
    REPLAY_UI_UNHANDLED = 0,  /* not a replay key: the app handles it */
    REPLAY_UI_HANDLED,        /* used; redraw */
    REPLAY_UI_MOVED,          /* the history now ends elsewhere: rebuild per-tick state */
};

struct replay_ui;

struct replay_ui *replay_ui_new(struct replay *rp);
void replay_ui_free(struct replay_ui *u);
/* A key; may pause or resume through *paused. While the seek prompt is open it takes
 * every key. */
enum replay_ui_result replay_ui_key(struct replay_ui *u, struct session *s, int ch,
                                    bool *paused);
/* Milliseconds until the next snapshot is due at the current speed. */
long long replay_ui_delay_ms(const struct replay_ui *u);
/* After session_tick: at the end or at damage, pause and say so. */
void replay_ui_ticked(struct replay_ui *u, int rc, bool *paused);
/* The timeline bar on row y (or the seek prompt, or a message). */
void replay_ui_draw(const struct replay_ui *u, int y, int cols, bool paused);
/* Milliseconds until a message on the bar expires (-1: none), for the input timeout. */
long long replay_ui_next_ms(const struct replay_ui *u);

/* Parse a seek target: "90" / "1.5" seconds from the start, "+10" / "-10" relative to
 * now_s, "HH:MM:SS" or "HH:MM" a local wall-clock time on the recording's day (the next
 * day when that is before the start). Sets *target_ns (CLOCK_REALTIME); 0 or -1. */
int replay_ui_parse_time(const char *text, int64_t start_ns, int64_t now_ns,
                         int64_t *target_ns);
/* One key of a time prompt (the replay's seek, the live rewind's go-to) typed into buf
 * (len bytes): digits : . + - are kept, Backspace takes one back; Esc cancels, Enter
 * submits what buf holds. */
enum time_prompt_step { TIME_PROMPT_TYPING, TIME_PROMPT_CANCEL, TIME_PROMPT_ENTER };
enum time_prompt_step replay_ui_prompt_key(char *buf, size_t len, int ch);

#endif
