/* diag_strip: the one-line findings strip drawn under every pane: the most severe active
 * finding, and how many more the diagnoses pane (6) lists. */
#include "tui/diag_tui.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <ncurses.h>

#include "tui/draw.h"
#include "diagnoses/diag.h"

void diag_fmt_duration(char *buf, size_t len, double seconds)
{
    if (!isfinite(seconds) || seconds < 0) {
        snprintf(buf, len, "n/a");
        return;
    }
    long long s = (long long)seconds;
    if (s < 60)
        snprintf(buf, len, "%llds", s);
    else if (s < 3600)
        snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
    else
        snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
}

static enum theme_role severity_role(enum diag_severity sev)
{
    switch (sev) {
    case DIAG_CRIT: return THEME_CRIT;
    case DIAG_WARN: return THEME_WARN;
    default:        return THEME_OK;
    }
}

void diag_strip_draw(const struct pane_view *v, int y, int cols)
{
    if (!v->cur || cols < 10)
        return;
    const struct diag_sample *d = &v->cur->diag;
    int x = 1, end = cols - 1;
    if (d->nfindings == 0 || !d->findings) {
        attron(draw_role(THEME_DIM));
        /* Without rule states the engine did not run: say so rather than "all clear". */
        draw_text(y, x, end - x, d->rules ? (cols >= 60 ? "diagnoses: no findings "
                                                          "(6 lists the rules)"
                                                        : "diagnoses: no findings")
                                          : "diagnoses: n/a");
        attroff(draw_role(THEME_DIM));
        return;
    }
    const struct diag_finding *f = &d->findings[0];
    const struct diag_rule *rule = diag_rule_find(f->id);

    /* The count goes on the right first so a long message cannot push it off. */
    char more[48] = "";
    if (d->nfindings > 1)
        snprintf(more, sizeof(more), cols >= 60 ? "+%zu more (6)" : "+%zu more",
                 d->nfindings - 1);
    int right = end;
    if (more[0]) {
        int mw = draw_text_width(more);
        if (mw + 12 < end - x) {
            right = end - mw;
            attron(draw_role(THEME_DIM));
            draw_text(y, right, mw, more);
            attroff(draw_role(THEME_DIM));
            right -= 2;
        }
    }

    char sev[8];
    const char *name = diag_severity_name(f->severity);
    size_t i = 0;
    for (; name[i] && i < sizeof(sev) - 1; i++)
        sev[i] = (char)toupper((unsigned char)name[i]);
    sev[i] = '\0';
    attr_t sa = draw_role(severity_role(f->severity)) | A_BOLD;
    attron(sa);
    x += draw_text(y, x, right - x, sev);
    attroff(sa);
    x++;
    if (x < right) {
        attron(A_BOLD);
        x += draw_text(y, x, right - x, rule ? rule->title : f->id);
        attroff(A_BOLD);
    }
    if (x + 2 < right) {
        x += draw_text(y, x, right - x, ": ");
        draw_text(y, x, right - x, f->message);
    }
}
