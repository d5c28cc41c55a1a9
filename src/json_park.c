/* json_park: the "park" section of a snapshot's JSON. */
#include "json_sections.h"

json_object *json_park(const struct snapshot *prev, const struct snapshot *cur)
{
    (void)prev;
    if (!cur->park.valid)
        return NULL;
    return json_object_new_object();
}

json_object *json_wake_to_run(const struct snapshot *prev, const struct snapshot *cur)
{
    (void)prev;
    if (!cur->park.valid)
        return NULL;
    return json_object_new_object();
}
