package receipt

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cnskiosk.dev/hw/escpos"
	"cnskiosk.dev/shared/outcome"
	"cnskiosk.dev/shared/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update and review the diff):\ngot:\n%s", path, got)
	}
}

var papers = map[string]Paper{"58": Paper58, "80": Paper80}

// TestGolden renders every layout on both papers and compares the decoded
// command transcript with testdata/<layout>-<paper>.golden.
func TestGolden(t *testing.T) {
	for name, l := range layouts() {
		for pn, p := range papers {
			t.Run(name+"-"+pn, func(t *testing.T) {
				data, err := l.Render(p)
				if err != nil {
					t.Fatal(err)
				}
				cmds, err := escpos.Decode(data)
				if err != nil {
					t.Fatal(err)
				}
				checkWidths(t, cmds, int(p))
				golden(t, fmt.Sprintf("%s-%s.golden", name, pn), escpos.Transcript(cmds))
			})
		}
	}
}

// checkWidths asserts that no printed line exceeds the paper's columns.
func checkWidths(t *testing.T, cmds []escpos.Command, cols int) {
	t.Helper()
	w, mult := 0, 1
	for _, c := range cmds {
		switch c.Op {
		case escpos.OpSize:
			mult = c.N>>4&7 + 1
		case escpos.OpText:
			w += len([]rune(c.Text)) * mult
			if w > cols {
				t.Errorf("line %q is %d columns wide on %d-column paper", c.Text, w, cols)
			}
		case escpos.OpLF, escpos.OpFeed:
			w = 0
		}
	}
	if last := cmds[len(cmds)-1]; last.Op != escpos.OpCut {
		t.Errorf("receipt ends with %v, want a cut", last)
	}
}

func TestInjectionPrintsAsText(t *testing.T) {
	h := fakeHolder
	h.Surname = "Rossi\x1b@\x1dV\x42\x00\x10\x04\x01\x1d(k\x03\x001Q0"
	h.Name = "Mario\r\n\x1bE\x01"
	a := Acceptance{Header: fakeHeader, Holder: h, Requester: wire.Requester{Role: wire.RoleHolder},
		Document: fakeDoc, Delivery: fakeEmail, Halves: fakeHalves}
	data, err := a.Render(Paper58)
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := escpos.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	count := map[escpos.Op]int{}
	found := false
	for _, c := range cmds {
		count[c.Op]++
		if c.Op == escpos.OpText && strings.Contains(c.Text, "Rossi@VB(k1Q0 Mario E") {
			found = true
		}
	}
	if !found {
		t.Errorf("name not printed as text:\n%s", escpos.Transcript(cmds))
	}
	clean, _ := layouts()["acceptance"].Render(Paper58)
	want, _ := escpos.Decode(clean)
	wantCount := map[escpos.Op]int{}
	for _, c := range want {
		wantCount[c.Op]++
	}
	for _, op := range []escpos.Op{escpos.OpInit, escpos.OpCut, escpos.OpQRPrint, escpos.OpStatus, escpos.OpBold, escpos.OpUnknown} {
		if count[op] != wantCount[op] {
			t.Errorf("%v commands: got %d, want %d as without the injected bytes", op, count[op], wantCount[op])
		}
	}
}

func TestSecretsNeverInText(t *testing.T) {
	a := layouts()["acceptance"].(Acceptance)
	for _, s := range []string{fmt.Sprint(a), fmt.Sprintf("%+v", a), fmt.Sprintf("%#v", a), fmt.Sprintf("%v", a.Halves), fmt.Sprintf("%d", a.Halves)} {
		if strings.Contains(s, "9173") || strings.Contains(s, "4682") {
			t.Errorf("secret in %q", s)
		}
	}
	bad := a
	bad.Halves = NewHalves("12a4", fakeHalves.Puk())
	_, err := bad.Render(Paper80)
	if !errors.Is(err, ErrSecret) || strings.Contains(err.Error(), "12a4") {
		t.Errorf("Render with a bad half = %v, want ErrSecret without the value", err)
	}
	data, _ := a.Render(Paper80)
	if !bytes.Contains(data, []byte("9173")) || !bytes.Contains(data, []byte("4682")) {
		t.Error("halves not printed")
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		l    Layout
		p    Paper
		want error
	}{
		{"paper", layouts()["test"], Paper(40), ErrPaper},
		{"no op id", Test{Header: Header{At: fakeAt}}, Paper58, ErrMissing},
		{"no holder", Acceptance{Header: fakeHeader, Halves: fakeHalves}, Paper58, ErrMissing},
		{"no halves", Acceptance{Header: fakeHeader, Holder: fakeHolder}, Paper58, ErrSecret},
		{"bad role", Declaration{Header: fakeHeader, Role: wire.RoleDelegate, Holder: fakeHolder,
			Citizen: Citizen{Surname: "X", CF: "Y"}}, Paper58, ErrMissing},
		{"no outcome", Summary{Header: fakeHeader, Procedure: wire.OpRevocation}, Paper58, ErrMissing},
	}
	for _, tt := range tests {
		if _, err := tt.l.Render(tt.p); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestSummaryFromAck(t *testing.T) {
	ack := wire.Ack{OpID: "x", Status: wire.StatusApplied, Outcome: "card_revoked", Message: "La carta è stata revocata e non può essere usata.",
		Result: []byte(`{"card_state":"revoked"}`)}
	s, err := SummaryFromAck(Summary{Header: fakeHeader, Holder: fakeHolder, Procedure: wire.OpActivation, Halves: &fakeHalves}, ack)
	if err != nil {
		t.Fatal(err)
	}
	if s.Outcome != outcome.CardRevoked || s.Result.CardState != "revoked" {
		t.Fatalf("got %+v", s)
	}
	data, err := s.Render(Paper58)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("1234")) {
		t.Error("halves printed on a refused operation")
	}
	if _, err := SummaryFromAck(Summary{}, wire.Ack{Result: []byte("{")}); err == nil {
		t.Error("bad result accepted")
	}
}

func TestMasks(t *testing.T) {
	tests := []struct{ got, want string }{
		{MaskTEAM("80380000900090510553"), "***************10553"},
		{MaskTEAM("123"), "123"},
		{MaskAddress("mario.rossi@example.it"), "m***@example.it"},
		{MaskAddress("@x.it"), "***@x.it"},
		{MaskAddress("+393331234567"), "*********4567"},
		{MaskDocument("AB0000000"), "******000"},
		{euro(420), "4,20 €"},
		{euro(-5), "-0,05 €"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
