"""Compare gmptop's goroutine_groups (JSON, one snapshot) with the program's own
runtime.Stack(all) dump taken while the same goroutines were parked.

usage: goroutine_groups_check.py GMPTOP_JSON STACK_DUMP LABEL CREATOR
Groups are compared for the goroutines created by CREATOR (the ones the workload keeps
still); frames as runtime.Stack prints them: the runtime's unexported functions and the
compiler's `go` wrappers are hidden there, so they are left out of gmptop's here too."""
import json
import re
import sys
from collections import Counter

HEADER = re.compile(r"^goroutine (\d+) \[([^\]]*)\]:$")
CALL = re.compile(r"^(.*)\((.*)\)$")
WHERE = re.compile(r"^\t(.*):(\d+)(?: \+0x[0-9a-f]+)?$")


def shown(func):
    if "." not in func:
        return False
    if re.search(r"\.gowrap\d", func):
        return False
    if func.startswith("runtime."):
        return func[8:9].isupper()
    return True


def parse_dump(text):
    """runtime.Stack(all) -> Counter of (state, frames, created_by)."""
    groups = Counter()
    for block in text.split("\n\n"):
        lines = block.strip("\n").split("\n")
        m = HEADER.match(lines[0]) if lines else None
        if not m:
            continue
        state = m.group(2).split(",")[0]
        frames, creator, i = [], None, 1
        while i + 1 < len(lines):
            head, where = lines[i], WHERE.match(lines[i + 1])
            if not where:
                break
            loc = (where.group(1), int(where.group(2)))
            if head.startswith("created by "):
                creator = (head[len("created by "):].split(" in goroutine ")[0],) + loc
            else:
                call = CALL.match(head)
                frames.append(((call.group(1) if call else head),) + loc)
            i += 2
        groups[(state, tuple(frames), creator)] += 1
    return groups


def gmptop_groups(snap):
    groups = Counter()
    for g in snap["goroutine_groups"] or []:
        state = g["wait_reason"] if g["status"] == "waiting" else g["status"]
        frames = tuple((f["func"], f["file"], f["line"]) for f in g["frames"] if shown(f["func"]))
        cb = g["created_by"]
        creator = (cb["func"], cb["file"], cb["line"]) if cb else None
        groups[(state, frames, creator)] += g["count"]
    return groups


def main():
    snap = json.loads(open(sys.argv[1]).readline())
    text = open(sys.argv[2]).read().split("==end==")[0]
    label, creator = sys.argv[3], sys.argv[4]
    ours = {k: v for k, v in gmptop_groups(snap).items() if k[2] and k[2][0] == creator}
    theirs = {k: v for k, v in parse_dump(text).items() if k[2] and k[2][0] == creator}
    assert snap["goroutine_groups_sampled"] is False, "sampled on a small program"
    if ours != theirs:
        for k in sorted(set(ours) | set(theirs), key=str):
            if ours.get(k) != theirs.get(k):
                print(f"{label}: gmptop {ours.get(k)} runtime.Stack {theirs.get(k)}: {k}")
        sys.exit(1)
    info = snap["goroutine_groups_info"]
    print(f"{label}: {len(ours)} groups, {sum(ours.values())} goroutines equal runtime.Stack"
          f" (of {info['goroutines']} read; dropped {snap['goroutine_stacks_dropped']})")


main()
