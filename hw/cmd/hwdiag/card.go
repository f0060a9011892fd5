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

// resolveSlots finds the configured readers; a variable for the same reason.
var resolveSlots = pcsc.ResolveSlots

// cardRead prints the inserted card as indented JSON. The card holds no
// PIN; the certificate is printed in full (it is public).
func cardRead(ctx context.Context, cfg config, out io.Writer, log *slog.Logger) error {
	ctx, cancel := context.WithTimeout(ctx, cfg.wait)
	defer cancel()
	reader := cfg.reader
	if cfg.slots != (pcsc.Slots{}) {
		a, err := resolveSlots(log, cfg.slots)
		if err != nil {
			return fmt.Errorf("card: %w", err)
		}
		reader = a.Citizen
		if cfg.slot == "operator" {
			reader = a.Operator
		}
		describeSlots(log, a)
	}
	c, err := readCard(ctx, log, reader)
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

// describeSlots logs how the readers were assigned, so a technician sees
// the configuration at work.
func describeSlots(log *slog.Logger, a pcsc.Assignment) {
	if a.Single() {
		log.Info("single-reader mode: the operator's card first, then the citizen's", "reader", a.Citizen)
		return
	}
	log.Info("readers", "citizen", a.Citizen, "operator", a.Operator)
}
