package printer

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Conn is a byte transport to a printer. *net.TCPConn and *os.File for a
// character device both satisfy it.
type Conn interface {
	io.ReadWriteCloser
	SetDeadline(t time.Time) error
}

// Address says how a printer is attached.
type Address struct {
	Kind string // "tcp", "usb" or "serial"
	Path string // host:port for tcp, device path otherwise
	Baud int    // serial only; 0 keeps the line's setting
}

// DefaultPort is the raw printing port of network printers.
const DefaultPort = "9100"

// ParseAddress reads "tcp://host[:port]", "usb:/dev/usb/lp0",
// "serial:/dev/ttyUSB0?baud=19200" or a bare device path (usb).
func ParseAddress(s string) (Address, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok || strings.HasPrefix(s, "/") {
		kind, rest = "usb", s
	}
	switch kind {
	case "tcp":
		rest = strings.TrimPrefix(rest, "//")
		if _, _, err := net.SplitHostPort(rest); err != nil {
			rest = net.JoinHostPort(rest, DefaultPort)
		}
		return Address{Kind: "tcp", Path: rest}, nil
	case "usb", "file":
		if !strings.HasPrefix(rest, "/") {
			break
		}
		return Address{Kind: "usb", Path: rest}, nil
	case "serial":
		path, q, _ := strings.Cut(rest, "?")
		a := Address{Kind: "serial", Path: path}
		if v, ok := strings.CutPrefix(q, "baud="); ok {
			b, err := strconv.Atoi(v)
			if err != nil || b <= 0 {
				return Address{}, fmt.Errorf("%w: baud %q", ErrAddress, v)
			}
			a.Baud = b
		}
		if strings.HasPrefix(path, "/") {
			return a, nil
		}
	}
	return Address{}, fmt.Errorf("%w: %q", ErrAddress, s)
}

// String returns a in the form ParseAddress reads.
func (a Address) String() string {
	switch a.Kind {
	case "tcp":
		return "tcp://" + a.Path
	case "serial":
		if a.Baud > 0 {
			return fmt.Sprintf("serial:%s?baud=%d", a.Path, a.Baud)
		}
		return "serial:" + a.Path
	}
	return "usb:" + a.Path
}

// Dial opens the transport a names, within ctx.
func Dial(ctx context.Context, a Address) (Conn, error) {
	switch a.Kind {
	case "tcp":
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", a.Path)
		if err != nil {
			return nil, fmt.Errorf("printer: dial %s: %w", a.Path, err)
		}
		return c.(*net.TCPConn), nil
	case "usb", "serial":
		f, err := os.OpenFile(a.Path, os.O_RDWR|noCTTY, 0)
		if err != nil {
			return nil, fmt.Errorf("printer: open %s: %w", a.Path, err)
		}
		if a.Kind == "serial" {
			if err := configureSerial(f, a.Baud); err != nil {
				f.Close()
				return nil, fmt.Errorf("printer: configure %s: %w", a.Path, err)
			}
		}
		return f, nil
	}
	return nil, fmt.Errorf("%w: kind %q", ErrAddress, a.Kind)
}
