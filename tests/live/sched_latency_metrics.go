// sched_latency_metrics: makes scheduling events, prints what runtime/metrics says about
// the scheduling-latency and GC-pause histograms as one JSON line, then blocks in a
// read(2) on stdin so that nothing more is scheduled while a test reads the same
// histograms from outside (gmptop's test_go_timehist). A byte on stdin asks for another
// report; the program exits when stdin closes.
//
// Why nothing is recorded after metrics.Read: the workers have exited, the GC and the
// scavenger have nothing left to do (FreeOSMemory, settle), no timer is armed, sysmon is
// a thread and not a goroutine, the only periodic goroutine (forced GC) waits 2 minutes,
// and the line is written without entersyscall (see report).
//
// Standard library only; builds with go1.19 to go1.23: go build sched_latency_metrics.go
package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

var names = []string{"/sched/latencies:seconds", "/gc/pauses:seconds"}

// Channel ping-pong gives sub-microsecond to microsecond latencies; more CPU-bound
// goroutines than Ps gives waits of a preemption slice (~10 ms). Both end by deadline.
func work(d time.Duration) {
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for p := 0; p < 4; p++ {
		ping, pong := make(chan int), make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for v := range ping {
				pong <- v + 1
			}
		}()
		go func() {
			defer wg.Done()
			n := 0
			for time.Now().Before(deadline) {
				ping <- n
				n = <-pong
			}
			close(ping)
		}()
	}
	for s := 0; s < runtime.GOMAXPROCS(0)+2; s++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := 0
			for time.Now().Before(deadline) {
				for i := 0; i < 10000; i++ {
					x += i
				}
			}
			_ = x
		}()
	}
	wg.Wait()
}

func float(b float64) string {
	switch {
	case b > 1e308:
		return `"+Inf"`
	case b < -1e308:
		return `"-Inf"`
	}
	return strconv.FormatFloat(b, 'g', -1, 64)
}

func histJSON(h *metrics.Float64Histogram) string {
	var sb strings.Builder
	sb.WriteString(`{"buckets":[`)
	for i, b := range h.Buckets {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(float(b))
	}
	sb.WriteString(`],"counts":[`)
	for i, c := range h.Counts {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(strconv.FormatUint(c, 10))
	}
	sb.WriteString(`]}`)
	return sb.String()
}

// settle lets the runtime's own background work happen before metrics are read: the
// end of a GC's sweep asks sysmon to wake the scavenger, and sysmon, asleep while every P
// is idle, would otherwise do it on the next wake-up -- which the blocking read below
// causes (entersyscall wakes a waiting sysmon). Spinning keeps a P busy so sysmon ticks
// (at most every 10 ms); the sleep lets whatever it woke run and park again.
func settle() {
	end := time.Now().Add(30 * time.Millisecond)
	for time.Now().Before(end) {
	}
	time.Sleep(50 * time.Millisecond)
}

// report prints the histograms as one JSON line.
func report(samples []metrics.Sample) {
	metrics.Read(samples)
	var sb strings.Builder
	sb.WriteString(`{"go":"` + runtime.Version() + `","pid":` + strconv.Itoa(os.Getpid()))
	for _, s := range samples {
		if s.Value.Kind() != metrics.KindFloat64Histogram {
			continue
		}
		sb.WriteString(`,"` + s.Name + `":` + histJSON(s.Value.Float64Histogram()))
	}
	sb.WriteString("}\n")
	// RawSyscall, not syscall.Write: leaving a syscall entered through entersyscall is a
	// transition to running, which the runtime samples (1 in 8) into timeToRun as a
	// zero latency, one event after metrics.Read took its copy.
	line := []byte(sb.String())
	for len(line) > 0 {
		n, _, errno := syscall.RawSyscall(syscall.SYS_WRITE, 1,
			uintptr(unsafe.Pointer(&line[0])), uintptr(len(line)))
		if errno == syscall.EINTR || errno == syscall.EAGAIN {
			continue
		}
		if errno != 0 {
			os.Exit(2)
		}
		line = line[n:]
	}
}

func main() {
	work(300 * time.Millisecond)
	runtime.GC() // at least one GC pause in the pause histogram
	debug.FreeOSMemory()

	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	// Blocking read(2) through entersyscall, so that the P is handed off and a GC could
	// still stop the world; entering records nothing, only the return does. Each byte
	// read asks for another report (a test retries when something ran after all).
	var buf [1]byte
	for {
		settle()
		report(samples)
		n, err := syscall.Read(0, buf[:])
		for err == syscall.EINTR {
			n, err = syscall.Read(0, buf[:])
		}
		if n <= 0 || err != nil {
			os.Exit(0)
		}
	}
}
