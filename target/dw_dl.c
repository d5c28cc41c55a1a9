/* dw_dl: look libdw up at run time (see dw_dl.h for why). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include "target/dw_dl.h"
#include "base/util.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#ifndef DW_SONAME
#define DW_SONAME "libdw.so.1"     /* the ABI since elfutils 0.1xx; configure checks */
#endif

/* One libdw function into its slot of the table. */
static int take(void *lib, const char *name, void *slot, char *why, size_t len)
{
    return util_dl_take(lib, DW_SONAME, name, slot, why, len);
}

int dw_open(struct dw_api *api, char *why, size_t len)
{
    memset(api, 0, sizeof(*api));
    /* RTLD_NOW: a missing symbol shows here, not halfway through a binary. */
    void *lib = dlopen(DW_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(why, len, "%s; reading DWARF needs elfutils' libdw (Debian: apt-get "
                 "install libdw1)", dlerror());
        return -1;
    }
    if (take(lib, "dwarf_begin_elf", &api->begin_elf, why, len) != 0 ||
        take(lib, "dwarf_end", &api->end, why, len) != 0 ||
        take(lib, "dwarf_errmsg", &api->errmsg, why, len) != 0 ||
        take(lib, "dwarf_get_units", &api->get_units, why, len) != 0 ||
        take(lib, "dwarf_tag", &api->tag, why, len) != 0 ||
        take(lib, "dwarf_diename", &api->diename, why, len) != 0 ||
        take(lib, "dwarf_child", &api->child, why, len) != 0 ||
        take(lib, "dwarf_siblingof", &api->siblingof, why, len) != 0 ||
        take(lib, "dwarf_attr", &api->attr, why, len) != 0 ||
        take(lib, "dwarf_attr_integrate", &api->attr_integrate, why, len) != 0 ||
        take(lib, "dwarf_formref_die", &api->formref_die, why, len) != 0 ||
        take(lib, "dwarf_formudata", &api->formudata, why, len) != 0 ||
        take(lib, "dwarf_formblock", &api->formblock, why, len) != 0 ||
        take(lib, "dwarf_peel_type", &api->peel_type, why, len) != 0 ||
        take(lib, "dwarf_aggregate_size", &api->aggregate_size, why, len) != 0) {
        dlclose(lib);
        return -1;
    }
    api->lib = lib;
    return 0;
}

void dw_close(struct dw_api *api)
{
    if (api->lib)
        dlclose(api->lib);
    api->lib = NULL;
}
