package escpos

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// readHex reads a commented hex fixture: '#' starts a comment.
func readHex(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		b, err := hex.DecodeString(strings.Join(strings.Fields(line), ""))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, b...)
	}
	return out
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("transcript differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestDecodeSample(t *testing.T) {
	cmds, err := Decode(readHex(t, "testdata/sample.hex"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "sample.golden", Transcript(cmds))
}

func TestRoundTrip(t *testing.T) {
	var e Encoder
	e.Init().Align(Center).Bold(true).Size(2, 2).Line("Città di Prato €").Size(1, 1).Bold(false)
	if err := e.QR([]byte("01JAAAA"), 5, QRLevelH); err != nil {
		t.Fatal(err)
	}
	e.Feed(2).Cut(0)
	cmds, err := Decode(e.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var text, qr string
	for _, c := range cmds {
		switch c.Op {
		case OpText:
			text += c.Text
		case OpQRStore:
			qr = string(c.Data)
		}
	}
	if text != "Città di Prato €" || qr != "01JAAAA" {
		t.Errorf("got text %q qr %q", text, qr)
	}
	if last := cmds[len(cmds)-1]; last.Op != OpCut {
		t.Errorf("last command %v, want CUT", last)
	}
}

func TestDecodeIncomplete(t *testing.T) {
	full := []byte{0x1D, '(', 'k', 5, 0, 49, 80, 48, 'A', 'B'}
	for i := 1; i < len(full); i++ {
		cmds, err := Decode(full[:i])
		if !errors.Is(err, ErrIncomplete) || len(cmds) != 0 {
			t.Errorf("Decode(%d bytes) = %v, %v; want ErrIncomplete", i, cmds, err)
		}
	}
	for _, p := range [][]byte{{0x1B}, {0x1B, 'E'}, {0x1D}, {0x1D, 'V', 66}, {0x10}, {0x10, 0x04}} {
		if _, _, err := Parse(p); !errors.Is(err, ErrIncomplete) {
			t.Errorf("Parse(% X) = %v, want ErrIncomplete", p, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(readHex(f, "testdata/sample.hex"))
	f.Add([]byte{0x1D, '(', 'k', 0xFF, 0xFF, 49})
	f.Add([]byte{0x1B, 0x10, 0x04, 0x02, 0x1D})
	f.Add([]byte("plain \xD5 text\n"))
	f.Fuzz(func(t *testing.T, p []byte) {
		cmds, err := Decode(p)
		if err != nil && !errors.Is(err, ErrIncomplete) {
			t.Fatalf("unexpected error %v", err)
		}
		if len(cmds) > len(p) {
			t.Fatalf("%d commands from %d bytes", len(cmds), len(p))
		}
		_ = Transcript(cmds)
		// Text re-encoded through the encoder never yields a control byte.
		var e Encoder
		for _, c := range cmds {
			e.Text(c.Text)
		}
		if bytes.ContainsFunc(e.Bytes(), func(r rune) bool { return r < 0x20 }) {
			t.Fatalf("control byte in encoded text % X", e.Bytes())
		}
	})
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"Mario\x1b@Rossi", "Ni\u0300ccolo\u0301", "\u202eevil", "名前", "\x00\x10\x04\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, b := range EncodeCP858(s) {
			if b < 0x20 || b == 0x7F {
				t.Fatalf("EncodeCP858(%q) has control byte 0x%02X", s, b)
			}
		}
		for _, l := range Wrap(s, 32) {
			if n := len([]rune(l)); n > 32 {
				t.Fatalf("Wrap line of %d runes", n)
			}
		}
	})
}

func TestProcessIDRoundTrip(t *testing.T) {
	id := [4]byte{'0', '4', '2', '9'}
	req := ProcessIDRequest(id)
	if want := []byte{0x1D, 0x28, 0x48, 0x06, 0x00, 0x30, 0x30, '0', '4', '2', '9'}; !bytes.Equal(req, want) {
		t.Fatalf("request = % X, want % X", req, want)
	}
	cmds, err := Decode(req)
	if err != nil || len(cmds) != 1 {
		t.Fatalf("Decode = %v, %v", cmds, err)
	}
	if got, want := cmds[0].String(), `PROCESS-ID "0429"`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if got, want := ProcessIDReply(id), []byte{0x37, 0x22, '0', '4', '2', '9', 0}; !bytes.Equal(got, want) {
		t.Errorf("reply = % X, want % X", got, want)
	}
}
