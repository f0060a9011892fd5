//go:build !linux

package main

import "errors"

// rss is only measured on Linux.
func rss(int) (int64, error) { return 0, errors.New("rss: Linux only") }
