/* json_goroutines: the goroutine_groups keys of a snapshot's JSON (README: contract). */
#include "export/json_sections.h"

#include <math.h>

#include "export/json_util.h"
#include "model/goroutine_groups.h"

static json_object *frame_object(const struct gframe *f)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "func", json_object_new_string(f->func));
    json_object_object_add(o, "file", f->file[0] ? json_object_new_string(f->file) : NULL);
    json_object_object_add(o, "line", f->line > 0 ? json_object_new_int(f->line) : NULL);
    json_object_object_add(o, "inlined", json_object_new_boolean(f->inlined));
    return o;
}

static json_object *group_object(const struct goroutines_sample *older,
                                 const struct goroutines_sample *gs,
                                 const struct goroutine_group *g)
{
    json_object *o = json_object_new_object();
    const struct gstack *st = g->stack;
    json_object_object_add(o, "count", json_object_new_int64(g->count));
    json_object_object_add(o, "status", json_object_new_string(goroutine_group_status_name(g)));
    json_object_object_add(o, "wait_reason",
                           g->wait_reason[0] ? json_object_new_string(g->wait_reason) : NULL);
    json_object_object_add(o, "max_wait_s", json_number(g->max_wait_s, 3));
    json_object_object_add(o, "growth_per_s",
                           json_number(goroutine_group_growth_per_s(older, gs, g), 3));
    json_object_object_add(o, "start_func",
                           st->start.func[0] ? json_object_new_string(st->start.func) : NULL);
    json_object_object_add(o, "created_by",
                           st->created_by.func[0] ? frame_object(&st->created_by) : NULL);
    const struct gframe *u = gstack_user_frame(st);
    json_object_object_add(o, "wait_frame", u ? frame_object(u) : NULL);
    json_object *fr = json_object_new_array();
    for (size_t i = 0; i < st->nframes; i++)
        json_object_array_add(fr, frame_object(&st->frames[i]));
    json_object_object_add(o, "frames", fr);
    /* No frames: it was running on a thread, where its saved registers are stale. */
    json_object_object_add(o, "stack_read", json_object_new_boolean(st->nframes > 0));
    json_object_object_add(o, "truncated", json_object_new_boolean(st->truncated));
    /* Its share of the on-CPU samples of the tick it was read in; null: no profile. */
    json_object_object_add(o, "on_cpu_pct",
                           gs->oncpu_samples > 0
                               ? json_number(100.0 * (double)g->on_cpu_samples /
                                                 (double)gs->oncpu_samples, 2)
                               : gs->oncpu_samples == 0 ? json_number(0, 2) : NULL);
    return o;
}

void json_goroutines_add(json_object *root, const struct snapshot *prev,
                         const struct snapshot *cur)
{
    const struct goroutines_sample *gs = &cur->goroutines;
    const struct goroutines_sample *older = prev ? &prev->goroutines : NULL;
    if (!gs->valid) {
        json_object_object_add(root, "goroutine_groups", NULL);
        json_object_object_add(root, "goroutine_groups_sampled", NULL);
        json_object_object_add(root, "goroutine_stacks_dropped", NULL);
        json_object_object_add(root, "goroutine_groups_info", NULL);
        return;
    }
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < gs->ngroups; i++)
        if (gs->groups[i].stack)
            json_object_array_add(arr, group_object(older, gs, &gs->groups[i]));
    json_object_object_add(root, "goroutine_groups", arr);
    json_object_object_add(root, "goroutine_groups_sampled", json_object_new_boolean(gs->sampled));
    json_object_object_add(root, "goroutine_stacks_dropped",
                           json_object_new_int64(gs->stacks_dropped));
    json_object *info = json_object_new_object();
    json_object_object_add(info, "goroutines", json_object_new_int64(gs->total));
    json_object_object_add(info, "read", json_object_new_int64(gs->read));
    json_object_object_add(info, "stacks_unreadable", json_object_new_int64(gs->stacks_unreadable));
    json_object_object_add(info, "dropped_total", json_object_new_int64((int64_t)gs->dropped_total));
    json_object_object_add(info, "other_groups", json_object_new_int(gs->other_groups));
    json_object_object_add(info, "other_count", json_object_new_int64(gs->other_count));
    json_object_object_add(info, "stale", json_object_new_boolean(gs->stale));
    json_object_object_add(root, "goroutine_groups_info", info);
}
