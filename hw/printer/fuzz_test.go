package printer

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// FuzzStatusApply: any answer byte to any DLE EOT request decodes or fails
// with ErrBadStatus; a decoded status re-encodes to an answer that decodes
// to the same status.
func FuzzStatusApply(f *testing.F) {
	for n := byte(1); n <= 4; n++ {
		f.Add(n, Healthy)
		f.Add(n, byte(0x1E)) // offline / cover open / cutter / paper near end
		f.Add(n, byte(0x72)) // paper out (n=4)
	}
	f.Add(byte(5), Healthy)
	f.Add(byte(2), byte(0xFF))
	f.Fuzz(func(t *testing.T, n, b byte) {
		var s Status
		if err := s.Apply(n, b); err != nil {
			return
		}
		var again Status
		for i, e := range s.Encode() {
			if err := again.Apply(byte(i+1), e); err != nil {
				t.Fatalf("Encode()[%d] = 0x%02X does not decode: %v", i, e, err)
			}
		}
		if again != s {
			t.Fatalf("Apply(%d, 0x%02X) = %+v, round trip %+v", n, b, s, again)
		}
	})
}

// chunkConn serves data in chunks of the given size, then EOF.
type chunkConn struct {
	data []byte
	size int
}

func (c *chunkConn) Read(b []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(b), c.size, len(c.data))
	copy(b, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}
func (c *chunkConn) Write(b []byte) (int, error) { return len(b), nil }
func (c *chunkConn) Close() error                { return nil }
func (c *chunkConn) SetDeadline(time.Time) error { return nil }

// FuzzReadUntil: the answer to a process ID request is found wherever it
// falls in the printer's bytes and however they are split into reads.
func FuzzReadUntil(f *testing.F) {
	want := []byte{0x37, 0x22, 'P', '0', '0', '1', 0x00}
	f.Add([]byte{}, uint8(1))
	f.Add(append([]byte{0x12, 0x12}, want...), uint8(3))
	f.Add(append(bytes.Repeat([]byte{0x12}, 300), want...), uint8(64))
	f.Add([]byte{0x37, 0x22, 'P', '0', '0', '2', 0x00}, uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		p := New(&chunkConn{data: data, size: int(size%64) + 1}, Options{})
		err := p.readUntil(want)
		if found := bytes.Contains(data, want); found != (err == nil) {
			t.Fatalf("readUntil: found %v, err %v", found, err)
		}
	})
}
