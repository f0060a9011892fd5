package fleet

import (
	"errors"
	"strings"
	"testing"

	"cnskiosk.dev/shared/wire"
)

func TestValidateConfig(t *testing.T) {
	ok := wire.Config{Counter: "desk-1", Capabilities: []wire.Capability{wire.CapReissue}, Languages: []string{"it", "en"}, ReaderPriceCents: 420}
	with := func(change func(*wire.Config)) wire.Config {
		c := ok
		c.Languages = append([]string(nil), ok.Languages...)
		change(&c)
		return c
	}
	tests := []struct {
		name  string
		c     wire.Config
		field string // "" = valid
	}{
		{"valid", ok, ""},
		{"no counter: the device's", with(func(c *wire.Config) { c.Counter = "" }), ""},
		{"italian only", with(func(c *wire.Config) { c.Languages = []string{"it"} }), ""},
		{"free reader", with(func(c *wire.Config) { c.ReaderPriceCents = 0 }), ""},
		{"price at the ceiling", with(func(c *wire.Config) { c.ReaderPriceCents = MaxReaderPriceCents }), ""},
		{"no language", with(func(c *wire.Config) { c.Languages = nil }), FieldLanguages},
		{"unsupported language", with(func(c *wire.Config) { c.Languages = []string{"it", "de"} }), FieldLanguages},
		{"language twice", with(func(c *wire.Config) { c.Languages = []string{"it", "it"} }), FieldLanguages},
		{"upper-case language", with(func(c *wire.Config) { c.Languages = []string{"IT"} }), FieldLanguages},
		{"counter with a space", with(func(c *wire.Config) { c.Counter = "desk 1" }), FieldCounter},
		{"counter with upper case", with(func(c *wire.Config) { c.Counter = "Desk1" }), FieldCounter},
		{"counter with markup", with(func(c *wire.Config) { c.Counter = "<b>x</b>" }), FieldCounter},
		{"counter too long", with(func(c *wire.Config) { c.Counter = strings.Repeat("a", 65) }), FieldCounter},
		{"unknown capability", with(func(c *wire.Config) { c.Capabilities = []wire.Capability{"teleport"} }), FieldCapabilities},
		{"capability twice", with(func(c *wire.Config) {
			c.Capabilities = []wire.Capability{wire.CapReissue, wire.CapReissue}
		}), FieldCapabilities},
		{"negative price", with(func(c *wire.Config) { c.ReaderPriceCents = -1 }), FieldPrice},
		{"price over the ceiling", with(func(c *wire.Config) { c.ReaderPriceCents = MaxReaderPriceCents + 1 }), FieldPrice},
		{"negative version", with(func(c *wire.Config) { c.Version = -1 }), FieldVersion},
	}
	for _, tt := range tests {
		err := ValidateConfig(tt.c)
		var ce *ConfigError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%s: %v, want valid", tt.name, err)
		case tt.field != "" && (!errors.As(err, &ce) || ce.Field != tt.field || !errors.Is(err, ErrInvalid)):
			t.Errorf("%s: %v, want a ConfigError on %s matching ErrInvalid", tt.name, err, tt.field)
		}
	}
}
