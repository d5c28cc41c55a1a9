// http_workload: a loaded HTTP server: a local server and a pool of keep-alive clients
// in the same process hammer it (tests/tui/tmux_numa.sh). Each request also costs some
// CPU, as a real handler does, so the Ps are mostly running; the rest of the time they
// are in syscalls (reads, writes) or idle in netpoll. Prints "pid=N" once the load runs.
package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		sum := sha256.Sum256([]byte("gmptop"))
		for i := 0; i < 2000; i++ {
			sum = sha256.Sum256(sum[:])
		}
		_, _ = fmt.Fprintf(w, "ok %x\n", sum[:4])
	})
	go func() { _ = http.Serve(ln, mux) }()
	url := "http://" + ln.Addr().String() + "/"
	for i := 0; i < 8; i++ {
		go func() {
			client := &http.Client{Timeout: 5 * time.Second}
			for {
				resp, err := client.Get(url)
				if err != nil {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	fmt.Printf("pid=%d\n", os.Getpid())
	select {}
}
