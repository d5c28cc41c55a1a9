package main

// `fixture groups SECONDS`: goroutines in known groups for gmptop's goroutine-group
// tests. Once they have all parked, the program prints runtime.Stack(all) — the
// runtime's own view of every goroutine, the reference the tests compare with — ends it
// with a line "==end==", and then sleeps SECONDS so gmptop can read it unchanged.
//   100 in blockedRecv (chan receive), 50 in napping (sleep), 20 in nestedWait with
//   waitFor inlined into it (chan receive, an inlined frame on top): all created by
//   spawnGroups.

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
func spawnGroups(recv, nested chan int) {
	for i := 0; i < groupRecv; i++ {
		go blockedRecv(recv)
	}
	for i := 0; i < groupSleep; i++ {
		go napping()
	}
	for i := 0; i < groupNested; i++ {
		go nestedWait(nested)
	}
}

func runGroups(secs int) {
	base := runtime.NumGoroutine()
	spawnGroups(make(chan int), make(chan int))
	for runtime.NumGoroutine() < base+groupRecv+groupSleep+groupNested {
		time.Sleep(time.Millisecond)
	}
	// Each new goroutine runs to its wait within a scheduling round or two.
	time.Sleep(200 * time.Millisecond)
	buf := make([]byte, 1<<22)
	n := runtime.Stack(buf, true)
	os.Stdout.Write(buf[:n])
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
