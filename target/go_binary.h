/* go_binary: what gmptop learns once from a Go executable's ELF file. */
#ifndef GMPTOP_GO_BINARY_H
#define GMPTOP_GO_BINARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct go_binary;

enum go_binary_error {
    GO_BINARY_OK = 0,
    GO_BINARY_ERR_OPEN = -1,    /* open/read failed: the message carries strerror */
    GO_BINARY_ERR_NOT_ELF = -2,
    GO_BINARY_ERR_NOT_GO = -3,  /* ELF, but no .go.buildinfo */
    GO_BINARY_ERR_CORRUPT = -4, /* Go markers present but malformed */
};

enum go_symbol_source {
    GO_SYMBOLS_NONE = 0,
    GO_SYMBOLS_SYMTAB,          /* .symtab (unstripped) */
    GO_SYMBOLS_PCLNTAB,         /* .gopclntab function table (stripped): functions only */
};

/* Parse path. On failure returns an enum go_binary_error, *out stays NULL and msg gets
 * one line naming the file and the problem (with strerror for ERR_OPEN). */
int go_binary_open(const char *path, struct go_binary **out, char *msg, size_t msglen);
void go_binary_free(struct go_binary *b);

/* Cheap check used by the process picker: reads only .go.buildinfo.
 * Returns 0 and the version ("go1.22.12"), or an enum go_binary_error. */
int go_binary_peek_version(const char *path, char *version, size_t len);

const char *go_binary_version(const struct go_binary *b);      /* "go1.22.12" */
const char *go_binary_build_id(const struct go_binary *b);     /* Go build id, else GNU, else "" */
const char *go_binary_module_path(const struct go_binary *b);  /* main module path or "" */
/* The DefaultGODEBUG build setting ("containermaxprocs=0,...": GODEBUG defaults from the
 * go.mod go line and //go:debug lines, which the environment's GODEBUG overrides); "" when
 * the binary records none. */
const char *go_binary_default_godebug(const struct go_binary *b);
bool go_binary_is_pie(const struct go_binary *b);              /* ET_DYN */
bool go_binary_has_dwarf(const struct go_binary *b);           /* .debug_info present */
/* GOARCH of the binary from its ELF header ("amd64", "386", "arm64", ...; "unknown"),
 * and of gmptop itself: the memory readers take pointers and layouts to be the host's. */
const char *go_binary_arch(const struct go_binary *b);
const char *go_binary_host_arch(void);
enum go_symbol_source go_binary_symbol_source(const struct go_binary *b);
/* The file read (device, inode: how the target's maps name it) and the lowest PT_LOAD
 * link address, for go_binary_load_bias. */
void go_binary_file(const struct go_binary *b, dev_t *dev, ino_t *ino, uint64_t *min_vaddr);

/* Link-time (unrelocated) address and size of a symbol: a function from symtab or
 * pclntab, a data symbol from symtab only. Returns 0 or -ENOENT. */
int go_binary_lookup(const struct go_binary *b, const char *name, uint64_t *addr,
                     uint64_t *size);
/* Name of the function containing a link-time address, or NULL. The name lives until
 * the next go_binary_trim_symbols. */
const char *go_binary_func_at(const struct go_binary *b, uint64_t addr);
/* Free the symbol index if no lookup used it for 10 s (now_ns: CLOCK_MONOTONIC); the
 * next lookup rebuilds it from the file, the same one by device and inode, or finds
 * nothing. Lookups and this may run on different threads. */
void go_binary_trim_symbols(struct go_binary *b, int64_t now_ns);

/* Where the binary's pcln table (functions, lines, frame sizes: kept by stripped
 * binaries too) lies in its file, for readers of goroutine stacks. */
struct go_binary_pcln_loc {
    uint64_t file_off;         /* of the table in the file at go_binary's path */
    size_t len;
    uint64_t text_start;       /* link-time base its function offsets count from */
    uint64_t gofunc;           /* link-time address of the funcdata base (go:func.*), the
                                * inline trees' origin; 0 when unknown */
};
/* 0 and *loc, or -ENOENT when the file has no table gmptop can read. */
int go_binary_pcln(const struct go_binary *b, struct go_binary_pcln_loc *loc);

/* Load bias for the running process: runtime address = link-time address + bias.
 * 0 for non-PIE. Reads /proc/PID/maps. Returns 0 or -errno. (target/go_load_bias.c) */
int go_binary_load_bias(const struct go_binary *b, pid_t pid, uint64_t *bias);

/* Pure helpers, exposed for unit tests and fuzzing. */
/* Parse .go.buildinfo section bytes (Go >= 1.18 inline format, and the older pointer
 * format when ptr_reader is usable). Returns 0 and writes version/module path. */
int go_buildinfo_parse(const uint8_t *data, size_t len, char *version, size_t vlen,
                       char *modpath, size_t mlen);

#endif
