package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"cnskiosk.dev/hw/printer"
	"cnskiosk.dev/hw/vprinter"
)

// startPrinter runs a virtual ESC/POS printer on a free local port.
func startPrinter(t *testing.T) *vprinter.Printer {
	t.Helper()
	p, err := vprinter.New(vprinter.Config{Addr: "127.0.0.1:0", Logger: testLog(t)})
	if err != nil {
		t.Fatalf("virtual printer: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("vprinter Run: %v", err)
		}
	})
	return p
}

func TestPrintTest(t *testing.T) {
	vp := startPrinter(t)
	cfg, err := parse([]string{"print", "test", "-printer", "tcp://" + vp.Addr(), "-paper", "58"}, t.Output())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(t.Context(), cfg, &out, t.Output()); err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(out.String(), "test page printed") {
		t.Errorf("output = %q", out.String())
	}
	r := <-vp.Receipts()
	for _, want := range []string{"Pagina di prova", "12345678901234567890123456789012"} {
		if !strings.Contains(r.Transcript, want) {
			t.Errorf("receipt lacks %q:\n%s", want, r.Transcript)
		}
	}
}

func TestPrintTestPaperOut(t *testing.T) {
	vp := startPrinter(t)
	vp.Set(printer.Status{PaperOut: true})
	cfg, err := parse([]string{"print", "test", "-printer", "tcp://" + vp.Addr()}, t.Output())
	if err != nil {
		t.Fatal(err)
	}
	err = run(t.Context(), cfg, &bytes.Buffer{}, t.Output())
	if err == nil || !strings.Contains(err.Error(), "Carta esaurita") {
		t.Errorf("err = %v, want the paper-out message", err)
	}
}
