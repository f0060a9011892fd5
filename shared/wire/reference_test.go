package wire

import "fmt"

// The decoder before the single pass, kept as the reference that
// FuzzDecodeMatchesReference and TestDecodeMatchesReference hold Decode
// to: the key scan below, then encoding/json with DisallowUnknownFields on
// the envelope and, after its checks, on the body.

// refDecode is Decode as it was.
func refDecode(topicDev string, data []byte) (Envelope, error) {
	if len(data) > MaxMessageSize {
		return Envelope{}, fmt.Errorf("%w: %d bytes > %d", ErrOversize, len(data), MaxMessageSize)
	}
	if err := checkKeys(data); err != nil {
		return Envelope{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var e Envelope
	if err := strictUnmarshal(data, &e); err != nil {
		return Envelope{}, fmt.Errorf("%w: envelope: %v", ErrMalformed, err)
	}
	if e.V != Version {
		return Envelope{}, fmt.Errorf("%w: v=%d", ErrVersion, e.V)
	}
	var err error
	if e.decoded, err = e.validate(); err != nil {
		return Envelope{}, err
	}
	e.decodedFrom = e.Body
	if topicDev != "" && e.Dev != topicDev {
		return Envelope{}, fmt.Errorf("%w: topic %q, payload %q", ErrDeviceMismatch, topicDev, e.Dev)
	}
	return e, nil
}

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
