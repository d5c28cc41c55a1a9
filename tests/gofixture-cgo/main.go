// Fixture for gmptop's go_binary unit tests, as tests/gofixture but a real cgo program:
// it calls C, so the C start-up code, runtime/cgo and libc sit in the same text as the
// Go functions gmptop looks up, and the system linker lays the binary out.
package main

/*
static int twice(int v) { return 2 * v; }
*/
import "C"

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
		sink += int(C.twice(C.int(v))) * id
		runtime.Gosched()
	}
}

func main() {
	// An optional argument keeps the process alive that many seconds.
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
