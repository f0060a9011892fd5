package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"cnskiosk.dev/hw/cns"
	"cnskiosk.dev/hw/pcsc"
	"cnskiosk.dev/hw/vcard"
)

// TestCardJSON reads the adult test card (virtual, in process) through the
// card command and checks the JSON: the holder is there, the PIN is not.
func TestCardJSON(t *testing.T) {
	p, err := vcard.ReadProfile(filepath.Join("..", "..", "profiles", "adult.json"))
	if err != nil {
		t.Fatal(err)
	}
	ca, err := vcard.NewDevCA("Test CNS CA", 1024)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Issue(p, 1024); err != nil {
		t.Fatal(err)
	}
	card, err := vcard.New(p)
	if err != nil {
		t.Fatal(err)
	}
	old := readCard
	t.Cleanup(func() { readCard = old })
	var gotReader string
	readCard = func(ctx context.Context, _ *slog.Logger, reader string) (cns.Card, error) {
		gotReader = reader
		return cns.ReadCard(ctx, card)
	}
	cfg, err := parse([]string{"card", "-reader", "Virtual PCD 00 00"}, t.Output())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(t.Context(), cfg, &out, t.Output()); err != nil {
		t.Fatalf("run: %v", err)
	}
	if gotReader != "Virtual PCD 00 00" {
		t.Errorf("reader = %q", gotReader)
	}
	var got cns.Card
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("output is not a card: %v\n%s", err, out.String())
	}
	if got.TEAM != p.TEAM || got.Personal.CF != p.Personal.CF {
		t.Errorf("card TEAM %q CF %q, want %q %q", got.TEAM, got.Personal.CF, p.TEAM, p.Personal.CF)
	}
	for _, secret := range []string{p.PIN, p.PUK, `"pin"`, `"puk"`} {
		if strings.Contains(out.String(), secret) {
			t.Errorf("output contains %q", secret)
		}
	}
}

// TestCardSlotFlags: -citizen/-operator choose the reader through the slot
// configuration, -slot picks the operator's; bad combinations are usage errors.
func TestCardSlotFlags(t *testing.T) {
	oldRead, oldResolve := readCard, resolveSlots
	t.Cleanup(func() { readCard, resolveSlots = oldRead, oldResolve })
	readers := []string{"Virtual PCD 00 00", "Virtual PCD 00 01"}
	resolveSlots = func(_ *slog.Logger, s pcsc.Slots) (pcsc.Assignment, error) { return s.Resolve(readers) }
	var gotReader string
	readCard = func(_ context.Context, _ *slog.Logger, reader string) (cns.Card, error) {
		gotReader = reader
		return cns.Card{}, nil
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-citizen", "00 00", "-operator", "00 01"}, readers[0]},
		{[]string{"-citizen", "00 00", "-operator", "00 01", "-slot", "operator"}, readers[1]},
		{[]string{"-citizen", "00 01", "-slot", "operator"}, readers[1]}, // single reader
	}
	for _, tt := range tests {
		cfg, err := parse(append([]string{"card"}, tt.args...), t.Output())
		if err != nil {
			t.Fatal(err)
		}
		if err := run(t.Context(), cfg, io.Discard, t.Output()); err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if gotReader != tt.want {
			t.Errorf("%q: read %q, want %q", tt.args, gotReader, tt.want)
		}
	}
	for _, args := range [][]string{{"-slot", "both"}, {"-reader", "x", "-citizen", "y"}, {"-slot", "operator"}, {"-slot", "citizen"}, {"-reader", "x", "-slot", "operator"}} {
		if _, err := parse(append([]string{"card"}, args...), io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("%q: err %v, want a usage error", args, err)
		}
	}
}
