// exec_workload: the Go program of gmptop's exec and 386 tests (batch_json,
// unknown_version, tmux_exec). Four goroutines sleep in 1 ms loops; "pid=N image=I" is
// printed once the runtime is up (I is "" for the first image, "1" after a re-exec).
// With EXEC_TO set, the first image execs in place after EXEC_AFTER_MS (default 1500):
// EXEC_TO=self re-executes this binary, any other value execs that program with the
// argument "60".
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

func main() {
	fmt.Printf("pid=%d image=%s\n", os.Getpid(), os.Getenv("REEXEC"))
	for i := 0; i < 4; i++ {
		go func() {
			for {
				time.Sleep(time.Millisecond)
			}
		}()
	}
	if to := os.Getenv("EXEC_TO"); to != "" && os.Getenv("REEXEC") == "" {
		after, err := strconv.Atoi(os.Getenv("EXEC_AFTER_MS"))
		if err != nil {
			after = 1500
		}
		time.Sleep(time.Duration(after) * time.Millisecond)
		if to == "self" {
			self, _ := os.Executable()
			syscall.Exec(self, os.Args, append(os.Environ(), "REEXEC=1"))
		} else {
			syscall.Exec(to, []string{to, "60"}, os.Environ())
		}
		fmt.Fprintln(os.Stderr, "exec failed")
		os.Exit(1)
	}
	time.Sleep(time.Hour)
}
