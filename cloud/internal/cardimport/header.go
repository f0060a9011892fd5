package cardimport

import (
	"errors"
	"fmt"
	"io"
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
