package printer

import (
	"errors"
	"testing"
)

func TestStatusApply(t *testing.T) {
	tests := []struct {
		n, b byte
		want Status
		err  error
	}{
		{1, 0x12, Status{}, nil},
		{1, 0x1A, Status{Offline: true}, nil},
		{2, 0x16, Status{CoverOpen: true}, nil},
		{2, 0x32, Status{StoppedPaper: true}, nil},
		{2, 0x52, Status{Error: true}, nil},
		{3, 0x1A, Status{CutterError: true}, nil},
		{3, 0x32, Status{Unrecoverable: true}, nil},
		{4, 0x1E, Status{PaperNearEnd: true}, nil},
		{4, 0x72, Status{PaperOut: true}, nil},
		{4, 0x7E, Status{PaperOut: true, PaperNearEnd: true}, nil},
		{1, 0x00, Status{}, ErrBadStatus},
		{1, 0x13, Status{}, ErrBadStatus},
		{1, 0x92, Status{}, ErrBadStatus},
		{5, 0x12, Status{}, ErrBadStatus},
	}
	for _, tt := range tests {
		var got Status
		err := got.Apply(tt.n, tt.b)
		if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("Apply(%d, 0x%02X) error = %v, want %v", tt.n, tt.b, err, tt.err)
		}
		if got != tt.want {
			t.Errorf("Apply(%d, 0x%02X) = %v, want %v", tt.n, tt.b, got, tt.want)
		}
	}
}

func TestStatusEncodeRoundTrip(t *testing.T) {
	for _, s := range []Status{{}, {Offline: true, CoverOpen: true}, {PaperOut: true, StoppedPaper: true, Offline: true},
		{PaperNearEnd: true}, {CutterError: true, Error: true, Offline: true, Unrecoverable: true}} {
		var got Status
		for i, b := range s.Encode() {
			if err := got.Apply(byte(i+1), b); err != nil {
				t.Fatal(err)
			}
		}
		if got != s {
			t.Errorf("round trip of %v = %v", s, got)
		}
	}
}

func TestStatusErr(t *testing.T) {
	tests := []struct {
		s    Status
		want []error
	}{
		{Status{}, nil},
		{Status{PaperNearEnd: true}, nil},
		{Status{PaperOut: true, Offline: true}, []error{ErrPaperOut}},
		{Status{CoverOpen: true, Offline: true}, []error{ErrCoverOpen}},
		{Status{Offline: true}, []error{ErrOffline}},
		{Status{CutterError: true}, []error{ErrCutter}},
		{Status{Unrecoverable: true}, []error{ErrUnrecoverable}},
	}
	for _, tt := range tests {
		err := tt.s.Err()
		if (err == nil) != (tt.want == nil) {
			t.Errorf("%v.Err() = %v, want %v", tt.s, err, tt.want)
		}
		for _, w := range tt.want {
			if !errors.Is(err, w) {
				t.Errorf("%v.Err() = %v, want %v", tt.s, err, w)
			}
		}
	}
}

func TestMessage(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{ErrPaperOut, "Carta esaurita: sostituire il rotolo della stampante."},
		{errors.Join(ErrIncomplete, ErrCoverOpen), "La stampa potrebbe essere incompleta: controllare la ricevuta e ristamparla. Coperchio della stampante aperto: chiuderlo e riprovare."},
		{errors.New("boom"), "Errore della stampante: riprovare; se persiste chiamare l'assistenza."},
	}
	for _, tt := range tests {
		if got := Message(tt.err); got != tt.want {
			t.Errorf("Message(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in   string
		want Address
		err  bool
	}{
		{"tcp://10.0.0.5", Address{Kind: "tcp", Path: "10.0.0.5:9100"}, false},
		{"tcp://printer.local:9101", Address{Kind: "tcp", Path: "printer.local:9101"}, false},
		{"/dev/usb/lp0", Address{Kind: "usb", Path: "/dev/usb/lp0"}, false},
		{"usb:/dev/usb/lp1", Address{Kind: "usb", Path: "/dev/usb/lp1"}, false},
		{"serial:/dev/serial0?baud=19200", Address{Kind: "serial", Path: "/dev/serial0", Baud: 19200}, false},
		{"serial:/dev/ttyUSB0", Address{Kind: "serial", Path: "/dev/ttyUSB0"}, false},
		{"serial:/dev/ttyUSB0?baud=fast", Address{}, true},
		{"lp0", Address{}, true},
		{"ftp://x", Address{}, true},
	}
	for _, tt := range tests {
		got, err := ParseAddress(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseAddress(%q) = %+v, %v; want %+v, err %v", tt.in, got, err, tt.want, tt.err)
		}
		if err == nil {
			if back, _ := ParseAddress(got.String()); back != got {
				t.Errorf("String round trip of %+v = %+v", got, back)
			}
		}
	}
}
