/* go_offsets: Go runtime struct layouts and global addresses, from DWARF or a version table. */
#ifndef GMPTOP_GO_OFFSETS_H
#define GMPTOP_GO_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

#include "target/go_binary.h"

/* How a field's value is found in DWARF. */
enum go_field_kind {
    GO_KIND_OFFSET,  /* byte offset of a (possibly nested, "a.b") member in a struct */
    GO_KIND_LEN,     /* element count of an array member */
    GO_KIND_SIZE,    /* byte size of the struct itself (path "") */
    GO_KIND_VARLEN,  /* element count of a global array variable (struct = variable) */
};

/* One list for the enum, the names and the DWARF lookups, so they cannot drift apart.
 * X(enum, struct or variable, member path, kind). Members that moved or vanished
 * between Go versions are separate entries: the reader picks whichever is present. */
#define GO_FIELDS(X) \
    X(GO_P_ID,              "runtime.p", "id", GO_KIND_OFFSET) \
    X(GO_P_STATUS,          "runtime.p", "status", GO_KIND_OFFSET) \
    X(GO_P_SCHEDTICK,       "runtime.p", "schedtick", GO_KIND_OFFSET) \
    X(GO_P_SYSCALLTICK,     "runtime.p", "syscalltick", GO_KIND_OFFSET) \
    X(GO_P_M,               "runtime.p", "m", GO_KIND_OFFSET) \
    X(GO_P_RUNQHEAD,        "runtime.p", "runqhead", GO_KIND_OFFSET) \
    X(GO_P_RUNQTAIL,        "runtime.p", "runqtail", GO_KIND_OFFSET) \
    X(GO_P_RUNQ,            "runtime.p", "runq", GO_KIND_OFFSET) \
    X(GO_P_RUNQ_LEN,        "runtime.p", "runq", GO_KIND_LEN) \
    X(GO_P_RUNNEXT,         "runtime.p", "runnext", GO_KIND_OFFSET) \
    X(GO_P_SIZE,            "runtime.p", "", GO_KIND_SIZE) \
    X(GO_SCHED_NMIDLE,      "runtime.schedt", "nmidle", GO_KIND_OFFSET) \
    X(GO_SCHED_NMIDLELOCKED, "runtime.schedt", "nmidlelocked", GO_KIND_OFFSET) \
    X(GO_SCHED_MNEXT,       "runtime.schedt", "mnext", GO_KIND_OFFSET) \
    X(GO_SCHED_NMSYS,       "runtime.schedt", "nmsys", GO_KIND_OFFSET) \
    X(GO_SCHED_NMFREED,     "runtime.schedt", "nmfreed", GO_KIND_OFFSET) \
    X(GO_SCHED_NGSYS,       "runtime.schedt", "ngsys", GO_KIND_OFFSET) \
    X(GO_SCHED_NPIDLE,      "runtime.schedt", "npidle", GO_KIND_OFFSET) \
    X(GO_SCHED_NMSPINNING,  "runtime.schedt", "nmspinning", GO_KIND_OFFSET) \
    X(GO_SCHED_NEEDSPINNING, "runtime.schedt", "needspinning", GO_KIND_OFFSET) \
    X(GO_SCHED_RUNQ,        "runtime.schedt", "runq", GO_KIND_OFFSET) \
    X(GO_SCHED_RUNQSIZE,    "runtime.schedt", "runqsize", GO_KIND_OFFSET) \
    X(GO_SCHED_RUNQ_SIZE,   "runtime.schedt", "runq.size", GO_KIND_OFFSET) \
    X(GO_SCHED_GCWAITING,   "runtime.schedt", "gcwaiting", GO_KIND_OFFSET) \
    X(GO_SCHED_TIMETORUN,   "runtime.schedt", "timeToRun", GO_KIND_OFFSET) \
    X(GO_SCHED_STWTOTALTIMEGC, "runtime.schedt", "stwTotalTimeGC", GO_KIND_OFFSET) \
    X(GO_SCHED_GOIDGEN,     "runtime.schedt", "goidgen", GO_KIND_OFFSET) \
    X(GO_SCHED_CUSTOMGOMAXPROCS, "runtime.schedt", "customGOMAXPROCS", GO_KIND_OFFSET) \
    X(GO_SCHED_SIZE,        "runtime.schedt", "", GO_KIND_SIZE) \
    X(GO_M_ID,              "runtime.m", "id", GO_KIND_OFFSET) \
    X(GO_M_PROCID,          "runtime.m", "procid", GO_KIND_OFFSET) \
    X(GO_M_CURG,            "runtime.m", "curg", GO_KIND_OFFSET) \
    X(GO_M_P,               "runtime.m", "p", GO_KIND_OFFSET) \
    X(GO_M_SPINNING,        "runtime.m", "spinning", GO_KIND_OFFSET) \
    X(GO_M_BLOCKED,         "runtime.m", "blocked", GO_KIND_OFFSET) \
    X(GO_M_LOCKEDG,         "runtime.m", "lockedg", GO_KIND_OFFSET) \
    X(GO_M_ALLLINK,         "runtime.m", "alllink", GO_KIND_OFFSET) \
    X(GO_M_OLDP,            "runtime.m", "oldp", GO_KIND_OFFSET) \
    X(GO_M_SIZE,            "runtime.m", "", GO_KIND_SIZE) \
    X(GO_G_ATOMICSTATUS,    "runtime.g", "atomicstatus", GO_KIND_OFFSET) \
    X(GO_G_GOID,            "runtime.g", "goid", GO_KIND_OFFSET) \
    X(GO_G_WAITREASON,      "runtime.g", "waitreason", GO_KIND_OFFSET) \
    X(GO_G_M,               "runtime.g", "m", GO_KIND_OFFSET) \
    X(GO_G_LOCKEDM,         "runtime.g", "lockedm", GO_KIND_OFFSET) \
    X(GO_G_STACK_LO,        "runtime.g", "stack.lo", GO_KIND_OFFSET) \
    X(GO_G_STACK_HI,        "runtime.g", "stack.hi", GO_KIND_OFFSET) \
    X(GO_G_SCHED_SP,        "runtime.g", "sched.sp", GO_KIND_OFFSET) \
    X(GO_G_SCHED_PC,        "runtime.g", "sched.pc", GO_KIND_OFFSET) \
    X(GO_G_SCHED_BP,        "runtime.g", "sched.bp", GO_KIND_OFFSET) \
    X(GO_G_GOPC,            "runtime.g", "gopc", GO_KIND_OFFSET) \
    X(GO_G_STARTPC,         "runtime.g", "startpc", GO_KIND_OFFSET) \
    X(GO_G_WAITSINCE,       "runtime.g", "waitsince", GO_KIND_OFFSET) \
    X(GO_G_SIZE,            "runtime.g", "", GO_KIND_SIZE) \
    X(GO_TIMEHIST_COUNTS,   "runtime.timeHistogram", "counts", GO_KIND_OFFSET) \
    X(GO_TIMEHIST_NBUCKETS, "runtime.timeHistogram", "counts", GO_KIND_LEN) \
    X(GO_TIMEHIST_UNDERFLOW, "runtime.timeHistogram", "underflow", GO_KIND_OFFSET) \
    X(GO_TIMEHIST_OVERFLOW, "runtime.timeHistogram", "overflow", GO_KIND_OFFSET) \
    X(GO_TIMEHIST_SIZE,     "runtime.timeHistogram", "", GO_KIND_SIZE) \
    X(GO_MSTATS_NUMGC,      "runtime.mstats", "numgc", GO_KIND_OFFSET) \
    X(GO_MSTATS_PAUSE_NS,   "runtime.mstats", "pause_ns", GO_KIND_OFFSET) \
    X(GO_MSTATS_PAUSE_NS_LEN, "runtime.mstats", "pause_ns", GO_KIND_LEN) \
    X(GO_MSTATS_PAUSE_TOTAL_NS, "runtime.mstats", "pause_total_ns", GO_KIND_OFFSET) \
    X(GO_MSTATS_LAST_GC_UNIX, "runtime.mstats", "last_gc_unix", GO_KIND_OFFSET) \
    X(GO_MSTATS_LAST_GC_NANOTIME, "runtime.mstats", "last_gc_nanotime", GO_KIND_OFFSET) \
    X(GO_MSTATS_GCPAUSEDIST, "runtime.mstats", "gcPauseDist", GO_KIND_OFFSET) \
    X(GO_WAITREASONSTRINGS_LEN, "runtime.waitReasonStrings", "", GO_KIND_VARLEN)

