/* rewind_ui: the live session's rewind controls and bar; see rewind_ui.h. */
#include "tui/rewind_ui.h"

#include <stdarg.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ncurses.h>

#include "record/archive.h"
#include "tui/draw.h"
#include "tui/replay_ui.h"
#include "base/util.h"

#define MSG_MS 4000
#define BIG_STEP 60

struct rewind_ui {
    size_t age;                /* archive age of the snapshot shown; 0 = live */
    int64_t mono_ns;           /* its time, to find it again after the archive grew */
    struct history *h;         /* the decoded window ending at it; NULL when live */
    char msg[160];
    long long msg_until_ms;
    bool prompting;            /* g: reading a time to go to */
    char prompt[32];
};

static long long now_ms(void) { return util_mono_ns() / 1000000; }

static void say(struct rewind_ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct rewind_ui *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof(u->msg), fmt, ap);
    va_end(ap);
    u->msg_until_ms = now_ms() + MSG_MS;
}

struct rewind_ui *rewind_ui_new(void) { return calloc(1, sizeof(struct rewind_ui)); }

void rewind_ui_reset(struct rewind_ui *u)
{
    if (!u)
        return;
    if (u->h) {
        history_free(u->h);
        /* The window was up to 120 decoded snapshots (~4 MB) scattered through the heap:
         * without this, malloc keeps those pages and RSS stays 3-4 MB up after a visit
         * to the past (measured on the soak). */
#ifdef __GLIBC__
        malloc_trim(0);
#endif
    }
    u->h = NULL;
    u->age = 0;
    u->mono_ns = 0;
}

void rewind_ui_free(struct rewind_ui *u)
{
    rewind_ui_reset(u);
    free(u);
}

const struct history *rewind_ui_history(const struct rewind_ui *u)
{
    return u && u->age ? u->h : NULL;
}

int64_t rewind_ui_behind_ns(const struct rewind_ui *u, const struct session *s)
{
    if (!u || !u->age || !s->archive)
        return 0;
    int64_t newest = archive_mono_ns(s->archive, 0);
    return newest > u->mono_ns ? newest - u->mono_ns : 0;
}

enum rewind_ui_result rewind_ui_goto(struct rewind_ui *u, const struct session *s,
                                     size_t age_back)
{
    size_t n = archive_len(s->archive);
    if (age_back == 0 || n == 0) {
        bool was = u->age != 0;
        rewind_ui_reset(u);
        archive_end_walk(s->archive);
        return was ? REWIND_UI_MOVED : REWIND_UI_HANDLED;
    }
    if (age_back >= n)
        age_back = n - 1;
    if (age_back == 0) {
        say(u, "no history kept yet");
        return REWIND_UI_HANDLED;
    }
    if (!u->h && (u->h = history_new(REWIND_WINDOW)))
        history_set_detail_ages(u->h, SESSION_DETAIL_AGES);    /* as live */
    if (!u->h) {
        say(u, "out of memory: cannot rewind");
        return REWIND_UI_HANDLED;
    }
    char why[200] = "";
    if (archive_fill(s->archive, age_back, REWIND_WINDOW, u->h, why, sizeof(why)) != 0) {
        say(u, "cannot show that moment: %s", why);
        rewind_ui_reset(u);
        return REWIND_UI_MOVED;
    }
    u->age = age_back;
    u->mono_ns = archive_mono_ns(s->archive, age_back);
    return REWIND_UI_MOVED;
}

enum rewind_ui_result rewind_ui_goto_time(struct rewind_ui *u, const struct session *s,
                                          int64_t time_ns)
{
    if (!u || !s->archive)
        return REWIND_UI_UNHANDLED;
    size_t age = archive_find_time(s->archive, time_ns);
    if (age == SIZE_MAX)
        return rewind_ui_goto(u, s, 0);
    enum rewind_ui_result r = rewind_ui_goto(u, s, age);
    if (age + 1 == archive_len(s->archive) && archive_time_ns(s->archive, age) > time_ns)
        say(u, "it began before the oldest snapshot kept (--rewind %zu)",
            archive_capacity(s->archive));
    return r;
}

/* The time typed after g, as --replay reads it: HH:MM[:SS] on the clock, -S / +S from
 * the moment shown (live: now), S from the oldest snapshot kept. */
static enum rewind_ui_result prompt_key(struct rewind_ui *u, const struct session *s, int ch)
{
    enum time_prompt_step step = replay_ui_prompt_key(u->prompt, sizeof(u->prompt), ch);
    if (step != TIME_PROMPT_TYPING)
        u->prompting = false;
    if (step != TIME_PROMPT_ENTER)
        return REWIND_UI_HANDLED;      /* the prompt takes every key until Enter or Esc */
    size_t kept = archive_len(s->archive);
    int64_t target;
    if (!kept || replay_ui_parse_time(u->prompt, archive_time_ns(s->archive, kept - 1),
                                      archive_time_ns(s->archive, u->age), &target) < 0) {
        say(u, "go to: '%s' is not HH:MM:SS, -seconds back or seconds from the oldest",
            u->prompt);
        return REWIND_UI_HANDLED;
    }
    return rewind_ui_goto_time(u, s, target);     /* after the newest: live */
}

