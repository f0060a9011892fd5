package escpos

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// CodePage858 is the ESC t argument that selects PC858 (Euro) on Epson and
// compatible printers.
const CodePage858 = 19

// MaxTextRunes bounds the text that one Sanitize call keeps.
const MaxTextRunes = 4096

// translit maps characters that CP858 lacks to the closest it has.
var translit = map[rune]string{
	'‘': "'", '’': "'", '‚': "'", '‛': "'", '′': "'", '`': "'",
	'“': "\"", '”': "\"", '„': "\"", '‟': "\"", '″': "\"", '«': "\"", '»': "\"",
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	'…': "...", '•': "*", '™': "TM",
	'œ': "oe", 'Œ': "OE", 'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'ħ': "h",
	'ı': "i", 'ŀ': "l", 'Ŀ': "L", 'ŋ': "n", 'ſ': "s", 'þ': "th",
	'\u00a0': " ", '\u2007': " ", '\u202f': " ",
}

// Sanitize makes text that comes from people safe to print: valid UTF-8,
// NFC, whitespace controls (TAB, CR, LF, VT, FF, NEL, U+2028/9) turned into
// a space, every other control or format character (ESC, GS, DLE, NUL, DEL,
// C1, bidi overrides, zero-width) dropped, and the length capped at
// MaxTextRunes. Spaces are kept as they are (layouts align with them). The
// result holds no rune below U+0020 and none in U+007F..U+009F.
func Sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = norm.NFC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	n := 0
	for _, r := range s {
		if n >= MaxTextRunes {
			break
		}
		switch {
		case isSpace(r):
			r = ' '
		case r == utf8.RuneError:
			r = '?'
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			continue
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

func isSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0x2028, 0x2029:
		return true
	}
	return unicode.IsSpace(r) && !unicode.IsControl(r) && r != 0xa0
}

// EncodeCP858 sanitises s and encodes it in code page 858: every rune CP858
// has becomes its byte, others are transliterated, stripped of their accents
// or replaced by '?'. No byte of the result is below 0x20 or equal to 0x7F.
func EncodeCP858(s string) []byte {
	s = Sanitize(s)
	out := make([]byte, 0, len(s))
	for _, r := range s {
		out = appendRune(out, r)
	}
	return out
}

func appendRune(out []byte, r rune) []byte {
	if b, ok := encodeRune(r); ok {
		return append(out, b)
	}
	if t, ok := translit[r]; ok {
		for _, tr := range t {
			if b, ok := encodeRune(tr); ok {
				out = append(out, b)
			}
		}
		return out
	}
	// Strip accents: decompose and keep the base letters CP858 has.
	kept := false
	for _, dr := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, dr) {
			continue
		}
		if b, ok := encodeRune(dr); ok {
			out, kept = append(out, b), true
		}
	}
	if !kept {
		out = append(out, '?')
	}
	return out
}

func encodeRune(r rune) (byte, bool) {
	if r >= 0x20 && r < 0x7f {
		return byte(r), true
	}
	if r < 0xa0 {
		return 0, false
	}
	b, ok := charmap.CodePage858.EncodeRune(r)
	if !ok || b < 0x80 {
		return 0, false
	}
	return b, true
}

// DecodeCP858 turns code page 858 bytes into a string. Control bytes are
// kept as their code points.
func DecodeCP858(p []byte) string {
	var b strings.Builder
	b.Grow(len(p))
	for _, c := range p {
		if c < 0x80 {
			b.WriteByte(c)
			continue
		}
		b.WriteRune(charmap.CodePage858.DecodeByte(c))
	}
	return b.String()
}
