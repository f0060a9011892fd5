package cns

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"cnskiosk.dev/shared/wire"
)

func TestIsCNS(t *testing.T) {
	tests := []struct {
		atr  string
		want bool
	}{
		{"3BDF18008131FE7D006B150C0181011101434E53103180E8", true},
		{"3BFF1800FF8131FE55006B02090303010101434E531031809D", true},
		{"3BFF18000081 31FE45006B05059120 01F101434E5310318038", true},
		{"3B8A0150524F544F2D43415244", false},   // PROTO-CARD
		{"3B8C01434E532D5649525455414C", false}, // truncated: TCK missing is fine, but 12 announced and 11 present
		{"3B", false},
		{"", false},
	}
	for _, tt := range tests {
		atr, _ := hex.DecodeString(strings.ReplaceAll(tt.atr, " ", ""))
		if got := IsCNS(atr); got != tt.want {
			t.Errorf("IsCNS(%s) = %v, want %v", tt.atr, got, tt.want)
		}
	}
	if got := BuildATR([]byte("CNS-VIRTUAL")); !IsCNS(got) {
		t.Errorf("BuildATR(CNS-VIRTUAL) = % X is not a CNS", got)
	}
}

func TestTEAM(t *testing.T) {
	for _, bad := range []string{"80380000900090510554", "8038000090009051055", "90380000900090510553", "8038000090009051055x", "80380100900090510554"} {
		if _, err := EncodeIDCarta(bad); !errors.Is(err, ErrBadIDCarta) {
			t.Errorf("EncodeIDCarta(%q) err = %v, want ErrBadIDCarta", bad, err)
		}
	}
	id, err := EncodeIDCarta("80380000900090510553")
	if err != nil {
		t.Fatal(err)
	}
	got, err := TEAMFromIDCarta(id)
	if err != nil || got != "80380000900090510553" {
		t.Errorf("TEAMFromIDCarta(EncodeIDCarta(x)) = %q, %v", got, err)
	}
	if _, err := TEAMFromIDCarta([]byte("\x0c12345")); !errors.Is(err, ErrBadIDCarta) {
		t.Errorf("short ID_Carta: err = %v", err)
	}
}

// personalFixture is an EF.Dati_personali with a Latin-1 name, an empty
// height and card padding after the announced length.
func personalFixture() []byte { return fixtureWith(-1, "") }

// fixtureWith is personalFixture with field i (0-based) set to v.
func fixtureWith(i int, v string) []byte {
	fields := []string{"080090", "01032022", "01032028", "D'ANGELO", "NICCOL\xd2", "01011970", "M", "",
		"DNGNCL70A01F205B", "ITA", "F205", "", "", "D612", "VIA DEI SERVI 12", ""}
	if i >= 0 {
		fields[i] = v
	}
	var body []byte
	for _, f := range fields {
		body = append(body, []byte(strings.ToUpper(hex.EncodeToString([]byte{byte(len(f))})))...)
		body = append(body, f...)
	}
	out := append([]byte(strings.ToUpper(hex.EncodeToString([]byte{0, byte(len(body) >> 8), byte(len(body))}))), body...)
	return append(out, 0xFF, 0xFF, 0x00)
}

func TestParsePersonal(t *testing.T) {
	got, err := ParsePersonal(personalFixture())
	if err != nil {
		t.Fatal(err)
	}
	want := Personal{IssuerCode: "080090", Region: "090", IssueDate: wire.NewDate(2022, 3, 1),
		ExpiryDate: wire.NewDate(2028, 3, 1), Surname: "D'ANGELO", Name: "NICCOLÒ",
		BirthDate: wire.NewDate(1970, 1, 1), Sex: "M", CF: "DNGNCL70A01F205B", Citizenship: "ITA",
		BirthComune: "F205", ResidenceComune: "D612", ResidenceAddress: "VIA DEI SERVI 12"}
	if got != want {
		t.Errorf("ParsePersonal =\n%+v\nwant\n%+v", got, want)
	}
	enc, err := want.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(enc, personalFixture()[:len(enc)]) {
		t.Errorf("Encode =\n%q\nwant\n%q", enc, personalFixture())
	}
}

func TestParsePersonalErrors(t *testing.T) {
	good := personalFixture()
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"not hex", []byte("00005G"), ErrMalformed},
		{"announces more", append([]byte("0000FF"), good[6:40]...), ErrMalformed},
		{"field runs past", []byte("00000406ABCD"), ErrMalformed},
		{"too large", make([]byte, MaxPersonalSize+1), ErrTooLarge},
		{"bad date", bytes.Replace(good, []byte("01032022"), []byte("32132022"), 1), ErrMalformed},
		{"empty surname", fixtureWith(3, ""), ErrBadPersonal},
		{"empty cf", fixtureWith(8, ""), ErrBadPersonal},
		{"short cf", fixtureWith(8, "DNGNCL70A01"), ErrBadPersonal},
		{"wrong check char", bytes.Replace(good, []byte("DNGNCL70A01F205B"), []byte("DNGNCL70A01F205X"), 1), ErrBadPersonal},
		{"lower-case cf", bytes.Replace(good, []byte("DNGNCL70A01F205B"), []byte("dngncl70a01f205b"), 1), ErrBadPersonal},
	}
	for _, tt := range tests {
		if _, err := ParsePersonal(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestLatin1ControlBytes(t *testing.T) {
	if got, want := latin1([]byte("A\x1b@B\x0aC\xe0")), "A @B C\u00e0"; got != want {
		t.Errorf("latin1 = %q, want %q", got, want)
	}
}

func TestPINBlock(t *testing.T) {
	got, err := pinBlock("12345")
	if want := []byte{'1', '2', '3', '4', '5', 0xFF, 0xFF, 0xFF}; err != nil || !bytes.Equal(got, want) {
		t.Errorf("pinBlock = % X, %v; want % X", got, err, want)
	}
	for _, bad := range []string{"1234", "123456789", "12a45"} {
		if _, err := pinBlock(bad); !errors.Is(err, ErrBadPINFormat) {
			t.Errorf("pinBlock(%q) err = %v", bad, err)
		}
	}
}

func FuzzParsePersonal(f *testing.F) {
	f.Add(personalFixture())
	f.Add([]byte("000000"))
	f.Add([]byte("00002000000000000000000000000000000000"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParsePersonal(b)
		if err != nil {
			return
		}
		if _, err := p.Encode(); err != nil && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("parsed data does not encode: %v", err)
		}
	})
}

func FuzzHistoricalBytes(f *testing.F) {
	for _, s := range []string{"3BDF18008131FE7D006B150C0181011101434E53103180E8", "3B8A0150524F544F2D43415244", "3BF0"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, atr []byte) {
		h, err := HistoricalBytes(atr)
		if err == nil && len(h) > 15 {
			t.Fatalf("%d historical bytes", len(h))
		}
	})
}
