//go:build cgofixture

// Built with -tags cgofixture (tests/unit/test_go_binary.sh): a real cgo program, so
// the C start-up code, runtime/cgo and libc sit in the same text as the Go functions
// gmptop looks up, and the system linker lays the binary out.
package main

/*
static int twice(int v) { return 2 * v; }
*/
import "C"

func work(v int) int { return int(C.twice(C.int(v))) }
