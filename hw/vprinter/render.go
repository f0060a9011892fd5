package vprinter

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"sync"

	"cnskiosk.dev/hw/escpos"
	qrcode "github.com/skip2/go-qrcode"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Paper widths in dots at 203 dpi.
const (
	Dots58 = 384
	Dots80 = 576
)

// Font A cell and line pitch in dots.
const (
	cellW    = 12
	cellH    = 24
	lineGap  = 6
	margin   = 12
	baseline = 19
)

var (
	facesOnce sync.Once
	faces     [2]font.Face // regular, bold
	facesErr  error
)

func loadFaces() error {
	facesOnce.Do(func() {
		for i, ttf := range [][]byte{gomono.TTF, gomonobold.TTF} {
			f, err := opentype.Parse(ttf)
			if err != nil {
				facesErr = fmt.Errorf("vprinter: font: %w", err)
				return
			}
			faces[i], facesErr = opentype.NewFace(f, &opentype.FaceOptions{Size: 20, DPI: 72, Hinting: font.HintingFull})
			if facesErr != nil {
				return
			}
		}
	})
	return facesErr
}

// style is the print mode in force.
type style struct {
	bold      bool
	underline int
	w, h      int
	align     int
}

func defaultStyle() style { return style{w: 1, h: 1} }

type segment struct {
	text []rune
	st   style
}

// Render draws commands on paper dots wide and returns the image. It
// never fails on odd input: what it cannot draw it skips.
func Render(cmds []escpos.Command, dots int) (*image.Gray, error) {
	if err := loadFaces(); err != nil {
		return nil, err
	}
	r := &renderer{dots: dots, st: defaultStyle(), qrSize: 3, qrLevel: qrcode.Medium}
	for _, c := range cmds {
		r.apply(c)
	}
	r.flush(false)
	return r.compose(), nil
}

type renderer struct {
	dots    int
	st      style
	line    []segment
	lineW   int
	blocks  []*image.Gray
	qrSize  int
	qrLevel qrcode.RecoveryLevel
	qrData  []byte
	height  int
}

// MaxHeight bounds the image of one receipt, in dots (about 2 m of paper).
const MaxHeight = 16000

func (r *renderer) add(img *image.Gray) {
	if r.height+img.Bounds().Dy() > MaxHeight {
		return
	}
	r.height += img.Bounds().Dy()
	r.blocks = append(r.blocks, img)
}

func (r *renderer) apply(c escpos.Command) {
	switch c.Op {
	case escpos.OpText:
		r.text(c.Text)
	case escpos.OpLF:
		r.flush(true)
	case escpos.OpInit:
		r.st, r.qrData = defaultStyle(), nil
	case escpos.OpBold:
		r.st.bold = c.N == 1
	case escpos.OpUnderline:
		r.st.underline = c.N
	case escpos.OpAlign:
		r.st.align = c.N
	case escpos.OpMode:
		r.st.bold, r.st.h, r.st.w = c.N&8 != 0, 1+c.N>>4&1, 1+c.N>>5&1
		r.st.underline = c.N >> 7 & 1
	case escpos.OpSize:
		r.st.w, r.st.h = c.N>>4&7+1, c.N&7+1
	case escpos.OpFeed:
		r.flush(false)
		r.blank(c.N * (cellH + lineGap))
	case escpos.OpQRSize:
		r.qrSize = max(1, min(c.N, 16))
	case escpos.OpQRLevel:
		r.qrLevel = [...]qrcode.RecoveryLevel{qrcode.Low, qrcode.Medium, qrcode.High, qrcode.Highest}[max(0, min(c.N-48, 3))]
	case escpos.OpQRStore:
		r.qrData = c.Data
	case escpos.OpQRPrint:
		r.flush(false)
		r.qr()
	}
}

func (r *renderer) text(s string) {
	for _, ch := range s {
		w := cellW * r.st.w
		if r.lineW+w > r.dots {
			r.flush(false)
		}
		if n := len(r.line); n > 0 && r.line[n-1].st == r.st {
			r.line[n-1].text = append(r.line[n-1].text, ch)
		} else {
			r.line = append(r.line, segment{text: []rune{ch}, st: r.st})
		}
		r.lineW += w
	}
}

func (r *renderer) blank(h int) {
	if h > 0 {
		r.add(white(r.dots, min(h, MaxHeight)))
	}
}

func white(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	return img
}

// flush prints the line buffer; an empty line prints only when emptyLine.
func (r *renderer) flush(emptyLine bool) {
	if len(r.line) == 0 {
		if emptyLine {
			r.blank(cellH*r.st.h + lineGap)
		}
		return
	}
	h := 0
	for _, s := range r.line {
		h = max(h, s.st.h)
	}
	img := white(r.dots, h*cellH+lineGap)
	x := [...]int{0, (r.dots - r.lineW) / 2, r.dots - r.lineW}[r.line[0].st.align]
	for _, s := range r.line {
		x += drawSegment(img, s, x, (h-s.st.h)*cellH)
	}
	r.add(img)
	r.line, r.lineW = nil, 0
}

// drawSegment draws s at (x, y) and returns its width in dots.
func drawSegment(dst *image.Gray, s segment, x, y int) int {
	w := len(s.text) * cellW
	cell := image.NewAlpha(image.Rect(0, 0, w, cellH))
	face := faces[0]
	if s.st.bold {
		face = faces[1]
	}
	d := font.Drawer{Dst: cell, Src: image.Opaque, Face: face}
	for i, ch := range s.text {
		d.Dot = fixed.P(i*cellW, baseline)
		d.DrawString(string(ch))
	}
	if s.st.underline > 0 {
		draw.Draw(cell, image.Rect(0, cellH-s.st.underline, w, cellH), image.Opaque, image.Point{}, draw.Src)
	}
	out := image.Rect(x, y, x+w*s.st.w, y+cellH*s.st.h)
	xdraw.NearestNeighbor.Scale(dst, out, image.NewUniform(color.Black), cell.Bounds(), xdraw.Over, &xdraw.Options{SrcMask: cell})
	return w * s.st.w
}

func (r *renderer) qr() {
	if len(r.qrData) == 0 {
		return
	}
	q, err := qrcode.New(string(r.qrData), r.qrLevel)
	if err != nil {
		return
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	side := len(bm) * r.qrSize
	if side > r.dots {
		return
	}
	img := white(r.dots, side+lineGap)
	x0 := [...]int{0, (r.dots - side) / 2, r.dots - side}[r.st.align]
	for y, row := range bm {
		for x, dark := range row {
			if dark {
				rect := image.Rect(x0+x*r.qrSize, y*r.qrSize, x0+(x+1)*r.qrSize, (y+1)*r.qrSize)
				draw.Draw(img, rect, image.Black, image.Point{}, draw.Src)
			}
		}
	}
	r.add(img)
}

func (r *renderer) compose() *image.Gray {
	h := 2 * margin
	for _, b := range r.blocks {
		h += b.Bounds().Dy()
	}
	out := white(r.dots, h)
	y := margin
	for _, b := range r.blocks {
		draw.Draw(out, b.Bounds().Add(image.Pt(0, y)), b, image.Point{}, draw.Src)
		y += b.Bounds().Dy()
	}
	return out
}