bool rewind_ui_prompting(const struct rewind_ui *u) { return u && u->prompting; }

enum rewind_ui_result rewind_ui_key(struct rewind_ui *u, const struct session *s, int ch)
{
    if (!u || !s->archive)
        return REWIND_UI_UNHANDLED;
    if (u->prompting)
        return prompt_key(u, s, ch);
    size_t n = archive_len(s->archive);
    switch (ch) {
    case 'g':
        if (n < 2) {
            say(u, "no history kept yet");
            return REWIND_UI_HANDLED;
        }
        u->prompting = true;
        u->prompt[0] = '\0';
        return REWIND_UI_HANDLED;
    case KEY_LEFT:
    case KEY_SLEFT: {
        size_t step = ch == KEY_SLEFT ? BIG_STEP : 1;
        if (n < 2 || u->age + 1 >= n) {
            say(u, n < 2 ? "no history kept yet" : "at the oldest snapshot kept (--rewind %zu)",
                archive_capacity(s->archive));
            return REWIND_UI_HANDLED;
        }
        return rewind_ui_goto(u, s, u->age + step);
    }
    case KEY_RIGHT:
    case KEY_SRIGHT: {
        if (!u->age)
            return REWIND_UI_UNHANDLED;   /* live: the pane may use it */
        size_t step = ch == KEY_SRIGHT ? BIG_STEP : 1;
        return rewind_ui_goto(u, s, u->age > step ? u->age - step : 0);
    }
    case 'l':
        if (!u->age)
            return REWIND_UI_UNHANDLED;
        return rewind_ui_goto(u, s, 0);
    default:
        return REWIND_UI_UNHANDLED;
    }
}

enum rewind_ui_result rewind_ui_ticked(struct rewind_ui *u, const struct session *s)
{
    if (!u || !u->age)
        return REWIND_UI_HANDLED;
    size_t n = archive_len(s->archive);
    /* Usually one step further back; a frame that could not be kept leaves it where it
     * was. Looked up by time so the moment shown never changes under the reader. */
    size_t cand[3] = { u->age + 1, u->age, u->age - 1 };
    for (int i = 0; i < 3; i++)
        if (cand[i] > 0 && cand[i] < n && archive_mono_ns(s->archive, cand[i]) == u->mono_ns) {
            u->age = cand[i];
            return REWIND_UI_HANDLED;
        }
    say(u, "that moment left the rewind history: showing the oldest kept");
    return rewind_ui_goto(u, s, n ? n - 1 : 0);
}

const char *rewind_ui_take_message(struct rewind_ui *u)
{
    if (!u || u->age || !u->msg[0] || now_ms() >= u->msg_until_ms)
        return NULL;
    u->msg_until_ms = 0;
    return u->msg;
}

void rewind_ui_fmt_behind(char *buf, size_t len, int64_t ns)
{
    long long s = ns > 0 ? (ns + 500000000LL) / 1000000000LL : 0;
    if (s >= 3600)
        snprintf(buf, len, "-%lldh%02lldm", s / 3600, s / 60 % 60);
    else if (s >= 60)
        snprintf(buf, len, "-%lldm%02llds", s / 60, s % 60);
    else
        snprintf(buf, len, "-%llds", s);
}

void rewind_ui_draw(const struct rewind_ui *u, const struct session *s, int y, int cols)
{
    if (!u || (!u->age && !u->prompting))
        return;
    attr_t at = draw_role(THEME_STATUS);
    draw_fill(y, 0, cols, at);
    attron(at);
    if (u->prompting) {
        char line[200];
        snprintf(line, sizeof(line), "Go to (HH:MM:SS, -seconds back, seconds from the oldest "
                 "kept; Enter, Esc cancels): %s_", u->prompt);
        draw_text(y, 1, cols - 1, line);
        attroff(at);
        return;
    }
    char behind[24], clock[24] = "", left[200];
    rewind_ui_fmt_behind(behind, sizeof(behind), rewind_ui_behind_ns(u, s));
    /* To the millisecond: the moment names one snapshot, as the JSON's "time" does. */
    int64_t t = archive_time_ns(s->archive, u->age);
    time_t wall = (time_t)(t / 1000000000LL);
    struct tm tm;
    if (t >= 0 && localtime_r(&wall, &tm)) {
        size_t k = strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
        snprintf(clock + k, sizeof(clock) - k, ".%03d", (int)(t / 1000000LL % 1000));
    }
    snprintf(left, sizeof(left), "REWIND %s at %s, %zu of %zu back  ", behind, clock, u->age,
             archive_len(s->archive) - 1);
    int x = 1 + draw_text(y, 1, cols - 1, left);
    bool show = u->msg[0] && now_ms() < u->msg_until_ms;
    attroff(at);
    if (show) {
        attr_t m = draw_role(THEME_WARN);
        attron(m);
        draw_text(y, x, cols - x, u->msg);
        attroff(m);
    } else {
        attron(at);
        draw_text(y, x, cols - x, "Left/Right step  Shift+Left/Right 1 min  g go to  l live");
        attroff(at);
    }
}
