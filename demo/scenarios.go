// The scenarios: each one reproduces one scheduler pathology with a
// deterministic shape, and keeps its CPU use bounded where the pathology allows.
package main

import (
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

var scenarios = []scenario{
	{"pingpong", "two goroutines bounce a token over unbuffered channels", runPingpong},
	{"mutex", "4 x GOMAXPROCS goroutines contend on one sync.Mutex", runMutex},
	{"runnable", "64 CPU-bound goroutines share GOMAXPROCS Ps: long runqueues", runRunnable},
	{"frozen", "unpreemptible loops hold every P; queued goroutines never run", runFrozen},
	{"syscall", "goroutines block in raw read/nanosleep syscalls: Ms pile up", runSyscall},
	{"gc", "churn of short-lived pointerful objects: frequent GC, assists", runGC},
	{"timers", "many goroutines in short time.Sleep / time.Ticker loops", runTimers},
	{"idle", "healthy idle HTTP server, one request per 100 ms (control)", runIdle},
	{"pinned", "a goroutine locked to its thread, pinned to one CPU (-n CPU)", runPinned},
	{"churn", "goroutines and OS threads come and go, GC runs: for soak tests", runChurn},
	{"sysbusy", "goroutines in back-to-back 20 us nanosleep syscalls: Ps held in syscall", runSysbusy},
	{"leak", "goroutines blocked forever on unreachable channels; Go 1.26+ flags them leaked", runLeak},
	{"pileup", "a leak that grows: every second N (default 2) more goroutines block forever", runPileup},
}

// sink keeps the compiler from discarding busy work.
var sink uint64

func orDefault(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// spin burns CPU for about d, checking the clock only now and then.
func spin(d time.Duration) {
	end := time.Now().Add(d)
	x := uint64(1)
	for {
		for i := 0; i < 4096; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		if !time.Now().Before(end) {
			break
		}
	}
	atomic.AddUint64(&sink, x)
}

// busyIters is a short critical section of a fixed number of steps.
func busyIters(n int, x uint64) uint64 {
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

// runPingpong: every hop parks one goroutine on a channel and readies the other, so
// the schedule rate is high while little real work is done. Bursts of 20 ms with 10 ms
// rests keep it under a core.
func runPingpong(cfg config) error {
	pairs := orDefault(cfg.n, 1)
	for i := 0; i < pairs; i++ {
		ping, pong := make(chan int), make(chan int)
		go func(ping <-chan int, pong chan<- int) {
			for v := range ping {
				pong <- v + 1
			}
		}(ping, pong)
		go func(ping chan<- int, pong <-chan int) {
			v := 0
			for {
				end := time.Now().Add(20 * time.Millisecond)
				for time.Now().Before(end) {
					for j := 0; j < 64; j++ {
						ping <- v
						v = <-pong
					}
				}
				time.Sleep(10 * time.Millisecond)
			}
		}(ping, pong)
	}
	select {}
}

// runMutex: the critical section is short but the lock is wanted nearly all the time,
// so most Lock calls find it held, spin out and park (sync.Mutex.Lock / semacquire).
func runMutex(cfg config) error {
	workers := orDefault(cfg.n, 4*cfg.procs)
	var mu sync.Mutex
	var shared uint64 = 1
	var calm int32 // set after cfg.calm: the workers return and the contention ends
	if cfg.calm > 0 {
		time.AfterFunc(cfg.calm, func() { atomic.StoreInt32(&calm, 1) })
	}
	for i := 0; i < workers; i++ {
		go func(seed uint64) {
			local := seed | 1
			for atomic.LoadInt32(&calm) == 0 {
				mu.Lock()
				shared = busyIters(2000, shared)
				mu.Unlock()
				local = busyIters(500, local)
			}
		}(uint64(i) + 1)
	}
	select {}
}

// runRunnable: far more CPU-bound goroutines than Ps. Each computes for 20 ms and then
// sleeps 1 ms, so timers wake goroutines onto whichever P ran the timer and idle-ish
// Ps steal: long local runqueues, constant stealing, high scheduling latency.
func runRunnable(cfg config) error {
	n := orDefault(cfg.n, 64)
	for i := 0; i < n; i++ {
		go func() {
			for {
				spin(20 * time.Millisecond)
				time.Sleep(time.Millisecond)
			}
		}()
	}
	select {}
}

// ensureAsyncPreemptOff re-executes the binary with asyncpreemptoff=1 appended to
// GODEBUG: frozen relies on loops that the runtime cannot preempt.
func ensureAsyncPreemptOff() error {
	gd := os.Getenv("GODEBUG")
	on := false
	for _, kv := range strings.Split(gd, ",") {
		switch strings.TrimSpace(kv) {
		case "asyncpreemptoff=1":
			on = true
		case "asyncpreemptoff=0":
			on = false
		}
	}
	if on {
		return nil
	}
	if os.Getenv("GMPTOP_DEMO_REEXEC") != "" {
		return fmt.Errorf("GODEBUG=%q still lacks asyncpreemptoff=1 after re-exec", gd)
	}
	if gd != "" {
		gd += ","
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	env = append(env, "GODEBUG="+gd+"asyncpreemptoff=1", "GMPTOP_DEMO_REEXEC=1")
	// Exec the file by its own path, not /proc/self/exe, so the process keeps its
	// command name ("gmptop-demo", not "exe") in ps, htop and gmptop.
	self, err := os.Executable()
	if err != nil {
		self = "/proc/self/exe"
	}
	if err := syscall.Exec(self, os.Args, env); err != nil {
		return fmt.Errorf("execve %s: %v", self, err)
	}
	return nil
}

// sigevent is struct sigevent of linux/amd64 and arm64 (64 bytes).
type sigevent struct {
	value  uintptr
	signo  int32
	notify int32
	pad    [12]int32
}

type itimerspec struct {
	interval syscall.Timespec
	value    syscall.Timespec
}

// armKillTimer makes the kernel send SIGTERM after d. frozen needs it for -duration:
// no goroutine can run a Go timer once every P is held by a loop.
func armKillTimer(d time.Duration) error {
	const sigevSignal = 0
	ev := sigevent{signo: int32(syscall.SIGTERM), notify: sigevSignal}
	var id int32
	_, _, e := syscall.RawSyscall(syscall.SYS_TIMER_CREATE, uintptr(1), /* CLOCK_MONOTONIC */
		uintptr(unsafe.Pointer(&ev)), uintptr(unsafe.Pointer(&id)))
	if e != 0 {
		return fmt.Errorf("timer_create: %v", e)
	}
	spec := itimerspec{value: syscall.NsecToTimespec(d.Nanoseconds())}
	_, _, e = syscall.RawSyscall6(syscall.SYS_TIMER_SETTIME, uintptr(id), 0,
		uintptr(unsafe.Pointer(&spec)), 0, 0, 0)
	if e != 0 {
		return fmt.Errorf("timer_settime: %v", e)
	}
	return nil
}

var (
	frozenStarted int32 // spinners that reached their loop
	frozenEscaped int32 // queued goroutines that ran anyway (should stay 0)
	frozenPark    = make(chan struct{})
)

// frozenSpin is a loop without calls, hence without preemption points.
func frozenSpin() {
	atomic.AddInt32(&frozenStarted, 1)
	x := uint64(1)
	for {
		x = x*6364136223846793005 + 1442695040888963407
		if x == 0 {
			sink = x
		}
	}
}

func frozenQueued() {
	atomic.AddInt32(&frozenEscaped, 1)
	<-frozenPark
}

// runFrozen: under asyncpreemptoff=1, GOMAXPROCS-1 spinners take the other Ps, then
// main queues n goroutines on its own P and becomes the last spinner. Nothing ever
// calls into the scheduler again, so the queues stay exactly as built: with P=2 and
// n=300, runnext holds 1, the local queue 170 and the global queue 129 (the local
// queue overflowed once at 256, moving half of it plus one to the global queue).
// GC is off: a stop-the-world could never complete.
func runFrozen(cfg config) error {
	n := orDefault(cfg.n, 300)
	debug.SetGCPercent(-1)
	if cfg.duration > 0 {
		if err := armKillTimer(cfg.duration); err != nil {
			return err
		}
	}
	for i := 0; i < cfg.procs-1; i++ {
		go frozenSpin()
	}
	// Idle Ps steal the spinners within microseconds; wait until each runs on its own P.
	deadline := time.Now().Add(5 * time.Second)
	for atomic.LoadInt32(&frozenStarted) < int32(cfg.procs-1) {
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d spinners started",
				atomic.LoadInt32(&frozenStarted), cfg.procs-1)
		}
	}
	// A fresh time slice, so sysmon cannot flag main for preemption (at its next
	// call, i.e. one of the go statements below) before it starts spinning.
	runtime.Gosched()
	for i := 0; i < n; i++ {
		go frozenQueued()
	}
	x := uint64(1)
	for {
		x = x*6364136223846793005 + 1442695040888963407
		if x == 0 {
			sink = x
		}
	}
}

// runSyscall: goroutines block in the kernel through syscall.Syscall (read on a
// blocking pipe that is written rarely, nanosleep), so each holds an M; sysmon hands
// their Ps to new Ms and the thread count grows with the number of blocked calls.
func runSyscall(cfg config) error {
	n := orDefault(cfg.n, 16)
	readers := (n + 1) / 2
	var writeFds []int
	for i := 0; i < readers; i++ {
		var fds [2]int
		if err := syscall.Pipe2(fds[:], syscall.O_CLOEXEC); err != nil {
			return fmt.Errorf("pipe2: %v", err)
		}
		writeFds = append(writeFds, fds[1])
		go func(fd int) {
			buf := make([]byte, 64)
			for {
				if _, err := syscall.Read(fd, buf); err != nil && err != syscall.EINTR {
					fmt.Fprintf(os.Stderr, "gmptop-demo: syscall: read: %v\n", err)
					return
				}
			}
		}(fds[0])
	}
	for i := readers; i < n; i++ {
		go func() {
			ts := syscall.NsecToTimespec(int64(200 * time.Millisecond))
			for {
				_ = syscall.Nanosleep(&ts, nil)
			}
		}()
	}
	// Wake one reader every 50 ms: it returns from read, needs a P again, blocks again.
	one := []byte{1}
	for i := 0; ; i++ {
		time.Sleep(50 * time.Millisecond)
		if _, err := syscall.Write(writeFds[i%len(writeFds)], one); err != nil {
			return fmt.Errorf("write: %v", err)
		}
	}
}

// node is a small pointerful object, so the collector must scan every one.
type node struct {
	next  *node
	left  *node
	label *string
	val   [4]uint64
}

// runGC: allocators build 1000-node lists and drop them, keeping a few MB live, so
// the heap goal is reached many times a second and allocators are drafted into mark
// assists. 10 ms of churn then a 5 ms rest bound the CPU use.
func runGC(cfg config) error {
	workers := orDefault(cfg.n, cfg.procs)
	for w := 0; w < workers; w++ {
		go func(seed int64) {
			r := rand.New(rand.NewSource(seed))
			live := make([]*node, 64)
			label := "gmptop"
			for {
				end := time.Now().Add(10 * time.Millisecond)
				for time.Now().Before(end) {
					var head *node
					for i := 0; i < 1000; i++ {
						head = &node{next: head, left: head, label: &label}
						head.val[0] = uint64(i)
					}
					live[r.Intn(len(live))] = head
				}
				time.Sleep(5 * time.Millisecond)
			}
		}(int64(w) + 1)
	}
	select {}
}

// runTimers: many goroutines parked in time.Sleep (wait reason "sleep") and on ticker
// channels, with short periods: a high rate of timer-driven wakeups, little work.
func runTimers(cfg config) error {
	n := orDefault(cfg.n, 160)
	tickers := n / 5
	for i := 0; i < n-tickers; i++ {
		d := time.Duration(5+i%16) * time.Millisecond
		go func(d time.Duration) {
			for {
				time.Sleep(d)
				atomic.AddUint64(&sink, 1)
			}
		}(d)
	}
	for i := 0; i < tickers; i++ {
		go func() {
			t := time.NewTicker(5 * time.Millisecond)
			for range t.C {
				atomic.AddUint64(&sink, 1)
			}
		}()
	}
	select {}
}

// runIdle: the control case. A local HTTP server answers itself ten times a second;
// gmptop should show idle Ps, short queues and no findings.
func runIdle(cfg config) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	go func() {
		_ = http.Serve(ln, mux)
	}()
	client := &http.Client{Timeout: 5 * time.Second}
	url := "http://" + ln.Addr().String() + "/"
	tick := time.NewTicker(100 * time.Millisecond)
	for range tick.C {
		resp, err := client.Get(url)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gmptop-demo: idle: GET: %v\n", err)
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return nil
}

// runPinned: an affinity experiment. One goroutine calls LockOSThread, pins its
// thread to one CPU with sched_setaffinity (the last CPU, or -n CPU) and stays busy, so
// its P's thread sits on that CPU; gmptop must show exactly that.
func runPinned(cfg config) error {
	cpu := cfg.n
	if cpu <= 0 {
		cpu = runtime.NumCPU() - 1
	}
	if cpu >= 1024 {
		return fmt.Errorf("pinned: cpu %d out of range", cpu)
	}
	ready := make(chan int)
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		var mask [1024 / 64]uint64
		mask[cpu/64] |= 1 << (uint(cpu) % 64)
		_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0,
			uintptr(len(mask)*8), uintptr(unsafe.Pointer(&mask[0])))
		if e != 0 {
			errc <- fmt.Errorf("sched_setaffinity(cpu %d): %v", cpu, e)
			return
		}
		ready <- syscall.Gettid()
		for {
			sink += busyIters(1<<16, sink)
		}
	}()
	select {
	case err := <-errc:
		return err
	case tid := <-ready:
		fmt.Fprintf(os.Stderr, "gmptop-demo: pinned tid=%d cpu=%d\n", tid, cpu)
	}
	select {}
}

