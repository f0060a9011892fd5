// Package receipt lays out the Italian paper forms the kiosk prints on an
// ESC/POS printer, readable on 58 mm (32 columns) and 80 mm (48 columns)
// paper:
//
//   - [Acceptance]: modulo di accettazione, with the FIRST halves of PIN and
//     PUK (procedure 1, step 10);
//   - [Summary]: riepilogo of the operations, built from the CMS result
//     (step 15), optionally with the first halves (step 16);
//   - [Declaration]: dichiarazione sostitutiva di certificazione (D.P.R.
//     445/2000 artt. 46 e 47) of the parent, tutor or curator (procedure 2);
//   - [ReaderForm]: richiesta lettore, EUR 4,20, payment reference and
//     signature line (procedure 9);
//   - [Test]: a test page for installation and diagnostics ([PrintTest]).
//
// Each layout is a plain struct whose Render returns ESC/POS bytes; every
// value from people goes through escpos text sanitising. Each receipt ends
// with the operation id in text and as a QR code, then a cut.
//
// # Secrets
//
// [Halves] carries the first halves of PIN and PUK: they exist only on paper.
// Its String, GoString and LogValue are redacted, so a layout logged by
// mistake shows no secret, and errors never quote them.
//
// # Masking
//
// Receipts the citizen takes home show the Codice TEAM with only its last 5
// digits and the delivery address masked; the forms the operator keeps
// (declaration, reader request) carry the full data they certify.
package receipt
