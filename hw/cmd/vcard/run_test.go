package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"cnskiosk.dev/hw/cns"
	"cnskiosk.dev/hw/profiles"
	"cnskiosk.dev/hw/vcard/vcardtest"
)

// fakeVPCD is the vpcd end of a slot: it accepts the card's connection.
type fakeVPCD struct {
	t  *testing.T
	ln net.Listener
}

func (v fakeVPCD) accept() net.Conn {
	v.t.Helper()
	conn, err := v.ln.Accept()
	if err != nil {
		v.t.Fatal(err)
	}
	v.t.Cleanup(func() { conn.Close() })
	return conn
}

// stallAndRelease stalls the card, sends a command, checks the card still
// answers control frames and is stalled, then unstalls it and reads the
// held command's answer.
func stallAndRelease(t *testing.T, conn net.Conn, expect func(cmd, want string)) {
	t.Helper()
	expect("stall", "ok")
	expect("status", "ok inserted=true profile=adult pin_tries=2 stalled=true")
	emptyVerify := []byte{0x00, 0x20, 0x00, cns.PINRef}
	writeFrame(t, conn, emptyVerify) // held: no answer until unstall
	expect("unstall", "ok")
	if got := readFrame(t, conn); !bytes.Equal(got, []byte{0x63, 0xC2}) {
		t.Errorf("held VERIFY -> % X, want 63 C2", got)
	}
	expect("status", "ok inserted=true profile=adult pin_tries=2 stalled=false")
}

func writeFrame(t *testing.T, conn net.Conn, msg []byte) {
	t.Helper()
	if _, err := conn.Write(binary.BigEndian.AppendUint16(nil, uint16(len(msg)))); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(msg); err != nil {
		t.Fatal(err)
	}
}

// exchange sends one vpcd frame and reads the answer frame.
func exchange(t *testing.T, conn net.Conn, msg []byte) []byte {
	t.Helper()
	writeFrame(t, conn, msg)
	return readFrame(t, conn)
}

func readFrame(t *testing.T, conn net.Conn) []byte {
	t.Helper()
	var h [2]byte
	if _, err := io.ReadFull(conn, h[:]); err != nil {
		t.Fatal(err)
	}
	out := make([]byte, binary.BigEndian.Uint16(h[:]))
	if _, err := io.ReadFull(conn, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// pkiDir writes the adult profile and its test key and certificate.
func pkiDir(t *testing.T) string {
	dir := t.TempDir()
	p := vcardtest.Profile(t, "adult")
	if err := p.WriteKeys(dir); err != nil {
		t.Fatal(err)
	}
	b, err := profiles.FS.ReadFile("adult.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "adult.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestCommands(t *testing.T) {
	dir := pkiDir(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	vpcd := fakeVPCD{t, ln}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	defer inW.Close()
	done := make(chan error, 1)
	args := []string{"-profile", filepath.Join(dir, "adult.json"), "-pki", dir, "-addr", ln.Addr().String()}
	go func() { done <- run(t.Context(), args, inR, outW, t.Output()) }()
	out := bufio.NewScanner(outR)
	send := func(cmd string) string {
		t.Helper()
		if _, err := io.WriteString(inW, cmd+"\n"); err != nil {
			t.Fatal(err)
		}
		if !out.Scan() {
			t.Fatalf("%q: no answer", cmd)
		}
		return out.Text()
	}
	expect := func(cmd, want string) {
		t.Helper()
		if got := send(cmd); !strings.HasPrefix(got, want) {
			t.Errorf("%q -> %q, want %q...", cmd, got, want)
		}
	}
	expect("status", "ok inserted=false profile=adult pin_tries=3")
	expect("insert", "ok")
	conn := vpcd.accept()
	if atr := exchange(t, conn, []byte{0x04}); !cns.IsCNS(atr) {
		t.Errorf("ATR % X is not a CNS's", atr)
	}
	wrongPIN := []byte{0x00, 0x20, 0x00, cns.PINRef, 8, '0', '0', '0', '0', '0', '0', 0xFF, 0xFF}
	if got := exchange(t, conn, wrongPIN); !bytes.Equal(got, []byte{0x63, 0xC2}) {
		t.Errorf("VERIFY wrong PIN -> % X, want 63 C2", got)
	}
	expect("status", "ok inserted=true profile=adult pin_tries=2 stalled=false")
	expect("insert", "error: vcard: a card is already inserted")
	stallAndRelease(t, conn, expect)
	expect("stall", "ok") // removal ends a stalled card's connection too
	writeFrame(t, conn, wrongPIN)
	expect("remove", "ok")
	// EOF, or a reset if the held frame was still unread when the card left
	if n, err := conn.Read(make([]byte, 1)); err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("vpcd connection after remove: read %d, %v; want EOF", n, err)
	}
	expect("remove", "error: vcard: no card inserted")
	expect("profile "+filepath.Join(dir, "missing.json"), "error: vcard: invalid profile")
	expect("unstall", "ok")
	expect("frobnicate", "error: commands: insert, remove, profile FILE, status, stall, unstall, quit")
	expect("insert extra", "error: commands:")
	expect("quit", "ok")
	if err := <-done; err != nil {
		t.Errorf("run after quit: %v", err)
	}
}

func TestFlags(t *testing.T) {
	dir := pkiDir(t)
	profile := filepath.Join(dir, "adult.json")
	for _, args := range [][]string{
		{"-slot", "2", "-profile", profile, "-pki", dir},
		{"-nope"},
		{"-profile", profile, "-pki", dir, "extra"},
		{"-profile", filepath.Join(dir, "missing.json"), "-pki", dir, "-addr", "127.0.0.1:1"},
	} {
		ctx, cancel := context.WithCancel(t.Context())
		cancel() // a bad command line fails before waiting on anything
		if err := run(ctx, args, strings.NewReader(""), io.Discard, t.Output()); err == nil {
			t.Errorf("run %q: no error", args)
		}
	}
}