// runChurn: everything gmptop tracks changes all the time — goroutines start and end,
// OS threads are created and destroyed (a goroutine that exits while locked to its
// thread takes the thread with it), and allocation keeps the GC running. Used by the
// soak test to check gmptop's own memory and fds stay flat.
func runChurn(cfg config) error {
	n := orDefault(cfg.n, 50)
	for {
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				if i%10 == 0 {
					runtime.LockOSThread() // never unlocked: the thread exits with it
				}
				buf := make([][]byte, 0, 64)
				for k := 0; k < 64; k++ {
					buf = append(buf, make([]byte, 1024))
				}
				sink += uint64(len(buf))
				time.Sleep(time.Duration(rand.Intn(20)) * time.Millisecond)
			}(i)
		}
		wg.Wait()
		time.Sleep(50 * time.Millisecond)
	}
}

// runSysbusy: n goroutines (default GOMAXPROCS-1, at least 1) each make 20 us nanosleep
// syscalls back to back. Syscalls this short mostly end before sysmon retakes their P,
// so those Ps are "in syscall" much of the time: before Go 1.26 the P's own status says
// so and its thread is found through m.oldp; from 1.26 the P stays running and only the
// goroutine's status tells.
func runSysbusy(cfg config) error {
	n := orDefault(cfg.n, cfg.procs-1)
	if n < 1 {
		n = 1
	}
	for i := 0; i < n; i++ {
		go func() {
			ts := syscall.NsecToTimespec(int64(20 * time.Microsecond))
			for {
				_ = syscall.Nanosleep(&ts, nil)
			}
		}()
	}
	select {}
}

