/* test_theme: the theme parser, the shipped theme files, theme_load's search and theme_adapt. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tui/theme.h"

struct warns {
    int count;
    size_t longest;
    char last[8192];
};

static char themes_dir[PATH_MAX];

static void collect(void *ctx, const char *msg)
{
    struct warns *w = ctx;
    size_t n = strlen(msg);

    w->count++;
    if (n > w->longest)
        w->longest = n;
    snprintf(w->last, sizeof(w->last), "%s", msg);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (!f)
        fail_msg("fopen %s: %s", path, strerror(errno));
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");

    if (!f)
        fail_msg("fopen %s: %s", path, strerror(errno));
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void style_is(const struct theme_style *s, int fg, int bg, unsigned attrs)
{
    assert_int_equal(s->fg, fg);
    assert_int_equal(s->bg, bg);
    assert_int_equal(s->attrs, attrs);
}

/* Parse one text from the default; returns the number of bad lines. */
static int parse(const char *text, struct theme *t, struct warns *w)
{
    memset(w, 0, sizeof(*w));
    theme_default(t);
    return theme_parse(text, "t.theme", t, collect, w);
}

/* A theme where every role is an impossible value, to see which roles a file sets. */
static void poison(struct theme *t)
{
    memset(t, 0, sizeof(*t));
    for (int r = 0; r < THEME_ROLE_COUNT; r++) {
        t->style[r].fg = 999;
        t->style[r].bg = 999;
        t->style[r].attrs = 0xffu;
    }
}

static void parse_shipped(const char *name, struct theme *t)
{
    char path[PATH_MAX + 32];
    struct warns w = { 0 };
    size_t len;

    snprintf(path, sizeof(path), "%s/%s.theme", themes_dir, name);
    char *buf = slurp(path, &len);
    poison(t);
    assert_int_equal(theme_parse_buf(buf, len, path, t, collect, &w), 0);
    if (w.count)
        fail_msg("%s: %s", path, w.last);
    free(buf);
    for (int r = 0; r < THEME_ROLE_COUNT; r++) {
        if (t->style[r].fg == 999)
            fail_msg("%s does not set '%s'", path, theme_role_name((enum theme_role)r));
        assert_true(t->style[r].fg >= -1 && t->style[r].fg <= 255);
        assert_true(t->style[r].bg >= -1 && t->style[r].bg <= 255);
    }
}

static void test_default_file_matches_builtin(void **state)
{
    struct theme file, builtin;

    (void)state;
    parse_shipped("default", &file);
    theme_default(&builtin);
    assert_string_equal(file.name, builtin.name);
    for (int r = 0; r < THEME_ROLE_COUNT; r++) {
        const struct theme_style *a = &file.style[r], *b = &builtin.style[r];
        if (a->fg != b->fg || a->bg != b->bg || a->attrs != b->attrs)
            fail_msg("role %s: file %d/%d/%u, built-in %d/%d/%u",
                     theme_role_name((enum theme_role)r), a->fg, a->bg, a->attrs,
                     b->fg, b->bg, b->attrs);
    }
}

static void test_classroom_file(void **state)
{
    struct theme t;

    (void)state;
    parse_shipped("classroom", &t);
    assert_string_equal(t.name, "classroom (high contrast)");
    style_is(&t.style[THEME_NORMAL], -1, -1, 0);
    for (int r = 0; r < THEME_ROLE_COUNT; r++) {
        const struct theme_style *s = &t.style[r];
        /* No dark blue (4, 17-20) text, no `dim`, and no text left on the terminal's
         * background in yellow (unreadable on white). */
        assert_false(s->fg == 4 || (s->fg >= 17 && s->fg <= 20));
        assert_false(s->attrs & THEME_ATTR_DIM);
        if (s->bg == -1)
            assert_false(s->fg == 3 || s->fg == 11 || s->fg == 226 || s->fg == 220);
    }
    assert_true(t.style[THEME_SELECTED].attrs & THEME_ATTR_REVERSE);
    assert_true(t.style[THEME_CRIT].bg >= 0);
}