/* Global variables whose link-time addresses gmptop needs. */
#define GO_GLOBALS(X) \
    X(GO_GLOBAL_ALLP,       "runtime.allp") \
    X(GO_GLOBAL_SCHED,      "runtime.sched") \
    X(GO_GLOBAL_GOMAXPROCS, "runtime.gomaxprocs") \
    X(GO_GLOBAL_NCPU,       "runtime.ncpu") \
    X(GO_GLOBAL_ALLGS,      "runtime.allgs") \
    X(GO_GLOBAL_ALLGLEN,    "runtime.allglen") \
    X(GO_GLOBAL_ALLM,       "runtime.allm") \
    X(GO_GLOBAL_M0,         "runtime.m0") \
    X(GO_GLOBAL_WAITREASONSTRINGS, "runtime.waitReasonStrings") \
    X(GO_GLOBAL_MEMSTATS,   "runtime.memstats")

#define GO_ENUM_FIELD_(e, s, p, k) e,
#define GO_ENUM_GLOBAL_(e, n) e,
enum go_field { GO_FIELDS(GO_ENUM_FIELD_) GO_FIELD_COUNT };
enum go_global { GO_GLOBALS(GO_ENUM_GLOBAL_) GO_GLOBAL_COUNT };
#undef GO_ENUM_FIELD_
#undef GO_ENUM_GLOBAL_

