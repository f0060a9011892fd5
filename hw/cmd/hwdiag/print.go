package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"cnskiosk.dev/hw/printer"
	"cnskiosk.dev/hw/receipt"
)

// printTest prints the test page and reports the printer status. On a
// printer error the Italian message for the operator comes first.
func printTest(ctx context.Context, cfg config, out io.Writer, log *slog.Logger) error {
	p, err := printer.Open(ctx, cfg.printer, printer.Options{Logger: log})
	if err != nil {
		return fmt.Errorf("%s (%w)", printer.Message(err), err)
	}
	defer p.Close()
	host, _ := os.Hostname()
	now := time.Now()
	page := receipt.Test{
		Header: receipt.Header{
			Kiosk: host, Counter: "diagnostica", At: now,
			OpID: "DIAG-" + now.UTC().Format("20060102T150405Z"),
		},
		Printer: cfg.printer,
	}
	paper := receipt.Paper80
	if cfg.paper == 58 {
		paper = receipt.Paper58
	}
	st, err := receipt.PrintTest(ctx, p, page, paper)
	if err != nil {
		return fmt.Errorf("%s (%w)", printer.Message(err), err)
	}
	fmt.Fprintf(out, "test page printed on %s, %d mm paper; printer status: %s\n", cfg.printer, cfg.paper, st)
	return nil
}
