package escpos

import "fmt"

// Control bytes that start ESC/POS commands.
const (
	LF  = 0x0A
	DLE = 0x10
	EOT = 0x04
	ESC = 0x1B
	GS  = 0x1D
)

// Align is a justification for ESC a.
type Align byte

// Justifications.
const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// QRLevel is a QR error correction level (GS ( k fn 169).
type QRLevel byte

// QR error correction levels.
const (
	QRLevelL QRLevel = 48 // 7 %
	QRLevelM QRLevel = 49 // 15 %
	QRLevelQ QRLevel = 50 // 25 %
	QRLevelH QRLevel = 51 // 30 %
)

// MaxQRData is the most bytes one QR store command carries (model 2,
// version 40, level L, byte mode).
const MaxQRData = 2953

// Encoder appends ESC/POS commands to a buffer. Its zero value is ready
// to use. Text methods sanitise their input, so text from people never
// carries a control byte.
//
// Justification is tracked: Align only records the wanted alignment and
// ESC a is written before the next text or QR code, and only when it
// differs from the printer's, so no two ESC a come back to back.
type Encoder struct {
	b     []byte
	align alignState
}

// alignState is the justification the printer has (cur, once known) and
// the one the next printed line needs (want).
type alignState struct {
	cur, want Align
	known     bool
	pending   bool
}

// Bytes returns the encoded commands. The slice aliases the buffer.
func (e *Encoder) Bytes() []byte { return e.b }

// Len returns the number of bytes encoded so far.
func (e *Encoder) Len() int { return len(e.b) }

// Reset empties the buffer, keeping its memory.
func (e *Encoder) Reset() { e.b, e.align = e.b[:0], alignState{} }

// Init resets the printer (ESC @) and selects code page 858 (ESC t 19).
func (e *Encoder) Init() *Encoder {
	e.b = append(e.b, ESC, '@', ESC, 't', CodePage858)
	e.align.cur, e.align.known = Left, true // ESC @ justifies left
	e.align.pending = e.align.pending && e.align.want != Left
	return e
}

// Text appends s, sanitised and encoded in CP858, without a line feed.
func (e *Encoder) Text(s string) *Encoder {
	if s != "" {
		e.flushAlign()
	}
	e.b = append(e.b, EncodeCP858(s)...)
	return e
}

// Line appends s as Text followed by LF.
func (e *Encoder) Line(s string) *Encoder { return e.Text(s).LF() }

// LF ends the current line.
func (e *Encoder) LF() *Encoder {
	e.b = append(e.b, LF)
	return e
}

// Bold turns emphasis on or off (ESC E n).
func (e *Encoder) Bold(on bool) *Encoder {
	e.b = append(e.b, ESC, 'E', b2u(on))
	return e
}

// Underline sets underline thickness 0 (off), 1 or 2 dots (ESC - n).
func (e *Encoder) Underline(n int) *Encoder {
	e.b = append(e.b, ESC, '-', byte(clamp(n, 0, 2)))
	return e
}

// Align sets the justification of the following lines (ESC a n). The
// command is written before the next text or QR code, if still needed.
func (e *Encoder) Align(a Align) *Encoder {
	a %= 3
	e.align.want = a
	e.align.pending = !e.align.known || e.align.cur != a
	return e
}

// flushAlign writes the pending ESC a.
func (e *Encoder) flushAlign() {
	if !e.align.pending {
		return
	}
	e.b = append(e.b, ESC, 'a', byte(e.align.want))
	e.align.cur, e.align.known, e.align.pending = e.align.want, true, false
}

// Size sets character width and height multipliers, 1..8 each (GS ! n).
func (e *Encoder) Size(w, h int) *Encoder {
	w, h = clamp(w, 1, 8), clamp(h, 1, 8)
	e.b = append(e.b, GS, '!', byte((w-1)<<4|(h-1)))
	return e
}

// CodePage selects a character code table (ESC t n).
func (e *Encoder) CodePage(n byte) *Encoder {
	e.b = append(e.b, ESC, 't', n)
	return e
}

// Feed prints the buffer and feeds n lines (ESC d n).
func (e *Encoder) Feed(n int) *Encoder {
	e.b = append(e.b, ESC, 'd', byte(clamp(n, 0, 255)))
	return e
}

// Cut feeds the paper to the cutter plus n dots and cuts it partially (GS V 66 n).
func (e *Encoder) Cut(n int) *Encoder {
	e.b = append(e.b, GS, 'V', 66, byte(clamp(n, 0, 255)))
	return e
}

// QR appends a model 2 QR code of data with the given module size (1..16
// dots) and error level: select model, set size, set level, store, print.
func (e *Encoder) QR(data []byte, module int, level QRLevel) error {
	if len(data) == 0 || len(data) > MaxQRData {
		return fmt.Errorf("%w: %d bytes", ErrQRTooLong, len(data))
	}
	if level < QRLevelL || level > QRLevelH {
		level = QRLevelM
	}
	e.flushAlign()
	e.qr(65, 50, 0)                          // fn 165: model 2
	e.qr(67, byte(clamp(module, 1, 16)))     // fn 167: module size
	e.qr(69, byte(level))                    // fn 169: error level
	e.qr(80, append([]byte{48}, data...)...) // fn 180: store
	e.qr(81, 48)                             // fn 181: print
	return nil
}

// qr appends GS ( k pL pH cn=49 fn args.
func (e *Encoder) qr(fn byte, args ...byte) {
	n := len(args) + 2
	e.b = append(e.b, GS, '(', 'k', byte(n), byte(n>>8), 49, fn)
	e.b = append(e.b, args...)
}

// StatusRequest returns the real-time status request DLE EOT n (n = 1..4).
func StatusRequest(n byte) []byte { return []byte{DLE, EOT, n} }

func b2u(on bool) byte {
	if on {
		return 1
	}
	return 0
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// ProcessIDRequest is GS ( H fn 48 (transmit process ID): the printer
// answers ProcessIDReply(id) once it has processed (printed) everything
// sent before it. Each byte of id must be an ASCII digit.
func ProcessIDRequest(id [4]byte) []byte {
	return []byte{GS, '(', 'H', 6, 0, 48, 48, id[0], id[1], id[2], id[3]}
}

// ProcessIDReply is the printer's answer to ProcessIDRequest(id):
// header 37h, identifier 22h, d1..d4, NUL.
func ProcessIDReply(id [4]byte) []byte {
	return []byte{0x37, 0x22, id[0], id[1], id[2], id[3], 0}
}
