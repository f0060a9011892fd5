package main

import (
	"context"
	"io"
	"log/slog"
)

// run executes one parsed command; out gets the result, logw the log.
func run(ctx context.Context, cfg config, out, logw io.Writer) error {
	lvl := slog.LevelWarn
	if cfg.verbose {
		lvl = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: lvl}))
	switch cfg.cmd {
	case cmdCard:
		return cardRead(ctx, cfg, out, log)
	case cmdPrint:
		return printTest(ctx, cfg, out, log)
	default:
		return payWatch(ctx, cfg, out, log)
	}
}
