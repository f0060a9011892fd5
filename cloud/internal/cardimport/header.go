package cardimport

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// readHeader reads the first non-blank line and maps its columns.
func readHeader(lr *lineReader) (cols []int, width int, err error) {
	for {
		text, line, tooLong, err := lr.next()
		switch {
		case errors.Is(err, io.EOF):
			return nil, 0, fmt.Errorf("%w: the file is empty", ErrHeader)
		case err != nil:
			return nil, 0, fmt.Errorf("%w: %w", ErrRead, err)
		case tooLong:
			return nil, 0, fmt.Errorf("%w: line %d longer than %d bytes", ErrHeader, line, maxLine)
		case len(text) == 0:
			continue
		}
		if sep := otherSeparator(string(text)); sep != "" {
			return nil, 0, fmt.Errorf("%w: line %d: the columns are separated by %s, not by commas: "+
				"save the file as CSV with comma separators (want %s)", ErrHeader, line, sep, strings.Join(Header, ","))
		}
		head, err := splitLine(string(text))
		if err != nil {
			return nil, 0, fmt.Errorf("%w: line %d: %w", ErrHeader, line, err)
		}
		cols, err := columnMap(head)
		return cols, len(head), err
	}
}

// columnMap maps the file's header to canonical column order: m[i] is the
// index in the file of Header[i].
func columnMap(h []string) ([]int, error) {
	pos := make(map[string]int, len(h))
	for i, name := range h {
		name = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")))
		if _, dup := pos[name]; dup {
			return nil, fmt.Errorf("%w: column %q twice", ErrHeader, name)
		}
		pos[name] = i
	}
	m := make([]int, len(Header))
	var missing []string
	for i, name := range Header {
		j, ok := pos[name]
		if !ok {
			missing = append(missing, name)
		}
		m[i] = j
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: missing %s (want %s)", ErrHeader, strings.Join(missing, ", "), strings.Join(Header, ","))
	}
	return m, nil
}

// reorder returns the record's fields in canonical order.
func reorder(rec []string, m []int) []string {
	out := make([]string, len(m))
	for i, j := range m {
		out[i] = rec[j]
	}
	return out
}

// otherSeparator names the separator of a header line without commas
// whose fields, split by ';' (the default of Excel with Italian settings)
// or by tabs, include a column of Header; else it returns "".
func otherSeparator(h string) string {
	if strings.Contains(h, ",") {
		return ""
	}
	for _, s := range []struct{ sep, name string }{{";", "semicolons (;)"}, {"\t", "tabs"}} {
		fields := strings.Split(strings.TrimPrefix(h, "\ufeff"), s.sep)
		for _, f := range fields {
			name := strings.ToLower(strings.Trim(strings.TrimSpace(f), `"`))
			if len(fields) > 1 && slices.Contains(Header, name) {
				return s.name
			}
		}
	}
	return ""
}
