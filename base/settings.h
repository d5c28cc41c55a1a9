/* settings: gmptop's settings file ($XDG_CONFIG_HOME/gmptop/gmptoprc), "key = value"
 * lines; unknown keys are kept (other versions' settings survive a save); written
 * atomically (temp file + rename). */
#ifndef GMPTOP_SETTINGS_H
#define GMPTOP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

struct settings;

struct settings *settings_new(void);
void settings_free(struct settings *c);
/* Default path: $XDG_CONFIG_HOME/gmptop/gmptoprc, else $HOME/.config/gmptop/gmptoprc. */
int settings_default_path(char *buf, size_t len);
/* Load path (missing file = empty config, 0). Lines that are not key = value are
 * reported through warn as "file:line: ...". Returns 0 or -errno. */
int settings_load(struct settings *c, const char *path,
                void (*warn)(void *ctx, const char *msg), void *ctx);
/* Parse text (for tests and fuzzing). Returns the number of bad lines. */
int settings_parse(struct settings *c, const char *text, size_t len, const char *name,
                 void (*warn)(void *ctx, const char *msg), void *ctx);
/* Write atomically: a new file next to path, then rename over it. Creates the directory.
 * Returns 0 or -errno with msg. */
int settings_save(const struct settings *c, const char *path, char *msg, size_t len);

const char *settings_get(const struct settings *c, const char *key);
/* Number or bool from a key; def when absent; *bad set when present but malformed. */
double settings_get_double(const struct settings *c, const char *key, double def, bool *bad);
bool settings_get_bool(const struct settings *c, const char *key, bool def, bool *bad);
int settings_set(struct settings *c, const char *key, const char *value);
int settings_set_double(struct settings *c, const char *key, double v);
size_t settings_count(const struct settings *c);

#endif