static void test_mono_file(void **state)
{
    struct theme t;

    (void)state;
    parse_shipped("mono", &t);
    assert_string_equal(t.name, "mono");
    for (int r = 0; r < THEME_ROLE_COUNT; r++) {
        assert_int_equal(t.style[r].fg, -1);
        assert_int_equal(t.style[r].bg, -1);
    }
    assert_true(t.style[THEME_SELECTED].attrs & THEME_ATTR_REVERSE);
    /* Nothing to do for a monochrome terminal: adapting changes nothing. */
    struct theme m = t;
    theme_adapt(&m, 0);
    assert_memory_equal(&m, &t, sizeof(t));
}

static void test_unknown_key_ignored(void **state)
{
    struct theme t;
    struct warns w;

    (void)state;
    assert_int_equal(parse("frobnicate = red\nfuture_role = #123456 sparkle\n"
                           "ok = blue\n", &t, &w), 0);
    assert_int_equal(w.count, 0);
    style_is(&t.style[THEME_OK], 4, -1, 0);
}

static void test_bad_colour(void **state)
{
    struct theme t, def;
    struct warns w;

    (void)state;
    theme_default(&def);
    assert_int_equal(parse("# comment\n\nok = xyz\n", &t, &w), 1);
    assert_int_equal(w.count, 1);
    assert_string_equal(w.last, "t.theme:3: bad colour 'xyz' for key 'ok' (using default)");
    assert_memory_equal(&t.style[THEME_OK], &def.style[THEME_OK], sizeof(def.style[0]));

    assert_int_equal(parse("warn = red on purple\n", &t, &w), 1);
    assert_string_equal(w.last,
                        "t.theme:1: bad colour 'purple' for key 'warn' (using default)");
    assert_memory_equal(&t.style[THEME_WARN], &def.style[THEME_WARN], sizeof(def.style[0]));

    assert_int_equal(parse("ok = red blink\n", &t, &w), 1);
    assert_string_equal(w.last, "t.theme:1: bad attribute 'blink' for key 'ok' (using default)");
    assert_int_equal(parse("ok = red on\n", &t, &w), 1);
    assert_string_equal(w.last,
                        "t.theme:1: missing colour after 'on' for key 'ok' (using default)");
    assert_int_equal(parse("ok =\n", &t, &w), 1);
    assert_string_equal(w.last, "t.theme:1: missing value for key 'ok' (using default)");

    /* Out of range or malformed numbers and hex. */
    const char *bad[] = { "256", "-1", "0x10", "1234", "#ff00", "#ff00000", "#gg0000",
                          "bright-", "bright-bright-red", "brightred" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char line[64];
        snprintf(line, sizeof(line), "ok = %s\n", bad[i]);
        assert_int_equal(parse(line, &t, &w), 1);
        assert_int_equal(t.style[THEME_OK].fg, def.style[THEME_OK].fg);
    }
}

static void test_missing_equals(void **state)
{
    struct theme t;
    struct warns w;

    (void)state;
    assert_int_equal(parse("ok = red\njust some words\n= red\n", &t, &w), 2);
    assert_int_equal(w.count, 2);
    assert_string_equal(w.last, "t.theme:3: expected key = value");
    assert_int_equal(parse("\n\njust some words", &t, &w), 1);
    assert_string_equal(w.last, "t.theme:3: expected key = value");
    style_is(&t.style[THEME_OK], 2, -1, 0);
}

static void test_hex_mapping(void **state)
{
    static const struct { const char *hex; int want; } cases[] = {
        { "#ff0000", 196 }, { "#000000", 16 }, { "#FFFFFF", 231 }, { "#00ff00", 46 },
        { "#0000ff", 21 }, { "#808080", 244 }, { "#080808", 232 }, { "#eeeeee", 255 },
        { "#d78700", 172 }, { "#5f87af", 67 }, { "#010203", 16 },
    };
    struct theme t;
    struct warns w;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char line[64];
        snprintf(line, sizeof(line), "ok = %s\n", cases[i].hex);
        assert_int_equal(parse(line, &t, &w), 0);
        if (t.style[THEME_OK].fg != cases[i].want)
            fail_msg("%s -> %d, want %d", cases[i].hex, t.style[THEME_OK].fg, cases[i].want);
    }
}

