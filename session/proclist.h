/* proclist: the machine's processes for the picker (libproc2), with Go detection. */
#ifndef GMPTOP_PROCLIST_H
#define GMPTOP_PROCLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct proc_entry {
    pid_t pid;
    char user[32];
    char go_version[48];     /* "" when not a Go program or not readable */
    bool is_go;
    bool exe_unreadable;     /* /proc/PID/exe not readable (permission) */
    int threads;
    double cpu_pct;          /* NAN on the first scan */
    unsigned long rss_kb;
    char cmd[256];           /* command line, or [comm] */
};

struct proclist;

struct proclist *proclist_new(char *msg, size_t msglen);
void proclist_free(struct proclist *pl);
/* Rescan (go detection cached per pid+start time). Returns 0 or -errno. */
int proclist_refresh(struct proclist *pl);
size_t proclist_count(const struct proclist *pl);
const struct proc_entry *proclist_at(const struct proclist *pl, size_t i);

#endif
