/* go_offsets: runtime layouts from DWARF or the committed table, cached by build id. */
#include "target/go_offsets.h"
#include "base/util.h"
#include "target/go_derive.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The version without build suffixes (" X:exp"): what the table is keyed by. */
static void version_key(const char *version, char *key, size_t len)
{
    size_t n = strcspn(version, " \t");
    if (n >= len)
        n = len - 1;
    memcpy(key, version, n);
    key[n] = '\0';
}

static void apply_entry(const struct go_offsets_table_entry *e, struct go_offsets *out)
{
    for (int f = 0; f < GO_FIELD_COUNT; f++) {
        out->field[f] = (int64_t)e->field[f].value_plus1 - 1;
        out->width[f] = e->field[f].width;
    }
    snprintf(out->table_version, sizeof(out->table_version), "%s", e->version);
}

int go_offsets_from_table(const char *version, struct go_offsets *out)
{
    char key[64], family[32];
    version_key(version ? version : "", key, sizeof(key));
    go_version_family(key, family, sizeof(family));
    const struct go_offsets_table_entry *same_minor = NULL;
    for (size_t i = 0; i < go_offsets_table_len; i++) {
        const struct go_offsets_table_entry *e = &go_offsets_table[i];
        if (strcmp(e->version, key) == 0) {
            apply_entry(e, out);
            return 0;
        }
        /* The last entry of a family is the newest patch release the script saw. */
        if (family[0] && strcmp(e->family, family) == 0)
            same_minor = e;
    }
    if (!same_minor)
        return -1;
    apply_entry(same_minor, out);
    return 1;
}

/* ---- process-wide cache by build id --------------------------------------------------- */

#define CACHE_SLOTS 8

struct cache_slot {
    char build_id[128];
    struct go_offsets off;
    char reason[256];
    unsigned long last_use;
};

static struct cache_slot cache[CACHE_SLOTS];
static unsigned long cache_clock;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static bool cache_get(const char *id, struct go_offsets *out, char *reason, size_t len)
{
    bool hit = false;
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (cache[i].build_id[0] && strcmp(cache[i].build_id, id) == 0) {
            *out = cache[i].off;
            util_reason(reason, len, "%s", cache[i].reason);
            cache[i].last_use = ++cache_clock;
            hit = true;
            break;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return hit;
}

static void cache_put(const char *id, const struct go_offsets *off, const char *reason)
{
    if (strlen(id) >= sizeof(cache[0].build_id))
        return;
    pthread_mutex_lock(&cache_lock);
    int victim = 0;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (!cache[i].build_id[0] || strcmp(cache[i].build_id, id) == 0) {
            victim = i;
            break;
        }
        if (cache[i].last_use < cache[victim].last_use)
            victim = i;
    }
    struct cache_slot *s = &cache[victim];
    snprintf(s->build_id, sizeof(s->build_id), "%s", id);
    s->off = *off;
    snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
    s->last_use = ++cache_clock;
    pthread_mutex_unlock(&cache_lock);
}

void go_offsets_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    memset(cache, 0, sizeof(cache));
    cache_clock = 0;
    pthread_mutex_unlock(&cache_lock);
}

/* ---- loading -------------------------------------------------------------------------- */

/* Globals from the ELF symbol table, for a binary linked with -w but not -s. Returns how
 * many were found. */
static int globals_from_symtab(const struct go_binary *bin, struct go_offsets *out)
{
    if (go_binary_symbol_source(bin) != GO_SYMBOLS_SYMTAB)
        return 0;
    int n = 0;
    for (int g = 0; g < GO_GLOBAL_COUNT; g++) {
        uint64_t addr = 0, size = 0;
        if (go_binary_lookup(bin, go_global_name((enum go_global)g), &addr, &size) == 0 &&
            addr) {
            out->global[g] = addr;
            n++;
        }
    }
    return n;
}

static int load_from_table(const struct go_binary *bin, const char *version,
                           const char *why_not_dwarf, bool dwarf_broken,
                           struct go_offsets *out, char *reason, size_t len)
{
    int m = go_offsets_from_table(version, out);
    if (m < 0) {
        util_reason(reason, len,
                   "Go %s: %s and this version is not in the offset table", version,
                   why_not_dwarf);
        return GO_OFFSETS_ERR_NODATA;
    }
    out->source = GO_OFFSETS_TABLE;
    out->parse_ms = 0;
    char note[400] = "";
    if (m == 1)
        snprintf(note, sizeof(note),
                 "layouts taken from %s (same minor release; %s not in the table)",
                 out->table_version, version);
    if (dwarf_broken) {
        size_t used = strlen(note);
        snprintf(note + used, sizeof(note) - used, "%sDWARF unusable (%s)",
                 used ? "; " : "", why_not_dwarf);
    }
    if (globals_from_symtab(bin, out) == 0)
        util_reason(reason, len, "%s%sno symbols for globals", note, note[0] ? "; " : "");
    else
        util_reason(reason, len, "%s", note);
    return GO_OFFSETS_OK;
}

