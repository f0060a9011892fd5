package vcard

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
)

// vpcd control bytes (a 1-byte frame from vpcd).
const (
	ctrlOff    = 0x00
	ctrlOn     = 0x01
	ctrlReset  = 0x02
	ctrlGetATR = 0x04
)

// Serve speaks the vpcd protocol on conn until it fails or is closed: each
// frame is a uint16 big-endian length and a payload. It returns the error
// that ended the connection (io.EOF when vpcd closed it).
func (c *Card) Serve(conn net.Conn) error {
	return c.ServeContext(context.Background(), conn)
}

// ServeContext is Serve that also ends when ctx does, even while a stalled
// card holds a command (see Stall); the caller closes conn.
func (c *Card) ServeContext(ctx context.Context, conn net.Conn) error {
	var h [2]byte
	buf := make([]byte, 0, 512)
	for {
		quickAck(conn)
		if _, err := io.ReadFull(conn, h[:]); err != nil {
			return err
		}
		quickAck(conn)
		n := int(binary.BigEndian.Uint16(h[:]))
		if n > cap(buf) { // up to 65535: an extended-length APDU
			buf = make([]byte, 0, n)
		}
		buf = buf[:n]
		if _, err := io.ReadFull(conn, buf); err != nil {
			return err
		}
		if len(buf) != 1 {
			if err := c.waitStall(ctx); err != nil {
				return errStalledOut
			}
		}
		out := c.frame(buf)
		if out == nil {
			continue
		}
		if err := writeFrame(conn, out); err != nil {
			return err
		}
	}
}

// frame handles one payload; nil means no answer.
func (c *Card) frame(msg []byte) []byte {
	if len(msg) != 1 {
		return c.Process(msg)
	}
	switch msg[0] {
	case ctrlGetATR:
		return c.ATR()
	case ctrlOff, ctrlOn, ctrlReset:
		c.Reset()
	}
	return nil
}

// writeFrame sends length and payload in ONE Write: two writes would meet
// Nagle and delayed ACK on the other side.
func writeFrame(w io.Writer, p []byte) error {
	if len(p) > 0xFFFF {
		return fmt.Errorf("%w: %d", ErrFrameTooLong, len(p))
	}
	out := make([]byte, 2, 2+len(p))
	binary.BigEndian.PutUint16(out, uint16(len(p)))
	_, err := w.Write(append(out, p...))
	return err
}
