package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/oklog/ulid/v2"
)

// Version is the only envelope version this package speaks.
const Version = 1

// MaxMessageSize caps every payload. Larger messages are rejected before
// they are parsed.
const MaxMessageSize = 64 << 10

// Envelope is the frame of every message on every topic.
type Envelope struct {
	V    int             `json:"v"`
	ID   string          `json:"id"`   // ULID, unique per message; the operation id on ops
	Dev  string          `json:"dev"`  // sending or receiving device; equals the topic's {dev}
	Seq  uint64          `json:"seq"`  // per-device sequence of ops (1, 2, ...); 0 elsewhere
	Type Type            `json:"type"` // what Body holds
	At   time.Time       `json:"at"`   // when the sender created the message
	Body json.RawMessage `json:"body"`

	// decoded is the body as Decode or New checked it (a pointer to the
	// body type), so DecodeBody need not parse it again; decodedFrom is the
	// Body it was parsed from, so a Body replaced afterwards is parsed anew.
	decoded     any
	decodedFrom json.RawMessage
}

// NewID returns a fresh ULID string.
func NewID(now time.Time) string {
	return ulid.MustNew(ulid.Timestamp(now), ulid.DefaultEntropy()).String()
}

// AppendID appends a fresh ULID, as NewID returns it, to dst.
func AppendID(dst []byte, now time.Time) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, ulid.EncodedSize)...)
	// The entropy is read into dst's own new bytes, which are on the heap
	// already: ulid.New reads it into the id, which escapes to the heap
	// through the reader's interface (an allocation per id).
	var id ulid.ULID
	ms := ulid.Timestamp(now)
	if err := id.SetTime(ms); err != nil {
		panic(err) // as ulid.MustNew
	}
	if err := defaultEntropy.MonotonicRead(ms, dst[n:n+len(id)-6]); err != nil {
		panic(err) // as ulid.MustNew
	}
	copy(id[6:], dst[n:])
	_ = id.MarshalTextTo(dst[n:]) // cannot fail: the size is right
	return dst
}

// defaultEntropy is the source of NewID's randomness, monotonic within a
// millisecond.
var defaultEntropy = ulid.DefaultEntropy().(ulid.MonotonicReader)

// New builds an envelope for body, encoding it. It validates what it builds.
func New(dev string, seq uint64, t Type, at time.Time, body any) (Envelope, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return Envelope{}, fmt.Errorf("wire: encode %s body: %w", t, err)
	}
	e := Envelope{V: Version, ID: NewID(at), Dev: dev, Seq: seq, Type: t, At: at.UTC().Truncate(time.Millisecond), Body: raw}
	if e.decoded, err = e.validate(); err != nil {
		return Envelope{}, err
	}
	e.decodedFrom = e.Body
	return e, nil
}

// Encode returns the JSON of e.
func (e Envelope) Encode() ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("wire: encode envelope: %w", err)
	}
	if len(b) > MaxMessageSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrOversize, len(b))
	}
	return b, nil
}

