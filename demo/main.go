// gmptop-demo: Go workloads with known scheduler behaviour, one per pathology, for
// showing (and testing) what gmptop sees. Standard library only; builds with Go 1.19+.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"
)

// scenario is one reproducible pathology. run never returns unless the scenario
// fails to set up; the process ends by signal or by the -duration timer.
type scenario struct {
	name      string
	pathology string
	run       func(cfg config) error
}

type config struct {
	name     string
	duration time.Duration
	n        int // scenario-specific goroutine count; 0 = the scenario's default
	procs    int // GOMAXPROCS in effect
	calm     time.Duration // mutex: stop the contention after this long; 0 = never
}

func usage() {
	fmt.Fprintf(os.Stderr, "usage: gmptop-demo NAME [-duration D] [-n N] [-calm-after D]\n"+
		"       gmptop-demo list\n")
}

func findScenario(name string) *scenario {
	for i := range scenarios {
		if scenarios[i].name == name {
			return &scenarios[i]
		}
	}
	return nil
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	name := os.Args[1]
	switch name {
	case "list":
		for _, s := range scenarios {
			fmt.Printf("%-10s %s\n", s.name, s.pathology)
		}
		return
	case "-h", "-help", "--help", "help":
		usage()
		return
	}
	sc := findScenario(name)
	if sc == nil {
		fmt.Fprintf(os.Stderr, "gmptop-demo: unknown scenario %q (try: gmptop-demo list)\n", name)
		os.Exit(2)
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	duration := fs.Duration("duration", 0, "stop after this long (0 = run until killed)")
	n := fs.Int("n", 0, "number of goroutines (0 = scenario default)")
	// The pathology ends while the program lives on: its finding is then one that ended
	// (a class can watch it go; tests rewind to where it began).
	calm := fs.Duration("calm-after", 0, "mutex only: stop contending after this long")
	if err := fs.Parse(os.Args[2:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() > 0 || *n < 0 || *duration < 0 || *calm < 0 || (*calm > 0 && name != "mutex") {
		usage()
		os.Exit(2)
	}
	cfg := config{name: name, duration: *duration, n: *n, procs: runtime.GOMAXPROCS(0),
		calm: *calm}
	if err := prepare(&cfg); err != nil {
		fmt.Fprintf(os.Stderr, "gmptop-demo: %s: %v\n", name, err)
		os.Exit(1)
	}
	// The one line on stdout: tests wait for it before looking at the process.
	fmt.Printf("gmptop-demo: %s pid=%d\n", name, os.Getpid())
	if cfg.duration > 0 && name != "frozen" {
		time.AfterFunc(cfg.duration, func() { os.Exit(0) })
	}
	if err := sc.run(cfg); err != nil {
		fmt.Fprintf(os.Stderr, "gmptop-demo: %s: %v\n", name, err)
		os.Exit(1)
	}
}

// prepare does what must happen before the pid line: frozen re-executes itself so that
// asyncpreemptoff=1 is in GODEBUG (the runtime reads it only at start-up) and pins
// GOMAXPROCS to 2 unless the environment says otherwise.
func prepare(cfg *config) error {
	if cfg.name != "frozen" {
		return nil
	}
	if err := ensureAsyncPreemptOff(); err != nil {
		return err
	}
	if v := os.Getenv("GOMAXPROCS"); v == "" {
		runtime.GOMAXPROCS(2)
	} else if p, err := strconv.Atoi(v); err != nil || p < 1 {
		return fmt.Errorf("bad GOMAXPROCS %q", v)
	}
	cfg.procs = runtime.GOMAXPROCS(0)
	return nil
}
