/* gstack: goroutine stacks, symbolised, kept once per distinct stack for the whole run.
 * A goroutine group in a snapshot points at its stack here, so an hour of history holds
 * each stack once however many ticks show it, and two groups have the same stack exactly
 * when their pointers are equal. The pool only grows (a program has finitely many
 * distinct stacks); past its cap, gstack_intern() refuses and the caller says so.
 * The on-CPU profile's stacks are the exception: every distinct chain of return
 * addresses a busy program runs is one, met all along, so those are counted
 * (gstack_intern_ref / gstack_release) and leave the pool when the last holder lets
 * go. */
#ifndef GMPTOP_GSTACK_H
#define GMPTOP_GSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GSTACK_MAX_FRAMES 64
#define GSTACK_POOL_CAP 65536          /* distinct stacks kept at most */

struct gframe {
    const char *func;          /* interned, never NULL ("?" unknown) */
    const char *file;          /* interned, never NULL ("" unknown) */
    int32_t line;              /* 0 unknown */
    bool inlined;              /* a call the compiler inlined into the frame below it */
};

struct gstack {
    uint64_t hash;
    struct gframe created_by;  /* the `go` statement's function, file, line; func "" none */
    struct gframe start;       /* the function the goroutine started in; func "" unknown */
    bool truncated;            /* deeper than GSTACK_MAX_FRAMES: the outermost are cut */
    bool permanent;            /* the pool's: interned by gstack_intern, kept for the run */
    uint16_t nframes;
    uint32_t refs;             /* the pool's: holders of a counted stack */
    struct gframe frames[];    /* innermost first */
};

/* A string kept for the run (thread-safe); NULL only when out of memory. */
const char *gstack_str(const char *s);

/* The pooled copy of the stack with these frames (innermost first), creator, start
 * function and truncation: equal stacks give the same pointer. NULL when the pool is
 * full or memory is out. Thread-safe. */
const struct gstack *gstack_intern(const struct gframe *frames, size_t n, bool truncated,
                                   const struct gframe *created_by, const struct gframe *start);

/* As gstack_intern, holding a reference for the caller to give back with
 * gstack_release: the pool frees the stack when its last reference goes, unless it
 * was (or is later) also interned by gstack_intern, which keeps it for the run. */
const struct gstack *gstack_intern_ref(const struct gframe *frames, size_t n, bool truncated,
                                       const struct gframe *created_by,
                                       const struct gframe *start);
/* Another reference to / give one back (NULL: nothing). Thread-safe. */
void gstack_retain(const struct gstack *st);
void gstack_release(const struct gstack *st);

/* Where the goroutine waits, as a person reads it: the first frame of the program's own
 * code (outside the Go distribution's packages), else the first outside the runtime;
 * NULL when every frame is the runtime's. */
const struct gframe *gstack_user_frame(const struct gstack *st);

/* Whether runtime.Stack shows the function (it hides the runtime's unexported ones). */
bool gstack_func_shown(const char *func);

/* Distinct stacks and bytes held by the pool (for the memory figures). */
void gstack_pool_stats(size_t *stacks, size_t *bytes);

#endif
