package vcard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// TestProfileCodesNeverLeak: no encoder shows a profile's PIN or PUK.
func TestProfileCodesNeverLeak(t *testing.T) {
	p, err := ReadProfile(filepath.Join("..", "profiles", "adult.json"))
	if err != nil {
		t.Fatal(err)
	}
	type parent struct{ P Profile }
	var outs []string
	for _, v := range []any{p, *p, parent{*p}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "p", v)
		outs = append(outs, string(b), buf.String(), fmt.Sprintf("%+v", v), fmt.Sprintf("%#v", v))
	}
	for _, o := range outs {
		if strings.Contains(o, `"`+p.PIN+`"`) || strings.Contains(o, ":"+p.PIN) || strings.Contains(o, p.PUK) {
			t.Errorf("PIN or PUK in %s", o)
		}
	}
}

// TestProfileTEAMPrefix: a Codice TEAM with a valid Luhn digit but not the
// Italian prefix 8038000 is refused.
func TestProfileTEAMPrefix(t *testing.T) {
	p, err := ReadProfile(filepath.Join("..", "profiles", "adult.json"))
	if err != nil {
		t.Fatal(err)
	}
	p.TEAM = "80380100900090510553"
	p.TEAM = p.TEAM[:19] + luhn(p.TEAM[:19])
	if err := p.check(); !errors.Is(err, ErrProfile) {
		t.Errorf("check(TEAM %s) = %v, want ErrProfile", p.TEAM, err)
	}
}

func luhn(s string) string {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return string(rune('0' + (10-sum%10)%10))
}
