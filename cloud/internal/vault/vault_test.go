package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	teamA = "80380000900090510553"
	teamB = "80380000900090510561"
)

func newVault(t *testing.T) (*Vault, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "vault.key")
	if err := Generate(path); err != nil {
		t.Fatalf("Generate: %v", err)
	}
	v, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return v, path
}

func TestSealOpenRoundTrip(t *testing.T) {
	v, _ := newVault(t)
	want := Secrets{PIN: "12345678", PUK: "87654321"}
	s, err := v.Seal(teamA, want)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if bytes.Contains(s.Ciphertext, []byte(want.PIN)) {
		t.Fatalf("ciphertext holds the PIN in clear")
	}
	got, err := v.Open(teamA, s)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got != want {
		t.Fatalf("Open = other secrets than sealed")
	}
}

func TestOpenOtherCardFails(t *testing.T) {
	v, _ := newVault(t)
	s, err := v.Seal(teamA, Secrets{PIN: "1234", PUK: "12345678"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Open(teamB, s); !errors.Is(err, ErrOpen) {
		t.Fatalf("Open as team B: err = %v, want ErrOpen", err)
	}
}

func TestOpenTampered(t *testing.T) {
	v, _ := newVault(t)
	orig, err := v.Seal(teamA, Secrets{PIN: "1234", PUK: "12345678"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*Sealed)
		want   error
	}{
		{"flip ciphertext bit", func(s *Sealed) { s.Ciphertext[0] ^= 1 }, ErrOpen},
		{"flip tag bit", func(s *Sealed) { s.Ciphertext[len(s.Ciphertext)-1] ^= 0x80 }, ErrOpen},
		{"flip nonce bit", func(s *Sealed) { s.Nonce[3] ^= 4 }, ErrOpen},
		{"short nonce", func(s *Sealed) { s.Nonce = s.Nonce[:5] }, ErrOpen},
		{"truncated", func(s *Sealed) { s.Ciphertext = s.Ciphertext[:4] }, ErrOpen},
		{"unknown key", func(s *Sealed) { s.KeyID = "nope" }, ErrUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Sealed{KeyID: orig.KeyID, Nonce: bytes.Clone(orig.Nonce), Ciphertext: bytes.Clone(orig.Ciphertext)}
			tt.change(&s)
			if _, err := v.Open(teamA, s); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestRotateKeepsOldData(t *testing.T) {
	v1, path := newVault(t)
	old, err := v1.Seal(teamA, Secrets{PIN: "11112222", PUK: "33334444"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := Rotate(path)
	if err != nil {
		t.Fatalf("Rotate: %v", err)
	}
	v2, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := v2.KeyID(); got != id || id == old.KeyID {
		t.Fatalf("newest key = %q, want the rotated %q (old %q)", got, id, old.KeyID)
	}
	if _, err := v2.Open(teamA, old); err != nil {
		t.Fatalf("open data sealed before rotation: %v", err)
	}
	fresh, err := v2.Seal(teamA, Secrets{PIN: "1", PUK: "2"})
	if err != nil || fresh.KeyID != id {
		t.Fatalf("Seal after rotation: key %q err %v, want key %q", fresh.KeyID, err, id)
	}
}

func TestLoadRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mode os.FileMode, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	key16 := `{"version":1,"keys":[{"id":"a","key":"AAAAAAAAAAAAAAAAAAAAAA=="}]}`
	key32 := `{"version":1,"keys":[{"id":"a","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]}`
	dup := `{"version":1,"keys":[{"id":"a","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},{"id":"a","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]}`
	tests := []struct {
		name string
		path string
		want error
	}{
		{"missing", filepath.Join(dir, "none"), ErrKeyFile},
		{"world readable", write("open", 0o644, key32), ErrPermissions},
		{"group readable", write("group", 0o640, key32), ErrPermissions},
		{"short key", write("short", 0o600, key16), ErrKeyFile},
		{"not json", write("junk", 0o600, "hello"), ErrKeyFile},
		{"no keys", write("empty", 0o600, `{"version":1,"keys":[]}`), ErrKeyFile},
		{"duplicate id", write("dup", 0o600, dup), ErrKeyFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Load(tt.path); !errors.Is(err, tt.want) {
				t.Fatalf("Load err = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := Load(write("good", 0o600, key32)); err != nil {
		t.Fatalf("Load good file: %v", err)
	}
}

func TestGenerateFileModeAndNoOverwrite(t *testing.T) {
	_, path := newVault(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Fatalf("mode = %04o, want 0600", got)
	}
	if err := Generate(path); !errors.Is(err, ErrKeyFile) {
		t.Fatalf("Generate over existing file: err = %v, want ErrKeyFile", err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".vaultkey-*"))
	if len(leftovers) != 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}

func TestSealRejectsNonDigits(t *testing.T) {
	v, _ := newVault(t)
	for _, s := range []Secrets{{"", "1"}, {"12a4", "1234"}, {"1", strings.Repeat("1", 17)}} {
		if _, err := v.Seal(teamA, s); !errors.Is(err, ErrSecret) {
			t.Errorf("Seal(%d/%d chars): err = %v, want ErrSecret", len(s.PIN), len(s.PUK), err)
		}
	}
}

func TestRedaction(t *testing.T) {
	s := Secrets{PIN: "12345678", PUK: "87654321"}
	first, second := DefaultPolicy.Split(s)
	var logBuf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logBuf, nil))
	log.Info("x", "s", s, "first", first, "second", second)
	js, _ := json.Marshal(map[string]any{"s": s, "h": first})
	outs := []string{
		fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s),
		fmt.Sprintf("%v %+v %#v", first, second, second), logBuf.String(), string(js),
	}
	for _, out := range outs {
		for _, secret := range []string{"1234", "5678", "8765", "4321"} {
			if strings.Contains(out, secret) {
				t.Fatalf("output %q leaks a secret", out)
			}
		}
	}
}

func TestPolicySplit(t *testing.T) {
	tests := []struct {
		p              Policy
		pin, puk       string
		f1, f2, s1, s2 string
	}{
		{DefaultPolicy, "12345678", "abcdefgh", "1234", "abcd", "5678", "efgh"},
		{Policy{2, 2}, "12345", "12345678", "12", "12", "345", "345678"},
		{Policy{9, 0}, "123", "456", "123", "", "", "456"},
		{Policy{-1, 3}, "123", "456", "", "456", "123", ""},
	}
	for _, tt := range tests {
		first, second := tt.p.Split(Secrets{PIN: tt.pin, PUK: tt.puk})
		got := [4]string{first.PIN, first.PUK, second.PIN, second.PUK}
		want := [4]string{tt.f1, tt.f2, tt.s1, tt.s2}
		if got != want {
			t.Errorf("%+v.Split = %q, want %q", tt.p, got, want)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	path := filepath.Join(b.TempDir(), "k")
	if err := Generate(path); err != nil {
		b.Fatal(err)
	}
	v, err := Load(path)
	if err != nil {
		b.Fatal(err)
	}
	s := Secrets{PIN: "12345678", PUK: "87654321"}
	for b.Loop() {
		if _, err := v.Seal(teamA, s); err != nil {
			b.Fatal(err)
		}
	}
}
