package progress

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestBar(t *testing.T) {
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	var out bytes.Buffer
	b := New(&out, 1000, c.now)
	c.t = c.t.Add(time.Second)
	b.Update(250, 5000, 2)
	b.Update(260, 5100, 2) // same instant: no redraw
	c.t = c.t.Add(time.Second)
	b.Done(1000, 10000, 3)
	want := "\r[######..................]  25.0% 5000 rows 5000 rows/s 2 rejected" +
		"\r[########################] 100.0% 10000 rows 5000 rows/s 3 rejected\n"
	if got := out.String(); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

func TestCounter(t *testing.T) {
	c := &Counter{R: strings.NewReader("hello world")}
	if _, err := io.ReadAll(c); err != nil {
		t.Fatal(err)
	}
	if got, want := c.N(), int64(11); got != want {
		t.Fatalf("N = %d, want %d", got, want)
	}
}

func TestIsTerminalFile(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if IsTerminal(f) {
		t.Fatalf("a regular file is not a terminal")
	}
}

// TestIsTerminal: /dev/null is a character device but no terminal, so no
// bar is drawn into it; a pseudo-terminal is one unless TERM is dumb.
func TestIsTerminal(t *testing.T) {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	pty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("open a pseudo-terminal: %v", err)
	}
	defer pty.Close()
	tests := []struct {
		name string
		f    *os.File
		term string
		want bool
	}{
		{"dev null", null, "xterm", false},
		{"pty", pty, "xterm", true},
		{"pty, dumb terminal", pty, "dumb", false},
	}
	for _, tt := range tests {
		t.Setenv("TERM", tt.term)
		if got := IsTerminal(tt.f); got != tt.want {
			t.Errorf("%s: IsTerminal = %v, want %v", tt.name, got, tt.want)
		}
	}
}
