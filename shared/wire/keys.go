package wire

import (
	"bytes"
	"fmt"
)

// Limits of checkKeys.
const (
	maxDepth      = 16  // the deepest body has 4 levels
	maxObjectKeys = 128 // the widest body has 12 fields
)

// checkKeys scans the JSON once, without allocating per token, and refuses
// what encoding/json lets through silently: a key not written exactly as
// the contract spells keys (lower-case letters, digits and '_'; encoding/json
// matches field names without regard to case, so "DEV" would fill Dev, and
// an escaped key such as "\u0064ev" would too), a key repeated in one object
// (encoding/json keeps the last, so a second "dev" could hide behind the
// first), nesting deeper than maxDepth and objects wider than maxObjectKeys.
// Syntax errors are left to the decoder that runs next.
func checkKeys(data []byte) error {
	var objs [maxDepth + 1][][]byte // keys seen per open object; nil entry for an array
	var isObj [maxDepth + 1]bool
	depth := 0
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{', '[':
			if depth++; depth > maxDepth {
				return fmt.Errorf("nesting deeper than %d", maxDepth)
			}
			isObj[depth], objs[depth] = c == '{', objs[depth][:0]
		case '}', ']':
			if depth > 0 {
				depth--
			}
		case '"':
			end := stringEnd(data, i)
			if end < 0 {
				return nil // unterminated: the decoder reports it
			}
			if depth > 0 && isObj[depth] && followedByColon(data, end+1) {
				key := data[i+1 : end]
				if err := checkKey(key, objs[depth]); err != nil {
					return err
				}
				objs[depth] = append(objs[depth], key)
			}
			i = end
		}
	}
	return nil
}

// stringEnd returns the index of the quote closing the string opened at i.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

func followedByColon(data []byte, i int) bool {
	for ; i < len(data); i++ {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
		case ':':
			return true
		default:
			return false
		}
	}
	return false
}

func checkKey(k []byte, seen [][]byte) error {
	if len(k) == 0 {
		return fmt.Errorf("empty key")
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("key %q: only lower-case letters, digits and '_'", k)
		}
	}
	if len(seen) >= maxObjectKeys {
		return fmt.Errorf("object with more than %d keys", maxObjectKeys)
	}
	for _, s := range seen {
		if bytes.Equal(s, k) {
			return fmt.Errorf("key %q repeated", k)
		}
	}
	return nil
}
