package escpos

import "strings"

// Paper columns in font A (12 x 24 dots) at normal size.
const (
	Columns58 = 32 // 58 mm paper, 384 dots
	Columns80 = 48 // 80 mm paper, 576 dots
)

// Wrap sanitises s and breaks it into lines of at most cols runes, at
// spaces where it can and inside a word longer than a line where it must.
// It returns one empty line for empty text; cols below 1 counts as 1.
func Wrap(s string, cols int) []string {
	if cols < 1 {
		cols = 1
	}
	var lines []string
	var cur []rune
	for _, w := range strings.Fields(Sanitize(s)) {
		word := []rune(w)
		for len(word) > cols {
			if len(cur) > 0 {
				lines, cur = append(lines, string(cur)), nil
			}
			lines, word = append(lines, string(word[:cols])), word[cols:]
		}
		switch {
		case len(word) == 0:
		case len(cur) == 0:
			cur = word
		case len(cur)+1+len(word) <= cols:
			cur = append(append(cur, ' '), word...)
		default:
			lines, cur = append(lines, string(cur)), word
		}
	}
	if len(cur) > 0 || len(lines) == 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

// Pad returns left and right joined with spaces to exactly cols runes
// ("Totale ........ 4,20 €" style rows without the dots). If they do not
// fit, right goes on its own line, aligned right.
func Pad(left, right string, cols int) []string {
	l, r := []rune(Sanitize(left)), []rune(Sanitize(right))
	if len(l)+1+len(r) <= cols {
		return []string{string(l) + strings.Repeat(" ", cols-len(l)-len(r)) + string(r)}
	}
	out := Wrap(string(l), cols)
	for _, rl := range Wrap(string(r), cols) {
		n := len([]rune(rl))
		out = append(out, strings.Repeat(" ", cols-n)+rl)
	}
	return out
}
