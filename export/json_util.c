/* json_util: the number and null conventions every JSON section of a snapshot shares. */
#include "export/json_util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

json_object *json_number(double v, int decimals)
{
    if (!isfinite(v))
        return NULL;
    char buf[64];
    snprintf(buf, sizeof(buf), "%.*f", decimals, v);
    if (buf[0] == '-' && strspn(buf + 1, "0.") == strlen(buf + 1))
        memmove(buf, buf + 1, strlen(buf));      /* "-0.00" -> "0.00" */
    return json_object_new_double_s(v, buf);
}

json_object *json_int_or_null(int64_t v)
{
    return v < 0 ? NULL : json_object_new_int64(v);
}
