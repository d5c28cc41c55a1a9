/* options: the command line, parsed into one plain struct. */
#include "session/options.h"

#include "base/settings.h"
#include "diagnoses/diag.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void options_usage(FILE *out)
{
    fputs(
"Usage: gmptop [-p PID] [-d SECONDS] [-b] [-n COUNT] [--format text|json|prom]\n"
"              [--theme NAME] [--demo SCENARIO|list] [--collectors LIST]\n"
"Watch a running Go program's scheduler (G, M, P) and the hardware under it.\n"
"\n"
"  -p, --pid PID          attach to PID (without it: pick a Go process)\n"
"  -d, --delay SECONDS    refresh interval (default 1, minimum 0.05)\n"
"  -b, --batch            print snapshots instead of the interactive screen\n"
"  -n, --iterations COUNT in batch mode, stop after COUNT snapshots\n"
"      --format FMT       batch output: text (default), json (one object per line) or\n"
"                         prom (Prometheus text per snapshot, each ending '# EOF')\n"
"      --theme NAME       colour theme: default, classroom, mono, or your own\n"
"      --demo SCENARIO    start a bundled Go demo workload and attach to it;\n"
"                         --demo list shows them\n"
"      --collectors LIST  comma-separated collectors to run (default: all)\n"
"      --list-collectors  show every collector and whether it works here\n"
"      --sched-hz HZ      runqueue samples per second between refreshes (default 10,\n"
"                         up to 1000; 0 = only at each refresh)\n"
"      --stacks-budget MS time per second for reading goroutine stacks (the\n"
"                         goroutines pane; default 20, 0 = off); more goroutines\n"
"                         than that reads are sampled, and the pane says so\n"
"      --bpf-budget PCT   BPF probe cost the target may pay, in % of one core\n"
"                         (default 2; above it the probes sample or detach; 0 = off)\n"
"      --diagnose-only    batch mode: print diagnoses as they start and end\n"
"      --fail-on SEV      with --diagnose-only/-b: exit 4 if a finding of SEV (info,\n"
"                         warn, crit) or worse occurred\n"
"      --record FILE      append every snapshot to the recording FILE (TUI or -b)\n"
"      --replay FILE      show a recording: the TUI, or with -b print it again\n"
"      --history N        snapshots kept in a row for the rules (default: the\n"
"                         short holds, 12 at 1 s, then one every 5 s as far back\n"
"                         as the longest rule window reaches; gmptoprc: history =\n"
"                         N; 10-36000; ~15 KB each)\n"
"      --rewind N         snapshots the screen can step back through while it keeps\n"
"                         watching (Left/Right, l: live; default 3600, an hour at\n"
"                         1 s; 0 = off; gmptoprc: rewind = N; 10-36000; a few KB each)\n"
"      --profile-hz HZ    on-CPU samples a second of each target thread (the CPU\n"
"                         pane; default 99, 1-1000, 0 = off)\n"
"      --profile FILE     sample --profile-seconds (default 10), write a gzipped\n"
"                         pprof profile (go tool pprof BINARY FILE) and exit\n"
"      --profile-folded FILE  the same as folded stacks (flame graphs)\n"
"      --profile-seconds S  how long --profile samples (1-3600)\n"
"      --listen [ADDR:]PORT  no screen: serve Prometheus metrics on /metrics\n"
"                         (127.0.0.1 unless ADDR is given, e.g. 0.0.0.0:9090)\n"
"      --no-color         no colours (also when NO_COLOR is set)\n"
"  -h, --help             this text\n"
"  -V, --version          version\n"
"\n"
"Exit status: 0 ok, 1 no such process / no permission, 2 usage error or not a Go\n"
"program, 3 the target exited (or exec'd another program) during batch mode, 4 a\n"
"diagnosis at or above --fail-on occurred, 5 the --replay recording is damaged\n"
"(its complete part was replayed), not a recording, or of a newer format.\n", out);
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

static int usage_error(FILE *err, const char *fmt, const char *arg)
{
    fputs("gmptop: ", err);
    fprintf(err, fmt, arg);
    fputc('\n', err);
    fputs("Try 'gmptop --help' for more information.\n", err);
    return 2;
}

enum { OPT_FORMAT = 256, OPT_THEME, OPT_DEMO, OPT_COLLECTORS, OPT_LIST_COLLECTORS,
       OPT_NO_COLOR, OPT_SCHED_HZ, OPT_BPF_BUDGET, OPT_STACKS_BUDGET, OPT_DIAGNOSE_ONLY, OPT_FAIL_ON,
       OPT_RECORD, OPT_REPLAY, OPT_LISTEN, OPT_HISTORY, OPT_REWIND, OPT_PROFILE_HZ,
       OPT_PROFILE, OPT_PROFILE_FOLDED, OPT_PROFILE_SECONDS };

int options_parse(int argc, char **argv, struct options *o, FILE *err)
{
    static const struct option longopts[] = {
        { "pid", required_argument, NULL, 'p' },
        { "delay", required_argument, NULL, 'd' },
        { "batch", no_argument, NULL, 'b' },
        { "iterations", required_argument, NULL, 'n' },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "history", required_argument, NULL, OPT_HISTORY },
        { "rewind", required_argument, NULL, OPT_REWIND },
        { "theme", required_argument, NULL, OPT_THEME },
        { "demo", required_argument, NULL, OPT_DEMO },
        { "collectors", required_argument, NULL, OPT_COLLECTORS },
        { "list-collectors", no_argument, NULL, OPT_LIST_COLLECTORS },
        { "no-color", no_argument, NULL, OPT_NO_COLOR },
        { "sched-hz", required_argument, NULL, OPT_SCHED_HZ },
        { "bpf-budget", required_argument, NULL, OPT_BPF_BUDGET },
        { "stacks-budget", required_argument, NULL, OPT_STACKS_BUDGET },
        { "diagnose-only", no_argument, NULL, OPT_DIAGNOSE_ONLY },
        { "fail-on", required_argument, NULL, OPT_FAIL_ON },
        { "record", required_argument, NULL, OPT_RECORD },
        { "replay", required_argument, NULL, OPT_REPLAY },
        { "listen", required_argument, NULL, OPT_LISTEN },
        { "profile-hz", required_argument, NULL, OPT_PROFILE_HZ },
        { "profile", required_argument, NULL, OPT_PROFILE },
        { "profile-folded", required_argument, NULL, OPT_PROFILE_FOLDED },
        { "profile-seconds", required_argument, NULL, OPT_PROFILE_SECONDS },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    memset(o, 0, sizeof(*o));
    o->rewind = -1;
    o->delay_s = 1.0;
    o->sched_hz = 10.0;
    o->bpf_budget_pct = 2.0;
    o->stacks_budget_ms = 20.0;
    o->profile_hz = 99.0;
    o->profile_seconds = 10.0;
    const char *nc = getenv("NO_COLOR");
    o->no_color = nc && *nc;

    opterr = 0;
    optind = 1;
    int c;
    long l;
    while ((c = getopt_long(argc, argv, ":p:d:bn:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (parse_long(optarg, &l) < 0 || l <= 0 || l > 0x7fffffffL)
                return usage_error(err, "-p: '%s' is not a process id", optarg);
            o->pid = (pid_t)l;
            break;
        case 'd':
            if (parse_double(optarg, &o->delay_s) < 0 || o->delay_s < 0.05 ||
                o->delay_s > 3600)
                return usage_error(err, "-d: '%s' is not a delay between 0.05 and 3600 s",
                                   optarg);
            break;
        case 'b': o->batch = true; break;
        case 'n':
            if (parse_long(optarg, &o->count) < 0 || o->count < 1)
                return usage_error(err, "-n: '%s' is not a positive count", optarg);
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                o->format = FORMAT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                o->format = FORMAT_JSON;
            else if (strcmp(optarg, "prom") == 0)
                o->format = FORMAT_PROM;
            else
                return usage_error(err, "--format: '%s' is not text, json or prom", optarg);
            break;
        case OPT_HISTORY:
            if (parse_long(optarg, &o->history) < 0 || o->history < OPTIONS_HISTORY_MIN ||
                o->history > OPTIONS_HISTORY_MAX)
                return usage_error(err, "--history: '%s' is not a count of snapshots "
                                   "between 10 and 36000", optarg);
            break;
        case OPT_REWIND:
            if (parse_long(optarg, &o->rewind) < 0 || o->rewind < 0 ||
                (o->rewind > 0 && o->rewind < OPTIONS_REWIND_MIN) ||
                o->rewind > OPTIONS_HISTORY_MAX)
                return usage_error(err, "--rewind: '%s' is not 0 or a count of snapshots "
                                   "between 10 and 36000", optarg);
            break;
        case OPT_THEME: o->theme = optarg; break;
        case OPT_DEMO: o->demo = optarg; break;
        case OPT_COLLECTORS: o->collectors = optarg; break;
        case OPT_LIST_COLLECTORS: o->list_collectors = true; break;
        case OPT_NO_COLOR: o->no_color = true; break;
        case OPT_SCHED_HZ:
            if (parse_double(optarg, &o->sched_hz) < 0 ||
                (o->sched_hz != 0 && (o->sched_hz < 1 || o->sched_hz > 1000)))
                return usage_error(err, "--sched-hz: '%s' is not 0 (off) or a rate between "
                                   "1 and 1000", optarg);
            break;
        case OPT_STACKS_BUDGET:
            if (parse_double(optarg, &o->stacks_budget_ms) < 0 || o->stacks_budget_ms < 0 ||
                o->stacks_budget_ms > 1000)
                return usage_error(err, "--stacks-budget: '%s' is not milliseconds per "
                                   "second between 0 (off) and 1000", optarg);
            break;
        case OPT_BPF_BUDGET:
            o->bpf_budget_given = true;
            if (parse_double(optarg, &o->bpf_budget_pct) < 0 || o->bpf_budget_pct < 0 ||
                o->bpf_budget_pct > 100)
                return usage_error(err, "--bpf-budget: '%s' is not a percentage of one core "
                                   "between 0 (off) and 100", optarg);
            break;
        case OPT_DIAGNOSE_ONLY: o->diagnose_only = true; break;
        case OPT_FAIL_ON:
            o->fail_on = diag_severity_parse(optarg);
            if (o->fail_on == DIAG_NONE)
                return usage_error(err, "--fail-on: '%s' is not info, warn or crit", optarg);
            break;
        case OPT_RECORD: o->record = optarg; break;
        case OPT_REPLAY: o->replay = optarg; break;
        case OPT_LISTEN: o->listen = optarg; break;
        case OPT_PROFILE_HZ:
            if (parse_double(optarg, &o->profile_hz) < 0 ||
                (o->profile_hz != 0 && (o->profile_hz < 1 || o->profile_hz > 1000)))
                return usage_error(err, "--profile-hz: '%s' is not 0 (off) or a rate between "
                                   "1 and 1000 samples a second", optarg);
            break;
        case OPT_PROFILE: o->profile = optarg; break;
        case OPT_PROFILE_FOLDED: o->profile_folded = optarg; break;
        case OPT_PROFILE_SECONDS:
            if (parse_double(optarg, &o->profile_seconds) < 0 || o->profile_seconds < 1 ||
                o->profile_seconds > 3600)
                return usage_error(err, "--profile-seconds: '%s' is not a duration between 1 "
                                   "and 3600 s", optarg);
            break;
        case 'h': o->help = true; break;
        case 'V': o->version = true; break;
        case ':':
            return usage_error(err, "option '%s' needs an argument", argv[optind - 1]);
        default:
            return usage_error(err, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error(err, "unexpected argument '%s'", argv[optind]);
    if (o->diagnose_only && o->format == FORMAT_PROM)
        return usage_error(err, "%s", "--diagnose-only prints text or json lines; for "
                           "--format prom leave it out (gmptop_diagnosis_* are in every "
                           "snapshot)");
    if (o->diagnose_only)
        o->batch = true;
    if (o->pid && o->demo)
        return usage_error(err, "%s", "-p and --demo cannot be used together");
    if (o->replay && (o->pid || o->demo || o->record || o->listen))
        return usage_error(err, "%s", "--replay shows a recording: it cannot be combined "
                           "with -p, --demo, --record or --listen");
    if ((o->profile || o->profile_folded) &&
        (o->batch || o->listen || o->replay || o->profile_hz == 0))
        return usage_error(err, "%s", "--profile/--profile-folded sample the target for "
                           "--profile-seconds and write the files: not with -b, --listen, "
                           "--replay or --profile-hz 0");
    if (o->listen && o->batch)
        return usage_error(err, "%s", "--listen runs without a screen and prints nothing; "
                           "it cannot be combined with -b");
    return 0;
}

/* A count from the command line (set_given: it wins),
 * else gmptoprc's key (a bad value is reported and ignored, as every settings problem
 * is), else dflt. */
static size_t count_setting(long set, bool set_given, const struct settings *settings,
                            const char *key, long lo, long hi, bool zero_ok, size_t dflt,
                            FILE *err)
{
    if (set_given)
        return (size_t)set;
    const char *v = settings ? settings_get(settings, key) : NULL;
    if (!v)
        return dflt;
    bool bad = false;
    double n = settings_get_double(settings, key, 0, &bad);
    if (bad || n != floor(n) || n > hi || (n < lo && !(zero_ok && n == 0))) {
        fprintf(err, "gmptop: settings: %s = %.40s is not %sa count between %ld and %ld "
                "(ignored)\n", key, v, zero_ok ? "0 or " : "", lo, hi);
        return dflt;
    }
    return (size_t)n;
}

/* Snapshots to keep: --history, else gmptoprc's `history`, else 0: the session's
 * default. */
size_t options_history(const struct options *o, const struct settings *settings, FILE *err)
{
    return count_setting(o->history, o->history > 0, settings, "history",
                         OPTIONS_HISTORY_MIN, OPTIONS_HISTORY_MAX, false, 0, err);
}

size_t options_profile_linger(const struct settings *settings, FILE *err)
{
    return count_setting(0, false, settings, "profile_linger", 1, OPTIONS_PROFILE_LINGER_MAX,
                         true, OPTIONS_PROFILE_LINGER_DEFAULT, err);
}

size_t options_rewind(const struct options *o, const struct settings *settings, FILE *err)
{
    return count_setting(o->rewind, o->rewind >= 0, settings, "rewind", OPTIONS_REWIND_MIN,
                         OPTIONS_HISTORY_MAX, true, OPTIONS_REWIND_DEFAULT, err);
}
