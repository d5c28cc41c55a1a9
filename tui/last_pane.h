/* last_pane: the pane a target opens on. The one the user last chose is kept in the
 * settings file (tui.pane), as htop keeps its setup; without one it is the scheduler
 * pane, what gmptop is for. */
#ifndef GMPTOP_LAST_PANE_H
#define GMPTOP_LAST_PANE_H

#include <stddef.h>

struct settings;

/* The remembered pane (an enum pane_id), or -1 when none or unknown. */
int last_pane_load(const struct settings *s);
/* Remember pane in s and write the settings file when that changes what it holds.
 * Nothing is written where the configuration directory's base does not exist
 * ($XDG_CONFIG_HOME, or $HOME for ~/.config): a run with XDG_CONFIG_HOME pointing
 * nowhere leaves no files behind. Returns 0 (also when nothing needed writing) or
 * -errno with msg. */
int last_pane_save(struct settings *s, int pane, char *msg, size_t len);

#endif
