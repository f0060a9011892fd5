// Package demodata makes synthetic issued-card files for demos, tests and
// benchmarks (cmsctl demo-data N > cards.csv), in the format package
// cardimport reads.
//
// Every citizen is invented but consistent: plausible Italian names, a
// mix of adults and minors, a Belfiore code valid on the birth date (a few
// born abroad), the codice fiscale computed from them (shared/cf), a valid
// Codice TEAM of the Tuscan region (shared/team) and a card expiring six
// years after issue (one for newborns). The same seed and reference date
// always give the same file. PIN and PUK are random digits: demo only.
package demodata
