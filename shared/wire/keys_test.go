package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestDecodeKeys: keys must be spelled exactly as the contract spells them
// and appear once per object; encoding/json alone accepts both.
func TestDecodeKeys(t *testing.T) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, examples(t)[OpActivation]); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	tests := []struct {
		name string
		edit func(string) string
	}{
		{"upper-case twin of dev", func(s string) string {
			return strings.Replace(s, `"dev":`, `"DEV":"kiosk-evil","dev":`, 1)
		}},
		{"upper-case key alone", func(s string) string { return strings.Replace(s, `"dev":`, `"Dev":`, 1) }},
		{"repeated key", func(s string) string { return strings.Replace(s, `"seq":`, `"seq":1,"seq":`, 1) }},
		{"repeated key in the body", func(s string) string {
			return strings.Replace(s, `"cf":`, `"cf":"RSSMRA80A01H501U","cf":`, 1)
		}},
		{"too deep", func(s string) string {
			return strings.Replace(s, `"body":{`, `"body":{"x":`+strings.Repeat("[", 20)+strings.Repeat("]", 20)+",", 1)
		}},
	}
	if _, err := Decode("", []byte(good)); err != nil {
		t.Fatalf("the example itself: %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := tc.edit(good)
			if bad == good {
				t.Fatal("the edit changed nothing")
			}
			if _, err := Decode("", []byte(bad)); !errors.Is(err, ErrMalformed) {
				t.Errorf("Decode = %v, want ErrMalformed", err)
			}
		})
	}
}
