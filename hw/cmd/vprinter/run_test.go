package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cnskiosk.dev/hw/escpos"
)

// cmd is the vprinter command running in-process with piped stdin/stdout.
type cmd struct {
	t     *testing.T
	in    *io.PipeWriter
	lines chan string
	done  chan error
	addr  string
}

func start(t *testing.T, args ...string) *cmd {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &cmd{t: t, in: inW, lines: make(chan string, 16), done: make(chan error, 1)}
	go func() { c.done <- run(ctx, args, inR, outW, t.Output()) }()
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-c.done; err != nil {
			t.Errorf("run: %v", err)
		}
		inW.Close()
		outW.Close()
	})
	first := c.line()
	c.addr = strings.TrimPrefix(first, "listening on ")
	if c.addr == first {
		t.Fatalf("first line %q, want the address", first)
	}
	if l := c.line(); !strings.HasPrefix(l, "commands: ") {
		t.Fatalf("second line %q, want the commands", l)
	}
	return c
}

func (c *cmd) line() string {
	c.t.Helper()
	l, ok := <-c.lines
	if !ok {
		c.t.Fatal("stdout closed")
	}
	return l
}

// send writes a control command and returns the answer line.
func (c *cmd) send(s string) string {
	c.t.Helper()
	if _, err := io.WriteString(c.in, s+"\n"); err != nil {
		c.t.Fatal(err)
	}
	return c.line()
}

// print sends a receipt and then DLE EOT 1; the answer comes after the
// printer handled the receipt (one connection is decoded in order).
func (c *cmd) print(text string) byte {
	c.t.Helper()
	conn, err := net.Dial("tcp", c.addr)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close()
	var e escpos.Encoder
	e.Init().Line(text).Cut(0)
	id := [4]byte{'0', '0', '0', '1'}
	data := append(e.Bytes(), escpos.StatusRequest(1)...)
	if _, err := conn.Write(append(data, escpos.ProcessIDRequest(id)...)); err != nil {
		c.t.Fatal(err)
	}
	var b [1]byte // DLE EOT is answered on arrival, before the receipt prints
	if _, err := io.ReadFull(conn, b[:]); err != nil {
		c.t.Fatal(err)
	}
	if b[0]&0x08 == 0 { // online: GS ( H is answered once the receipt is printed and saved
		reply := make([]byte, 7)
		if _, err := io.ReadFull(conn, reply); err != nil || string(reply) != string(escpos.ProcessIDReply(id)) {
			c.t.Fatalf("process ID reply = % X, %v", reply, err)
		}
	}
	return b[0]
}

func TestControlAndReceipts(t *testing.T) {
	dir := t.TempDir()
	c := start(t, "-addr", "127.0.0.1:0", "-dir", dir, "-paper", "58")
	steps := []struct{ in, want string }{
		{"status", "status: ok"},
		{"paper out", "status: offline,stopped-paper-end,paper-end"},
		{"bogus", `vprinter: unknown control command: "bogus"`},
		{"paper ok", "status: ok"},
		{"Cover  OPEN", "status: offline,cover-open"},
		{"cover close", "status: ok"},
	}
	for _, s := range steps {
		if got := c.send(s.in); !strings.HasPrefix(got, s.want) {
			t.Errorf("%q -> %q, want %q...", s.in, got, s.want)
		}
	}
	c.print("Ricevuta di prova")
	txt, err := os.ReadFile(filepath.Join(dir, "0001.txt"))
	if err != nil || !strings.Contains(string(txt), "Ricevuta di prova") {
		t.Errorf("0001.txt = %q, %v; want the receipt's text", txt, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "0001.png")); err != nil {
		t.Error(err)
	}
	c.send("paper out")
	if st := c.print("lost"); st&0x08 == 0 {
		t.Errorf("DLE EOT 1 with the paper out = %08b, want the offline bit", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "0002.txt")); !os.IsNotExist(err) {
		t.Errorf("a receipt printed with the paper out was saved: %v", err)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{{"-paper", "70"}, {"-nope"}, {"extra"}} {
		err := run(t.Context(), append(args, "-dir", t.TempDir()), strings.NewReader(""), io.Discard, t.Output())
		if err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}
