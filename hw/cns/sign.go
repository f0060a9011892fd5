package cns

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"

	"cnskiosk.dev/hw/apdu"
)

// sha256DigestInfo is the DER prefix of DigestInfo{sha256, hash} (RFC 8017 §9.2).
var sha256DigestInfo = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
	0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}

// Key reference of CNS0, the authentication key, and the MSE commands that
// make it current for the following PSO.
var (
	mseRestore = apdu.Command{INS: 0x22, P1: 0xF3, P2: 0x03}
	mseSet     = apdu.Command{INS: 0x22, P1: 0xF1, P2: 0xA4, Data: []byte{0x83, 0x01, 0x01}}
)

// Sign signs SHA-256(challenge) with the card's CNS0 key, whose public half
// is pub (from EF.C_Carta). The PIN must have been verified. The block is
// padded here (PKCS#1 v1.5 type 1) and the card applies the raw RSA
// operation, so the result verifies with
// rsa.VerifyPKCS1v15(pub, crypto.SHA256, sha256(challenge), sig).
func Sign(ctx context.Context, t Transmitter, pub *rsa.PublicKey, challenge []byte) ([]byte, error) {
	k := pub.Size()
	sum := sha256.Sum256(challenge)
	block, err := pkcs1Block(k, sum[:])
	if err != nil {
		return nil, err
	}
	for _, c := range []apdu.Command{mseRestore, mseSet} {
		if _, err := apdu.Run(ctx, t, c); err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
	}
	sig, err := pso(ctx, t, block, k)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if len(sig) != k {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrBadSignature, len(sig), k)
	}
	return sig, nil
}

// pkcs1Block returns 00 01 FF..FF 00 DigestInfo hash, k bytes long.
func pkcs1Block(k int, hash []byte) ([]byte, error) {
	t := append(append([]byte{}, sha256DigestInfo...), hash...)
	if k < len(t)+11 {
		return nil, fmt.Errorf("%w: key of %d bytes too short", ErrNotRSA, k)
	}
	em := make([]byte, k)
	em[1] = 0x01
	for i := 2; i < k-len(t)-1; i++ {
		em[i] = 0xFF
	}
	copy(em[k-len(t):], t)
	return em, nil
}

// pso sends PSO COMPUTE DIGITAL SIGNATURE (00 2A 9E 9A). A block longer
// than a short APDU (2048-bit keys) goes with ISO 7816-4 command chaining:
// CLA 10 on every part but the last.
func pso(ctx context.Context, t Transmitter, block []byte, k int) ([]byte, error) {
	for len(block) > 255 {
		c := apdu.Command{CLA: 0x10, INS: 0x2A, P1: 0x9E, P2: 0x9A, Data: block[:255]}
		if _, err := apdu.Run(ctx, t, c); err != nil {
			return nil, err
		}
		block = block[255:]
	}
	return apdu.Run(ctx, t, apdu.Command{INS: 0x2A, P1: 0x9E, P2: 0x9A, Data: block, Le: min(k, 256)})
}