/* No DWARF, and the version not in the table (or the table switched off): derive. */
static int load_derived(const struct go_binary *bin, const char *path, const char *version,
                        const char *why_not_dwarf, bool table_off, struct go_offsets *out,
                        char *reason, size_t len)
{
    char dwhy[200] = "";
    if (!path || go_derive_layout(bin, path, out, dwhy, sizeof(dwhy)) != GO_OFFSETS_OK) {
        util_reason(reason, len, "Go %s: %s, %s, and %s", version, why_not_dwarf,
                    table_off ? "the offset table is off (GMPTOP_OFFSET_TABLE=off)"
                              : "this version is not in the offset table",
                    path ? dwhy : "no file to derive layouts from");
        return GO_OFFSETS_ERR_NODATA;
    }
    out->source = GO_OFFSETS_DERIVED;
    out->parse_ms = 0;
    /* The derived schedt offsets count from sched.lock, which is what the sched global
     * must then be, whatever a symbol table says. */
    uint64_t lock = out->global[GO_GLOBAL_SCHED];
    globals_from_symtab(bin, out);
    out->global[GO_GLOBAL_SCHED] = lock;
    util_reason(reason, len, "%s", table_off ? "offset table off" : "");
    return GO_OFFSETS_OK;
}

/* What a caller that ignores the return value reads: nothing known. */
static void offsets_unknown(struct go_offsets *out)
{
    memset(out, 0, sizeof(*out));
    for (int f = 0; f < GO_FIELD_COUNT; f++)
        out->field[f] = -1;
}

int go_offsets_load(const struct go_binary *bin, const char *path, struct go_offsets *out,
                    char *reason, size_t len)
{
    util_reason(reason, len, "%s", "");
    if (!bin || !out) {
        util_reason(reason, len, "no binary");
        return GO_OFFSETS_ERR_NODATA;
    }
    /* Pointer size and struct layouts are read as the host's: a 386 program on an
     * amd64 machine has 4-byte pointers everywhere. */
    if (strcmp(go_binary_arch(bin), go_binary_host_arch()) != 0) {
        util_reason(reason, len, "a GOARCH=%s program: gmptop reads %s Go programs only",
                    go_binary_arch(bin), go_binary_host_arch());
        offsets_unknown(out);
        return GO_OFFSETS_ERR_NODATA;
    }
    const char *id = go_binary_build_id(bin);
    if (id && id[0] && cache_get(id, out, reason, len))
        return GO_OFFSETS_OK;

    const char *version = go_binary_version(bin);
    char why[256] = "binary has no DWARF";
    int rc = GO_OFFSETS_ERR_NODATA;
    if (go_binary_has_dwarf(bin) && !path) {
        snprintf(why, sizeof(why), "no file name to read DWARF from");
    } else if (go_binary_has_dwarf(bin)) {
        rc = go_dwarf_extract(path, out, why, sizeof(why));
        if (rc == GO_OFFSETS_ERR_OPEN) {
            util_reason(reason, len, "%s", why);
            offsets_unknown(out);
            return rc;
        }
        if (rc == GO_OFFSETS_ERR_NODATA)
            snprintf(why, sizeof(why), "binary has no DWARF");
    }
    if (rc != GO_OFFSETS_OK) {
        struct go_offsets t;
        memset(&t, 0, sizeof(t));
        const char *env = getenv("GMPTOP_OFFSET_TABLE");
        bool table_off = env && strcmp(env, "off") == 0;
        rc = table_off ? GO_OFFSETS_ERR_NODATA
                       : load_from_table(bin, version, why, rc == GO_OFFSETS_ERR_DWARF, &t,
                                         reason, len);
        if (rc != GO_OFFSETS_OK)
            rc = load_derived(bin, path, version, why, table_off, &t, reason, len);
        if (rc != GO_OFFSETS_OK) {
            offsets_unknown(out);
            return rc;
        }
        *out = t;
    } else if (out->global[GO_GLOBAL_ALLP] == 0 || out->global[GO_GLOBAL_SCHED] == 0) {
        /* DWARF without these variables is odd; the symbol table may still have them. */
        globals_from_symtab(bin, out);
    }
    snprintf(out->go_version, sizeof(out->go_version), "%s", version);
    if (id && id[0])
        cache_put(id, out, reason);
    return GO_OFFSETS_OK;
}