// Decode parses and validates one message received on a topic of device
// topicDev. Pass topicDev "" when the message did not come from a device
// topic (a file replayed by cmsctl, say): the device check is then skipped.
// The body is checked against the schema of its type.
//
// The message is read in one pass (see decoder) that refuses what
// encoding/json alone would let through: keys not spelled exactly as the
// contract spells them (lower-case letters, digits and '_'; encoding/json
// matches names without regard to case, so "DEV" would fill Dev, and an
// escaped key such as "\u0064ev" would too), a key repeated in one object
// (encoding/json keeps the last, so a second "dev" could hide behind the
// first), nesting deeper than 16 and objects wider than 128 keys.
func Decode(topicDev string, data []byte) (Envelope, error) {
	if len(data) > MaxMessageSize {
		return Envelope{}, fmt.Errorf("%w: %d bytes > %d", ErrOversize, len(data), MaxMessageSize)
	}
	var e Envelope
	d := decoder{data: data}
	body, err := d.envelope(&e)
	if err != nil {
		return Envelope{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if e.V != Version {
		return Envelope{}, fmt.Errorf("%w: v=%d", ErrVersion, e.V)
	}
	parse := func() (any, error) {
		if body != nil || d.soft != nil {
			return body, d.soft // decoded in the same pass: its type came first
		}
		if p := plans[e.Type]; p != nil {
			return decodeBody(p, e.Body)
		}
		v := registry[e.Type]()
		return v, strictUnmarshal(e.Body, v)
	}
	if e.decoded, err = e.check(parse); err != nil {
		return Envelope{}, err
	}
	e.decodedFrom = e.Body
	if topicDev != "" && e.Dev != topicDev {
		return Envelope{}, fmt.Errorf("%w: topic %q, payload %q", ErrDeviceMismatch, topicDev, e.Dev)
	}
	return e, nil
}

// validate checks e as New built it, parsing its body from e.Body.
func (e Envelope) validate() (any, error) {
	return e.check(func() (any, error) {
		v := registry[e.Type]()
		return v, strictUnmarshal(e.Body, v)
	})
}

// check checks the envelope's fields, then the body that parse returns
// (decoded against the schema of e.Type, not yet validated). parse runs
// only once e.Type is known to be registered and e.Body to be an object.
func (e Envelope) check(parse func() (any, error)) (any, error) {
	if _, ok := registry[e.Type]; !ok {
		return nil, fmt.Errorf("%w: %q", ErrType, e.Type)
	}
	if _, err := ulid.ParseStrict(e.ID); err != nil {
		return nil, fmt.Errorf("%w: id %q is not a ULID", ErrMalformed, e.ID)
	}
	if err := ValidateDeviceID(e.Dev); err != nil {
		return nil, err
	}
	if e.At.IsZero() {
		return nil, fmt.Errorf("%w: missing at", ErrMalformed)
	}
	if e.Type.IsOp() && e.Seq == 0 {
		return nil, fmt.Errorf("%w: operation without seq", ErrMalformed)
	}
	if len(e.Body) == 0 || e.Body[0] != '{' {
		return nil, fmt.Errorf("%w: body must be a JSON object", ErrMalformed)
	}
	body, err := parse()
	if err != nil {
		return nil, fmt.Errorf("%w: %s body: %v", ErrMalformed, e.Type, err)
	}
	if v, ok := body.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %s body: %v", ErrMalformed, e.Type, err)
		}
	}
	return body, nil
}

// DecodeBody decodes the body of e into a value of type T. Decode has
// already checked it, so an error here means e was built by hand.
func DecodeBody[T any](e Envelope) (T, error) {
	if p, ok := e.decoded.(*T); ok && sameBytes(e.Body, e.decodedFrom) {
		return *p, nil // already parsed and checked by Decode or New
	}
	var v T
	if err := strictUnmarshal(e.Body, &v); err != nil {
		return v, fmt.Errorf("%w: %s body: %v", ErrMalformed, e.Type, err)
	}
	return v, nil
}

// DecodeValid is DecodeBody followed by the body's Validate, which it
// skips when the body is the one Decode or New already checked: the
// receiving side of an operation validates each body once.
func DecodeValid[T interface{ Validate() error }](e Envelope) (T, error) {
	if p, ok := e.decoded.(*T); ok && sameBytes(e.Body, e.decodedFrom) {
		return *p, nil // validated by Decode or New
	}
	v, err := DecodeBody[T](e)
	if err != nil {
		return v, err
	}
	if err := v.Validate(); err != nil {
		return v, fmt.Errorf("%w: %s body: %w", ErrMalformed, e.Type, err)
	}
	return v, nil
}

func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("trailing data after JSON value")
	}
	return nil
}

// sameBytes reports whether a and b are the same slice (not merely equal).
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}
