/* app: the interactive ncurses front end (one thread: input -> sample -> draw). */
#ifndef GMPTOP_APP_H
#define GMPTOP_APP_H

#include "session/options.h"
#include "session/session.h"

struct settings;
struct replay;

/* Run the TUI. If the session is attached, start on the threads pane; otherwise start
 * with the process picker. settings (may be NULL) is what the setup screen (F2) saves
 * into. rp: the recording the session's source replays (its timeline and controls are
 * shown), or NULL when live. Returns the process exit status (0 on q/F10). */
int app_run(const struct options *o, struct session *s, struct settings *settings,
            struct replay *rp);

#endif
