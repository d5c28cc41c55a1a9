/* mouse: the terminal's mouse reports (switched on and off, decoded into clicks and wheel
 * steps) and the table of clickable places drawn on the screen this frame. */
#ifndef GMPTOP_MOUSE_H
#define GMPTOP_MOUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What panes are told: a left-button press or one wheel step at a screen cell (0-based,
 * as ncurses counts). Other buttons and releases are not reported. */
enum mouse_what { MOUSE_CLICK, MOUSE_WHEEL_UP, MOUSE_WHEEL_DOWN };
struct mouse_event {
    int y, x;
    enum mouse_what what;
};

/* Rows one wheel step moves a list or text, as most terminals scroll. */
#define MOUSE_WHEEL_ROWS 3

struct mouse {
    FILE *out;          /* the terminal the screen writes to */
    bool on;            /* reports are asked for and acted on */
    bool own_sgr;       /* gmptop, not ncurses, reads the SGR (1006) reports */
};

/* After newterm() on out: decide who decodes the reports. ncurses 6.4 reads the xterm
 * SGR (1006) format only where terminfo says so (kmous=\E[<, as in xterm-256color);
 * for screen, tmux-256color and other kmous=\E[M entries it asks for the old X10
 * format, whose one-byte coordinates stop at column 223. There gmptop asks for 1006 as
 * well and reads those reports itself; a terminal without 1006 keeps sending X10,
 * which ncurses still reads. */
void mouse_init(struct mouse *m, FILE *out);
/* Ask the terminal for reports, or stop it (a terminal that reports none lets the
 * mouse select text again). Returns whether reports are on now: false when asked to be
 * off or when the terminal has no mouse. */
bool mouse_set(struct mouse *m, bool on);

/* ch is what getch() returned. MOUSE_READ_NONE: not a mouse report (a key); _IGNORED: a
 * report used for nothing (a release, another button, the mouse being off); _EVENT:
 * *ev is filled. Reading an SGR report takes the rest of it from the input, so the
 * window's input timeout is changed: set it again before the next getch(). */
enum mouse_read { MOUSE_READ_NONE, MOUSE_READ_IGNORED, MOUSE_READ_EVENT };
enum mouse_read mouse_read(const struct mouse *m, int ch, struct mouse_event *ev);

/* Clickable places, recorded while a frame is drawn (so a click finds what was on the
 * screen rather than a layout worked out again): a click there acts as a key or picks
 * a pane tab. */
enum mouse_hit_kind { MOUSE_HIT_KEY, MOUSE_HIT_TAB };
struct mouse_hit {
    int y, x, w;
    enum mouse_hit_kind kind;
    int value;          /* the key code, or the pane */
};
#define MOUSE_MAX_HITS 32
struct mouse_hits {
    struct mouse_hit hit[MOUSE_MAX_HITS];
    size_t n;
};
void mouse_hits_clear(struct mouse_hits *h);
/* A place w cells wide at (y, x); ignored when the table is full. */
void mouse_hit_add(struct mouse_hits *h, int y, int x, int w, enum mouse_hit_kind kind,
                   int value);
/* The place under (y, x), or NULL. */
const struct mouse_hit *mouse_hit_find(const struct mouse_hits *h, int y, int x);

/* Draw a footer of key hints ("F1 Help  F2 Setup  q Quit": items two spaces apart, each
 * a key name and what it does) like draw_text, and make every item whose first word
 * names a key (F1-F12, Tab, Space, Enter, Esc, Bksp, one character; "F2/Esc" is F2) a
 * place that acts as that key. Returns the columns used. */
int mouse_hints_draw(struct mouse_hits *h, int y, int x, int maxw, const char *hints);

#endif
