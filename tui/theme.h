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

/* Find NAME.theme in $XDG_CONFIG_HOME/gmptop/themes (else ~/.config/gmptop/themes),
 * then datadir. Returns 0 and loads it, or -ENOENT (t = default, msg says so). */
int theme_load(const char *name, const char *datadir, struct theme *t,
               void (*warn)(void *ctx, const char *msg), void *ctx);

const char *theme_role_name(enum theme_role r);

#endif
