/* fuzz_go_binary: the ELF, .go.buildinfo, .gopclntab (names and pc lookups), symbol and
 * DWARF readers on arbitrary bytes. The first byte picks the reader; an ELF is handed
 * over as a file (memfd) exactly as /proc/PID/exe is. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "target/go_binary.h"
#include "target/go_offsets.h"
#include "target/go_pclntab.h"

static int count_func(void *ctx, const char *name, uint64_t entry, uint64_t end)
{
    (void)name;
    (void)entry;
    (void)end;
    (*(size_t *)ctx)++;
    return 0;
}

static void fuzz_elf(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-elf", 0);
    if (fd < 0)
        return;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return;
    }
    char path[64], msg[512], version[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    go_binary_peek_version(path, version, sizeof(version));
    struct go_binary *b = NULL;
    if (go_binary_open(path, &b, msg, sizeof(msg)) == GO_BINARY_OK) {
        uint64_t addr, sz;
        static const char *const names[] = { "runtime.casgstatus", "runtime.allp", "main.main",
                                             "runtime.gopark", "" };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (go_binary_lookup(b, names[i], &addr, &sz) == 0)
                go_binary_func_at(b, addr + 1);
        go_binary_func_at(b, 0x401000);
        (void)go_binary_version(b);
        (void)go_binary_build_id(b);
        struct go_offsets off;
        go_dwarf_extract(path, &off, msg, sizeof(msg));
        go_binary_free(b);
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char version[64], mod[256];
    size_t n = 0;
    switch (data[0] % 3) {
    case 0:
        go_buildinfo_parse(data + 1, size - 1, version, sizeof(version), mod, sizeof(mod));
        break;
    case 1:
        go_pclntab_probe(data + 1, size - 1);
        go_pclntab_parse(data + 1, size - 1, 0x401000, count_func, &n, NULL);
        /* pc -> function, file, line: pcs around the start of the fuzzed table's text. */
        for (uint64_t pc = 0x401000; pc < 0x401000 + 64 * 1024; pc += 4093) {
            struct go_pcln_pos pos;
            go_pclntab_pc_lookup(data + 1, size - 1, 0x401000, pc, &pos);
            go_pclntab_pc_func(data + 1, size - 1, 0x401000, pc, &pos);
        }
        break;
    default:
        fuzz_elf(data + 1, size - 1);
        break;
    }
    return 0;
}
