package fleet

import (
	"fmt"
	"slices"

	"cnskiosk.dev/shared/wire"
)

// Languages are the languages a kiosk can show, in the order offered.
var Languages = []string{"it", "en"}

// MaxReaderPriceCents is the highest reader price a config may set
// (100.00 euro): a reader costs a few euro, so more is a typing error.
const MaxReaderPriceCents = 10000

// Config fields named by a ConfigError.
const (
	FieldVersion      = "version"
	FieldCounter      = "counter"
	FieldCapabilities = "capabilities"
	FieldLanguages    = "languages"
	FieldPrice        = "reader_price_cents"
)

// ConfigError is a configuration refused by [ValidateConfig]: the field
// (one of the Field constants) and why. It matches ErrInvalid, so that a
// caller can tell the user which field to fix.
type ConfigError struct {
	Field  string
	Reason string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("fleet: invalid argument: config %s: %s", e.Field, e.Reason)
}

// Is makes a ConfigError match ErrInvalid.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalid }

// knownCaps are the capabilities of the wire contract.
var knownCaps = []wire.Capability{wire.CapReissue, wire.CapPayment}

// ValidateConfig checks what [Fleet.SetConfig] stores: at least one
// language, each in Languages and once; a counter id with the syntax of a
// device id, or empty (the device's); capabilities of the wire contract,
// each once; a reader price from 0 to MaxReaderPriceCents.
func ValidateConfig(c wire.Config) error {
	bad := func(field, format string, a ...any) error {
		return &ConfigError{Field: field, Reason: fmt.Sprintf(format, a...)}
	}
	if c.Version < 0 {
		return bad(FieldVersion, "negative version %d", c.Version)
	}
	if len(c.Languages) == 0 {
		return bad(FieldLanguages, "at least one language is needed")
	}
	for i, l := range c.Languages {
		if !slices.Contains(Languages, l) {
			return bad(FieldLanguages, "language %q not supported (%v)", l, Languages)
		}
		if slices.Contains(c.Languages[:i], l) {
			return bad(FieldLanguages, "language %q given twice", l)
		}
	}
	if c.Counter != "" {
		if err := wire.ValidateDeviceID(c.Counter); err != nil {
			return bad(FieldCounter, "counter id %q: %v", c.Counter, err)
		}
	}
	for i, k := range c.Capabilities {
		if !slices.Contains(knownCaps, k) {
			return bad(FieldCapabilities, "capability %q unknown", k)
		}
		if slices.Contains(c.Capabilities[:i], k) {
			return bad(FieldCapabilities, "capability %q given twice", k)
		}
	}
	if c.ReaderPriceCents < 0 || c.ReaderPriceCents > MaxReaderPriceCents {
		return bad(FieldPrice, "reader price %d cents out of 0..%d", c.ReaderPriceCents, MaxReaderPriceCents)
	}
	return nil
}
