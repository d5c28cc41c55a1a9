// numa_workload: touches a known amount of Go heap, says "ready", then idles, so the
// NUMA collector's page counts can be checked against numastat (tests/live/numa_live.sh).
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"
)

func main() {
	mib := 256
	if len(os.Args) > 1 {
		if n, err := strconv.Atoi(os.Args[1]); err == nil && n > 0 {
			mib = n
		}
	}
	// NUMA_WORKLOAD_NOTHP=1: base pages only (PR_SET_THP_DISABLE), the costly case
	// for a numa_maps scan, which walks THP at one entry per 2 MiB.
	if os.Getenv("NUMA_WORKLOAD_NOTHP") == "1" {
		if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, 41, 1, 0); e != 0 {
			fmt.Fprintln(os.Stderr, "prctl(PR_SET_THP_DISABLE):", e)
			os.Exit(1)
		}
	}
	// No collection may free or move anything while the counts are compared.
	debug.SetGCPercent(-1)
	buf := make([]byte, mib<<20)
	for i := 0; i < len(buf); i += 4096 {
		buf[i] = byte(i)
	}
	// The runtime's own view of its heap: what it has mapped (HeapSys) bounds the
	// resident heap pages from above (tests/live/numa_versions.sh).
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Println("ready", os.Getpid(), "heap_sys", ms.HeapSys)
	for {
		time.Sleep(time.Second)
		runtime.KeepAlive(buf)
	}
}
