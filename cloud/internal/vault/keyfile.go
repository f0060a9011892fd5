package vault

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// KeySize is the AES-256 key size in bytes.
const KeySize = 32

// maxKeyFile caps the size of a key file read from disk.
const maxKeyFile = 1 << 20

type keyFile struct {
	Version int        `json:"version"`
	Keys    []keyEntry `json:"keys"` // oldest first; the last is used to seal
}

type keyEntry struct {
	ID      string    `json:"id"`
	Created time.Time `json:"created"`
	Key     string    `json:"key"` // base64 (standard) of 32 bytes
}

// Generate writes a new key file with one fresh key. It refuses to
// overwrite an existing file.
func Generate(keyFile string) error {
	if _, err := os.Lstat(keyFile); err == nil {
		return fmt.Errorf("%w: %s already exists", ErrKeyFile, keyFile)
	}
	e, err := newEntry(time.Now())
	if err != nil {
		return err
	}
	return writeKeyFile(keyFile, keyFileDoc([]keyEntry{e}))
}

// Rotate adds a new key to an existing key file. Later seals use it; data
// sealed under the older keys still opens. It returns the new key id.
func Rotate(keyFile string) (string, error) {
	kf, err := readKeyFile(keyFile)
	if err != nil {
		return "", err
	}
	e, err := newEntry(time.Now())
	if err != nil {
		return "", err
	}
	kf.Keys = append(kf.Keys, e)
	return e.ID, writeKeyFile(keyFile, kf)
}

func keyFileDoc(keys []keyEntry) keyFile { return keyFile{Version: 1, Keys: keys} }

func newEntry(now time.Time) (keyEntry, error) {
	var key [KeySize]byte
	var id [6]byte
	if _, err := rand.Read(key[:]); err != nil {
		return keyEntry{}, fmt.Errorf("vault: random key: %w", err)
	}
	if _, err := rand.Read(id[:]); err != nil {
		return keyEntry{}, fmt.Errorf("vault: random key id: %w", err)
	}
	return keyEntry{
		ID:      fmt.Sprintf("k%s-%x", now.UTC().Format("20060102"), id),
		Created: now.UTC().Truncate(time.Second),
		Key:     base64.StdEncoding.EncodeToString(key[:]),
	}, nil
}

func readKeyFile(path string) (keyFile, error) {
	var kf keyFile
	fi, err := os.Stat(path)
	if err != nil {
		return kf, fmt.Errorf("%w: %v", ErrKeyFile, err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return kf, fmt.Errorf("%w: %s has mode %04o", ErrPermissions, path, perm)
	}
	if fi.Size() > maxKeyFile {
		return kf, fmt.Errorf("%w: %s is %d bytes", ErrKeyFile, path, fi.Size())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return kf, fmt.Errorf("%w: %v", ErrKeyFile, err)
	}
	if err := json.Unmarshal(data, &kf); err != nil {
		return kf, fmt.Errorf("%w: %s: %v", ErrKeyFile, path, err)
	}
	if kf.Version != 1 || len(kf.Keys) == 0 {
		return kf, fmt.Errorf("%w: %s: version %d with %d keys", ErrKeyFile, path, kf.Version, len(kf.Keys))
	}
	return kf, nil
}

// writeKeyFile writes kf atomically: temporary file in the same directory
// (mode 0600), fsync, rename, fsync of the directory.
func writeKeyFile(path string, kf keyFile) error {
	data, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return fmt.Errorf("vault: encode key file: %w", err)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".vaultkey-*")
	if err != nil {
		return fmt.Errorf("vault: write key file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if err := writeSync(f, append(data, '\n')); err != nil {
		return fmt.Errorf("vault: write key file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("vault: write key file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

func writeSync(f *os.File, data []byte) error {
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
