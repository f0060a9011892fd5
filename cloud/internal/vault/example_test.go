package vault_test

import (
	"fmt"
	"os"
	"path/filepath"

	"cnskiosk.dev/cloud/internal/vault"
)

func Example() {
	dir, _ := os.MkdirTemp("", "vault")
	defer os.RemoveAll(dir)
	keyFile := filepath.Join(dir, "cms.key")
	if err := vault.Generate(keyFile); err != nil {
		fmt.Println(err)
		return
	}
	v, _ := vault.Load(keyFile)
	sealed, _ := v.Seal("80380000900090510553", vault.Secrets{PIN: "12345678", PUK: "87654321"})
	s, _ := v.Open("80380000900090510553", sealed)
	first, second := vault.DefaultPolicy.Split(s)
	fmt.Println(first.PIN, second.PUK, s)
	// Output: 1234 4321 vault.Secrets{[REDACTED]}
}
