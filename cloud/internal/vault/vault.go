package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// Vault holds the keys of one key file, ready to seal and open secrets. It
// is safe for concurrent use.
type Vault struct {
	newest string
	aeads  map[string]cipher.AEAD
}

// Sealed is what the database stores for one card: the key id, the GCM
// nonce and the ciphertext (with its tag).
type Sealed struct {
	KeyID      string
	Nonce      []byte
	Ciphertext []byte
}

// Load reads a key file. It fails when the file is readable by group or
// others, is not a valid key file, or holds a key that is not 32 bytes.
func Load(keyFile string) (*Vault, error) {
	kf, err := readKeyFile(keyFile)
	if err != nil {
		return nil, err
	}
	v := &Vault{aeads: make(map[string]cipher.AEAD, len(kf.Keys))}
	for _, e := range kf.Keys {
		aead, err := newAEAD(e)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrKeyFile, keyFile, err)
		}
		if _, dup := v.aeads[e.ID]; dup {
			return nil, fmt.Errorf("%w: %s: duplicate key id %q", ErrKeyFile, keyFile, e.ID)
		}
		v.aeads[e.ID] = aead
		v.newest = e.ID
	}
	return v, nil
}

func newAEAD(e keyEntry) (cipher.AEAD, error) {
	if e.ID == "" || len(e.ID) > 64 {
		return nil, fmt.Errorf("key id %q: want 1 to 64 characters", e.ID)
	}
	key, err := base64.StdEncoding.DecodeString(e.Key)
	if err != nil {
		return nil, fmt.Errorf("key %q: %v", e.ID, err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("key %q is %d bytes, want %d", e.ID, len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// KeyID returns the id of the key Seal uses.
func (v *Vault) KeyID() string { return v.newest }

// Seal encrypts s for the card team with the newest key.
func (v *Vault) Seal(team string, s Secrets) (Sealed, error) {
	if err := s.validate(); err != nil {
		return Sealed{}, err
	}
	aead := v.aeads[v.newest]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return Sealed{}, fmt.Errorf("vault: nonce: %w", err)
	}
	ct := aead.Seal(nil, nonce, s.marshal(), aad(v.newest, team))
	return Sealed{KeyID: v.newest, Nonce: nonce, Ciphertext: ct}, nil
}

// Open decrypts secrets sealed for the card team. It fails with ErrOpen if
// the blob was sealed for another card or was changed, and with
// ErrUnknownKey if its key is not in the key file.
func (v *Vault) Open(team string, s Sealed) (Secrets, error) {
	aead, ok := v.aeads[s.KeyID]
	if !ok {
		return Secrets{}, fmt.Errorf("%w: %q", ErrUnknownKey, s.KeyID)
	}
	if len(s.Nonce) != aead.NonceSize() {
		return Secrets{}, fmt.Errorf("%w: nonce of %d bytes", ErrOpen, len(s.Nonce))
	}
	pt, err := aead.Open(nil, s.Nonce, s.Ciphertext, aad(s.KeyID, team))
	if err != nil {
		return Secrets{}, ErrOpen
	}
	sec, err := unmarshalSecrets(pt)
	if err != nil {
		return Secrets{}, fmt.Errorf("%w: %v", ErrOpen, err)
	}
	return sec, nil
}

// aad binds the ciphertext to the card and to the key id.
func aad(keyID, team string) []byte {
	b := make([]byte, 0, len(keyID)+len(team)+16)
	b = append(b, "cns-secrets/v1\x00"...)
	b = append(b, keyID...)
	b = append(b, 0)
	return append(b, team...)
}
