package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"

	"cnskiosk.dev/hw/cns"
	"cnskiosk.dev/hw/pcsc"
)

// readCard reads the card in the reader whose name contains the substring;
// a variable so that tests can read a virtual card without pcscd.
var readCard = pcsc.ReadInserted

// cardRead prints the inserted card as indented JSON. The card holds no
// PIN; the certificate is printed in full (it is public).
func cardRead(ctx context.Context, cfg config, out io.Writer, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.wait)
	defer cancel()
	c, err := readCard(ctx, log, cfg.reader)
	if err != nil {
		return fmt.Errorf("card: %w", err)
	}
	return writeCard(out, c)
}

func writeCard(out io.Writer, c cns.Card) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}
