// maxprocs_workload: prints the GOMAXPROCS its runtime chose, as "gomaxprocs=N pid=P",
// at start and every 200 ms (Go 1.25+ may change it while running), until killed.
package main

import (
	"fmt"
	"os"
	"runtime"
	"time"
)

func main() {
	for {
		fmt.Printf("gomaxprocs=%d pid=%d\n", runtime.GOMAXPROCS(0), os.Getpid())
		time.Sleep(200 * time.Millisecond)
	}
}
