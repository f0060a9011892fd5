// Package escpos encodes and decodes the ESC/POS command language of
// thermal receipt printers (Epson TM series and compatibles).
//
// It does no I/O: an [Encoder] appends commands to a byte slice, [Parse]
// and [Decode] turn printer bytes back into typed [Command] values (the
// virtual printer and the tests use them), and [Wrap] breaks text for the
// 32-column (58 mm) and 48-column (80 mm) papers.
//
// # Code page
//
// Text is sent in code page 858 (CP850 with the euro sign at 0xD5), selected
// with ESC t 19. It holds every Italian accented letter (à è é ì ò ù and the
// capitals) and €. Anything CP858 lacks is transliterated (’ -> ', – -> -,
// ő -> o) or replaced by '?'.
//
// # Sanitising
//
// Text from people (names, addresses, document numbers) goes through
// [Sanitize] inside [Encoder.Text]: it is normalised to NFC, C0 and C1
// control characters (ESC, GS, DLE, FS, NUL, CR, LF, TAB, DEL, 0x80-0x9F),
// bidirectional overrides and zero-width characters become a space or are
// dropped, so no byte below 0x20 and no 0x7F ever leaves Text. The only
// control bytes on the wire are the ones the Encoder's own methods emit.
//
// # References
//
//   - Epson ESC/POS Application Programming Guide, command reference
//     (ESC @, ESC E, ESC -, ESC a, ESC !, GS !, ESC t, ESC d, GS V, GS ( k, DLE EOT).
//   - QR code: GS ( k with cn = 49 (0x31), functions 165 (model), 167 (module
//     size), 169 (error level), 180 (store), 181 (print).
package escpos
