//go:build !linux

package main

const clockTicks = 100

// CPU shares are only measured on Linux.
func procTicks(int) uint64               { return 0 }
func commTicks(string) map[int]uint64    { return nil }
func machineTicks() (busy, total uint64) { return 0, 0 }
