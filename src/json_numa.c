/* json_numa: the "numa" section of a snapshot's JSON. */
#include "json_sections.h"

json_object *json_numa(const struct snapshot *prev, const struct snapshot *cur)
{
    (void)prev;
    if (!cur->numa.valid)
        return NULL;
    return json_object_new_object();
}
