/* go_dwarf: read Go runtime struct layouts and global addresses from DWARF via libdw. */
#include "target/go_offsets.h"
#include "target/dw_dl.h"
#include "base/util.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* libdw through dw_dl (loaded for the length of one go_dwarf_extract): the calls below
 * keep libdw's names and go through the thread's loaded table. */
static _Thread_local const struct dw_api *dw_api;
#define dwarf_begin_elf(...) dw_api->begin_elf(__VA_ARGS__)
#define dwarf_end(...) dw_api->end(__VA_ARGS__)
#define dwarf_errmsg(...) dw_api->errmsg(__VA_ARGS__)
#define dwarf_get_units(...) dw_api->get_units(__VA_ARGS__)
#define dwarf_tag(...) dw_api->tag(__VA_ARGS__)
#define dwarf_diename(...) dw_api->diename(__VA_ARGS__)
#define dwarf_child(...) dw_api->child(__VA_ARGS__)
#define dwarf_siblingof(...) dw_api->siblingof(__VA_ARGS__)
#define dwarf_attr(...) dw_api->attr(__VA_ARGS__)
#define dwarf_attr_integrate(...) dw_api->attr_integrate(__VA_ARGS__)
#define dwarf_formref_die(...) dw_api->formref_die(__VA_ARGS__)
#define dwarf_formudata(...) dw_api->formudata(__VA_ARGS__)
#define dwarf_formblock(...) dw_api->formblock(__VA_ARGS__)
#define dwarf_peel_type(...) dw_api->peel_type(__VA_ARGS__)
#define dwarf_aggregate_size(...) dw_api->aggregate_size(__VA_ARGS__)

#define SPEC_(e, s, p, k) { #e, s, p, k },
static const struct go_field_spec field_specs[GO_FIELD_COUNT] = { GO_FIELDS(SPEC_) };
#undef SPEC_

#define GNAME_(e, n) n,
static const char *const global_names[GO_GLOBAL_COUNT] = { GO_GLOBALS(GNAME_) };
#undef GNAME_
#define GID_(e, n) #e,
static const char *const global_ids[GO_GLOBAL_COUNT] = { GO_GLOBALS(GID_) };
#undef GID_

const struct go_field_spec *go_field_spec(enum go_field f)
{
    static const struct go_field_spec none = { "?", "", "", GO_KIND_OFFSET };
    return (unsigned)f < GO_FIELD_COUNT ? &field_specs[f] : &none;
}

const char *go_global_name(enum go_global g)
{
    return (unsigned)g < GO_GLOBAL_COUNT ? global_names[g] : "?";
}

const char *go_global_id(enum go_global g)
{
    return (unsigned)g < GO_GLOBAL_COUNT ? global_ids[g] : "?";
}

/* Lives here, not in go_offsets.c, so the table generator links without a table. */
void go_version_family(const char *version, char *family, size_t len)
{
    if (!len)
        return;
    family[0] = '\0';
    if (!version || strncmp(version, "go", 2) != 0 || !isdigit((unsigned char)version[2]))
        return;
    const char *p = version + 2;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p != '.' || !isdigit((unsigned char)p[1]))
        return;
    p++;
    while (isdigit((unsigned char)*p))
        p++;
    size_t n = (size_t)(p - version);
    if (n >= len)
        return;
    memcpy(family, version, n);
    family[n] = '\0';
}

/* The struct types and variables we look for, each found at most once. */
#define MAX_OWNERS 32

struct owner {
    const char *name;
    bool is_var;
    bool found;
    Dwarf_Die die;
};

struct want {
    struct owner o[MAX_OWNERS];
    size_t n;
    size_t left;
};

static void want_add(struct want *w, const char *name, bool is_var)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->o[i].is_var == is_var && strcmp(w->o[i].name, name) == 0)
            return;
    if (w->n == MAX_OWNERS)
        return;
    w->o[w->n++] = (struct owner){ .name = name, .is_var = is_var };
    w->left++;
}

