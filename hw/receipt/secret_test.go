package receipt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestHalvesNeverLeak: no encoder of a value holding Halves, directly or
// nested, shows the digits.
func TestHalvesNeverLeak(t *testing.T) {
	a := layouts()["acceptance"].(Acceptance)
	s := layouts()["summary"].(Summary)
	type nested struct {
		Op     string
		Halves Halves
		hidden Halves
		Ptr    *Halves
	}
	n := nested{Op: "activation", Halves: fakeHalves, hidden: fakeHalves, Ptr: &fakeHalves}
	var outs []string
	for _, v := range []any{fakeHalves, &fakeHalves, a, s, n, map[string]any{"a": a}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal(%T): %v", v, err)
		}
		outs = append(outs, string(b), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v), fmt.Sprintf("%v", v))
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v, slog.Any("n", n))
		outs = append(outs, buf.String())
		buf.Reset()
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", v)
		outs = append(outs, buf.String())
	}
	txt, _ := fakeHalves.MarshalText()
	outs = append(outs, string(txt))
	for _, o := range outs {
		if strings.Contains(o, "9173") || strings.Contains(o, "4682") {
			t.Errorf("secret in %s", o)
		}
	}
	if fakeHalves.Pin() != "9173" || fakeHalves.Puk() != "4682" || (Halves{}).Pin() != "" {
		t.Error("accessors do not return the digits")
	}
}
