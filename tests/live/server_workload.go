// server_workload: an HTTP server for benchmarks driven from outside (wrk): each request
// hashes (sha256, 40 rounds), updates a map under a mutex and allocates a 4 KiB buffer,
// as a small real handler does. `server_workload ADDR` prints "listening ADDR" when ready.
// With `gaps SECONDS` instead one goroutine reads the clock in a tight loop for SECONDS
// and prints how often and how long it was interrupted ("gaps N total_ns T"): what a
// sampling interrupt takes from the program, one by one, which lost work averaged over
// seconds cannot resolve.
// With PARK_PHASES=1 it prints "phase ops N secs S ops_per_s X" at each SIGUSR1: the
// requests served since the previous one, counted here rather than by the load
// generator, so a benchmark can compare phases under one unbroken load
// (scripts/bench-governor.sh).
package main

import (
	"crypto/sha256"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

var (
	mu    sync.Mutex
	hits  = map[string]int{}
	sinkB []byte
	ops   atomic.Int64
)

// phases: with PARK_PHASES=1, reports the requests served at each SIGUSR1.
func phases() {
	if os.Getenv("PARK_PHASES") != "1" {
		return
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	go func() {
		last, t0 := ops.Load(), time.Now()
		for range sig {
			n, t := ops.Load(), time.Now()
			el := t.Sub(t0).Seconds()
			fmt.Printf("phase ops %d secs %.3f ops_per_s %.0f\n", n-last, el, float64(n-last)/el)
			last, t0 = n, t
		}
	}()
}

// gaps: interruptions longer than 1 us between two reads of the monotonic clock.
//
//go:noinline
func gaps(d time.Duration) (n int, total time.Duration) {
	start := time.Now()
	last := start
	for {
		now := time.Now()
		if g := now.Sub(last); g > time.Microsecond {
			n++
			total += g
		}
		last = now
		if now.Sub(start) > d {
			return n, total
		}
	}
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "gaps" {
		secs, _ := strconv.Atoi(os.Args[2])
		time.Sleep(300 * time.Millisecond) // a sampler attaches meanwhile
		n, total := gaps(time.Duration(secs) * time.Second)
		fmt.Printf("gaps %d total_ns %d\n", n, total.Nanoseconds())
		return
	}
	addr := "127.0.0.1:0"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		sum := sha256.Sum256([]byte(r.URL.Path))
		for i := 0; i < 40; i++ {
			sum = sha256.Sum256(sum[:])
		}
		buf := make([]byte, 4096)
		copy(buf, sum[:])
		mu.Lock()
		hits[r.URL.Path]++
		sinkB = buf
		mu.Unlock()
		_, _ = fmt.Fprintf(w, "ok %x\n", sum[:4])
		ops.Add(1)
	})
	phases()
	fmt.Printf("listening %s\n", ln.Addr())
	_ = http.Serve(ln, nil)
}
