package mqttlite

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReadPacket feeds arbitrary bytes from "the broker" to the reader and
// decoder the client uses: they must never panic, must fail only with the
// documented errors, must not hold a buffer beyond the limit, and what they
// accept as a PUBLISH or PUBACK must encode back to a packet that decodes
// to the same fields.
func FuzzReadPacket(f *testing.F) {
	f.Add(appendPublish(nil, 1, 1, false, false, "cms/v1/dev/k1/ack", []byte(`{"v":1}`)))
	f.Add(appendPublish(appendPuback(nil, 3), 0, 0, false, true, "a/b", nil))
	f.Add([]byte{0x20, 2, 1, 0, 0x90, 4, 0, 1, 1, 0x80, 0xd0, 0})
	f.Add([]byte{0x30, 0xff, 0xff, 0xff, 0x7f})
	f.Add([]byte{0x30, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{0x32, 5, 0, 9, 'a', 0, 1})
	f.Add([]byte{0x34, 5, 0, 1, 'a', 0, 1})
	const limit = 1024
	f.Fuzz(func(t *testing.T, data []byte) {
		br := bufio.NewReader(bytes.NewReader(data))
		var buf []byte
		for range 64 {
			h, body, nbuf, err := readPacket(br, buf, limit)
			buf = nbuf
			if cap(buf) > limit {
				t.Fatalf("buffer of %d bytes for a limit of %d", cap(buf), limit)
			}
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) &&
					!errors.Is(err, ErrMalformed) && !errors.Is(err, ErrOversize) {
					t.Fatalf("readPacket: undocumented error %v", err)
				}
				return
			}
			p, err := decode(h, body)
			if err != nil {
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrProtocol) {
					t.Fatalf("decode: undocumented error %v", err)
				}
				continue
			}
			var again []byte
			switch p.kind {
			case typePublish:
				again = appendPublish(nil, p.id, p.qos, p.dup, p.retain, string(p.topic), p.payload)
			case typePuback:
				again = appendPuback(nil, p.id)
			default:
				continue
			}
			q, err := read1(t, again, limit+8)
			if err != nil || q.kind != p.kind || q.id != p.id || q.qos != p.qos || q.dup != p.dup || q.retain != p.retain ||
				!bytes.Equal(q.topic, p.topic) || !bytes.Equal(q.payload, p.payload) {
				t.Fatalf("re-encoded %+v decodes as %+v, %v", p, q, err)
			}
		}
	})
}
