// Package team validates and builds the Codice TEAM, the 20-digit number
// printed on the back of the TS-CNS (field 8 of the European Health
// Insurance Card, EHIC/TEAM).
//
// # Layout
//
//	80 380 00 090 009051055 3
//	 |   |  |   |     |     Luhn check digit over the first 19 digits
//	 |   |  |   |     serial, 9 digits
//	 |   |  |   region, 3 digits (Toscana 090)
//	 |   |  fixed 00
//	 |   ISO 3166 numeric code of Italy
//	 health sector (ISO/IEC 7812 major industry identifier 80)
//
// Spaces are ignored on input, so "8038000 0900 0905 10553" is accepted;
// [Code.String] and [Normalize] give the canonical 20 digits.
//
// # Expiry
//
// [CheckExpiry] checks the expiry date printed next to the code: one rule
// for the card import and the CMS rules, so that no card is imported with
// a date the rules would refuse.
package team
