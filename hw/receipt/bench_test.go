package receipt

import (
	"bytes"
	"image"
	"image/png"
	"sort"
	"testing"

	"cnskiosk.dev/hw/escpos"
	"cnskiosk.dev/hw/vprinter"
)

func names() []string {
	var n []string
	for k := range layouts() {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// textOf returns the printed text of a layout, line by line: the baseline
// writes it to a buffer with no layout, wrapping or encoding.
func textOf(b *testing.B, l Layout) []string {
	data, err := l.Render(Paper80)
	if err != nil {
		b.Fatal(err)
	}
	cmds, _ := escpos.Decode(data)
	var lines []string
	for _, c := range cmds {
		if c.Op == escpos.OpText {
			lines = append(lines, c.Text)
		}
	}
	return lines
}

// BenchmarkRender: layout -> ESC/POS bytes on 80 mm paper, beside the
// baseline of writing the same text to a bytes.Buffer.
func BenchmarkRender(b *testing.B) {
	for _, name := range names() {
		l := layouts()[name]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := l.Render(Paper80); err != nil {
					b.Fatal(err)
				}
			}
		})
		lines := textOf(b, l)
		b.Run(name+"/baseline-buffer", func(b *testing.B) {
			for b.Loop() {
				var buf bytes.Buffer
				for _, s := range lines {
					buf.WriteString(s)
					buf.WriteByte('\n')
				}
			}
		})
	}
}

// BenchmarkVirtualPrinter: decode the summary's bytes and render them to
// PNG, beside the baseline of PNG-encoding a blank image of the same size.
func BenchmarkVirtualPrinter(b *testing.B) {
	data, err := layouts()["summary"].Render(Paper80)
	if err != nil {
		b.Fatal(err)
	}
	cmds, _ := escpos.Decode(data)
	img, err := vprinter.Render(cmds, vprinter.Dots80)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			escpos.Decode(data)
		}
	})
	b.Run("decode+render+png", func(b *testing.B) {
		for b.Loop() {
			cmds, _ := escpos.Decode(data)
			img, err := vprinter.Render(cmds, vprinter.Dots80)
			if err != nil {
				b.Fatal(err)
			}
			if err := png.Encode(&bytes.Buffer{}, img); err != nil {
				b.Fatal(err)
			}
		}
	})
	blank := image.NewGray(img.Bounds())
	b.Run("baseline-png-blank", func(b *testing.B) {
		for b.Loop() {
			if err := png.Encode(&bytes.Buffer{}, blank); err != nil {
				b.Fatal(err)
			}
		}
	})
}