static struct owner *want_find(struct want *w, const char *name, bool is_var)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->o[i].is_var == is_var && strcmp(w->o[i].name, name) == 0)
            return &w->o[i];
    return NULL;
}

static void want_init(struct want *w)
{
    memset(w, 0, sizeof(*w));
    for (int f = 0; f < GO_FIELD_COUNT; f++) {
        const struct go_field_spec *s = go_field_spec((enum go_field)f);
        want_add(w, s->owner, s->kind == GO_KIND_VARLEN);
    }
    for (int g = 0; g < GO_GLOBAL_COUNT; g++)
        want_add(w, go_global_name((enum go_global)g), true);
}

/* Look at one top-level DIE of a runtime CU; remember it if it is one we want. */
static void consider_die(struct want *w, Dwarf_Die *die)
{
    int tag = dwarf_tag(die);
    bool is_var;
    if (tag == DW_TAG_structure_type)
        is_var = false;
    else if (tag == DW_TAG_variable)
        is_var = true;
    else
        return;
    const char *name = dwarf_diename(die);
    /* Everything we want lives in package runtime; skip the rest without a search. */
    if (!name || strncmp(name, "runtime.", 8) != 0)
        return;
    struct owner *o = want_find(w, name, is_var);
    if (!o || o->found)
        return;
    o->found = true;
    o->die = *die;
    w->left--;
}

/* The type of die with typedefs peeled off. */
static bool type_of(Dwarf_Die *die, Dwarf_Die *type)
{
    Dwarf_Attribute attr;
    Dwarf_Die raw;
    if (!dwarf_attr_integrate(die, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &raw))
        return false;
    return dwarf_peel_type(&raw, type) == 0;
}

