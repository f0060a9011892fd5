// Package cardimport loads the issuer's batch of issued cards (CSV) into
// the cards and card_secrets tables.
//
// # File format
//
// UTF-8 CSV, comma separated, one header line naming the columns (any
// order, case ignored, a UTF-8 BOM allowed):
//
//	cf,team,expiry,surname,name,birth_date,sex,birth_place,pin,puk
//
// cf is the holder's codice fiscale; team the 20-digit Codice TEAM; expiry
// and birth_date are YYYY-MM-DD; sex is M or F; birth_place is the Belfiore
// code (e.g. H501, Z404) and may be empty; pin and puk are digits.
//
// # Reading
//
// The file is read one physical line at a time and each line is parsed on
// its own (RFC 4180 quoting, no line breaks inside a field: the format has
// none). A line that is not valid CSV, or longer than 16 KiB, is rejected
// as unreadable and reading goes on at the next line, so one stray quote
// never swallows the rest of the file. Rows read before an I/O error are
// still imported; Summary.LastLine says where the import stopped.
//
// # Validation
//
// Every row is checked on its own: CF (check character, date, place valid
// on the birth date), TEAM (Luhn and prefix), dates, sex, name lengths and
// characters, PIN and PUK lengths, and the CF against the birth date, sex
// and place. A bad row is reported with its line number and reason (never
// its PIN or PUK) and skipped; the other rows are imported.
//
// # Writing
//
// The file is streamed: a reader goroutine cuts it into batches, workers
// validate rows and seal PIN/PUK with the vault in parallel, and one writer
// inserts each batch in its own transaction (multi-row INSERT on SQLite,
// unnest of arrays on PostgreSQL) with ON CONFLICT DO NOTHING RETURNING
// team. An existing card is never changed: a row whose TEAM is stored is
// compared with the stored card (registry fields, and PIN/PUK by opening
// both sealed copies); identical rows count as existing, so importing the
// same file twice leaves the database as after the first time, and
// different rows are rejected as conflicts ([ErrConflict]) naming the
// fields that differ. Corrections to registry data go through the
// wrong-data procedure, not a re-import.
package cardimport