static void test_names_numbers_attrs(void **state)
{
    struct theme t;
    struct warns w;

    (void)state;
    assert_int_equal(parse("ok = bright-red\n"
                           "warn = white on blue\n"
                           "crit = 255 on bright-black bold reverse underline dim\n"
                           "dim = bold\n"
                           "help = on red\n"
                           "status = RED on Bright-Cyan BOLD\n"
                           "   selected\t=\tdefault   on   default   reverse   \r\n"
                           "node0 = 0\n"
                           "node1 = default underline dim\n"
                           "ok = bright-red\n", &t, &w), 0);
    assert_int_equal(w.count, 0);
    style_is(&t.style[THEME_OK], 9, -1, 0);
    style_is(&t.style[THEME_WARN], 7, 4, 0);
    style_is(&t.style[THEME_CRIT], 255, 8, THEME_ATTR_BOLD | THEME_ATTR_REVERSE |
             THEME_ATTR_UNDERLINE | THEME_ATTR_DIM);
    style_is(&t.style[THEME_DIM], -1, -1, THEME_ATTR_BOLD);
    style_is(&t.style[THEME_HELP], -1, 1, 0);
    style_is(&t.style[THEME_STATUS], 1, 14, THEME_ATTR_BOLD);
    style_is(&t.style[THEME_SELECTED], -1, -1, THEME_ATTR_REVERSE);
    style_is(&t.style[THEME_NODE0], 0, -1, 0);
    style_is(&t.style[THEME_NODE1], -1, -1, THEME_ATTR_UNDERLINE | THEME_ATTR_DIM);

    const char *names[] = { "black", "red", "green", "yellow", "blue", "magenta", "cyan",
                            "white" };
    for (int i = 0; i < 8; i++) {
        char line[64];
        snprintf(line, sizeof(line), "ok = %s on bright-%s\n", names[i], names[i]);
        assert_int_equal(parse(line, &t, &w), 0);
        style_is(&t.style[THEME_OK], i, 8 + i, 0);
    }

    /* name = free text, control bytes neutralised, length bounded. */
    assert_int_equal(parse("name = My \x01theme\n", &t, &w), 0);
    assert_string_equal(t.name, "My ?theme");
}

static void test_long_lines_and_odd_bytes(void **state)
{
    const size_t big = 1u << 20;
    char *text = malloc(3 * big + 64);
    struct theme t;
    struct warns w;
    size_t o = 0;

    (void)state;
    assert_non_null(text);
    o += (size_t)sprintf(text + o, "ok = ");
    memset(text + o, 'x', big);
    o += big;
    text[o++] = '\n';
    text[o++] = '#';
    memset(text + o, 'c', big);
    o += big;
    text[o++] = '\n';
    memset(text + o, 'k', big);
    o += big;
    o += (size_t)sprintf(text + o, " = red\nwarn = blue");
    text[o] = '\0';
    memset(&w, 0, sizeof(w));
    theme_default(&t);
    assert_int_equal(theme_parse(text, "t.theme", &t, collect, &w), 1);
    assert_int_equal(w.count, 1);
    assert_true(w.longest < 300);
    assert_non_null(strstr(w.last, "t.theme:1: bad colour 'xxxx"));
    assert_non_null(strstr(w.last, "...' for key 'ok'"));
    style_is(&t.style[THEME_WARN], 4, -1, 0); /* last line, no trailing newline */
    free(text);

    /* NUL bytes inside a buffer are data, not the end. */
    static const char nul[] = "ok = re\0d\nwarn = magenta\n\0\nname = a\0b";
    memset(&w, 0, sizeof(w));
    theme_default(&t);
    assert_int_equal(theme_parse_buf(nul, sizeof(nul) - 1, "n.theme", &t, collect, &w), 2);
    assert_string_equal(w.last, "n.theme:3: expected key = value");
    style_is(&t.style[THEME_WARN], 5, -1, 0);
    assert_string_equal(t.name, "a?b");

    /* BOM, CRLF, no newline, empty input, NULL warn callback. */
    assert_int_equal(parse("\xef\xbb\xbfok = red\r\nwarn = cyan", &t, &w), 0);
    style_is(&t.style[THEME_OK], 1, -1, 0);
    style_is(&t.style[THEME_WARN], 6, -1, 0);
    assert_int_equal(parse("", &t, &w), 0);
    assert_int_equal(theme_parse("ok = nope\nbad", NULL, &t, NULL, NULL), 2);
    assert_int_equal(theme_parse_buf(NULL, 0, NULL, &t, NULL, NULL), 0);
}

