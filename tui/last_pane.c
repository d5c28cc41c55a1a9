/* last_pane: remembering the pane the user last chose across runs (tui.pane). */
#include "tui/last_pane.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/settings.h"
#include "base/util.h"
#include "tui/pane.h"

#define LAST_PANE_KEY "tui.pane"

int last_pane_load(const struct settings *s)
{
    return s ? pane_id_by_name(settings_get(s, LAST_PANE_KEY)) : -1;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Cut path at its last '/' (in place); false when there is none to cut. */
static bool cut_last(char *path)
{
    char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return false;
    *slash = '\0';
    return true;
}

/* Whether writing path may create its directory: the base it lives in must exist
 * (".../gmptop/gmptoprc" in $XDG_CONFIG_HOME, or in $HOME/.config with $HOME there). */
static bool base_exists(const char *path)
{
    char base[4096];
    if (util_strlcpy(base, path, sizeof(base)) >= sizeof(base))
        return false;
    if (!cut_last(base) || !cut_last(base))        /* drop "gmptoprc", then "gmptop" */
        return false;
    if (is_dir(base))
        return true;
    size_t n = strlen(base);
    return n > 8 && strcmp(base + n - 8, "/.config") == 0 && cut_last(base) && is_dir(base);
}

int last_pane_save(struct settings *s, int pane, char *msg, size_t len)
{
    const char *name = pane_name(pane);
    if (!s || !name)
        return 0;
    const char *old = settings_get(s, LAST_PANE_KEY);
    if (old && strcmp(old, name) == 0)
        return 0;
    char path[4096];
    if (settings_default_path(path, sizeof(path)) < 0 || !base_exists(path))
        return 0;
    int rc = settings_set(s, LAST_PANE_KEY, name);
    if (rc < 0) {
        snprintf(msg, len, "out of memory");
        return rc;
    }
    return settings_save(s, path, msg, len);
}
