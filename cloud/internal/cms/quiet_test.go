package cms_test

import (
	"io"
	"log/slog"
)

// quiet is a logger for benchmarks: the per-operation info lines would
// dominate the measurement.
func quiet() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
