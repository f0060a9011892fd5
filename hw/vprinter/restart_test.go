package vprinter

import (
	"os"
	"path/filepath"
	"testing"

	"cnskiosk.dev/hw/escpos"
)

// TestRestartNumbersOn: a printer started on a folder that already holds
// receipts numbers on from the highest one and overwrites none of them.
func TestRestartNumbersOn(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"0001.txt", "0007.txt", "0007.png", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("earlier"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	vp := start(t, dir)
	c := dial(t, vp)
	var e escpos.Encoder
	e.Init().Line("dopo il riavvio").Cut(0)
	c.Write(e.Bytes())
	r := <-vp.Receipts()
	if r.Seq != 8 || filepath.Base(r.Path) != "0008" {
		t.Fatalf("receipt %d at %s, want 8 at 0008", r.Seq, r.Path)
	}
	for _, name := range []string{"0001.txt", "0007.txt"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != "earlier" {
			t.Errorf("%s = %q, %v: an earlier receipt was overwritten", name, b, err)
		}
	}
}
