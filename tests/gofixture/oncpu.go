package main

// `fixture oncpu SECONDS FILE [HZ]`: two goroutines burning CPU in known functions at a
// known ratio, for gmptop's on-CPU profile tests: spinAll all the time, quarterBurn a
// quarter of the time (20 ms of work, 60 ms asleep: bursts much longer than a kernel
// tick, which runtime/pprof's per-thread timers need to see them whole — with 2 ms
// bursts it counts about half of them, measured). After a short warm-up the program
// takes its own runtime/pprof CPU profile for SECONDS at HZ (default 100) into FILE —
// the reference the tests compare gmptop's with — printing "profiling" when it starts.

import (
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"
)

var burnSink uint64

//go:noinline
func spinAll() {
	x := uint64(1)
	for {
		for i := 0; i < 1<<20; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		burnSink += x
	}
}

//go:noinline
func quarterBurn(n int) uint64 {
	x := uint64(3)
	for i := 0; i < n; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// Iterations of quarterBurn's loop that take about d.
func calibrate(d time.Duration) int {
	n := 1 << 16
	for {
		t0 := time.Now()
		burnSink += quarterBurn(n)
		if el := time.Since(t0); el >= 20*time.Millisecond {
			return int(float64(n) * float64(d) / float64(el))
		}
		n *= 2
	}
}

func quarterLoop(n int) {
	for {
		burnSink += quarterBurn(n)
		time.Sleep(60 * time.Millisecond)
	}
}

func runOnCPU(secs int, file string, hz int) {
	n := calibrate(20 * time.Millisecond)
	go spinAll()
	go quarterLoop(n)
	time.Sleep(300 * time.Millisecond)
	f, err := os.Create(file)
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	if hz != 100 {
		// StartCPUProfile sets 100 Hz unless a rate is already set (it then warns).
		runtime.SetCPUProfileRate(hz)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("profiling\n")
	time.Sleep(time.Duration(secs) * time.Second)
	pprof.StopCPUProfile()
	f.Close()
	os.Stdout.WriteString("done\n")
	os.Exit(0)
}

func init() {
	if len(os.Args) > 3 && os.Args[1] == "oncpu" {
		secs, _ := strconv.Atoi(os.Args[2])
		hz := 100
		if len(os.Args) > 4 {
			hz, _ = strconv.Atoi(os.Args[4])
		}
		runOnCPU(secs, os.Args[3], hz)
	}
}
