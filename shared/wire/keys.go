package wire

import (
	"bytes"
	"fmt"
)

// Limits of the key rules (see checkKey and decoder).
const (
	maxDepth      = 16  // the deepest body has 4 levels
	maxObjectKeys = 128 // the widest body has 12 fields
)

// checkKey checks key k of an object whose keys before it were seen: it
// refuses what encoding/json lets through silently, a key not written
// exactly as the contract spells keys (lower-case letters, digits and '_';
// encoding/json matches field names without regard to case, so "DEV"
// would fill Dev, and an escaped key such as "\u0064ev" would too), a key
// repeated in one object (encoding/json keeps the last, so a second "dev"
// could hide behind the first), and objects wider than maxObjectKeys.
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
