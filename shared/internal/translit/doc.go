// Package translit folds people's and places' names to the upper case ASCII
// letters that the codice fiscale and name lookups compare: accents are
// dropped (È -> E, Ö -> O), ligatures spelled out (ß -> SS, Æ -> AE), and
// everything else (spaces, apostrophes, hyphens, dots) removed.
package translit
