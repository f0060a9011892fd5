package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
)

func printTest(ctx context.Context, cfg config, out io.Writer, log *slog.Logger) error {
	return errors.New("print: not built yet")
}