static bool find_member(Dwarf_Die *st, const char *name, size_t nlen, Dwarf_Die *member)
{
    Dwarf_Die child;
    if (dwarf_child(st, &child) != 0)
        return false;
    do {
        if (dwarf_tag(&child) != DW_TAG_member)
            continue;
        const char *n = dwarf_diename(&child);
        if (n && strlen(n) == nlen && memcmp(n, name, nlen) == 0) {
            *member = child;
            return true;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return false;
}

/* Walk "a.b.c" from struct st: total offset and the last member's peeled type. */
static bool resolve_path(Dwarf_Die *st, const char *path, int64_t *offset, Dwarf_Die *type)
{
    Dwarf_Die cur = *st;
    int64_t total = 0;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        Dwarf_Die member;
        Dwarf_Attribute attr;
        Dwarf_Word loc;
        if (dwarf_tag(&cur) != DW_TAG_structure_type || !find_member(&cur, p, n, &member))
            return false;
        /* Go always writes a constant; an expression location would need evaluating. */
        if (!dwarf_attr(&member, DW_AT_data_member_location, &attr) ||
            dwarf_formudata(&attr, &loc) != 0)
            return false;
        total += (int64_t)loc;
        if (!type_of(&member, &cur))
            return false;
        if (!dot)
            break;
        p = dot + 1;
    }
    *offset = total;
    *type = cur;
    return true;
}

/* Element count of an array type (DW_AT_count, or upper bound + 1). */
static bool array_count(Dwarf_Die *arr, int64_t *count)
{
    Dwarf_Die sub;
    if (dwarf_tag(arr) != DW_TAG_array_type || dwarf_child(arr, &sub) != 0)
        return false;
    do {
        if (dwarf_tag(&sub) != DW_TAG_subrange_type)
            continue;
        Dwarf_Attribute attr;
        Dwarf_Word v;
        if (dwarf_attr(&sub, DW_AT_count, &attr) && dwarf_formudata(&attr, &v) == 0) {
            *count = (int64_t)v;
            return true;
        }
        if (dwarf_attr(&sub, DW_AT_upper_bound, &attr) && dwarf_formudata(&attr, &v) == 0) {
            *count = (int64_t)v + 1;
            return true;
        }
        return false;
    } while (dwarf_siblingof(&sub, &sub) == 0);
    return false;
}

/* Byte size of a member's type; for an array, of one element. 0 if unknown or > 255. */
static uint8_t type_width(Dwarf_Die *type)
{
    Dwarf_Die t = *type;
    Dwarf_Word size;
    if (dwarf_tag(&t) == DW_TAG_array_type && !type_of(type, &t))
        return 0;
    if (dwarf_aggregate_size(&t, &size) != 0 || size > 255)
        return 0;
    return (uint8_t)size;
}

/* Value (and width) of one spec from the owners found; false when absent. */
static bool resolve_spec(struct want *w, const struct go_field_spec *s, int64_t *value,
                         uint8_t *width)
{
    struct owner *o = want_find(w, s->owner, s->kind == GO_KIND_VARLEN);
    if (!o || !o->found)
        return false;
    Dwarf_Die type;
    int64_t off = 0, count;
    Dwarf_Word size;
    *width = 0;
    switch (s->kind) {
    case GO_KIND_SIZE:
        if (dwarf_aggregate_size(&o->die, &size) != 0)
            return false;
        *value = (int64_t)size;
        return true;
    case GO_KIND_OFFSET:
        if (!resolve_path(&o->die, s->path, &off, &type))
            return false;
        *value = off;
        *width = type_width(&type);
        return true;
    case GO_KIND_LEN:
        if (!resolve_path(&o->die, s->path, &off, &type) || !array_count(&type, &count))
            return false;
        *value = count;
        return true;
    case GO_KIND_VARLEN:
        if (!type_of(&o->die, &type) || !array_count(&type, &count))
            return false;
        *value = count;
        return true;
    }
    return false;
}

/* Go writes DW_AT_location as a block that dwarf_getlocation refuses: decode
 * DW_OP_addr followed by a little-endian address by hand. */
static uint64_t var_address(Dwarf_Die *var)
{
    Dwarf_Attribute attr;
    Dwarf_Block blk;
    if (!dwarf_attr(var, DW_AT_location, &attr) || dwarf_formblock(&attr, &blk) != 0)
        return 0;
    if ((blk.length != 9 && blk.length != 5) || blk.data[0] != DW_OP_addr)
        return 0;
    uint64_t a = 0;
    for (size_t i = blk.length - 1; i >= 1; i--)
        a = (a << 8) | blk.data[i];
    return a;
}

/* Visit the top-level DIEs of the CUs named "runtime" until everything is found. */
static void scan_units(Dwarf *dw, struct want *w)
{
    Dwarf_CU *cu = NULL;
    Dwarf_Die cudie, die;
    Dwarf_Half version;
    uint8_t unit_type;
    while (w->left > 0 &&
           dwarf_get_units(dw, cu, &cu, &version, &unit_type, &cudie, NULL) == 0) {
        const char *name = dwarf_diename(&cudie);
        if (!name || strcmp(name, "runtime") != 0)
            continue;
        if (dwarf_child(&cudie, &die) != 0)
            continue;
        do {
            consider_die(w, &die);
        } while (w->left > 0 && dwarf_siblingof(&die, &die) == 0);
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Open the ELF and make sure it has DWARF, so "none" and "broken" read differently. */
static int open_elf(int fd, const char *path, Elf **out, char *reason, size_t len)
{
    elf_version(EV_CURRENT);
    Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    size_t shstrndx;
    if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0) {
        util_reason(reason, len, "%s: not an ELF file: %s", path, elf_errmsg(-1));
        if (elf)
            elf_end(elf);
        return GO_OFFSETS_ERR_DWARF;
    }
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        const char *name;
        if (gelf_getshdr(scn, &sh) && (name = elf_strptr(elf, shstrndx, sh.sh_name)) &&
            (strcmp(name, ".debug_info") == 0 || strcmp(name, ".zdebug_info") == 0)) {
            *out = elf;
            return GO_OFFSETS_OK;
        }
    }
    elf_end(elf);
    util_reason(reason, len, "%s: no DWARF", path);
    return GO_OFFSETS_ERR_NODATA;
}

static void offsets_clear(struct go_offsets *out)
{
    memset(out, 0, sizeof(*out));
    for (int f = 0; f < GO_FIELD_COUNT; f++)
        out->field[f] = -1;
    out->source = GO_OFFSETS_DWARF;
}

struct session {
    int fd;
    Elf *elf;
    Dwarf *dw;
    struct dw_api api;
};

static int session_open(struct session *s, const char *path, char *reason, size_t len)
{
    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) {
        int e = errno;
        util_reason(reason, len, "open %s: %s", path, strerror(e));
        return GO_OFFSETS_ERR_OPEN;
    }
    int rc = open_elf(s->fd, path, &s->elf, reason, len);
    if (rc != GO_OFFSETS_OK) {
        close(s->fd);
        return rc;
    }
    char why[256];
    if (dw_open(&s->api, why, sizeof(why)) != 0) {
        util_reason(reason, len, "%s: reading DWARF: %s", path, why);
        elf_end(s->elf);
        close(s->fd);
        return GO_OFFSETS_ERR_DWARF;
    }
    dw_api = &s->api;
    s->dw = dwarf_begin_elf(s->elf, DWARF_C_READ, NULL);
    if (!s->dw) {
        util_reason(reason, len, "%s: reading DWARF: %s", path, dwarf_errmsg(-1));
        dw_api = NULL;
        dw_close(&s->api);
        elf_end(s->elf);
        close(s->fd);
        return GO_OFFSETS_ERR_DWARF;
    }
    return GO_OFFSETS_OK;
}

