package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestDate(t *testing.T) {
	tests := []struct {
		json    string
		want    string
		wantErr bool
	}{
		{`"2029-03-31"`, "2029-03-31", false},
		{`""`, "", false},
		{`"2029-02-30"`, "", true},
		{`"31/03/2029"`, "", true},
		{`20290331`, "", true},
		{`null`, "", false},
	}
	for _, tt := range tests {
		var d Date
		err := json.Unmarshal([]byte(tt.json), &d)
		if (err != nil) != tt.wantErr || (err == nil && d.String() != tt.want) {
			t.Errorf("Unmarshal(%s) = %q, %v; want %q, error %v", tt.json, d, err, tt.want, tt.wantErr)
		}
	}
	d := NewDate(2029, time.March, 31)
	b, _ := json.Marshal(d)
	if string(b) != `"2029-03-31"` {
		t.Errorf("Marshal = %s", b)
	}
	if !NewDate(2020, 1, 1).Before(d) || !d.After(NewDate(2020, 1, 1)) || d.IsZero() || !(Date{}).IsZero() {
		t.Error("Before/After/IsZero wrong")
	}
	if got := DateOf(time.Date(2026, 1, 19, 23, 30, 0, 0, time.FixedZone("CET", 3600))); got.String() != "2026-01-19" {
		t.Errorf("DateOf = %s, want the local date 2026-01-19", got)
	}
	if _, err := ParseDate("2026-1-19"); !errors.Is(err, ErrMalformed) {
		t.Errorf("ParseDate = %v, want ErrMalformed", err)
	}
}

var _ slog.LogValuer = PinHalvesResult{}

// TestPinHalvesRedacted: the secrets never reach a log or a %v.
func TestPinHalvesRedacted(t *testing.T) {
	p := PinHalvesResult{PinFirst: "4817", PukFirst: "9052"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("halves", "res", p)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("halves", "res", p)
	out := buf.String() + fmt.Sprint(p) + fmt.Sprintf("%v %+v %s", p, p, p)
	for _, secret := range []string{p.PinFirst, p.PukFirst} {
		if strings.Contains(out, secret) {
			t.Errorf("secret %s in %q", secret, out)
		}
	}
}

func TestTypes(t *testing.T) {
	seen := map[Type]bool{}
	for _, typ := range Types() {
		if seen[typ] {
			t.Errorf("%s listed twice", typ)
		}
		seen[typ] = true
		if _, ok := registry[typ]; !ok {
			t.Errorf("%s has no body in the registry", typ)
		}
	}
	if len(seen) != len(registry) {
		t.Errorf("Types() has %d types, registry %d", len(seen), len(registry))
	}
}

func TestAppendID(t *testing.T) {
	at := time.Date(2026, 1, 19, 9, 14, 3, 0, time.UTC)
	b := AppendID([]byte("id="), at)
	id, ok := strings.CutPrefix(string(b), "id=")
	if !ok || len(id) != 26 {
		t.Fatalf("AppendID = %q", b)
	}
	if _, err := Decode("", []byte(`{"v":1,"id":"`+id+`","dev":"k1","type":"state","at":"2026-01-19T09:14:03Z","body":{}}`)); err != nil {
		t.Errorf("AppendID gave %s: %v", id, err)
	}
	if id[:10] != NewID(at)[:10] {
		t.Errorf("AppendID %s, NewID %s: different times", id, NewID(at))
	}
	if id == string(AppendID(nil, at)) {
		t.Error("AppendID gave the same id twice")
	}
}
