// park_workload: Go programs with known park behaviour for gmptop's BPF latency tests
// (tests/live/park_live.sh) and benchmark (scripts/bench-park.sh).
//
//	sleepchan         4 goroutines sleep 2 ms in a loop; a consumer is fed through an
//	                  unbuffered channel every 500 us by a producer that spins (so the
//	                  feed is on time); prints its own median sleep once a second
//	burst N           waits for SIGUSR1, then N channel round trips and N/10 100 us
//	                  sleeps, prints "done", then blocks without runtime activity
//	pingpong SECONDS  two goroutines bounce a value over unbuffered channels; ops/s
//	threadpong SECONDS the same with each goroutine locked to its own OS thread
//	                  (runtime.LockOSThread, as cgo callbacks and GUI loops do): every
//	                  bounce is a thread switch in the kernel (~100,000 a second); ops/s
//	mixed SECONDS     a worker pool fed through a channel, a contended mutex, timers,
//	                  allocation and a results channel: a busy service in miniature; ops/s
//
// With PARK_WAIT=1 the timed modes wait for SIGUSR1 before they start (so a tool can
// attach first) and linger 1.5 s after printing (so it can read its last counts).
// With PARK_PHASES=1 they run until killed and print "phase ops N secs S ops_per_s X"
// for the work done since the previous SIGUSR1 at each one: a benchmark compares phases
// of one process (scripts/bench-governor.sh), so where the scheduler happened to place
// this process's threads, which moves ping-pong's rate by 10% from one run to the next,
// is the same on both sides of a comparison.
// With PARK_SLEEPER=1 a further goroutine sleeps 2 ms at a time: whenever a probe window
// opens, a wait is under way that the probe did not see begin (ping-pong alone often has
// none: its two goroutines may both be between a wake and a park at that instant).
package main

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func spin(d time.Duration) {
	t0 := time.Now()
	for time.Since(t0) < d {
	}
}

func sleepchan() {
	var mu sync.Mutex
	var samples []time.Duration
	for i := 0; i < 4; i++ {
		go func() {
			for {
				t0 := time.Now()
				time.Sleep(2 * time.Millisecond)
				d := time.Since(t0)
				mu.Lock()
				samples = append(samples, d)
				mu.Unlock()
			}
		}()
	}
	ch := make(chan int)
	go func() {
		for range ch {
		}
	}()
	go func() {
		for {
			spin(500 * time.Microsecond)
			ch <- 1
		}
	}()
	for {
		time.Sleep(time.Second)
		mu.Lock()
		s := samples
		samples = nil
		mu.Unlock()
		if len(s) == 0 {
			continue
		}
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		fmt.Printf("sleep_median_ns %d n %d\n", s[len(s)/2].Nanoseconds(), len(s))
	}
}

func burst(n int) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	fmt.Println("ready")
	<-sig
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
		if i%10 == 0 {
			time.Sleep(100 * time.Microsecond)
		}
	}
	fmt.Println("done")
	select {}
}

func waitStart() {
	if os.Getenv("PARK_WAIT") != "1" {
		return
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	fmt.Println("ready")
	<-sig
	signal.Stop(sig)
}

// phases: in PARK_PHASES mode, reports the ops counted in *ops at each SIGUSR1 and
// returns true (the caller then runs until killed); otherwise false.
func phases(ops *atomic.Int64) bool {
	if os.Getenv("PARK_PHASES") != "1" {
		return false
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1)
	fmt.Println("ready")
	go func() {
		last, t0 := ops.Load(), time.Now()
		for range sig {
			n, t := ops.Load(), time.Now()
			el := t.Sub(t0).Seconds()
			fmt.Printf("phase ops %d secs %.3f ops_per_s %.0f\n", n-last, el, float64(n-last)/el)
			last, t0 = n, t
		}
	}()
	return true
}

func report(ops int64, el time.Duration) {
	fmt.Printf("ops %d secs %.3f ops_per_s %.0f\n", ops, el.Seconds(), float64(ops)/el.Seconds())
	if os.Getenv("PARK_WAIT") == "1" {
		time.Sleep(1500 * time.Millisecond)
	}
}

func pingpong(secs float64) {
	waitStart()
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	bounce(ping, pong, secs, false)
}

func threadpong(secs float64) {
	waitStart()
	ping, pong := make(chan int), make(chan int)
	go func() {
		runtime.LockOSThread()
		for v := range ping {
			pong <- v
		}
	}()
	runtime.LockOSThread()
	bounce(ping, pong, secs, true)
}

// bounce: round trips over ping and pong for secs (until killed in PARK_PHASES mode),
// counted; yield: the two hand one P between them through runnext, so with GOMAXPROCS=1
// nothing else (the phase reporter) would ever run without a Gosched now and then.
func bounce(ping, pong chan int, secs float64, yield bool) {
	var ops atomic.Int64
	if phases(&ops) {
		secs = 1e9
	}
	end := time.Now().Add(time.Duration(secs * float64(time.Second)))
	t0 := time.Now()
	for time.Now().Before(end) {
		for k := 0; k < 100; k++ {
			ping <- k
			<-pong
		}
		ops.Add(100)
		if yield {
			runtime.Gosched()
		}
	}
	report(ops.Load(), time.Since(t0))
}

func mixed(secs float64) {
	waitStart()
	// Requests flow producer -> jobs -> 8 workers (hash 2 KB, update a shared map under a
	// mutex, every 64th also waits on a short timer) -> results -> aggregator; a
	// background goroutine ticks every millisecond. CPU-bound, with the channel hand-offs,
	// lock waits and timers a busy service parks on.
	jobs := make(chan []byte, 64)
	results := make(chan uint32, 64)
	var mu sync.Mutex
	shared := map[uint32]int{}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				h := uint32(2166136261)
				for _, b := range j {
					h = (h ^ uint32(b)) * 16777619
				}
				mu.Lock()
				shared[h%4096]++
				mu.Unlock()
				if h%64 == 0 {
					time.Sleep(20 * time.Microsecond)
				}
				results <- h
			}
		}()
	}
	var done atomic.Int64
	if phases(&done) {
		secs = 1e9
	}
	aggDone := make(chan struct{})
	go func() {
		n := int64(0)
		for range results {
			if n++; n == 64 { // one atomic add per 64 results: not a point of contention
				done.Add(n)
				n = 0
			}
		}
		done.Add(n)
		close(aggDone)
	}()
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-stop:
				return
			}
		}
	}()
	end := time.Now().Add(time.Duration(secs * float64(time.Second)))
	t0 := time.Now()
	for i := 0; time.Now().Before(end); i++ {
		for k := 0; k < 64; k++ {
			j := make([]byte, 2048)
			j[0], j[1] = byte(i), byte(k)
			jobs <- j
		}
	}
	close(jobs)
	wg.Wait()
	close(results)
	<-aggDone
	close(stop)
	report(done.Load(), time.Since(t0))
}

func arg(i int, def float64) float64 {
	if len(os.Args) > i {
		if v, err := strconv.ParseFloat(os.Args[i], 64); err == nil {
			return v
		}
	}
	return def
}

func main() {
	if os.Getenv("PARK_SLEEPER") == "1" {
		go func() {
			for {
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: park_workload sleepchan|burst N|pingpong S|threadpong S|mixed S")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "sleepchan":
		sleepchan()
	case "burst":
		burst(int(arg(2, 20000)))
	case "pingpong":
		pingpong(arg(2, 5))
	case "threadpong":
		threadpong(arg(2, 5))
	case "mixed":
		mixed(arg(2, 5))
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", os.Args[1])
		os.Exit(2)
	}
}