static void session_close(struct session *s)
{
    dwarf_end(s->dw);
    dw_api = NULL;
    dw_close(&s->api);
    elf_end(s->elf);
    close(s->fd);
}

int go_dwarf_extract(const char *path, struct go_offsets *out, char *reason, size_t len)
{
    static const char *const required[] = { "runtime.p", "runtime.schedt", "runtime.m",
                                            "runtime.g" };
    offsets_clear(out);
    util_reason(reason, len, "%s", "");
    double t0 = now_ms();
    struct session ses;
    int rc = session_open(&ses, path, reason, len);
    if (rc != GO_OFFSETS_OK)
        return rc;
    struct want w;
    want_init(&w);
    scan_units(ses.dw, &w);

    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        struct owner *o = want_find(&w, required[i], false);
        if (!o || !o->found) {
            util_reason(reason, len, "%s: DWARF has no %s type", path, required[i]);
            rc = GO_OFFSETS_ERR_DWARF;
            break;
        }
    }
    if (rc == GO_OFFSETS_OK) {
        for (int f = 0; f < GO_FIELD_COUNT; f++)
            if (!resolve_spec(&w, go_field_spec((enum go_field)f), &out->field[f],
                              &out->width[f]))
                out->field[f] = -1;
        for (int g = 0; g < GO_GLOBAL_COUNT; g++) {
            struct owner *o = want_find(&w, go_global_name((enum go_global)g), true);
            if (o && o->found)
                out->global[g] = var_address(&o->die);
        }
    }
    session_close(&ses);
    out->parse_ms = now_ms() - t0;
    return rc;
}

int go_dwarf_lookup(const char *path, const struct go_field_spec *spec, int64_t *value,
                    uint8_t *width, char *reason, size_t len)
{
    util_reason(reason, len, "%s", "");
    *value = -1;
    *width = 0;
    struct session ses;
    int rc = session_open(&ses, path, reason, len);
    if (rc != GO_OFFSETS_OK)
        return rc;
    struct want w;
    memset(&w, 0, sizeof(w));
    want_add(&w, spec->owner, spec->kind == GO_KIND_VARLEN);
    scan_units(ses.dw, &w);
    if (!resolve_spec(&w, spec, value, width)) {
        *value = -1;
        util_reason(reason, len, "%s: DWARF has no %s%s%s", path, spec->owner,
                   spec->path[0] ? "." : "", spec->path);
        rc = GO_OFFSETS_ERR_NODATA;
    }
    session_close(&ses);
    return rc;
}
