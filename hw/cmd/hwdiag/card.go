package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
)

func cardRead(ctx context.Context, cfg config, out io.Writer, log *slog.Logger) error {
	return errors.New("card: not built yet")
}
