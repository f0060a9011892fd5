// Package vcard is a virtual TS-CNS smart card in pure Go (no cgo). It
// speaks the vpcd protocol of vsmartcard, so pcscd sees it in the reader
// "Virtual PCD 00 00" (port 35963) or "Virtual PCD 00 01" (port 35964)
// exactly as it would see a card in a USB reader.
//
// # Pieces
//
//   - [Card]: an ISO/IEC 7816-4 file system with the TS-CNS files (MF 3F00,
//     DF 1000 with EF.Dati_processore 1002 and EF.ID_Carta 1003, DF 1100 with
//     EF.C_Carta 1101 and EF.Dati_personali 1102), SELECT (by path or step by
//     step, with FCP unless P2=0C), READ BINARY, VERIFY/CHANGE... with PIN and
//     PUK retry counters (3 wrong PINs block: 63C2, 63C1, 6983; RESET RETRY
//     COUNTER with the PUK unblocks), MSE and PSO COMPUTE DIGITAL SIGNATURE
//     (raw RSA on the block the host padded, command chaining for 2048-bit
//     keys). It also implements the APDU transmitter of package cns, so tests
//     can read it in-process.
//   - [Card.Serve]: the vpcd wire protocol on one connection: frames of a
//     uint16 big-endian length and a payload; a 1-byte payload is a control
//     byte (00 off, 01 on, 02 reset, 04 get ATR, the only one answered).
//   - [Slot]: one vpcd slot; Insert dials (retrying while pcscd starts),
//     Remove closes the connection, which is how vpcd sees a removal.
//   - [Profile]: a card described in JSON (hw/profiles/*.json).
//
// # Pitfalls handled
//
// TCP_QUICKACK is set before every read and each answer is one Write, or
// each APDU costs ~40 ms of Nagle plus delayed ACK (quickack_linux.go). The
// card answers 04 (get ATR) at any time, and power off/reset clears the
// selection and the PIN state.
//
// Spec: ISO/IEC 7816-4; vsmartcard vpcd (virtualsmartcard/VirtualSmartcard.py).
package vcard
