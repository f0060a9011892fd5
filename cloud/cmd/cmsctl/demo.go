package main

import (
	"bufio"
	"context"
	"strconv"
	"time"

	"cnskiosk.dev/cloud/internal/demodata"
)

func init() {
	register(Command{Name: "demo-data", Args: "[flags] N", Run: demoData,
		Summary: "write N synthetic issued cards as CSV (the cards import format) to stdout; demo only"})
}

func demoData(ctx context.Context, e *Env, args []string) error {
	c := commands["demo-data"]
	fs := e.Flags(c)
	seed := fs.Uint64("seed", 1, "random seed: the same seed and date give the same file")
	asof := fs.String("asof", time.Now().Format(time.DateOnly), "reference date for ages and expiry (cards are valid on it)")
	minors := fs.Float64("minors", 0.2, "share of holders under 18")
	if err := e.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return e.badArgs(c, "give the number of rows")
	}
	n, err := strconv.Atoi(fs.Arg(0))
	if err != nil || n < 0 {
		return e.badArgs(c, "N must be a number >= 0")
	}
	day, err := time.Parse(time.DateOnly, *asof)
	if err != nil {
		return e.badArgs(c, "-asof must be YYYY-MM-DD")
	}
	w := bufio.NewWriterSize(e.Stdout, 1<<16)
	if err := demodata.Write(w, n, demodata.Options{Seed: *seed, AsOf: day, Minors: *minors}); err != nil {
		return err
	}
	return w.Flush()
}
