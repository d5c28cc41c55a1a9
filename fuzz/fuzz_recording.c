/* fuzz_recording: recordings from disk are untrusted. Byte 0 picks: the snapshot decoder
 * on the bytes (as a decompressed frame), or the whole file reader (header, frames,
 * checksums, zlib, dictionary) on the bytes as a file, decoding every frame it yields. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "record/recfile.h"
#include "record/record_codec.h"

static void read_file(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-rec", 0);
    if (fd < 0)
        return;
    if (write(fd, data, size) == (ssize_t)size) {
        char path[64], msg[256];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        struct recfile_reader *r = NULL;
        if (recfile_reader_open(path, &r, msg, sizeof(msg)) == 0) {
            struct recfile_frame f;
            const uint8_t *raw;
            for (int i = 0; i < 64 && recfile_reader_next(r, &f, &raw, msg, sizeof(msg)) == 1; i++) {
                struct snapshot *s = record_decode(raw, f.rlen, msg, sizeof(msg));
                snapshot_free(s);
            }
            recfile_reader_close(r);
        }
    }
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] & 1) {
        read_file(data + 1, size - 1);
    } else {
        char why[256];
        snapshot_free(record_decode(data + 1, size - 1, why, sizeof(why)));
    }
    return 0;
}
