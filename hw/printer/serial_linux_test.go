package printer_test

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"cnskiosk.dev/hw/escpos"
	"cnskiosk.dev/hw/printer"
	"golang.org/x/sys/unix"
)

// openPTY returns the master side of a new pseudo-terminal and the path of
// its slave, which stands for the printer's serial line.
func openPTY(t *testing.T) (*os.File, string) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("pseudo-terminal needed for the serial test: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	sc, _ := m.SyscallConn()
	var n int
	var ioErr error
	sc.Control(func(fd uintptr) {
		if ioErr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioErr == nil {
			n, ioErr = unix.IoctlGetInt(int(fd), unix.TIOCGPTN)
		}
	})
	if ioErr != nil {
		t.Fatalf("pty: %v", ioErr)
	}
	return m, fmt.Sprintf("/dev/pts/%d", n)
}

// fakeSerialPrinter answers status and process ID requests on the master
// side as a healthy printer and sends every other command to got.
func fakeSerialPrinter(m *os.File, got chan<- escpos.Command) {
	var buf []byte
	chunk := make([]byte, 512)
	for {
		n, err := m.Read(chunk)
		if err != nil {
			close(got)
			return
		}
		buf = append(buf, chunk[:n]...)
		for {
			c, k, err := escpos.Parse(buf)
			if err != nil {
				break
			}
			buf = buf[k:]
			if c.Op == escpos.OpStatus {
				m.Write([]byte{printer.Healthy})
				continue
			}
			if c.Op == escpos.OpProcessID {
				m.Write(escpos.ProcessIDReply([4]byte(c.Data)))
				continue
			}
			got <- c
		}
	}
}

func TestSerialTransport(t *testing.T) {
	m, slave := openPTY(t)
	got := make(chan escpos.Command, 64)
	go fakeSerialPrinter(m, got)
	p, err := printer.Open(t.Context(), "serial:"+slave+"?baud=19200", printer.Options{Logger: logger(t), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var e escpos.Encoder
	if _, err := p.Print(t.Context(), e.Line("seriale\n").Cut(0).Bytes()); err != nil {
		t.Fatalf("Print: %v", err)
	}
	// Raw mode: the LF arrives as LF (no CR added), the text unchanged.
	want := []string{`TEXT "seriale "`, "LF", "CUT 0"}
	for _, w := range want {
		if c := <-got; c.String() != w {
			t.Fatalf("got %v, want %s", c, w)
		}
	}
}

func TestSerialSilentTimesOut(t *testing.T) {
	_, slave := openPTY(t) // nobody answers on the master side
	p, err := printer.Open(t.Context(), "usb:"+slave, printer.Options{Logger: logger(t), Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.Status(t.Context()); !errors.Is(err, printer.ErrTimeout) {
		t.Fatalf("Status = %v, want ErrTimeout", err)
	}
}

func TestSerialBadBaud(t *testing.T) {
	_, slave := openPTY(t)
	if _, err := printer.Open(t.Context(), "serial:"+slave+"?baud=12345", printer.Options{}); !errors.Is(err, printer.ErrAddress) {
		t.Fatalf("Open with baud 12345 = %v, want ErrAddress", err)
	}
}
