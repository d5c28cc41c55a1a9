/* replay_ui: the TUI's replay controls (pause, step, speed, seek prompt) and the
 * timeline bar; app.c delegates to it when the session replays a recording. */
#include "tui/replay_ui.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ncurses.h>

#include "tui/draw.h"
#include "base/util.h"

#define MSG_MS 6000
#define PROMPT_LEN 24

static const double speeds[] = { 0.5, 1, 2, 4, 8, 16 };
#define NSPEEDS (sizeof(speeds) / sizeof(speeds[0]))
#define SPEED_1X 1

struct replay_ui {
    struct replay *rp;
    size_t speed;                 /* index into speeds */
    bool prompting;
    char prompt[PROMPT_LEN];
    char msg[400];
    bool msg_sticky;              /* damage: stays until the next key */
    long long msg_until_ms;
};

static long long now_ms(void) { return util_mono_ns() / 1000000; }

static void say(struct replay_ui *u, bool sticky, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(struct replay_ui *u, bool sticky, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(u->msg, sizeof(u->msg), fmt, ap);
    va_end(ap);
    u->msg_sticky = sticky;
    u->msg_until_ms = now_ms() + MSG_MS;
}

struct replay_ui *replay_ui_new(struct replay *rp)
{
    struct replay_ui *u = calloc(1, sizeof(*u));
    if (!u)
        return NULL;
    u->rp = rp;
    u->speed = SPEED_1X;
    if (replay_damage(rp)[0])
        say(u, true, "%s", replay_damage(rp));
    return u;
}

void replay_ui_free(struct replay_ui *u) { free(u); }

static int64_t frame_time(const struct replay_ui *u, size_t i)
{
    const struct recfile_frame *f = replay_frame(u->rp, i);
    return f ? f->time_ns : 0;
}

long long replay_ui_delay_ms(const struct replay_ui *u)
{
    size_t pos = replay_pos(u->rp);
    double gap = pos == SIZE_MAX ? 0 : replay_gap_ms(u->rp, pos);
    long long ms = (long long)(gap / speeds[u->speed]);
    return ms < 10 ? 10 : ms;
}

long long replay_ui_next_ms(const struct replay_ui *u)
{
    if (!u->msg[0] || u->msg_sticky)
        return -1;
    long long left = u->msg_until_ms - now_ms();
    return left < 0 ? 0 : left;
}

void replay_ui_ticked(struct replay_ui *u, int rc, bool *paused)
{
    if (rc == -ENODATA) {
        *paused = true;
        say(u, false, "end of recording (Space plays it again from the start)");
    } else if (rc == -EBADMSG) {
        *paused = true;
        say(u, true, "%s", replay_damage(u->rp));
    }
}

static int moved(struct replay_ui *u, int rc)
{
    if (rc == -EBADMSG)
        say(u, true, "%s", replay_damage(u->rp));
    return REPLAY_UI_MOVED;
}

static int seek_to(struct replay_ui *u, struct session *s, size_t k)
{
    return moved(u, replay_seek(u->rp, s->history, k));
}

/* The first snapshot at or after t (the last one when t is past the end). */
static size_t frame_at(const struct replay_ui *u, int64_t t)
{
    size_t lo = 0, hi = replay_count(u->rp);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (frame_time(u, mid) < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = replay_count(u->rp);
    return lo < n ? lo : n - 1;
}

int replay_ui_parse_time(const char *text, int64_t start_ns, int64_t now_ns,
                         int64_t *target_ns)
{
    while (isspace((unsigned char)*text))
        text++;
    if (!*text)
        return -1;
    int h, m, sec = 0, used = 0;
    if (strchr(text, ':')) {
        int n = sscanf(text, "%d:%d%n:%d%n", &h, &m, &used, &sec, &used);
        if (n < 2 || text[used] || h < 0 || h > 23 || m < 0 || m > 59 || sec < 0 || sec > 60)
            return -1;
        time_t t0 = (time_t)(start_ns / 1000000000LL);
        struct tm tm;
        localtime_r(&t0, &tm);
        tm.tm_hour = h;
        tm.tm_min = m;
        tm.tm_sec = sec;
        tm.tm_isdst = -1;
        time_t t = mktime(&tm);
        if (t == (time_t)-1)
            return -1;
        int64_t ns = (int64_t)t * 1000000000LL;
        if (ns < start_ns - 1000000000LL)
            ns += 86400LL * 1000000000LL;     /* the recording ran past midnight */
        *target_ns = ns;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    while (isspace((unsigned char)*end))
        end++;
    if (errno || end == text || *end || v != v || v > 1e9 || v < -1e9)
        return -1;
    bool relative = text[0] == '+' || text[0] == '-';
    *target_ns = (relative ? now_ns : start_ns) + (int64_t)(v * 1e9);
    return 0;
}

enum time_prompt_step replay_ui_prompt_key(char *buf, size_t len, int ch)
{
    size_t n = strlen(buf);
    if (ch == 27)                        /* Esc */
        return TIME_PROMPT_CANCEL;
    if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
        return TIME_PROMPT_ENTER;
    if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
        if (n)
            buf[n - 1] = '\0';
    } else if (ch < 256 && (isdigit(ch) || ch == ':' || ch == '.' || ch == '+' || ch == '-') &&
               n + 1 < len) {
        buf[n] = (char)ch;
        buf[n + 1] = '\0';
    }
    return TIME_PROMPT_TYPING;
}

static int prompt_key(struct replay_ui *u, struct session *s, int ch)
{
    enum time_prompt_step step = replay_ui_prompt_key(u->prompt, sizeof(u->prompt), ch);
    if (step != TIME_PROMPT_TYPING)
        u->prompting = false;
    if (step == TIME_PROMPT_ENTER) {
        size_t pos = replay_pos(u->rp);
        int64_t target;
        if (replay_ui_parse_time(u->prompt, frame_time(u, 0),
                                 frame_time(u, pos == SIZE_MAX ? 0 : pos), &target) < 0) {
            say(u, false, "seek: '%s' is not seconds from the start, +/-seconds or HH:MM:SS",
                u->prompt);
            return REPLAY_UI_HANDLED;
        }
        return seek_to(u, s, frame_at(u, target));
    }
    return REPLAY_UI_HANDLED;
}

enum replay_ui_result replay_ui_key(struct replay_ui *u, struct session *s, int ch,
                                    bool *paused)
{
    if (u->prompting)
        return prompt_key(u, s, ch);
    if (u->msg_sticky && ch != KEY_RESIZE)
        u->msg[0] = '\0';
    size_t pos = replay_pos(u->rp), n = replay_count(u->rp);
    switch (ch) {
    case ' ':
        if (*paused && n && pos == n - 1) {
            *paused = false;              /* at the end: play again from the start */
            return seek_to(u, s, 0);
        }
        *paused = !*paused;
        return REPLAY_UI_HANDLED;
    case KEY_LEFT:
        *paused = true;
        if (pos == SIZE_MAX || pos == 0) {
            say(u, false, "at the first snapshot");
            return REPLAY_UI_HANDLED;
        }
        return seek_to(u, s, pos - 1);
    case KEY_RIGHT:
        *paused = true;
        if (pos != SIZE_MAX && pos + 1 >= n) {
            say(u, false, "at the last snapshot");
            return REPLAY_UI_HANDLED;
        }
        return moved(u, replay_tick(u->rp, s->history));
    case '[': case '-':
        if (u->speed > 0)
            u->speed--;
        return REPLAY_UI_HANDLED;
    case ']': case '+': case '=':
        if (u->speed + 1 < NSPEEDS)
            u->speed++;
        return REPLAY_UI_HANDLED;
    case 'g':
        u->prompting = true;
        u->prompt[0] = '\0';
        return REPLAY_UI_HANDLED;
    case 'p':
        say(u, false, "replaying a recording: no process to pick (q quits)");
        return REPLAY_UI_HANDLED;
    default:
        return REPLAY_UI_UNHANDLED;
    }
}

static void fmt_dur(char *buf, size_t len, int64_t ns)
{
    long long s = ns > 0 ? ns / 1000000000LL : 0;
    snprintf(buf, len, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
}

static void fmt_speed(char *buf, size_t len, double v)
{
    if (v < 1)
        snprintf(buf, len, "x%.1f", v);
    else
        snprintf(buf, len, "x%.0f", v);
}

void replay_ui_draw(const struct replay_ui *u, int y, int cols, bool paused)
{
    size_t n = replay_count(u->rp), pos = replay_pos(u->rp);
    size_t shown = pos == SIZE_MAX ? 0 : pos;
    draw_fill(y, 0, cols, draw_role(THEME_STATUS));
    attr_t at = draw_role(THEME_STATUS);
    attron(at);
    if (u->prompting) {
        draw_printf(y, 1, cols - 1, "Seek to (seconds from start, +/-seconds, HH:MM:SS): %s_",
                    u->prompt);
        attroff(at);
        return;
    }
    char now[16], len[16], clock[16] = "", speed[16];
    int64_t t0 = frame_time(u, 0);
    fmt_dur(now, sizeof(now), frame_time(u, shown) - t0);
    fmt_dur(len, sizeof(len), n ? frame_time(u, n - 1) - t0 : 0);
    fmt_speed(speed, sizeof(speed), speeds[u->speed]);
    time_t wall = (time_t)(frame_time(u, shown) / 1000000000LL);
    struct tm tm;
    if (n && localtime_r(&wall, &tm))
        strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
    char left[160];
    int x = 1;
    snprintf(left, sizeof(left), "REPLAY %s %s %s/%s ", paused ? "PAUSED " : "PLAYING",
             speed, now, len);
    x += draw_text(y, x, cols - x, left);
    char right[96];
    snprintf(right, sizeof(right), " %zu/%zu %s", n ? shown + 1 : 0, n, clock);
    int rw = draw_text_width(right);
    int room = cols - x - rw - 1;
    bool show = u->msg[0] && (u->msg_sticky || now_ms() < u->msg_until_ms);
    if (show && room > 12) {
        /* A message takes the bar's place until it expires (damage: until a key). */
        attroff(at);
        attr_t m = draw_role(u->msg_sticky ? THEME_CRIT : THEME_WARN);
        attron(m);
        draw_text(y, x, room, u->msg);
        attroff(m);
        attron(at);
    } else if (room >= 10) {
        int bar = room - 2;
        int fill = n > 1 ? (int)((double)shown / (double)(n - 1) * (bar - 1) + 0.5) : 0;
        mvaddch(y, x, '[');
        for (int i = 0; i < bar; i++)
            mvaddch(y, x + 1 + i, i < fill ? '=' : i == fill ? '|' : '-');
        mvaddch(y, x + 1 + bar, ']');
    }
    if (room > 0)
        x += room;
    draw_text(y, x, cols - x, right);
    attroff(at);
}