// runPileup: a request handler that leaks, the slow way services die: every second n more
// goroutines (default 2) block on channels nobody else holds, so the count climbs for as
// long as it runs (gmptop's goroutine_pileup rule judges 3 minutes of that).
func runPileup(cfg config) error {
	n := orDefault(cfg.n, 2)
	for {
		for i := 0; i < n; i++ {
			go func() {
				ch := make(chan int)
				<-ch
			}()
		}
		time.Sleep(time.Second)
	}
}

// runLeak: n goroutines (default 8) block on channels nobody else holds. Once a second
// the goroutineleak profile (Go 1.26 with GOEXPERIMENT=goroutineleakprofile, default
// from 1.27) runs the leak-detecting GC, which moves them to _Gleaked. Prints
// "leak n=N goroutines=G profile=yes|no" once set up: G is runtime.NumGoroutine().
func runLeak(cfg config) error {
	n := orDefault(cfg.n, 8)
	var ready sync.WaitGroup
	for i := 0; i < n; i++ {
		ready.Add(1)
		go func() {
			ch := make(chan int)
			ready.Done()
			<-ch
		}()
	}
	ready.Wait()
	prof := pprof.Lookup("goroutineleak")
	detect := func() {
		if prof != nil {
			_ = prof.WriteTo(io.Discard, 0)
		}
	}
	detect()
	has := "no"
	if prof != nil {
		has = "yes"
	}
	fmt.Fprintf(os.Stderr, "leak n=%d goroutines=%d profile=%s\n", n, runtime.NumGoroutine(), has)
	for {
		time.Sleep(time.Second)
		detect()
	}
}
