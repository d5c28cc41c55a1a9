/* mhd_dl: look libmicrohttpd up at run time (see mhd_dl.h for why). */
#include "config.h"

#ifdef HAVE_MICROHTTPD

#include "export/mhd_dl.h"
#include "base/util.h"

#include <dlfcn.h>
#include <stdio.h>

#ifndef MHD_SONAME
#define MHD_SONAME "libmicrohttpd.so.12"   /* the ABI since 0.9.3x; configure checks */
#endif

static struct mhd_api api;
static int loaded;                 /* 0 not tried, 1 loaded, -1 failed */
static char load_error[300];

/* One libmicrohttpd function into its slot of the table. */
static int take(void *lib, const char *name, void *slot)
{
    return util_dl_take(lib, MHD_SONAME, name, slot, load_error, sizeof(load_error));
}

const struct mhd_api *mhd_load(char *why, size_t len)
{
    if (loaded == 0) {
        loaded = -1;
        /* RTLD_NOW: a missing symbol shows here, not on the first request. */
        void *lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
        if (!lib)
            snprintf(load_error, sizeof(load_error), "%s; --listen needs libmicrohttpd "
                     "(Debian: apt-get install libmicrohttpd12)", dlerror());
        else if (take(lib, "MHD_start_daemon", &api.start_daemon) == 0 &&
                 take(lib, "MHD_stop_daemon", &api.stop_daemon) == 0 &&
                 take(lib, "MHD_create_response_from_buffer",
                      &api.create_response_from_buffer) == 0 &&
                 take(lib, "MHD_create_response_from_callback",
                      &api.create_response_from_callback) == 0 &&
                 take(lib, "MHD_add_response_header", &api.add_response_header) == 0 &&
                 take(lib, "MHD_queue_response", &api.queue_response) == 0 &&
                 take(lib, "MHD_destroy_response", &api.destroy_response) == 0 &&
                 take(lib, "MHD_lookup_connection_value", &api.lookup_connection_value) == 0)
            loaded = 1;
        else
            dlclose(lib);
    }
    if (loaded < 0) {
        if (why && len)
            snprintf(why, len, "%s", load_error);
        return NULL;
    }
    return &api;
}

#endif
