/* theme: colours for every role gmptop draws, loaded from themes/NAME.theme. */
#ifndef GMPTOP_THEME_H
#define GMPTOP_THEME_H

#include <stdbool.h>
#include <stddef.h>

/* Every drawable role. Adding one: add here, to theme_role_names in theme.c, and to
 * the three theme files. */
enum theme_role {
    THEME_NORMAL, THEME_HEADER, THEME_TITLE, THEME_TAB, THEME_TAB_ACTIVE,
    THEME_TABLE_HEADER, THEME_SELECTED, THEME_DIM, THEME_OK, THEME_WARN, THEME_CRIT,
    THEME_BAR_LOW, THEME_BAR_MID, THEME_BAR_HIGH, THEME_HELP, THEME_STATUS,
    THEME_NODE0, THEME_NODE1, THEME_NODE2, THEME_NODE3,
    THEME_ROLE_COUNT
};

/* A colour: -1 = terminal default, 0-7 basic, 8-15 bright, 16-255 xterm-256. */
struct theme_style {
    short fg, bg;
    unsigned attrs;          /* THEME_ATTR_* */
};
#define THEME_ATTR_BOLD      1u
#define THEME_ATTR_REVERSE   2u
#define THEME_ATTR_UNDERLINE 4u
#define THEME_ATTR_DIM       8u

struct theme {
    char name[64];
    struct theme_style style[THEME_ROLE_COUNT];
};

/* Built-in default (same as themes/default.theme) so gmptop works with no files. */
void theme_default(struct theme *t);

/* Parse theme text into t (which starts from the default). Unknown keys are ignored;
 * each bad value is reported through warn(ctx, "file:line: message") and the default
 * kept. Returns number of bad lines. */
int theme_parse(const char *text, const char *filename, struct theme *t,
                void (*warn)(void *ctx, const char *msg), void *ctx);

/* Same, for a buffer of len bytes that need not be NUL-terminated and may hold NULs
 * (theme_load and fuzzers use this). */
int theme_parse_buf(const char *buf, size_t len, const char *filename, struct theme *t,
                    void (*warn)(void *ctx, const char *msg), void *ctx);

/* Find NAME.theme in $XDG_CONFIG_HOME/gmptop/themes (else ~/.config/gmptop/themes),
 * then $GMPTOP_THEMES_DIR (if set), then datadir/themes. NAME must be a simple name
 * (no '/', no leading '.', at most 64 bytes; NULL means "default"), else -EINVAL.
 * Returns 0 and loads it, or -ENOENT (t = default, warn says where it looked); a file
 * found but unreadable gives its -errno after the search. t is always usable. */
int theme_load(const char *name, const char *datadir, struct theme *t,
               void (*warn)(void *ctx, const char *msg), void *ctx);

/* Fit t to a terminal with `colors` colours (ncurses COLORS; <= 0 for NO_COLOR or
 * monochrome). >= 256: unchanged. < 256: 16-255 become the nearest of the 16 basic
 * colours. < 16: bright 8-15 become 0-7, plus bold on the foreground. < 8: every
 * colour becomes the default, attributes kept, and selected, tab_active, warn and crit
 * get reverse/bold/underline so they still stand out. */
void theme_adapt(struct theme *t, int colors);

const char *theme_role_name(enum theme_role r);

#endif
