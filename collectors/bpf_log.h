/* bpf_log: libbpf's messages are kept, not printed (stderr is under the TUI); the last
 * warning is what a reason quotes when a BPF program or probe did not load. */
#ifndef GMPTOP_BPF_LOG_H
#define GMPTOP_BPF_LOG_H

#include <stddef.h>

/* Routes libbpf's printing here and forgets the last warning (each loader calls it
 * before it loads, so a reason quotes its own load's warning). */
void bpf_log_quiet(void);

/* The last warning since bpf_log_quiet, "" if none: copied into buf. */
const char *bpf_log_last(char *buf, size_t len);

#endif
