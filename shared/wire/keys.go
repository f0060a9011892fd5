package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// maxDepth caps the nesting of a message; the deepest body is 4 levels.
const maxDepth = 16

// checkKeys walks the JSON once and refuses what encoding/json lets through
// silently: a key not written exactly as the contract spells keys (lower
// case letters, digits and '_': encoding/json matches field names without
// regard to case, so "DEV" would fill Dev), a key repeated in one object
// (encoding/json keeps the last, so a second "dev" could hide behind the
// first), and nesting deeper than maxDepth.
func checkKeys(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// One entry per open container: the keys seen so far for an object,
	// nil for an array.
	var stack []map[string]struct{}
	inObject := func() bool { return len(stack) > 0 && stack[len(stack)-1] != nil }
	wantKey := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{':
				stack = append(stack, map[string]struct{}{})
			case '[':
				stack = append(stack, nil)
			default:
				stack = stack[:len(stack)-1]
			}
			if len(stack) > maxDepth {
				return fmt.Errorf("nesting deeper than %d", maxDepth)
			}
			wantKey = inObject()
			continue
		}
		if wantKey {
			if err := checkKey(tok.(string), stack[len(stack)-1]); err != nil {
				return err
			}
			wantKey = false // the value follows
			continue
		}
		wantKey = inObject() // after a value, an object expects its next key
	}
}

func checkKey(k string, seen map[string]struct{}) error {
	if k == "" {
		return fmt.Errorf("empty key")
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("key %q: only lower-case letters, digits and '_'", k)
		}
	}
	if _, dup := seen[k]; dup {
		return fmt.Errorf("key %q repeated", k)
	}
	seen[k] = struct{}{}
	return nil
}