/* ---- theme_load ---------------------------------------------------------------------- */

static char tmp_root[PATH_MAX];

static void tmp_path(char *out, size_t size, const char *rel)
{
    snprintf(out, size, "%s/%s", tmp_root, rel);
}

static void tmp_mkdir(const char *rel)
{
    char p[PATH_MAX + 64];
    tmp_path(p, sizeof(p), rel);
    assert_int_equal(mkdir(p, 0700), 0);
}

static void tmp_write(const char *rel, const char *text)
{
    char p[PATH_MAX + 64];
    tmp_path(p, sizeof(p), rel);
    write_file(p, text, strlen(text));
}

static const char *const tmp_files[] = {
    "cfg/gmptop/themes/classroom.theme", "cfg/gmptop/themes/dir.theme",
    "cfg/gmptop/themes/huge.theme", "data/themes/mono.theme", "data/themes/only.theme",
    "data/themes/dir.theme", "cfg/gmptop/themes", "cfg/gmptop", "cfg", "data/themes", "data",
};

static int setup_tmp(void **state)
{
    (void)state;
    snprintf(tmp_root, sizeof(tmp_root), "%s/gmptop-theme-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmp_root))
        return -1;
    return 0;
}

static int teardown_tmp(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(tmp_files) / sizeof(tmp_files[0]); i++) {
        char p[PATH_MAX + 64];
        tmp_path(p, sizeof(p), tmp_files[i]);
        if (unlink(p) < 0 && errno == EISDIR)
            rmdir(p);
        rmdir(p);
    }
    rmdir(tmp_root);
    unsetenv("XDG_CONFIG_HOME");
    return 0;
}

static void test_load_search_order(void **state)
{
    char cfg[PATH_MAX + 64], data[PATH_MAX + 64], want[3 * PATH_MAX + 256];
    struct theme t;
    struct warns w = { 0 };

    (void)state;
    tmp_mkdir("cfg");
    tmp_mkdir("cfg/gmptop");
    tmp_mkdir("cfg/gmptop/themes");
    tmp_mkdir("data");
    tmp_mkdir("data/themes");
    tmp_write("cfg/gmptop/themes/classroom.theme", "name = mine\nok = magenta\n");
    tmp_write("data/themes/mono.theme", "name = from datadir\n");
    tmp_write("data/themes/only.theme", "ok = 42\n");
    tmp_path(cfg, sizeof(cfg), "cfg");
    tmp_path(data, sizeof(data), "data");
    setenv("XDG_CONFIG_HOME", cfg, 1);

    /* The user's copy wins over the shipped one. */
    assert_int_equal(theme_load("classroom", data, &t, collect, &w), 0);
    assert_int_equal(w.count, 0);
    assert_string_equal(t.name, "mine");
    style_is(&t.style[THEME_OK], 5, -1, 0);
    /* Roles the override does not mention come from the built-in default. */
    struct theme def;
    theme_default(&def);
    assert_memory_equal(&t.style[THEME_CRIT], &def.style[THEME_CRIT], sizeof(def.style[0]));

    /* $GMPTOP_THEMES_DIR comes before datadir. */
    assert_int_equal(theme_load("mono", data, &t, collect, &w), 0);
    assert_string_equal(t.name, "mono");
    /* datadir/themes is searched last; a file without `name` is named by its file. */
    assert_int_equal(theme_load("only", data, &t, collect, &w), 0);
    assert_string_equal(t.name, "only");
    style_is(&t.style[THEME_OK], 42, -1, 0);
    assert_int_equal(w.count, 0);

    /* Not found: -ENOENT, the default, and every directory named. */
    t.style[THEME_OK].fg = 77;
    assert_int_equal(theme_load("nosuch", data, &t, collect, &w), -ENOENT);
    snprintf(want, sizeof(want), "theme 'nosuch' not found in %s/gmptop/themes, %s, "
             "%s/themes (using default)", cfg, themes_dir, data);
    assert_string_equal(w.last, want);
    assert_memory_equal(&t, &def, sizeof(def));

    /* A directory where a file should be is reported and skipped. */
    tmp_mkdir("cfg/gmptop/themes/dir.theme");
    tmp_mkdir("data/themes/dir.theme");
    memset(&w, 0, sizeof(w));
    assert_int_equal(theme_load("dir", data, &t, collect, &w), -EINVAL);
    assert_int_equal(w.count, 3);
    assert_non_null(strstr(w.last, "not found"));

    /* Relative XDG_CONFIG_HOME is ignored in favour of $HOME/.config. */
    setenv("XDG_CONFIG_HOME", "relative", 1);
    assert_int_equal(theme_load("classroom", data, &t, collect, &w), 0);
    assert_string_not_equal(t.name, "mine");
    setenv("XDG_CONFIG_HOME", cfg, 1);

    /* A file over 64 KiB: warned, the first 64 KiB used. */
    size_t n = 70 * 1024;
    char *huge = malloc(n + 1);
    assert_non_null(huge);
    memset(huge, '#', n);
    memcpy(huge, "ok = red\n", 9);
    for (size_t i = 100; i < n; i += 100)
        huge[i] = '\n';
    huge[n] = '\0';
    tmp_write("cfg/gmptop/themes/huge.theme", huge);
    free(huge);
    memset(&w, 0, sizeof(w));
    assert_int_equal(theme_load("huge", NULL, &t, collect, &w), 0);
    assert_int_equal(w.count, 1);
    assert_non_null(strstr(w.last, "larger than 64 KiB"));
    style_is(&t.style[THEME_OK], 1, -1, 0);
}

