/* go_globals: find the Go runtime's globals in a stripped binary from the machine code
 * that uses them, then check each one against the live process before trusting it. */
#ifndef GMPTOP_GO_GLOBALS_H
#define GMPTOP_GO_GLOBALS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "target/go_binary.h"
#include "target/go_offsets.h"
#include "target/target_mem.h"

enum go_globals_error {
    GO_GLOBALS_OK = 0,
    GO_GLOBALS_ERR_OPEN = -1,     /* the file could not be opened or read (strerror) */
    GO_GLOBALS_ERR_ELF = -2,      /* not an ELF file with .text and data sections */
    GO_GLOBALS_ERR_NOTFOUND = -3, /* runtime.allp or runtime.sched stayed unknown */
    GO_GLOBALS_ERR_READ = -4,     /* reading the target failed (reason has strerror) */
};

/* What is known about each global. A global is found statically when at least two
 * functions that use it (its anchors) decode to exactly one common address; it is
 * verified when its contents in the target look like that variable. */
struct go_globals {
    uint64_t addr[GO_GLOBAL_COUNT];  /* link-time address; 0 = unknown */
    uint8_t anchors[GO_GLOBAL_COUNT];/* functions that agreed on it (0 if not by code) */
    bool verified[GO_GLOBAL_COUNT];  /* passed the live check */
    char why[GO_GLOBAL_COUNT][112];  /* why unknown or rejected; "" when fine */
};

/* Static part: decode the anchor functions of the ELF file at path (their addresses come
 * from bin, i.e. .gopclntab when stripped) and fill out->addr[] for every global found.
 * Entries already nonzero in out->addr (say, from a symbol table) are kept, and no other
 * global is placed inside them; zero *out first to start from nothing.
 * Layout offsets used to recognise member accesses come from off (the version table
 * suffices). Returns 0 (some globals may still be unknown: see out->why) or an enum
 * go_globals_error with reason. */
int go_globals_find(const char *path, const struct go_binary *bin, const struct go_offsets *off,
                    struct go_globals *out, char *reason, size_t len);

/* Live part: read each found global at addr + bias through mem and keep it only if its
 * contents are consistent (allp holds Ps whose id equals their index and its length is
 * gomaxprocs; sched's counters fit that many Ps; allm's list ends at m0, whose thread id
 * is pid; ...). A rejected global gets addr 0 and a why. pid 0 skips the m0 thread check.
 * Returns the number of verified globals, or -errno when the reader itself failed
 * (-ESRCH: the process is gone). */
int go_globals_verify(struct go_globals *g, const struct go_offsets *off,
                      const struct mem_reader *mem, uint64_t bias, pid_t pid);

/* Both, for the globals still 0 in off->global (a symtab already gave the others):
 * found and verified addresses are written to off->global. Returns 0 when allp and sched
 * are known afterwards, or an enum go_globals_error; reason names each global left
 * unknown and why. mem NULL is refused: nothing is written without the live check. */
int go_globals_resolve(const char *path, const struct go_binary *bin, struct go_offsets *off,
                       const struct mem_reader *mem, uint64_t bias, pid_t pid, char *reason,
                       size_t len);

#endif
