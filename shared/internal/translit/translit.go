package translit

import (
	"strings"
	"unicode"
)

// fold maps the upper case Latin letters with diacritics found in Italian,
// Ladin, German, Slovene, French, Spanish and other European names to ASCII.
var fold = map[rune]string{}

func init() {
	for _, g := range []struct{ to, from string }{
		{"A", "ÀÁÂÃÄÅĀĂĄǍ"}, {"AE", "Æ"}, {"C", "ÇĆĈĊČ"}, {"D", "ĎĐÐ"},
		{"E", "ÈÉÊËĒĔĖĘĚ"}, {"G", "ĜĞĠĢ"}, {"H", "ĤĦ"}, {"I", "ÌÍÎÏĨĪĬĮİ"},
		{"J", "Ĵ"}, {"K", "Ķ"}, {"L", "ĹĻĽĿŁ"}, {"N", "ÑŃŅŇ"}, {"O", "ÒÓÔÕÖØŌŎŐǑ"},
		{"OE", "Œ"}, {"R", "ŔŖŘ"}, {"S", "ŚŜŞŠȘ"}, {"SS", "ẞ"}, {"T", "ŢŤŦȚÞ"},
		{"U", "ÙÚÛÜŨŪŬŮŰŲǓ"}, {"W", "Ŵ"}, {"Y", "ÝŶŸ"}, {"Z", "ŹŻŽ"},
	} {
		for _, r := range g.from {
			fold[r] = g.to
		}
	}
}

// Letters returns s in upper case ASCII letters only: diacritics dropped,
// digits, spaces and punctuation removed. Letters it cannot transliterate
// (Greek, Cyrillic, ...) are dropped too.
func Letters(s string) string { return keep(s, false) }

// Key returns s in upper case ASCII letters and digits only, for comparing
// names: "Sant'Angelo a Fasanella" and "SANT ANGELO A FASANELLA" have the
// same key.
func Key(s string) string { return keep(s, true) }

func keep(s string, digits bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == 'ß' {
			b.WriteString("SS")
			continue
		}
		r = unicode.ToUpper(r)
		switch {
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= '0' && r <= '9':
			if digits {
				b.WriteRune(r)
			}
		case r > unicode.MaxASCII:
			b.WriteString(fold[r])
		}
	}
	return b.String()
}
