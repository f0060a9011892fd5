package vault

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad: any key file content is either loaded or refused, never a panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"version":1,"keys":[{"id":"a","key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]}`))
	f.Add([]byte(`{"version":1,"keys":[{"id":"","key":""}]}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "k")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		v, err := Load(p)
		if err == nil && v.KeyID() == "" {
			t.Fatalf("loaded a vault without a key id")
		}
	})
}

// FuzzOpen: sealed blobs read from the database are outside bytes; Open
// must refuse anything it did not seal, without panicking.
func FuzzOpen(f *testing.F) {
	path := filepath.Join(f.TempDir(), "k")
	if err := Generate(path); err != nil {
		f.Fatal(err)
	}
	v, err := Load(path)
	if err != nil {
		f.Fatal(err)
	}
	good, _ := v.Seal("80380000900090510553", Secrets{PIN: "1234", PUK: "12345678"})
	f.Add(good.Nonce, good.Ciphertext)
	f.Add([]byte{}, []byte{})
	f.Add(make([]byte, 12), make([]byte, 40))
	f.Fuzz(func(t *testing.T, nonce, ct []byte) {
		s, err := v.Open("80380000900090510553", Sealed{KeyID: v.KeyID(), Nonce: nonce, Ciphertext: ct})
		if err == nil && s.validate() != nil {
			t.Fatalf("opened invalid secrets")
		}
	})
}
