/* test_proc_parse: the /proc text parsers on real-looking and broken input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "proc/proc_parse.h"

/* ---- a buffer that ends right before an unreadable page --------------------------------- */

/* The parsers take buffer + length and must never look at buf[len]. Placing the bytes
 * at the very end of a page followed by a PROT_NONE page turns any over-read into a
 * SIGSEGV instead of a silent pass. */
struct guarded {
    char *map;
    size_t page;
    char *buf;
};

static const char *guard(struct guarded *g, const char *text, size_t len)
{
    g->page = (size_t)sysconf(_SC_PAGESIZE);
    assert_true(len <= g->page);
    g->map = mmap(NULL, 2 * g->page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                  -1, 0);
    assert_true(g->map != MAP_FAILED);
    assert_int_equal(mprotect(g->map + g->page, g->page, PROT_NONE), 0);
    g->buf = g->map + g->page - len;
    memcpy(g->buf, text, len);
    return g->buf;
}

static void unguard(struct guarded *g)
{
    munmap(g->map, 2 * g->page);
}

/* ---- stat ------------------------------------------------------------------------------- */

static const char stat_cat[] =
    "28982 (cat) R 28980 28980 13017 0 -1 4194304 102 0 0 0 7 3 0 0 20 0 1 0 56507 "
    "3133440 417 18446744073709551615 94165159452672 94165159472553 140736069532144 0 0 "
    "0 0 0 0 0 0 0 17 1 0 0 0 0 0 94165159488560 94165159490176 94165801193472 "
    "140736069536396 140736069536416 140736069536416 140736069537771 0\n";

static void test_stat_plain(void **state)
{
    (void)state;
    struct proc_stat st;
    assert_int_equal(proc_parse_stat(stat_cat, strlen(stat_cat), &st), 0);
    assert_int_equal(st.pid, 28982);
    assert_string_equal(st.comm, "cat");
    assert_int_equal(st.state, 'R');
    assert_int_equal(st.ppid, 28980);
    assert_int_equal(st.utime, 7);
    assert_int_equal(st.stime, 3);
    assert_int_equal(st.num_threads, 1);
    assert_int_equal(st.starttime, 56507);
    assert_int_equal(st.vsize, 3133440);
    assert_int_equal(st.rss_pages, 417);
    assert_true(st.startcode == 94165159452672ULL);
    assert_true(st.startstack == 140736069532144ULL);
    assert_int_equal(st.processor, 1);
}

static void test_stat_comm_parens(void **state)
{
    (void)state;
    const char *s = "77 ((a) b)) S 1 77 77 0 -1 0 0 0 0 0 12 34 0 0 20 0 9 0 100 "
                    "4096 10 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0\n";
    struct proc_stat st;
    assert_int_equal(proc_parse_stat(s, strlen(s), &st), 0);
    assert_int_equal(st.pid, 77);
    assert_string_equal(st.comm, "(a) b)");
    assert_int_equal(st.state, 'S');
    assert_int_equal(st.utime, 12);
    assert_int_equal(st.stime, 34);
    assert_int_equal(st.num_threads, 9);
    assert_int_equal(st.processor, 0);

    /* A 15-character name (the kernel's limit) with spaces survives whole. */
    s = "5 (a b c d e f g h) R 1 5 5 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 3 0 0 0 0 0 0 0 0 0 "
        "0 0 0 0 0 0 17 1\n";
    assert_int_equal(proc_parse_stat(s, strlen(s), &st), 0);
    assert_string_equal(st.comm, "a b c d e f g h");
    assert_int_equal(st.processor, 1);
}

static void test_stat_kernel_thread(void **state)
{
    (void)state;
    const char *s = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 21 0 0 "
                    "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 0 0 "
                    "0 0 0 0 0 0 0\n";
    struct proc_stat st;
    assert_int_equal(proc_parse_stat(s, strlen(s), &st), 0);
    assert_string_equal(st.comm, "kthreadd");
    assert_int_equal(st.ppid, 0);
    assert_int_equal(st.vsize, 0);
    assert_int_equal(st.processor, 1);
}

