// Package apdu encodes ISO/IEC 7816-4 command APDUs and decodes response
// APDUs, with the status words a TS-CNS card answers as typed errors.
//
// It does no I/O: [Exchange] drives any [Transmitter] (a PC/SC card, the
// virtual card over a pipe) and handles the two transport-level status words
// on the host side, so callers never see them:
//
//   - 61xx: more data is waiting, fetched with GET RESPONSE (00 C0 00 00 xx);
//   - 6Cxx: wrong Le, the command is sent again with Le = xx.
//
// # Short APDUs only
//
// Commands are short APDUs (ISO 7816-4 §5.1): Lc and Le are one byte each, at
// most 255 data bytes out and 256 in (Le = 00 means 256). A TS-CNS never needs
// extended length: files are read in chunks and a 2048-bit signature block is
// 256 bytes.
//
// # Status words
//
// [StatusError] carries SW1SW2; the sentinel errors in errors.go classify it
// for errors.Is: [ErrNotFound] (6A82), [ErrBlocked] (6983, 6984), [ErrWrongPIN]
// (63Cx, see [StatusError.TriesLeft]), [ErrEndOfFile] (6282), [ErrWrongOffset]
// (6B00) and the rest.
//
// Spec: ISO/IEC 7816-4:2020 §5 (command-response pairs) and §5.6 (status
// bytes).
package apdu
