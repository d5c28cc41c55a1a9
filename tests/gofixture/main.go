// Fixture for gmptop's go_binary unit tests: a tiny program whose binary carries the
// runtime scheduler functions (gopark, casgstatus, execute) and data (allp) that
// gmptop looks up. It parks a few goroutines on channels and timers, then exits.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"
)

var sink int

func worker(id int, in <-chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for v := range in {
		sink += work(v) * id
		runtime.Gosched()
	}
}

func main() {
	// An optional argument keeps the process alive that many seconds, so a test can
	// inspect it from /proc while it runs.
	secs := 0
	if len(os.Args) > 1 {
		secs, _ = strconv.Atoi(os.Args[1])
	}
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := 1; i <= 4; i++ {
		wg.Add(1)
		go worker(i, ch, &wg)
	}
	for i := 0; i < 100; i++ {
		ch <- i
	}
	close(ch)
	wg.Wait()
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Println("fixture done", sink, runtime.NumGoroutine())
}
