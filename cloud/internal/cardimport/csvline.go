package cardimport

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxLine caps a physical line. A valid row is at most ten fields of
// maxField bytes; anything much longer is not a card row.
const maxLine = 16 << 10

// lineReader reads the file one physical line at a time. The format has
// no multi-line fields, so a broken line never swallows the lines after it.
type lineReader struct {
	br   *bufio.Reader
	line int // number of the last line returned, from 1
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, maxLine)}
}

// next returns the next line without its line ending (valid until the
// next call) and its number. tooLong reports a line over maxLine bytes,
// whose text is skipped. err is io.EOF at the end, or a read error.
func (lr *lineReader) next() (text []byte, line int, tooLong bool, err error) {
	b, err := lr.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = lr.br.ReadSlice('\n')
		}
		lr.line++
		if err == io.EOF {
			err = nil
		}
		return nil, lr.line, err == nil, err
	}
	if err == io.EOF && len(b) > 0 {
		err = nil
	}
	if err != nil {
		return nil, lr.line + 1, false, err
	}
	lr.line++
	b = b[:len(b)-len(suffixNL(b))]
	return b, lr.line, false, nil
}

// suffixNL returns the line ending of b: "\r\n", "\n" or "".
func suffixNL(b []byte) string {
	switch n := len(b); {
	case n >= 2 && b[n-2] == '\r' && b[n-1] == '\n':
		return "\r\n"
	case n >= 1 && b[n-1] == '\n':
		return "\n"
	}
	return ""
}

// Syntax errors of one line, as encoding/csv reports them.
var (
	errBareQuote    = errors.New(`bare " in an unquoted field`)
	errExtraQuote   = errors.New(`extraneous " after a quoted field`)
	errUnterminated = errors.New(`unterminated quoted field (a field cannot span lines)`)
)

// splitLine parses one CSV line (comma separated, RFC 4180 quoting, no
// line breaks inside fields) into its fields. It accepts and rejects what
// encoding/csv does for a single line.
func splitLine(s string) ([]string, error) {
	fields := make([]string, 0, len(Header))
	for {
		if s == "" || s[0] != '"' {
			f, rest, more := strings.Cut(s, ",")
			if strings.IndexByte(f, '"') >= 0 {
				return nil, fmt.Errorf("field %d: %w", len(fields)+1, errBareQuote)
			}
			fields = append(fields, f)
			if !more {
				return fields, nil
			}
			s = rest
			continue
		}
		f, rest, err := quoted(s[1:])
		if err != nil {
			return nil, fmt.Errorf("field %d: %w", len(fields)+1, err)
		}
		fields = append(fields, f)
		if rest == "" {
			return fields, nil
		}
		if rest[0] != ',' {
			return nil, fmt.Errorf("field %d: %w", len(fields), errExtraQuote)
		}
		s = rest[1:]
	}
}

// quoted reads a quoted field after its opening quote and returns its
// value and the text after the closing quote.
func quoted(s string) (string, string, error) {
	i := strings.IndexByte(s, '"')
	if i < 0 {
		return "", "", errUnterminated
	}
	if i+1 >= len(s) || s[i+1] != '"' {
		return s[:i], s[i+1:], nil // the common case: no escaped quote
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			return "", "", errUnterminated
		}
		b.WriteString(s[:i])
		s = s[i+1:]
		if !strings.HasPrefix(s, `"`) {
			return b.String(), s, nil
		}
		b.WriteByte('"')
		s = s[1:]
	}
}
