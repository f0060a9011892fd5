package receipt

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cnskiosk.dev/hw/escpos"
	"cnskiosk.dev/hw/printer"
	"cnskiosk.dev/hw/vprinter"
	qrcode "github.com/skip2/go-qrcode"
)

// recordLog keeps every log line, to check no secret is logged.
type recordLog struct {
	t   testing.TB
	buf *bytes.Buffer
}

func (w recordLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return w.buf.Write(p)
}

// TestPrintThroughVirtualPrinter sends every layout over TCP from printer
// to vprinter and checks the PNG and the transcript it made.
func TestPrintThroughVirtualPrinter(t *testing.T) {
	for pn, paper := range papers {
		dots := map[Paper]int{Paper58: vprinter.Dots58, Paper80: vprinter.Dots80}[paper]
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(recordLog{t, &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
		vp, err := vprinter.New(vprinter.Config{Addr: "127.0.0.1:0", Dots: dots, Logger: log, Dir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- vp.Run(ctx) }()
		p, err := printer.Open(ctx, "tcp://"+vp.Addr(), printer.Options{Logger: log, Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		for name, l := range layouts() {
			t.Run(name+"-"+pn, func(t *testing.T) {
				data, err := l.Render(paper)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := p.Print(ctx, data); err != nil {
					t.Fatalf("Print: %v (%s)", err, printer.Message(err))
				}
				r := <-vp.Receipts()
				want, _ := escpos.Decode(data)
				if r.Transcript != escpos.Transcript(want) {
					t.Errorf("the virtual printer decoded a different transcript")
				}
				checkPNG(t, r, dots)
				goldenPNG(t, fmt.Sprintf("testdata/%s-%s.png", name, pn), r.PNG)
			})
		}
		p.Close()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"9173", "4682"} {
			if strings.Contains(logs.String(), secret) {
				t.Errorf("a secret half appears in the log")
			}
		}
	}
}

func checkPNG(t *testing.T, r vprinter.Receipt, dots int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(r.PNG))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != dots {
		t.Errorf("PNG is %d dots wide, want %d", b.Dx(), dots)
	}
	if b.Dy() < 600 {
		t.Errorf("PNG is only %d dots tall", b.Dy())
	}
	// The header is centred: dark pixels left and right of the middle in the top band.
	top := image.Rect(0, 0, dots, 60)
	if dark(img, top.Intersect(image.Rect(0, 0, dots/2, 60))) == 0 || dark(img, top.Intersect(image.Rect(dots/2, 0, dots, 60))) == 0 {
		t.Error("no centred header in the top band")
	}
	if n := dark(img, b); n < 2000 {
		t.Errorf("only %d dark pixels", n)
	}
	checkQR(t, img, fakeHeader.OpID, map[int]int{vprinter.Dots58: 4, vprinter.Dots80: 6}[dots])
}

// goldenPNG compares the paper the virtual printer rendered with the
// committed reference pixel by pixel: the renderer is ours and
// deterministic, so any difference (a broken glyph, a missing accent or
// PIN block) is a regression. -update rewrites the reference.
func goldenPNG(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	want, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	img, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		t.Fatal(err)
	}
	if n, box := diffPixels(img, want); n > 0 {
		out := filepath.Join(t.TempDir(), filepath.Base(path))
		if err := os.WriteFile(out, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Errorf("%s: %d pixels differ within %v (got saved as %s; run go test -update and review)", path, n, box, out)
	}
}

// diffPixels counts the pixels whose ink differs between a and b and
// returns the rectangle around them; a different size counts every pixel.
func diffPixels(a, b image.Image) (int, image.Rectangle) {
	if a.Bounds() != b.Bounds() {
		return a.Bounds().Dx() * a.Bounds().Dy(), a.Bounds().Union(b.Bounds())
	}
	n, box := 0, image.Rectangle{}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			ca, _, _, _ := a.At(x, y).RGBA()
			cb, _, _, _ := b.At(x, y).RGBA()
			if (ca < 0x8000) != (cb < 0x8000) {
				n++
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return n, box
}

func dark(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c, _, _, _ := img.At(x, y).RGBA(); c < 0x8000 {
				n++
			}
		}
	}
	return n
}

// checkQR finds the centred QR symbol of data in img and compares every
// module with the symbol a QR encoder makes of data.
func checkQR(t *testing.T, img image.Image, data string, module int) {
	t.Helper()
	q, err := qrcode.New(data, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	side := len(bm) * module
	x0 := (img.Bounds().Dx() - side) / 2
	isDark := func(x, y int) bool { c, _, _, _ := img.At(x, y).RGBA(); return c < 0x8000 }
	match := func(y0 int) bool {
		for my, row := range bm {
			for mx, want := range row {
				if isDark(x0+mx*module+module/2, y0+my*module+module/2) != want {
					return false
				}
			}
		}
		return true
	}
	for y0 := img.Bounds().Dy() - side; y0 >= 0; y0-- {
		if match(y0) {
			return
		}
	}
	t.Errorf("QR code of %q not found in the image", data)
}

// TestGoldenPNGSeesSmallChanges renders the acceptance form with one PIN
// digit changed and with the euro sign dropped from the summary: both
// must differ from the committed reference.
func TestGoldenPNGSeesSmallChanges(t *testing.T) {
	a := layouts()["acceptance"].(Acceptance)
	a.Halves = NewHalves("9174", fakeHalves.Puk())
	s := layouts()["summary"].(Summary)
	pay := *s.Reader
	pay.AmountCents = 0
	s.Reader = &pay
	for name, l := range map[string]Layout{"acceptance-80.png": a, "summary-80.png": s} {
		data, err := l.Render(Paper80)
		if err != nil {
			t.Fatal(err)
		}
		cmds, err := escpos.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		img, err := vprinter.Render(cmds, vprinter.Dots80)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := png.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := diffPixels(img, want); n == 0 {
			t.Errorf("%s: a changed receipt renders the same pixels as the reference", name)
		}
	}
}
