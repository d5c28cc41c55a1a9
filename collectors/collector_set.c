/* collector_set: the collectors opened for one target, sampled together each tick. */
#include "collectors/collector.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

struct collector_slot {
    const struct collector_ops *ops;
    void *state;                          /* NULL when unavailable for this target */
    char reason[COLLECTOR_REASON_LEN];    /* why unavailable (kept for every tick) */
};

struct collector_set {
    struct collector_slot slot[SNAPSHOT_MAX_COLLECTORS];
    size_t n;
    const struct target *target;
};

/* Parse "a,b,c" into the set, checking each name against the registry. */
static int select_names(struct collector_set *cs, const char *names, char *msg, size_t len)
{
    char buf[512];
    util_strlcpy(buf, names, sizeof(buf));
    char *save = NULL;
    for (char *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        const struct collector_ops *ops = collector_find(tok);
        if (!ops) {
            snprintf(msg, len, "unknown collector '%s' (see --list-collectors)", tok);
            return -EINVAL;
        }
        bool dup = false;
        for (size_t i = 0; i < cs->n; i++)
            dup |= cs->slot[i].ops == ops;
        if (!dup && cs->n < SNAPSHOT_MAX_COLLECTORS)
            cs->slot[cs->n++].ops = ops;
    }
    if (cs->n == 0) {
        snprintf(msg, len, "--collectors: empty list (see --list-collectors)");
        return -EINVAL;
    }
    return 0;
}

int collector_names_check(const char *names, char *msg, size_t msglen)
{
    struct collector_set probe = { .n = 0 };
    return select_names(&probe, names, msg, msglen);
}

struct collector_set *collector_set_open(const char *names, const struct target *t,
                                         const struct collector_config *cfg,
                                         char *msg, size_t msglen)
{
    struct collector_set *cs = calloc(1, sizeof(*cs));
    if (!cs) {
        snprintf(msg, msglen, "out of memory");
        return NULL;
    }
    cs->target = t;
    if (names) {
        if (select_names(cs, names, msg, msglen) < 0) {
            free(cs);
            return NULL;
        }
    } else {
        for (size_t i = 0; i < collector_count() && i < SNAPSHOT_MAX_COLLECTORS; i++)
            cs->slot[cs->n++].ops = collector_at(i);
    }
    /* A collector that cannot work is kept with its reason: the pane shows it. */
    for (size_t i = 0; i < cs->n; i++) {
        struct collector_slot *sl = &cs->slot[i];
        if (sl->ops->probe && !sl->ops->probe(sl->reason, sizeof(sl->reason)))
            continue;
        sl->state = sl->ops->open(t, cfg, sl->reason, sizeof(sl->reason));
    }
    return cs;
}

int collector_set_sample(struct collector_set *cs, struct snapshot *s)
{
    int result = 0;
    for (size_t i = 0; i < cs->n; i++) {
        struct collector_slot *sl = &cs->slot[i];
        if (!sl->state) {
            snapshot_set_status(s, sl->ops->name, false, sl->reason);
            continue;
        }
        char reason[COLLECTOR_REASON_LEN] = "";
        int rc = sl->ops->sample(sl->state, cs->target, s, reason, sizeof(reason));
        if (rc == -ESRCH)
            result = -ESRCH;
        snapshot_set_status(s, sl->ops->name, rc == 0, reason);
    }
    return result;
}

void collector_set_close(struct collector_set *cs)
{
    if (!cs)
        return;
    for (size_t i = 0; i < cs->n; i++)
        if (cs->slot[i].state)
            cs->slot[i].ops->close(cs->slot[i].state);
    free(cs);
}

void collector_list_print(FILE *out)
{
    for (size_t i = 0; i < collector_count(); i++) {
        const struct collector_ops *ops = collector_at(i);
        char reason[COLLECTOR_REASON_LEN] = "";
        bool ok = ops->probe ? ops->probe(reason, sizeof(reason)) : true;
        if (ok)
            fprintf(out, "%s: available%s%s\n", ops->name, reason[0] ? ": " : "", reason);
        else
            fprintf(out, "%s: unavailable: %s\n", ops->name, reason);
        fprintf(out, "    %s (pane: %s)\n", ops->summary, ops->pane);
    }
}
