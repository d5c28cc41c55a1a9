package main

// `fixture groups SECONDS`: goroutines in known groups for gmptop's goroutine-group
// tests. Once they have all parked, the program prints runtime.Stack(all) — the
// runtime's own view of every goroutine, the reference the tests compare with — ends it
// with a line "==end==", and then sleeps SECONDS so gmptop can read it unchanged.
//   100 in blockedRecv (chan receive), 50 in napping (sleep), 20 in nestedWait with
//   waitFor inlined into it (chan receive, an inlined frame on top): all created by
//   spawnGroups. GROUPS_SCALE=K multiplies the counts (benchmarks: 600 gives 102,000
//   goroutines); the dump is then left out.

import (
	"os"
	"runtime"
	"strconv"
	"time"
)

const (
	groupRecv   = 100
	groupSleep  = 50
	groupNested = 20
)

//go:noinline
func blockedRecv(ch chan int) {
	sink += <-ch
}

//go:noinline
func napping() {
	time.Sleep(time.Hour)
}

// waitFor is small enough that the compiler inlines it into nestedWait.
func waitFor(c chan int) int {
	return <-c
}

//go:noinline
func nestedWait(c chan int) {
	sink += waitFor(c)
}

//go:noinline
func spawnGroups(recv, nested chan int, scale int) {
	for i := 0; i < groupRecv*scale; i++ {
		go blockedRecv(recv)
	}
	for i := 0; i < groupSleep*scale; i++ {
		go napping()
	}
	for i := 0; i < groupNested*scale; i++ {
		go nestedWait(nested)
	}
}

func runGroups(secs int) {
	scale, _ := strconv.Atoi(os.Getenv("GROUPS_SCALE"))
	if scale < 1 {
		scale = 1
	}
	base := runtime.NumGoroutine()
	spawnGroups(make(chan int), make(chan int), scale)
	for runtime.NumGoroutine() < base+(groupRecv+groupSleep+groupNested)*scale {
		time.Sleep(time.Millisecond)
	}
	// Each new goroutine runs to its wait within a scheduling round or two.
	time.Sleep(200 * time.Millisecond)
	if scale == 1 {
		buf := make([]byte, 1<<22)
		n := runtime.Stack(buf, true)
		os.Stdout.Write(buf[:n])
	}
	os.Stdout.WriteString("\n==end==\n")
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	os.Exit(0)
}

func init() {
	if len(os.Args) > 1 && os.Args[1] == "groups" {
		secs := 0
		if len(os.Args) > 2 {
			secs, _ = strconv.Atoi(os.Args[2])
		}
		runGroups(secs)
	}
}
