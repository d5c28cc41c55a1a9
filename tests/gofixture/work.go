//go:build !cgofixture

package main

// work is the fixture's unit of work; the cgofixture build does it in C instead.
func work(v int) int { return v }
