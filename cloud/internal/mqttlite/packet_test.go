package mqttlite

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func read1(t *testing.T, b []byte, limit int) (packet, error) {
	t.Helper()
	h, body, _, err := readPacket(bufio.NewReader(bytes.NewReader(b)), nil, limit)
	if err != nil {
		return packet{}, err
	}
	return decode(h, body)
}

func TestPublishRoundTrip(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 70_000) // a 3-byte remaining length
	for _, tc := range []struct {
		name          string
		id            uint16
		qos           byte
		dup, retain   bool
		topic         string
		payload       []byte
		wantLenPrefix int
	}{
		{"qos1", 7, 1, false, false, "cms/v1/dev/k1/ack", []byte(`{"v":1}`), 1},
		{"qos1 dup retain", 65535, 1, true, true, "cms/v1/dev/k1/state", nil, 1},
		{"qos0", 0, 0, false, false, "a", []byte("p"), 1},
		{"200 bytes", 1, 1, false, false, "t", bytes.Repeat([]byte("y"), 200), 2},
		{"70 kB", 2, 1, false, false, "t", big, 3},
	} {
		b := appendPublish(nil, tc.id, tc.qos, tc.dup, tc.retain, tc.topic, tc.payload)
		if len(b) != publishSize(tc.topic, tc.payload, tc.qos) {
			t.Errorf("%s: %d bytes, publishSize says %d", tc.name, len(b), publishSize(tc.topic, tc.payload, tc.qos))
		}
		if got := len(b) - 1 - 2 - len(tc.topic) - len(tc.payload) - map[byte]int{0: 0, 1: 2}[tc.qos]; got != tc.wantLenPrefix {
			t.Errorf("%s: remaining length in %d bytes, want %d", tc.name, got, tc.wantLenPrefix)
		}
		p, err := read1(t, b, 1<<20)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if p.kind != typePublish || p.id != tc.id || p.qos != tc.qos || p.dup != tc.dup || p.retain != tc.retain ||
			string(p.topic) != tc.topic || !bytes.Equal(p.payload, tc.payload) {
			t.Errorf("%s: decoded %+v", tc.name, p)
		}
	}
}

// TestConnectBytes pins a CONNECT byte by byte (MQTT 3.1.1, 3.1).
func TestConnectBytes(t *testing.T) {
	got := appendConnect(nil, connectOptions{clientID: "k1", keepAlive: 30,
		will: &Will{Topic: "s", Payload: []byte("off"), Retain: true}})
	want := []byte{0x10, 22, 0, 4, 'M', 'Q', 'T', 'T', 4,
		0x04 | 0x08 | 0x20, // will, will QoS 1, will retain; clean session off
		0, 30, 0, 2, 'k', '1', 0, 1, 's', 0, 3, 'o', 'f', 'f'}
	if !bytes.Equal(got, want) {
		t.Errorf("CONNECT\n got % x\nwant % x", got, want)
	}
	got = appendConnect(nil, connectOptions{clientID: "k", cleanSession: true, keepAlive: 1})
	want = []byte{0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 1, 0, 1, 'k'}
	if !bytes.Equal(got, want) {
		t.Errorf("CONNECT clean\n got % x\nwant % x", got, want)
	}
	got = appendSubscribe(nil, 9, []string{"a/b", "c"})
	want = []byte{0x82, 12, 0, 9, 0, 3, 'a', '/', 'b', 1, 0, 1, 'c', 1}
	if !bytes.Equal(got, want) {
		t.Errorf("SUBSCRIBE\n got % x\nwant % x", got, want)
	}
	if got := appendPuback(nil, 0x1234); !bytes.Equal(got, []byte{0x40, 2, 0x12, 0x34}) {
		t.Errorf("PUBACK % x", got)
	}
}

func TestDecodeGood(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want packet
	}{
		{"connack", []byte{0x20, 2, 0, 0}, packet{kind: typeConnack}},
		{"connack session", []byte{0x20, 2, 1, 0}, packet{kind: typeConnack, session: true}},
		{"connack refused", []byte{0x20, 2, 0, 5}, packet{kind: typeConnack, code: 5}},
		{"puback", []byte{0x40, 2, 1, 2}, packet{kind: typePuback, id: 0x102}},
		{"pingresp", []byte{0xd0, 0}, packet{kind: typePingresp}},
	} {
		p, err := read1(t, tc.in, 100)
		if err != nil || p.kind != tc.want.kind || p.id != tc.want.id || p.session != tc.want.session || p.code != tc.want.code {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, p, err, tc.want)
		}
	}
	p, err := read1(t, []byte{0x90, 5, 0, 3, 0, 1, 0x80}, 100)
	if err != nil || p.kind != typeSuback || p.id != 3 || !bytes.Equal(p.granted, []byte{0, 1, 0x80}) {
		t.Errorf("suback: %+v, %v", p, err)
	}
	// A remaining length need not be encoded in the fewest bytes.
	p, err = read1(t, []byte{0x40, 0x82, 0x00, 0, 1}, 100)
	if err != nil || p.id != 1 {
		t.Errorf("long-form remaining length: %+v, %v", p, err)
	}
}

