// Probe for scripts/gen-offsets.sh: the smallest program whose DWARF describes the Go
// runtime's scheduler structs (p, schedt, m, g, timeHistogram, mstats). It is built with
// each installed toolchain and never run.
package main

import "runtime"

func main() {
	runtime.Gosched()
}
