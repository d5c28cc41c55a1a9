/* demo: the bundled Go workloads, each reproducing one scheduler pathology on purpose. */
#ifndef GMPTOP_DEMO_H
#define GMPTOP_DEMO_H

/* The park probe's budget (% of one core) on a demo gmptop started itself, unless
 * --bpf-budget says otherwise: the demo is there to be watched. */
#define DEMO_BPF_BUDGET_PCT 25.0

#include <stdio.h>
#include <sys/types.h>

struct demo_info {
    const char *name;
    const char *pathology;   /* one line: what it reproduces */
    const char *look_for;    /* one line: what to look for in gmptop */
    const char *godebug;     /* GODEBUG it needs, or NULL */
};

size_t demo_count(void);
const struct demo_info *demo_at(size_t i);
const struct demo_info *demo_find(const char *name);
void demo_list_print(FILE *out);
/* Path of the gmptop-demo binary: $GMPTOP_DEMO_BIN, else next to /proc/self/exe
 * (build tree: demo/gmptop-demo), else the installed libexec path. */
int demo_binary_path(char *buf, size_t len);
/* Start scenario name in the background (own process group, stdout to /dev/null).
 * Returns pid > 0 or -errno with msg. */
pid_t demo_start(const char *name, char *msg, size_t msglen);
/* Stop it (SIGTERM, then SIGKILL after 1 s) and reap it. */
void demo_stop(pid_t pid);

#endif