static void test_load_rejects_bad_names(void **state)
{
    const char *bad[] = { "a/b", "../default", "/etc/passwd", ".hidden", "", "x\ny",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 65 */ };
    struct theme t, def;
    struct warns w;

    (void)state;
    theme_default(&def);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&w, 0, sizeof(w));
        t.style[THEME_OK].fg = 77;
        assert_int_equal(theme_load(bad[i], themes_dir, &t, collect, &w), -EINVAL);
        assert_int_equal(w.count, 1);
        assert_non_null(strstr(w.last, "not a simple name"));
        assert_memory_equal(&t, &def, sizeof(def));
    }
    /* 64 bytes is allowed (and simply not found). */
    char ok64[65];
    memset(ok64, 'a', 64);
    ok64[64] = '\0';
    assert_int_equal(theme_load(ok64, NULL, &t, NULL, NULL), -ENOENT);
    /* NULL means the default theme, found in $GMPTOP_THEMES_DIR. */
    assert_int_equal(theme_load(NULL, NULL, &t, NULL, NULL), 0);
    assert_memory_equal(&t, &def, sizeof(def));
}

/* ---- theme_adapt --------------------------------------------------------------------- */

static void test_adapt_colours(void **state)
{
    const char *text = "ok = #ff0000\nwarn = bright-green bold\ncrit = 9 on 12\n"
                       "normal = 240\nselected = 16 on black\nstatus = black on 234\n"
                       "dim = #5f87af on default underline\n";
    struct theme t, orig;
    struct warns w;

    (void)state;
    assert_int_equal(parse(text, &orig, &w), 0);

    t = orig;
    theme_adapt(&t, 256);
    assert_memory_equal(&t, &orig, sizeof(t));

    t = orig;
    theme_adapt(&t, 16);
    style_is(&t.style[THEME_OK], 9, -1, 0);
    style_is(&t.style[THEME_WARN], 10, -1, THEME_ATTR_BOLD);
    style_is(&t.style[THEME_CRIT], 9, 12, 0);
    style_is(&t.style[THEME_NORMAL], 8, -1, 0);
    style_is(&t.style[THEME_DIM], 8, -1, THEME_ATTR_UNDERLINE);
    for (int r = 0; r < THEME_ROLE_COUNT; r++)
        assert_true(t.style[r].fg < 16 && t.style[r].bg < 16);

    t = orig;
    theme_adapt(&t, 8);
    style_is(&t.style[THEME_OK], 1, -1, THEME_ATTR_BOLD);
    style_is(&t.style[THEME_WARN], 2, -1, THEME_ATTR_BOLD);
    style_is(&t.style[THEME_CRIT], 1, 4, THEME_ATTR_BOLD);
    style_is(&t.style[THEME_NORMAL], 0, -1, THEME_ATTR_BOLD);
    /* #000000 on black collapsed: the text is pulled to white. */
    style_is(&t.style[THEME_SELECTED], 7, 0, 0);
    /* black on near-black: same. */
    style_is(&t.style[THEME_STATUS], 7, 0, 0);
    for (int r = 0; r < THEME_ROLE_COUNT; r++)
        assert_true(t.style[r].fg < 8 && t.style[r].bg < 8);

    /* The shipped default theme keeps roles apart on 8 colours. */
    theme_default(&t);
    theme_adapt(&t, 8);
    style_is(&t.style[THEME_DIM], 0, -1, THEME_ATTR_BOLD);
    style_is(&t.style[THEME_CRIT], 1, -1, THEME_ATTR_BOLD);
}

