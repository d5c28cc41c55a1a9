// server_workload: an HTTP server for benchmarks driven from outside (wrk): each request
// hashes (sha256, 40 rounds), updates a map under a mutex and allocates a 4 KiB buffer,
// as a small real handler does. `server_workload ADDR` prints "listening ADDR" when ready.
// With `spin SECONDS` instead it burns one goroutine for SECONDS and prints "ops N/s".
package main

import (
	"crypto/sha256"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

var (
	mu    sync.Mutex
	hits  = map[string]int{}
	sinkB []byte
)

//go:noinline
func spinFor(d time.Duration) uint64 {
	var n, x uint64 = 0, 1
	deadline := time.Now().Add(d)
	for {
		for i := 0; i < 1<<16; i++ {
			x = x*6364136223846793005 + 1442695040888963407
		}
		n++
		if time.Now().After(deadline) {
			return n<<16 + x&1
		}
	}
}

func main() {
	if len(os.Args) > 2 && os.Args[1] == "spin" {
		secs, _ := strconv.Atoi(os.Args[2])
		n := spinFor(time.Duration(secs) * time.Second)
		fmt.Printf("ops %d/s\n", n/uint64(secs))
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
	})
	fmt.Printf("listening %s\n", ln.Addr())
	_ = http.Serve(ln, nil)
}