enum go_offsets_source {
    GO_OFFSETS_DWARF,
    GO_OFFSETS_TABLE,
    GO_OFFSETS_DERIVED,   /* from the binary's type descriptors and code (go_derive.h) */
};

enum go_offsets_error {
    GO_OFFSETS_OK = 0,
    GO_OFFSETS_ERR_NODATA = -1,  /* no usable DWARF and the version is not in the table */
    GO_OFFSETS_ERR_DWARF = -2,   /* DWARF present but unreadable or missing runtime types */
    GO_OFFSETS_ERR_OPEN = -3,    /* the file could not be opened */
    GO_OFFSETS_ERR_NOMEM = -4,
};

struct go_offsets {
    int64_t field[GO_FIELD_COUNT];    /* bytes or counts; -1 = absent in this version */
    uint8_t width[GO_FIELD_COUNT];    /* byte size of an OFFSET member's type; 0 unknown */
    uint64_t global[GO_GLOBAL_COUNT]; /* link-time address; 0 = unknown */
    enum go_offsets_source source;
    char go_version[48];              /* the binary's version */
    char table_version[48];           /* the table entry used (source TABLE), else "" */
    double parse_ms;                  /* time spent reading DWARF, 0 for the table */
};

struct go_field_spec {
    const char *id;      /* "GO_P_RUNQHEAD" */
    const char *owner;   /* "runtime.p", or the variable for GO_KIND_VARLEN */
    const char *path;    /* "runqhead", "runq.size", "" */
    enum go_field_kind kind;
};

const struct go_field_spec *go_field_spec(enum go_field f);
const char *go_global_name(enum go_global g);   /* "runtime.allp" */
const char *go_global_id(enum go_global g);     /* "GO_GLOBAL_ALLP" */

/* Layouts and globals for a parsed binary at path. DWARF when the binary has it, else
 * the committed table (exact version, else the same minor) with globals from the
 * symbol table when there is one, else layouts derived from the binary itself (path
 * needed), to be verified against the live process by the caller. The environment
 * variable GMPTOP_OFFSET_TABLE=off ignores the table, as for a release it has never
 * seen. Cached per build id.
 * Returns 0, and reason may still carry a note (e.g. "no symbols for globals",
 * "offsets taken from go1.19.8"); "" when there is nothing to say. On failure returns an
 * enum go_offsets_error and reason says why in one line. */
int go_offsets_load(const struct go_binary *bin, const char *path, struct go_offsets *out,
                    char *reason, size_t len);

/* Forget cached results (tests). */
void go_offsets_cache_clear(void);

/* The size of the global runqueue, wherever this version keeps it: schedt.runqsize
 * up to Go 1.24, schedt.runq.size from 1.25. -1 when neither is present. */
static inline int64_t go_offsets_sched_runqsize(const struct go_offsets *o)
{
    return o->field[GO_SCHED_RUNQSIZE] >= 0 ? o->field[GO_SCHED_RUNQSIZE]
                                           : o->field[GO_SCHED_RUNQ_SIZE];
}

/* ---- below: internals shared with the table generator and the tests ------------------ */

/* Read layouts and global addresses from the DWARF of the ELF file at path. All fields
 * start at -1 and globals at 0. Returns 0, GO_OFFSETS_ERR_NODATA when the file has no
 * .debug_info, GO_OFFSETS_ERR_OPEN, or GO_OFFSETS_ERR_DWARF (with reason). */
int go_dwarf_extract(const char *path, struct go_offsets *out, char *reason, size_t len);

/* One layout value not in GO_FIELDS (a new member, a deeper path) of a package runtime
 * type or variable, read from the DWARF of path the same way, e.g.
 * { "x", "runtime.schedt", "runq.size", GO_KIND_OFFSET }.
 * Returns 0, GO_OFFSETS_ERR_NODATA when the type, member or DWARF is absent (value -1),
 * or another enum go_offsets_error; reason says which. */
int go_dwarf_lookup(const char *path, const struct go_field_spec *spec, int64_t *value,
                    uint8_t *width, char *reason, size_t len);

/* The committed table (src/go_offsets_table.c, generated by scripts/gen-offsets.sh). */
struct go_offsets_table_field {
    int32_t value_plus1;   /* 0 = absent (so a field added after generation reads absent) */
    uint8_t width;
};
struct go_offsets_table_entry {
    const char *version;   /* "go1.19.8" */
    const char *family;    /* "go1.19" */
    struct go_offsets_table_field field[GO_FIELD_COUNT];
};
extern const struct go_offsets_table_entry go_offsets_table[];
extern const size_t go_offsets_table_len;

/* Fill out->field/width from the table for version. Returns 0 on an exact match, 1 on a
 * same-minor match (out->table_version says which), -1 when absent. */
int go_offsets_from_table(const char *version, struct go_offsets *out);

/* "go1.19" from "go1.19.8", "go1.21rc2", "go1.22.0 X:foo"; "" when not a release. */
void go_version_family(const char *version, char *family, size_t len);

#endif