// TestReadMalformed: truncated streams, bad or oversize remaining
// lengths give clear errors, and an oversize length is refused before
// any buffer of that size is made.
func TestReadMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty stream", nil, io.EOF},
		{"header only", []byte{0x30}, io.ErrUnexpectedEOF},
		{"length cut", []byte{0x30, 0x80}, io.ErrUnexpectedEOF},
		{"body cut", []byte{0x30, 10, 0, 3, 'a'}, io.ErrUnexpectedEOF},
		{"five length bytes", []byte{0x30, 0xff, 0xff, 0xff, 0xff, 0x7f}, ErrMalformed},
		{"largest length", []byte{0x30, 0xff, 0xff, 0xff, 0x7f}, ErrOversize},
		{"one over the limit", append([]byte{0x30, 99}, make([]byte, 99)...), ErrOversize},
	} {
		br := bufio.NewReader(bytes.NewReader(tc.in))
		_, _, buf, err := readPacket(br, nil, 100)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
		if cap(buf) > 100 {
			t.Errorf("%s: buffer of %d bytes for a limit of 100", tc.name, cap(buf))
		}
	}
	// At the limit exactly: read.
	in := append([]byte{0x30, 97}, make([]byte, 97)...)
	if _, body, _, err := readPacket(bufio.NewReader(bytes.NewReader(in)), nil, 99); err != nil || len(body) != 97 {
		t.Errorf("packet of exactly the limit: %d bytes, %v", len(body), err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	pub := func(flags byte, body ...byte) []byte { return append([]byte{0x30 | flags, byte(len(body))}, body...) }
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"connack short", []byte{0x20, 1, 0}, ErrMalformed},
		{"connack long", []byte{0x20, 3, 0, 0, 0}, ErrMalformed},
		{"connack reserved flags", []byte{0x20, 2, 2, 0}, ErrMalformed},
		{"connack header flags", []byte{0x21, 2, 0, 0}, ErrMalformed},
		{"connack refusal with session", []byte{0x20, 2, 1, 3}, ErrMalformed},
		{"publish qos 3", pub(6, 0, 1, 'a', 0, 1), ErrMalformed},
		{"publish qos 0 dup", pub(8, 0, 1, 'a'), ErrMalformed},
		{"publish empty", pub(0), ErrMalformed},
		{"publish one byte", pub(0, 0), ErrMalformed},
		{"publish topic beyond packet", pub(2, 0, 9, 'a', 'b'), ErrMalformed},
		{"publish empty topic", pub(2, 0, 0, 0, 1), ErrMalformed},
		{"publish wildcard topic", pub(2, 0, 3, 'a', '/', '#', 0, 1), ErrMalformed},
		{"publish plus topic", pub(0, 0, 1, '+'), ErrMalformed},
		{"publish NUL in topic", pub(0, 0, 2, 'a', 0), ErrMalformed},
		{"publish topic not UTF-8", pub(0, 0, 2, 0xc3, 0x28), ErrMalformed},
		{"publish qos 1 without id", pub(2, 0, 1, 'a', 0), ErrMalformed},
		{"publish qos 1 id 0", pub(2, 0, 1, 'a', 0, 0), ErrMalformed},
		{"publish qos 2", pub(4, 0, 1, 'a', 0, 1), ErrProtocol},
		{"puback short", []byte{0x40, 1, 1}, ErrMalformed},
		{"puback long", []byte{0x40, 3, 0, 1, 0}, ErrMalformed},
		{"puback id 0", []byte{0x40, 2, 0, 0}, ErrMalformed},
		{"puback flags", []byte{0x42, 2, 0, 1}, ErrMalformed},
		{"suback no codes", []byte{0x90, 2, 0, 1}, ErrMalformed},
		{"suback bad code", []byte{0x90, 3, 0, 1, 3}, ErrMalformed},
		{"suback id 0", []byte{0x90, 3, 0, 0, 1}, ErrMalformed},
		{"pingresp body", []byte{0xd0, 1, 0}, ErrMalformed},
		{"reserved type 0", []byte{0x00, 0}, ErrMalformed},
		{"reserved type 15", []byte{0xf0, 0}, ErrMalformed},
		{"connect from broker", []byte{0x10, 0}, ErrProtocol},
		{"pubrec", []byte{0x50, 2, 0, 1}, ErrProtocol},
		{"pubrel", []byte{0x62, 2, 0, 1}, ErrProtocol},
		{"pubrel bad flags", []byte{0x60, 2, 0, 1}, ErrMalformed},
		{"unsuback", []byte{0xb0, 2, 0, 1}, ErrProtocol},
		{"pingreq", []byte{0xc0, 0}, ErrProtocol},
		{"disconnect", []byte{0xe0, 0}, ErrProtocol},
	} {
		_, err := read1(t, tc.in, 100)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		} else if !strings.HasPrefix(err.Error(), "mqttlite: ") {
			t.Errorf("%s: error %q does not name the package", tc.name, err)
		}
	}
}
