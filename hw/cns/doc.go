// Package cns reads an Italian TS-CNS (Tessera Sanitaria - Carta Nazionale
// dei Servizi) over any APDU [Transmitter]: a PC/SC reader (package pcsc) on
// the kiosk, the virtual card (package vcard) in tests.
//
// It does no I/O of its own and has no cgo, so it runs anywhere.
//
// # Detection
//
// [IsCNS] parses the ATR (ISO/IEC 7816-3 §8) and looks for "CNS" (43 4E 53)
// in its historical bytes, instead of matching a fixed list of ATRs.
//
// # Files
//
//	EF.ID_Carta        3F00/1000/1003  card serial -> Codice TEAM ([TEAMFromIDCarta])
//	EF.C_Carta         3F00/1100/1101  CNS0 authentication certificate, X.509 DER
//	EF.Dati_personali  3F00/1100/1102  personal data ([ParsePersonal])
//
// Files are selected by path from the MF (00 A4 08 0C), falling back to
// step-by-step selection when the card refuses path selection, and read with
// READ BINARY in chunks of at most 255 bytes. [ReadCard] reads all three.
//
// # PIN and signature
//
// [VerifyPIN] presents the PIN (reference 0x10, ASCII digits padded with FF to
// 8 bytes) and reports the tries left. [Sign] signs a challenge with the CNS0
// key: MSE RESTORE, MSE SET (authentication template), PSO COMPUTE DIGITAL
// SIGNATURE on a block padded on the host (PKCS#1 v1.5, DigestInfo of
// SHA-256), so the result verifies with rsa.VerifyPKCS1v15 and crypto.SHA256.
// The PIN never leaves this package in an error, a log line or a String.
//
// # Assumptions to confirm on real cards
//
// The layout of EF.ID_Carta (12 ASCII digits after byte 0, see idcarta.go),
// the PIN reference (0x10; some masks use 0x90) and the region as the last
// three digits of the issuer code live in one place each.
//
// Sources: AgID "CNS - Carta Nazionale dei Servizi: Functional
// Specification", OpenSC card-itacns.c and pkcs15-itacns.c, ISO/IEC 7816-4.
package cns
