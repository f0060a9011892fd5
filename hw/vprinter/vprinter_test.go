package vprinter

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cnskiosk.dev/hw/escpos"
	"cnskiosk.dev/hw/printer"
)

type tlog struct{ t testing.TB }

func (w tlog) Write(p []byte) (int, error) { w.t.Log(strings.TrimSpace(string(p))); return len(p), nil }

func start(t *testing.T, dir string) *Printer {
	t.Helper()
	vp, err := New(Config{Addr: "127.0.0.1:0", Dots: Dots58, Dir: dir, Logger: slog.New(slog.NewTextHandler(tlog{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- vp.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return vp
}

func dial(t *testing.T, vp *Printer) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", vp.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// ask sends DLE EOT n and returns the answer.
func ask(t *testing.T, c net.Conn, n byte) byte {
	t.Helper()
	if _, err := c.Write(escpos.StatusRequest(n)); err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		t.Fatal(err)
	}
	return b[0]
}

func TestStatusAnswers(t *testing.T) {
	vp := start(t, "")
	c := dial(t, vp)
	tests := []struct {
		control string
		want    [4]byte
	}{
		{"status", [4]byte{0x12, 0x12, 0x12, 0x12}},
		{"paper near", [4]byte{0x12, 0x12, 0x12, 0x1E}},
		{"paper out", [4]byte{0x1A, 0x32, 0x12, 0x7E}},
		{"paper ok", [4]byte{0x12, 0x12, 0x12, 0x12}},
		{"cover open", [4]byte{0x1A, 0x16, 0x12, 0x12}},
		{"cover close", [4]byte{0x12, 0x12, 0x12, 0x12}},
		{"offline", [4]byte{0x1A, 0x12, 0x12, 0x12}},
		{"cover open", [4]byte{0x1A, 0x16, 0x12, 0x12}},
		{"cover close", [4]byte{0x1A, 0x12, 0x12, 0x12}}, // still offline by command
		{"online", [4]byte{0x12, 0x12, 0x12, 0x12}},
		{"cutter jam", [4]byte{0x1A, 0x52, 0x1A, 0x12}},
		{"reset", [4]byte{0x12, 0x12, 0x12, 0x12}},
	}
	for _, tt := range tests {
		if _, err := vp.Control(tt.control); err != nil {
			t.Fatal(err)
		}
		var got [4]byte
		for n := range 4 {
			got[n] = ask(t, c, byte(n+1))
		}
		if got != tt.want {
			t.Errorf("after %q: got % X, want % X", tt.control, got, tt.want)
		}
	}
	if _, err := vp.Control("explode"); err == nil {
		t.Error("unknown control accepted")
	}
}

func TestReceiptSavedAndRendered(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "receipts")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	vp := start(t, dir)
	c := dial(t, vp)
	var e escpos.Encoder
	e.Init().Align(escpos.Center).Size(2, 2).Line("CIAO").Size(1, 1).Align(escpos.Left).Line("riga").Cut(0)
	// Split the receipt across writes, inside a command.
	data := e.Bytes()
	c.Write(data[:4])
	c.Write(data[4:])
	r := <-vp.Receipts()
	if !strings.Contains(r.Transcript, `TEXT "CIAO"`) || r.Seq != 1 {
		t.Errorf("receipt %d:\n%s", r.Seq, r.Transcript)
	}
	img, err := png.Decode(bytes.NewReader(r.PNG))
	if err != nil || img.Bounds().Dx() != Dots58 {
		t.Fatalf("png: %v, %v", err, img.Bounds())
	}
	for _, ext := range []string{".txt", ".png"} {
		b, err := os.ReadFile(r.Path + ext)
		if err != nil || len(b) == 0 {
			t.Errorf("saved %s: %v", ext, err)
		}
		if fi, err := os.Stat(r.Path + ext); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v (%v), want 0600: receipts carry PIN halves", ext, fi.Mode(), err)
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v (%v), want 0700", fi.Mode(), err)
	}
}

func TestDataDiscardedWhilePaperOut(t *testing.T) {
	vp := start(t, "")
	c := dial(t, vp)
	vp.Control("paper out")
	var e escpos.Encoder
	c.Write(e.Init().Line("perso").Cut(0).Bytes())
	ask(t, c, 1) // everything before the request has been handled
	vp.Control("paper ok")
	e.Reset()
	c.Write(e.Init().Line("stampato").Cut(0).Bytes())
	r := <-vp.Receipts()
	if strings.Contains(r.Transcript, "perso") || !strings.Contains(r.Transcript, "stampato") {
		t.Errorf("transcript:\n%s", r.Transcript)
	}
}

func TestReceiptAtConnectionEnd(t *testing.T) {
	vp := start(t, "")
	c := dial(t, vp)
	c.Write([]byte("senza taglio\n"))
	c.Close()
	if r := <-vp.Receipts(); !strings.Contains(r.Transcript, "senza taglio") {
		t.Errorf("transcript:\n%s", r.Transcript)
	}
}

func TestControlHTTP(t *testing.T) {
	vp := start(t, "")
	srv := httptest.NewServer(vp.ControlHandler())
	defer srv.Close()
	resp, err := srv.Client().Post(srv.URL+"/control", "text/plain", strings.NewReader("cover open"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !vp.State().CoverOpen || !strings.Contains(string(body), "cover-open") {
		t.Errorf("POST /control: %d %q, state %v", resp.StatusCode, body, vp.State())
	}
	resp, err = srv.Client().Post(srv.URL+"/control?cmd=nonsense", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("bad command: status %d", resp.StatusCode)
	}
	if vp.State().Err() == nil {
		t.Error("state lost")
	}
	_ = printer.Healthy
}

func TestRenderOddInput(t *testing.T) {
	cmds := []escpos.Command{
		{Op: escpos.OpSize, N: 0x77}, {Op: escpos.OpText, Text: strings.Repeat("W", 100)},
		{Op: escpos.OpQRSize, N: 16}, {Op: escpos.OpQRStore, Data: bytes.Repeat([]byte("x"), 1000)}, {Op: escpos.OpQRPrint},
		{Op: escpos.OpFeed, N: 255}, {Op: escpos.OpAlign, N: 2}, {Op: escpos.OpQRPrint},
	}
	for range 10 {
		cmds = append(cmds, escpos.Command{Op: escpos.OpFeed, N: 255})
	}
	img, err := Render(cmds, Dots58)
	if err != nil {
		t.Fatal(err)
	}
	if h := img.Bounds().Dy(); h > MaxHeight+2*margin {
		t.Errorf("image %d dots tall, over the cap", h)
	}
}

func FuzzRender(f *testing.F) {
	var e escpos.Encoder
	e.Init().Size(3, 2).Bold(true).Line("àèé €").Underline(2).Align(escpos.Right).Line("x")
	e.QR([]byte("01J"), 3, escpos.QRLevelH)
	f.Add(e.Bytes())
	f.Add([]byte{0x1B, '!', 0xFF, 'A', 0x0A, 0x1D, '!', 0xFF, 'B'})
	f.Fuzz(func(t *testing.T, p []byte) {
		if len(p) > 4096 {
			return
		}
		cmds, _ := escpos.Decode(p)
		if _, err := Render(cmds, Dots58); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPageCapped: a client that never cuts gets receipts ended at the page
// limit instead of one page growing without bound.
func TestPageCapped(t *testing.T) {
	vp, err := New(Config{Addr: "127.0.0.1:0", Dots: Dots58, MaxPageLines: 5, MaxPageCommands: 11,
		Logger: slog.New(slog.NewTextHandler(tlog{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- vp.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	c := dial(t, vp)
	c.Write([]byte(strings.Repeat("riga\n", 12)))
	c.Write(bytes.Repeat([]byte{0x1b, 'E', 1}, 9)) // bold on, no lines
	for i, want := range []int{5, 5} {
		r := <-vp.Receipts() // the connection is still open: no cut, no EOF
		if got := strings.Count(r.Transcript, "riga"); got != want {
			t.Errorf("receipt %d: %d lines, want %d:\n%s", i, got, want, r.Transcript)
		}
	}
	if r := <-vp.Receipts(); len(r.Commands) != 11 {
		t.Errorf("third receipt: %d commands, want 11 (the command limit)", len(r.Commands))
	}
}
