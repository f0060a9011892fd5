// Package belfiore looks up Belfiore codes (codici catastali): the four
// characters that name a place of birth in a codice fiscale. An Italian
// comune has a letter and three digits (F205 is Milano); a foreign state has
// Z and three digits (Z110 is Francia).
//
// # Data
//
// The table is embedded (data.tsv.gz, see SOURCES.md) and parsed once, on
// first use. It is generated from the ANPR archive of every comune since
// 1861 (Ministero dell'Interno, CC-BY 4.0) and from the lists of foreign
// states of python-codicefiscale (MIT) by ./internal/gen; docs/domain.md
// says how to regenerate it.
//
// # Lookup by date
//
// A code names different places at different times: codes were reassigned
// when comuni merged, split or moved province (A004 is Abbadia Cerreto in
// the province of Milano until 1992-04-15, of Lodi after). [Lookup] and
// [Find] therefore take the date on which the place must have been valid,
// which for a codice fiscale is the date of birth.
//
// Dates are calendar dates: only the year, month and day of the time.Time
// passed in count.
package belfiore