static void test_stat_broken(void **state)
{
    (void)state;
    struct proc_stat st;
    /* Every prefix of a real line is either the whole line or rejected. */
    size_t full = strlen(stat_cat);
    size_t cut_at_processor = (size_t)(strstr(stat_cat, " 17 1 ") - stat_cat) + 5;
    for (size_t n = 0; n < full; n++) {
        int r = proc_parse_stat(stat_cat, n, &st);
        if (n < cut_at_processor)
            assert_int_equal(r, -EINVAL);
    }
    const char *bad[] = {
        "",
        "12",
        "12 (no close paren S 1 2 3",
        "x (a) R 1",
        "12 (a) R notanumber 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1",
        /* utime one past UINT64_MAX */
        "1 (a) R 1 1 1 0 -1 0 0 0 0 0 18446744073709551616 0 0 0 20 0 1 0 1 0 0 0 0 0 0 0 0 "
        "0 0 0 0 0 0 0 17 0",
        /* pid beyond int */
        "99999999999 (a) R 1 1 1 0 -1 0 0 0 0 0 1 0 0 0 20 0 1 0 1 0 0 0 0 0 0 0 0 0 0 0 0 "
        "0 0 0 17 0",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(proc_parse_stat(bad[i], strlen(bad[i]), &st), -EINVAL);
    assert_int_equal(proc_parse_stat(NULL, 3, &st), -EINVAL);

    /* The largest values still parse. */
    const char *big = "1 (a) R 1 1 1 0 -1 0 0 0 0 0 18446744073709551615 0 0 0 20 0 "
                      "9223372036854775807 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0";
    assert_int_equal(proc_parse_stat(big, strlen(big), &st), 0);
    assert_true(st.utime == UINT64_MAX);
    assert_true(st.num_threads == INT64_MAX);
}

/* ---- sched ------------------------------------------------------------------------------ */

/* /proc/self/sched on kernel 6.18 (CONFIG_SCHEDSTATS off). */
static const char sched_618[] =
    "burn (24216, #threads: 9)\n"
    "-------------------------------------------------------------------\n"
    "se.exec_start                                :        285290.358950\n"
    "se.vruntime                                  :           148.626273\n"
    "se.sum_exec_runtime                          :          1380.516084\n"
    "se.nr_migrations                             :                    2\n"
    "nr_switches                                  :                  254\n"
    "nr_voluntary_switches                        :                   49\n"
    "nr_involuntary_switches                      :                  205\n"
    "se.load.weight                               :              1048576\n"
    "se.avg.load_sum                              :                46808\n"
    "se.avg.util_avg                              :                  241\n"
    "se.avg.last_update_time                      :         285290358784\n"
    "policy                                       :                    0\n"
    "prio                                         :                  120\n"
    "se.slice                                     :              1400000\n"
    "clock-delta                                  :                   78\n"
    "mm->numa_scan_seq                            :                    0\n"
    "numa_pages_migrated                          :                    0\n"
    "numa_preferred_nid                           :                   -1\n"
    "total_numa_faults                            :                    0\n"
    "current_node=0, numa_group_id=0\n"
    "numa_faults node=0 task_private=0 task_shared=0 group_private=0 group_shared=0\n";

static void test_sched_real(void **state)
{
    (void)state;
    struct proc_sched sc;
    assert_int_equal(proc_parse_sched(sched_618, strlen(sched_618), &sc), 0);
    assert_true(sc.have_migrations && sc.have_switches && sc.have_voluntary
                && sc.have_involuntary && sc.have_exec_runtime);
    assert_int_equal(sc.nr_migrations, 2);
    assert_int_equal(sc.nr_switches, 254);
    assert_int_equal(sc.nr_voluntary, 49);
    assert_int_equal(sc.nr_involuntary, 205);
    assert_float_equal(sc.sum_exec_runtime_ms, 1380.516084, 1e-6);
}

static void test_sched_missing(void **state)
{
    (void)state;
    struct proc_sched sc;
    const char *s = "x (1, #threads: 1)\n---\n"
                    "se.nr_migrations   :   7\n"
                    "nr_voluntary_switches : oops\n";
    assert_int_equal(proc_parse_sched(s, strlen(s), &sc), 0);
    assert_true(sc.have_migrations);
    assert_int_equal(sc.nr_migrations, 7);
    assert_false(sc.have_switches);
    assert_false(sc.have_voluntary);
    assert_false(sc.have_involuntary);
    assert_false(sc.have_exec_runtime);

    assert_int_equal(proc_parse_sched("", 0, &sc), -EINVAL);
    s = "nothing useful here\n";
    assert_int_equal(proc_parse_sched(s, strlen(s), &sc), -EINVAL);
    /* Cut inside the header line: nothing read. */
    assert_int_equal(proc_parse_sched(sched_618, 20, &sc), -EINVAL);
    /* Every prefix parses or fails cleanly. */
    for (size_t n = 0; n <= strlen(sched_618); n++)
        (void)proc_parse_sched(sched_618, n, &sc);
}

/* ---- schedstat -------------------------------------------------------------------------- */

static void test_schedstat(void **state)
{
    (void)state;
    struct proc_schedstat ss;
    const char *s = "1380516084 494718169 254\n";
    assert_int_equal(proc_parse_schedstat(s, strlen(s), &ss), 0);
    assert_int_equal(ss.run_ns, 1380516084ULL);
    assert_int_equal(ss.run_delay_ns, 494718169ULL);
    assert_int_equal(ss.timeslices, 254);
    s = "0 91640 1";
    assert_int_equal(proc_parse_schedstat(s, strlen(s), &ss), 0);
    assert_int_equal(ss.run_delay_ns, 91640);

    const char *bad[] = { "", "1 2", "1 2 x", "a b c", "1 2 3x",
                          "18446744073709551616 1 1" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(proc_parse_schedstat(bad[i], strlen(bad[i]), &ss), -EINVAL);
}

/* ---- status ----------------------------------------------------------------------------- */

static const char status_real[] =
    "Name:\tburn\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "Tgid:\t24216\n"
    "Ngid:\t0\n"
    "Pid:\t24218\n"
    "PPid:\t14297\n"
    "TracerPid:\t0\n"
    "Uid:\t1000\t1001\t1002\t1003\n"
    "Gid:\t0\t0\t0\t0\n"
    "FDSize:\t64\n"
    "Groups:\t \n"
    "VmPeak:\t  1240000 kB\n"
    "VmSize:\t  1240000 kB\n"
    "VmRSS:\t     1772 kB\n"
    "RssAnon:\t     112 kB\n"
    "Threads:\t9\n"
    "SigQ:\t0/96365\n"
    "SigPnd:\t0000000000000000\n"
    "Cpus_allowed:\t3\n"
    "Cpus_allowed_list:\t0-1\n"
    "Mems_allowed:\t00000000,00000001\n"
    "Mems_allowed_list:\t0\n"
    "voluntary_ctxt_switches:\t49\n"
    "nonvoluntary_ctxt_switches:\t205\n";

static void test_status_real(void **state)
{
    (void)state;
    struct proc_status ps;
    assert_int_equal(proc_parse_status(status_real, strlen(status_real), &ps), 0);
    assert_string_equal(ps.name, "burn");
    assert_int_equal(ps.state, 'S');
    assert_true(ps.have_uid);
    assert_int_equal(ps.uid_real, 1000);
    assert_int_equal(ps.uid_effective, 1001);
    assert_true(ps.have_ctxt);
    assert_int_equal(ps.vol_ctxt, 49);
    assert_int_equal(ps.nonvol_ctxt, 205);
    assert_true(ps.have_cpus_allowed);
    assert_string_equal(ps.cpus_allowed_list, "0-1");
    assert_true(ps.have_mems_allowed);
    assert_string_equal(ps.mems_allowed_list, "0");
    assert_true(ps.have_threads);
    assert_int_equal(ps.threads, 9);
    assert_true(ps.have_rss);
    assert_int_equal(ps.vm_rss_kb, 1772);
}

static void test_status_partial(void **state)
{
    (void)state;
    struct proc_status ps;
    /* Kernel threads have no VmRSS; one ctxt counter alone is not enough. */
    const char *s = "Name:\tkworker/0:1-events\nState:\tI (idle)\nThreads:\t1\n"
                    "voluntary_ctxt_switches:\t5\n";
    assert_int_equal(proc_parse_status(s, strlen(s), &ps), 0);
    assert_string_equal(ps.name, "kworker/0:1-eve");   /* cut to 15 */
    assert_int_equal(ps.state, 'I');
    assert_false(ps.have_rss);
    assert_false(ps.have_ctxt);
    assert_false(ps.have_uid);
    assert_false(ps.have_cpus_allowed);

    /* A list longer than the field is marked incomplete, cut at a comma. */
    char longlist[400] = "Cpus_allowed_list:\t";
    for (int c = 0; c < 60; c++) {
        char part[8];
        snprintf(part, sizeof(part), "%d,", c * 2);
        strcat(longlist, part);
    }
    strcat(longlist, "200\n");
    assert_int_equal(proc_parse_status(longlist, strlen(longlist), &ps), 0);
    assert_true(ps.have_cpus_allowed);
    size_t n = strlen(ps.cpus_allowed_list);
    assert_true(n < sizeof(ps.cpus_allowed_list));
    assert_string_equal(ps.cpus_allowed_list + n - 4, ",...");
    assert_true(ps.cpus_allowed_list[n - 5] >= '0' && ps.cpus_allowed_list[n - 5] <= '9');

    assert_int_equal(proc_parse_status("", 0, &ps), -EINVAL);
    assert_int_equal(proc_parse_status("garbage", 7, &ps), -EINVAL);
    for (size_t k = 0; k <= strlen(status_real); k++)
        (void)proc_parse_status(status_real, k, &ps);
}

/* ---- cpulist ---------------------------------------------------------------------------- */

static void test_cpulist(void **state)
{
    (void)state;
    uint64_t bits[2];
    assert_int_equal(proc_parse_cpulist("0-3,8,10-11", bits, 128), 7);
    assert_true(bits[0] == 0xd0fULL && bits[1] == 0);
    assert_int_equal(proc_parse_cpulist("0-1\n", bits, 128), 2);
    assert_true(bits[0] == 3);
    assert_int_equal(proc_parse_cpulist("", bits, 128), 0);
    assert_true(bits[0] == 0 && bits[1] == 0);
    assert_int_equal(proc_parse_cpulist("\n", bits, 128), 0);
    assert_int_equal(proc_parse_cpulist("64,127", bits, 128), 2);
    assert_true(bits[0] == 0 && bits[1] == (1ULL | (1ULL << 63)));
    assert_int_equal(proc_parse_cpulist("1,1,0-1", bits, 128), 2);    /* overlap */
    assert_int_equal(proc_parse_cpulist("7", NULL, 128), 1);          /* count only */

    const char *bad[] = { "5-2", "a", "1,,2", "1,", ",1", "1-", "-1", "1-2-3", "0 1",
                          "128", "0-4294967295", "99999999999999999999", "3x" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(proc_parse_cpulist(bad[i], bits, 128), -EINVAL);
    assert_int_equal(proc_parse_cpulist(NULL, bits, 128), -EINVAL);
}

/* ---- /proc/stat ------------------------------------------------------------------------- */

struct cpu_seen {
    int n;
    int cpu[4];
    uint64_t busy[4], total[4];
};

static void on_cpu(void *ctx, int cpu, uint64_t busy, uint64_t total)
{
    struct cpu_seen *s = ctx;
    if (s->n < 4) {
        s->cpu[s->n] = cpu;
        s->busy[s->n] = busy;
        s->total[s->n] = total;
    }
    s->n++;
}

static const char proc_stat[] =
    "cpu  10086 0 3840 42422 356 0 103 33 0 0\n"
    "cpu0 4575 1 1465 22324 21 2 5 18 7 0\n"
    "cpu1 5510 0 2375 20097 335 0 97 14 0 0\n"
    "intr 1234 0 0 5 6\n"
    "ctxt 987654\n"
    "btime 1700000000\n"
    "processes 29000\n"
    "procs_running 2\n"
    "procs_blocked 0\n"
    "softirq 100 1 2 3 4 5 6 7 8 9 10\n";

static void test_cpu_stat(void **state)
{
    (void)state;
    struct cpu_seen s = { 0 };
    assert_int_equal(proc_parse_cpu_stat(proc_stat, strlen(proc_stat), on_cpu, &s), 2);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.cpu[0], 0);
    /* busy = user+nice+system+irq+softirq+steal; guest is inside user already */
    assert_int_equal(s.busy[0], 4575 + 1 + 1465 + 2 + 5 + 18);
    assert_int_equal(s.total[0], s.busy[0] + 22324 + 21);
    assert_int_equal(s.cpu[1], 1);
    assert_int_equal(s.busy[1], 5510 + 2375 + 97 + 14);

    /* Old kernels print only user nice system idle. */
    const char *old = "cpu 1 2 3 4\ncpu3 1 2 3 4\n";
    memset(&s, 0, sizeof(s));
    assert_int_equal(proc_parse_cpu_stat(old, strlen(old), on_cpu, &s), 1);
    assert_int_equal(s.cpu[0], 3);
    assert_int_equal(s.busy[0], 6);
    assert_int_equal(s.total[0], 10);

    /* A bad cpu line rejects the whole file before any callback. */
    const char *bad[] = { "", "intr 1 2\n", "cpu0 1 2 3\n", "cpu0 1 2 x 4\n",
                          "cpu0 1 2 3 4\ncpux 1 2 3 4\ncpu1 1 2 3\n",
                          "cpu0 18446744073709551615 1 0 0\n",
                          "cpu99999999999 1 2 3 4\n" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&s, 0, sizeof(s));
        assert_int_equal(proc_parse_cpu_stat(bad[i], strlen(bad[i]), on_cpu, &s), -EINVAL);
        assert_int_equal(s.n, 0);
    }
    for (size_t n = 0; n <= strlen(proc_stat); n++)
        (void)proc_parse_cpu_stat(proc_stat, n, NULL, NULL);
}

/* ---- no read past len ------------------------------------------------------------------- */

static void test_no_overread(void **state)
{
    (void)state;
    struct guarded g;
    struct proc_stat st;
    struct proc_sched sc;
    struct proc_schedstat ss;
    struct proc_status ps;

    /* Each buffer ends in a digit with no NUL and no newline after it. */
    size_t n = strlen(stat_cat) - 3;            /* "... 140736069537771 0" -> "...7771" */
    const char *b = guard(&g, stat_cat, n);
    assert_true(b[n - 1] >= '0' && b[n - 1] <= '9');
    (void)proc_parse_stat(b, n, &st);
    unguard(&g);

    const char *s = "12 (x) R 1 1 1 0 -1 0 0 0 0 0 5 6 0 0 20 0 3 0 9 8 7 0 0 0 0 0 0 0 0 0 "
                    "0 0 0 0 17 1";
    b = guard(&g, s, strlen(s));
    assert_int_equal(proc_parse_stat(b, strlen(s), &st), 0);
    assert_int_equal(st.processor, 1);
    unguard(&g);

    s = "se.nr_migrations : 12345";
    b = guard(&g, s, strlen(s));
    assert_int_equal(proc_parse_sched(b, strlen(s), &sc), 0);
    assert_int_equal(sc.nr_migrations, 12345);
    unguard(&g);

    s = "se.sum_exec_runtime : 12.5";
    b = guard(&g, s, strlen(s));
    assert_int_equal(proc_parse_sched(b, strlen(s), &sc), 0);
    assert_float_equal(sc.sum_exec_runtime_ms, 12.5, 1e-9);
    unguard(&g);

    s = "1 2 3";
    b = guard(&g, s, strlen(s));
    assert_int_equal(proc_parse_schedstat(b, strlen(s), &ss), 0);
    assert_int_equal(ss.timeslices, 3);
    unguard(&g);

    s = "Threads:\t42";
    b = guard(&g, s, strlen(s));
    assert_int_equal(proc_parse_status(b, strlen(s), &ps), 0);
    assert_int_equal(ps.threads, 42);
    unguard(&g);

    s = "Cpus_allowed_list:\t0-7";
    b = guard(&g, s, strlen(s));
    assert_int_equal(proc_parse_status(b, strlen(s), &ps), 0);
    assert_string_equal(ps.cpus_allowed_list, "0-7");
    unguard(&g);

    struct cpu_seen cs = { 0 };
    s = "cpu0 1 2 3 4";
    b = guard(&g, s, strlen(s));
    assert_int_equal(proc_parse_cpu_stat(b, strlen(s), on_cpu, &cs), 1);
    assert_int_equal(cs.total[0], 10);
    unguard(&g);
}

/* ---- proc_read_file --------------------------------------------------------------------- */

static void test_read_file(void **state)
{
    (void)state;
    char buf[64];
    char path[] = "/tmp/test_proc_parse.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0 91640 1\n", 10), 10);
    close(fd);
    assert_int_equal(proc_read_file(path, buf, sizeof(buf)), 10);
    assert_string_equal(buf, "0 91640 1\n");
    assert_int_equal(proc_read_file(path, buf, 11), 10);     /* exactly fits */
    assert_int_equal(proc_read_file(path, buf, 5), -EFBIG);  /* would be cut */
    unlink(path);
    assert_int_equal(proc_read_file(path, buf, sizeof(buf)), -ENOENT);
    assert_int_equal(proc_read_file(path, buf, 0), -EINVAL);

    /* A live file parses with its own parser. */
    long n = proc_read_file("/proc/self/stat", buf, sizeof(buf));
    assert_true(n == -EFBIG || n > 0);
    char big[4096];
    n = proc_read_file("/proc/self/stat", big, sizeof(big));
    assert_true(n > 0);
    struct proc_stat st;
    assert_int_equal(proc_parse_stat(big, (size_t)n, &st), 0);
    assert_int_equal(st.pid, getpid());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stat_plain),
        cmocka_unit_test(test_stat_comm_parens),
        cmocka_unit_test(test_stat_kernel_thread),
        cmocka_unit_test(test_stat_broken),
        cmocka_unit_test(test_sched_real),
        cmocka_unit_test(test_sched_missing),
        cmocka_unit_test(test_schedstat),
        cmocka_unit_test(test_status_real),
        cmocka_unit_test(test_status_partial),
        cmocka_unit_test(test_cpulist),
        cmocka_unit_test(test_cpu_stat),
        cmocka_unit_test(test_no_overread),
        cmocka_unit_test(test_read_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