static void test_adapt_mono(void **state)
{
    struct theme t;
    struct warns w;

    (void)state;
    theme_default(&t);
    theme_adapt(&t, 0);
    for (int r = 0; r < THEME_ROLE_COUNT; r++) {
        assert_int_equal(t.style[r].fg, -1);
        assert_int_equal(t.style[r].bg, -1);
    }
    assert_true(t.style[THEME_SELECTED].attrs & THEME_ATTR_REVERSE);
    assert_true(t.style[THEME_TAB_ACTIVE].attrs & THEME_ATTR_REVERSE);
    assert_true(t.style[THEME_TABLE_HEADER].attrs & THEME_ATTR_REVERSE); /* had a bg */
    assert_true(t.style[THEME_WARN].attrs & THEME_ATTR_BOLD);
    assert_true(t.style[THEME_CRIT].attrs & THEME_ATTR_BOLD);
    assert_true(t.style[THEME_CRIT].attrs != t.style[THEME_WARN].attrs);
    assert_true(t.style[THEME_SELECTED].attrs != t.style[THEME_NORMAL].attrs);

    /* Even a theme that made everything plain still marks the selection. */
    assert_int_equal(parse("selected = red\ntab_active = green\nwarn = yellow\n"
                           "crit = red\nok = green underline\n", &t, &w), 0);
    theme_adapt(&t, -1);
    style_is(&t.style[THEME_SELECTED], -1, -1, THEME_ATTR_REVERSE);
    style_is(&t.style[THEME_TAB_ACTIVE], -1, -1, THEME_ATTR_REVERSE | THEME_ATTR_BOLD);
    style_is(&t.style[THEME_WARN], -1, -1, THEME_ATTR_BOLD);
    style_is(&t.style[THEME_CRIT], -1, -1, THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
    style_is(&t.style[THEME_OK], -1, -1, THEME_ATTR_UNDERLINE);
}

int main(void)
{
    const char *dir = getenv("GMPTOP_THEMES_DIR");
    const char *top = getenv("top_srcdir");

    if (dir && dir[0])
        snprintf(themes_dir, sizeof(themes_dir), "%s", dir);
    else
        snprintf(themes_dir, sizeof(themes_dir), "%s/themes", top && top[0] ? top : ".");
    /* theme_load's search includes it; make runs outside `make check` behave the same. */
    setenv("GMPTOP_THEMES_DIR", themes_dir, 1);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_file_matches_builtin),
        cmocka_unit_test(test_classroom_file),
        cmocka_unit_test(test_mono_file),
        cmocka_unit_test(test_unknown_key_ignored),
        cmocka_unit_test(test_bad_colour),
        cmocka_unit_test(test_missing_equals),
        cmocka_unit_test(test_hex_mapping),
        cmocka_unit_test(test_names_numbers_attrs),
        cmocka_unit_test(test_long_lines_and_odd_bytes),
        cmocka_unit_test_setup_teardown(test_load_search_order, setup_tmp, teardown_tmp),
        cmocka_unit_test(test_load_rejects_bad_names),
        cmocka_unit_test(test_adapt_colours),
        cmocka_unit_test(test_adapt_mono),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
