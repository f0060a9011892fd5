// Package cf validates, decodes and computes the codice fiscale, the
// 16-character Italian tax code printed on the TS-CNS and stored in its
// EF.Dati_personali (DM 23/12/1976, DPR 605/1973).
//
// # Layout
//
//	RSS MRA 70 A 01 F205 V
//	 |   |   |  |  |   |  check character over the first 15
//	 |   |   |  |  |   place of birth: Belfiore code (package belfiore)
//	 |   |   |  |  day of birth, +40 for women
//	 |   |   |  month letter A B C D E H L M P R S T
//	 |   |   year, two digits
//	 |   name: consonants; 1st, 3rd and 4th if there are four or more
//	 surname: consonants, then vowels, then X
//
// # Omocodia
//
// When two people would get the same code, the Agenzia delle Entrate
// replaces digits, right to left, by the letters LMNPQRSTUV (0..9) and
// recomputes the check character. Any of the 7 digit positions may be
// replaced, so a code has 127 omocode variants ([Variants]); [Base] maps a
// variant back.
//
// # Decisions
//
// The year has two digits: [Decode] takes the most recent year whose birth
// date is not after asOf. The place must have been valid on the birth date
// (codes were reassigned). [Validate] decodes with the current time.
//
// Errors wrap one of the sentinel errors of errors.go; [Reason] gives the
// Italian sentence for the person at the counter.
package cf
