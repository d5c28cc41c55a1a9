/* pane_settings: the TUI's settings from gmptoprc that panes need (the cores pane's colour
 * thresholds), read through src/settings with defaults and checks. */
#ifndef GMPTOP_TUI_PANE_SETTINGS_H
#define GMPTOP_TUI_PANE_SETTINGS_H

#include <stddef.h>

#include "model/cores_metrics.h"
#include "base/settings.h"

/* Keys cores.l3_red, cores.l3_yellow (percent) and cores.dtlb_red (misses per cycle).
 * Missing keys keep the defaults; a malformed or out-of-range value keeps its default
 * and is reported through warn ("cores.l3_red: ..."). Returns the number of bad keys. */
int pane_settings_cores_thresholds(const struct settings *cfg, struct cores_thresholds *out,
                            void (*warn)(void *ctx, const char *msg), void *ctx);

/* Load the default settings file ($XDG_CONFIG_HOME/gmptop/gmptoprc, else
 * ~/.config/gmptop/gmptoprc) and take the cores thresholds from it; defaults when the
 * file is missing. The first problem goes into msg (or "" when none). */
void pane_settings_load_cores(struct cores_thresholds *out, char *msg, size_t len);

#endif
