/* attach_loop: attach to a Go process, tick, detach, N times, through the same session
 * API the TUI's picker uses; fails if file descriptors, memory or BPF links grow.
 * Usage: attach_loop PID N */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collectors/collector.h"
#include "src/session.h"
#include "src/proc_parse.h"

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static long rss_kb(void)
{
    char buf[4096];
    struct proc_status st;
    long n = proc_read_file("/proc/self/status", buf, sizeof(buf));
    if (n < 0 || proc_parse_status(buf, (size_t)n, &st) != 0 || !st.have_rss)
        return -1;
    return (long)st.vm_rss_kb;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: attach_loop PID N\n");
        return 2;
    }
    pid_t pid = atoi(argv[1]);
    int n = atoi(argv[2]);
    struct collector_config cfg = COLLECTOR_CONFIG_DEFAULT;
    struct session s;
    session_init(&s, NULL, &cfg, NULL);
    char msg[512];
    int fds0 = 0;
    long rss0 = 0;
    for (int i = 0; i < n; i++) {
        if (session_attach(&s, pid, msg, sizeof(msg)) != TARGET_OK) {
            fprintf(stderr, "attach %d: %s\n", i, msg);
            return 1;
        }
        session_tick(&s);
        session_tick(&s);
        session_detach(&s);
        /* Baseline after a few rounds: caches (offsets by build id) fill once. */
        if (i == 4) {
            fds0 = count_dir("/proc/self/fd");
            rss0 = rss_kb();
        }
    }
    int fds = count_dir("/proc/self/fd");
    long rss = rss_kb();
    session_destroy(&s);
    printf("attach/detach %d times: fds %d -> %d, RSS %ld -> %ld kB\n", n, fds0, fds, rss0, rss);
    if (fds != fds0) {
        fprintf(stderr, "file descriptors grew\n");
        return 1;
    }
    if (rss > rss0 + 4096) {
        fprintf(stderr, "memory grew by more than 4 MB\n");
        return 1;
    }
    return 0;
}
