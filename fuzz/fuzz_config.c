/* fuzz_config: theme files and the settings file on arbitrary bytes; byte 0 picks. */
#include <stdint.h>

#include "base/settings.h"
#include "tui/theme.h"

static void ignore(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        struct theme t;
        theme_default(&t);
        theme_parse_buf((const char *)data + 1, size - 1, "fuzz.theme", &t, ignore, NULL);
        theme_adapt(&t, (int)(data[0] >> 1) - 1);
    } else {
        struct settings *c = settings_new();
        if (!c)
            return 0;
        settings_parse(c, (const char *)data + 1, size - 1, "gmptoprc", ignore, NULL);
        bool bad = false;
        settings_get_double(c, "diag.runq_backlog.hold_s", 5, &bad);
        settings_get_bool(c, "diag.gc_pressure.enabled", true, &bad);
        settings_free(c);
    }
    return 0;
}
