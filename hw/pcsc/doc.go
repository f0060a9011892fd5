// Package pcsc drives smart card readers through pcscd with PC/SC
// (github.com/ebfe/scard, cgo and libpcsclite). It is the only package of
// the project that uses cgo for the card.
//
// # Pieces
//
//   - [Context]: a connection to pcscd; [Context.FindReader] picks a reader
//     by a configured substring of its name (the kiosk has a citizen slot and
//     an operator slot), [Context.Connect] opens the card in it.
//   - [Card]: Transmit with a context, the ATR, Close (which resets the card
//     so a verified PIN does not outlive the session). A card pulled out in
//     the middle of a command gives [ErrCardRemoved].
//   - [Monitor]: insert and remove events on a channel, from
//     SCardGetStatusChange with no timeout (pcscd itself polls the readers
//     about every 400 ms); cancelled with SCardCancel when the context ends.
//   - [ReadInserted]: reads the card in a reader into a [cns.Card] for
//     diagnostics (hwdiag card). No PIN is involved.
//
// If pcscd is not running every call fails with [ErrNoService].
//
// # Readers
//
// With vsmartcard's vpcd driver the readers are "Virtual PCD 00 00" and
// "Virtual PCD 00 01" (see package vcard). On a Raspberry Pi with USB
// readers, pcsc_scan -r lists the names; configure a distinctive substring
// for each slot.
//
// Spec: PC/SC Workgroup specifications part 5; pcsc-lite API.
package pcsc
