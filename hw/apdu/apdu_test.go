package apdu

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		c    Command
		want []byte
	}{
		{"case1", Command{INS: 0x22, P1: 0xF3, P2: 0x03}, []byte{0, 0x22, 0xF3, 0x03}},
		{"case2", Command{INS: 0xB0, Le: 0x80}, []byte{0, 0xB0, 0, 0, 0x80}},
		{"case2 Le256", Command{INS: 0xB0, Le: 256}, []byte{0, 0xB0, 0, 0, 0}},
		{"case3", Command{INS: 0xA4, P2: 0x0C, Data: []byte{0x3F, 0}}, []byte{0, 0xA4, 0, 0x0C, 2, 0x3F, 0}},
		{"case4", Command{INS: 0xA4, Data: []byte{0x11, 0}, Le: 256}, []byte{0, 0xA4, 0, 0, 2, 0x11, 0, 0}},
	}
	for _, tt := range tests {
		got, err := tt.c.Encode()
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("%s: Encode = % X, %v; want % X", tt.name, got, err, tt.want)
		}
		back, err := ParseCommand(got)
		if err != nil || back.String() != tt.c.String() || !bytes.Equal(back.Data, tt.c.Data) {
			t.Errorf("%s: ParseCommand = %v, %v; want %v", tt.name, back, err, tt.c)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	if _, err := (Command{Data: make([]byte, 256)}).Encode(); !errors.Is(err, ErrDataTooLong) {
		t.Errorf("256 data bytes: err = %v, want ErrDataTooLong", err)
	}
	if _, err := (Command{Le: 257}).Encode(); !errors.Is(err, ErrLeTooLarge) {
		t.Errorf("Le 257: err = %v, want ErrLeTooLarge", err)
	}
	for _, b := range [][]byte{{0, 0xA4}, {0, 0xA4, 0, 0, 3, 1}, {0, 0xA4, 0, 0, 0, 1}} {
		if _, err := ParseCommand(b); !errors.Is(err, ErrWrongLength) {
			t.Errorf("ParseCommand(% X) err = %v, want ErrWrongLength", b, err)
		}
	}
}

func TestCommandStringHidesData(t *testing.T) {
	c := Command{INS: 0x20, P2: 0x10, Data: []byte("12345678")}
	if got, want := c.String(), "00 20 00 10 Lc=8"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		sw    uint16
		want  error
		tries int
		hasTr bool
	}{
		{0x6A82, ErrNotFound, 0, false},
		{0x6982, ErrSecurity, 0, false},
		{0x6983, ErrBlocked, 0, true},
		{0x63C2, ErrWrongPIN, 2, true},
		{0x63C0, ErrWrongPIN, 0, true},
		{0x6282, ErrEndOfFile, 0, false},
		{0x6B00, ErrWrongOffset, 0, false},
		{0x6986, ErrNoCurrentEF, 0, false},
		{0x6D00, ErrINSNotSupported, 0, false},
		{0x6E00, ErrCLANotSupported, 0, false},
		{0x6700, ErrWrongLength, 0, false},
		{0x6A86, ErrWrongParameters, 0, false},
		{0x6F00, ErrCardError, 0, false},
	}
	for _, tt := range tests {
		err := Response{SW: tt.sw}.Err()
		if !errors.Is(err, tt.want) {
			t.Errorf("%04X: err = %v, want %v", tt.sw, err, tt.want)
		}
		var se *StatusError
		if !errors.As(err, &se) {
			t.Fatalf("%04X: not a StatusError", tt.sw)
		}
		if n, ok := se.TriesLeft(); n != tt.tries || ok != tt.hasTr {
			t.Errorf("%04X: TriesLeft = %d, %v; want %d, %v", tt.sw, n, ok, tt.tries, tt.hasTr)
		}
	}
	if err := (Response{SW: SWOK}).Err(); err != nil {
		t.Errorf("9000: err = %v", err)
	}
}

