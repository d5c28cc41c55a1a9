/* archive_pack: a chain of recorded frames reordered section by section, so that one
 * deflate stream over the chain finds each section's previous ticks within its 32 KB
 * window.
 *
 * Frames end to end put a section a whole frame (~7 KB, 23 KB with the on-CPU profile)
 * after the same section of the tick before: deflate reaches back one or two ticks. Laid
 * out section-major (every frame's threads, then every frame's scheduler, ...), 64 ticks
 * of one section sit together: on the loaded server at 1 s a chain deflates to ~810
 * bytes a snapshot where frames deflated one by one against the one before took ~1,040
 * (zstd over the frames end to end, 790, would have mapped ~320 KB more of its code).
 */
#ifndef GMPTOP_ARCHIVE_PACK_H
#define GMPTOP_ARCHIVE_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "record/rec_tlv.h"

/* frames: n frames end to end, frame i rlen[i] bytes. Appends them section-major to out.
 * 0, or -1 when a frame is not a sequence of items in the order the others give its
 * sections (nothing to gain then: the caller keeps the frames as they were), or
 * out->oom. */
int archive_pack_order(const uint8_t *frames, const uint32_t *rlen, uint32_t n,
                       struct rec_buf *out);

/* The inverse: packed (len bytes) back into the n frames end to end at frames (the sum
 * of rlen bytes). 0, or -1 when packed does not hold frames of those lengths. */
int archive_unpack_order(const uint8_t *packed, size_t len, const uint32_t *rlen, uint32_t n,
                         uint8_t *frames);

#endif
