/* json_diag: diagnoses as JSON, and the start/end lines of --diagnose-only. */
#include "export/json_diag.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "export/json_util.h"

void json_format_time(int64_t ns, char *buf, size_t len)
{
    time_t sec = (time_t)(ns / 1000000000LL);
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03dZ", (int)((ns / 1000000LL) % 1000));
}

json_object *json_finding(const struct diag_finding *f)
{
    char since[40];
    json_format_time(f->since_ns, since, sizeof(since));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(f->id));
    json_object_object_add(o, "severity", json_object_new_string(diag_severity_name(f->severity)));
    json_object_object_add(o, "since", json_object_new_string(since));
    json_object_object_add(o, "message", json_object_new_string(f->message));
    json_object_object_add(o, "pane", json_object_new_string(f->pane ? f->pane : ""));
    json_object *ev = json_object_new_object();
    for (int i = 0; i < f->nevidence; i++)
        json_object_object_add(ev, f->evidence[i].key, json_number(f->evidence[i].value, 3));
    json_object_object_add(o, "evidence", ev);
    return o;
}

json_object *json_diagnoses(const struct snapshot *cur)
{
    if (!cur->diag.rules)
        return NULL;
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < cur->diag.nfindings; i++)
        json_object_array_add(arr, json_finding(&cur->diag.findings[i]));
    return arr;
}

static const struct diag_finding *find(const struct snapshot *s, const char *id)
{
    for (size_t i = 0; s && i < s->diag.nfindings; i++)
        if (strcmp(s->diag.findings[i].id, id) == 0)
            return &s->diag.findings[i];
    return NULL;
}

static void print_event(FILE *out, const char *event, const struct diag_finding *f,
                        int64_t now_ns, bool json)
{
    char when[40];
    json_format_time(now_ns, when, sizeof(when));
    if (json) {
        json_object *o = json_finding(f);
        json_object_object_add(o, "event", json_object_new_string(event));
        json_object_object_add(o, "time", json_object_new_string(when));
        fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else if (strcmp(event, "start") == 0) {
        fprintf(out, "%s START %-4s %s: %s\n", when, diag_severity_name(f->severity), f->id,
                f->message);
    } else {
        fprintf(out, "%s END   %-4s %s (lasted %.0f s)\n", when,
                diag_severity_name(f->severity), f->id, (double)(now_ns - f->since_ns) / 1e9);
    }
}

int diag_print_changes(FILE *out, const struct snapshot *prev, const struct snapshot *cur,
                       bool json)
{
    int worst = DIAG_NONE;
    for (size_t i = 0; prev && i < prev->diag.nfindings; i++)
        if (!find(cur, prev->diag.findings[i].id))
            print_event(out, "end", &prev->diag.findings[i], cur->meta.time_ns, json);
    for (size_t i = 0; i < cur->diag.nfindings; i++) {
        const struct diag_finding *f = &cur->diag.findings[i];
        if (find(prev, f->id))
            continue;
        print_event(out, "start", f, cur->meta.time_ns, json);
        if ((int)f->severity > worst)
            worst = f->severity;
    }
    return worst;
}
