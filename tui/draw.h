/* draw: small ncurses drawing helpers shared by every pane (text, bars, sparklines, tables). */
#ifndef GMPTOP_DRAW_H
#define GMPTOP_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <ncurses.h>

#include "tui/theme.h"

/* Set up the role -> attribute table once after initscr(). With color false only the
 * theme's attributes are used (NO_COLOR, monochrome terminals). Calls init_pair() with
 * pair number role+1 for every role when color is true. */
void draw_init(const struct theme *t, bool color, bool utf8);
/* Load the theme theme_name (NULL: the default) from the user's and datadir's themes and
 * set up the drawing with it: in colour unless no_color, NO_COLOR or a terminal without
 * colours says otherwise. 0, or -1 with the first of the theme file's problems in msg
 * (the defaults stand in for what it got wrong). */
int draw_setup(const char *theme_name, bool no_color, const char *datadir, bool utf8,
               char *msg, size_t len);
/* The curses attribute (colour pair + attributes) of a role. */
attr_t draw_role(enum theme_role r);
/* true when the locale is UTF-8 and block glyphs may be used. */
bool draw_utf8(void);

/* Print at most maxw display columns of s at (y, x); control characters and bytes that
 * are not valid in the locale print as '?'. Returns the columns used. */
int draw_text(int y, int x, int maxw, const char *s);
/* Same, right-aligned inside a field of maxw columns (clipped like draw_text if longer). */
int draw_text_right(int y, int x, int maxw, const char *s);
/* Display columns s would take (same rules as draw_text). */
int draw_text_width(const char *s);
/* printf into a fixed buffer then draw_text; returns columns used. */
int draw_printf(int y, int x, int maxw, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Word-wrap text into w columns from row y, at most max_rows rows ('\n' starts a new
 * line; a word longer than w is cut). Returns the rows it used (or would use when
 * max_rows is 0: nothing is drawn then). */
int draw_wrap(int y, int x, int w, int max_rows, const char *text);
/* Same, but the first `skip` wrapped rows are not drawn (for scrolling); returns the
 * rows drawn. */
int draw_wrap_skip(int y, int x, int w, int skip, int max_rows, const char *text);
/* Fill w cells from (y, x) with spaces in attribute a. */
void draw_fill(int y, int x, int w, attr_t a);

/* Role for a utilisation percentage: bar_low < 50 <= bar_mid < 80 <= bar_high. */
enum theme_role draw_level_role(double pct);
/* A horizontal bar of w cells showing pct (0-100) with eighth-cell precision in UTF-8
 * (ASCII '|' otherwise). NAN draws an empty, dim bar. */
void draw_bar(int y, int x, int w, double pct);
/* One glyph for a level in [0, 1] (eight heights in UTF-8, ". : - = + * #" in ASCII),
 * written into buf (at least 5 bytes). */
void draw_level_glyph(double level, char *buf);
/* A sparkline of the last n values (oldest first) scaled to max, right-aligned in w
 * cells; NAN values draw as blanks. */
void draw_sparkline(int y, int x, int w, const double *vals, size_t n, double max);
/* The same as a bar chart h rows tall (eighth-cell steps in UTF-8, ". + #" in ASCII): a
 * taller history when the screen has the room. A zero is a dotted floor, a NAN a gap. */
void draw_chart(int y, int x, int w, int h, const double *vals, size_t n, double max);

/* Format a rate: "n/a" for NAN, else with prec decimals (fewer when it is large so it
 * fits width). Returns true when the value is known. */
bool draw_fmt_num(char *buf, size_t len, double v, int prec, int width);

/* Table columns, declared the way htop declares its process fields: a pane keeps a
 * const table of column specs indexed by its column enum, and beside it an array of
 * places of the same length that draw_layout fills for the width of each draw. Nothing
 * that depends on the screen is stored in a spec. */
struct draw_col_spec {
    const char *title;   /* header text; a pane may name it per draw: draw_col_place.title */
    int width;           /* preferred width */
    int min_width;       /* a flex column may shrink to this (not read for other columns) */
    int rank;            /* 0-63, 0 = kept longest: columns are placed by rising rank while
                          * they fit (left first within a rank), so a narrow screen loses
                          * the highest ranks first */
    bool right;          /* right-aligned (numbers) */
    bool flex;           /* takes the spare width */
};

/* Where draw_layout put one column. */
struct draw_col_place {
    const struct draw_col_spec *spec;   /* the column this is the place of */
    const char *title;   /* header text: the spec's, unless the pane replaced it after the
                          * layout (a title that depends on the mode or the width) */
    bool shown;          /* false when the column did not fit; x and w are then 0 */
    int x, w;            /* first screen column and width as placed */
};

/* Place n columns (one space between them), starting at column x0 with total width
 * `width`: place[i] is spec[i] as laid out. Returns the number of columns shown. */
int draw_layout(const struct draw_col_spec *spec, struct draw_col_place *place, size_t n,
                int x0, int width);
/* Draw the header row of a laid-out table; column `sorted` (or -1) gets a marker. */
void draw_table_header(int y, const struct draw_col_place *place, size_t n, int sorted,
                       bool descending, int x0, int width);
/* The shown column whose cells (or the space after them) hold screen column x, or -1:
 * which column header a click landed on. */
int draw_col_at(const struct draw_col_place *place, size_t n, int x);
/* Where a click landed on a table drawn with its header at head_y (-1: not drawn), page
 * rows of it shown from row top of nrows: a column header (sort by it; again inverts,
 * as in htop) or a row. */
struct draw_table_hit {
    enum { DRAW_HIT_NONE, DRAW_HIT_COLUMN, DRAW_HIT_ROW } what;
    int col;                   /* DRAW_HIT_COLUMN */
    size_t row;                /* DRAW_HIT_ROW: the row's index in the list */
};
struct draw_table_hit draw_table_click(int y, int x, int head_y,
                                       const struct draw_col_place *place, size_t n, int page,
                                       size_t top, size_t nrows);
/* Draw one cell of a laid-out column (aligned, clipped); nothing when it is not shown. */
void draw_cell(int y, const struct draw_col_place *c, const char *text, attr_t a);

/* The navigation keys every scrolling list shares (Up/Down, k/j, PgUp/PgDn, Home/End,
 * g/G): true with the step to move the selection by (page rows for a page, nrows to
 * reach an end); false for any other key. */
bool draw_list_nav(int ch, long page, long nrows, long *delta);

/* A list selection moved by delta and kept inside [0, n); 0 when the list is empty. */
size_t draw_list_move(size_t sel, long delta, size_t n);

/* A line-drawing box with its top-left corner at (y, x), h rows by w columns. */
void draw_frame(int y, int x, int h, int w);

#endif
