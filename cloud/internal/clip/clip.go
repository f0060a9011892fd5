package clip

import (
	"strings"
	"unicode/utf8"
)

// Ellipsis ends a string that String shortened.
const Ellipsis = "…"

// String returns s as valid UTF-8 without NUL bytes, at most max bytes
// long. When s had to be shortened it ends with Ellipsis (counted in max)
// and is cut on a rune boundary. max < len(Ellipsis) gives a plain cut.
func String(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if len(s) <= max {
		return s
	}
	tail := Ellipsis
	if max < len(tail) {
		tail = ""
	}
	cut := max - len(tail)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + tail
}
