package escpos

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestEncoder(t *testing.T) {
	tests := []struct {
		name string
		do   func(e *Encoder)
		want []byte
	}{
		{"init selects CP858", func(e *Encoder) { e.Init() }, []byte{0x1B, '@', 0x1B, 't', 19}},
		{"bold on", func(e *Encoder) { e.Bold(true) }, []byte{0x1B, 'E', 1}},
		{"bold off", func(e *Encoder) { e.Bold(false) }, []byte{0x1B, 'E', 0}},
		{"underline clamps", func(e *Encoder) { e.Underline(7) }, []byte{0x1B, '-', 2}},
		{"align center", func(e *Encoder) { e.Align(Center).Text("x") }, []byte{0x1B, 'a', 1, 'x'}},
		{"align waits for text", func(e *Encoder) { e.Align(Center) }, nil},
		{"align once for two lines", func(e *Encoder) { e.Align(Right).Line("a").Align(Right).Line("b") },
			[]byte{0x1B, 'a', 2, 'a', 0x0A, 'b', 0x0A}},
		{"back-to-back aligns collapse", func(e *Encoder) { e.Align(Center).Line("a").Align(Left).Align(Center).Line("b") },
			[]byte{0x1B, 'a', 1, 'a', 0x0A, 'b', 0x0A}},
		{"left after init is implied", func(e *Encoder) { e.Init().Align(Left).Text("a") },
			[]byte{0x1B, '@', 0x1B, 't', 19, 'a'}},
		{"center before init survives it", func(e *Encoder) { e.Align(Center).Init().Text("a") },
			[]byte{0x1B, '@', 0x1B, 't', 19, 0x1B, 'a', 1, 'a'}},
		{"double size", func(e *Encoder) { e.Size(2, 2) }, []byte{0x1D, '!', 0x11}},
		{"size clamps", func(e *Encoder) { e.Size(0, 9) }, []byte{0x1D, '!', 0x07}},
		{"feed", func(e *Encoder) { e.Feed(3) }, []byte{0x1B, 'd', 3}},
		{"cut", func(e *Encoder) { e.Cut(3) }, []byte{0x1D, 'V', 66, 3}},
		{"euro and accents", func(e *Encoder) { e.Line("4,20 € à è é ì ò ù È") },
			append([]byte("4,20 \xD5 \x85 \x8A \x82 \x8D \x95 \x97 \xD4"), 0x0A)},
		{"transliterated", func(e *Encoder) { e.Text("L’Aquila – ŁÓDŹ “ok”…") },
			[]byte("L'Aquila - L\xE0DZ \"ok\"...")},
		{"unknown script", func(e *Encoder) { e.Text("名") }, []byte("?")},
		{"controls stripped", func(e *Encoder) { e.Text("Ma\x1b@rio\x1dV\x42\x00\x10\x04\x01 Rossi") },
			[]byte("Ma@rioVB Rossi")},
		{"newlines become spaces", func(e *Encoder) { e.Text("via Roma\r\n\t1") }, []byte("via Roma   1")},
		{"C1 and bidi dropped", func(e *Encoder) { e.Text("a\u009bb\u202ec\u200bd") }, []byte("abcd")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Encoder
			tt.do(&e)
			if got := e.Bytes(); !bytes.Equal(got, tt.want) {
				t.Errorf("got % X\nwant % X", got, tt.want)
			}
		})
	}
}

func TestQR(t *testing.T) {
	var e Encoder
	if err := e.QR([]byte("01J"), 6, QRLevelM); err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x1D, '(', 'k', 4, 0, 49, 65, 50, 0, // fn 165: model 2
		0x1D, '(', 'k', 3, 0, 49, 67, 6, // fn 167: module 6 dots
		0x1D, '(', 'k', 3, 0, 49, 69, 49, // fn 169: level M
		0x1D, '(', 'k', 6, 0, 49, 80, 48, '0', '1', 'J', // fn 180: store 3 bytes (pL = 3+3)
		0x1D, '(', 'k', 3, 0, 49, 81, 48, // fn 181: print
	}
	if got := e.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("got % X\nwant % X", got, want)
	}
	for _, data := range [][]byte{nil, make([]byte, MaxQRData+1)} {
		if err := e.QR(data, 6, QRLevelM); !errors.Is(err, ErrQRTooLong) {
			t.Errorf("QR(%d bytes) = %v, want ErrQRTooLong", len(data), err)
		}
	}
}

func TestSanitizeNeverLeaksControls(t *testing.T) {
	var all []rune
	for r := rune(0); r < 0x3000; r++ {
		all = append(all, r)
	}
	got := EncodeCP858(string(all) + "\xff\xfe")
	for i, b := range got {
		if b < 0x20 || b == 0x7F {
			t.Fatalf("byte %d is control 0x%02X", i, b)
		}
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		s    string
		cols int
		want []string
	}{
		{"", 32, []string{""}},
		{"uno due tre", 7, []string{"uno due", "tre"}},
		{"  uno   due  ", 32, []string{"uno due"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"ab abcdefghij c", 4, []string{"ab", "abcd", "efgh", "ij c"}},
		{"àèìòù àèìòù", 5, []string{"àèìòù", "àèìòù"}},
		{"x", 0, []string{"x"}},
	}
	for _, tt := range tests {
		got := Wrap(tt.s, tt.cols)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tt.s, tt.cols, got, tt.want)
		}
	}
}

func TestPad(t *testing.T) {
	if got, want := Pad("Totale", "4,20 €", 16), []string{"Totale    4,20 €"}; got[0] != want[0] || len(got) != 1 {
		t.Errorf("got %q, want %q", got, want)
	}
	got := Pad("Importo lungo", "4,20 €", 12)
	if len(got) != 3 || got[2] != "      4,20 €" {
		t.Errorf("overflow: got %q", got)
	}
}
