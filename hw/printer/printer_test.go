package printer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/hw/escpos"
	"cnskiosk.dev/hw/printer"
	"cnskiosk.dev/hw/vprinter"
)

// tlog sends log records to t.Log.
type tlog struct{ t testing.TB }

func (w tlog) Write(p []byte) (int, error) { w.t.Log(strings.TrimSpace(string(p))); return len(p), nil }

func logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tlog{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// startVirtual runs a virtual printer on a free port until the test ends.
func startVirtual(t *testing.T, onReceipt func(vprinter.Receipt)) *vprinter.Printer {
	t.Helper()
	return startVirtualConfig(t, vprinter.Config{OnReceipt: onReceipt})
}

// startVirtualConfig is startVirtual with more settings.
func startVirtualConfig(t *testing.T, cfg vprinter.Config) *vprinter.Printer {
	t.Helper()
	cfg.Addr, cfg.Dots, cfg.Logger = "127.0.0.1:0", vprinter.Dots58, logger(t)
	vp, err := vprinter.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- vp.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("vprinter Run: %v", err)
		}
	})
	return vp
}

func open(t *testing.T, addr string) *printer.Printer {
	t.Helper()
	p, err := printer.Open(t.Context(), "tcp://"+addr, printer.Options{Logger: logger(t), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func sample() []byte {
	var e escpos.Encoder
	return e.Init().Line("Prova di stampa").Cut(3).Bytes()
}

func TestPrintHealthy(t *testing.T) {
	vp := startVirtual(t, nil)
	p := open(t, vp.Addr())
	st, err := p.Print(t.Context(), sample())
	if err != nil {
		t.Fatalf("Print: %v", err)
	}
	if st != (printer.Status{}) {
		t.Errorf("status after = %v, want ok", st)
	}
	r := <-vp.Receipts()
	if !strings.Contains(r.Transcript, `TEXT "Prova di stampa"`) {
		t.Errorf("transcript:\n%s", r.Transcript)
	}
	if strings.Contains(r.Transcript, "STATUS") {
		t.Errorf("status requests leaked into the receipt:\n%s", r.Transcript)
	}
}

func TestPrintRefusedBeforeAnyByte(t *testing.T) {
	for _, tc := range []struct {
		control string
		want    error
	}{
		{"paper out", printer.ErrPaperOut},
		{"cover open", printer.ErrCoverOpen},
		{"offline", printer.ErrOffline},
		{"cutter jam", printer.ErrCutter},
	} {
		t.Run(tc.control, func(t *testing.T) {
			var printed []vprinter.Receipt
			vp := startVirtual(t, func(r vprinter.Receipt) { printed = append(printed, r) })
			if _, err := vp.Control(tc.control); err != nil {
				t.Fatal(err)
			}
			p := open(t, vp.Addr())
			_, err := p.Print(t.Context(), sample())
			if !errors.Is(err, tc.want) {
				t.Fatalf("Print error = %v, want %v", err, tc.want)
			}
			if msg := printer.Message(err); msg == "" || strings.Contains(msg, "printer:") {
				t.Errorf("operator message %q", msg)
			}
			// A second status round trip on the same connection proves the
			// virtual printer has decoded everything sent before it.
			if _, err := p.Status(t.Context()); err != nil {
				t.Fatal(err)
			}
			if len(printed) != 0 {
				t.Errorf("printed %d receipts, want none", len(printed))
			}
		})
	}
}

func TestCoverOpenedWhilePrinting(t *testing.T) {
	var vp *vprinter.Printer
	vp = startVirtual(t, func(vprinter.Receipt) { vp.Control("cover open") })
	p, err := printer.Open(t.Context(), "tcp://"+vp.Addr(), printer.Options{Logger: logger(t), Timeout: 300 * time.Millisecond, LineTime: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	st, err := p.Print(t.Context(), sample())
	if !errors.Is(err, printer.ErrIncomplete) || !errors.Is(err, printer.ErrCoverOpen) {
		t.Fatalf("Print error = %v, want ErrIncomplete and ErrCoverOpen", err)
	}
	if !st.CoverOpen {
		t.Errorf("status = %v, want cover open", st)
	}
	if got := printer.Message(err); !strings.Contains(got, "incompleta") || !strings.Contains(got, "Coperchio") {
		t.Errorf("message %q", got)
	}
}

func TestPaperNearEndPrintsAndWarns(t *testing.T) {
	vp := startVirtual(t, nil)
	vp.Control("paper near")
	p := open(t, vp.Addr())
	st, err := p.Print(t.Context(), sample())
	if err != nil || !st.PaperNearEnd {
		t.Fatalf("Print = %v, %v; want near end and no error", st, err)
	}
	<-vp.Receipts()
}

func TestSilentPrinterTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	p, err := printer.Open(t.Context(), "tcp://"+ln.Addr().String(), printer.Options{Logger: logger(t), Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	defer func() { (<-accepted).Close() }()
	if _, err := p.Print(t.Context(), sample()); !errors.Is(err, printer.ErrTimeout) {
		t.Fatalf("Print error = %v, want ErrTimeout", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := p.Status(ctx); !errors.Is(err, printer.ErrTimeout) {
		t.Fatalf("Status with cancelled ctx = %v, want ErrTimeout", err)
	}
}

func TestBadStatusByte(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 3)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			c.Write([]byte{0xFF}) // not a status byte
		}
	}()
	p := open(t, ln.Addr().String())
	if _, err := p.Status(t.Context()); !errors.Is(err, printer.ErrBadStatus) {
		t.Fatalf("Status = %v, want ErrBadStatus", err)
	}
}

// receipt is a receipt of n numbered lines, like an acceptance form.
func receipt(n int) []byte {
	var e escpos.Encoder
	e.Init()
	for i := range n {
		e.Line(fmt.Sprintf("Riga %d", i+1))
	}
	return e.Cut(3).Bytes()
}

// TestPaperOutMidReceipt: the virtual printer prints behind the data it
// receives (5 ms a line) and answers DLE EOT on arrival, as a real one,
// so only a status read after the receipt has printed sees the paper end.
func TestPaperOutMidReceipt(t *testing.T) {
	vp := startVirtualConfig(t, vprinter.Config{LineTime: 5 * time.Millisecond})
	if _, err := vp.Control("paper out after 5 lines"); err != nil {
		t.Fatal(err)
	}
	p, err := printer.Open(t.Context(), "tcp://"+vp.Addr(), printer.Options{Logger: logger(t), Timeout: 300 * time.Millisecond, LineTime: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	st, err := p.Print(t.Context(), receipt(20))
	if !errors.Is(err, printer.ErrIncomplete) || !errors.Is(err, printer.ErrPaperOut) {
		t.Fatalf("Print error = %v, want ErrIncomplete and ErrPaperOut", err)
	}
	if !st.PaperOut {
		t.Errorf("status = %v, want paper out", st)
	}
}

func TestProcessIDConfirmsEachPrint(t *testing.T) {
	vp := startVirtual(t, nil)
	p := open(t, vp.Addr())
	for i := range 3 {
		if _, err := p.Print(t.Context(), receipt(3)); err != nil {
			t.Fatalf("print %d: %v", i, err)
		}
		r := <-vp.Receipts()
		if got := strings.Count(r.Transcript, "Riga"); got != 3 {
			t.Errorf("print %d: %d lines, want 3", i, got)
		}
	}
}

func TestEstimatePrintTime(t *testing.T) {
	var e escpos.Encoder
	e.Line("a").Line("b").Feed(4).Cut(3)
	got := printer.EstimatePrintTime(e.Bytes(), 10*time.Millisecond)
	if want := 60*time.Millisecond + 500*time.Millisecond; got != want {
		t.Errorf("EstimatePrintTime = %v, want %v", got, want)
	}
}

// noPIDPrinter is a healthy printer without GS ( H: it answers status
// requests and reports each process ID request on pids.
func noPIDPrinter(c net.Conn, pids chan<- string) {
	var buf []byte
	chunk := make([]byte, 512)
	for {
		n, err := c.Read(chunk)
		if err != nil {
			close(pids)
			return
		}
		buf = append(buf, chunk[:n]...)
		for {
			cmd, k, err := escpos.Parse(buf)
			if err != nil {
				break
			}
			buf = buf[k:]
			switch cmd.Op {
			case escpos.OpStatus:
				c.Write([]byte{printer.Healthy})
			case escpos.OpProcessID:
				pids <- string(cmd.Data)
			}
		}
	}
}

func TestPrinterWithoutProcessIDFallsBack(t *testing.T) {
	host, dev := net.Pipe()
	pids := make(chan string, 8)
	go noPIDPrinter(dev, pids)
	p := printer.New(host, printer.Options{Logger: logger(t), Timeout: 200 * time.Millisecond, LineTime: time.Millisecond})
	defer p.Close()
	for i := range 2 {
		if _, err := p.Print(t.Context(), receipt(2)); err != nil {
			t.Fatalf("print %d: %v", i, err)
		}
	}
	p.Close()
	var got []string
	for id := range pids {
		got = append(got, id)
	}
	if len(got) != 1 || got[0] != "0001" {
		t.Errorf("process ID requests = %q, want only the first print's [0001]", got)
	}
}
