package cf

import "strings"

// Base returns the code with every omocode letter mapped back to its digit
// and the check character recomputed. The code of someone without omocodia
// is its own base. s is cleaned and its shape checked first.
func Base(s string) (string, error) {
	s = clean(s)
	if err := shape(s); err != nil {
		return "", err
	}
	return base(s), nil
}

func base(s string) string {
	b := []byte(s)
	for _, i := range omoPos {
		if d := strings.IndexByte(omocodes, b[i]); d >= 0 {
			b[i] = byte('0' + d)
		}
	}
	b[15] = CheckChar(string(b))
	return string(b)
}

// Variants returns the 127 omocode variants of base: variant k (1..127)
// replaces the digits picked by the bits of k, the lowest bit being the
// rightmost digit, so the first variant replaces only the rightmost digit
// and the last all seven. base must be a valid-shaped code without omocodia
// (see [Base]); Variants returns nil otherwise.
func Variants(code string) []string {
	code = clean(code)
	if shape(code) != nil || code != base(code) {
		return nil
	}
	out := make([]string, 0, 127)
	for mask := 1; mask < 128; mask++ {
		b := []byte(code)
		for bit, i := range omoPos {
			if mask&(1<<bit) != 0 {
				b[i] = omocodes[b[i]-'0']
			}
		}
		b[15] = CheckChar(string(b))
		out = append(out, string(b))
	}
	return out
}