func TestParseResponse(t *testing.T) {
	r, err := ParseResponse([]byte{1, 2, 0x90, 0})
	if err != nil || !bytes.Equal(r.Data, []byte{1, 2}) || !r.OK() {
		t.Errorf("ParseResponse = %+v, %v", r, err)
	}
	if _, err := ParseResponse([]byte{0x90}); !errors.Is(err, ErrShortResponse) {
		t.Errorf("1 byte: err = %v, want ErrShortResponse", err)
	}
	if got := (Response{Data: []byte{7}, SW: 0x6282}).Bytes(); !bytes.Equal(got, []byte{7, 0x62, 0x82}) {
		t.Errorf("Bytes = % X", got)
	}
}

// script is a Transmitter that checks each command and plays a canned answer.
type script struct {
	t     *testing.T
	steps [][2][]byte // want command, answer
}

func (s *script) Transmit(_ context.Context, cmd []byte) ([]byte, error) {
	if len(s.steps) == 0 {
		s.t.Fatalf("unexpected command % X", cmd)
	}
	st := s.steps[0]
	s.steps = s.steps[1:]
	if !bytes.Equal(cmd, st[0]) {
		s.t.Errorf("command = % X, want % X", cmd, st[0])
	}
	return st[1], nil
}

func TestExchangeGetResponse(t *testing.T) {
	s := &script{t: t, steps: [][2][]byte{
		{{0, 0xA4, 0, 0, 2, 0x11, 0x02, 0}, {0x61, 0x03}},
		{{0, 0xC0, 0, 0, 3}, {0x62, 0x01, 0x80, 0x90, 0}},
	}}
	got, err := Run(t.Context(), s, Command{INS: 0xA4, Data: []byte{0x11, 0x02}, Le: 256})
	if err != nil || !bytes.Equal(got, []byte{0x62, 0x01, 0x80}) {
		t.Errorf("Run = % X, %v", got, err)
	}
}

func TestExchangeResendLe(t *testing.T) {
	s := &script{t: t, steps: [][2][]byte{
		{{0, 0xB0, 0, 0, 0x10}, {0x6C, 0x04}},
		{{0, 0xB0, 0, 0, 0x04}, {1, 2, 3, 4, 0x90, 0}},
	}}
	got, err := Run(t.Context(), s, Command{INS: 0xB0, Le: 0x10})
	if err != nil || !bytes.Equal(got, []byte{1, 2, 3, 4}) {
		t.Errorf("Run = % X, %v", got, err)
	}
}

type loop struct{}

func (loop) Transmit(context.Context, []byte) ([]byte, error) { return []byte{0x61, 0x01}, nil }

func TestExchangeBounded(t *testing.T) {
	if _, err := Exchange(t.Context(), loop{}, Command{INS: 0xB0, Le: 1}); !errors.Is(err, ErrTooManyChains) {
		t.Errorf("endless 61xx: err = %v, want ErrTooManyChains", err)
	}
}

func TestRunStatusError(t *testing.T) {
	s := &script{t: t, steps: [][2][]byte{{{0, 0xA4, 0, 0x0C, 2, 0x99, 0x99}, {0x6A, 0x82}}}}
	_, err := Run(t.Context(), s, Command{INS: 0xA4, P2: 0x0C, Data: []byte{0x99, 0x99}})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func FuzzParseResponse(f *testing.F) {
	for _, s := range [][]byte{nil, {0x90}, {0x90, 0}, {1, 2, 3, 0x63, 0xC2}, {0x61, 0xFF}, {0x6C, 0}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := ParseResponse(raw)
		if err != nil {
			return
		}
		if !bytes.Equal(r.Bytes(), raw) {
			t.Fatalf("round trip % X -> % X", raw, r.Bytes())
		}
		if e := r.Err(); e != nil {
			_ = e.Error()
		}
	})
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range [][]byte{{0, 0xA4, 0, 0x0C, 2, 0x3F, 0}, {0, 0xB0, 0, 0, 0}, {0, 0x20, 0, 0x10, 8, 1, 2, 3, 4, 5, 6, 7, 8}} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ParseCommand(raw)
		if err != nil {
			return
		}
		if _, err := c.Encode(); err != nil {
			t.Fatalf("parsed command %v does not encode: %v", c, err)
		}
	})
}
