package vcard

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cnskiosk.dev/hw/cns"
	"cnskiosk.dev/shared/team"
)

func testCard(t *testing.T, name string) (*Card, *Profile) {
	t.Helper()
	p, err := ReadProfile(filepath.Join("..", "profiles", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	ca, err := NewDevCA("Test CA", 1024)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Issue(p, 1024); err != nil {
		t.Fatal(err)
	}
	c, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	return c, p
}

func hexb(t *testing.T, s string) []byte {
	t.Helper()
	var out []byte
	for f := range strings.FieldsSeq(s) {
		var b byte
		for _, c := range f {
			b = b<<4 | byte(strings.IndexRune("0123456789ABCDEF", c))
		}
		out = append(out, b)
	}
	return out
}

func TestProcess(t *testing.T) {
	c, _ := testCard(t, "adult")
	steps := []struct{ name, cmd, want string }{
		{"read before select", "00 B0 00 00 10", "69 86"},
		{"select MF with FCP", "00 A4 00 00 02 3F 00 00", "62 0B 80 02 00 00 82 01 38 83 02 3F 00 90 00"},
		{"read on a DF", "00 B0 00 00 10", "69 81"},
		{"select DF 1000", "00 A4 00 0C 02 10 00", "90 00"},
		{"select EF 1003", "00 A4 02 0C 02 10 03", "90 00"},
		{"read 4", "00 B0 00 00 04", "0C 30 39 30 90 00"},
		{"read past end", "00 B0 00 10 01", "6B 00"},
		{"read short", "00 B0 00 0E 04", "00 00 62 82"},
		{"select unknown", "00 A4 08 0C 04 11 00 99 99", "6A 82"},
		{"bad class", "80 A4 08 0C 04 11 00 11 02", "6E 00"},
		{"unknown ins", "00 FE 00 00", "6D 00"},
		{"bad length", "00 A4 08 0C 05 11 00 11 02", "67 00"},
		{"tries left", "00 20 00 10", "63 C3"},
		{"pso without PIN", "00 2A 9E 9A 01 00 00", "69 82"},
		{"mse bad data", "00 22 F1 A4 03 83 01 09", "6A 80"},
	}
	for _, s := range steps {
		if got := c.Process(hexb(t, s.cmd)); !bytes.Equal(got, hexb(t, s.want)) {
			t.Errorf("%s: % X -> % X, want %s", s.name, hexb(t, s.cmd), got, s.want)
		}
	}
}

func TestPUKUnblocks(t *testing.T) {
	c, p := testCard(t, "adult")
	wrong := append(hexb(t, "00 20 00 10 08"), "00000000"...)
	for _, want := range []string{"63 C2", "63 C1", "69 83", "69 83"} {
		if got := c.Process(wrong); !bytes.Equal(got, hexb(t, want)) {
			t.Fatalf("wrong PIN -> % X, want %s", got, want)
		}
	}
	puk, _ := pad(p.PUK)
	newPIN, _ := pad("99999")
	cmd := append(append(hexb(t, "00 2C 00 10 10"), puk[:]...), newPIN[:]...)
	if got := c.Process(cmd); !bytes.Equal(got, hexb(t, "90 00")) {
		t.Fatalf("RESET RETRY COUNTER -> % X", got)
	}
	if err := cns.VerifyPIN(t.Context(), c, "99999"); err != nil {
		t.Errorf("new PIN after unblock: %v", err)
	}
}

// TestServePipe drives the vpcd wire protocol over net.Pipe: insert
// sequence, an APDU, a reset that clears the selection.
func TestServePipe(t *testing.T) {
	c, _ := testCard(t, "adult")
	vpcd, card := net.Pipe()
	done := make(chan error, 1)
	go func() { done <- c.Serve(card) }()
	send := func(p []byte) {
		if _, err := vpcd.Write(binary.BigEndian.AppendUint16(nil, uint16(len(p)))); err != nil {
			t.Fatal(err)
		}
		if _, err := vpcd.Write(p); err != nil {
			t.Fatal(err)
		}
	}
	recv := func() []byte {
		var h [2]byte
		if _, err := io.ReadFull(vpcd, h[:]); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, binary.BigEndian.Uint16(h[:]))
		if _, err := io.ReadFull(vpcd, b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, ctrl := range []byte{ctrlGetATR, ctrlGetATR, ctrlOn, ctrlGetATR} {
		send([]byte{ctrl})
		if ctrl == ctrlGetATR {
			if got := recv(); !cns.IsCNS(got) {
				t.Fatalf("ATR % X is not a CNS", got)
			}
		}
	}
	send(hexb(t, "00 A4 08 0C 04 10 00 10 03"))
	if got := recv(); !bytes.Equal(got, []byte{0x90, 0}) {
		t.Errorf("SELECT -> % X", got)
	}
	send([]byte{ctrlReset})
	send(hexb(t, "00 B0 00 00 04"))
	if got := recv(); !bytes.Equal(got, []byte{0x69, 0x86}) {
		t.Errorf("READ after reset -> % X, want 69 86", got)
	}
	// A frame longer than the initial buffer (an extended-length APDU from
	// the host) gets an answer, not a panic.
	long := append(hexb(t, "00 D6 00 00 00 02 58"), make([]byte, 600)...)
	send(long)
	if got := recv(); len(got) != 2 {
		t.Errorf("600-byte command -> % X, want a status word", got)
	}
	vpcd.Close()
	if err := <-done; err == nil {
		t.Error("Serve returned nil after close")
	}
}

// TestProfiles checks every profile in hw/profiles: valid codice fiscale
// and Codice TEAM, and that it loads with keys from a PKI directory.
func TestProfiles(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("..", "profiles", "*.json"))
	if err != nil || len(names) < 5 {
		t.Fatalf("profiles: %v, %v", names, err)
	}
	ca, err := NewDevCA("Test CA", 1024)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, n := range names {
		p, err := ReadProfile(n)
		if err != nil {
			t.Fatal(err)
		}
		if !validCF(p.Personal.CF) {
			t.Errorf("%s: codice fiscale %q has a wrong check character", n, p.Personal.CF)
		}
		if team.Validate(p.TEAM) != nil {
			t.Errorf("%s: Codice TEAM %q fails the Luhn check", n, p.TEAM)
		}
		if err := ca.Issue(p, 1024); err != nil {
			t.Fatal(err)
		}
		if err := p.WriteKeys(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadProfile(n, dir); err != nil {
			t.Errorf("LoadProfile(%s): %v", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "adult.key")); err != nil {
		t.Error(err)
	}
}

// validCF checks the check character of a 16-character codice fiscale.
func validCF(cf string) bool {
	odd := []int{1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23}
	if len(cf) != 16 {
		return false
	}
	sum := 0
	for i := range 15 {
		v := int(cf[i] - 'A')
		if cf[i] >= '0' && cf[i] <= '9' {
			v = int(cf[i] - '0')
		}
		if i%2 == 0 {
			v = odd[v]
		}
		sum += v
	}
	return cf[15] == byte('A'+sum%26)
}

func FuzzProcess(f *testing.F) {
	for _, s := range []string{"00A4080C0411001102", "00B00000FF", "0020001008FFFFFFFFFFFFFFFF", "102A9E9A0100", "00A4000002"} {
		b := make([]byte, len(s)/2)
		for i := range b {
			b[i] = byte(strings.IndexByte("0123456789ABCDEF", s[2*i])<<4 | strings.IndexByte("0123456789ABCDEF", s[2*i+1]))
		}
		f.Add(b)
	}
	p, err := ReadProfile(filepath.Join("..", "profiles", "adult.json"))
	if err != nil {
		f.Fatal(err)
	}
	c, err := New(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, cmd []byte) {
		if r := c.Process(cmd); len(r) < 2 {
			t.Fatalf("response % X shorter than a status word", r)
		}
	})
}
